"""The walking router on the real Hanoi bundle: lengths equal networkx Dijkstra's, a plausible famous walk."""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from routing.build.contract import build_walk_index
from routing.bundle.load import CityBundle
from routing.errors import NoRouteError
from routing.walk import Anchor, WalkIndex, WalkRouter
from tests.routing.walk.networkx_oracle import assert_same_length, networkx_length

pytestmark = pytest.mark.slow

PAIRS = 200
MAX_SNAP_M = 250.0
REL_TOLERANCE = 1e-3


@pytest.fixture(scope="module")
def router(hanoi_bundle: CityBundle, tmp_path_factory: pytest.TempPathFactory) -> WalkRouter:
    path = tmp_path_factory.mktemp("walk") / "walk_index.npz"
    build_walk_index(hanoi_bundle.walk).save(path)
    return WalkRouter(hanoi_bundle.walk, WalkIndex.load(path), bbox=hanoi_bundle.manifest.bbox)


@pytest.fixture(scope="module")
def graph(hanoi_bundle: CityBundle) -> nx.MultiDiGraph:
    return hanoi_bundle.walk.to_networkx()


def _assert_within(actual: float, expected: float) -> None:
    assert_same_length(actual, expected, rel=REL_TOLERANCE, abs_m=REL_TOLERANCE)  # REL_TOLERANCE x max(expected, 1 m)


def test_place_pairs_node_to_node_equal_networkx(
    hanoi_bundle: CityBundle, router: WalkRouter, graph: nx.MultiDiGraph
) -> None:
    nodes = [int(a["node"]) for a in hanoi_bundle.place_access.values() if not a["off_network"]]
    rng = np.random.default_rng(7)
    osmid = hanoi_bundle.walk.node_osmid
    for i, j in rng.integers(0, len(nodes), (PAIRS, 2)).tolist():
        s, t = nodes[i], nodes[j]
        _assert_within(router.route_nodes(s, t), networkx_length(graph, int(osmid[s]), int(osmid[t])))


def _spliced_length(graph: nx.MultiDiGraph, osmid: np.ndarray, start: Anchor, end: Anchor) -> float:
    """networkx on the graph with the two snapped points spliced in by their partial edge lengths."""
    links = [("s", int(osmid[node]), float(offset)) for node, offset in zip(*start.leave(), strict=True)]
    links += [(int(osmid[node]), "t", float(offset)) for node, offset in zip(*end.arrive(), strict=True)]
    if start.edge == end.edge:
        if end.fraction >= start.fraction:
            links.append(("s", "t", (end.fraction - start.fraction) * start.length_m))
        elif start.reverse >= 0:
            links.append(("s", "t", (start.fraction - end.fraction) * start.reverse_length_m))
    graph.add_edges_from((u, v, {"length": length}) for u, v, length in links)
    try:
        return networkx_length(graph, "s", "t")
    finally:
        graph.remove_nodes_from(["s", "t"])


def test_coordinate_pairs_point_to_point_equal_networkx(
    hanoi_bundle: CityBundle, router: WalkRouter, graph: nx.MultiDiGraph
) -> None:
    south, west, north, east = hanoi_bundle.manifest.bbox
    rng = np.random.default_rng(11)
    points: list[tuple[float, float]] = []
    while len(points) < 2 * PAIRS:
        lat, lon = rng.uniform(south, north, 2048), rng.uniform(west, east, 2048)
        on_network = router.snapper.snap(lat, lon, max_distance_m=MAX_SNAP_M).on_network
        points += list(zip(lat[on_network].tolist(), lon[on_network].tolist(), strict=True))
    routed = 0
    for (from_lat, from_lon), (to_lat, to_lon) in zip(points[0::2][:PAIRS], points[1::2][:PAIRS], strict=True):
        start, end = router.anchor_pair(from_lat, from_lon, to_lat, to_lon, max_snap_m=MAX_SNAP_M)
        expected = _spliced_length(graph, hanoi_bundle.walk.node_osmid, start, end)
        if math.isinf(expected):
            with pytest.raises(NoRouteError):
                router.route(from_lat, from_lon, to_lat, to_lon, max_snap_m=MAX_SNAP_M)
            continue
        journey = router.route(from_lat, from_lon, to_lat, to_lon, max_snap_m=MAX_SNAP_M)
        _assert_within(journey.length_m, expected)
        assert journey.snap_from_m <= MAX_SNAP_M
        assert journey.snap_to_m <= MAX_SNAP_M
        routed += 1
    assert routed >= PAIRS * 0.8


def test_old_quarter_to_temple_of_literature(hanoi_bundle: CityBundle, router: WalkRouter) -> None:
    places = {str(p["id"]): p for p in hanoi_bundle.places}
    start, end = places["hang-gai-silk-street"], places["temple-of-literature"]
    journey = router.route(start["lat"], start["lon"], end["lat"], end["lon"])
    assert 1500 <= journey.length_m <= 3500
    assert journey.duration_s == pytest.approx(journey.length_m / 1.25, rel=0.1)
    named = [step for step in journey.steps if step.street]
    assert len(named) >= 3
    assert sum(step.length_m for step in named) >= 0.6 * journey.length_m
    assert all(
        step.instruction.startswith("Walk ") and step.instruction.endswith(f" along {step.street}") for step in named
    )
    assert any("Văn Miếu" in (step.street or "") or "Quốc Tử Giám" in (step.street or "") for step in named)
    feature = journey.to_geojson()
    assert len(feature["geometry"]["coordinates"]) == len(journey.coordinates) > 20
    lon0, lat0 = feature["geometry"]["coordinates"][0]
    assert abs(lat0 - start["lat"]) < 0.003
    assert abs(lon0 - start["lon"]) < 0.003


def test_index_file_is_compact(router: WalkRouter, tmp_path: Path) -> None:
    path = tmp_path / "walk_index.npz"
    router.index.save(path)
    assert path.stat().st_size < 40 * 1024 * 1024
    assert router.index.shortcut_count < 2 * router.graph.edge_count
