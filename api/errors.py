"""RFC 9457 problem+json for every error the API returns; no bare 500s."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from recommender.catalogue import UnknownPlaceError
from recommender.errors import RecommenderError
from routing.errors import RoutingError

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://heritage.example/problems/"
logger = logging.getLogger("api")


def problem(status: int, title: str, detail: str, *, kind: str, **extra: Any) -> JSONResponse:
    """A problem+json response (type, title, status, detail, plus extension members)."""
    body = {"type": PROBLEM_BASE + kind, "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def install_error_handlers(app: FastAPI) -> None:
    """Register one handler per error family."""

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": ".".join(str(part) for part in error["loc"]), "message": error["msg"]} for error in exc.errors()
        ]
        first = errors[0] if errors else {"field": "", "message": "invalid request"}
        return problem(
            422,
            "Invalid request",
            f"{first['field']}: {first['message']}",
            kind="invalid-request",
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, str(exc.detail), str(exc.detail), kind=f"http-{exc.status_code}")

    @app.exception_handler(UnknownPlaceError)
    async def unknown_place(_: Request, exc: UnknownPlaceError) -> JSONResponse:
        return problem(404, "Unknown place", str(exc), kind="unknown-place")

    @app.exception_handler(RecommenderError)
    async def recommender_error(_: Request, exc: RecommenderError) -> JSONResponse:
        return problem(422, "Cannot recommend", str(exc), kind="recommender-error")

    @app.exception_handler(RoutingError)
    async def routing_error(_: Request, exc: RoutingError) -> JSONResponse:
        return problem(422, "Cannot route", str(exc), kind="routing-error")

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error", exc_info=exc)
        return problem(500, "Internal error", "an unexpected error occurred; it has been logged", kind="internal")
