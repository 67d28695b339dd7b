"""Unit tests of the transit compiler's pieces on small hand-made inputs."""

from __future__ import annotations

import numpy as np
import orjson
import pytest

from routing.build.transit import normalise_line_ref
from routing.build.transit.gtfs_clip import ClipService
from routing.build.transit.matching import match_routes
from routing.build.transit.ordering import chainage, left_fraction, path_length_m, prefer_right_hand, repair_order
from routing.build.transit.periods import derive_periods, headway_s
from routing.build.transit.stops import estimate_offset
from routing.errors import BundleError, RoutingError
from routing.transit import BusNetwork, BusRoute, BusStop, ServicePeriod, SpeedModel


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("01", "1"),
        ("1", "1"),
        ("BRT01", "BRT1"),
        ("09A", "9A"),
        ("9a", "9A"),
        ("CNG03", "CNG3"),
        ("100", "100"),
        (" 22 C", "22C"),
    ],
)
def test_normalise_line_ref(ref: str, expected: str) -> None:
    assert normalise_line_ref(ref) == expected


def test_letter_suffix_is_part_of_the_line() -> None:
    assert normalise_line_ref("09A") != normalise_line_ref("09")
    assert normalise_line_ref("weird-ref") == "WEIRD-REF"


def test_headway_from_trip_counts() -> None:
    assert headway_s(43, 25_200) == 600.0
    assert headway_s(1, 10_800) == 10_800.0
    assert headway_s(0, 10_800) is None


def _street(n: int, *, offset_m: float = 0.0, step_m: float = 400.0) -> np.ndarray:
    """Stops along a street running east, ``offset_m`` north of its centre line."""
    return np.column_stack([np.arange(n) * step_m, np.full(n, offset_m)])


def test_repair_order_undoes_swapped_neighbours_and_reversal() -> None:
    xy = _street(12)
    scrambled = [1, 0, 3, 2, 4, 6, 5, 7, 9, 8, 10, 11]
    order = repair_order(xy[scrambled])
    repaired = np.array(scrambled)[order]
    assert list(repaired) in (list(range(12)), list(range(11, -1, -1)))
    assert path_length_m(xy[repaired]) == pytest.approx(11 * 400.0)


def test_repair_order_keeps_a_good_order_and_small_inputs() -> None:
    xy = _street(8)
    assert list(repair_order(xy)) == list(range(8))
    assert list(repair_order(xy[:3])) == [0, 1, 2]


def test_right_hand_traffic_decides_direction() -> None:
    eastbound = _street(10, offset_m=-12.0)  # right-hand traffic: eastbound stops on the south side
    westbound = _street(10, offset_m=12.0)[::-1]
    assert prefer_right_hand(eastbound, westbound) is True
    assert prefer_right_hand(eastbound[::-1], westbound) is False
    fraction, count = left_fraction(eastbound, westbound)
    assert fraction == 1.0
    assert count == 10
    assert prefer_right_hand(eastbound, np.zeros((0, 2))) is None
    assert prefer_right_hand(eastbound, eastbound) is None  # shared platforms cannot tell


def test_chainage_along_a_polyline() -> None:
    route = np.array([[0.0, 0.0], [1000.0, 0.0], [1000.0, 1000.0]])
    points = np.array([[500.0, 10.0], [1010.0, 500.0], [0.0, -5.0]])
    assert np.allclose(chainage(points, route), [500.0, 1500.0, 0.0])


def test_offset_estimate_recovers_a_constant_shift() -> None:
    rng = np.random.default_rng(1)
    reference = rng.uniform(0, 20_000, size=(400, 2))
    source = reference - np.array([16.0, -25.0]) + rng.normal(0, 2.0, size=(400, 2))
    offset, report = estimate_offset(source, reference)
    assert offset == pytest.approx([16.0, -25.0], abs=1.0)
    assert report["median_nearest_m_after"] < 5.0
    zero, _ = estimate_offset(source[:10], reference[:10])
    assert list(zero) == [0.0, 0.0]


def test_matching_pairs_relations_with_the_direction_on_their_side() -> None:
    eastbound = _street(10, offset_m=-12.0)
    westbound = _street(10, offset_m=12.0)[::-1]
    relations = {
        11: ("5", westbound + 3.0),  # listed order irrelevant: only positions count
        12: ("5", eastbound[::-1] + 3.0),
        13: ("5", eastbound + np.array([0.0, 5_000.0])),  # a variant elsewhere in the city
        14: ("77", eastbound),  # a line the feed does not have
    }
    routes = {"05_1": ("5", eastbound), "05_2": ("5", westbound), "06_1": ("6", eastbound)}
    matches, report = match_routes(relations, routes)
    assert [(m.relation_id, m.route_id) for m in matches] == [(12, "05_1"), (11, "05_2")]
    assert report["lines_osm_only"] == ["77"]
    assert report["lines_gtfs_only"] == 1


