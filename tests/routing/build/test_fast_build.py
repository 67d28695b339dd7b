"""The array builder gives the same frozen graph as osmnx + networkx, on hand-made and real extracts."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import numpy as np
import osmnx as ox
import pytest

from routing.build import fast_graph as fast_build
from routing.build.fast_graph import frozen_network_graph
from routing.build.graph import network_graph
from routing.build.osm.filters import NetworkType
from routing.build.osm.reader import OsmHighways, read_highways
from routing.graph.frozen import ARRAY_FIELDS, FrozenGraph
from tests.conftest import HANOI_PBF, VAN_MIEU_OSM

NETWORK_TYPES: tuple[NetworkType, ...] = ("walk", "drive")
_ARRAYS = ARRAY_FIELDS

EdgeKey = tuple[int, int, tuple[tuple[float, float], ...], str | None, str | None]


def _edges(graph: FrozenGraph) -> dict[EdgeKey, list[float]]:
    """Edges keyed by (u osmid, v osmid, interior geometry, name, highway) -> sorted lengths."""
    tails = graph.node_osmid[graph.tail()]
    heads = graph.node_osmid[graph.head]
    found: dict[EdgeKey, list[float]] = {}
    for edge in range(graph.edge_count):
        start, stop = int(graph.geometry_offsets[edge]), int(graph.geometry_offsets[edge + 1])
        geometry = tuple(
            zip(graph.geometry_lat[start:stop].tolist(), graph.geometry_lon[start:stop].tolist(), strict=True)
        )
        name = graph.names[graph.name_index[edge]] if graph.name_index[edge] >= 0 else None
        kind = graph.highways[graph.highway_index[edge]] if graph.highway_index[edge] >= 0 else None
        key = (int(tails[edge]), int(heads[edge]), geometry, name, kind)
        found.setdefault(key, []).append(float(graph.length_m[edge]))
    return {key: sorted(lengths) for key, lengths in found.items()}


def assert_same_graph(expected: FrozenGraph, actual: FrozenGraph) -> None:
    """Same node set and coordinates; same edge multiset with lengths within 1e-6 relative."""
    np.testing.assert_array_equal(actual.node_osmid, expected.node_osmid)
    np.testing.assert_array_equal(actual.node_lat, expected.node_lat)
    np.testing.assert_array_equal(actual.node_lon, expected.node_lon)
    assert actual.edge_count == expected.edge_count
    expected_edges, actual_edges = _edges(expected), _edges(actual)
    assert Counter({k: len(v) for k, v in actual_edges.items()}) == Counter(
        {k: len(v) for k, v in expected_edges.items()}
    )
    for key, lengths in expected_edges.items():
        for want, got in zip(lengths, actual_edges[key], strict=True):
            assert math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-9), key
    actual.check()


def assert_identical_arrays(expected: FrozenGraph, actual: FrozenGraph) -> None:
    """Array for array (edge order and string tables too); merged values are chosen by order, not hash."""
    for name in _ARRAYS:
        want, got = getattr(expected, name), getattr(actual, name)
        assert got.dtype == want.dtype, name
        if name == "length_m":  # same formula and summation order; allow for the last bit of vectorised trig
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=0, err_msg=name)
        else:
            np.testing.assert_array_equal(got, want, err_msg=name)
    assert actual.names == expected.names
    assert actual.highways == expected.highways


def _both(highways: OsmHighways, network_type: NetworkType) -> tuple[FrozenGraph, FrozenGraph]:
    return FrozenGraph.from_networkx(network_graph(highways, network_type)), frozen_network_graph(
        highways, network_type
    )


# ---------------------------------------------------------------- hand-made extracts

_BASE_LAT, _BASE_LON = 21.0280, 105.8350


def _write_osm(
    path: Path, nodes: dict[int, tuple[float, float]], ways: list[tuple[int, list[int], dict[str, str]]]
) -> Path:
    """Write an OSM XML file; node positions are (east, north) steps of about 11 m."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    for node_id, (east, north) in sorted(nodes.items()):
        lat, lon = _BASE_LAT + north * 1e-4, _BASE_LON + east * 1e-4
        lines.append(f'  <node id="{node_id}" version="1" lat="{lat:.7f}" lon="{lon:.7f}"/>')
    for way_id, refs, tags in ways:
        lines.append(f'  <way id="{way_id}" version="1">')
        lines.extend(f'    <nd ref="{ref}"/>' for ref in refs)
        lines.extend(f'    <tag k="{key}" v="{value}"/>' for key, value in tags.items())
        lines.append("  </way>")
    lines.append("</osm>")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _street(name: str | None = None, kind: str = "residential", **extra: str) -> dict[str, str]:
    tags = {"highway": kind, **extra}
    if name is not None:
        tags["name"] = name
    return tags


