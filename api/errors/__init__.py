"""RFC 9457 problem+json for every error the API returns; no bare 500s.

Every ``type`` comes from one registry (:mod:`api.errors.registry`), which gives its status and its title in English
and Vietnamese. A problem's ``title`` (and its ``detail`` where a translation exists) is in the request's language:
``?lang=``, else ``Accept-Language``, as :func:`api.deps.get_language` chooses; ``type`` URIs and field names never
change. Domain errors are mapped by class (:data:`api.errors.registry.DOMAIN_PROBLEMS`); the field at fault is the
error's ``field`` attribute, never guessed from its message. A server fault (500, 503: a bad bundle, a missing model)
is logged in full and answered with a fixed detail, so no file path or internal message reaches a client.
"""

from __future__ import annotations

import difflib
import logging
import types
import typing
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.errors.registry import PROBLEM_BASE, PROBLEM_TYPES, domain_problem, problem_type, responses
from recommender.catalogue import UnknownPlaceError
from recommender.errors import RecommenderError
from recommender.messages import Language, preferred_language
from recommender.scoring import UnknownInterestError
from routing import RoutingError

__all__ = [
    "PROBLEM_BASE",
    "PROBLEM_JSON",
    "SERVICE_UNAVAILABLE_DETAIL",
    "ApiProblemError",
    "field_error",
    "install_error_handlers",
    "invalid",
    "known_query",
    "problem",
    "responses",
    "server_fault",
]

PROBLEM_JSON = "application/problem+json"
logger = logging.getLogger("api")

SERVICE_UNAVAILABLE_DETAIL = "the city data cannot be served right now; it has been logged, retry shortly"
"""The detail of every 503 from a domain error: the cause (a file, a path) goes to the log, not to the client."""
TITLES_VI: dict[str, str] = {kind.title: kind.title_vi for kind in PROBLEM_TYPES.values()} | {
    "Invalid interest weight": "Mức độ quan tâm không hợp lệ",
}
"""Vietnamese titles of the problems, by their English title (from the registry)."""
DETAILS_VI: dict[str, str] = {
    "the database did not answer; nothing was stored, retry shortly": (
        "cơ sở dữ liệu không phản hồi; chưa có gì được lưu, vui lòng thử lại sau giây lát"
    ),
    "an unexpected error occurred; it has been logged": "đã xảy ra lỗi ngoài dự kiến; lỗi đã được ghi lại",
    SERVICE_UNAVAILABLE_DETAIL: (
        "dữ liệu thành phố tạm thời không phục vụ được; lỗi đã được ghi lại, vui lòng thử lại sau"
    ),
    "an unexpected database error occurred; it has been logged": (
        "đã xảy ra lỗi cơ sở dữ liệu ngoài dự kiến; lỗi đã được ghi lại"
    ),
    "send Authorization: Bearer <access token>": "hãy gửi kèm Authorization: Bearer <mã truy cập>",
    "the account no longer exists": "tài khoản không còn tồn tại",
    "the refresh token was revoked or expired": "mã làm mới đã bị thu hồi hoặc hết hạn",
    "check the email and password": "hãy kiểm tra lại email và mật khẩu",
    "a day's window is at most 16 h": "khung giờ của một ngày dài tối đa 16 giờ",
    "not a cursor this API returned": "không phải con trỏ phân trang do API này trả về",
    "Field required": "thiếu trường bắt buộc",
    "Extra inputs are not permitted": "không chấp nhận trường này",
    "Input should be 'vi' or 'en'": "chỉ nhận 'vi' hoặc 'en'",
    "Not Found": "Không tìm thấy",
    "Method Not Allowed": "Phương thức không được hỗ trợ",
    "does not have the expected format": "không đúng định dạng",
    "is not a valid email address": "không phải địa chỉ email hợp lệ",
    "must be a date from 2000-01-01 to 2100-12-31": "phải là ngày từ 2000-01-01 đến 2100-12-31",
    "contains a NUL character (U+0000), which text may not hold": "chứa ký tự NUL (U+0000), văn bản không được chứa",
    "must be an RFC 3339 date-time string with its UTC offset": (
        "phải là chuỗi ngày giờ RFC 3339 kèm độ lệch múi giờ UTC"
    ),
}
"""Vietnamese details (and field-error details) of the problems that have one, by their English text."""
MAX_SUGGESTIONS = 3


def request_language(request: Request) -> Language:
    """The language a problem is written in: a supported ``?lang=``, else Accept-Language, else English."""
    return Language.from_tag(request.query_params.get("lang", "")) or preferred_language(
        request.headers.get("accept-language")
    )


def translated_detail(detail: str, lang: Language) -> str:
    """``detail`` in ``lang`` where a translation exists (``field: text`` keeps its field name), else as it is."""
    if lang is not Language.VI:
        return detail
    if detail in DETAILS_VI:
        return DETAILS_VI[detail]
    field, separator, text = detail.partition(": ")
    if separator and text in DETAILS_VI:
        return f"{field}: {DETAILS_VI[text]}"
    return detail


