"""routing.clock: the one parser of clock times, its inverse and the city's time zone."""

from __future__ import annotations

import datetime as dt

import pytest

from routing.clock import CITY_TZ, DAY_S, ClockError, format_clock, parse_clock, parse_span


@pytest.mark.parametrize(
    ("text", "options", "expected"),
    [
        ("09:30", {}, 9 * 3600 + 30 * 60),
        (" 7:05 ", {}, 7 * 3600 + 5 * 60),
        ("24:00", {}, DAY_S),
        ("25:10:05", {"seconds": True, "latest_s": None}, 25 * 3600 + 10 * 60 + 5),
        ("00:10", {"seconds": None}, 600),
        ("00:10:30", {"seconds": None}, 630),
    ],
)
def test_parse_clock_accepts(text: str, options: dict[str, object], expected: int) -> None:
    assert parse_clock(text, **options) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "options", "message"),
    [
        ("9h30", {}, "'9h30' is not a time of day as HH:MM"),
        ("09:60", {}, "not a time of day"),
        ("24:01", {}, "between 00:00 and 24:00"),
        ("23:59", {"latest_s": DAY_S - 120}, "between 00:00 and 23:58"),
        ("09:30", {"seconds": True}, "as H:MM:SS"),
        ("09:30:00", {}, "as HH:MM"),
    ],
)
def test_parse_clock_refuses_with_what_was_read(text: str, options: dict[str, object], message: str) -> None:
    with pytest.raises(ClockError, match=message) as caught:
        parse_clock(text, what="--depart", **options)  # type: ignore[arg-type]
    assert str(caught.value).startswith("--depart ")


def test_parse_span() -> None:
    assert parse_span("06:00-20:00") == (6 * 3600, 20 * 3600)
    with pytest.raises(ClockError, match="not a span of the day"):
        parse_span("06:00", what="--hours")
    with pytest.raises(ClockError, match="the end must come after the start"):
        parse_span("20:00-06:00", what="--hours")
    with pytest.raises(ClockError, match="--hours end '25:00'"):
        parse_span("06:00-25:00", what="--hours")


def test_format_clock_is_the_inverse() -> None:
    assert format_clock(9 * 3600 + 30 * 60 + 59) == "09:30"
    assert format_clock(25 * 3600 + 62, seconds=True) == "25:01:02"
    for time_s in (0, 61, 3599, 12 * 3600 + 1, DAY_S):
        assert parse_clock(format_clock(time_s, seconds=True), seconds=True, latest_s=None) == time_s


def test_city_time_zone_is_hanoi() -> None:
    assert CITY_TZ.key == "Asia/Ho_Chi_Minh"
    assert dt.datetime(2026, 1, 1, 12, tzinfo=CITY_TZ).utcoffset() == dt.timedelta(hours=7)
