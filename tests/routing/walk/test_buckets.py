"""Contraction-hierarchy buckets: one-to-many rows to fixed targets equal full Dijkstra rows.

The reference is scipy's Dijkstra from a virtual super-source joined to the origin's nodes by edges of their
offsets, read at each target's nodes plus their offsets: the same formulation as
:meth:`routing.journeys.rows.TravelTimes.multi_source_m`, independent of the hierarchy.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from routing.build.contract import build_walk_index
from routing.graph.frozen import FrozenGraph
from routing.walk.buckets import PlaceBuckets
from routing.walk.search import MAX_ENDPOINTS
from tests.routing.tiny import tiny_walk_graph
from tests.routing.walk.test_walk_properties import RandomStreets, random_streets


def reference_row(
    graph: FrozenGraph,
    origin_node: NDArray[np.int64],
    origin_offset: NDArray[np.float64],
    targets_node: NDArray[np.int64],
    targets_offset: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Shortest walk from the origin to each target by one scipy Dijkstra over the whole graph."""
    n = graph.node_count
    tail = np.concatenate((graph.tail().astype(np.int64), np.full(origin_node.size, n)))
    head = np.concatenate((graph.head.astype(np.int64), origin_node))
    length = np.concatenate((graph.length_m, origin_offset))
    order = np.lexsort((length, head, tail))
    tail, head, length = tail[order], head[order], length[order]
    first = np.ones(tail.size, dtype=bool)
    first[1:] = (tail[1:] != tail[:-1]) | (head[1:] != head[:-1])
    # Explicit zeros are edges for scipy's sparse graphs: build the CSR arrays directly so none is dropped.
    tail, head, length = tail[first], head[first], length[first]
    indptr = np.concatenate(([0], np.cumsum(np.bincount(tail, minlength=n + 1))))
    matrix = csr_matrix((length, head, indptr), shape=(n + 1, n + 1))
    distance = np.asarray(dijkstra(matrix, directed=True, indices=n), dtype=np.float64)[:n]
    valid = targets_node >= 0
    via = np.where(valid, distance[np.maximum(targets_node, 0)] + targets_offset, np.inf)
    return np.asarray(via.min(axis=1), dtype=np.float64)


def assert_rows_equal(actual: NDArray[np.float64], expected: NDArray[np.float64]) -> None:
    assert actual.shape == expected.shape
    assert np.array_equal(np.isinf(actual), np.isinf(expected))
    finite = np.isfinite(expected)
    np.testing.assert_allclose(actual[finite], expected[finite], rtol=1e-6, atol=1e-9)


@st.composite
def streets_and_targets(
    draw: st.DrawFn,
) -> tuple[RandomStreets, NDArray[np.int64], NDArray[np.float64], list[tuple[list[int], list[float]]]]:
    streets = draw(random_streets())
    n = streets.graph.number_of_nodes()
    node = st.integers(min_value=-1, max_value=n - 1)
    offset = st.one_of(st.just(0.0), st.floats(min_value=0.0, max_value=500.0))
    k = draw(st.integers(min_value=1, max_value=3))
    target_count = draw(st.integers(min_value=1, max_value=8))
    targets_node = np.asarray([[draw(node) for _ in range(k)] for _ in range(target_count)], dtype=np.int64)
    targets_offset = np.asarray([[draw(offset) for _ in range(k)] for _ in range(target_count)], dtype=np.float64)
    origins = []
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        size = draw(st.integers(min_value=1, max_value=3))
        on = st.integers(min_value=0, max_value=n - 1)
        origins.append(([draw(on) for _ in range(size)], [draw(offset) for _ in range(size)]))
    return streets, targets_node, targets_offset, origins


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=streets_and_targets())
def test_bucket_rows_equal_scipy_dijkstra(
    case: tuple[RandomStreets, NDArray[np.int64], NDArray[np.float64], list[tuple[list[int], list[float]]]],
) -> None:
    streets, targets_node, targets_offset, origins = case
    frozen = FrozenGraph.from_networkx(streets.graph)
    buckets = PlaceBuckets.build(build_walk_index(frozen), targets_node, targets_offset)
    assert buckets.target_count == targets_node.shape[0]
    assert buckets.bucket_indptr[-1] == buckets.entry_count
    for nodes, offsets in origins:
        origin_node = np.asarray(nodes, dtype=np.int64)
        origin_offset = np.asarray(offsets, dtype=np.float64)
        expected = reference_row(frozen, origin_node, origin_offset, targets_node, targets_offset)
        assert_rows_equal(buckets.lengths_from_anchor(origin_node, origin_offset), expected)


def test_tiny_graph_rows_from_every_node() -> None:
    frozen = FrozenGraph.from_networkx(tiny_walk_graph())
    n = frozen.node_count
    rng = np.random.default_rng(7)
    # Every node a target on its own, plus two-ended targets with offsets, plus one target off the network.
    targets_node = np.full((2 * n + 1, 2), -1, dtype=np.int64)
    targets_offset = np.zeros((2 * n + 1, 2))
    targets_node[:n, 0] = np.arange(n)
    targets_node[n : 2 * n] = rng.integers(0, n, size=(n, 2))
    targets_offset[n : 2 * n] = rng.uniform(0, 80, size=(n, 2))
    buckets = PlaceBuckets.build(build_walk_index(frozen), targets_node, targets_offset)
    assert 0 < buckets.entry_count <= (2 * n + 1) * n
    for source in range(n):
        for offsets in ([0.0], [12.5]):
            origin_node = np.asarray([source], dtype=np.int64)
            origin_offset = np.asarray(offsets)
            row = buckets.lengths_from_anchor(origin_node, origin_offset)
            assert_rows_equal(row, reference_row(frozen, origin_node, origin_offset, targets_node, targets_offset))
            assert row[source] == pytest.approx(offsets[0])
            assert math.isinf(row[-1])
    # The isolated pair (7, 8) reaches neither the grid nor the grid it.
    isolated = int(np.flatnonzero(frozen.node_osmid == 7)[0])
    grid = int(np.flatnonzero(frozen.node_osmid == 1)[0])
    assert math.isinf(buckets.lengths_from_anchor([isolated], [0.0])[grid])


def test_one_dimensional_targets_and_bad_input() -> None:
    frozen = FrozenGraph.from_networkx(tiny_walk_graph())
    index = build_walk_index(frozen)
    nodes = np.arange(frozen.node_count, dtype=np.int64)
    one = PlaceBuckets.build(index, nodes, np.zeros(frozen.node_count))
    two = PlaceBuckets.build(index, nodes[:, None], np.zeros((frozen.node_count, 1)))
    np.testing.assert_array_equal(one.lengths_from_anchor([0], [0.0]), two.lengths_from_anchor([0], [0.0]))
    with pytest.raises(ValueError, match="one shape"):
        PlaceBuckets.build(index, nodes, np.zeros(3))
    with pytest.raises(ValueError, match="in 0"):
        PlaceBuckets.build(index, nodes + 1, np.zeros(frozen.node_count))
    with pytest.raises(ValueError, match="non-negative"):
        one.lengths_from_anchor([0], [-1.0])
    with pytest.raises(ValueError, match="endpoints"):
        one.lengths_from_anchor(np.zeros(MAX_ENDPOINTS + 1, dtype=np.int64), np.zeros(MAX_ENDPOINTS + 1))