# Each case: nodes (id -> (east, north)), ways (id, node refs, tags). Every case also has a small grid around
# node 1 so that the feature under test hangs off real intersections.
_GRID_NODES = {1: (0.0, 0.0), 2: (10.0, 0.0), 3: (0.0, 10.0), 4: (10.0, 10.0), 5: (-10.0, 0.0), 6: (0.0, -10.0)}
_GRID_WAYS = [
    (9001, [5, 1, 2], _street("Phố Tràng Tiền", "tertiary")),
    (9002, [6, 1, 3], _street("Phố Hàng Bài")),
    (9003, [3, 4, 2], _street("Phố Hàng Khay")),
]

CASES: dict[str, tuple[dict[int, tuple[float, float]], list[tuple[int, list[int], dict[str, str]]]]] = {
    "one_way": (
        {10: (20.0, 0.0), 11: (30.0, 0.0)},
        [(100, [2, 10, 11], _street("Oneway", oneway="yes"))],
    ),
    "oneway_minus_one": (
        {10: (20.0, 0.0), 11: (30.0, 2.0), 12: (40.0, 0.0)},
        [(100, [2, 10, 11, 12], _street("Reverse", oneway="-1")), (101, [12, 4], _street("Back"))],
    ),
    "oneway_reverse_and_T_F": (
        {10: (20.0, 0.0), 11: (30.0, 0.0), 12: (20.0, 10.0), 13: (30.0, 10.0)},
        [
            (100, [2, 10, 11], _street("R", oneway="reverse")),
            (101, [4, 12, 13], _street("T", oneway="T")),
            (102, [11, 13], _street("F", oneway="F")),
        ],
    ),
    "roundabout": (
        {10: (15.0, 0.0), 11: (18.0, 3.0), 12: (21.0, 0.0), 13: (18.0, -3.0), 14: (30.0, 0.0)},
        [
            (100, [2, 10], _street("In")),
            (101, [10, 11, 12, 13, 10], _street(None, "tertiary", junction="roundabout")),
            (102, [12, 14], _street("Out")),
        ],
    ),
    "one_way_becomes_two_way": (
        {10: (20.0, 0.0), 11: (30.0, 0.0), 12: (40.0, 0.0)},
        [(100, [2, 10, 11], _street("Half", oneway="yes")), (101, [11, 12], _street("Half"))],
    ),
    "self_loop_way": (
        {10: (20.0, 0.0), 11: (25.0, 5.0), 12: (30.0, 0.0)},
        [(100, [2, 10], _street("Spur")), (101, [10, 11, 12, 10], _street("Loop"))],
    ),
    "one_node_self_loop": (
        {10: (20.0, 0.0)},
        [(100, [2, 10], _street("Stub")), (101, [10, 10], _street("Dot")), (102, [10, 2, 2, 10], _street("Dup"))],
    ),
    "isolated_ring": (
        {20: (50.0, 50.0), 21: (60.0, 50.0), 22: (60.0, 60.0), 23: (50.0, 60.0)},
        [(100, [20, 21, 22, 23, 20], _street("Ring"))],
    ),
    "isolated_one_way_ring": (
        {20: (50.0, 50.0), 21: (60.0, 50.0), 22: (60.0, 60.0)},
        [(100, [20, 21, 22, 20], _street("Ring", oneway="yes"))],
    ),
    "parallel_ways": (
        {10: (20.0, 0.0), 11: (25.0, 3.0), 12: (25.0, -3.0), 13: (30.0, 0.0), 14: (40.0, 0.0)},
        [
            (100, [2, 10], _street("A")),
            (101, [10, 13], _street("Direct one")),
            (102, [10, 13], _street("Direct two", "service")),
            (103, [10, 11, 13], _street("Upper")),
            (104, [10, 12, 13], _street("Lower")),
            (105, [13, 14], _street("B")),
        ],
    ),
    "chain_of_degree_two_nodes": (
        {10: (20.0, 0.0), 11: (30.0, 1.0), 12: (40.0, 0.0), 13: (50.0, 2.0), 14: (60.0, 0.0), 15: (70.0, 0.0)},
        [
            (100, [2, 10, 11], _street("Đường Một")),
            (101, [11, 12], _street("Đường Hai", "tertiary")),
            (102, [12, 13, 14], _street(None, "unclassified")),
            (103, [14, 15], _street("Đường Một")),
            (104, [15, 4], _street("", "residential")),
        ],
    ),
    "foot_no_and_footway": (
        {10: (20.0, 0.0), 11: (30.0, 0.0), 12: (20.0, 10.0)},
        [
            (100, [2, 10, 11], _street("No feet", "primary", foot="no")),
            (101, [4, 12, 10], _street("Path", "footway")),
        ],
    ),
    "quirk_stop_at_non_endpoint": (
        # node 11 has two neighbours, in-degree 3 and out-degree 1, so it is not an endpoint; a path from
        # 10 through 11 cannot go on, which is osmnx's "unexpected simplify pattern".
        {10: (20.0, 0.0), 11: (30.0, 0.0), 12: (40.0, 0.0), 13: (50.0, 0.0)},
        [
            (100, [2, 10, 11], _street("Two way")),
            (101, [12, 11], _street("In one", oneway="yes")),
            (102, [12, 11], _street("In two", oneway="yes")),
            (103, [12, 13], _street("Tail")),
        ],
    ),
    "dual_carriageway_triangle": (
        # three corners joined by pairs of one-way chains: endpoints before simplification, plain
        # two-neighbour nodes after it, so osmnx's ring removal drops the whole triangle in drive graphs.
        {
            30: (100.0, 100.0),
            31: (120.0, 100.0),
            32: (110.0, 120.0),
            40: (110.0, 101.0),
            41: (110.0, 99.0),
            42: (116.0, 111.0),
            43: (114.0, 110.0),
            44: (104.0, 111.0),
            45: (106.0, 110.0),
        },
        [
            (200, [30, 40, 31], _street("AB", oneway="yes")),
            (201, [31, 41, 30], _street("BA", oneway="yes")),
            (202, [31, 42, 32], _street("BC", oneway="yes")),
            (203, [32, 43, 31], _street("CB", oneway="yes")),
            (204, [32, 44, 30], _street("CA", oneway="yes")),
            (205, [30, 45, 32], _street("AC", oneway="yes")),
        ],
    ),
    "single_node_way": (
        {10: (20.0, 20.0)},
        [(100, [10], _street("Point"))],
    ),
}


