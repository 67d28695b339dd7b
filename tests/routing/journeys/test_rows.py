"""Place matrices and one-to-many times on the hand-made street line and bus routes of the planner tests."""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pytest

from routing.build.matrices import build_place_matrices, place_matrices
from routing.bundle.matrices import PlaceMatrices
from routing.errors import (
    BundleError,
    NoRouteError,
    NoServiceError,
    OutsideAreaError,
    RoutingError,
    TooFarFromStreetError,
)
from routing.geo import haversine_m
from routing.journeys import BusPlanner
from routing.journeys.rows import TravelTimes
from tests.routing.journeys.test_raptor_planner import (
    ISLAND,
    LAT,
    NORTH,
    S6_POINT,
    WEST,
    tiny_planner,
)
from tests.routing.round_trip import assert_same_fields, round_trip

SPEED = 1.25
P1 = (LAT, WEST[1][1] + 0.3 * (WEST[2][1] - WEST[1][1]))  # 30 % along the W1-W2 street
PLACES: list[dict[str, Any]] = [
    {"id": "p0", "lat": WEST[0][0], "lon": WEST[0][1]},
    {"id": "p1", "lat": P1[0], "lon": P1[1]},
    {"id": "p2", "lat": WEST[6][0], "lon": WEST[6][1]},
    {"id": "p3", "lat": NORTH[3][0], "lon": NORTH[3][1]},
    {"id": "off", "lat": S6_POINT[0] + 0.0002, "lon": S6_POINT[1]},
    {"id": "island", "lat": ISLAND[0][0], "lon": ISLAND[0][1]},
]
ACCESS: dict[str, dict[str, Any]] = {
    place["id"]: {"off_network": False} for place in PLACES if place["id"] != "off"
} | {"off": {"off_network": True, "access_stops": [{"stop_id": "osm:6", "walk_s": 20.0, "estimated": True}]}}
ON_NODES = ("p0", "p2", "p3")  # places exactly at a street node


@pytest.fixture(scope="module")
def planner() -> BusPlanner:
    return tiny_planner()


@pytest.fixture(scope="module")
def times(planner: BusPlanner) -> TravelTimes:
    return TravelTimes(planner, PLACES, ACCESS, speed_mps=SPEED)


@pytest.fixture(scope="module")
def matrices(times: TravelTimes) -> PlaceMatrices:
    return place_matrices(times)


def street_lengths() -> dict[str, dict[str, float]]:
    """All-pairs walks by networkx on the street line with p1 inserted as a node of its street."""
    graph = nx.Graph()
    chain = [WEST[i] for i in range(7)] + [NORTH[i] for i in range(1, 4)]
    points = [*chain[:2], P1, *chain[2:]]
    for a, b in itertools.pairwise(points):
        graph.add_edge(a, b, weight=float(haversine_m(*a, *b)))
    graph.add_edge(ISLAND[0], ISLAND[1], weight=float(haversine_m(*ISLAND[0], *ISLAND[1])))
    names = {"p0": WEST[0], "p1": P1, "p2": WEST[6], "p3": NORTH[3], "island": ISLAND[0]}
    lengths = dict(nx.all_pairs_dijkstra_path_length(graph))
    return {a: {b: lengths[pa].get(pb, math.nan) for b, pb in names.items()} for a, pa in names.items()}


def test_walk_matrix_equals_networkx(matrices: PlaceMatrices) -> None:
    expected = street_lengths()
    for a in expected:
        for b in expected:
            got = float(matrices.walk_m[matrices.index(a), matrices.index(b)])
            if math.isnan(expected[a][b]):
                assert math.isnan(got), (a, b)
            else:
                assert got == pytest.approx(expected[a][b], abs=1.0), (a, b)
    off = matrices.index("off")
    assert np.isnan(np.delete(matrices.walk_m[off], off)).all()
    assert np.isnan(np.delete(matrices.walk_m[:, off], off)).all()
    assert np.all(np.diag(matrices.walk_m) == 0)
    assert matrices.walk_s(2.5)[0, 2] == pytest.approx(matrices.walk_m[0, 2] / 2.5)


