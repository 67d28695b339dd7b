"""Compile the bus network from the real data in data/transit (no drive graph)."""

from __future__ import annotations

import math
from pathlib import Path

import orjson
import pytest

from routing.build.transit import compile_bus_network
from routing.transit import BusNetwork
from tests.routing.build.transit.test_transit_leg_distance import network_legs

TRANSIT_DIR = Path(__file__).resolve().parents[4] / "data" / "transit"


@pytest.fixture(scope="module")
def network() -> BusNetwork:
    return compile_bus_network(TRANSIT_DIR)


def test_compiling_reports_progress() -> None:
    """The compile time is part of the bundle build that bench/build.py times; no test asserts a timing."""
    messages: list[str] = []
    compile_bus_network(TRANSIT_DIR, on_progress=messages.append)
    assert len(messages) >= 5
    assert messages[-1].startswith("bus network:")


def test_issue_target_route_directions_with_stops_and_headway(network: BusNetwork) -> None:
    summary = network.summary()
    assert summary["routes_with_3plus_stops_and_headway"] >= 150
    assert summary["routes"] == len(network.routes)
    assert summary["stops"] == len(network.stops)


def test_both_sources_and_their_union_are_present(network: BusNetwork) -> None:
    sources = {route.source for route in network.routes}
    assert sources == {"osm", "gtfs", "osm+gtfs"}
    stop_sources = {stop.source for stop in network.stops}
    assert stop_sources == {"osm", "gtfs", "osm+gtfs"}
    matching = network.report["matching"]
    assert isinstance(matching, dict)
    assert matching["matched_pairs"] == sum(route.source == "osm+gtfs" for route in network.routes)
    assert matching["osm_relations"] == 137
    assert matching["gtfs_routes"] == 224
    # Every World Bank route-direction is in the network exactly once, matched or not.
    gtfs_ids = [route.gtfs_route_id for route in network.routes if route.gtfs_route_id is not None]
    assert len(gtfs_ids) == len(set(gtfs_ids)) == 224
    # Every OSM relation is used at most once.
    relation_ids = [route.osm_relation_id for route in network.routes if route.osm_relation_id is not None]
    assert len(relation_ids) == len(set(relation_ids)) == 137


def test_route_ids_are_unique_and_stable_in_form(network: BusNetwork) -> None:
    ids = [route.route_id for route in network.routes]
    assert len(ids) == len(set(ids))
    for route in network.routes:
        if route.gtfs_route_id is not None:
            assert route.route_id == f"{route.ref}:{route.direction}"
        else:
            assert route.route_id == f"{route.ref}:osm{route.osm_relation_id}"


@pytest.mark.parametrize(
    ("route_id", "first", "last"),
    [
        ("BRT01:1", "Yên Nghĩa", "Kim Mã"),
        ("BRT01:2", "Kim Mã", "Yên Nghĩa"),
        ("01:1", "Gia Lâm", "Yên Nghĩa"),
        ("01:2", "Yên Nghĩa", "Gia Lâm"),
    ],
)
def test_known_lines_run_between_their_terminals(network: BusNetwork, route_id: str, first: str, last: str) -> None:
    route = next(r for r in network.routes if r.route_id == route_id)
    stops = network.stop_by_id()
    assert route.source == "osm+gtfs"
    assert first in stops[route.stop_ids[0]].name
    assert last in stops[route.stop_ids[-1]].name
    assert route.name == f"{stops[route.stop_ids[0]].name} → {stops[route.stop_ids[-1]].name}"
    assert 20 <= len(route.stop_ids) <= 45
    assert 12_000 <= route.length_m <= 30_000
    assert 30 * 60 <= route.run_time_s <= 120 * 60
    assert route.headway_source == "gtfs_trip_counts"


def test_brt_runs_every_five_minutes(network: BusNetwork) -> None:
    route = next(r for r in network.routes if r.route_id == "BRT01:1")
    assert route.headway_s == {"am": 300.0, "md": 300.0, "pm": 300.0}


def test_line_09a_comes_from_osm_only_with_both_directions(network: BusNetwork) -> None:
    routes = [r for r in network.routes if r.ref == "09A"]
    assert len(routes) == 2
    stops = network.stop_by_id()
    ends = [(stops[r.stop_ids[0]].name, stops[r.stop_ids[-1]].name) for r in routes]
    assert ends[0] == ends[1][::-1]
    for route in routes:
        assert route.source == "osm"
        assert route.headway_source == "default"
        assert route.stop_sequence_source == "osm_repaired"
        assert len(route.stop_ids) >= 20