@pytest.mark.parametrize("network_type", NETWORK_TYPES)
@pytest.mark.parametrize("case", sorted(CASES))
def test_hand_made_cases(tmp_path: Path, case: str, network_type: NetworkType) -> None:
    nodes, ways = CASES[case]
    path = _write_osm(tmp_path / f"{case}.osm", {**_GRID_NODES, **nodes}, [*_GRID_WAYS, *ways])
    highways = read_highways(path)
    expected, actual = _both(highways, network_type)
    assert_same_graph(expected, actual)
    assert_identical_arrays(expected, actual)


def test_all_cases_in_one_extract(tmp_path: Path) -> None:
    nodes: dict[int, tuple[float, float]] = dict(_GRID_NODES)
    ways = list(_GRID_WAYS)
    for index, (case_nodes, case_ways) in enumerate(CASES[case] for case in sorted(CASES)):
        shift = (index + 1) * 1000
        nodes.update({node_id + shift: (east + shift / 10, north) for node_id, (east, north) in case_nodes.items()})
        ways.extend(
            (way_id + shift, [ref if ref in _GRID_NODES else ref + shift for ref in refs], tags)
            for way_id, refs, tags in case_ways
        )
    highways = read_highways(_write_osm(tmp_path / "all.osm", nodes, ways))
    for network_type in NETWORK_TYPES:
        expected, actual = _both(highways, network_type)
        assert_same_graph(expected, actual)
        assert_identical_arrays(expected, actual)


def test_expected_shapes(tmp_path: Path) -> None:
    """Spot checks that do not rely on osmnx: merging, one-way, exclusions and ring removal."""
    nodes, ways = CASES["chain_of_degree_two_nodes"]
    graph = frozen_network_graph(
        read_highways(_write_osm(tmp_path / "chain.osm", {**_GRID_NODES, **nodes}, [*_GRID_WAYS, *ways])), "walk"
    )
    assert not set(graph.node_osmid.tolist()) & {10, 11, 12, 13, 14, 15}  # the chain became one edge each way

    nodes, ways = CASES["isolated_ring"]
    graph = frozen_network_graph(
        read_highways(_write_osm(tmp_path / "ring.osm", {**_GRID_NODES, **nodes}, [*_GRID_WAYS, *ways])), "walk"
    )
    assert not set(graph.node_osmid.tolist()) & {20, 21, 22, 23}

    nodes, ways = CASES["foot_no_and_footway"]
    highways = read_highways(_write_osm(tmp_path / "foot.osm", {**_GRID_NODES, **nodes}, [*_GRID_WAYS, *ways]))
    walk, drive = frozen_network_graph(highways, "walk"), frozen_network_graph(highways, "drive")
    assert "Path" in walk.names
    assert "No feet" not in walk.names
    assert 11 not in walk.node_osmid
    assert "No feet" in drive.names
    assert "Path" not in drive.names

    nodes, ways = CASES["one_way"]
    drive = frozen_network_graph(
        read_highways(_write_osm(tmp_path / "oneway.osm", {**_GRID_NODES, **nodes}, [*_GRID_WAYS, *ways])), "drive"
    )
    tails, heads = drive.node_osmid[drive.tail()], drive.node_osmid[drive.head]
    assert (2, 11) in set(zip(tails.tolist(), heads.tolist(), strict=True))
    assert (11, 2) not in set(zip(tails.tolist(), heads.tolist(), strict=True))