def planner_best_s(planner: BusPlanner, a: dict[str, Any], b: dict[str, Any], depart_s: int) -> float:
    """Door-to-door seconds of the planner's fastest option (bus journey or walk), NaN when none."""
    from_access = planner.access_list(ACCESS[a["id"]]["access_stops"]) if a["id"] == "off" else None
    to_access = planner.access_list(ACCESS[b["id"]]["access_stops"]) if b["id"] == "off" else None
    try:
        plan = planner.plan(
            a["lat"], a["lon"], b["lat"], b["lon"], depart_s=depart_s, from_access=from_access, to_access=to_access
        )
    except NoRouteError:
        return math.nan
    arrivals = [journey.arrive_s for journey in plan.journeys]
    if plan.walk_only is not None:
        arrivals.append(plan.walk_only.arrive_s)
    return float(min(arrivals) - depart_s)


def test_bus_matrix_matches_point_to_point_planner(planner: BusPlanner, matrices: PlaceMatrices) -> None:
    assert set(matrices.bus_s) == {"am", "md", "pm"}
    assert matrices.depart_s == {"am": 8 * 3600, "md": 13 * 3600, "pm": 18 * 3600 + 7 * 60}
    for period, depart in matrices.depart_s.items():
        table = matrices.bus_s[period]
        for i, a in enumerate(PLACES):
            for j, b in enumerate(PLACES):
                if i == j:
                    assert table[i, j] == 0
                    continue
                expected = planner_best_s(planner, a, b, depart)
                got = float(table[i, j])
                if math.isnan(expected):
                    assert math.isnan(got), (period, a["id"], b["id"])
                elif a["id"] in (*ON_NODES, "off") and b["id"] in (*ON_NODES, "off"):
                    assert got == pytest.approx(expected, abs=1.0), (period, a["id"], b["id"])
                else:  # p1: the planner reaches it from one end of its street only
                    assert got <= expected + 1.0, (period, a["id"], b["id"])


def test_bus_never_slower_than_walking_and_uses_the_bus(matrices: PlaceMatrices) -> None:
    walk_s = matrices.walk_s()
    for table in matrices.bus_s.values():
        defined = ~np.isnan(walk_s)
        assert np.all(table[defined] <= walk_s[defined] + 1e-3)
    p0, p2 = matrices.index("p0"), matrices.index("p2")
    assert matrices.bus_s["md"][p0, p2] < walk_s[p0, p2] / 2  # route 01 runs W0 -> W6
    island = matrices.index("island")
    off = matrices.index("off")
    # no bus on the island; only the estimated straight-line walk to the off-network place, as the planner does
    assert np.isnan(np.delete(matrices.bus_s["md"][island], [island, off])).all()
    assert not np.isnan(matrices.bus_s["md"][p0, off])  # via route 03 to its access stop


def test_one_to_many_row_equals_matrix_row(times: TravelTimes, matrices: PlaceMatrices) -> None:
    p2 = matrices.index("p2")
    walk = times.one_to_many(WEST[6][0], WEST[6][1])
    np.testing.assert_allclose(walk, matrices.walk_s()[p2], atol=1e-2)
    bus = times.one_to_many(WEST[6][0], WEST[6][1], mode="bus", depart_s=matrices.depart_s["md"])
    np.testing.assert_allclose(bus, matrices.bus_s["md"][p2], atol=1e-2)
    some = times.one_to_many(WEST[6][0], WEST[6][1], ["p3", "p0"])
    np.testing.assert_allclose(some, walk[[3, 0]])


def test_row_table_gives_the_same_rows(planner: BusPlanner, times: TravelTimes) -> None:
    tabled = TravelTimes(planner, PLACES, ACCESS, speed_mps=SPEED, row_table=True)
    for lat, lon in (WEST[0], P1, (LAT + 0.0003, WEST[4][1]), NORTH[2]):
        np.testing.assert_allclose(tabled.one_to_many(lat, lon), times.one_to_many(lat, lon), atol=1e-2)
        np.testing.assert_allclose(
            tabled.one_to_many(lat, lon, mode="bus", depart_s=9 * 3600),
            times.one_to_many(lat, lon, mode="bus", depart_s=9 * 3600),
            atol=1e-2,
        )


def test_one_to_many_errors(times: TravelTimes) -> None:
    with pytest.raises(OutsideAreaError):
        times.one_to_many(0.0, 0.0)
    with pytest.raises(OutsideAreaError):
        times.one_to_many(math.nan, 105.8)
    with pytest.raises(TooFarFromStreetError):
        times.one_to_many(21.018, 105.83)
    with pytest.raises(RoutingError, match="unknown place"):
        times.one_to_many(*WEST[0], ["nowhere"])
    with pytest.raises(RoutingError, match="depart_s"):
        times.one_to_many(*WEST[0], mode="bus")
    with pytest.raises(NoServiceError):
        times.one_to_many(*WEST[0], mode="bus", depart_s=23 * 3600)
    with pytest.raises(RoutingError, match="mode"):
        times.one_to_many(*WEST[0], mode="car")  # type: ignore[arg-type]


