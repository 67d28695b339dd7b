"""Plan requests and answers: the one model of a plan, which ``POST /v1/plans`` answers and an itinerary saves.

Every object of the plan (:class:`PlanItinerary` and what it holds) refuses fields it does not know, with a "did you
mean" for a near miss (a saved plan is checked against it), and is an answer model (fields it always carries are
required in the OpenAPI output schema).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StrictBool, StrictFloat, StrictInt, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from api.schemas.common import ATTRIBUTION, MAX_DATE, Day, InputModel, LineString, ResponseModel, StrictModel
from api.schemas.events import PlanEvent
from recommender.scoring import Weather
from recommender.taxonomy import Category
from recommender.trip import Pace, TravelMode
from recommender.trip.itinerary import GeometryFormat
from routing import SPAN_PATTERN

WINDOW_PATTERN = SPAN_PATTERN
"""``HH:MM-HH:MM`` within 00:00..24:00 (what :func:`routing.clock.parse_span` accepts)."""


class PlanRequest(InputModel):
    """A trip to plan (an unknown field is a 422 naming it)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
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
        },
    )

    start: str = Field(min_length=1, max_length=200, description='"lat,lon", a place id or a place name.')
    end: str | None = Field(default=None, min_length=1, max_length=200)
    date: Day = Field(description="The first day, from 2000-01-01; the last day is at most 2100-12-31.")
    window: str = Field(default="09:00-17:00", pattern=WINDOW_PATTERN)
    interests: dict[str, StrictFloat] = Field(
        min_length=1, max_length=20, description="Category or alias -> weight 0..1."
    )
    mode: TravelMode = TravelMode.BUS
    days: StrictInt = Field(default=1, ge=1, le=7)
    pace: Pace = Pace.NORMAL
    must: list[str] = Field(default_factory=list, max_length=20)
    avoid: list[str] = Field(default_factory=list, max_length=100)
    weather: Weather = Weather.CLEAR
    children: StrictBool = False
    meals: StrictBool = True
    max_walk_leg_m: StrictFloat | None = Field(
        default=None,
        gt=0,
        le=20_000,
        description="Longest walk between two stops; default by mode and pace (1,200-1,500 m by bus, 2,500 m on foot).",
    )
    max_walk_day_m: StrictFloat | None = Field(
        default=None,
        gt=0,
        le=60_000,
        description="Walking budget per day; default by pace (relaxed 4,500 m, normal 7,000 m, packed 10,000 m).",
    )
    theme: Literal["commune-stories"] | None = Field(
        default=None,
        description="\"commune-stories\": a day across several communes' signature places, each commune's story "
        "told in the visit's reasons.",
    )
    seed: StrictInt = Field(default=0, ge=0, le=2**31 - 1)
    geometry: GeometryFormat = Field(
        default=GeometryFormat.POLYLINE,
        description="How each leg part's line is written: `polyline` (Google encoded polyline, precision 5, "
        "lat/lon; what mobile map SDKs decode) or `geojson` (a GeoJSON LineString, [lon, lat], 6 decimals).",
    )

    @model_validator(mode="after")
    def _last_day_in_range(self) -> PlanRequest:
        if self.date + dt.timedelta(days=self.days - 1) > MAX_DATE:
            message = f"the trip's last day must be a date from 2000-01-01 to {MAX_DATE}"
            error = InitErrorDetails(type=PydanticCustomError("date_range", message), loc=("date",), input=None)
            raise ValidationError.from_exception_data(type(self).__name__, [error])
        return self


Clock = Annotated[str, Field(pattern=r"^\d{2}:\d{2}$", examples=["09:30"], description="HH:MM, local time.")]


class PlanModel(StrictModel, ResponseModel):
    """An object of a plan: strict (a saved plan is checked against it) and an answer."""


class NamedPoint(PlanModel):
    """Where a day starts or ends."""

    name: str
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class VisitReasons(PlanModel):
    """Why a visit is in the plan: its score, the parts of it, and the reasons in words."""

    score: float
    interest: float
    popularity: float
    context_factor: float
    collaborative: float | None = Field(None, description="The learnt model's part, when the service has one.")
    reasons: list[str]


class IncludedPlace(PlanModel):
    """A place inside the visited one, seen during the visit."""

    place_id: str
    name: str


