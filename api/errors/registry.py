"""The registry of problem types: every ``type`` URI the API answers with, its status and its titles (en / vi).

Part of :mod:`api.errors` (the one place errors become problem+json); routers import it from there.

A problem's ``type`` is ``https://heritage.example/problems/<slug>``; the slugs never change (clients switch on
them). docs/API.md ("Problem types") lists the same table; a test keeps the two in step. Each domain error class
maps to one problem type here (:data:`DOMAIN_PROBLEMS`), found by walking the exception's class hierarchy.
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Final

from recommender.catalogue import CatalogueError, UnknownPlaceError
from recommender.communes.events import EventsError
from recommender.communes.lunar import InvalidLunarDateError
from recommender.communes.stories import StoriesError
from recommender.errors import RecommenderError
from recommender.feedback.events import FeedbackError
from recommender.locate import MalformedLocationError
from recommender.planner.errors import PlannerError
from recommender.preference import PreferenceModelError
from recommender.scoring import InvalidInterestWeightError, UnknownInterestError
from recommender.trip import TripError
from recommender.wards import UnknownWardError, WardsError
from routing import (
    BundleError,
    ClockError,
    InputDataError,
    LineDesignError,
    NoRouteError,
    NoServiceError,
    OutsideAreaError,
    RoutingError,
    TagParseError,
    TooFarFromStreetError,
)

PROBLEM_BASE: Final[str] = "https://heritage.example/problems/"


@dataclass(frozen=True)
class ProblemType:
    """One kind of problem: its slug (the end of its ``type`` URI), HTTP status, titles and when it is answered."""

    slug: str
    status: int
    title: str
    title_vi: str
    when: str

    @property
    def uri(self) -> str:
        """The ``type`` URI."""
        return PROBLEM_BASE + self.slug


_TYPES: Final[tuple[ProblemType, ...]] = (
    ProblemType(
        "invalid-request",
        422,
        "Invalid request",
        "Yêu cầu không hợp lệ",
        "A field is missing, malformed, out of range or unknown (`errors` names each field; an unknown field "
        'gets a "did you mean"), or the body is not JSON (field `body`, position in `detail`).',
    ),
    ProblemType(
        "unknown-place",
        404,
        "Unknown place",
        "Không tìm thấy địa điểm",
        "A place id or name matches no catalogue place (`suggestions` lists the closest ids; `errors` names the "
        "field when the place came from the body or a query).",
    ),
    ProblemType(
        "unknown-interest",
        422,
        "Unknown interest",
        "Sở thích không có trong danh mục",
        "An interest is neither a category nor an alias (`suggestions` lists close ones).",
    ),
    ProblemType(
        "trip-error",
        422,
        "Cannot plan this trip",
        "Không thể lập lịch trình này",
        "The trip cannot be planned as asked: a window, a number of days, or a must-visit place that is closed or "
        "does not fit (the detail names the place and the clock times).",
    ),
    ProblemType(
        "outside-area",
        422,
        "Outside the city area",
        "Nằm ngoài khu vực thành phố",
        "A point lies outside the area the city bundle covers (`errors` names the field).",
    ),
    ProblemType(
        "too-far-from-street",
        422,
        "Too far from any street",
        "Quá xa đường phố",
        "A point lies farther than the snap distance (the bundle's, or `HERITAGE_MAX_SNAP_M`) from every street "
        "(`errors` names the field).",
    ),
    ProblemType(
        "no-route",
        422,
        "No route",
        "Không có đường đi",
        "No walk or bus journey connects the points (a route answer says this with 200 and a `status` instead).",
    ),
    ProblemType(
        "no-service",
        422,
        "No bus service",
        "Không có chuyến xe buýt",
        "No bus runs at the requested time nor within two hours after it.",
    ),
    ProblemType(
        "recommender-error",
        422,
        "Cannot recommend",
        "Không thể gợi ý",
        "Another reason the recommender cannot answer the request.",
    ),
    ProblemType(
        "routing-error",
        422,
        "Cannot route",
        "Không tìm được đường đi",
        "Another reason the router cannot answer the request.",
    ),
    ProblemType(
        "line-error",
        422,
        "Cannot design this line",
        "Không thể thiết kế tuyến này",
        "An operator line cannot be designed as asked (`errors` names the field).",
    ),
    ProblemType(
        "line-not-found", 404, "Line not found", "Không tìm thấy tuyến", "No proposed operator line has this id."
    ),
    ProblemType(
        "commune-not-found",
        404,
        "Unknown ward or commune",
        "Không tìm thấy phường, xã",
        "No 2025 ward or commune of Hanoi has this id (`suggestions` in the detail).",
    ),
    ProblemType(
        "itinerary-not-found",
        404,
        "Itinerary not found",
        "Không tìm thấy lịch trình",
        "No saved itinerary of the caller has this id.",
    ),
    ProblemType(
        "idempotency-key-reused",
        422,
        "Idempotency-Key reused",
        "Idempotency-Key đã được dùng",
        "An `Idempotency-Key` already used for a save comes with a different body (nothing was stored; use a new "
        "key for a new save).",
    ),
    ProblemType(
        "unauthorized",
        401,
        "Not authenticated",
        "Chưa đăng nhập",
        "The endpoint needs a bearer token (or, for operators, an API key) and none was sent.",
    ),
    ProblemType(
        "invalid-token",
        401,
        "Invalid token",
        "Mã truy cập không hợp lệ",
        "The token is malformed, expired, revoked, or its account no longer exists.",
    ),
    ProblemType(
        "bad-credentials",
        401,
        "Wrong email or password",
        "Sai email hoặc mật khẩu",
        "Log-in with an unknown email or a wrong password.",
    ),
    ProblemType(
        "invalid-api-key",
        401,
        "Invalid API key",
        "Khóa API không hợp lệ",
        "An unknown or revoked operator key.",
    ),
    ProblemType(
        "operators-only",
        403,
        "Operators only",
        "Chỉ dành cho nhà vận hành",
        "A traveller's token on an operator endpoint.",
    ),
    ProblemType(
        "not-an-editor",
        403,
        "Not allowed to change this ward or commune",
        "Không có quyền sửa phường, xã này",
        "An editor changes only the ward or commune their account is bound to and a moderator approves; a "
        "traveller's account changes none (the detail tells nothing about the unit's revisions).",
    ),
    ProblemType(
        "revision-not-found",
        404,
        "Revision not found",
        "Không tìm thấy bản sửa",
        "No revision of a unit the account may see has this id.",
    ),
    ProblemType(
        "email-taken", 409, "Email taken", "Email đã được sử dụng", "Registering an email that has an account."
    ),
    ProblemType(
        "body-too-large",
        413,
        "Request body too large",
        "Nội dung yêu cầu quá lớn",
        "The body is over `HERITAGE_MAX_BODY_BYTES`.",
    ),
    ProblemType(
        "headers-too-large",
        431,
        "Request headers too large",
        "Phần đầu yêu cầu quá lớn",
        "The request's head is over `HERITAGE_MAX_HEADER_BYTES`; answered by the server before the app, which then "
        "closes the connection.",
    ),
    ProblemType(
        "rate-limited",
        429,
        "Too many requests",
        "Quá nhiều yêu cầu",
        "Over the per-address or per-token limit a minute (`Retry-After` says when to retry).",
    ),
    ProblemType("http-404", 404, "Not Found", "Không tìm thấy", "No such path."),
    ProblemType("http-405", 405, "Method Not Allowed", "Phương thức không được hỗ trợ", "The path has no such method."),
    ProblemType(
        "database-unavailable",
        503,
        "Database unavailable",
        "Cơ sở dữ liệu tạm thời không phản hồi",
        "The database did not answer; nothing was stored (`Retry-After`).",
    ),
    ProblemType(
        "service-unavailable",
        503,
        "Service unavailable",
        "Dịch vụ tạm thời không sẵn sàng",
        "The city bundle or the planner cannot serve right now (`Retry-After`); the detail never names a file, "
        "the server's log does.",
    ),
    ProblemType("internal", 500, "Internal error", "Lỗi hệ thống", "An unexpected error; it has been logged."),
)

PROBLEM_TYPES: Final[dict[str, ProblemType]] = {problem.slug: problem for problem in _TYPES}
"""Every problem type, by slug."""

DOMAIN_PROBLEMS: Final[dict[type[Exception], str]] = {
    UnknownPlaceError: "unknown-place",
    UnknownInterestError: "unknown-interest",
    InvalidInterestWeightError: "invalid-request",
    UnknownWardError: "invalid-request",
    MalformedLocationError: "invalid-request",
    FeedbackError: "invalid-request",
    TripError: "trip-error",
    PlannerError: "trip-error",
    CatalogueError: "service-unavailable",
    PreferenceModelError: "service-unavailable",
    WardsError: "service-unavailable",
    EventsError: "service-unavailable",
    StoriesError: "service-unavailable",
    InvalidLunarDateError: "invalid-request",
    RecommenderError: "recommender-error",
    OutsideAreaError: "outside-area",
    TooFarFromStreetError: "too-far-from-street",
    NoRouteError: "no-route",
    NoServiceError: "no-service",
    BundleError: "service-unavailable",
    InputDataError: "service-unavailable",
    TagParseError: "service-unavailable",
    LineDesignError: "line-error",
    ClockError: "invalid-request",
    RoutingError: "routing-error",
}
"""The problem type of each domain error class (a subclass without its own entry takes its nearest ancestor's)."""
OFFLINE_PROBLEMS: Final[dict[str, str]] = {
    "recommender.experiment.ExperimentConfigError": "invalid-request",
    "recommender.tours.errors.TourDataError": "invalid-request",
    "recommender.tours.errors.TourOutputError": "service-unavailable",
}
"""The same, by qualified name, for errors of tools the service does not import (experiments, tour benchmarks)."""


def problem_type(slug: str) -> ProblemType:
    """The registered type of ``slug``; an unregistered ``http-<status>`` gets the status's standard phrase.

    Raises
    ------
    KeyError
        For any other unregistered slug (a programming error, caught by the tests).
    """
    if slug in PROBLEM_TYPES:
        return PROBLEM_TYPES[slug]
    if slug.startswith("http-") and slug[5:].isdigit():
        status = int(slug[5:])
        phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
        return ProblemType(slug, status, phrase, phrase, "")
    raise KeyError(f"unregistered problem type {slug!r}")


def domain_problem(exc: BaseException) -> ProblemType:
    """The problem type of a domain error: the entry of its class or of its nearest mapped ancestor."""
    return PROBLEM_TYPES[domain_slug(type(exc))]


def domain_slug(error: type[BaseException]) -> str:
    """The problem type slug of a domain error class (``internal`` for any other exception)."""
    for cls in error.__mro__:
        if cls in DOMAIN_PROBLEMS:
            return DOMAIN_PROBLEMS[cls]
        qualified = f"{cls.__module__}.{cls.__qualname__}"
        if qualified in OFFLINE_PROBLEMS:
            return OFFLINE_PROBLEMS[qualified]
    return "internal"


def responses(*slugs: str) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: one entry per status, describing the problem types it can carry.

    ``api.openapi`` gives every such entry the problem+json schema.
    """
    by_status: dict[int, list[ProblemType]] = {}
    for slug in slugs:
        kind = problem_type(slug)
        by_status.setdefault(kind.status, []).append(kind)
    return {
        status: {
            "description": "; ".join(f"{kind.title} (`{kind.slug}`)" for kind in kinds) + " — problem+json",
        }
        for status, kinds in sorted(by_status.items())
    }
