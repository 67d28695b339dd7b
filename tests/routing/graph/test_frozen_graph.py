from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from routing.errors import BundleError
from routing.graph.frozen import FrozenGraph
from routing.graph.shortest import pair_lengths_m, simple_csr
from routing.streets.components import largest_component_fraction
from tests.routing.tiny import NODES, tiny_walk_graph


def test_freeze_round_trip(tmp_path: Path) -> None:
    graph = tiny_walk_graph()
    frozen = FrozenGraph.from_networkx(graph)
    assert frozen.node_count == len(NODES)
    assert frozen.edge_count == graph.number_of_edges()
    path = tmp_path / "g.npz"
    frozen.save(path)
    loaded = FrozenGraph.load(path)
    assert np.array_equal(loaded.head, frozen.head)
    assert loaded.names == frozen.names
    thawed = loaded.to_networkx()
    assert nx.utils.graphs_equal(nx.DiGraph(thawed), nx.DiGraph(thawed))
    assert sorted(thawed.nodes) == sorted(NODES)


def test_edge_geometry_is_kept() -> None:
    frozen = FrozenGraph.from_networkx(tiny_walk_graph())
    index = {int(osmid): i for i, osmid in enumerate(frozen.node_osmid)}
    tail = frozen.tail()
    edge = int(np.flatnonzero((tail == index[2]) & (frozen.head == index[3]))[0])
    lat, lon = frozen.edge_coordinates(edge)
    assert lat.tolist() == pytest.approx([21.0300, 21.0302, 21.0300])
    assert lon.tolist() == pytest.approx([105.8510, 105.8515, 105.8520])
    assert frozen.names[frozen.name_index[edge]] == "Hàng Bạc"


def test_shortest_lengths_match_networkx() -> None:
    graph = tiny_walk_graph()
    frozen = FrozenGraph.from_networkx(graph)
    index = {int(osmid): i for i, osmid in enumerate(frozen.node_osmid)}
    matrix = simple_csr(frozen)
    pairs = [(1, 6), (4, 3), (2, 2), (1, 7)]
    got = pair_lengths_m(
        matrix,
        np.array([index[a] for a, _ in pairs]),
        np.array([index[b] for _, b in pairs]),
        limit_m=np.full(len(pairs), 10_000.0),
    )
    for (a, b), value in zip(pairs, got, strict=True):
        if nx.has_path(graph, a, b):
            assert value == pytest.approx(nx.shortest_path_length(graph, a, b, weight="length"), rel=1e-9, abs=1e-2)
        else:
            assert np.isnan(value)


def test_largest_component() -> None:
    frozen = FrozenGraph.from_networkx(tiny_walk_graph())
    assert largest_component_fraction(frozen) == pytest.approx(6 / 8)


def test_corrupt_file_is_a_bundle_error(tmp_path: Path) -> None:
    path = tmp_path / "g.npz"
    path.write_bytes(b"not a zip")
    with pytest.raises(BundleError, match=r"g\.npz: cannot read the graph arrays"):
        FrozenGraph.load(path)
