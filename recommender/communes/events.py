"""Dated items: festivals, exhibitions, performances, markets and seasonal products, each at a catalogue place.

An event's dates are given on the solar calendar or on the Vietnamese lunar one (:mod:`recommender.communes.lunar`),
for one year or for every year (``year`` omitted). :func:`occurrences` turns them into solar days with a daily time
window; the planner treats an occurrence as its place open only in that window (:mod:`recommender.trip.occasions`).
The shipped events are ``data/events/events.json``; every event names sources a reader can check.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationError, model_validator

from recommender.catalogue import ID_PATTERN
from recommender.communes.lunar import InvalidLunarDateError, LunarDay, lunar_to_solar, solar_to_lunar_day
from recommender.communes.text import PlainText, Title
from recommender.errors import RecommenderError
from recommender.trip.errors import InvalidWindowError
from recommender.trip.request import parse_window

__all__ = [
    "DEFAULT_EVENTS_PATH",
    "Event",
    "EventDay",
    "EventsError",
    "Occurrence",
    "default_events",
    "load_events",
    "occurrences",
]

DEFAULT_EVENTS_PATH: Final[Path] = Path(__file__).resolve().parents[2] / "data" / "events" / "events.json"
MAX_EVENT_DAYS: Final[int] = 120
"""The longest event (the Perfume Pagoda pilgrimage runs about three lunar months)."""
EventKind = Literal["festival", "exhibition", "performance", "market", "seasonal"]


class EventsError(RecommenderError):
    """The events file is missing or invalid (the message names the file and the event)."""


class EventDay(BaseModel):
    """A month and day, on the calendar the event names."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    month: Annotated[int, Field(ge=1, le=12)]
    day: Annotated[int, Field(ge=1, le=31)]
    leap: bool = False
    """A lunar leap (nhuận) month."""


class Event(BaseModel):
    """One dated item at a catalogue place.

    Raises
    ------
    pydantic.ValidationError
        On construction, naming the field: an end before the start, a day the month lacks (a lunar 30th of a
        29-day month in the year given), hours that are not ``HH:MM-HH:MM``, markup in a text.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    id: Annotated[str, Field(pattern=ID_PATTERN, max_length=80)]
    name_vi: Title
    name_en: Title
    kind: EventKind
    place_id: Annotated[str, Field(pattern=ID_PATTERN, max_length=80)]
    ward: Annotated[str, Field(pattern=ID_PATTERN, max_length=80)]
    calendar: Literal["solar", "lunar"]
    year: Annotated[int | None, Field(ge=1901, le=2099)] = None
    """The year (solar, or lunar for a lunar event); ``None``: every year."""
    start: EventDay
    end: EventDay
    hours: Annotated[str, Field(pattern=r"^\d{2}:\d{2}-\d{2}:\d{2}$")]
    hours_source: Literal["listed", "estimated"] = "estimated"
    """``estimated``: the sources give the days, not the hours; the window is a daytime estimate."""
    description_en: PlainText
    description_vi: PlainText
    sources: Annotated[tuple[HttpUrl, ...], Field(min_length=1, max_length=10)]
    status: Literal["verified", "draft"] = "verified"

    @model_validator(mode="after")
    def _check_dates(self) -> Event:
        try:
            parse_window(self.hours)
        except InvalidWindowError as exc:
            raise ValueError(f"hours: {exc}") from exc
        first, last = (self.start.month, self.start.leap, self.start.day), (self.end.month, self.end.leap, self.end.day)
        if last < first:
            raise ValueError(f"end: the event ends ({_day_text(self.end)}) before it starts ({_day_text(self.start)})")
        if self.year is not None:
            for name, day in (("start", self.start), ("end", self.end)):
                self._solar(day, self.year, name)
            days = (self._solar(self.end, self.year, "end") - self._solar(self.start, self.year, "start")).days + 1
            if days > MAX_EVENT_DAYS:
                raise ValueError(f"end: an event lasts at most {MAX_EVENT_DAYS} days, this one {days}")
        return self

    def _solar(self, day: EventDay, year: int, name: str) -> dt.date:
        if self.calendar == "solar" and day.leap:
            raise ValueError(f"{name}: a solar date has no leap month")
        try:
            if self.calendar == "lunar":
                return lunar_to_solar(LunarDay(year, day.month, day.day, day.leap))
            return dt.date(year, day.month, day.day)
        except (InvalidLunarDateError, ValueError) as exc:
            raise ValueError(f"{name}: {exc}") from exc

    def window_s(self) -> tuple[int, int]:
        """The daily window, seconds after midnight."""
        return parse_window(self.hours)

    def days_in(self, year: int) -> tuple[dt.date, dt.date] | None:
        """The first and last solar day of the occurrence in ``year`` (lunar year for a lunar event), if any.

        A recurring lunar date on a 30th falls on the 29th in a year whose month has 29 days.
        """
        if self.year is not None and self.year != year:
            return None
        try:
            return self._lenient(self.start, year), self._lenient(self.end, year)
        except ValueError:
            return None  # a leap month this year lacks, or outside the library's years

    def _lenient(self, day: EventDay, year: int) -> dt.date:
        try:
            return self._solar(day, year, "date")
        except ValueError:
            if day.day < 30 or self.calendar != "lunar":
                raise
            return self._solar(day.model_copy(update={"day": 29}), year, "date")


@dataclass(frozen=True)
class Occurrence:
    """An event on given solar days, open daily from ``start_s`` to ``end_s``."""

    event: Event
    first_day: dt.date
    last_day: dt.date
    start_s: int
    end_s: int

    def on(self, date: dt.date) -> bool:
        """Whether the event runs on ``date``."""
        return self.first_day <= date <= self.last_day

    def to_dict(self) -> dict[str, object]:
        """Plain JSON: the event's fields and these days."""
        event = self.event
        return {
            "id": event.id,
            "name_vi": event.name_vi,
            "name_en": event.name_en,
            "kind": event.kind,
            "place_id": event.place_id,
            "ward": event.ward,
            "first_day": self.first_day.isoformat(),
            "last_day": self.last_day.isoformat(),
            "hours": event.hours,
            "hours_source": event.hours_source,
            "calendar": event.calendar,
            "lunar_start": _day_text(event.start) if event.calendar == "lunar" else None,
            "recurring": event.year is None,
            "description_en": event.description_en,
            "description_vi": event.description_vi,
            "sources": [str(url) for url in event.sources],
            "status": event.status,
        }


