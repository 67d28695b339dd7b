"""Response models of the public API."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from recommender.scoring import Weather
from recommender.taxonomy import Category
from recommender.trip import Pace, TravelMode
from recommender.trip.itinerary import GeometryFormat

ATTRIBUTION = "© OpenStreetMap contributors (ODbL 1.0); Hanoi bus GTFS © World Bank (CC BY 4.0)"


class ComponentHealth(BaseModel):
    """The state of one dependency."""

    status: Literal["ok", "degraded", "down"]
    backend: str


class HealthResponse(BaseModel):
    """Liveness and what the process is running on."""

    status: Literal["ok", "degraded"]
    bundle: str
    places: int
    cache: Literal["redis", "in-process"]
    components: dict[str, ComponentHealth] = Field(default_factory=dict)


class PlaceResponse(BaseModel):
    """A catalogue place as the app shows it."""

    id: str
    name: str
    name_vi: str
    name_en: str
    categories: list[Category]
    dishes: list[str]
    lat: float
    lon: float
    coord_source: str = Field(
        description='Where the point comes from: "osm:node/<id>", "ref:<named reference>" or "estimated:<metres>".'
    )
    ward: str = Field(description="Id of the 2025 ward or commune holding the point (e.g. phuong-hoan-kiem).")
    ward_name: str = Field(description='Its name, e.g. "Phường Hoàn Kiếm".')
    ward_osm_relation: int = Field(description="The OSM boundary relation of the ward or commune.")
    former_district: str | None = Field(description="The district of before 1 July 2025, when recorded.")
    status: Literal["verified", "listed", "unverified"]
    visiting: Literal["regular", "events-only", "by-appointment"]
    how_to_visit: str | None = Field(description="How to visit a place that has no regular visits; else null.")
    opening_hours: str
    visit_min: int
    price_vnd: int
    indoor: bool
    family_friendly: bool
    popularity: float
    description: str
    off_network: bool = Field(description="True when no walkable street lies within the snap distance.")


class PlaceListResponse(BaseModel):
    """One page of places."""

    items: list[PlaceResponse]
    count: int
    attribution: str = ATTRIBUTION


class ReadyResponse(BaseModel):
    """Whether the process can serve traffic."""

    ready: bool
    bundle: str
    database: Literal["ok", "down"]


class PlacePageResponse(BaseModel):
    """One page of places; pass ``next_cursor`` as ``cursor`` for the next page."""

    items: list[PlaceResponse]
    count: int
    total: int
    next_cursor: str | None
    attribution: str = ATTRIBUTION


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


class PlanRequest(BaseModel):
    """A trip to plan."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "start": "21.0313,105.8516",
                    "date": "2026-11-24",
                    "window": "09:00-17:00",
                    "interests": {"heritage": 1.0, "cuisine": 0.6},
                    "mode": "bus",
                    "days": 1,
                    "pace": "normal",
                }
            ]
        }
    }

    start: str = Field(min_length=1, max_length=200, description='"lat,lon", a place id or a place name.')
    end: str | None = Field(default=None, min_length=1, max_length=200)
    date: dt.date
    window: str = Field(default="09:00-17:00", pattern=r"^\d{1,2}:\d{2}-\d{1,2}:\d{2}$")
    interests: dict[str, float] = Field(min_length=1, max_length=20, description="Category or alias -> weight 0..1.")
    mode: TravelMode = TravelMode.BUS
    days: int = Field(default=1, ge=1, le=7)
    pace: Pace = Pace.NORMAL
    must: list[str] = Field(default_factory=list, max_length=20)
    avoid: list[str] = Field(default_factory=list, max_length=100)
    weather: Weather = Weather.CLEAR
    children: bool = False
    meals: bool = True
    max_walk_leg_m: float | None = Field(
        default=None,
        gt=0,
        le=20_000,
        description="Longest walk between two stops; default by mode and pace (1,200-1,500 m by bus, 2,500 m on foot).",
    )
    max_walk_day_m: float | None = Field(
        default=None,
        gt=0,
        le=60_000,
        description="Walking budget per day; default by pace (relaxed 4,500 m, normal 7,000 m, packed 10,000 m).",
    )
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    geometry: GeometryFormat = Field(
        default=GeometryFormat.POLYLINE,
        description="How each leg part's line is written: `polyline` (Google encoded polyline, precision 5, "
        "lat/lon; what mobile map SDKs decode) or `geojson` (a GeoJSON LineString, [lon, lat], 6 decimals).",
    )


class PlanResponse(BaseModel):
    """The itinerary: days of visits and legs; each leg part carries its line once, in the requested format."""

    itinerary: dict[str, Any] = Field(
        description="mode, pace, interests, geometry (the line format), days (visits, legs with parts), "
        "totals, warnings, search."
    )
    attribution: str = ATTRIBUTION


class DeviceRequest(BaseModel):
    """An app install asking for an anonymous account."""

    device_name: str | None = Field(default=None, max_length=100, examples=["Pixel 9"])


class RegisterRequest(BaseModel):
    """Email and password (a signed-in anonymous account keeps its data when it registers)."""

    email: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", examples=["an@example.org"])
    password: str = Field(min_length=8, max_length=256, examples=["correct horse battery"])


