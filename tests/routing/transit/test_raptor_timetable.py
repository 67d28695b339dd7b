"""Expanding headways into a service-day timetable, and its .npz round trip."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pytest

from routing.errors import BundleError, RoutingError
from routing.transit.model import BusNetwork, BusRoute, BusStop, ServicePeriod, SpeedModel
from routing.transit.timetable import Timetable
from tests.routing.round_trip import assert_same_fields, round_trip
from tests.routing.tiny import bus_route

PERIODS = (
    ServicePeriod("am", 6 * 3600 + 1800, 9 * 3600 + 1800),
    ServicePeriod("md", 9 * 3600 + 1800, 16 * 3600 + 1800),
    ServicePeriod("pm", 16 * 3600 + 1800, 19 * 3600 + 2700),
)
Headways = Mapping[str, float | None]
SPEED = SpeedModel(form="test", dwell_s={}, speed_mps={}, route_factor={}, detour_factor=1.3)


def route(route_id: str, stops: tuple[str, ...], run_s: tuple[float, ...], headways: Headways) -> BusRoute:
    return bus_route(route_id, stops, run_s, headways)


def network(*routes: BusRoute) -> BusNetwork:
    stops = tuple(BusStop(f"s{i}", f"Stop {i}", 21.03, 105.85 + i * 0.001, "osm") for i in range(4))
    return BusNetwork(stops=stops, routes=routes, periods=PERIODS, speed_model=SPEED)


ALL_DAY: Headways = {"am": 600.0, "md": 600.0, "pm": 600.0}


def test_trips_depart_at_period_start_plus_headway_inside_the_period() -> None:
    bus = network(
        route("01:1", ("s0", "s1", "s2"), (120.4, 59.8), ALL_DAY),
        route("02:1", ("s2", "s3"), (60.0,), {"am": None, "md": 1200.0, "pm": None}),
        route("03:1", ("s3", "s0"), (60.0,), {"am": None, "md": None, "pm": None}),
    )
    timetable = Timetable.from_network(bus)
    first = timetable.trip_depart_s[timetable.route_trip_start[0] : timetable.route_trip_start[1]]
    # am: 06:30 .. 09:20 (18), md: 09:30 .. 16:20 (42), pm: 16:30 .. 19:40 (20: 19:40 < 19:45)
    assert first.size == 18 + 42 + 20
    assert first[0] == 6 * 3600 + 1800
    assert first[-1] == 19 * 3600 + 2400
    assert np.all(np.diff(first) == 600)
    second = timetable.trip_depart_s[timetable.route_trip_start[1] : timetable.route_trip_start[2]]
    assert second.tolist() == [9 * 3600 + 1800 + k * 1200 for k in range(21)]
    assert timetable.route_trip_start[3] == timetable.route_trip_start[2]  # no service at all: no trip
    assert timetable.period_names == ("am", "md", "pm")
    assert {timetable.period_names[p] for p in timetable.trip_period[: first.size]} == {"am", "md", "pm"}


def test_stop_times_come_from_cumulative_run_times_rounded_once() -> None:
    timetable = Timetable.from_network(network(route("01:1", ("s0", "s1", "s2"), (120.4, 59.8), ALL_DAY)))
    arrive, depart = timetable.stop_times(0)
    assert arrive.shape == depart.shape == (80, 3)
    # cumulative 0, 120.4, 180.2 -> 0, 120, 180 (rounding 120.4 and 59.8 separately would give 180 too, but
    # the offsets are rounded on the cumulative sum)
    assert (arrive[0] - arrive[0, 0]).tolist() == [0, 120, 180]
    assert np.array_equal(arrive[:, 1:-1], depart[:, 1:-1])  # the run times include the dwell
    assert timetable.arrive_s(3, 2) == int(arrive[3, 2])
    assert timetable.depart_s(3, 1) == int(depart[3, 1])


def test_extra_dwell_delays_later_stops() -> None:
    bus = network(route("01:1", ("s0", "s1", "s2", "s3"), (100.0, 100.0, 100.0), ALL_DAY))
    timetable = Timetable.from_network(bus, dwell_s=20.0)
    assert timetable.pos_arrive_offset_s.tolist() == [0, 100, 220, 340]
    assert timetable.pos_depart_offset_s.tolist() == [0, 120, 240, 360]
    with pytest.raises(RoutingError):
        Timetable.from_network(bus, dwell_s=-1.0)


def test_indexes_and_service_window() -> None:
    bus = network(
        route("01:1", ("s0", "s1", "s2"), (120.0, 60.0), ALL_DAY),
        route("02:1", ("s2", "s3"), (60.0,), {"am": None, "md": 1200.0, "pm": None}),
    )
    timetable = Timetable.from_network(bus)
    assert timetable.routes_at_stop(2).tolist() == [0, 1]
    assert timetable.routes_at_stop(3).tolist() == [1]
    indptr, positions = timetable.stop_route_index()
    assert timetable.pos_stop[positions[indptr[2] : indptr[3]]].tolist() == [2, 2]
    assert timetable.first_depart_s() == 6 * 3600 + 1800
    assert timetable.last_depart_s() == 19 * 3600 + 2400 + 120  # last trip of 01 leaving its second stop
    assert timetable.summary()["trips"] == 80 + 21


def test_unknown_stop_and_bad_headway_are_errors() -> None:
    with pytest.raises(RoutingError, match="unknown stop"):
        Timetable.from_network(network(route("01:1", ("s0", "nowhere"), (60.0,), ALL_DAY)))
    with pytest.raises(RoutingError, match="headway"):
        Timetable.from_network(network(route("01:1", ("s0", "s1"), (60.0,), {"am": 0.0})))


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    timetable = Timetable.from_network(network(route("01:1", ("s0", "s1", "s2"), (120.0, 60.0), ALL_DAY)))
    loaded = round_trip(timetable, tmp_path / "timetable.npz")
    arrays = ("route_pos_start", "pos_stop", "pos_arrive_offset_s", "trip_depart_s", "trip_period")
    assert_same_fields(loaded, timetable, "stop_ids", "route_ids", "period_names", *arrays)


def test_corrupt_files_raise_bundle_error(tmp_path: Path) -> None:
    timetable = Timetable.from_network(network(route("01:1", ("s0", "s1", "s2"), (120.0, 60.0), ALL_DAY)))
    with pytest.raises(BundleError):
        Timetable.load(tmp_path / "missing.npz")
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"not a zip file")
    with pytest.raises(BundleError):
        Timetable.load(garbage)
    truncated = tmp_path / "truncated.npz"
    timetable.save(truncated)
    truncated.write_bytes(truncated.read_bytes()[:200])
    with pytest.raises(BundleError):
        Timetable.load(truncated)
    broken = tmp_path / "broken.npz"
    arrays = {name: getattr(timetable, name) for name in ("route_pos_start", "pos_arrive_offset_s")}
    fields = {
        "format": np.asarray([1]),
        "stop_ids": np.asarray(timetable.stop_ids),
        "route_ids": np.asarray(timetable.route_ids),
        "period_names": np.asarray(timetable.period_names),
        "pos_stop": np.asarray([0, 1, 99]),  # a stop index out of range
        "pos_depart_offset_s": timetable.pos_depart_offset_s,
        "route_trip_start": timetable.route_trip_start,
        "trip_depart_s": timetable.trip_depart_s[::-1].copy(),  # unsorted
        "trip_period": timetable.trip_period,
        "period_start_s": timetable.period_start_s,
        "period_end_s": timetable.period_end_s,
        **arrays,
    }
    with broken.open("wb") as handle:
        np.savez(handle, **fields)
    with pytest.raises(BundleError, match="inconsistent timetable"):
        Timetable.load(broken)
