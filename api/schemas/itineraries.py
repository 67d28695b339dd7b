"""Saved itineraries: the request, the plan in its typed form, edits to the visits, and listing summaries.

``POST /v1/plans`` does not type its plan yet (``PlanResponse.itinerary`` is a dict), so :class:`SavedPlan` here is
the strict model of that plan's JSON (``recommender.trip.itinerary.Itinerary.to_dict``, localised): every object
refuses fields it does not know, with a "did you mean" for a near miss.
"""

from __future__ import annotations

import datetime as dt
import difflib
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidatorFunctionWrapHandler,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from api.schemas.plans import PlanRequest

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


Clock = Annotated[str, Field(pattern=r"^\d{2}:\d{2}$", examples=["09:30"], description="HH:MM, local time.")]


# --- the plan, as POST /v1/plans answers it ----------------------------------------------------------------------


class PlanPoint(StrictModel):
    """Where a day starts or ends."""

    name: str
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class LineString(StrictModel):
    """A GeoJSON LineString (``[lon, lat]`` positions), when the plan was asked for with ``geometry: geojson``."""

    type: Literal["LineString"]
    coordinates: list[Annotated[list[float], Field(min_length=2, max_length=3)]]


class PlanLegPart(StrictModel):
    """One part of a leg: a walk (length, steps) or a ride (route, stops, times), with its line."""

    mode: str = Field(pattern=r"^[a-z_]{1,20}$", examples=["walk", "bus", "metro"])
    length_m: float = Field(ge=0)
    geometry: str | LineString = Field(description="Encoded polyline (precision 5) or GeoJSON, as the plan says.")
    duration_s: float | None = None
    steps: list[str] | None = None
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


class PlanLeg(StrictModel):
    """A hop between two stops of a day; ``legs[i]`` of a day leads to ``visits[i]``, the last one to the end."""

    mode: Literal["walk", "bus"]
    depart: Clock
    arrive: Clock
    walk_m: float = Field(ge=0)
    rides: int = Field(ge=0)
    estimated: bool
    parts: list[PlanLegPart]


class VisitWhy(StrictModel):
    """Why a visit is in the plan: its score and the reasons."""

    score: float
    interest: float
    popularity: float
    context_factor: float
    reasons: list[str]
    collaborative: float | None = None


class IncludedPlace(StrictModel):
    """A place inside the visited one, seen on the visit."""

    place_id: str
    name: str


class PlanVisit(StrictModel):
    """One stop of a day."""

    place_id: str = Field(min_length=1, max_length=100)
    name: str
    name_vi: str
    kind: Literal["visit", "lunch", "dinner"]
    categories: list[str]
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    start: Clock
    end: Clock
    departure: Clock | None = None
    ticket_vnd: int = Field(ge=0)
    opening_hours: str
    why: VisitWhy
    includes: list[IncludedPlace]


class DayTotals(StrictModel):
    """A day's figures."""

    visits: int = Field(ge=0)
    walk_km: float = Field(ge=0)
    bus_rides: int = Field(ge=0)
    tickets_vnd: int = Field(ge=0)
    food_vnd: int = Field(ge=0)


class PlanDay(StrictModel):
    """A day: its visits in order and a leg before each, and a last leg to the day's end."""

    day: int = Field(ge=1, le=7)
    date: dt.date
    start: PlanPoint
    end: PlanPoint
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


class TripTotals(StrictModel):
    """The whole trip's figures."""

    days: int = Field(ge=0, le=7)
    visits: int = Field(ge=0)
    walk_km: float = Field(ge=0)
    bus_rides: int = Field(ge=0)
    tickets_vnd: int = Field(ge=0)
    food_vnd: int = Field(ge=0)


class PlanSearch(StrictModel):
    """How the planner's search went."""

    score: float
    time_s: float = Field(ge=0)
    iterations: int = Field(ge=0)


