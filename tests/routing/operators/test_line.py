"""Line arithmetic: departures, round trip, fleet size, vehicle-km and vehicle-hours."""

from __future__ import annotations

import math

import pytest

from routing.errors import RoutingError
from routing.operators import LineDirection, LineSchedule, LineStop, fleet_size, line_metrics

STOPS = (
    LineStop("a", "A", 21.03, 105.85, is_new=True),
    LineStop("b", "B", 21.03, 105.86, is_new=True),
    LineStop("c", "C", 21.04, 105.86, is_new=False),
)


def loop(headway_s: int = 900, start_s: int = 6 * 3600, end_s: int = 20 * 3600) -> LineSchedule:
    direction = LineDirection(0, ("a", "b", "c", "a"), (1000.0, 1500.0, 2000.0), (200.0, 300.4, 400.0), ())
    return LineSchedule("t", "Test", STOPS, (direction,), headway_s, start_s, end_s)


def two_way() -> LineSchedule:
    out = LineDirection(0, ("a", "b", "c"), (1000.0, 1500.0), (200.0, 300.0), ())
    back = LineDirection(1, ("c", "b", "a"), (1600.0, 1000.0), (320.0, 200.0), ())
    return LineSchedule("t", "Test", STOPS, (out, back), 600, 7 * 3600, 9 * 3600)


@pytest.mark.parametrize(
    ("round_trip_s", "headway_s", "expected"),
    [(3600, 900, 4), (3601, 900, 5), (4116, 900, 5), (60, 900, 1), (0, 900, 1), (3599.9999999, 900, 4)],
)
def test_fleet_size(round_trip_s: float, headway_s: float, expected: int) -> None:
    assert fleet_size(round_trip_s, headway_s) == expected


@pytest.mark.parametrize(("round_trip_s", "headway_s"), [(3600, 0), (3600, -5), (3600, math.nan), (-1, 900)])
def test_fleet_size_rejects_bad_input(round_trip_s: float, headway_s: float) -> None:
    with pytest.raises(RoutingError):
        fleet_size(round_trip_s, headway_s)


def test_loop_metrics() -> None:
    schedule = loop()
    assert schedule.kind == "loop"
    assert schedule.directions[0].offsets_s() == [0, 200, 500, 900]
    departures = schedule.departures_s()
    assert departures[0] == 6 * 3600
    assert departures[-1] == 20 * 3600 - 900
    assert len(departures) == 56
    metrics = line_metrics(schedule, layover_s=300.0, dwell_s=29.0)
    assert metrics.round_trip_s == pytest.approx(900.4 + 300.0)
    assert metrics.fleet_size == 2  # 1200.4 s every 900 s
    assert metrics.trips_per_day == 56
    assert metrics.vehicle_km_per_day == pytest.approx(56 * 4.5)
    assert metrics.vehicle_hours_per_day == pytest.approx(56 * 1200.4 / 3600)


def test_two_way_line_metrics() -> None:
    schedule = two_way()
    assert schedule.kind == "line"
    assert len(schedule.departures_s()) == 12  # 07:00 ... 08:50 every 10 min
    metrics = line_metrics(schedule, layover_s=300.0, dwell_s=29.0)
    assert metrics.round_trip_s == pytest.approx(500 + 520 + 2 * 300)
    assert metrics.fleet_size == 3  # 1620 s every 600 s
    assert metrics.trips_per_day == 24
    assert metrics.vehicle_km_per_day == pytest.approx(12 * (2.5 + 2.6))


def test_bad_schedules() -> None:
    with pytest.raises(RoutingError, match="headway"):
        loop(headway_s=0)
    with pytest.raises(RoutingError, match="service hours"):
        loop(start_s=20 * 3600, end_s=6 * 3600)
    with pytest.raises(RoutingError, match="longer than the service span"):
        loop(headway_s=3 * 3600, start_s=6 * 3600, end_s=7 * 3600)
    with pytest.raises(RoutingError, match="unknown stops"):
        LineSchedule("t", "T", STOPS[:1], loop().directions, 900, 0, 3600)
    with pytest.raises(RoutingError, match="legs"):
        LineDirection(0, ("a", "b"), (), (), ())
    with pytest.raises(RoutingError, match="layover"):
        line_metrics(loop(), layover_s=-1.0, dwell_s=0.0)
