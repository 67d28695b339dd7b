"""Design a line on a hand-made street network, add it to the city's RAPTOR, export it as GTFS and read it back.

The streets, stops and routes are those of ``tests/routing/journeys/test_raptor_planner.py``: an east-west street W0..W6
(~520 m between nodes) with route 01 along it, a branch north from W6 to N3 with route 02 (midday only), an
island far away. The new line runs from W1 up the branch to N2, where today's buses do not go at 08:00.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import orjson
import pytest

from routing.errors import OutsideAreaError, RoutingError
from routing.graph.frozen import FrozenGraph
from routing.journeys import BusLeg, BusPlanner
from routing.operators import (
    DesignedLine,
    DesignOptions,
    LineDesignError,
    Site,
    Terminal,
    add_line,
    draft_line,
    line_geojson,
    select_sites,
)
from routing.operators.gtfs import gtfs_tables, read_gtfs_line, validate_gtfs, write_gtfs
from routing.transit import Timetable, build_transfers
from routing.transit.model import BusNetwork, SpeedModel
from tests.routing.journeys.test_raptor_planner import ISLAND, NORTH, WEST, access_records, bus_network, street_graph

SPEED = SpeedModel(
    form="test", dwell_s={"am": 20.0, "md": 20.0, "pm": 20.0}, speed_mps={"am": 6.0, "md": 6.0, "pm": 6.0},
    route_factor={}, detour_factor=1.3,
)  # fmt: skip
SITES = (
    Site("museum", "Museum", WEST[2][0] + 0.0005, WEST[2][1], ("heritage",)),
    Site("temple", "Temple", NORTH[2][0], NORTH[2][1] + 0.0005, ("heritage",)),
    Site("gallery", "Gallery", WEST[4][0] - 0.0005, WEST[4][1], ("ci_centre",)),
    Site("market", "Market", WEST[5][0], WEST[5][1], ("market",)),
    Site("island-shrine", "Island shrine", *ISLAND[0], ("spiritual",)),
)
OPTIONS = DesignOptions(headway_s=600, start_s=7 * 3600, end_s=10 * 3600, line_id="hl", name="Heritage test")


@pytest.fixture(scope="module")
def city() -> tuple[BusNetwork, FrozenGraph, dict[str, dict[str, Any]]]:
    walk = street_graph()
    bus = dataclasses.replace(bus_network(), speed_model=SPEED)
    return bus, walk, access_records(walk, bus)


@pytest.fixture(scope="module")
def line(city: tuple[BusNetwork, FrozenGraph, dict[str, dict[str, Any]]]) -> DesignedLine:
    bus, walk, _ = city
    return draft_line(
        walk,
        bus,
        SITES,
        interests={"heritage", "ci_centre"},
        start=Terminal(*WEST[1], "West terminal"),
        end=Terminal(*NORTH[3], "North terminal"),
        options=OPTIONS,
    )


def planner_with(
    city: tuple[BusNetwork, FrozenGraph, dict[str, dict[str, Any]]], line: DesignedLine
) -> tuple[BusPlanner, tuple[str, ...]]:
    bus, walk, access = city
    extended = add_line(bus, Timetable.from_network(bus), walk, access, line.schedule)
    planner = BusPlanner(extended.bus, extended.timetable, extended.transfers, walk, extended.stop_access, drive=walk)
    return planner, extended.route_ids


def test_design_chooses_themed_sites_and_reuses_stops(line: DesignedLine) -> None:
    schedule = line.schedule
    assert schedule.kind == "line"
    assert {site.place_id for site in line.sites} == {"museum", "temple", "gallery"}
    out, back = schedule.directions
    assert out.stop_ids[0] != out.stop_ids[-1]
    assert back.stop_ids == out.stop_ids[::-1]
    stops = schedule.stop_by_id()
    # N3 has today's stop osm:4 within 150 m: the terminal reuses it; the sites get new stops on the street.
    assert out.stop_ids[-1] == "osm:4"
    assert stops["osm:4"].is_new is False
    assert all(stops[s].is_new for s in out.stop_ids[:-1])
    # Street order: west terminal, museum (W2), gallery (W4), then up the branch to the temple (N2) and N3.
    sites = [stops[s].sites for s in out.stop_ids]
    assert sites == [(), ("museum",), ("gallery",), ("temple",), ()]
    # Run times follow the speed model (dwell 20 s + distance / 6 m/s) and the road shape follows the street.
    for distance, run in zip(out.leg_distance_m, out.leg_run_time_s, strict=True):
        assert run == pytest.approx(20.0 + distance / 6.0, abs=0.1)
    assert out.length_m == pytest.approx(back.length_m, rel=0.01)
    assert len(out.shape) >= len(out.stop_ids)
    metrics = line.metrics
    assert metrics.round_trip_s == pytest.approx(out.run_time_s + back.run_time_s + 2 * OPTIONS.layover_s)
    assert metrics.fleet_size == -(-int(metrics.round_trip_s) // 600)
    payload = line.to_dict()
    assert [s["order"] for s in payload["stops"]] == list(range(5))
    assert payload["fleet_size"] == metrics.fleet_size


def test_the_new_line_carries_journeys_that_today_walk(
    city: tuple[BusNetwork, FrozenGraph, dict[str, dict[str, Any]]], line: DesignedLine
) -> None:
    bus, walk, access = city
    before = BusPlanner(bus, Timetable.from_network(bus), build_transfers(bus, walk, access), walk, access)
    after, route_ids = planner_with(city, line)
    origin, destination = SITES[0], SITES[1]
    depart = 8 * 3600  # route 02 up the branch runs only at midday
    old = before.plan(origin.lat, origin.lon, destination.lat, destination.lon, depart_s=depart)
    new = after.plan(origin.lat, origin.lon, destination.lat, destination.lon, depart_s=depart)
    rides = [leg for leg in new.best.legs if isinstance(leg, BusLeg)]
    assert rides
    assert {leg.route_id for leg in rides} <= set(route_ids) | {"01:1"}
    assert any(leg.route_id in route_ids for leg in rides)
    assert new.best.arrive_s < old.best.arrive_s


def test_gtfs_validates_and_loads_back_into_raptor(
    city: tuple[BusNetwork, FrozenGraph, dict[str, dict[str, Any]]], line: DesignedLine, tmp_path: Path
) -> None:
    path = write_gtfs(line.schedule, tmp_path / "line.zip", start_date=dt.date(2026, 11, 23))
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
    assert names == {
        f"{n}.txt" for n in ("agency", "stops", "routes", "trips", "stop_times", "shapes", "frequencies", "calendar")
    }
    problems = validate_gtfs(path)
    assert [p for p in problems if p["type"] == "error"] == []
    back = read_gtfs_line(path)
    assert back.headway_s == 600
    assert (back.start_s, back.end_s) == (OPTIONS.start_s, OPTIONS.end_s)
    assert back.departures_s() == line.schedule.departures_s()
    for mine, theirs in zip(line.schedule.directions, back.directions, strict=True):
        assert theirs.stop_ids == mine.stop_ids
        assert theirs.offsets_s() == mine.offsets_s()
        assert theirs.length_m == pytest.approx(mine.length_m, rel=0.02)
    loaded = dataclasses.replace(line, schedule=back)
    planner, route_ids = planner_with(city, loaded)
    plan = planner.plan(SITES[0].lat, SITES[0].lon, SITES[1].lat, SITES[1].lon, depart_s=8 * 3600)
    assert any(isinstance(leg, BusLeg) and leg.route_id in route_ids for leg in plan.best.legs)


def test_gtfs_kit_reports_a_broken_feed(line: DesignedLine, tmp_path: Path) -> None:
    tables = gtfs_tables(line.schedule, start_date=dt.date(2026, 11, 23))
    tables["stop_times.txt"] = tables["stop_times.txt"].replace(b",osm:4,", b",nowhere,")
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(broken, "w") as archive:
        for name, content in tables.items():
            archive.writestr(name, content)
    assert any(p["type"] == "error" and p["table"] == "stop_times" for p in validate_gtfs(broken))


def test_gtfs_write_is_atomic(line: DesignedLine, tmp_path: Path) -> None:
    with pytest.raises(RoutingError, match="cannot write"):
        write_gtfs(line.schedule, tmp_path / "missing" / "line.zip", start_date=dt.date(2026, 11, 23))
    assert not (tmp_path / "missing").exists()
    target = tmp_path / "line.zip"
    write_gtfs(line.schedule, target, start_date=dt.date(2026, 11, 23))
    assert [p.name for p in tmp_path.iterdir()] == ["line.zip"]


def test_read_gtfs_rejects_other_files(tmp_path: Path) -> None:
    path = tmp_path / "not.zip"
    path.write_bytes(b"hello")
    with pytest.raises(RoutingError, match="not a GTFS zip"):
        read_gtfs_line(path)


def test_geojson(line: DesignedLine) -> None:
    collection = orjson.loads(orjson.dumps(line_geojson(line.schedule)))
    kinds = [f["properties"]["kind"] for f in collection["features"]]
    assert kinds.count("route") == 2
    assert kinds.count("stop") == 5
    route = collection["features"][0]["geometry"]
    assert route["type"] == "LineString"
    lon, lat = route["coordinates"][0]
    assert (lat, lon) == pytest.approx(line.schedule.directions[0].shape[0])


def test_loop(city: tuple[BusNetwork, FrozenGraph, dict[str, dict[str, Any]]]) -> None:
    bus, walk, _ = city
    designed = draft_line(walk, bus, SITES, place_ids=["museum", "gallery", "temple"], options=OPTIONS)
    [direction] = designed.schedule.directions
    assert designed.schedule.kind == "loop"
    assert direction.stop_ids[0] == direction.stop_ids[-1]
    assert len(set(direction.stop_ids)) == 3
    assert designed.metrics.round_trip_s == pytest.approx(direction.run_time_s + OPTIONS.layover_s)


def test_select_sites_spreads_and_groups() -> None:
    near = [Site(f"h{i}", f"H{i}", 21.03 + 0.0001 * i, 105.85, ("heritage",)) for i in range(3)]
    far = [Site(f"f{i}", f"F{i}", 21.03 + 0.01 * (i + 1), 105.85, ("heritage",)) for i in range(5)]
    groups = select_sites([*near, *far], interests={"heritage"}, cluster_m=300, max_stops=3, core_radius_m=10_000)
    assert len(groups) == 3
    assert [s.place_id for s in groups[0]] == ["h0", "h1", "h2"]  # the centre group, sites sharing one stop
    spread = {g[0].place_id for g in groups[1:]}
    assert "f4" in spread  # the farthest site is sampled first
    assert select_sites(near, place_ids=["h2", "h0"])[0][0].place_id == "h2"


def test_bad_input(city: tuple[BusNetwork, FrozenGraph, dict[str, dict[str, Any]]]) -> None:
    bus, walk, _ = city
    with pytest.raises(RoutingError, match="unknown place 'nowhere'"):
        draft_line(walk, bus, SITES, place_ids=["nowhere"], options=OPTIONS)
    with pytest.raises(RoutingError, match="headway"):
        draft_line(walk, bus, SITES, interests={"heritage"}, options=dataclasses.replace(OPTIONS, headway_s=0))
    with pytest.raises(RoutingError, match="give interests"):
        draft_line(walk, bus, SITES, options=OPTIONS)
    with pytest.raises(RoutingError, match="no place"):
        draft_line(walk, bus, SITES, interests={"nightlife"}, options=OPTIONS)
    with pytest.raises(OutsideAreaError, match="off the drive network"):
        draft_line(walk, bus, SITES, interests={"heritage"}, start=Terminal(10.0, 106.0, "Saigon"), options=OPTIONS)
    between = (21.02, 105.83)  # inside the area, 1 km from every street
    with pytest.raises(LineDesignError, match="off the drive network") as error:
        draft_line(walk, bus, SITES, interests={"heritage"}, start=Terminal(*between, "Field"), options=OPTIONS)
    assert error.value.field == "start"
    # The island's streets do not connect to the city's: its stop is on the nearest usable road, the rest walked.
    island = draft_line(walk, bus, SITES, place_ids=["museum", "island-shrine"], options=OPTIONS)
    walked = [stop for stop in island.schedule.stops if "island-shrine" in stop.sites]
    assert walked
    assert walked[0].walk_m > OPTIONS.max_snap_m
    assert island.to_dict()["walked_last_legs"][0]["sites"] == ["island-shrine"]
    with pytest.raises(LineDesignError, match="at least two distinct places") as error:
        draft_line(walk, bus, SITES, place_ids=["museum"], options=OPTIONS)
    assert error.value.field == "place_ids"
    shop = dataclasses.replace(SITES[0], place_id="museum-shop", name="Museum shop")  # the same spot
    with pytest.raises(LineDesignError, match="fewer than two distinct stops") as error:
        draft_line(walk, bus, [*SITES, shop], place_ids=["museum", "museum-shop"], options=OPTIONS)
    assert error.value.field == "place_ids"
