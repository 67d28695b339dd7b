"""The bus planner on a hand-made street line with three bus routes (no bundle needed).

Streets: an east-west street W0..W6 at 21.03 N (nodes ~520 m apart, 3.1 km), a branch north from W6 to N3
(~500 m apart), and a two-node island far to the south-east. Stops: S0 at W0, S1 at W3, S2 at W6, S3 on the branch
50 m north of W6 (a foot transfer from S2), S4 at N3, S5 on the island (no bus), S6 and S7 off the network.
Routes: 01 S0 -> S1 -> S2 all day every 10 min; 02 S3 -> S4 midday only every 20 min; 03 S1 -> S6 all day.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

import networkx as nx
import numpy as np
import pytest

from routing.errors import NoRouteError, NoServiceError, OutsideAreaError, RoutingError, TooFarFromStreetError
from routing.geo import haversine_m
from routing.graph.frozen import FrozenGraph
from routing.journeys import BusLeg, BusPlan, BusPlanner, Journey, WalkLeg, clock
from routing.streets.snap import EdgeSnapper
from routing.transit import Timetable, Transfers, build_transfers
from routing.transit.model import BusNetwork, BusRoute, BusStop, ServicePeriod, SpeedModel
from tests.routing.tiny import bus_route

LAT = 21.03
WEST = {i: (LAT, 105.80 + 0.005 * i) for i in range(7)}
NORTH = {i: (LAT + 0.0045 * i, WEST[6][1]) for i in range(1, 4)}
ISLAND = ((21.005, 105.84), (21.0055, 105.84))
PERIODS = (
    ServicePeriod("am", 6 * 3600 + 1800, 9 * 3600 + 1800),
    ServicePeriod("md", 9 * 3600 + 1800, 16 * 3600 + 1800),
    ServicePeriod("pm", 16 * 3600 + 1800, 19 * 3600 + 2700),
)
SPEED = SpeedModel(form="test", dwell_s={}, speed_mps={}, route_factor={}, detour_factor=1.3)
Headways = Mapping[str, float | None]
ALL_DAY: Headways = {"am": 600.0, "md": 600.0, "pm": 600.0}
S3_POINT = (LAT + 0.00045, WEST[6][1])  # 50 m up the branch
S6_POINT = (21.015, 105.815)  # 1.6 km south of the street: off the network
S7_POINT = (21.0151, 105.8158)  # 85 m from S6


def street_graph() -> FrozenGraph:
    graph = nx.MultiDiGraph()
    points = {f"W{i}": p for i, p in WEST.items()} | {f"N{i}": p for i, p in NORTH.items()}
    points |= {"I0": ISLAND[0], "I1": ISLAND[1]}
    ids = {name: index + 1 for index, name in enumerate(points)}
    for name, (lat, lon) in points.items():
        graph.add_node(ids[name], y=lat, x=lon)
    chain = [f"W{i}" for i in range(7)] + [f"N{i}" for i in range(1, 4)]
    for u, v in [*itertools.pairwise(chain), ("I0", "I1")]:
        length = float(haversine_m(*points[u], *points[v]))
        graph.add_edge(ids[u], ids[v], length=length, highway="residential", name="Phố Test")
        graph.add_edge(ids[v], ids[u], length=length, highway="residential", name="Phố Test")
    return FrozenGraph.from_networkx(graph)


def route(route_id: str, stops: tuple[str, ...], run_s: tuple[float, ...], headways: Headways) -> BusRoute:
    return bus_route(route_id, stops, run_s, headways, name=f"Tuyến {route_id}", leg_m=1500.0)


def bus_network() -> BusNetwork:
    points = [WEST[0], WEST[3], WEST[6], S3_POINT, NORTH[3], ISLAND[0], S6_POINT, S7_POINT]
    stops = tuple(BusStop(f"osm:{i}", f"Bến {i}", lat, lon, "osm") for i, (lat, lon) in enumerate(points))
    routes = (
        route("01:1", ("osm:0", "osm:1", "osm:2"), (120.0, 120.0), ALL_DAY),
        route("02:1", ("osm:3", "osm:4"), (180.0,), {"am": None, "md": 1200.0, "pm": None}),
        route("03:1", ("osm:1", "osm:6"), (300.0,), ALL_DAY),
    )
    return BusNetwork(stops=stops, routes=routes, periods=PERIODS, speed_model=SPEED)


def access_records(walk: FrozenGraph, bus: BusNetwork) -> dict[str, dict[str, Any]]:
    """Per-stop access records the way the bundle builder writes them."""
    snaps = EdgeSnapper(walk).snap([s.lat for s in bus.stops], [s.lon for s in bus.stops], max_distance_m=250.0)
    records: dict[str, dict[str, Any]] = {}
    for index, stop in enumerate(bus.stops):
        on = bool(snaps.on_network[index])
        records[stop.stop_id] = {
            "off_network": not on,
            "edge": int(snaps.edge[index]) if on else None,
            "fraction": float(snaps.fraction[index]) if on else None,
            "node": int(snaps.node[index]) if on else None,
            "snap_distance_m": float(snaps.distance_m[index]) if on else None,
        }
    return records


def tiny_planner() -> BusPlanner:
    """The bus planner of the test streets and network (no drive graph)."""
    walk = street_graph()
    bus = bus_network()
    records = access_records(walk, bus)
    return BusPlanner(bus, Timetable.from_network(bus), build_transfers(bus, walk, records), walk, records)


@pytest.fixture(scope="module")
def parts() -> tuple[BusNetwork, FrozenGraph, dict[str, dict[str, Any]], Transfers]:
    walk = street_graph()
    bus = bus_network()
    records = access_records(walk, bus)
    return bus, walk, records, build_transfers(bus, walk, records)


@pytest.fixture(scope="module")
def planner(parts: tuple[BusNetwork, FrozenGraph, dict[str, dict[str, Any]], Transfers]) -> BusPlanner:
    bus, walk, records, transfers = parts
    return BusPlanner(bus, Timetable.from_network(bus), transfers, walk, records, drive=walk)


def at(hours: int, minutes: int = 0, seconds: int = 0) -> int:
    return hours * 3600 + minutes * 60 + seconds


def bus_legs(legs: tuple[WalkLeg | BusLeg, ...]) -> list[BusLeg]:
    return [leg for leg in legs if isinstance(leg, BusLeg)]


def the_journey(plan: BusPlan, *kinds: type) -> tuple[Journey, list[Any]]:
    """The plan's one journey, which beats walking, and its legs, checked to be of ``kinds`` in order."""
    assert plan.bus_beats_walking
    [journey] = plan.journeys
    assert len(journey.legs) == len(kinds)
    assert all(isinstance(leg, kind) for leg, kind in zip(journey.legs, kinds, strict=True))
    return journey, list(journey.legs)


