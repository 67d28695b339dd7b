"""Walk and drive graphs built straight into :class:`FrozenGraph` arrays, without networkx.

:func:`routing.build.graph.network_graph` hands osmnx an Overpass-shaped document and lets it build a
MultiDiGraph and simplify it; that costs a Python dict per node and per edge, which is slow and, for
inputs a few times larger than Hanoi, too big for memory. This module reproduces the same osmnx 2.1.1
semantics on flat numpy arrays:

* ``graph._create_graph``: a node for every node of a kept way; consecutive duplicate nodes of a way
  dropped; a way's edges inserted forward and, unless it is one-way, backward too (walk graphs are
  bidirectional; drive graphs honour ``oneway`` values and roundabouts, ``-1``/``reverse``/``T`` reverse
  the way); parallel edges and self-loops kept; each edge's length is the great-circle distance between
  its end nodes (``distance.add_edge_lengths``, not rounded).
* ``simplification.simplify_graph``: endpoints by rules 1-3 (self-loop; no in- or no out-edge; not
  exactly two distinct neighbours with degree 2 or 4); one path from every endpoint through each of its
  non-endpoint successors, walked as ``_build_path`` walks it (including its quirks, where a path stops at
  a non-endpoint); the merged edge takes the first-inserted edge between each consecutive pair, sums the
  lengths in path order, and keeps one value of the merged names / highway kinds (osmnx keeps
  ``list(set(values))``; the frozen graph keeps its smallest non-empty entry, and so do we);
  interstitial nodes removed; then ``_remove_rings``: weakly connected components without an endpoint
  (re-evaluated on the simplified graph) dropped.

The result equals ``FrozenGraph.from_networkx(network_graph(highways, network_type))`` array for array,
including the order of parallel edges and of the string tables. osmnx's order of merged values follows
string hashing, which varies between processes; taking the smallest value (not the first) on both paths
makes bundles reproducible from run to run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from osmnx import distance as osmnx_distance
from osmnx import settings as osmnx_settings
from scipy.sparse.csgraph import connected_components

from routing.build.osm.filters import NetworkType, osmnx_way_filter
from routing.build.osm.reader import OsmHighways, OsmWay
from routing.errors import RoutingError
from routing.graph.frozen import FrozenGraph

# osmnx.graph._add_paths: values of the ``oneway`` tag meaning one-way, and those meaning "against the node order".
_ONEWAY_VALUES = frozenset({"yes", "true", "1", "-1", "reverse", "T", "F"})
_REVERSED_VALUES = frozenset({"-1", "reverse", "T"})

_CHUNK = 1 << 16  # edges per chunk in the length computation

# Paths still growing when the vectorised walk hands over to a plain loop (keeps long chains linear).
_TAIL_PATHS = 32

Int = NDArray[np.int64]
Bool = NDArray[np.bool_]
Float = NDArray[np.float64]


@dataclass(frozen=True)
class _StringTable:
    """Distinct tag values seen on the ways, numbered in order of first sight."""

    values: list[str]
    index: dict[str, int]

    def id_of(self, value: str | None) -> int:
        if value is None:
            return -1
        return self.index.setdefault(value, len(self.index))


@dataclass(frozen=True)
class _RawGraph:
    """The unsimplified osmnx graph: edges in osmnx insertion order, per-way attributes."""

    node_osmid: Int
    node_lat: Float
    node_lon: Float
    tail: Int
    head: Int
    way: Int
    length_m: Float
    way_name: Int
    way_highway: Int
    names: _StringTable
    highways: _StringTable

    @property
    def node_count(self) -> int:
        return int(self.node_osmid.shape[0])


@dataclass(frozen=True)
class _Paths:
    """The paths ``_get_paths_to_simplify`` yields, flattened: path ``p`` is ``nodes[offsets[p]:offsets[p + 1]]``.

    ``edges[i]`` is the raw edge that led to ``nodes[i]`` (-1 at each path's first node); ``order`` is the
    insertion index of each path's first edge, which fixes where osmnx inserts the merged edge among
    parallel ones.
    """

    offsets: Int
    nodes: Int
    edges: Int
    length_m: Float
    order: Int

    @property
    def count(self) -> int:
        return int(self.offsets.shape[0] - 1)


def frozen_network_graph(highways: OsmHighways, network_type: NetworkType) -> FrozenGraph:
    """Build the simplified street graph of one network type directly as a :class:`FrozenGraph`.

    Same result as ``FrozenGraph.from_networkx(network_graph(highways, network_type))`` (osmnx 2.1.1
    semantics, see the module docstring) at a fraction of its time and memory, because no networkx
    object and no per-edge dict is ever made: the work is numpy over all edges, plus plain loops over the
    ways and over the few paths whose merged ways carry different names.

    Parameters
    ----------
    highways
        The highway ways of an extract, as :func:`routing.build.osm.reader.read_highways` returns them.
    network_type
        ``"walk"`` (bidirectional) or ``"drive"`` (honours ``oneway`` and roundabouts).

    Returns
    -------
    FrozenGraph
        An empty graph when no way passes the network's rules.

    Raises
    ------
    RoutingError
        If a kept way refers to a node whose coordinates ``highways`` lacks (``network_graph`` would fail
        there too).
    """
    way_filter = osmnx_way_filter(network_type)
    kept = [way for way in highways.ways if way_filter.accepts(way.tags)]
    raw = _raw_graph(highways, kept, bidirectional=network_type == "walk")
    if raw is None:
        return _empty_graph()
    n = raw.node_count
    endpoint, neighbour_pairs = _endpoints(n, raw.tail, raw.head)
    pair_key, pair_first = _first_edge_of_pairs(n, raw.tail, raw.head)
    paths = _walk_paths(raw, endpoint, neighbour_pairs, pair_key, pair_first)
    return _assemble(raw, paths)


def _empty_graph() -> FrozenGraph:
    """What ``FrozenGraph.from_networkx`` makes of an empty MultiDiGraph."""
    return FrozenGraph(
        node_osmid=np.zeros(0, dtype=np.int64),
        node_lat=np.zeros(0, dtype=np.float64),
        node_lon=np.zeros(0, dtype=np.float64),
        indptr=np.zeros(1, dtype=np.int64),
        head=np.zeros(0, dtype=np.int32),
        length_m=np.zeros(0, dtype=np.float64),
        name_index=np.zeros(0, dtype=np.int32),
        highway_index=np.zeros(0, dtype=np.int16),
        geometry_offsets=np.zeros(1, dtype=np.int64),
        geometry_lat=np.zeros(0, dtype=np.float64),
        geometry_lon=np.zeros(0, dtype=np.float64),
        names=(),
        highways=(),
    )


def _unique(values: Int) -> Int:
    """Sorted distinct values (sort-based; faster than ``np.unique`` on large integer arrays)."""
    ordered = np.sort(values)
    if ordered.shape[0] == 0:
        return ordered
    distinct = np.ones(ordered.shape[0], dtype=np.bool_)
    distinct[1:] = ordered[1:] != ordered[:-1]
    return ordered[distinct]


def _concatenated_refs(ways: Sequence[OsmWay]) -> tuple[Int, Int]:
    """All node ids of ``ways`` end to end, and each way's node count."""
    counts = np.fromiter((len(way.node_ids) for way in ways), dtype=np.int64, count=len(ways))
    refs = np.fromiter(chain.from_iterable(way.node_ids for way in ways), dtype=np.int64, count=int(counts.sum()))
    return refs, counts


def _raw_graph(highways: OsmHighways, kept: list[OsmWay], *, bidirectional: bool) -> _RawGraph | None:
    """Reproduce ``osmnx.graph._create_graph`` (nodes, edges in insertion order, lengths) on arrays.

    Returns None when the graph would have no node. Raises RoutingError for a node without coordinates.
    """
    # osmnx keys paths by way id (a repeated id keeps its first position and its last value); its nodes are
    # every node of every kept way.
    paths = list({way.osm_id: way for way in kept}.values())
    refs, counts = _concatenated_refs(paths)
    node_osmid = _unique(refs if len(paths) == len(kept) else _concatenated_refs(kept)[0])
    if node_osmid.shape[0] == 0:
        return None
    node_lat, node_lon = _node_coordinates(highways, node_osmid)
    node = np.searchsorted(node_osmid, refs)

    useful = set(osmnx_settings.useful_tags_way)
    names = _StringTable([], {})
    kinds = _StringTable([], {})
    way_count = len(paths)
    one_way = np.zeros(way_count, dtype=np.bool_)
    reverse = np.zeros(way_count, dtype=np.bool_)
    way_name = np.full(way_count, -1, dtype=np.int64)
    way_highway = np.full(way_count, -1, dtype=np.int64)
    for index, osm_way in enumerate(paths):
        tags = osm_way.tags
        oneway = tags.get("oneway") if "oneway" in useful else None
        if osmnx_settings.all_oneway:
            is_one_way = True
        elif bidirectional:
            is_one_way = False
        else:
            is_one_way = oneway in _ONEWAY_VALUES or ("junction" in useful and tags.get("junction") == "roundabout")
        one_way[index] = is_one_way
        reverse[index] = is_one_way and oneway in _REVERSED_VALUES
        if "name" in useful:
            way_name[index] = names.id_of(tags.get("name"))
        if "highway" in useful:
            way_highway[index] = kinds.id_of(tags.get("highway"))
    names.values.extend(names.index)
    kinds.values.extend(kinds.index)

    # Drop consecutive duplicate nodes within each way (itertools.groupby in _convert_path).
    way_of_ref = np.repeat(np.arange(way_count, dtype=np.int64), counts)
    keep = np.ones(node.shape[0], dtype=np.bool_)
    keep[1:] = (node[1:] != node[:-1]) | (way_of_ref[1:] != way_of_ref[:-1])
    node, way_of_ref = node[keep], way_of_ref[keep]
    counts = np.bincount(way_of_ref, minlength=way_count).astype(np.int64)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)

    # Reverse the node order of one-way ways tagged against it.
    flip = reverse[way_of_ref]
    if flip.any():
        position = np.arange(node.shape[0], dtype=np.int64)
        w = way_of_ref[flip]
        position[flip] = 2 * starts[w] + counts[w] - 1 - position[flip]
        node = node[position]

    # Edge j of way w goes to slot offset[w] + j; its reverse (two-way ways) to offset[w] + edges[w] + j.
    same_way = way_of_ref[1:] == way_of_ref[:-1]
    forward_tail, forward_head, forward_way = node[:-1][same_way], node[1:][same_way], way_of_ref[:-1][same_way]
    edges_per_way = np.maximum(counts - 1, 0)
    edge_start = np.concatenate(([0], np.cumsum(edges_per_way)[:-1])).astype(np.int64)
    block = edges_per_way * np.where(one_way, 1, 2)
    block_start = np.concatenate(([0], np.cumsum(block)[:-1])).astype(np.int64)
    j = np.arange(forward_tail.shape[0], dtype=np.int64) - edge_start[forward_way]
    total = int(block.sum())
    tail = np.empty(total, dtype=np.int64)
    head = np.empty(total, dtype=np.int64)
    way = np.empty(total, dtype=np.int64)
    slot = block_start[forward_way] + j
    tail[slot], head[slot], way[slot] = forward_tail, forward_head, forward_way
    two_way = ~one_way[forward_way]
    slot = (slot + edges_per_way[forward_way])[two_way]
    tail[slot], head[slot], way[slot] = forward_head[two_way], forward_tail[two_way], forward_way[two_way]

    return _RawGraph(
        node_osmid=node_osmid,
        node_lat=node_lat,
        node_lon=node_lon,
        tail=tail,
        head=head,
        way=way,
        length_m=_edge_lengths_m(node_lat, node_lon, tail, head),
        way_name=way_name,
        way_highway=way_highway,
        names=names,
        highways=kinds,
    )


