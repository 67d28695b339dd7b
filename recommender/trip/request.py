"""What a traveller asks for: where and when, what they like, how they move and at what pace."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from recommender.locate import Location
from recommender.scoring import Context, Interests
from recommender.trip.errors import InvalidWindowError, TooManyDaysError, TripError
from recommender.trip.value import BUS_MODE_LONGEST_WALK_M, WALK_BUDGET_M, WALK_MODE_LONGEST_WALK_M
from routing import ClockError, format_clock, parse_clock

MAX_DAYS: Final[int] = 7
THEMES: Final[tuple[str, ...]] = ("commune-stories",)
"""Plan themes: ``commune-stories`` visits several communes' signature places (:mod:`recommender.trip.occasions`)."""
MAX_WINDOW_S: Final[int] = 16 * 3600
"""The longest day planned: 16 hours."""


class Pace(StrEnum):
    """How full a day the traveller wants: visit lengths and the buffer kept before each visit."""

    RELAXED = "relaxed"
    NORMAL = "normal"
    PACKED = "packed"

    @property
    def visit_factor(self) -> float:
        """Factor on the catalogue's visit lengths."""
        return {Pace.RELAXED: 1.3, Pace.NORMAL: 1.0, Pace.PACKED: 0.75}[self]

    @property
    def buffer_s(self) -> float:
        """Slack added to every leg: time to find the entrance, buy a ticket, rest."""
        return {Pace.RELAXED: 15 * 60.0, Pace.NORMAL: 5 * 60.0, Pace.PACKED: 0.0}[self]

    @property
    def meal_s(self) -> float:
        """How long a lunch or dinner lasts."""
        return {Pace.RELAXED: 75 * 60.0, Pace.NORMAL: 60 * 60.0, Pace.PACKED: 45 * 60.0}[self]


class TravelMode(StrEnum):
    """How the traveller moves between places."""

    WALK = "walk"
    BUS = "bus"


def parse_window(text: str) -> tuple[int, int]:
    """``"09:00-17:00"`` -> (start_s, end_s).

    Raises
    ------
    InvalidWindowError
        If the text is not two ``HH:MM`` times joined by ``-``, or the end is not after the start.
    """
    parts = text.split("-")
    if len(parts) != 2:
        raise InvalidWindowError(f"window {text!r} is not two times as HH:MM-HH:MM (e.g. 09:00-17:00)")
    try:
        start_s = parse_clock(parts[0], what="window start")
        end_s = parse_clock(parts[1], what="window end")
    except ClockError as exc:
        raise InvalidWindowError(str(exc)) from exc
    check_window(start_s, end_s)
    return start_s, end_s


def check_window(start_s: int, end_s: int) -> None:
    """Refuse a window that ends before it starts or lasts more than 16 hours.

    Raises
    ------
    InvalidWindowError
        With the two times in the message.
    """
    if end_s <= start_s:
        raise InvalidWindowError(
            f"the window ends ({format_clock(end_s)}) before or when it starts ({format_clock(start_s)}); "
            "give a later end"
        )
    if end_s - start_s > MAX_WINDOW_S:
        raise InvalidWindowError(
            f"the window {format_clock(start_s)}-{format_clock(end_s)} is longer than {MAX_WINDOW_S // 3600} hours"
        )


@dataclass(frozen=True)
class TripRequest:
    """A trip to plan.

    Attributes
    ----------
    start, end
        Where each day begins and ends (the lodging for a multi-day trip); ``end`` defaults to ``start``.
    date
        The first day; day ``d`` of the trip is ``date + d``.
    window_start_s, window_end_s
        The daily window, seconds after midnight.
    interests
        Category weights.
    mode
        Walk only, or walk and bus.
    days
        1 to 7.
    pace
        Visit lengths, buffers and meal lengths.
    must_visit, avoid
        Place ids to include (on some day) and to leave out.
    max_walk_leg_m, max_walk_day_m
        Longest walk between two visits, and walking per day; above the first, the plan takes the bus
        when the mode allows, else the leg is not made. None (the default): set by the pace and the mode
        (:mod:`recommender.trip.value`: about 4.5, 7 and 10 km a day; 1.2-1.5 km a hop in bus mode).
    meals
        Plan a lunch and a dinner break when the window covers their time.
    liked
        Places the traveller liked before (app feedback); a learnt model folds them into its collaborative part.
    context
        Weather and party, which change how places are valued.
    theme
        ``None``, or ``"commune-stories"``: a day across several communes' signature places, each story told.
    seed, time_limit_s, max_iterations
        The search's seed and its budget for one day: ``max_iterations`` rounds of perturbation and local
        search per day of the trip (the same request gives the same plan on any machine), cut short on a loaded
        one by ``time_limit_s`` of wall clock times ``days ** 1.5`` (each round of a longer trip has more routes
        and more candidates to try: :data:`recommender.trip.plan.SEARCH_GROWTH`).
        20 rounds plan within 0.2 % of 1.5 s of search on random Hanoi requests (docs/BENCHMARKS.md).

    Raises
    ------
    InvalidWindowError, TooManyDaysError
        On construction, for a malformed window or a number of days outside 1..7.
    """

    start: Location
    date: dt.date
    window_start_s: int
    window_end_s: int
    interests: Interests
    end: Location | None = None
    mode: TravelMode = TravelMode.BUS
    days: int = 1
    pace: Pace = Pace.NORMAL
    must_visit: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()
    max_walk_leg_m: float | None = None
    max_walk_day_m: float | None = None
    meals: bool = True
    liked: tuple[str, ...] = ()
    context: Context = field(default_factory=Context)
    seed: int = 0
    time_limit_s: float = 0.5
    max_iterations: int | None = 20
    theme: str | None = None

    def __post_init__(self) -> None:
        check_window(self.window_start_s, self.window_end_s)
        if self.theme is not None and self.theme not in THEMES:
            raise TripError(f"theme {self.theme!r} is not one of {', '.join(THEMES)}", field="theme")
        if not 1 <= self.days <= MAX_DAYS:
            raise TooManyDaysError(f"days must be 1 to {MAX_DAYS}, got {self.days}")
        for name, value in (("max_walk_leg_m", self.max_walk_leg_m), ("max_walk_day_m", self.max_walk_day_m)):
            if value is not None and not (math.isfinite(value) and value > 0):
                raise InvalidWindowError(f"{name} must be a positive number of metres, got {value}", field=name)

    @property
    def longest_walk_m(self) -> float:
        """The longest walk between two stops: the traveller's own, else the pace's for the mode."""
        if self.max_walk_leg_m is not None:
            return self.max_walk_leg_m
        if self.mode is TravelMode.BUS:
            return BUS_MODE_LONGEST_WALK_M[self.pace.value]
        return WALK_MODE_LONGEST_WALK_M

    @property
    def walk_budget_m(self) -> float:
        """The walking a day may hold: the traveller's own, else the pace's budget."""
        return self.max_walk_day_m if self.max_walk_day_m is not None else WALK_BUDGET_M[self.pace.value]

    @property
    def end_location(self) -> Location:
        """Where each day ends."""
        return self.end if self.end is not None else self.start

    def day_date(self, day: int) -> dt.date:
        """The calendar date of day ``day`` (0-based)."""
        return self.date + dt.timedelta(days=day)