def test_transfers_between_nearby_stops(parts: tuple[BusNetwork, FrozenGraph, dict[str, Any], Transfers]) -> None:
    _, _, records, transfers = parts
    assert records["osm:6"]["off_network"]
    pairs = {
        (int(a), int(b)): (float(length), bool(estimated))
        for a, b, length, estimated in zip(
            transfers.from_stop, transfers.to_stop, transfers.length_m, transfers.estimated, strict=True
        )
    }
    assert set(pairs) == {(2, 3), (3, 2), (6, 7), (7, 6)}
    length, estimated = pairs[(2, 3)]
    assert not estimated
    assert 49.0 <= length <= 51.0
    straight = float(haversine_m(*S6_POINT, *S7_POINT))
    assert pairs[(6, 7)][0] == pytest.approx(straight * 1.3, abs=0.1)
    assert pairs[(6, 7)][1]
    first = int(np.flatnonzero(transfers.from_stop == 2)[0])
    assert transfers.walk_s[first] == int(np.ceil(transfers.length_m[first] / 1.25))


def test_transfers_round_trip(parts: tuple[BusNetwork, FrozenGraph, dict[str, Any], Transfers], tmp_path: Any) -> None:
    transfers = parts[3]
    path = tmp_path / "transfers.npz"
    transfers.save(path)
    loaded = Transfers.load(path)
    assert loaded.stop_ids == transfers.stop_ids
    assert np.array_equal(loaded.walk_s, transfers.walk_s)
    assert np.array_equal(loaded.estimated, transfers.estimated)
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(RoutingError):
        Transfers.load(path)