class ApiProblemError(Exception):
    """An error a router or dependency raises on purpose; rendered as one problem+json response.

    ``kind`` is the slug of a registered problem type (:mod:`api.errors.registry`); ``status`` and ``title`` must agree
    with the registry (they are kept as arguments so existing callers read as before; :meth:`of` takes them from it).
    """

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        *,
        kind: str,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.kind = kind
        self.headers = headers or {}
        self.extra = extra

    @classmethod
    def of(cls, kind: str, detail: str, *, headers: dict[str, str] | None = None, **extra: Any) -> ApiProblemError:
        """The problem of the registered type ``kind`` (its status and title from the registry)."""
        registered = problem_type(kind)
        return cls(registered.status, registered.title, detail, kind=kind, headers=headers, **extra)


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    kind: str,
    headers: dict[str, str] | None = None,
    lang: Language = Language.EN,
    **extra: Any,
) -> JSONResponse:
    """A problem+json response (type, title, status, detail, plus extension members).

    In Vietnamese (``lang``) the title and the details (also of the ``errors`` entries) that have a translation are
    translated; the ``type`` and the field names are not.
    """
    if lang is Language.VI:
        registered = PROBLEM_TYPES.get(kind)
        title = (
            registered.title_vi if registered is not None and registered.title == title else TITLES_VI.get(title, title)
        )
        detail = translated_detail(detail, lang)
        if isinstance(extra.get("errors"), list):
            extra["errors"] = [
                {**error, "detail": translated_detail(str(error.get("detail", "")), lang)}
                if isinstance(error, dict)
                else error
                for error in extra["errors"]
            ]
    body = {"type": PROBLEM_BASE + kind, "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def server_fault(exc: BaseException) -> ApiProblemError:
    """The problem of a domain error the server is at fault for (500/503): logged in full, answered without it."""
    kind = domain_problem(exc)
    logger.error("cannot serve (%s): %s", kind.slug, exc)
    if kind.status == 503:
        return ApiProblemError.of(kind.slug, SERVICE_UNAVAILABLE_DETAIL, headers={"Retry-After": "5"})
    return ApiProblemError.of("internal", "an unexpected error occurred; it has been logged")


def field_error(field: str, detail: str) -> dict[str, str]:
    """One entry of a problem's ``errors`` list: the field (dotted), its JSON pointer and what is wrong."""
    pointer = "/" + "/".join(part for part in field.split(".") if part) if field else ""
    return {"field": field, "pointer": pointer, "detail": detail}


def invalid(field: str, detail: str, *, kind: str = "invalid-request") -> ApiProblemError:
    """A 422 naming ``field`` (``kind``: a registered 422 type, ``invalid-request`` by default)."""
    return ApiProblemError.of(kind, f"{field}: {detail}", errors=[field_error(field, detail)])


def unknown_place(field: str, exc: UnknownPlaceError) -> ApiProblemError:
    """A 404 naming ``field`` and the closest place ids."""
    return ApiProblemError.of(
        "unknown-place",
        f"{field}: {exc}",
        suggestions=list(exc.suggestions),
        errors=[field_error(field, str(exc))],
    )


def did_you_mean(name: str, known: Sequence[str]) -> str:
    """``"; did you mean 'x'?"`` for the known names close to ``name`` (difflib), else ``""``."""
    close = difflib.get_close_matches(name, list(known), n=MAX_SUGGESTIONS, cutoff=0.6)
    return "; did you mean " + " or ".join(repr(c) for c in close) + "?" if close else ""


ALWAYS_KNOWN_QUERY: frozenset[str] = frozenset({"lang"})
"""Query parameters every operation takes (the language of answers and problems)."""
_declared_query: dict[int, frozenset[str]] = {}


async def known_query(request: Request) -> None:
    """Refuse query parameters the operation does not declare: a 422 naming each, with a did-you-mean.

    A misspelt ``limt=5`` would otherwise be ignored without a word (as an unknown body field is refused). Async:
    it only reads the request, so /health takes no thread from a pool that a hung database may have filled.
    """
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    known = _declared_query.get(id(route))
    if known is None:
        known = frozenset(_query_names(dependant)) | ALWAYS_KNOWN_QUERY
        _declared_query[id(route)] = known
    unknown = [name for name in dict.fromkeys(request.query_params) if name not in known]
    if unknown:
        errors = [
            field_error(f"query.{name}", f"unknown query parameter {name!r}{did_you_mean(name, sorted(known))}")
            for name in unknown
        ]
        raise ApiProblemError.of("invalid-request", f"{errors[0]['field']}: {errors[0]['detail']}", errors=errors)


def _query_names(dependant: Dependant) -> set[str]:
    """The query parameters an operation declares, its dependencies' included."""
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def _model_fields(annotation: Any) -> dict[str, Any] | None:
    """The fields of the pydantic model an annotation holds (through ``X | None`` and ``list[X]``), else None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return {(info.alias or name): info.annotation for name, info in annotation.model_fields.items()}
    origin = typing.get_origin(annotation)
    if origin in {typing.Union, types.UnionType, list, tuple, Sequence}:
        for argument in typing.get_args(annotation):
            found = _model_fields(argument)
            if found is not None:
                return found
    return None


def _known_fields(request: Request, location: Sequence[str]) -> list[str]:
    """The field names the request body model allows at ``location`` (the parent of an unknown field)."""
    route = request.scope.get("route")
    body_field = getattr(route, "body_field", None)
    annotation = getattr(getattr(body_field, "field_info", None), "annotation", None)
    for part in location:
        fields = _model_fields(annotation)
        if fields is None:
            return []
        if part.isdigit() and part not in fields:
            continue  # a list index: stay on the item type
        annotation = fields.get(part)
    fields = _model_fields(annotation)
    return sorted(fields) if fields else []


def _position(document: object, offset: int) -> str:
    """``line L, column C (character N)`` of an offset in the body."""
    text = document.decode("utf-8", "replace") if isinstance(document, bytes) else str(document or "")
    before = text[:offset]
    line = before.count("\n") + 1
    column = offset - (before.rfind("\n") + 1) + 1
    return f"line {line}, column {column} (character {offset})"


def _validation_errors(request: Request, exc: RequestValidationError) -> list[dict[str, str]]:
    """One ``errors`` entry per pydantic error: unknown fields with a did-you-mean, no regular expressions shown."""
    errors = []
    for error in exc.errors():
        raw = [str(part) for part in error["loc"]]
        location = raw[1:] if raw and raw[0] == "body" else raw  # query.x, path.x, header.x keep their prefix
        kind = error.get("type", "")
        message = str(error["msg"])
        if kind == "json_invalid":
            offset = error["loc"][1] if len(error["loc"]) > 1 and isinstance(error["loc"][1], int) else 0
            reason = str(error.get("ctx", {}).get("error", "invalid JSON"))
            detail = f"not valid JSON: {reason} at {_position(exc.body, offset)}"
            errors.append({"field": "body", "pointer": "", "detail": detail})
            continue
        if kind == "extra_forbidden" and location:
            known = _known_fields(request, location[:-1])
            message = f"unknown field {location[-1]!r}{did_you_mean(location[-1], known)}"
        elif kind == "string_pattern_mismatch":
            message = (
                "is not a valid email address"
                if location and location[-1] == "email"
                else "does not have the expected format"
            )
        errors.append(field_error(".".join(location), message))
    return errors


def render(request: Request, exc: ApiProblemError) -> JSONResponse:
    """The problem+json response of an :class:`ApiProblemError`, in the request's language."""
    return problem(
        exc.status,
        exc.title,
        exc.detail,
        kind=exc.kind,
        headers=exc.headers,
        lang=request_language(request),
        **exc.extra,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register one handler per error family."""

    @app.exception_handler(ApiProblemError)
    async def api_problem(request: Request, exc: ApiProblemError) -> JSONResponse:
        return render(request, exc)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _validation_errors(request, exc)
        first = errors[0] if errors else field_error("", "invalid request")
        return problem(
            422,
            "Invalid request",
            f"{first['field']}: {first['detail']}",
            kind="invalid-request",
            lang=request_language(request),
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(exc.headers) if exc.headers else None
        return problem(
            exc.status_code,
            str(exc.detail),
            str(exc.detail),
            kind=f"http-{exc.status_code}",
            lang=request_language(request),
            headers=headers,
        )

    async def domain_error(request: Request, exc: Exception) -> JSONResponse:
        """Any recommender or routing error: its registered problem type, with its ``field`` where it has one."""
        kind = domain_problem(exc)
        if kind.status >= 500:
            return render(request, server_fault(exc))
        extra: dict[str, Any] = {}
        if isinstance(exc, UnknownPlaceError | UnknownInterestError):
            extra["suggestions"] = list(exc.suggestions)
        field = getattr(exc, "field", None)
        if field:
            extra["errors"] = [field_error(field, str(exc))]
        return problem(kind.status, kind.title, str(exc), kind=kind.slug, lang=request_language(request), **extra)

    app.add_exception_handler(RecommenderError, domain_error)
    app.add_exception_handler(RoutingError, domain_error)

    @app.exception_handler(OperationalError)
    async def database_down(request: Request, exc: OperationalError) -> JSONResponse:
        logger.warning("database unavailable: %s", exc.orig)
        return problem(
            503,
            "Database unavailable",
            "the database did not answer; nothing was stored, retry shortly",
            kind="database-unavailable",
            lang=request_language(request),
            headers={"Retry-After": "1"},
        )

    @app.exception_handler(DBAPIError)
    async def database_error(request: Request, exc: DBAPIError) -> JSONResponse:
        if exc.connection_invalidated:
            return await database_down(request, OperationalError(exc.statement, exc.params, exc))
        logger.exception("database error", exc_info=exc)
        return problem(
            500,
            "Internal error",
            "an unexpected database error occurred; it has been logged",
            kind="internal",
            lang=request_language(request),
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error", exc_info=exc)
        return problem(
            500,
            "Internal error",
            "an unexpected error occurred; it has been logged",
            kind="internal",
            lang=request_language(request),
        )
