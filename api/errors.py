"""RFC 9457 problem+json for every error the API returns; no bare 500s."""

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
from recommender.scoring import InvalidInterestWeightError, UnknownInterestError
from recommender.trip import TripError
from routing.errors import RoutingError

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://heritage.example/problems/"
logger = logging.getLogger("api")


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
    status: int, title: str, detail: str, *, kind: str, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    """A problem+json response (type, title, status, detail, plus extension members)."""
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
    async def api_problem(_: Request, exc: ApiProblemError) -> JSONResponse:
        return problem(exc.status, exc.title, exc.detail, kind=exc.kind, headers=exc.headers, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for error in exc.errors():
            location = [str(part) for part in error["loc"]]
            if location and location[0] in {"body", "query", "path", "header"}:
                location = location[1:] if location[0] == "body" else location
            errors.append(field_error(".".join(location), str(error["msg"])))
        first = errors[0] if errors else field_error("", "invalid request")
        return problem(
            422, "Invalid request", f"{first['field']}: {first['detail']}", kind="invalid-request", errors=errors
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(exc.headers) if exc.headers else None
        return problem(
            exc.status_code, str(exc.detail), str(exc.detail), kind=f"http-{exc.status_code}", headers=headers
        )

    @app.exception_handler(UnknownPlaceError)
    async def unknown_place(_: Request, exc: UnknownPlaceError) -> JSONResponse:
        return problem(404, "Unknown place", str(exc), kind="unknown-place", suggestions=list(exc.suggestions))

    @app.exception_handler(TripError)
    async def trip_error(_: Request, exc: TripError) -> JSONResponse:
        return problem(
            422, "Cannot plan this trip", str(exc), kind="trip-error", errors=[field_error(exc.field, str(exc))]
        )

    @app.exception_handler(UnknownInterestError)
    async def unknown_interest(_: Request, exc: UnknownInterestError) -> JSONResponse:
        return problem(
            422, "Unknown interest", str(exc), kind="unknown-interest", errors=[field_error("interests", str(exc))]
        )

    @app.exception_handler(InvalidInterestWeightError)
    async def bad_weight(_: Request, exc: InvalidInterestWeightError) -> JSONResponse:
        return problem(
            422,
            "Invalid interest weight",
            str(exc),
            kind="invalid-request",
            errors=[field_error("interests", str(exc))],
        )

    @app.exception_handler(RecommenderError)
    async def recommender_error(_: Request, exc: RecommenderError) -> JSONResponse:
        return problem(422, "Cannot recommend", str(exc), kind="recommender-error")

    @app.exception_handler(RoutingError)
    async def routing_error(_: Request, exc: RoutingError) -> JSONResponse:
        return problem(422, "Cannot route", str(exc), kind="routing-error", error=type(exc).__name__)

    @app.exception_handler(OperationalError)
    async def database_down(_: Request, exc: OperationalError) -> JSONResponse:
        logger.warning("database unavailable: %s", exc.orig)
        return problem(
            503,
            "Database unavailable",
            "the database did not answer; nothing was stored, retry shortly",
            kind="database-unavailable",
            headers={"Retry-After": "1"},
        )

    @app.exception_handler(DBAPIError)
    async def database_error(_: Request, exc: DBAPIError) -> JSONResponse:
        if exc.connection_invalidated:
            return await database_down(_, OperationalError(exc.statement, exc.params, exc))
        logger.exception("database error", exc_info=exc)
        return problem(
            500, "Internal error", "an unexpected database error occurred; it has been logged", kind="internal"
        )

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error", exc_info=exc)
        return problem(500, "Internal error", "an unexpected error occurred; it has been logged", kind="internal")
