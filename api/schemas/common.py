"""What every model shares: strict requests, answers, the attribution, GeoJSON geometries (``[lon, lat]``).

Requests refuse unknown fields with a "did you mean" (:class:`StrictModel`); answers say in the OpenAPI output schema
which fields they always carry (:class:`ResponseModel`).
"""

from __future__ import annotations

import datetime as dt
import difflib
from typing import Annotated, Any, Final, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    ValidationError,
    ValidatorFunctionWrapHandler,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, InitErrorDetails, PydanticCustomError

ATTRIBUTION = "© OpenStreetMap contributors (ODbL 1.0); Hanoi bus GTFS © World Bank (CC BY 4.0)"

Position = list[float]
"""A GeoJSON position: ``[lon, lat]``."""
LatLon = tuple[float, float]
"""A ``[lat, lon]`` point of a route's ``coordinates``."""
UNKNOWN_FIELD = "unknown_field"
"""The pydantic error type of a field a strict model does not have (its message suggests the nearest field)."""
MAX_DEPTH: Final[int] = 24
"""How deeply a request body may nest objects and arrays (a saved plan needs 12 levels)."""
MIN_DATE: Final[dt.date] = dt.date(2000, 1, 1)
MAX_DATE: Final[dt.date] = dt.date(2100, 12, 31)
"""The dates the service plans for (and accepts anywhere): 2000-01-01 to 2100-12-31, both included."""
DATE_RANGE: Final[str] = f"{MIN_DATE.isoformat()}..{MAX_DATE.isoformat()}"
MAX_TEXT_ERRORS: Final[int] = 10
CUSTOM_ERRORS: Final[frozenset[str]] = frozenset({"text_character", "too_deep", "date_range", "datetime_text"})
"""The pydantic error types of the checks below (a strict model passes them on with their own message)."""


# --- text, dates and strict scalars, checked once at the edge -----------------------------------------------------


def text_problem(value: str) -> str | None:
    """What makes ``value`` unfit to store or answer (a NUL, a lone surrogate), or None when it is fine."""
    if "\x00" in value:
        return "contains a NUL character (U+0000), which text may not hold"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"contains a lone surrogate (U+{ord(value[exc.start]):04X}), which is not a Unicode character"
    return None


def checked_text(value: str) -> str:
    """``value`` when it has no NUL and no lone surrogate; else a ``text_character`` error (the value is not echoed)."""
    problem = text_problem(value)
    if problem is not None:
        raise PydanticCustomError("text_character", problem)
    return value


Text = Annotated[str, AfterValidator(checked_text)]
"""A string without NUL and lone surrogates: path and query parameters use it (bodies are checked whole)."""


def input_errors(data: Any, *, max_depth: int = MAX_DEPTH) -> list[InitErrorDetails]:
    """Every string (value or key) of a request body with a NUL or a lone surrogate, and nesting past ``max_depth``.

    The errors name where in the body (a bad key is reported at its object); the values are never repeated.
    """
    errors: list[InitErrorDetails] = []
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, ())]
    while stack and len(errors) < MAX_TEXT_ERRORS:
        value, location = stack.pop()
        if len(location) > max_depth:
            message = f"nested deeper than {max_depth} levels"
            errors.append(InitErrorDetails(type=PydanticCustomError("too_deep", message), loc=location, input=None))
            continue
        if isinstance(value, str):
            problem = text_problem(value)
            if problem is not None:
                errors.append(_text_error(problem, location))
        elif isinstance(value, dict):
            for key, item in reversed(value.items()):
                problem = text_problem(key) if isinstance(key, str) else None
                if problem is not None:
                    errors.append(_text_error("a key " + problem.removeprefix("contains "), location))
                    continue
                stack.append((item, (*location, key)))
        elif isinstance(value, list | tuple):
            stack.extend((item, (*location, index)) for index, item in reversed(list(enumerate(value))))
    return errors


def _text_error(problem: str, location: tuple[str | int, ...]) -> InitErrorDetails:
    return InitErrorDetails(type=PydanticCustomError("text_character", problem), loc=location, input=None)


