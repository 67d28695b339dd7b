"""Walk and bus routes between two points, with each end's access, and isochrones."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from api.schemas.common import ATTRIBUTION, LatLon, LineString, MultiPolygon, Polygon, Position, ResponseModel


class NearestStopResponse(ResponseModel):
    """The bus stop nearest to one end of a route."""

    stop_id: str
    name: str
    lat: float
    lon: float
    distance_m: float = Field(description="On foot on the streets, or (estimated) the straight line times 1.3.")
    estimated: bool
    leg: Literal["walk", "taxi"] = Field(description="How the stretch to the stop is made: walked, or taxi / xe ôm.")


class LastLegResponse(ResponseModel):
    """The stretch between an end and its bus stop."""

    mode: Literal["walk", "taxi"]
    length_m: float
    estimated: bool


class EndAccessResponse(ResponseModel):
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


class RouteAccessResponse(ResponseModel):
    """Access of both ends."""

    model_config = ConfigDict(populate_by_name=True)

    from_: EndAccessResponse = Field(alias="from")
    to: EndAccessResponse


class TaxiTripResponse(ResponseModel):
    """An estimated taxi or xe ôm trip for the whole way."""

    mode: Literal["taxi"]
    options: list[str]
    length_m: float
    duration_s: float
    estimated: Literal[True]


class WalkStep(ResponseModel):
    """One instruction of a walk: a street (or path) and how far along it."""

    street: str | None
    length_m: float
    duration_s: float
    instruction: str


class WalkFigures(ResponseModel):
    """A walk's length and time on the streets, and how far each end is from its street (straight line)."""

    mode: Literal["walk"]
    length_m: float
    duration_s: float
    snap_from_m: float
    snap_to_m: float


class WalkRoute(WalkFigures):
    """The shortest walk: its line (``[lat, lon]`` points) and its steps."""

    coordinates: list[LatLon]
    steps: list[WalkStep]


class JourneyLegBase(ResponseModel):
    """What every leg of a bus journey has: its times (``HH:MM:SS`` and seconds after midnight) and length."""

    model_config = ConfigDict(populate_by_name=True)

    depart: str
    arrive: str
    depart_s: float
    arrive_s: float
    length_m: float


class WalkLegFields(JourneyLegBase):
    """A walk of a journey: to the first stop, between stops, from the last stop, or the whole way.

    ``kind`` is ``access``, ``transfer``, ``egress`` or ``walk``.
    """

    mode: Literal["walk"]
    kind: str = Field(description="access, transfer, egress or walk.")
    from_: str = Field(alias="from", description='The stop\'s name, or "origin".')
    to: str = Field(description='The stop\'s name, or "destination".')
    from_stop_id: str | None
    to_stop_id: str | None
    from_name_source: str | None = Field(description='"osm" or "derived" (null for the origin).')
    to_name_source: str | None
    duration_s: float
    estimated: bool = Field(description="A straight-line estimate (an end off the street network).")


class TaxiLegFields(WalkLegFields):
    """An access or egress stretch too long to walk, made by taxi or xe ôm (estimated)."""

    mode: Literal["taxi"]  # type: ignore[assignment]
    options: list[str]


class RideLegFields(JourneyLegBase):
    """A ride on one bus (or metro) trip from boarding to alighting."""

    mode: Literal["bus", "metro"]
    route_id: str
    ref: str
    route_name: str
    board_stop_id: str
    board_stop_name: str
    board_stop_name_source: str
    alight_stop_id: str
    alight_stop_name: str
    alight_stop_name_source: str
    wait_s: float
    ride_s: float
    stops_passed: int
    stop_ids: list[str]
    stop_names: list[str]
    stop_name_sources: list[str]
    on_road: bool = Field(description="The line follows the roads (else straight segments between stops).")


class WalkLeg(WalkLegFields):
    """A walk of a journey with its line."""

    coordinates: list[LatLon]


class TaxiLeg(TaxiLegFields):
    """A taxi or xe ôm stretch of a journey with its (estimated) line."""

    coordinates: list[LatLon]


class RideLeg(RideLegFields):
    """A ride with its line."""

    coordinates: list[LatLon]


