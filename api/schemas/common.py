"""What every model shares: strict requests, answers, the attribution, GeoJSON geometries (``[lon, lat]``).

Requests refuse unknown fields with a "did you mean" (:class:`StrictModel`); answers say in the OpenAPI output schema
which fields they always carry (:class:`ResponseModel`).
"""

from __future__ import annotations

import difflib
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
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
    if error["type"] == UNKNOWN_FIELD:
        message = str(error["msg"]).replace("{", "{{").replace("}", "}}")
        return InitErrorDetails(type=PydanticCustomError(UNKNOWN_FIELD, message), loc=location, input=error["input"])
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