class LoginRequest(BaseModel):
    """Email and password."""

    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=256)


class RefreshRequest(BaseModel):
    """A refresh token."""

    refresh_token: str = Field(min_length=10, max_length=4096)


class TokenResponse(BaseModel):
    """Bearer tokens: send the access token as ``Authorization: Bearer``; refresh it before ``expires_in``."""

    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the scheme's name, not a secret
    expires_in: int
    user_id: str
    anonymous: bool


class ItineraryCreate(BaseModel):
    """A plan to keep (typically the ``itinerary`` of ``POST /v1/plans``)."""

    title: str = Field(min_length=1, max_length=200, examples=["Old Quarter food day"])
    notes: str = Field(default="", max_length=2000)
    plan: dict[str, Any] = Field(description="The itinerary JSON.")


class ItineraryUpdate(BaseModel):
    """Fields to change."""

    title: str | None = Field(default=None, min_length=1, max_length=200)
    notes: str | None = Field(default=None, max_length=2000)
    plan: dict[str, Any] | None = None


class ItineraryResponse(BaseModel):
    """A saved itinerary."""

    id: str
    title: str
    notes: str
    plan: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime


class ItineraryPageResponse(BaseModel):
    """The caller's itineraries, newest first."""

    items: list[ItineraryResponse]
    next_cursor: str | None


class FeedbackEventIn(BaseModel):
    """One thing the traveller did; ``event_id`` is made by the app so a re-sent batch is not counted twice."""

    event_id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    kind: Literal["visit", "like", "rating", "skip"]
    place_id: str = Field(min_length=1, max_length=100)
    itinerary_id: str | None = Field(default=None, max_length=36)
    rating: int | None = Field(default=None, ge=1, le=5)
    occurred_at: dt.datetime


class FeedbackBatch(BaseModel):
    """Up to 500 events, e.g. everything an offline app collected."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "events": [
                        {
                            "event_id": "0b6d8a7e-5c1f-4b7e-9a51-3d1f2e4c5a6b",
                            "kind": "rating",
                            "place_id": "temple-of-literature",
                            "rating": 5,
                            "occurred_at": "2026-11-24T10:15:00+07:00",
                        }
                    ]
                }
            ]
        }
    }

    events: list[FeedbackEventIn] = Field(min_length=1, max_length=500)


class FeedbackResponse(BaseModel):
    """The events now stored (committed); resend the others."""

    acknowledged: list[str]


class BundleResponse(BaseModel):
    """The offline city pack: places and place-to-place matrices (little-endian float32, base64, row-major)."""

    name: str
    input_hash: str
    bbox: tuple[float, float, float, float]
    places: list[PlaceResponse]
    matrices: dict[str, Any]
    attribution: str = ATTRIBUTION


class OperatorLineRequest(BaseModel):
    """What an operator asks for: a theme and/or places, terminals (or a loop), service hours and headway."""

    model_config = {
        "json_schema_extra": {
            "examples": [{"interests": ["heritage", "ci_centre"], "headway_min": 15, "service_hours": "06:00-20:00"}]
        }
    }

    interests: list[str] = Field(
        default_factory=list, max_length=20, description="Categories the line serves, e.g. heritage, ci_centre."
    )
    place_ids: list[str] = Field(
        default_factory=list, max_length=40, description="Catalogue places the line must serve."
    )
    start: str | None = Field(
        default=None, max_length=200, description='Start terminal: a place id or name, or "lat,lon".'
    )
    end: str | None = Field(default=None, max_length=200, description="End terminal (makes a two-way line).")
    loop: bool = Field(default=False, description="A loop (the default without an end terminal).")
    service_hours: str = Field(
        default="06:00-20:00", pattern=r"^\d{1,2}:\d{2}-\d{1,2}:\d{2}$", description="HH:MM-HH:MM, Hanoi time."
    )
    headway_min: float = Field(default=15.0, gt=0, le=240, description="Minutes between buses.")
    layover_min: float = Field(default=5.0, ge=0, le=120, description="Layover at each terminal, minutes.")
    max_stops: int = Field(default=16, ge=2, le=40, description="Most stops chosen for a theme.")
    name: str = Field(default="Heritage line", min_length=1, max_length=100)
    line_id: str = Field(default="heritage", pattern=r"^[A-Za-z0-9_-]{1,32}$", description="GTFS route_id.")
    evaluate: bool = Field(default=True, description="Measure heritage / CI door-to-door times before and after.")


class OperatorLineResponse(BaseModel):
    """A stored proposal: the line's summary (stops, round trip, fleet, vehicle-km) and what it changes."""

    id: str
    created_at: dt.datetime
    bundle: str
    request: dict[str, Any]
    proposal: dict[str, Any]
    links: dict[str, str]
    attribution: str = ATTRIBUTION


class OperatorNetworkResponse(BaseModel):
    """The main roads of the drive graph as polylines, and the catalogue places, for drawing a map offline.

    ``roads`` holds one ``[class index, lon, lat, lon, lat, ...]`` array per road segment (5 decimals).
    """

    bundle: str
    bbox: list[float] = Field(min_length=4, max_length=4, description="west, south, east, north")
    classes: list[str]
    roads: list[list[float]]
    places: list[dict[str, Any]]
    attribution: str = ATTRIBUTION