def test_every_stop_id_of_every_route_exists_and_stops_are_used(network: BusNetwork) -> None:
    stops = network.stop_by_id()
    assert len(stops) == len(network.stops)
    used = {stop_id for route in network.routes for stop_id in route.stop_ids}
    assert used <= set(stops)
    assert set(stops) <= used
    for stop in network.stops:
        assert stop.name
        assert 20.5 < stop.lat < 21.4
        assert 105.3 < stop.lon < 106.1
        assert stop.stop_id.startswith(("osm:", "gtfs:"))


def test_merged_ids_point_at_kept_stops(network: BusNetwork) -> None:
    stops = network.stop_by_id()
    assert len(network.merged_stop_ids) > 1000
    for source_id, kept in network.merged_stop_ids.items():
        assert source_id.startswith("gtfs:")
        assert kept in stops
        assert network.resolve_stop_id(source_id) == kept
    # A merged World Bank stop is within the merge radius (after the offset shift) of the OSM stop it became.
    assert all(
        stops[k].source == "osm+gtfs" for k in network.merged_stop_ids.values() if k.startswith("osm:") and k in stops
    )


def test_legs_have_positive_distances_and_run_times(network: BusNetwork) -> None:
    for route in network.routes:
        assert len(route.stop_ids) >= 2
        assert (
            len(route.leg_distance_m)
            == len(route.leg_run_time_s)
            == len(route.leg_distance_estimated)
            == len(route.stop_ids) - 1
        )
        assert all(a != b for a, b in zip(route.stop_ids, route.stop_ids[1:], strict=False))
    for _, straight, distance, _, run_time in network_legs(network):
        assert distance > 0
        assert distance >= straight - 0.1
        assert run_time > 0
        assert math.isfinite(distance)
        assert math.isfinite(run_time)


def test_distance_sources_without_a_drive_graph(network: BusNetwork) -> None:
    sources = network.report["leg_distance_sources"]
    assert isinstance(sources, dict)
    assert sources["drive_graph"] == 0
    assert sources["osm_route_distance"] > 0
    estimated = sum(sum(route.leg_distance_estimated) for route in network.routes)
    assert estimated == sources["great_circle_detour"]


def test_headways_are_positive_where_present(network: BusNetwork) -> None:
    period_names = {period.name for period in network.periods}
    for route in network.routes:
        assert set(route.headway_s) == period_names
        for value in route.headway_s.values():
            assert value is None or value > 0
    assert all(route.has_headway() for route in network.routes)


def test_periods_are_contiguous_daytime_spans(network: BusNetwork) -> None:
    periods = {period.name: (period.start_s, period.end_s) for period in network.periods}
    assert list(periods) == ["am", "md", "pm"]
    assert periods["md"] == (9 * 3600 + 1800, 16 * 3600 + 1800)
    assert periods["am"] == (6 * 3600 + 1800, 9 * 3600 + 1800)
    assert periods["pm"] == (16 * 3600 + 1800, 19 * 3600 + 2700)
    assert network.period_at(3 * 3600) is None  # no service at night
    assert network.period_at(12 * 3600) == network.periods[1]


def test_headways_agree_with_the_clip_departures(network: BusNetwork) -> None:
    check = network.report["periods"]
    assert isinstance(check, dict)
    headway_check = check["headway_check"]
    assert isinstance(headway_check, dict)
    assert headway_check["routes"] == 63
    assert headway_check["exact"] >= 50
    assert headway_check["max_rel_error"] <= 0.07


def test_round_trip_through_json_is_exact(network: BusNetwork) -> None:
    data = network.to_dict()
    text = orjson.dumps(data)
    again = BusNetwork.from_dict(orjson.loads(text))
    assert again == network
    assert again.to_dict() == data
    assert orjson.dumps(again.to_dict()) == text


def test_compile_is_deterministic(network: BusNetwork) -> None:
    again = compile_bus_network(TRANSIT_DIR)
    first = network.to_dict()
    second = again.to_dict()
    assert first == second


def test_summary_counts_add_up(network: BusNetwork) -> None:
    summary = network.summary()
    by_source = summary["routes_by_source"]
    assert isinstance(by_source, dict)
    assert sum(v for v in by_source.values() if isinstance(v, int)) == summary["routes"]
    matching = summary["matching"]
    assert isinstance(matching, dict)
    assert matching["matched_pairs"] + matching["osm_only"] == 137
    assert matching["matched_pairs"] + matching["gtfs_only"] == 224
    dropped = summary["dropped_routes"]
    assert isinstance(dropped, dict)
    assert set(dropped) == {"gtfs route with fewer than 2 stops", "osm relation with fewer than 2 stops"}
    orjson.dumps(summary)
