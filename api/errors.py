"""RFC 9457 problem+json for every error the API returns; no bare 500s.

A problem's ``title`` (and its ``detail`` where a translation exists) is in the request's language: ``?lang=``, else
``Accept-Language``, as :func:`api.deps.get_language` chooses; ``type`` URIs and field names never change.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from recommender.catalogue import UnknownPlaceError
from recommender.errors import RecommenderError
from recommender.messages import Language, preferred_language
from recommender.scoring import InvalidInterestWeightError, UnknownInterestError
from recommender.trip import TripError
from routing.errors import RoutingError

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://heritage.example/problems/"
logger = logging.getLogger("api")

TITLES_VI: dict[str, str] = {
    "Invalid request": "Yêu cầu không hợp lệ",
    "Unknown place": "Không tìm thấy địa điểm",
    "Cannot plan this trip": "Không thể lập lịch trình này",
    "Unknown interest": "Sở thích không có trong danh mục",
    "Invalid interest weight": "Mức độ quan tâm không hợp lệ",
    "Cannot recommend": "Không thể gợi ý",
    "Cannot route": "Không tìm được đường đi",
    "Cannot design this line": "Không thể thiết kế tuyến này",
    "Database unavailable": "Cơ sở dữ liệu tạm thời không phản hồi",
    "Internal error": "Lỗi hệ thống",
    "Not authenticated": "Chưa đăng nhập",
    "Invalid token": "Mã truy cập không hợp lệ",
    "Wrong email or password": "Sai email hoặc mật khẩu",
    "Email taken": "Email đã được sử dụng",
    "Invalid API key": "Khóa API không hợp lệ",
    "Operators only": "Chỉ dành cho nhà vận hành",
    "Itinerary not found": "Không tìm thấy lịch trình",
    "Line not found": "Không tìm thấy tuyến",
    "Not Found": "Không tìm thấy",
    "Method Not Allowed": "Phương thức không được hỗ trợ",
}
"""Vietnamese titles of the problems, by their English title."""
DETAILS_VI: dict[str, str] = {
    "the database did not answer; nothing was stored, retry shortly": (
        "cơ sở dữ liệu không phản hồi; chưa có gì được lưu, vui lòng thử lại sau giây lát"
    ),
    "an unexpected error occurred; it has been logged": "đã xảy ra lỗi ngoài dự kiến; lỗi đã được ghi lại",
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
}
"""Vietnamese details (and field-error details) of the problems that have one, by their English text."""


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
    """An error a router or dependency raises on purpose; rendered as one problem+json response."""

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
        title = TITLES_VI.get(title, title)
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


def field_error(field: str, detail: str) -> dict[str, str]:
    """One entry of a problem's ``errors`` list: the field (dotted), its JSON pointer and what is wrong."""
    pointer = "/" + "/".join(part for part in field.split(".") if part) if field else ""
    return {"field": field, "pointer": pointer, "detail": detail}


def invalid(field: str, detail: str) -> ApiProblemError:
    """A 422 naming ``field``."""
    return ApiProblemError(
        422, "Invalid request", f"{field}: {detail}", kind="invalid-request", errors=[field_error(field, detail)]
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register one handler per error family."""

    @app.exception_handler(ApiProblemError)
    async def api_problem(request: Request, exc: ApiProblemError) -> JSONResponse:
        return problem(
            exc.status,
            exc.title,
            exc.detail,
            kind=exc.kind,
            headers=exc.headers,
            lang=request_language(request),
            **exc.extra,
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for error in exc.errors():
            location = [str(part) for part in error["loc"]]
            if location and location[0] in {"body", "query", "path", "header"}:
                location = location[1:] if location[0] == "body" else location
            errors.append(field_error(".".join(location), str(error["msg"])))
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

    @app.exception_handler(UnknownPlaceError)
    async def unknown_place(request: Request, exc: UnknownPlaceError) -> JSONResponse:
        return problem(
            404,
            "Unknown place",
            str(exc),
            kind="unknown-place",
            lang=request_language(request),
            suggestions=list(exc.suggestions),
        )

    @app.exception_handler(TripError)
    async def trip_error(request: Request, exc: TripError) -> JSONResponse:
        return problem(
            422,
            "Cannot plan this trip",
            str(exc),
            kind="trip-error",
            lang=request_language(request),
            errors=[field_error(exc.field, str(exc))],
        )

    @app.exception_handler(UnknownInterestError)
    async def unknown_interest(request: Request, exc: UnknownInterestError) -> JSONResponse:
        return problem(
            422,
            "Unknown interest",
            str(exc),
            kind="unknown-interest",
            lang=request_language(request),
            errors=[field_error("interests", str(exc))],
        )

    @app.exception_handler(InvalidInterestWeightError)
    async def bad_weight(request: Request, exc: InvalidInterestWeightError) -> JSONResponse:
        return problem(
            422,
            "Invalid interest weight",
            str(exc),
            kind="invalid-request",
            lang=request_language(request),
            errors=[field_error("interests", str(exc))],
        )

    @app.exception_handler(RecommenderError)
    async def recommender_error(request: Request, exc: RecommenderError) -> JSONResponse:
        return problem(422, "Cannot recommend", str(exc), kind="recommender-error", lang=request_language(request))

    @app.exception_handler(RoutingError)
    async def routing_error(request: Request, exc: RoutingError) -> JSONResponse:
        return problem(
            422,
            "Cannot route",
            str(exc),
            kind="routing-error",
            lang=request_language(request),
            error=type(exc).__name__,
        )

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
