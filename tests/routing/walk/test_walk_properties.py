"""The walking router against networkx Dijkstra on random small street graphs (hypothesis).

Graphs have random points in a ~1 km box, random two-way and one-way streets, parallel streets,
self-loops, zero-length edges and several components. Point-to-point routes are checked against
networkx on the graph with the two points spliced in as extra nodes (the independent formulation of
"start mid-edge, leave by either end").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routing.build.contract import build_walk_index
from routing.errors import NoRouteError, TooFarFromStreetError
from routing.geo import haversine_m
from routing.graph.frozen import FrozenGraph
from routing.walk import WalkIndex, WalkRouter
from tests.routing.walk.networkx_oracle import assert_same_length, networkx_length

LAT0, LON0 = 21.03, 105.85
SPAN_DEG = 0.01


@dataclass(frozen=True)
class RandomStreets:
    """A random street graph and a few random points around it."""

    graph: nx.MultiDiGraph
    points: list[tuple[float, float]]


@st.composite
def random_streets(draw: st.DrawFn) -> RandomStreets:
    node_count = draw(st.integers(min_value=2, max_value=24))
    coordinate = st.floats(min_value=0.0, max_value=SPAN_DEG, allow_nan=False)
    nodes = {
        1000 + i: (LAT0 + draw(coordinate), LON0 + draw(coordinate)) for i in range(node_count)
    }  # OSM-like ids, not 0..n-1, so index/osmid mix-ups show
    graph = nx.MultiDiGraph()
    for node, (lat, lon) in nodes.items():
        graph.add_node(node, y=lat, x=lon)
    ids = sorted(nodes)
    street_count = draw(st.integers(min_value=1, max_value=3 * node_count))
    for index in range(street_count):
        u = draw(st.sampled_from(ids))
        v = draw(st.sampled_from(ids))
        straight_m = float(haversine_m(*nodes[u], *nodes[v]))
        kind = draw(st.sampled_from(["two-way", "two-way", "two-way", "one-way", "zero"]))
        length_m = 0.0 if kind == "zero" else straight_m * draw(st.floats(min_value=1.0, max_value=1.6))
        attrs = {"length": length_m, "highway": draw(st.sampled_from(["residential", "footway", "steps"]))}
        if draw(st.booleans()):
            attrs["name"] = f"Street {index}"
        graph.add_edge(u, v, **attrs)
        if kind != "one-way" and u != v:
            graph.add_edge(v, u, **attrs)
    point = st.tuples(
        st.floats(min_value=LAT0 - 0.001, max_value=LAT0 + SPAN_DEG + 0.001),
        st.floats(min_value=LON0 - 0.001, max_value=LON0 + SPAN_DEG + 0.001),
    )
    points = draw(st.lists(point, min_size=2, max_size=6))
    return RandomStreets(graph, points)


def reference_lengths(graph: nx.MultiDiGraph, source: int) -> dict[int, float]:
    return dict(nx.single_source_dijkstra_path_length(graph, source, weight="length"))


def _reverse_length(graph: nx.MultiDiGraph, tail: int, head: int, length_m: float) -> float | None:
    """Length of the edge head -> tail closest in length to the given one (None if there is none)."""
    if tail == head or not graph.has_edge(head, tail):
        return None
    lengths = [data["length"] for data in graph.get_edge_data(head, tail).values()]
    return min(lengths, key=lambda other: abs(other - length_m))


def spliced_length(
    graph: nx.MultiDiGraph,
    osmid: np.ndarray,
    frozen: FrozenGraph,
    start: tuple[int, float],
    end: tuple[int, float],
) -> float:
    """Shortest length between two points on edges (edge index, fraction from its tail), via networkx.

    The points become extra nodes joined to the ends of their edges by the partial lengths (to the
    tail only where the street runs both ways), plus a direct link when both lie on one edge.
    """
    tail_of = frozen.tail()
    spliced = nx.MultiDiGraph(graph)
    source, target = "source", "target"
    spliced.add_node(source)
    spliced.add_node(target)
    ends = []
    for edge, fraction in (start, end):
        tail, head = int(osmid[tail_of[edge]]), int(osmid[frozen.head[edge]])
        length_m = float(frozen.length_m[edge])
        ends.append((tail, head, length_m, _reverse_length(graph, tail, head, length_m), fraction))
    tail, head, length_m, reverse_m, fraction = ends[0]
    spliced.add_edge(source, head, length=(1 - fraction) * length_m)
    if reverse_m is not None:
        spliced.add_edge(source, tail, length=fraction * reverse_m)
    tail, head, length_m, reverse_m, fraction = ends[1]
    spliced.add_edge(tail, target, length=fraction * length_m)
    if reverse_m is not None:
        spliced.add_edge(head, target, length=(1 - fraction) * reverse_m)
    if start[0] == end[0]:
        if end[1] >= start[1]:
            spliced.add_edge(source, target, length=(end[1] - start[1]) * ends[0][2])
        elif ends[0][3] is not None:
            spliced.add_edge(source, target, length=(start[1] - end[1]) * ends[0][3])
    return networkx_length(spliced, source, target)


def _assert_close(actual: float, expected: float) -> None:
    assert_same_length(actual, expected, rel=1e-9, abs_m=1e-6)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(streets=random_streets())
def test_node_to_node_lengths_equal_networkx(streets: RandomStreets) -> None:
    frozen = FrozenGraph.from_networkx(streets.graph)
    router = WalkRouter(frozen, build_walk_index(frozen))
    for s, source in enumerate(frozen.node_osmid.tolist()):
        expected = reference_lengths(streets.graph, source)
        for t, target in enumerate(frozen.node_osmid.tolist()):
            _assert_close(router.route_nodes(s, t), expected.get(target, math.inf))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(streets=random_streets())
def test_point_to_point_lengths_equal_spliced_networkx(streets: RandomStreets) -> None:
    frozen = FrozenGraph.from_networkx(streets.graph)
    router = WalkRouter(frozen, build_walk_index(frozen))
    max_snap_m = 400.0
    for (from_lat, from_lon), (to_lat, to_lon) in zip(streets.points, streets.points[1:], strict=False):
        try:
            start, end = router.anchor_pair(from_lat, from_lon, to_lat, to_lon, max_snap_m=max_snap_m)
        except TooFarFromStreetError:
            with pytest.raises(TooFarFromStreetError):
                router.route(from_lat, from_lon, to_lat, to_lon, max_snap_m=max_snap_m)
            continue
        expected = spliced_length(
            streets.graph, frozen.node_osmid, frozen, (start.edge, start.fraction), (end.edge, end.fraction)
        )
        if math.isinf(expected):
            with pytest.raises(NoRouteError):
                router.route(from_lat, from_lon, to_lat, to_lon, max_snap_m=max_snap_m)
            continue
        journey = router.route(from_lat, from_lon, to_lat, to_lon, max_snap_m=max_snap_m, steps_penalty=1.0)
        assert journey.length_m == pytest.approx(expected, rel=1e-9, abs=1e-6)
        assert journey.duration_s == pytest.approx(journey.length_m / 1.25, rel=1e-9, abs=1e-6)
        assert sum(step.length_m for step in journey.steps) == pytest.approx(journey.length_m, abs=1e-6)
        assert len(journey.coordinates) >= 2
        assert journey.coordinates[0] == pytest.approx((start.lat, start.lon))
        assert journey.coordinates[-1] == pytest.approx((end.lat, end.lon))
        assert journey.snap_from_m == pytest.approx(start.snap_m)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(streets=random_streets(), limit_m=st.one_of(st.none(), st.floats(min_value=0.0, max_value=1500.0)))
def test_lengths_from_equals_spliced_networkx(streets: RandomStreets, limit_m: float | None) -> None:
    frozen = FrozenGraph.from_networkx(streets.graph)
    router = WalkRouter(frozen, build_walk_index(frozen))
    lat, lon = streets.points[0]
    try:
        anchor = router.anchor(lat, lon, max_snap_m=400.0)
    except TooFarFromStreetError:
        with pytest.raises(TooFarFromStreetError):
            router.lengths_from(lat, lon, max_snap_m=400.0)
        return
    lengths = router.lengths_from(lat, lon, max_length_m=limit_m, max_snap_m=400.0)
    tail_of = frozen.tail()
    tail, head = int(frozen.node_osmid[tail_of[anchor.edge]]), int(frozen.node_osmid[frozen.head[anchor.edge]])
    spliced = nx.MultiDiGraph(streets.graph)
    spliced.add_edge("source", head, length=(1 - anchor.fraction) * anchor.length_m)
    reverse_m = _reverse_length(streets.graph, tail, head, anchor.length_m)
    if reverse_m is not None:
        spliced.add_edge("source", tail, length=anchor.fraction * reverse_m)
    expected = nx.single_source_dijkstra_path_length(spliced, "source", weight="length")
    for node, osmid in enumerate(frozen.node_osmid.tolist()):
        value = expected.get(osmid, math.inf)
        if limit_m is not None and value > limit_m:
            value = math.inf
        _assert_close(float(lengths[node]), value)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(streets=random_streets())
def test_index_survives_a_save_and_load(streets: RandomStreets, tmp_path_factory: pytest.TempPathFactory) -> None:
    frozen = FrozenGraph.from_networkx(streets.graph)
    index = build_walk_index(frozen)
    path = tmp_path_factory.mktemp("index") / "walk_index.npz"
    index.save(path)
    loaded = WalkIndex.load(path)
    assert loaded.matches(frozen)
    for name in ("up_indptr", "up_head", "down_tail", "arc_first", "arc_edge"):
        assert np.array_equal(getattr(loaded, name), getattr(index, name))
    router = WalkRouter(frozen, loaded)
    expected = reference_lengths(streets.graph, int(frozen.node_osmid[0]))
    for t, target in enumerate(frozen.node_osmid.tolist()):
        _assert_close(router.route_nodes(0, t), expected.get(target, math.inf))


def test_saved_index_is_one_file(tmp_path: Path) -> None:
    graph = nx.MultiDiGraph()
    graph.add_node(1, y=LAT0, x=LON0)
    graph.add_node(2, y=LAT0 + 0.001, x=LON0)
    graph.add_edge(1, 2, length=111.0)
    index = build_walk_index(FrozenGraph.from_networkx(graph))
    path = tmp_path / "walk_index.npz"
    index.save(path)
    assert [p.name for p in tmp_path.iterdir()] == ["walk_index.npz"]