DEGENERATE: dict[str, tuple[dict[int, tuple[float, float]], list[tuple[int, list[int], dict[str, str]]]]] = {
    "single_node_way_alone": ({1: (0.0, 0.0)}, [(1, [1], _street("P"))]),
    "repeated_node_alone": ({1: (0.0, 0.0)}, [(1, [1, 1], _street("P"))]),
    "two_node_ring": ({1: (0.0, 0.0), 2: (1.0, 0.0)}, [(1, [1, 2, 1], _street("P"))]),
    "nameless_way": ({1: (0.0, 0.0), 2: (1.0, 0.0), 3: (2.0, 1.0)}, [(1, [1, 2, 3], _street(None))]),
    "repeated_way_id": (
        {1: (0.0, 0.0), 2: (1.0, 0.0), 3: (2.0, 0.0)},
        [(1, [1, 2], _street("P")), (1, [2, 3], _street("Q"))],
    ),
}


@pytest.mark.parametrize("network_type", NETWORK_TYPES)
@pytest.mark.parametrize("case", sorted(DEGENERATE))
def test_degenerate_extracts(tmp_path: Path, case: str, network_type: NetworkType) -> None:
    nodes, ways = DEGENERATE[case]
    expected, actual = _both(read_highways(_write_osm(tmp_path / f"{case}.osm", nodes, ways)), network_type)
    assert_same_graph(expected, actual)
    assert_identical_arrays(expected, actual)


def test_osmnx_all_oneway_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``ox.settings.all_oneway`` makes every way one-way (reversed ones still reversed), as in osmnx."""
    monkeypatch.setattr(ox.settings, "all_oneway", True)
    nodes, ways = CASES["oneway_minus_one"]
    highways = read_highways(_write_osm(tmp_path / "all_oneway.osm", {**_GRID_NODES, **nodes}, [*_GRID_WAYS, *ways]))
    for network_type in NETWORK_TYPES:
        expected, actual = _both(highways, network_type)
        assert_identical_arrays(expected, actual)


def test_no_way_passes_the_rules(tmp_path: Path) -> None:
    highways = read_highways(
        _write_osm(tmp_path / "cycle.osm", {1: (0.0, 0.0), 2: (1.0, 0.0)}, [(1, [1, 2], _street(kind="cycleway"))])
    )
    expected, actual = _both(highways, "walk")
    assert actual.node_count == actual.edge_count == 0
    assert_identical_arrays(expected, actual)


# ---------------------------------------------------------------- the shipped fixture and the real extract


@pytest.fixture(scope="module")
def van_mieu() -> OsmHighways:
    return read_highways(VAN_MIEU_OSM)


@pytest.mark.parametrize("network_type", NETWORK_TYPES)
def test_fixture_extract(van_mieu: OsmHighways, network_type: NetworkType) -> None:
    expected, actual = _both(van_mieu, network_type)
    assert actual.edge_count > 0
    assert_same_graph(expected, actual)
    assert_identical_arrays(expected, actual)


@pytest.mark.parametrize("tail_paths", [0, 1_000_000_000])
def test_vectorised_walk_and_plain_loop_agree(
    van_mieu: OsmHighways, monkeypatch: pytest.MonkeyPatch, tail_paths: int
) -> None:
    """Paths are walked in numpy until few remain, then in a plain loop; either alone gives the same graph."""
    reference = frozen_network_graph(van_mieu, "walk")
    monkeypatch.setattr(fast_build, "_TAIL_PATHS", tail_paths)
    assert_identical_arrays(reference, frozen_network_graph(van_mieu, "walk"))


@pytest.fixture(scope="module")
def hanoi() -> OsmHighways:
    return read_highways(HANOI_PBF)


@pytest.mark.slow
@pytest.mark.parametrize("network_type", NETWORK_TYPES)
def test_real_extract(hanoi: OsmHighways, network_type: NetworkType) -> None:
    """About 45 s in all, nearly all of it in the networkx reference (the array builder takes under 1 s)."""
    highways = hanoi
    actual = frozen_network_graph(highways, network_type)
    expected = FrozenGraph.from_networkx(network_graph(highways, network_type))
    assert actual.node_count == expected.node_count
    assert actual.edge_count == expected.edge_count
    assert math.isclose(float(actual.length_m.sum()), float(expected.length_m.sum()), rel_tol=1e-6)
    np.testing.assert_array_equal(actual.node_osmid, expected.node_osmid)
    assert_identical_arrays(expected, actual)