class PlanVisit(PlanModel):
    """A stop of the day: ``start`` and ``end`` of the visit (the arrival is the ``arrive`` of the leg before it)."""

    place_id: str = Field(min_length=1, max_length=100)
    name: str
    name_vi: str
    kind: Literal["visit", "lunch", "dinner"]
    categories: list[Category]
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    start: Clock
    end: Clock
    departure: Clock | None = Field(None, description="HH:MM, when the traveller lingers after ``end``.")
    ticket_vnd: int = Field(ge=0)
    opening_hours: str
    why: VisitReasons
    includes: list[IncludedPlace]


class WalkPart(PlanModel):
    """A walk of a leg, with its steps in words."""

    mode: Literal["walk"]
    length_m: float = Field(ge=0)
    duration_s: float | None = None
    steps: list[str] | None = None
    geometry: str | LineString = Field(description="Encoded polyline (precision 5) or GeoJSON LineString.")


class RidePart(PlanModel):
    """A bus or metro ride (or an estimated taxi stretch) of a leg."""

    mode: Literal["bus", "metro", "taxi"]
    route_id: str | None = None
    ref: str | None = None
    route_name: str | None = None
    board_stop_id: str | None = None
    board_stop_name: str | None = None
    alight_stop_id: str | None = None
    alight_stop_name: str | None = None
    wait_s: float | None = None
    stops_passed: int | None = None
    stop_names: list[str] | None = None
    on_road: bool | None = None
    depart: Clock | None = None
    arrive: Clock | None = None
    length_m: float = Field(ge=0)
    geometry: str | LineString = Field(description="Encoded polyline (precision 5) or GeoJSON LineString.")


LegPart = Annotated[WalkPart | RidePart, Field(discriminator="mode")]


class PlanLeg(PlanModel):
    """A hop from the stop before (the day's start or a visit) to the next (a visit or the day's end)."""

    mode: Literal["walk", "bus"]
    depart: Clock
    arrive: Clock
    walk_m: float = Field(ge=0)
    rides: int = Field(ge=0)
    estimated: bool
    parts: list[LegPart]


class DayTotals(PlanModel):
    """A day's visits, walking, rides and spending."""

    visits: int = Field(ge=0)
    walk_km: float = Field(ge=0)
    bus_rides: int = Field(ge=0)
    tickets_vnd: int = Field(ge=0)
    food_vnd: int = Field(ge=0)


class TripTotals(DayTotals):
    """The whole trip's totals."""

    days: int = Field(ge=0, le=7)


class PlanDay(PlanModel):
    """One day: ``legs[i]`` leads to ``visits[i]`` and the last leg to the day's end."""

    day: int = Field(ge=1, le=7)
    date: Day
    start: NamedPoint
    end: NamedPoint
    depart: Clock
    arrive: Clock
    visits: list[PlanVisit]
    legs: list[PlanLeg]
    totals: DayTotals

    @model_validator(mode="after")
    def _a_leg_before_each_visit(self) -> PlanDay:
        if self.visits and len(self.legs) != len(self.visits) + 1:
            raise ValueError(
                f"a day with {len(self.visits)} visits has {len(self.visits) + 1} legs, not {len(self.legs)}"
            )
        return self


class SearchFigures(PlanModel):
    """How the planner's search went."""

    score: float
    time_s: float = Field(ge=0)
    iterations: int = Field(ge=0)


class PlanItinerary(PlanModel):
    """The planned trip, in ``lang``: days of visits and legs, totals, warnings (plain sentences) and the search."""

    mode: TravelMode
    pace: Pace
    lang: Literal["en", "vi"] = Field(description="The language of names, reasons, steps and warnings.")
    interests: dict[str, float]
    geometry: GeometryFormat
    days: list[PlanDay] = Field(max_length=7)
    totals: TripTotals
    warnings: list[str]
    events: list[PlanEvent] = Field(
        default_factory=list, description="Events the plan attends (a festival day at its place, in its window)."
    )
    search: SearchFigures


class PlanResponse(ResponseModel):
    """The itinerary: days of visits and legs; each leg part carries its line once, in the requested format."""

    itinerary: PlanItinerary
    attribution: str = ATTRIBUTION
