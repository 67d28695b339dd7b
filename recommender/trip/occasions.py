"""Events and commune stories in a plan: events open their place in their window; a story day tells each story.

An event is its place open only in the event's window; a ``commune-stories`` day goes to several communes'
signature places and tells each commune's story.

For the trip's dates, every event occurrence replaces its place's hours with the place's own hours plus, on the
event's days, the event's window alone (an OSM ``opening_hours`` date rule), lets an events-only place be visited
then, and makes the place as prominent as the best known. After planning, a visit inside an event's window gets the
event in its reasons and the plan lists the events it attends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Final

from recommender.catalogue import Catalogue, Place
from recommender.communes import events as calendar  # a module: events.py itself imports recommender.trip
from recommender.communes.stories import Story, default_stories
from recommender.messages import Name
from recommender.scoring import PlaceScore
from recommender.taxonomy import Category
from recommender.trip.itinerary import Itinerary, PlannedVisit, clock
from recommender.trip.request import THEMES, TripRequest

if TYPE_CHECKING:
    from recommender.communes.events import Occurrence  # a type only: events.py imports recommender.trip

__all__ = ["COMMUNE_STORIES", "Occasions", "annotate", "boosted", "prepare"]

COMMUNE_STORIES: Final[str] = THEMES[0]
EVENT_POPULARITY: Final[float] = 1.0
EVENT_FACTOR: Final[float] = 2.0
"""Factor on the score of a place on its event's day, for a traveller who values the place at all: a festival
comes once a year, the museum next to it every day."""
SIGNATURE_POPULARITY: Final[float] = 0.9
_FOOD: Final[frozenset[Category]] = frozenset({Category.CUISINE, Category.NIGHTLIFE})
_MONTHS: Final[tuple[str, ...]] = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Occasions:
    """What a plan's dates and theme add: the events on them and the stories told at signature places."""

    occurrences: tuple[Occurrence, ...] = ()
    stories: Mapping[str, tuple[str, Story]] | None = None
    """Signature place id -> (unit id, story), for a ``commune-stories`` plan."""


def prepare(catalogue: Catalogue, request: TripRequest) -> tuple[Catalogue, TripRequest, Occasions]:
    """The catalogue and request to plan with, and what to tell afterwards (unchanged when nothing applies)."""
    last = request.day_date(request.days - 1)
    found = tuple(o for o in _shipped_occurrences(request.date, last) if o.event.place_id in catalogue)
    stories = _signature_places(catalogue) if request.theme == COMMUNE_STORIES else None
    if not found and stories is None:
        return catalogue, request, Occasions()
    dates = [request.day_date(day) for day in range(request.days)]
    places = {place.id: place for place in catalogue.places}
    for occurrence in found:
        places[occurrence.event.place_id] = _as_event(places[occurrence.event.place_id], occurrence, dates)
    if stories is not None:
        for place_id in stories:
            place = places[place_id]
            places[place_id] = place.model_copy(update={"popularity": max(place.popularity, SIGNATURE_POPULARITY)})
        # A day of stories: the signature places and meals, nothing else.
        others = tuple(
            place.id for place in catalogue.places if place.id not in stories and not set(place.categories) <= _FOOD
        )
        request = replace(request, avoid=tuple(dict.fromkeys((*request.avoid, *others))))
    derived = Catalogue.from_places(places[place.id] for place in catalogue.places)
    return derived, request, Occasions(occurrences=found, stories=stories)


def boosted(scores: Sequence[PlaceScore], occasions: Occasions) -> list[PlaceScore]:
    """The traveller's scores with every event place's raised by :data:`EVENT_FACTOR` (catalogue order kept)."""
    places = {occurrence.event.place_id for occurrence in occasions.occurrences}
    return [replace(score, score=score.score * EVENT_FACTOR) if score.place_id in places else score for score in scores]


def annotate(itinerary: Itinerary, occasions: Occasions) -> Itinerary:
    """The itinerary with each event visit and each signature visit telling why (the event, the commune's story)."""
    if not occasions.occurrences and occasions.stories is None:
        return itinerary
    attended: list[dict[str, object]] = []
    days = []
    for day in itinerary.days:
        date = day.date
        visits = []
        for visit in day.visits:
            extra: list[str] = []
            for occurrence in occasions.occurrences:
                if _attends(visit, occurrence, date):
                    extra.append(_event_reason(occurrence))
                    attended.append({**occurrence.to_dict(), "day": day.day + 1, "date": date.isoformat()})
            if occasions.stories is not None and visit.place.id in occasions.stories:
                _, story = occasions.stories[visit.place.id]
                extra.append(_story_reason(story))
            visits.append(replace(visit, reasons=(*visit.reasons, *extra)) if extra else visit)
        days.append(replace(day, visits=tuple(visits)))
    return replace(itinerary, days=tuple(days), events=tuple(attended))


@lru_cache(maxsize=256)
def _shipped_occurrences(first: dt.date, last: dt.date) -> tuple[Occurrence, ...]:
    """The shipped events' occurrences over a trip's dates (cached: plans ask for few distinct date ranges)."""
    return tuple(calendar.occurrences(calendar.default_events(), first, last))


def _signature_places(catalogue: Catalogue) -> dict[str, tuple[str, Story]]:
    """Per unit with a story, its first signature place that plans may visit."""
    chosen: dict[str, tuple[str, Story]] = {}
    for unit_id, story in default_stories().items():
        for place_id in story.place_ids:
            if place_id in catalogue and catalogue.get(place_id).plannable:
                chosen[place_id] = (unit_id, story)
                break
    return chosen


def _as_event(place: Place, occurrence: Occurrence, dates: list[dt.date]) -> Place:
    """The place open as usual on other days and, on the event's days, only in the event's window."""
    hours = occurrence.event.hours
    rules = [f"{date.year} {_MONTHS[date.month - 1]} {date.day:02d} {hours}" for date in dates if occurrence.on(date)]
    if not rules:
        return place
    return place.model_copy(
        update={
            "opening_hours": "; ".join([place.opening_hours, *rules]),
            "visiting": "regular",
            "popularity": max(place.popularity, EVENT_POPULARITY),
        }
    )


def _attends(visit: PlannedVisit, occurrence: Occurrence, date: dt.date) -> bool:
    return (
        visit.place.id == occurrence.event.place_id
        and occurrence.on(date)
        and occurrence.start_s <= visit.start_s < occurrence.end_s
    )


def _event_reason(occurrence: Occurrence) -> str:
    event = occurrence.event
    start, end = clock(occurrence.start_s), clock(occurrence.end_s)
    return Name(f"{event.name_en} today, {start}-{end}", f"{event.name_vi} hôm nay, {start}-{end}")


def _story_reason(story: Story) -> str:
    return Name(f"{story.product_en}: {story.history_en}", f"{story.product_vi}: {story.history_vi}")
