"""Saved itineraries: the request, the plan in its typed form, edits to the visits, and listing summaries.

The plan is the one model of :mod:`api.schemas.plans` (what ``POST /v1/plans`` answers in ``itinerary``): every
object in it refuses fields it does not know, with a "did you mean" for a near miss.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import AwareDatetime, Field, StrictInt, model_validator

from api.schemas.common import InputModel, ResponseModel, StrictModel
from api.schemas.events import PlanEvent
from api.schemas.plans import Clock, PlanDay, PlanRequest, SearchFigures, TripTotals
from recommender.trip import Pace, TravelMode
from recommender.trip.itinerary import GeometryFormat

# --- the plan, as POST /v1/plans answers it ----------------------------------------------------------------------


class SavedPlan(StrictModel, ResponseModel):
    """A plan as ``POST /v1/plans`` answers it in ``itinerary`` (:class:`api.schemas.PlanItinerary`, 0 to 7 days).

    Its days, visits and legs are the plan's own models. At the top level, a field a plan does not carry may be left
    out, and is then left out when the plan is read back (a plan is stored and answered exactly as given, less
    nothing); ``days`` is always there: ``{}`` is a plan without days.
    """

    mode: TravelMode | None = None
    pace: Pace | None = None
    lang: Literal["en", "vi"] | None = Field(default=None, description="The language of names, reasons, warnings.")
    interests: dict[str, float] | None = None
    geometry: GeometryFormat | None = None
    days: list[PlanDay] = Field(default_factory=list, max_length=7)
    totals: TripTotals | None = None
    warnings: list[str] | None = None
    events: list[PlanEvent] | None = None
    search: SearchFigures | None = None

    @model_validator(mode="before")
    @classmethod
    def _days_always(cls, data: Any) -> Any:
        """A plan given without ``days`` has none, and says so when it is stored and read back."""
        if isinstance(data, dict) and "days" not in data:
            return {**data, "days": []}
        return data

    def stored(self) -> dict[str, Any]:
        """The JSON kept in the store: the fields the plan was given, nothing added."""
        return self.model_dump(mode="json", exclude_unset=True)


# --- requests ----------------------------------------------------------------------------------------------------


class ItineraryCreate(InputModel, StrictModel):
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
    duration_min: StrictInt | None = Field(
        default=None,
        ge=5,
        le=600,
        description="Length of the visit; default: as planned, else the place's usual visit.",
    )


class DayEdit(StrictModel):
    """The new visit list of one day, in order: reorder, leave out (remove), add places, set times."""

    day: StrictInt = Field(ge=1, le=7, description="The day of the plan (1 = the first).")
    visits: list[VisitEdit] = Field(max_length=30)


class ItineraryUpdate(InputModel, StrictModel):
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


class ItineraryResponse(ResponseModel):
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


class FirstPlace(ResponseModel):
    """The first visit of the trip."""

    place_id: str
    name: str


class ItinerarySummary(ResponseModel):
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


class ItineraryPageResponse(ResponseModel):
    """The caller's itineraries, newest first, as summaries."""

    items: list[ItinerarySummary]
    next_cursor: str | None