def test_matching_shared_platforms_gives_each_relation_one_direction() -> None:
    median = _street(10)
    relations = {1: ("BRT1", median), 2: ("BRT1", median)}
    routes = {"BRT01_1": ("BRT1", median), "BRT01_2": ("BRT1", median[::-1])}
    matches, _ = match_routes(relations, routes)
    assert sorted((m.relation_id, m.route_id) for m in matches) == [(1, "BRT01_1"), (2, "BRT01_2")]


def test_derive_periods_from_constant_intervals() -> None:
    start = 9 * 3600 + 1800
    services = [
        ClipService("A_1", "md", 5, tuple(start + 600 + k * 600 for k in range(43))),
        ClipService("B_1", "md", 3, tuple(start + 300 + k * 900 for k in range(29))),
        ClipService("C_1", "md", 2, tuple(start + 100 + k * 660 for k in range(40))),
    ]
    counts = {
        "A_1": {"am": 19, "md": 43, "pm": 21},
        "B_1": {"am": 13, "md": 29, "pm": 14},
        "C_1": {"am": 18, "md": 40, "pm": 19},
    }
    to_first = {"A_1": 600.0, "B_1": 300.0, "C_1": 100.0}
    periods, report = derive_periods(services, counts, to_first, period_names=("am", "md", "pm"))
    assert periods == (
        ServicePeriod("am", start - 10_800, start),
        ServicePeriod("md", start, start + 25_200),
        ServicePeriod("pm", start + 25_200, start + 25_200 + 11_700),
    )
    check = report["headway_check"]
    assert isinstance(check, dict)
    assert check["exact"] == 2  # 600 s and 900 s divide 7 h; 660 s does not


def test_derive_periods_needs_clip_departures() -> None:
    with pytest.raises(ValueError, match="constant interval"):
        derive_periods([ClipService("A_1", "md", 1, (0, 100))], {"A_1": {"md": 2}}, {}, period_names=("md",))


def _tiny_network() -> BusNetwork:
    stops = (
        BusStop("osm:1", "Bờ Hồ", 21.03, 105.85, "osm"),
        BusStop("gtfs:9_1_S2", "Bến Đường Láng", 21.02, 105.81, "gtfs"),
    )
    route = BusRoute(
        route_id="9:1",
        ref="9",
        direction=1,
        name="Bờ Hồ → Bến Đường Láng",
        source="osm+gtfs",
        stop_ids=("osm:1", "gtfs:9_1_S2"),
        leg_distance_m=(4321.5,),
        leg_run_time_s=(812.25,),
        leg_distance_estimated=(True,),
        headway_s={"am": 600.0, "md": None},
        headway_source="gtfs_trip_counts",
        gtfs_route_id="9_1",
        osm_relation_id=123,
    )
    model = SpeedModel(
        "f", {"am": 29.0, "md": 29.0}, {"am": 5.5, "md": 5.5}, {"9:1": 1.1}, 1.12, {"legs": 3, "nested": {"r2": 0.4}}
    )
    return BusNetwork(
        stops=stops,
        routes=(route,),
        periods=(ServicePeriod("am", 23_400, 34_200), ServicePeriod("md", 34_200, 59_400)),
        speed_model=model,
        merged_stop_ids={"gtfs:9_1_S1": "osm:1"},
        report={"matching": {"matched_pairs": 1}, "list": [1, 2.5, "x", None, True]},
    )


def test_tiny_network_round_trips_exactly() -> None:
    network = _tiny_network()
    again = BusNetwork.from_dict(orjson.loads(orjson.dumps(network.to_dict())))
    assert again == network
    summary = network.summary()
    assert summary["routes_with_3plus_stops_and_headway"] == 0  # only 2 stops
    assert summary["matching"] == {"matched_pairs": 1}
    assert network.resolve_stop_id("gtfs:9_1_S1") == "osm:1"
    assert network.period_at(23_400) == network.periods[0]
    assert network.period_at(59_400) is None


def test_from_dict_rejects_malformed_data() -> None:
    data = _tiny_network().to_dict()
    del data["routes"]
    with pytest.raises(BundleError, match="not a serialised bus network"):
        BusNetwork.from_dict(data)
    data = _tiny_network().to_dict()
    routes = data["routes"]
    assert isinstance(routes, list)
    route = routes[0]
    assert isinstance(route, dict)
    route["leg_run_time_s"] = []
    with pytest.raises(BundleError):
        BusNetwork.from_dict(data)


def test_route_leg_counts_must_match_stops() -> None:
    with pytest.raises(RoutingError, match="legs"):
        BusRoute("x:1", "x", 1, "a → b", "gtfs", ("a", "b", "c"), (1.0,), (1.0,), (False,), {}, "default")