def _edge_lengths_m(node_lat: Float, node_lon: Float, tail: Int, head: Int) -> Float:
    """Great-circle length of each edge, as ``osmnx.distance.add_edge_lengths`` computes it.

    osmnx's formula and Earth radius, operation for operation (so the same floats), except that the
    per-node terms (radians, cosine of latitude) are computed once per node, and edges go in chunks
    that keep the temporaries in cache.
    """
    length_m = np.empty(tail.shape[0], dtype=np.float64)
    for start in range(0, tail.shape[0], _CHUNK):
        u, v = tail[start : start + _CHUNK], head[start : start + _CHUNK]
        # osmnx's own great circle, so that lengths equal osmnx's to the last bit (checked by the tests).
        length_m[start : start + _CHUNK] = osmnx_distance.great_circle(
            node_lat[u], node_lon[u], node_lat[v], node_lon[v]
        )
    length_m[np.isnan(length_m)] = 0.0
    return length_m


def _node_coordinates(highways: OsmHighways, node_osmid: Int) -> tuple[Float, Float]:
    """Latitude and longitude of each node. Raises RoutingError for a node ``highways`` lacks."""
    known = highways.node_ids.shape[0]
    position = np.searchsorted(highways.node_ids, node_osmid)
    found = np.zeros(node_osmid.shape[0], dtype=np.bool_)
    if known:
        found = (position < known) & (highways.node_ids[np.minimum(position, known - 1)] == node_osmid)
    if not found.all():
        missing = int(node_osmid[~found][0])
        raise RoutingError(f"a highway way refers to node {missing}, whose coordinates the extract lacks")
    return highways.node_lat[position], highways.node_lon[position]


