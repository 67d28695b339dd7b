"""Opening hours on given dates, as the windows in which a visit may *start* (it must end by closing time)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from opening_hours import OpeningHours, State

Window = tuple[float, float]


@lru_cache(maxsize=4096)
def open_intervals(expression: str, date: dt.date) -> tuple[Window, ...]:
    """The open intervals of an OSM ``opening_hours`` expression on one date, in seconds after midnight.

    An interval running past midnight is cut at 24:00 (``86400``). Cached: a catalogue has few distinct
    expressions and a trip few dates.

    Raises
    ------
    ValueError
        If the expression does not parse (the catalogue validates them on load, so this means a bug).
    """
    midnight = dt.datetime.combine(date, dt.time())
    next_midnight = midnight + dt.timedelta(days=1)
    intervals: list[Window] = []
    for start, end, state, _comment in OpeningHours(expression).intervals(midnight, next_midnight):
        if state != State.OPEN:
            continue
        open_s = (max(start, midnight) - midnight).total_seconds()
        close_s = (min(end, next_midnight) - midnight).total_seconds()
        if close_s > open_s:
            intervals.append((open_s, close_s))
    return tuple(intervals)


def visit_windows(intervals: tuple[Window, ...], *, visit_s: float, day: Window) -> list[Window]:
    """Start windows of a visit lasting ``visit_s`` that happens inside both an open interval and the day.

    A visit may start at ``s`` when ``[s, s + visit_s]`` lies inside one open interval and inside ``day``.
    """
    day_start, day_end = day
    windows: list[Window] = []
    for open_s, close_s in intervals:
        earliest = max(open_s, day_start)
        latest = min(close_s, day_end) - visit_s
        if latest >= earliest:
            windows.append((earliest, latest))
    return windows