def test_direct_ride_beats_walking(planner: BusPlanner) -> None:
    plan = planner.plan(*WEST[0], *WEST[6], depart_s=at(9))
    assert plan.bus_beats_walking
    assert plan.walk_only is None
    [journey] = plan.journeys
    [leg] = journey.legs  # both ends sit on the stops: no walk legs
    assert isinstance(leg, BusLeg)
    assert (leg.ref, leg.board_stop_name, leg.alight_stop_name) == ("01", "Bến 0", "Bến 2")
    assert (leg.depart_s, leg.arrive_s, leg.wait_s, leg.ride_s, leg.stops_passed) == (at(9), at(9, 4), 0, 240, 2)
    assert leg.on_road
    # along the street through W1..W5, not a straight line between the stops
    lons = [lon for _, lon in leg.coordinates]
    assert len(leg.coordinates) == 7
    assert lons == sorted(lons)
    assert plan.best is journey


def test_waiting_for_the_next_trip(planner: BusPlanner) -> None:
    plan = planner.plan(*WEST[0], *WEST[6], depart_s=at(9, 0, 1))
    [journey] = plan.journeys
    [leg] = bus_legs(journey.legs)
    assert leg.depart_s == at(9, 10)
    assert journey.depart_s == at(9, 10)  # leave when it is time to catch it
    assert journey.arrive_s == at(9, 14)


def test_foot_transfer_and_wait_for_the_second_bus(planner: BusPlanner) -> None:
    plan = planner.plan(*WEST[0], *NORTH[3], depart_s=at(10))
    journey, (first, transfer, second) = the_journey(plan, BusLeg, WalkLeg, BusLeg)
    assert (first.ref, first.arrive_s) == ("01", at(10, 4))
    assert transfer.kind == "transfer"
    assert (transfer.from_stop_id, transfer.to_stop_id) == ("osm:2", "osm:3")
    assert transfer.depart_s == at(10, 4)
    assert transfer.duration_s == 40
    assert not transfer.estimated
    # route 02 runs every 20 min from 09:30: the 10:10 trip
    assert (second.ref, second.depart_s, second.wait_s, second.arrive_s) == ("02", at(10, 10), 320, at(10, 13))
    assert journey.rides == 2
    assert journey.wait_s == 320
    assert journey.walk_m == pytest.approx(transfer.length_m)


def test_route_running_in_one_period_only(planner: BusPlanner) -> None:
    # At 08:00 route 02 does not run yet (midday only, from 09:30): walking 4.6 km arrives before it.
    plan = planner.plan(*WEST[0], *NORTH[3], depart_s=at(8))
    assert not plan.bus_beats_walking
    assert plan.walk_only is not None
    assert plan.best is plan.walk_only
    [journey] = plan.journeys
    second = bus_legs(journey.legs)[1]
    assert second.depart_s == at(9, 30)
    assert plan.walk_only.arrive_s <= journey.arrive_s
    [walk] = plan.walk_only.legs
    assert isinstance(walk, WalkLeg)
    assert walk.kind == "walk"
    assert walk.length_m == pytest.approx(6 * 520 + 1500, rel=0.03)


def test_max_rides_limits_the_journeys(planner: BusPlanner) -> None:
    plan = planner.plan(*WEST[0], *NORTH[3], depart_s=at(10), max_rides=1)
    assert plan.journeys == ()
    assert plan.walk_only is not None
    with pytest.raises(RoutingError):
        planner.plan(*WEST[0], *NORTH[3], depart_s=at(10), max_rides=5)


def test_walk_only_when_no_bus_helps(planner: BusPlanner) -> None:
    plan = planner.plan(*WEST[0], *WEST[1], depart_s=at(9, 0, 1))
    assert plan.journeys == ()
    assert not plan.bus_beats_walking
    assert plan.walk_only is not None
    assert plan.walk_only.duration_s == pytest.approx(520 / 1.25, abs=5)


