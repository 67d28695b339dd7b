"""Dates of the Vietnamese lunar calendar (âm lịch) on the solar calendar, through the ``lunar-vn`` library.

Village festivals follow the Vietnamese lunar calendar, computed for UTC+7; the Chinese one (UTC+8) starts some
months a day later, and so some years' Tết (1985: 21 January in Vietnam, 20 February in China; 2007: 17 and 18
February). ``lunar-vn`` implements Hồ Ngọc Đức's algorithm at UTC+7; the library does not refuse a day that a month
lacks (the 30th of a 29-day month rolls over), so :func:`lunar_to_solar` converts back and refuses a date that does
not come back as itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from lunar_vn import LunarDate as _LibraryDate
from lunar_vn import convert_lunar_to_solar, solar_to_lunar

from recommender.errors import RecommenderError

__all__ = ["VIETNAM_UTC_OFFSET_H", "InvalidLunarDateError", "LunarDay", "lunar_to_solar", "solar_to_lunar_day"]

VIETNAM_UTC_OFFSET_H: Final[float] = 7.0
"""The time zone the Vietnamese calendar is computed for (the Chinese one uses UTC+8)."""
FIRST_YEAR: Final[int] = 1901
LAST_YEAR: Final[int] = 2099


class InvalidLunarDateError(RecommenderError):
    """A lunar date that does not exist: a month outside 1-12, a day the month lacks, a leap month that year lacks."""

    field = "date"


@dataclass(frozen=True)
class LunarDay:
    """A day of the Vietnamese lunar calendar; ``leap`` marks the repeated (nhuận) month of a 13-month year."""

    year: int
    month: int
    day: int
    leap: bool = False


def lunar_to_solar(lunar: LunarDay) -> dt.date:
    """The solar date of a Vietnamese lunar date.

    Raises
    ------
    InvalidLunarDateError
        If the date does not exist (e.g. the 30th of a 29-day month) or lies outside 1901-2099.
    """
    if not FIRST_YEAR <= lunar.year <= LAST_YEAR:
        raise InvalidLunarDateError(f"lunar year {lunar.year} is outside {FIRST_YEAR}-{LAST_YEAR}")
    if not 1 <= lunar.month <= 12 or not 1 <= lunar.day <= 30:
        raise InvalidLunarDateError(f"lunar month {lunar.month}, day {lunar.day}: months are 1-12, days 1-30")
    try:
        solar = convert_lunar_to_solar(
            lunar.day, lunar.month, lunar.year, 1 if lunar.leap else 0, time_zone=VIETNAM_UTC_OFFSET_H
        )
    except ValueError as exc:
        raise InvalidLunarDateError(f"lunar {_text(lunar)} does not exist ({exc})") from exc
    if solar_to_lunar_day(solar) != lunar:
        raise InvalidLunarDateError(f"lunar {_text(lunar)} does not exist: that month of {lunar.year} is shorter")
    return solar


def solar_to_lunar_day(date: dt.date) -> LunarDay:
    """The Vietnamese lunar date of a solar date."""
    lunar: _LibraryDate = solar_to_lunar(date, time_zone=VIETNAM_UTC_OFFSET_H)
    return LunarDay(year=lunar.year, month=lunar.month, day=lunar.day, leap=lunar.leap)


def _text(lunar: LunarDay) -> str:
    return f"{lunar.day}/{lunar.month}{' (leap)' if lunar.leap else ''}/{lunar.year}"
