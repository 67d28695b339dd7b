"""The OpenAPI document: every error response documented as RFC 9457 problem+json."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.errors import PROBLEM_JSON

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "RFC 9457 problem details.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "For invalid input: what is wrong with which field.",
            "items": {
                "type": "object",
                "required": ["field", "pointer", "detail"],
                "properties": {
                    "field": {"type": "string", "examples": ["events.0.rating"]},
                    "pointer": {"type": "string", "examples": ["/events/0/rating"]},
                    "detail": {"type": "string"},
                    "place_id": {
                        "type": "string",
                        "description": "The place the field names, when it is one (an edited visit that does not "
                        "fit, a place id that matches none).",
                    },
                    "suggestions": {
                        "type": "array",
                        "items": {"type": "string"},
                        "description": "The closest place ids, when the place is unknown.",
                    },
                },
            },
        },
        "suggestions": {
            "type": "array",
            "items": {"type": "string"},
            "description": "The closest place ids or interests, when one is unknown.",
        },
    },
    "examples": [
        {
            "type": "https://heritage.example/problems/invalid-request",
            "title": "Invalid request",
            "status": 422,
            "detail": "days: Input should be less than or equal to 7",
            "errors": [{"field": "days", "pointer": "/days", "detail": "Input should be less than or equal to 7"}],
        }
    ],
}
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
ERROR_DESCRIPTIONS = {
    "default": "An error (problem+json): 401 token, 404 not found, 413 body too large, 429 rate limited (Retry-After), "
    "503 database unavailable (Retry-After)",
    "422": "Invalid input (problem+json with an `errors` list naming each field)",
}


def _problem_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}}}


def _has_model(response: dict[str, Any]) -> bool:
    for media in response.get("content", {}).values():
        ref = media.get("schema", {}).get("$ref", "")
        if ref and not ref.endswith("/HTTPValidationError"):
            return True
    return False


def install_openapi(app: FastAPI) -> None:
    """Make ``app.openapi()`` document errors as problem+json (422 and a default response on every operation)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        document = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
            tags=app.openapi_tags,
        )
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        schemas["Problem"] = PROBLEM_SCHEMA
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        for operations in document.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for code, response in list(responses.items()):
                    if code.isdigit() and int(code) >= 400 and not _has_model(response):
                        description = ERROR_DESCRIPTIONS.get(code, response.get("description", "Error"))
                        responses[code] = _problem_response(description)
                responses["default"] = _problem_response(ERROR_DESCRIPTIONS["default"])
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]