class SavedPlan(StrictModel):
    """A plan as ``POST /v1/plans`` answers it in ``itinerary`` (1 to 7 days).

    Fields a plan does not carry may be left out and are then left out when it is read back (a plan is stored and
    answered exactly as given, less nothing): an empty ``{}`` is an empty plan.
    """

    mode: Literal["walk", "bus"] | None = None
    pace: Literal["relaxed", "normal", "packed"] | None = None
    lang: Literal["en", "vi"] | None = Field(default=None, description="The language of names, reasons, warnings.")
    interests: dict[str, float] | None = None
    geometry: Literal["polyline", "geojson"] | None = None
    days: list[PlanDay] = Field(default_factory=list, max_length=7)
    totals: TripTotals | None = None
    warnings: list[str] | None = None
    search: PlanSearch | None = None

    def stored(self) -> dict[str, Any]:
        """The JSON kept in the store: the fields the plan was given, nothing added."""
        return self.model_dump(mode="json", exclude_unset=True)


# --- requests ----------------------------------------------------------------------------------------------------


class ItineraryCreate(StrictModel):
    """A plan to keep: typically the ``itinerary`` of ``POST /v1/plans`` and the request that made it."""

    title: str = Field(min_length=1, max_length=200, examples=["Old Quarter food day"])
    notes: str = Field(default="", max_length=2000)
    plan: SavedPlan = Field(description="The plan, as `POST /v1/plans` answered it in `itinerary`.")
    request: PlanRequest | None = Field(
        default=None,
        description="The `POST /v1/plans` body that made the plan; needed (now or in the edit) to edit the visits.",
    )


class VisitEdit(StrictModel):
    """A visit of an edited day: a place kept, moved or added, optionally at a chosen time or length."""

    place_id: str = Field(min_length=1, max_length=100, examples=["temple-of-literature"])
    start: Clock | None = Field(
        default=None,
        description="Start at this time (wait if early); a visit that cannot be reached by then is refused.",
    )
    duration_min: int | None = Field(
        default=None,
        ge=5,
        le=600,
        description="Length of the visit; default: as planned, else the place's usual visit.",
    )


class DayEdit(StrictModel):
    """The new visit list of one day, in order: reorder, leave out (remove), add places, set times."""

    day: int = Field(ge=1, le=7, description="The day of the plan (1 = the first).")
    visits: list[VisitEdit] = Field(max_length=30)


class ItineraryUpdate(StrictModel):
    """What to change: title, notes, and either a whole new plan or edits to the visits of some days.

    Edited days are re-timed through the planner (real walks and buses, opening hours, the day window): the answer is
    the new plan, or a 422 naming the visit that no longer fits. Days not listed keep their visits.
    """

    title: str | None = Field(default=None, min_length=1, max_length=200)
    notes: str | None = Field(default=None, max_length=2000)
    plan: SavedPlan | None = None
    request: PlanRequest | None = Field(default=None, description="Replaces the stored request (used to re-time).")
    days: list[DayEdit] | None = Field(default=None, min_length=1, max_length=7)

    @model_validator(mode="after")
    def _plan_or_edits(self) -> ItineraryUpdate:
        if self.plan is not None and self.days is not None:
            raise ValueError("give either a new plan or edits to its days, not both")
        if self.days is not None and len({edit.day for edit in self.days}) != len(self.days):
            raise ValueError("each day may be edited once")
        return self


# --- answers -----------------------------------------------------------------------------------------------------


class ItineraryResponse(BaseModel):
    """A saved itinerary.

    ``legacy`` is true for a plan saved before plans were typed that the model refuses: it is kept as it was, in
    ``legacy_plan`` (its JSON text), and ``plan`` is null; give a new ``plan`` with ``PATCH`` to bring it back.
    """

    id: str
    title: str
    notes: str
    legacy: bool
    plan: SavedPlan | None
    legacy_plan: str | None
    request: PlanRequest | None
    created_at: AwareDatetime
    updated_at: AwareDatetime


class FirstPlace(BaseModel):
    """The first visit of the trip."""

    place_id: str
    name: str


class ItinerarySummary(BaseModel):
    """What a list shows of a saved itinerary (``GET /v1/itineraries/{id}`` has the plan)."""

    id: str
    title: str
    first_date: dt.date | None
    last_date: dt.date | None
    days: int
    visit_count: int
    first_place: FirstPlace | None
    thumbnail: str = Field(
        description="The trip's stops in order (each day's start, then its visits) as an encoded polyline "
        "(precision 4, about 10 m: enough for a thumbnail map)."
    )
    legacy: bool
    created_at: AwareDatetime
    updated_at: AwareDatetime


class ItineraryPageResponse(BaseModel):
    """The caller's itineraries, newest first, as summaries."""

    items: list[ItinerarySummary]
    next_cursor: str | None