JourneyLeg = Annotated[WalkLeg | TaxiLeg | RideLeg, Field(discriminator="mode")]


class BusJourney(ResponseModel):
    """One Pareto-optimal journey: walks and rides, with its totals."""

    depart: str
    arrive: str
    depart_s: float
    arrive_s: float
    duration_s: float
    rides: int
    walk_m: float
    walk_s: float
    wait_s: float
    estimated: bool
    legs: list[JourneyLeg]
    taxi_m: float | None = Field(None, description="Taxi or xe ôm stretches (offered bus journeys only).")
    taxi_s: float | None = None


class BusRoute(ResponseModel):
    """The Pareto-optimal bus journeys (fewest rides first) and the walk when it is as fast."""

    depart: str
    depart_s: float
    bus_beats_walking: bool
    journeys: list[BusJourney]
    walk_only: BusJourney | None


class WalkRouteProperties(WalkFigures):
    """The walk's figures and steps, on its GeoJSON feature."""

    steps: list[WalkStep]


class FeatureLegIndex(ResponseModel):
    """Which journey (null: the walk-only alternative) and which of its legs a feature draws."""

    journey: int | None = None
    leg: int


class WalkLegProperties(WalkLegFields, FeatureLegIndex):
    """A journey's walk leg on the map."""


class TaxiLegProperties(TaxiLegFields, FeatureLegIndex):
    """A journey's taxi leg on the map."""


class RideLegProperties(RideLegFields, FeatureLegIndex):
    """A journey's ride on the map."""


class RouteFeature(ResponseModel):
    """A GeoJSON Feature: one line of the route, ``[lon, lat]`` positions."""

    type: Literal["Feature"]
    geometry: LineString
    properties: WalkRouteProperties | WalkLegProperties | TaxiLegProperties | RideLegProperties


class RouteFeatureCollection(ResponseModel):
    """A GeoJSON FeatureCollection: the walk, or every leg of every journey (``journey`` and ``leg`` properties)."""

    type: Literal["FeatureCollection"]
    features: list[RouteFeature]


class RouteResponse(ResponseModel):
    """A walk, or the Pareto-optimal bus journeys, between two points; legs carry [lat, lon] coordinates.

    ``status`` says what kind of answer it is; when it is not ``ok`` or ``needs_taxi`` no route is offered (``route``
    is null) and ``message`` says why and how to get there instead.
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
    route: WalkRoute | BusRoute | None = Field(
        description="The walk (mode walk) or the bus plan (mode bus); null when none is offered."
    )
    geojson: RouteFeatureCollection = Field(description="The route(s) as GeoJSON, [lon, lat] positions.")
    attribution: str = ATTRIBUTION


class IsochronePlace(ResponseModel):
    """A place reached within the budget."""

    id: str
    name: str
    duration_s: float


class IsochroneProperties(ResponseModel):
    """What the area is: mode, budget, departure (bus) and how many places it holds."""

    mode: Literal["walk", "bus"]
    minutes: float
    depart_s: float | None
    place_count: int


class IsochroneArea(ResponseModel):
    """A GeoJSON Feature: the reachable area as a Polygon or MultiPolygon, ``[lon, lat]`` positions."""

    type: Literal["Feature"]
    geometry: Polygon | MultiPolygon
    properties: IsochroneProperties


class IsochroneResponse(ResponseModel):
    """The area (GeoJSON Feature) and places reachable within ``minutes``."""

    mode: Literal["walk", "bus"]
    minutes: float
    places: list[IsochronePlace]
    area: IsochroneArea
    attribution: str = ATTRIBUTION


__all__ = [
    "BusJourney",
    "BusRoute",
    "EndAccessResponse",
    "IsochroneArea",
    "IsochronePlace",
    "IsochroneResponse",
    "LastLegResponse",
    "NearestStopResponse",
    "Position",
    "RideLeg",
    "RouteAccessResponse",
    "RouteFeature",
    "RouteFeatureCollection",
    "RouteResponse",
    "TaxiLeg",
    "TaxiTripResponse",
    "WalkLeg",
    "WalkRoute",
    "WalkStep",
]
