"""Clock times: the one parser of ``HH:MM[:SS]`` text, its inverse, and the city's time zone.

Every clock the program reads (a departure, a planning window, service hours, a GTFS stop time) goes through
:func:`parse_clock`, so the CLI, the API and the builders accept and refuse the same texts with the same words.
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from routing.errors import RoutingError

CITY_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
"""The city's time zone (Hanoi, UTC+7 all year); ``CITY_TZ.key`` is its IANA name, as GTFS feeds write it."""
DAY_S = 86_400
"""Seconds in a service day."""

_CLOCK = re.compile(r"^(\d{1,2}):([0-5]\d)(?::([0-5]\d))?$")
DEPART_PATTERN = r"^([01]?\d|2[0-3]):([0-5]\d)$"
"""A departure ``HH:MM`` within one day, as JSON Schema states it (what ``parse_clock(latest_s=DAY_S - 60)`` takes)."""
SPAN_PATTERN = r"^(([01]?\d|2[0-3]):[0-5]\d|24:00)-(([01]?\d|2[0-3]):[0-5]\d|24:00)$"
"""A span ``HH:MM-HH:MM`` within 00:00..24:00, as JSON Schema states it (what :func:`parse_span` takes)."""


class ClockError(RoutingError):
    """A text that is not a clock time of the kind asked for (the message names what was being read)."""


def parse_clock(text: str, *, what: str = "time", seconds: bool | None = False, latest_s: int | None = DAY_S) -> int:
    """``"09:30"`` -> seconds after midnight.

    Parameters
    ----------
    text
        ``HH:MM``, or ``HH:MM:SS`` with ``seconds`` (then required).
    what
        What the time is, for the message (``"--depart"``, ``"window start"``, a column name).
    seconds
        Read ``H:MM:SS`` (GTFS) instead of ``HH:MM``; None reads either.
    latest_s
        The latest time accepted (24:00 by default); None accepts any hour (GTFS times run past midnight).

    Raises
    ------
    ClockError
        If the text is not of that form or is later than ``latest_s``.
    """
    form = {False: "HH:MM", True: "H:MM:SS", None: "HH:MM[:SS]"}[seconds]
    match = _CLOCK.match(text.strip())
    if match is None or (seconds is not None and (match.group(3) is None) == seconds):
        raise ClockError(f"{what} {text!r} is not a time of day as {form}")
    time_s = int(match.group(1)) * 3600 + int(match.group(2)) * 60 + int(match.group(3) or 0)
    if latest_s is not None and time_s > latest_s:
        raise ClockError(f"{what} {text!r} is not a time of day between 00:00 and {format_clock(latest_s)}")
    return time_s


def parse_span(text: str, *, what: str = "span") -> tuple[int, int]:
    """``"06:00-20:00"`` -> (start, end) seconds after midnight, the end after the start within one day.

    Raises
    ------
    ClockError
        If the text is not two clock times joined by ``-`` or the end does not come after the start.
    """
    start, sep, end = text.strip().partition("-")
    if not sep:
        raise ClockError(f"{what} {text!r} is not a span of the day like 06:00-20:00")
    start_s = parse_clock(start, what=f"{what} start")
    end_s = parse_clock(end, what=f"{what} end")
    if not start_s < end_s:
        raise ClockError(f"{what} {text!r}: the end must come after the start, within one day")
    return start_s, end_s


def format_clock(time_s: float, *, seconds: bool = False) -> str:
    """``"HH:MM"`` (``"HH:MM:SS"`` with ``seconds``) for seconds after midnight, rounded down; hours may exceed 23."""
    hours, rest = divmod(int(time_s), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}" if seconds else f"{hours:02d}:{minutes:02d}"