class InputModel(BaseModel):
    """The body of a request: before anything else, no NUL and no lone surrogate anywhere, nesting bounded.

    A body (with every key and string in it) is checked once, here; a bad one is a 422 naming where it is.
    """

    @model_validator(mode="wrap")
    @classmethod
    def _clean_text(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        errors = input_errors(data)
        if errors:
            raise ValidationError.from_exception_data(cls.__name__, errors)
        return handler(data)


def _in_range(value: dt.date) -> dt.date:
    day = value.date() if isinstance(value, dt.datetime) else value
    if not MIN_DATE <= day <= MAX_DATE:
        raise PydanticCustomError("date_range", f"must be a date from {MIN_DATE} to {MAX_DATE}")
    return value


def _rfc3339_text(value: Any) -> Any:
    if not isinstance(value, str | dt.datetime):
        raise PydanticCustomError("datetime_text", "must be an RFC 3339 date-time string with its UTC offset")
    return value


Day = Annotated[dt.date, AfterValidator(_in_range)]
"""A date from 2000-01-01 to 2100-12-31."""
DayTime = Annotated[dt.datetime, AfterValidator(_in_range)]
"""A date-time on a day from 2000-01-01 to 2100-12-31 (in its own offset)."""
Timestamp = Annotated[AwareDatetime, BeforeValidator(_rfc3339_text), AfterValidator(_in_range)]
"""An RFC 3339 date-time with its offset, as a string (no number of seconds), from 2000-01-01 to 2100-12-31."""


class StrictModel(BaseModel):
    """A model that refuses unknown fields, naming the nearest known one (``titel`` -> did you mean 'title')."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="wrap")
    @classmethod
    def _did_you_mean(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        try:
            return handler(data)
        except ValidationError as exc:
            raise ValidationError.from_exception_data(
                exc.title, [_explained(cls, error) for error in exc.errors()]
            ) from None


def _explained(model: type[BaseModel], error: Any) -> InitErrorDetails:
    """The error again, an unknown field of ``model`` itself with the nearest field name as a suggestion."""
    location = tuple(error["loc"])
    if error["type"] == "extra_forbidden" and len(location) == 1:
        name = str(location[0])
        fields = list(model.model_fields)
        close = difflib.get_close_matches(name, fields, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else f"; known fields: {', '.join(fields)}"
        message = f"unknown field {name!r}" + hint
        return InitErrorDetails(
            type=PydanticCustomError(UNKNOWN_FIELD, message.replace("{", "{{").replace("}", "}}")),
            loc=location,
            input=error["input"],
        )
    if error["type"] == UNKNOWN_FIELD or error["type"] in CUSTOM_ERRORS:
        message = str(error["msg"]).replace("{", "{{").replace("}", "}}")
        return InitErrorDetails(type=PydanticCustomError(error["type"], message), loc=location, input=error["input"])
    details = InitErrorDetails(type=error["type"], loc=location, input=error["input"])
    if "ctx" in error:
        details["ctx"] = error["ctx"]
    return details


class ResponseModel(BaseModel):
    """A model of an answer: in the OpenAPI output schema, a field with a default is required (the answer carries it).

    A field whose default is None stays optional there: an answer may leave it out (answers are written without
    their unset fields). Request models do not derive from this: a request may leave out any field with a default.
    """

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        schema = handler(core_schema)
        if handler.mode != "serialization":
            return schema
        target = handler.resolve_ref_schema(schema)
        may_be_absent = {
            info.serialization_alias or info.alias or name
            for name, info in cls.model_fields.items()
            if not info.is_required() and info.default is None and info.default_factory is None
        }
        required = [name for name in target.get("required", []) if name not in may_be_absent]
        if required:
            target["required"] = required
        else:
            target.pop("required", None)
        return schema


class LineString(StrictModel, ResponseModel):
    """A GeoJSON LineString (at least two ``[lon, lat]`` positions); strict, as a saved plan's legs carry it."""

    type: Literal["LineString"]
    coordinates: list[Annotated[Position, Field(min_length=2, max_length=3)]] = Field(
        description="[lon, lat] positions."
    )


class Polygon(ResponseModel):
    """A GeoJSON Polygon: an outer ring and its holes."""

    type: Literal["Polygon"]
    coordinates: list[list[Position]]


class MultiPolygon(ResponseModel):
    """A GeoJSON MultiPolygon."""

    type: Literal["MultiPolygon"]
    coordinates: list[list[list[Position]]]