def _endpoints(n: int, tail: Int, head: Int) -> tuple[Bool, Int]:
    """Which nodes osmnx's ``_is_endpoint`` rules 1-3 call endpoints, and the distinct neighbour pairs.

    The pairs come back as keys ``a * n + b`` with ``a < b``.
    """
    out_degree = np.bincount(tail, minlength=n)
    in_degree = np.bincount(head, minlength=n)
    loop = tail == head
    self_loop = np.zeros(n, dtype=np.bool_)
    self_loop[tail[loop]] = True
    low = np.minimum(tail[~loop], head[~loop])
    high = np.maximum(tail[~loop], head[~loop])
    pairs = _unique(low * n + high)
    neighbours = np.bincount(pairs // n, minlength=n) + np.bincount(pairs % n, minlength=n)
    degree = out_degree + in_degree
    simple = (neighbours == 2) & ((degree == 2) | (degree == 4))
    endpoint = self_loop | (out_degree == 0) | (in_degree == 0) | ~simple
    return endpoint, pairs


def _first_edge_of_pairs(n: int, tail: Int, head: Int) -> tuple[Int, Int]:
    """Distinct directed pairs (keys ``tail * n + head``, sorted) and the first-inserted edge of each."""
    key = tail * n + head
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    first = np.ones(sorted_key.shape[0], dtype=np.bool_)
    first[1:] = sorted_key[1:] != sorted_key[:-1]
    return sorted_key[first], order[first].astype(np.int64)


def _lookup_pairs(pair_key: Int, pair_first: Int, key: Int) -> Int:
    """First-inserted edge for each directed pair key, or -1 where the graph has no such edge."""
    if pair_key.shape[0] == 0:
        return np.full(key.shape[0], -1, dtype=np.int64)
    position = np.minimum(np.searchsorted(pair_key, key), pair_key.shape[0] - 1)
    return np.where(pair_key[position] == key, pair_first[position], -1)


def _walk_paths(raw: _RawGraph, endpoint: Bool, neighbour_pairs: Int, pair_key: Int, pair_first: Int) -> _Paths:
    """Every path ``_get_paths_to_simplify`` yields, walked for all paths at once.

    A non-endpoint node ``x`` has exactly two distinct neighbours; a path entering it from one of them
    can only leave to the other (every other node on the path is the start endpoint or an earlier node
    whose neighbours are used up), and it stops at ``x`` if ``x`` has no edge to that other neighbour.
    This is ``_build_path`` including its "unexpected pattern" and self-loop closing branches.
    """
    n = raw.node_count
    # The two neighbours of each non-endpoint node, and its first-inserted edge towards each (-1: none).
    low, high = neighbour_pairs // n, neighbour_pairs % n
    ends = np.concatenate((low, high))
    others = np.concatenate((high, low))
    inner = ~endpoint[ends]
    ends, others = ends[inner], others[inner]
    order = np.argsort(ends, kind="stable")
    ends, others = ends[order], others[order]
    neighbour0 = np.full(n, -1, dtype=np.int64)
    neighbour1 = np.full(n, -1, dtype=np.int64)
    neighbour0[ends[0::2]] = others[0::2]
    neighbour1[ends[1::2]] = others[1::2]
    out0 = np.full(n, -1, dtype=np.int64)
    out1 = np.full(n, -1, dtype=np.int64)
    interior = ends[0::2]
    out0[interior] = _lookup_pairs(pair_key, pair_first, interior * n + neighbour0[interior])
    out1[interior] = _lookup_pairs(pair_key, pair_first, interior * n + neighbour1[interior])

    # One path per endpoint and distinct non-endpoint successor (in adjacency order, i.e. first insertion).
    start_tail, start_head = pair_key // n, pair_key % n
    starts = endpoint[start_tail] & ~endpoint[start_head]
    start_tail, start_head, start_edge = start_tail[starts], start_head[starts], pair_first[starts]
    path_count = int(start_tail.shape[0])
    path_ids = np.arange(path_count, dtype=np.int64)
    length_m = raw.length_m[start_edge].copy()
    record_path = [path_ids, path_ids]
    record_step = [np.zeros(path_count, dtype=np.int64), np.ones(path_count, dtype=np.int64)]
    record_node = [start_tail, start_head]
    record_edge = [np.full(path_count, -1, dtype=np.int64), start_edge]

    active, previous, current = path_ids, start_tail, start_head
    step = 2
    while active.shape[0] > _TAIL_PATHS:
        came_from_0 = neighbour0[current] == previous
        following = np.where(came_from_0, neighbour1[current], neighbour0[current])
        edge = np.where(came_from_0, out1[current], out0[current])
        moves = edge >= 0
        active, current, following, edge = active[moves], current[moves], following[moves], edge[moves]
        record_path.append(active)
        record_step.append(np.full(active.shape[0], step, dtype=np.int64))
        record_node.append(following)
        record_edge.append(edge)
        length_m[active] += raw.length_m[edge]
        going = ~endpoint[following]
        active, previous, current = active[going], current[going], following[going]
        step += 1

    # The last few (long) paths, one at a time: same rule, without per-step array overhead.
    tail_path: list[int] = []
    tail_step: list[int] = []
    tail_node: list[int] = []
    tail_edge: list[int] = []
    for path, first_previous, first_current in zip(active.tolist(), previous.tolist(), current.tolist(), strict=True):
        prev, cur, k = first_previous, first_current, step
        while True:
            if int(neighbour0[cur]) == prev:
                following_node, edge_index = int(neighbour1[cur]), int(out1[cur])
            else:
                following_node, edge_index = int(neighbour0[cur]), int(out0[cur])
            if edge_index < 0:
                break
            tail_path.append(path)
            tail_step.append(k)
            tail_node.append(following_node)
            tail_edge.append(edge_index)
            length_m[path] += raw.length_m[edge_index]
            if endpoint[following_node]:
                break
            prev, cur, k = cur, following_node, k + 1
    record_path.append(np.array(tail_path, dtype=np.int64))
    record_step.append(np.array(tail_step, dtype=np.int64))
    record_node.append(np.array(tail_node, dtype=np.int64))
    record_edge.append(np.array(tail_edge, dtype=np.int64))

    path_of = np.concatenate(record_path)
    sizes = np.bincount(path_of, minlength=path_count).astype(np.int64)
    offsets = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
    slot = offsets[path_of] + np.concatenate(record_step)
    nodes = np.empty(slot.shape[0], dtype=np.int64)
    edges = np.empty(slot.shape[0], dtype=np.int64)
    nodes[slot] = np.concatenate(record_node)
    edges[slot] = np.concatenate(record_edge)
    return _Paths(offsets=offsets, nodes=nodes, edges=edges, length_m=length_m, order=start_edge)


def _merged_value(paths: _Paths, edge_value: Int, table: _StringTable) -> Int:
    """The value the frozen graph keeps for each merged edge (-1: none), as osmnx and ``_first`` pick it.

    osmnx collects the attribute of every merged edge that has it; one distinct value is kept as is,
    several become ``list(set(values))``, whose order follows string hashing; the frozen graph then takes
    the smallest non-empty entry, for reproducible bundles. Done in Python only for paths with several values.
    """
    path_of = np.repeat(np.arange(paths.count, dtype=np.int64), np.diff(paths.offsets))
    has_edge = paths.edges >= 0
    value = edge_value[paths.edges[has_edge]]
    path_of = path_of[has_edge]
    present = value >= 0
    value, path_of = value[present], path_of[present]
    result = np.full(paths.count, -1, dtype=np.int64)
    if value.shape[0] == 0:
        return result
    base = max(len(table.values), 1)
    distinct = _unique(path_of * base + value)
    distinct_path = distinct // base
    per_path = np.bincount(distinct_path, minlength=paths.count)
    single = per_path[distinct_path] == 1
    result[distinct_path[single]] = distinct[single] % base
    several = np.flatnonzero(per_path > 1)
    if several.shape[0]:
        bounds = np.searchsorted(path_of, np.stack((several, several + 1)))
        for path, start, stop in zip(several.tolist(), bounds[0].tolist(), bounds[1].tolist(), strict=True):
            strings = [table.values[v] for v in value[start:stop].tolist()]
            chosen = min((item for item in strings if item), default=None)
            result[path] = -1 if chosen is None else table.index[chosen]
    return result


def _assemble(raw: _RawGraph, paths: _Paths) -> FrozenGraph:
    """Remove interstitial nodes and rings, then lay the surviving edges out as ``from_networkx`` does."""
    n = raw.node_count
    sizes = np.diff(paths.offsets)
    path_first = paths.nodes[paths.offsets[:-1]]
    path_last = paths.nodes[paths.offsets[1:] - 1]
    step = np.arange(paths.nodes.shape[0], dtype=np.int64) - np.repeat(paths.offsets[:-1], sizes)
    interstitial = (step > 0) & (step < np.repeat(sizes, sizes) - 1)
    removed = np.zeros(n, dtype=np.bool_)
    removed[paths.nodes[interstitial]] = True

    # Surviving raw edges (class 0, in insertion order) and merged edges (class 1, in path order).
    raw_alive = ~removed[raw.tail] & ~removed[raw.head]
    path_alive = ~removed[path_first] & ~removed[path_last]
    raw_index = np.flatnonzero(raw_alive)
    path_index = np.flatnonzero(path_alive)
    tail = np.concatenate((raw.tail[raw_index], path_first[path_index]))
    head = np.concatenate((raw.head[raw_index], path_last[path_index]))
    length_m = np.concatenate((raw.length_m[raw_index], paths.length_m[path_index]))
    name = np.concatenate(
        (raw.way_name[raw.way[raw_index]], _merged_value(paths, raw.way_name[raw.way], raw.names)[path_index])
    )
    kind = np.concatenate(
        (
            raw.way_highway[raw.way[raw_index]],
            _merged_value(paths, raw.way_highway[raw.way], raw.highways)[path_index],
        )
    )
    kind_class = np.concatenate((np.zeros(raw_index.shape[0], np.int64), np.ones(path_index.shape[0], np.int64)))
    order = np.concatenate((raw_index, paths.order[path_index]))
    geometry_start = np.concatenate((np.zeros(raw_index.shape[0], np.int64), paths.offsets[path_index] + 1))
    geometry_count = np.concatenate((np.zeros(raw_index.shape[0], np.int64), sizes[path_index] - 2))

    # _remove_rings: drop weakly connected components none of whose nodes is an endpoint any more.
    alive = ~removed
    endpoint, _ = _endpoints(n, tail, head)
    adjacency = sp.coo_matrix((np.ones(tail.shape[0], dtype=np.int8), (tail, head)), shape=(n, n)).tocsr()
    component_count, label = connected_components(adjacency, directed=True, connection="weak")
    anchored = np.bincount(label[alive & endpoint], minlength=component_count) > 0
    keep = alive & anchored[label]
    edge_keep = keep[tail]

    # from_networkx: nodes in OSM-id order, edges stably sorted by (tail, head); networkx lists parallel
    # edges in insertion order: raw edges first, then merged ones in the order osmnx added them.
    sort = np.lexsort((kind_class * raw.tail.shape[0] + order, tail * n + head))
    sort = sort[edge_keep[sort]]
    new_index = np.cumsum(keep) - 1
    final_tail = new_index[tail[sort]]
    node_count = int(keep.sum())
    counts = geometry_count[sort]
    total_points = int(counts.sum())
    point_offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    point = np.repeat(geometry_start[sort] - point_offsets[:-1], counts) + np.arange(total_points, dtype=np.int64)
    geometry_node = paths.nodes[point]
    name_index, names = _table_in_first_use_order(name[sort], raw.names)
    highway_index, kinds = _table_in_first_use_order(kind[sort], raw.highways)
    return FrozenGraph(
        node_osmid=raw.node_osmid[keep],
        node_lat=raw.node_lat[keep],
        node_lon=raw.node_lon[keep],
        indptr=np.searchsorted(final_tail, np.arange(node_count + 1), side="left").astype(np.int64),
        head=new_index[head[sort]].astype(np.int32),
        length_m=length_m[sort],
        name_index=name_index.astype(np.int32),
        highway_index=highway_index.astype(np.int16),
        geometry_offsets=point_offsets,
        geometry_lat=raw.node_lat[geometry_node],
        geometry_lon=raw.node_lon[geometry_node],
        names=names,
        highways=kinds,
    )


def _table_in_first_use_order(value: Int, table: _StringTable) -> tuple[Int, tuple[str, ...]]:
    """Renumber string ids by first use along the edges, as ``from_networkx`` builds its tables.

    Empty strings count as missing (-1), as in ``FrozenGraph``'s ``_lookup``.
    """
    empty = np.array([not s for s in table.values] or [True], dtype=np.bool_)
    used = (value >= 0) & ~empty[np.maximum(value, 0)]
    distinct, first_use = np.unique(value[used], return_index=True)
    ranked = distinct[np.argsort(first_use)]
    renumber = np.full(max(len(table.values), 1), -1, dtype=np.int64)
    renumber[ranked] = np.arange(ranked.shape[0], dtype=np.int64)
    result = np.where(used, renumber[np.maximum(value, 0)], -1)
    return result, tuple(table.values[int(i)] for i in ranked)
