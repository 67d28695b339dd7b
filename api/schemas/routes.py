"""Walk and bus routes between two points, with each end's access, and isochrones."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import ATTRIBUTION


class NearestStopResponse(BaseModel):
    """The bus stop nearest to one end of a route."""

    stop_id: str
    name: str
    lat: float
    lon: float
    distance_m: float = Field(description="On foot on the streets, or (estimated) the straight line times 1.3.")
    estimated: bool
    leg: Literal["walk", "taxi"] = Field(description="How the stretch to the stop is made: walked, or taxi / xe ôm.")


class LastLegResponse(BaseModel):
    """The stretch between an end and its bus stop."""

    mode: Literal["walk", "taxi"]
    length_m: float
    estimated: bool


class EndAccessResponse(BaseModel):
    """How one end of a route meets the streets and the buses."""

    place_id: str | None
    street: Literal["main", "island", "none"] = Field(
        description="The walk component the point snaps to: the city's main network, a street island the extract "
        "does not connect to it, or none (no street within the snap distance)."
    )
    snap_m: float | None = Field(description="Distance from the point to that street (null for none).")
    public_transport: bool = Field(description="A bus stop is within 10 km (walked up to 2 km, else taxi / xe ôm).")
    nearest_stop: NearestStopResponse | None
    last_leg: LastLegResponse | None
    suggestion: Literal["taxi"] | None = Field(description='"taxi" when the end has no public transport.')


class RouteAccessResponse(BaseModel):
    """Access of both ends."""

    model_config = ConfigDict(populate_by_name=True)

    from_: EndAccessResponse = Field(alias="from")
    to: EndAccessResponse


class TaxiTripResponse(BaseModel):
    """An estimated taxi or xe ôm trip for the whole way."""

    mode: Literal["taxi"]
    options: list[str]
    length_m: float
    duration_s: float
    estimated: Literal[True]


class RouteResponse(BaseModel):
    """A walk, or the Pareto-optimal bus journeys, between two points; legs carry [lat, lon] coordinates.

    ``status`` says what kind of answer it is; when it is not ``ok`` or ``needs_taxi`` no route is offered (``route``
    is empty) and ``message`` says why and how to get there instead.
    """

    mode: Literal["walk", "bus"]
    status: Literal["ok", "needs_taxi", "no_public_transport", "too_far_to_walk", "no_walk_route", "no_bus_journey"]
    message: str = Field(description="Why no route is offered, or what the taxi legs are (empty for a plain ok).")
    suggestion: Literal["bus", "taxi"] | None = Field(description="What to take instead when no route is offered.")
    from_label: str
    to_label: str
    access: RouteAccessResponse
    distance_m: float | None = Field(None, description="The walk that is too long (too_far_to_walk, no_bus_journey).")
    taxi: TaxiTripResponse | None = Field(None, description="Whole-trip taxi estimate where taxi is the answer.")
    route: dict[str, Any] = Field(
        description="The walk (length_m, duration_s, steps...) or the bus plan (journeys); empty when none is offered."
    )
    geojson: dict[str, Any] = Field(description="A GeoJSON FeatureCollection of the route(s), [lon, lat] positions.")
    attribution: str = ATTRIBUTION


class IsochronePlace(BaseModel):
    """A place reached within the budget."""

    id: str
    name: str
    duration_s: float


class IsochroneResponse(BaseModel):
    """The area (GeoJSON Feature) and places reachable within ``minutes``."""

    mode: Literal["walk", "bus"]
    minutes: float
    places: list[IsochronePlace]
    area: dict[str, Any]
    attribution: str = ATTRIBUTION