def test_missing_access_record_is_a_bundle_error(planner: BusPlanner) -> None:
    with pytest.raises(BundleError):
        TravelTimes(planner, PLACES, {})
    with pytest.raises(RoutingError):
        build_place_matrices(planner, PLACES, ACCESS, speed_mps=0.0)


def test_save_load_round_trip_and_corrupt_file(matrices: PlaceMatrices, tmp_path: Path) -> None:
    path = tmp_path / "matrices.npz"
    loaded = round_trip(matrices, path)
    assert_same_fields(loaded, matrices, "place_ids", "depart_s", "speed_mps", "walk_m")
    for period, table in matrices.bus_s.items():
        np.testing.assert_array_equal(loaded.bus_s[period], table)
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(BundleError):
        PlaceMatrices.load(path)
    with pytest.raises(BundleError):
        PlaceMatrices.load(tmp_path / "missing.npz")
    with pytest.raises(RoutingError):
        matrices.index("nowhere")


@pytest.mark.slow
def test_hanoi_catalogue_matrices() -> None:
    from api.city import current_spec
    from api.settings import get_settings
    from recommender.city import build_city
    from routing.bundle.load import load_bundle

    settings = get_settings()
    bundle = load_bundle(build_city(current_spec(settings), settings.bundle_dir), verify_hashes=False)
    hanoi = BusPlanner(bundle.bus, bundle.timetable, bundle.transfers, bundle.walk, bundle.stop_access)
    result = build_place_matrices(hanoi, bundle.places, bundle.place_access)
    count = len(bundle.places)
    assert result.walk_m.shape == (count, count)
    assert np.all(np.diag(result.walk_m) == 0)
    both = ~np.isnan(result.walk_m) & ~np.isnan(result.walk_m.T)
    assert np.all(np.abs(result.walk_m - result.walk_m.T)[both] <= 1.0)
    # Places off the street network (beyond the extract: 31 of 297 in 2026-12) have no street walk; between the
    # others, nearly every pair has one both ways (the rest lie on small street islands).
    on = np.asarray([not bundle.place_access[place["id"]]["off_network"] for place in bundle.places])
    assert both[np.ix_(on, on)].mean() > 0.9
    walk_s = result.walk_s()
    for table in result.bus_s.values():
        assert np.all(np.diag(table) == 0)
        defined = ~np.isnan(walk_s)
        assert np.all(table[defined] <= walk_s[defined] + 1e-3)
        assert np.isnan(table).mean() < 0.05


def test_walk_index_buckets_give_the_same_rows(planner: BusPlanner, times: TravelTimes) -> None:
    from routing.build.contract import build_walk_index

    bucketed = TravelTimes(planner, PLACES, ACCESS, speed_mps=SPEED, walk_index=build_walk_index(planner.walk))
    assert bucketed.buckets is not None
    assert bucketed.buckets.entry_count > 0
    for lat, lon in (WEST[0], P1, (LAT + 0.0003, WEST[4][1]), NORTH[2], WEST[6], ISLAND[1]):
        walk = bucketed.one_to_many(lat, lon)
        np.testing.assert_allclose(walk, times.one_to_many(lat, lon), rtol=1e-6, atol=1e-2)
        for depart_s in (9 * 3600, 13 * 3600 + 600):
            np.testing.assert_allclose(
                bucketed.one_to_many(lat, lon, mode="bus", depart_s=depart_s),
                times.one_to_many(lat, lon, mode="bus", depart_s=depart_s),
                rtol=1e-6,
                atol=1e-2,
            )
    assert np.isnan(bucketed.one_to_many(*WEST[0], ["off"])).all()


def test_walk_index_of_another_graph_is_a_bundle_error(planner: BusPlanner) -> None:
    from routing.build.contract import build_walk_index
    from routing.graph.frozen import FrozenGraph
    from tests.routing.tiny import tiny_walk_graph

    other = build_walk_index(FrozenGraph.from_networkx(tiny_walk_graph()))
    with pytest.raises(BundleError, match="another graph"):
        TravelTimes(planner, PLACES, ACCESS, walk_index=other)