@pytest.mark.parametrize("depart", [at(22), at(3), at(4, 29), at(19, 45), at(23, 59, 59)])
def test_no_service_at_night(planner: BusPlanner, depart: int) -> None:
    with pytest.raises(NoServiceError):
        planner.plan(*WEST[0], *WEST[6], depart_s=depart)


def test_early_morning_waits_for_the_first_bus(planner: BusPlanner) -> None:
    plan = planner.plan(*WEST[0], *WEST[6], depart_s=at(5))
    assert bus_legs(plan.journeys[0].legs)[0].depart_s == at(6, 30)


def test_unreachable_island_raises_no_route(planner: BusPlanner) -> None:
    with pytest.raises(NoRouteError):
        planner.plan(*WEST[0], *ISLAND[1], depart_s=at(9))


def test_off_network_destination_needs_an_access_list(planner: BusPlanner) -> None:
    with pytest.raises(TooFarFromStreetError):
        planner.plan(*WEST[0], *S6_POINT, depart_s=at(9))
    target = (S6_POINT[0] - 0.0018, S6_POINT[1])  # 200 m south of stop 6
    access = planner.access_list([{"stop_id": "osm:6", "distance_m": 200.0, "walk_s": 160.0, "estimated": True}])
    plan = planner.plan(*WEST[0], *target, depart_s=at(9), to_access=access)
    journey, (first, second, last) = the_journey(plan, BusLeg, BusLeg, WalkLeg)
    assert (first.ref, second.ref) == ("01", "03")
    assert second.alight_stop_id == "osm:6"
    assert not second.on_road  # stop 6 is off the road network: a straight segment
    assert last.kind == "egress"
    assert last.estimated
    assert journey.estimated
    assert last.coordinates == (S6_POINT, target)
    assert journey.arrive_s == second.arrive_s + 160


def test_bad_points(planner: BusPlanner) -> None:
    with pytest.raises(OutsideAreaError):
        planner.plan(22.5, 105.8, *WEST[6], depart_s=at(9))
    with pytest.raises(OutsideAreaError):
        planner.plan(float("nan"), 105.8, *WEST[6], depart_s=at(9))
    with pytest.raises(OutsideAreaError):
        planner.plan(*WEST[0], 95.0, 105.8, depart_s=at(9))
    with pytest.raises(RoutingError):
        planner.plan(*WEST[0], *WEST[6], depart_s=90_000)
    with pytest.raises(RoutingError):
        planner.access_list([{"stop_id": "osm:999", "walk_s": 10.0}])


def test_json_and_geojson(planner: BusPlanner) -> None:
    plan = planner.plan(*WEST[0], *NORTH[3], depart_s=at(10))
    journey = plan.journeys[0]
    data = journey.to_dict()
    assert data["depart"] == "10:00:00"
    assert data["arrive"] == "10:13:00"
    assert [leg["mode"] for leg in data["legs"]] == ["bus", "walk", "bus"]
    assert data["legs"][0]["coordinates"][0] == [WEST[0][0], WEST[0][1]]
    geojson = journey.to_geojson()
    assert geojson["type"] == "FeatureCollection"
    assert len(geojson["features"]) == 3
    for feature in geojson["features"]:
        assert feature["geometry"]["type"] == "LineString"
        lon, lat = feature["geometry"]["coordinates"][0]
        assert 105 < lon < 106
        assert 20 < lat < 22
        assert "coordinates" not in feature["properties"]
    assert plan.to_dict()["bus_beats_walking"] is True
    assert clock(at(25, 1, 2)) == "25:01:02"


def test_mismatched_parts_are_rejected(parts: tuple[BusNetwork, FrozenGraph, dict[str, Any], Transfers]) -> None:
    bus, walk, records, transfers = parts
    other = BusNetwork(stops=bus.stops[:-1], routes=bus.routes, periods=bus.periods, speed_model=bus.speed_model)
    with pytest.raises(RoutingError):
        BusPlanner(other, Timetable.from_network(bus), transfers, walk, records)
