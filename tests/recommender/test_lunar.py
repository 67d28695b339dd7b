"""The Vietnamese lunar calendar (lunar-vn, UTC+7) against known Tết dates, and impossible dates refused.

Tết dates: https://publicholidays.vn/tet/ (the Tết holidays of 2017-2024, which hold the first day) and
https://www.vietnamsea.org/vietnam-art-cultural/vietnamese-new-year-2018.shtml (2018); years when the Vietnamese and
Chinese calendars put the new year on different days: 1985 (21 January in Vietnam, 20 February in China,
https://www.oreateai.com/blog/1985-lunar-new-year), 2007 (17 and 18 February, https://viet-jo.com/news/life/060706102756.html)
and 2030 (2 and 3 February, https://kientruc2014.com/vietnam/cau-tra-loi-nhanh-chong-what-year-is-it-in-vietnam.html);
1968, when North Vietnam had just moved to UTC+7, 29 January (http://piglix.com/piglix/Vietnamese_calendar and
https://wiki.suikawiki.org/n/%E9%BB%84%E6%9A%A6$25985). The Cổ Loa festival of 2024 opened on 15 February
(https://63stravel.com/en/event/hanoi/co-loa-temple-festival-401), the 6th day of the first month.
"""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from recommender.communes.events import Event
from recommender.communes.lunar import InvalidLunarDateError, LunarDay, lunar_to_solar, solar_to_lunar_day

TET = {
    1968: dt.date(1968, 1, 29),
    1985: dt.date(1985, 1, 21),
    2007: dt.date(2007, 2, 17),
    2017: dt.date(2017, 1, 28),
    2018: dt.date(2018, 2, 16),
    2019: dt.date(2019, 2, 5),
    2020: dt.date(2020, 1, 25),
    2021: dt.date(2021, 2, 12),
    2022: dt.date(2022, 2, 1),
    2023: dt.date(2023, 1, 22),
    2024: dt.date(2024, 2, 10),
    2030: dt.date(2030, 2, 2),
}
CHINESE_TET = {1985: dt.date(1985, 2, 20), 2007: dt.date(2007, 2, 18), 2030: dt.date(2030, 2, 3)}


@pytest.mark.parametrize(("year", "solar"), sorted(TET.items()))
def test_tet_falls_on_the_vietnamese_date(year: int, solar: dt.date) -> None:
    assert lunar_to_solar(LunarDay(year, 1, 1)) == solar
    assert solar_to_lunar_day(solar) == LunarDay(year, 1, 1)


@pytest.mark.parametrize(("year", "chinese"), sorted(CHINESE_TET.items()))
def test_the_vietnamese_calendar_is_not_the_chinese_one(year: int, chinese: dt.date) -> None:
    assert lunar_to_solar(LunarDay(year, 1, 1)) != chinese
    assert solar_to_lunar_day(chinese) != LunarDay(year, 1, 1)


def test_the_co_loa_festival_of_2024_opened_on_15_february() -> None:
    assert lunar_to_solar(LunarDay(2024, 1, 6)) == dt.date(2024, 2, 15)


def test_a_30th_in_a_29_day_month_is_refused() -> None:
    assert lunar_to_solar(LunarDay(2027, 1, 30)) == dt.date(2027, 3, 7)  # the first month of 2027 has 30 days
    with pytest.raises(InvalidLunarDateError, match="30/3/2027"):
        lunar_to_solar(LunarDay(2027, 3, 30))  # the third has 29


def test_a_leap_month_the_year_lacks_is_refused() -> None:
    with pytest.raises(InvalidLunarDateError):
        lunar_to_solar(LunarDay(2027, 5, 1, leap=True))


def sample_event(**fields: object) -> dict[str, object]:
    """A valid lunar event of 2027 at Cổ Loa, with ``fields`` changed (the tests' one example event)."""
    return {
        "id": "test-festival",
        "name_vi": "Hội thử",
        "name_en": "Test festival",
        "kind": "festival",
        "place_id": "co-loa-citadel",
        "ward": "xa-dong-anh",
        "calendar": "lunar",
        "year": 2027,
        "start": {"month": 1, "day": 6},
        "end": {"month": 1, "day": 8},
        "hours": "08:00-17:00",
        "description_en": "A festival used by the tests.",
        "description_vi": "Một lễ hội dùng cho kiểm thử.",
        "sources": ["https://example.org/festival"],
        **fields,
    }


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"end": {"month": 1, "day": 2}}, "end"),
        ({"start": {"month": 3, "day": 30}, "end": {"month": 3, "day": 30}}, "start"),
        ({"description_en": "A <script>alert(1)</script> festival"}, "description_en"),
        ({"description_vi": "x" * 4001}, "description_vi"),
        ({"hours": "17:00-08:00"}, "hours"),
    ],
)
def test_bad_events_are_refused_naming_the_field(fields: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        Event.model_validate(sample_event(**fields))