def occurrences(events: Iterable[Event], first: dt.date, last: dt.date, *, ward: str | None = None) -> list[Occurrence]:
    """Every occurrence that runs on some day from ``first`` to ``last`` (inclusive), by first day then id."""
    found: list[Occurrence] = []
    for event in events:
        if ward is not None and event.ward != ward:
            continue
        start_s, end_s = event.window_s()
        years = (
            range(solar_to_lunar_day(first).year - 1, solar_to_lunar_day(last).year + 1)
            if event.calendar == "lunar"
            else range(first.year, last.year + 1)
        )
        for year in years:
            days = event.days_in(year)
            if days is not None and days[0] <= last and days[1] >= first:
                found.append(Occurrence(event, days[0], days[1], start_s, end_s))
    return sorted(found, key=lambda occurrence: (occurrence.first_day, occurrence.event.id))


def load_events(path: Path) -> tuple[Event, ...]:
    """Read and validate an events file (a JSON object with an ``events`` list).

    Raises
    ------
    EventsError
        If the file is missing or not JSON, an event is invalid (named by its number and id), or two share an id.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        records = data["events"]
    except FileNotFoundError as exc:
        raise EventsError(f"{path}: no such events file") from exc
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise EventsError(f"{path}: not an events file ({exc})") from exc
    events: list[Event] = []
    for number, record in enumerate(records, start=1):
        try:
            events.append(Event.model_validate(record))
        except ValidationError as exc:
            name = record.get("id") if isinstance(record, dict) else None
            raise EventsError(f"{path}: event {number} ({name!r}) is invalid: {exc}") from exc
    ids = [event.id for event in events]
    duplicated = sorted({event_id for event_id in ids if ids.count(event_id) > 1})
    if duplicated:
        raise EventsError(f"{path}: two events share the id {duplicated[0]!r}")
    return tuple(events)


@lru_cache(maxsize=1)
def default_events() -> tuple[Event, ...]:
    """The shipped events (read once per process)."""
    return load_events(DEFAULT_EVENTS_PATH)


def _day_text(day: EventDay) -> str:
    return f"{day.day:02d}/{day.month:02d}{' (leap)' if day.leap else ''}"
