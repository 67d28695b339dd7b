"""Bus service hours and headways from the opening_hours / interval tags of OSM route relations."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest

from api.city import current_spec
from api.settings import get_settings
from recommender.city import build_city
from routing.build.transit.service_hours import (
    EARLY,
    EVENING,
    RelationHours,
    RouteRelation,
    RouteRelations,
    TagParseError,
    apply_service_hours,
    extend_periods,
    parse_interval_conditional,
    parse_interval_s,
    parse_opening_hours_s,
    read_route_relations,
    relation_hours,
    route_headways,
)
from routing.bundle.load import CityBundle, load_bundle
from routing.journeys import BusLeg, BusPlanner
from routing.transit.model import HOURS_FROM_COUNTS, BusNetwork, BusRoute, BusStop, ServicePeriod, SpeedModel
from routing.transit.timetable import Timetable
from tests.conftest import HANOI_PBF, VAN_MIEU_OSM

H = 3600
PERIODS = (
    ServicePeriod("am", 6 * H + 1800, 9 * H + 1800),
    ServicePeriod("md", 9 * H + 1800, 16 * H + 1800),
    ServicePeriod("pm", 16 * H + 1800, 19 * H + 2700),
)
EVENINGS_TO_23 = (EVENING, "evening-2030", "evening-2100", "evening-2130", "evening-2200", "evening-2230")
"""The half-hour evening periods from the end of the afternoon (19:45) to 23:00."""
SPEED = SpeedModel(form="test", dwell_s={}, speed_mps={}, route_factor={}, detour_factor=1.3)
STOPS = (
    BusStop("s0", "Bến xe Yên Nghĩa", 21.000, 105.800, "osm"),
    BusStop("s1", "Giữa", 21.000, 105.810, "osm"),
    BusStop("s2", "Bác Cổ", 21.000, 105.820, "osm"),
)


def bus_route(route_id: str, stop_ids: tuple[str, ...], **changes: object) -> BusRoute:
    route = BusRoute(
        route_id=route_id,
        ref=route_id.split(":", maxsplit=1)[0],
        direction=int(route_id.rsplit(":", maxsplit=1)[1]),
        name=route_id,
        source="osm+gtfs",
        stop_ids=stop_ids,
        leg_distance_m=tuple(1000.0 for _ in stop_ids[1:]),
        leg_run_time_s=tuple(200.0 for _ in stop_ids[1:]),
        leg_distance_estimated=tuple(False for _ in stop_ids[1:]),
        headway_s={"am": 600.0, "md": 900.0, "pm": 600.0},
        headway_source="gtfs_trip_counts",
        hours_source=HOURS_FROM_COUNTS,
    )
    return replace(route, **changes)  # type: ignore[arg-type]


def relation(relation_id: int, tags: dict[str, str], **changes: object) -> RouteRelation:
    item = RouteRelation(relation_id=relation_id, tags=tags, parent_ids=(), stop_lat=(), stop_lon=())
    return replace(item, **changes)  # type: ignore[arg-type]


# -- tag parsing: the forms found in the Hanoi extract, and bad ones -----------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10", (600, 600)),  # metro 2A: minutes
        ("00:20", (1200, 1200)),  # most Hanoibus lines: hh:mm
        ("00:05-00:15", (300, 900)),  # line 02: a range
        (" 00:11 ", (660, 660)),
        ("00:07:30", (450, 450)),
        ("12 min", (720, 720)),
        ("10-15", (600, 900)),
        ("7.5", (450, 450)),
        ("01:00", (3600, 3600)),
    ],
)
def test_interval_forms(text: str, expected: tuple[int, int]) -> None:
    assert parse_interval_s(text) == expected


@pytest.mark.parametrize("text", ["", "often", "00:75", "0", "00:00", "15-5", "25:00", "10;15", "10-", "-10", "5 h"])
def test_bad_intervals_raise(text: str) -> None:
    with pytest.raises(TagParseError):
        parse_interval_s(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mo-Su 05:00-22:30", ((5 * H, 22 * H + 1800),)),
        ("Mo-Su 05:02-22:30", ((5 * H + 120, 22 * H + 1800),)),
        ("05:00-21:10", ((5 * H, 21 * H + 600),)),
        ("Mo-Fr 05:00-21:00; Sa,Su 06:00-20:00", ((5 * H, 21 * H),)),  # the reference day is a Tuesday
        ("Mo-Su 05:00-00:30", ((5 * H, 24 * H + 1800),)),  # past midnight stays in the service day
        ("Mo-Su 05:00-12:00,13:00-21:00", ((5 * H, 12 * H), (13 * H, 21 * H))),
        ("Sa,Su 06:00-20:00", ()),  # no service on the reference day
    ],
)
def test_opening_hours_forms(text: str, expected: tuple[tuple[int, int], ...]) -> None:
    assert parse_opening_hours_s(text) == expected


@pytest.mark.parametrize("text", ["", "bla", "Mo-Su 25:00-26:00 xx", "05:00 to 22:00"])
def test_bad_opening_hours_raise(text: str) -> None:
    with pytest.raises(TagParseError):
        parse_opening_hours_s(text)


def test_interval_conditional_of_the_metro() -> None:
    rules = parse_interval_conditional("00:06 @ (Mo-Su 07:00-10:00); 00:06 @ (Mo-Su 16:30-19:00)")
    assert rules == (((360, 360), ((7 * H, 10 * H),)), ((360, 360), ((16 * H + 1800, 19 * H),)))
    with pytest.raises(TagParseError):
        parse_interval_conditional("00:06 (Mo-Su 07:00-10:00)")
    with pytest.raises(TagParseError):
        parse_interval_conditional("often @ (Mo-Su 07:00-10:00)")


def test_bad_tags_are_reported_not_raised() -> None:
    item, problems = relation_hours(relation(1, {"ref": "02", "opening_hours": "whenever", "interval": "often"}), {})
    assert item is None
    assert {problem["tag"] for problem in problems} == {"opening_hours", "interval"}
    assert all(problem["relation"] == 1 and problem["value"] for problem in problems)
    # One bad tag does not spoil the other.
    item, problems = relation_hours(
        relation(2, {"ref": "02", "opening_hours": "Mo-Su 05:00-22:00", "interval": "?"}), {}
    )
    assert item is not None
    assert item.windows_s == ((5 * H, 22 * H),)
    assert item.interval_s is None
    assert [problem["tag"] for problem in problems] == ["interval"]


def test_route_master_tags_fill_in() -> None:
    child = relation(10, {"ref": "25", "interval": "00:11"}, parent_ids=(11,))
    item, problems = relation_hours(child, {11: {"opening_hours": "Mo-Su 05:09-21:00"}})
    assert not problems
    assert item is not None
    assert item.windows_s == ((5 * H + 540, 21 * H),)
    assert item.interval_s == (660, 660)
    assert "osm:relation/10" in item.source
    assert "route_master relation/11" in item.source


# -- headways and periods ------------------------------------------------------------------------------------


def test_periods_extend_to_the_tagged_hours() -> None:
    periods = extend_periods(PERIODS, [(5 * H, 22 * H + 1800), (5 * H + 120, 21 * H)])
    assert [p.name for p in periods] == [EARLY, "am", "md", "pm", *EVENINGS_TO_23]
    assert (periods[0].start_s, periods[0].end_s) == (5 * H, PERIODS[0].start_s)
    # 19:45-23:00 in half hours; the odd quarter (19:45-20:00) joins the first one
    evening = periods[4:]
    assert [(p.start_s, p.end_s) for p in evening[:2]] == [(PERIODS[-1].end_s, 20 * H + 1800), (20 * H + 1800, 21 * H)]
    assert evening[-1].end_s == 23 * H
    assert all(a.end_s == b.start_s for a, b in itertools.pairwise(periods))
    assert all(p.timed_at_end for p in evening)
    assert not any(p.timed_at_end for p in periods[:4])
    short = extend_periods(PERIODS, [(6 * H + 1800, 21 * H)])
    assert [p.name for p in short] == ["am", "md", "pm", EVENING, "evening-2030", "evening-2100"]
    assert short[-1].end_s == 21 * H + 1800
    assert extend_periods(PERIODS, []) == PERIODS
    assert extend_periods(PERIODS, [(7 * H, 18 * H)]) == PERIODS


def test_an_evening_period_is_timed_at_its_last_minute() -> None:
    """Lines stop one by one in the evening: a bus counted on anywhere in the period must still run at its end."""
    periods = extend_periods(PERIODS, [(5 * H, 22 * H + 1800)])
    by_name = {p.name: p for p in periods}
    assert by_name["evening-2100"].representative_s == 21 * H + 1740
    assert by_name["md"].representative_s == (PERIODS[1].start_s + PERIODS[1].end_s) // 2 // 60 * 60
    assert all(ServicePeriod.from_dict(p.to_dict()) == p for p in periods)
    assert "timed_at_end" not in by_name["am"].to_dict()  # bundles written before the field load unchanged


def test_headway_rules() -> None:
    periods = extend_periods(PERIODS, [(5 * H, 22 * H + 1800)])
    gtfs = {"am": 300.0, "md": 1200.0, "pm": 300.0}
    window = ((5 * H, 22 * H + 1800),)
    ranged = RelationHours(1, "02", window, (300, 900), (), "osm:relation/1")
    headways, source = route_headways(ranged, gtfs, periods)
    assert headways == {EARLY: 900.0, "am": 300.0, "md": 900.0, "pm": 300.0, **dict.fromkeys(EVENINGS_TO_23, 900.0)}
    assert source == "osm_interval_range"
    hours_only = RelationHours(1, "BRT01", window, None, (), "osm:relation/1")
    headways, source = route_headways(hours_only, gtfs, periods)
    assert headways == {EARLY: 1200.0, "am": 300.0, "md": 1200.0, "pm": 300.0, **dict.fromkeys(EVENINGS_TO_23, 1200.0)}
    assert "estimated" in source
    conditional = RelationHours(1, "2A", window, (600, 600), (((360, 360), ((7 * H, 10 * H),)),), "osm:relation/1")
    headways, _ = route_headways(conditional, gtfs, periods)
    assert headways["am"] == 360.0  # the middle of 06:30-09:30 is 08:00
    assert headways["md"] == 600.0
    short_day = RelationHours(1, "90", ((5 * H + 1800, 19 * H + 1800),), (1200, 1200), (), "osm:relation/1")
    headways, _ = route_headways(short_day, gtfs, periods)
    assert all(headways[name] is None for name in EVENINGS_TO_23)
    interval_only = RelationHours(1, "CNG03", (), (900, 900), (), "osm:relation/1")
    headways, _ = route_headways(interval_only, gtfs, periods)
    assert headways == {EARLY: None, "am": 900.0, "md": 900.0, "pm": 900.0, **dict.fromkeys(EVENINGS_TO_23)}


def test_apply_matches_by_relation_id_then_line_and_direction() -> None:
    routes = (
        bus_route("02:1", ("s2", "s1", "s0"), osm_relation_id=100),
        bus_route("02:2", ("s0", "s1", "s2")),
        bus_route("41:1", ("s0", "s1", "s2")),
        bus_route("41:2", ("s2", "s1", "s0")),
        bus_route("99:1", ("s0", "s2")),
    )
    relations = RouteRelations(
        routes=(
            relation(100, {"ref": "02", "opening_hours": "Mo-Su 05:02-22:30", "interval": "00:05-00:15"}),
            # Line 41: told by from/to names (no stop positions in the extract).
            relation(200, {"ref": "41", "from": "Bác Cổ", "to": "Bến xe Yên Nghĩa", "opening_hours": "05:00-21:00"}),
            relation(300, {"ref": "41", "opening_hours": "not hours"}),
            relation(400, {"ref": "E02", "opening_hours": "Mo-Su 05:00-22:00"}),
        ),
        parent_tags={},
        other_route_types={},
    )
    updated, periods, report = apply_service_hours(routes, STOPS, PERIODS, relations)
    by_id = {route.route_id: route for route in updated}
    assert [p.name for p in periods] == [EARLY, "am", "md", "pm", *EVENINGS_TO_23]
    assert by_id["02:1"].service_hours_s == ((5 * H + 120, 22 * H + 1800),)
    assert by_id["02:1"].hours_source.startswith("osm:relation/100 opening_hours=Mo-Su 05:02-22:30")
    assert by_id["02:2"].hours_source.endswith("(line's other direction)")
    assert by_id["41:2"].hours_source.startswith("osm:relation/200")
    assert "other direction" in by_id["41:1"].hours_source
    assert by_id["99:1"].hours_source == HOURS_FROM_COUNTS
    assert by_id["99:1"].service_hours_s == ()
    assert by_id["99:1"].headway_s[EVENING] is None
    assert report["routes_with_osm_hours"] == 4
    assert report["last_departure"] == "22:30"
    assert report["unmatched_relations"] == [
        {"relation": 400, "ref": "E02", "reason": "no route of this line in the network"}
    ]
    unparseable = report["unparseable_tags"]
    assert isinstance(unparseable, list)
    assert [(p["relation"], p["tag"]) for p in unparseable if isinstance(p, dict)] == [(300, "opening_hours")]
    network = BusNetwork(stops=STOPS, routes=updated, periods=periods, speed_model=SPEED)
    assert network.summary()["routes_by_hours_source"] == {
        HOURS_FROM_COUNTS: 1,
        "osm opening_hours": 2,
        "osm opening_hours (line's other direction)": 2,
    }
    assert BusNetwork.from_dict(network.to_dict()) == network


def test_timetable_runs_from_the_first_to_the_last_tagged_departure() -> None:
    periods = extend_periods(PERIODS, [(5 * H + 120, 22 * H + 1800)])
    headways = {EARLY: 900.0, "am": 300.0, "md": 900.0, "pm": 300.0, **dict.fromkeys(EVENINGS_TO_23, 900.0)}
    tagged = bus_route("02:1", ("s0", "s1", "s2"), headway_s=headways, service_hours_s=((5 * H + 120, 22 * H + 1800),))
    untagged = bus_route("99:1", ("s0", "s2"), headway_s={**headways, EARLY: None, **dict.fromkeys(EVENINGS_TO_23)})
    short = bus_route("90:1", ("s2", "s0"), headway_s={**headways, EARLY: 1000.0}, service_hours_s=((6 * H, 19 * H),))
    timetable = Timetable.from_network(
        BusNetwork(stops=STOPS, routes=(tagged, untagged, short), periods=periods, speed_model=SPEED)
    )
    trips = [
        timetable.trip_depart_s[timetable.route_trip_start[r] : timetable.route_trip_start[r + 1]] for r in range(3)
    ]
    assert trips[0][0] == 5 * H + 120
    assert trips[0][-1] == 22 * H + 1800
    assert np.any(trips[0] > 21 * H)
    assert trips[1][0] == PERIODS[0].start_s
    assert trips[1][-1] < PERIODS[-1].end_s
    assert trips[2][0] == 6 * H
    assert trips[2][-1] == 19 * H  # the last departure runs even when off the grid
    assert np.all(np.diff(trips[2]) > 0)
    for route_trips in trips:
        period = timetable.trip_period[np.isin(timetable.trip_depart_s, route_trips)]
        assert np.all(period >= 0)


# -- reading the relations ----------------------------------------------------------------------------------


def test_reads_route_relations_and_their_masters() -> None:
    relations = read_route_relations(VAN_MIEU_OSM)
    by_id = {item.relation_id: item for item in relations.routes}
    assert by_id[12031903].ref == "BRT01"
    assert by_id[12031903].tags["opening_hours"] == "Mo-Su 05:00-22:00"
    assert 12031905 in by_id[12031903].parent_ids
    assert relations.other_route_types == {}
    metro = [item for item in relations.routes if item.route_type == "subway"]
    assert len(metro) == 2
    assert all(item.ref == "2A" and len(item.stop_node_ids) == 12 for item in metro)
    assert all(len(item.stop_lat) == len(item.stop_lon) for item in relations.routes)
    assert any(item.stop_lat for item in relations.routes)


# -- the real bundle ----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_hanoi_extract_tags_parse() -> None:
    relations = read_route_relations(HANOI_PBF)
    parsed = [relation_hours(item, relations.parent_tags) for item in relations.routes]
    assert sum(item is not None and item.has_hours for item, _ in parsed) >= 20
    assert not [problem for _, problems in parsed for problem in problems]


@pytest.fixture(scope="module")
def hanoi() -> CityBundle:
    settings = get_settings()
    return load_bundle(build_city(current_spec(settings), settings.bundle_dir))


def late_route(bundle: CityBundle) -> BusRoute:
    """A route whose OSM tags say it runs until 22:00 or later."""
    late = [route for route in bundle.bus.routes if (route.last_departure_s() or 0) >= 22 * H]
    assert late, "no route of the bundle has OSM hours until 22:00"
    return max(late, key=lambda route: (len(route.stop_ids), route.route_id))


@pytest.mark.slow
def test_bundle_records_where_hours_come_from(hanoi: CityBundle) -> None:
    summary = hanoi.manifest.summary["bus"]
    by_source = summary["routes_by_hours_source"]
    assert by_source[HOURS_FROM_COUNTS] + by_source["osm opening_hours"] <= len(hanoi.bus.routes)
    assert sum(by_source.values()) == len(hanoi.bus.routes)
    assert by_source["osm opening_hours"] >= 15
    assert summary["service_hours"]["routes_with_osm_hours"] == sum(
        1 for route in hanoi.bus.routes if route.service_hours_s
    )
    for route in hanoi.bus.routes:
        assert route.hours_source.startswith("osm:relation/") == bool(route.service_hours_s)
    names = [period.name for period in hanoi.bus.periods]
    evening = names[names.index(EVENING) :]
    assert len(evening) >= 2
    assert all(period.timed_at_end for period in hanoi.bus.periods[names.index(EVENING) :])
    assert set(hanoi.matrices.bus_s) == set(names)


@pytest.mark.slow
def test_a_line_tagged_until_22_has_a_trip_after_21(hanoi: CityBundle) -> None:
    route = late_route(hanoi)
    for timetable in (hanoi.timetable, Timetable.from_network(hanoi.bus)):
        index = timetable.route_ids.index(route.route_id)
        trips = timetable.trip_depart_s[timetable.route_trip_start[index] : timetable.route_trip_start[index + 1]]
        assert np.any(trips > 21 * H)
        assert int(trips.max()) == route.last_departure_s()


@pytest.mark.slow
def test_a_bus_journey_at_21_between_two_stops_of_that_line(hanoi: CityBundle) -> None:
    route = late_route(hanoi)
    planner = BusPlanner(hanoi.bus, hanoi.timetable, hanoi.transfers, hanoi.walk, hanoi.stop_access)
    stops = hanoi.bus.stop_by_id()
    board, alight = stops[route.stop_ids[1]], stops[route.stop_ids[len(route.stop_ids) * 2 // 3]]
    plan = planner.plan(board.lat, board.lon, alight.lat, alight.lon, depart_s=21 * H)
    assert plan.journeys
    rides = [leg for journey in plan.journeys for leg in journey.legs if isinstance(leg, BusLeg)]
    assert rides
    assert all(leg.depart_s >= 21 * H for leg in rides)
    assert plan.best.arrive_s > 21 * H
