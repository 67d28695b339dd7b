"""Snap points to the nearest street of a frozen graph, with a maximum snap distance.

A point farther than the maximum from every street is *off the network*: callers must treat that as a
fact to report (an error for a route request, a flag for a catalogue place), never as a silent detour.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from scipy.sparse.csgraph import connected_components

from routing.geo import LocalProjection, haversine_m
from routing.graph.frozen import FrozenGraph
from routing.graph.shortest import simple_csr


@dataclass(frozen=True)
class SnapResult:
    """Where each query point meets the street network; index -1 / NaN marks an off-network point."""

    edge: NDArray[np.int64]
    fraction: NDArray[np.float64]
    node: NDArray[np.int64]
    distance_m: NDArray[np.float64]
    lat: NDArray[np.float64]
    lon: NDArray[np.float64]

    @property
    def on_network(self) -> NDArray[np.bool_]:
        """Mask of points snapped within the maximum distance."""
        return self.edge >= 0


class EdgeSnapper:
    """Nearest-edge index over a graph's street geometries (shapely STRtree, built once).

    ``edge_mask`` restricts the index to some edges (e.g. the main component) while results keep the
    graph's own edge numbers.
    """

    def __init__(self, graph: FrozenGraph, *, edge_mask: NDArray[np.bool_] | None = None) -> None:
        self.graph = graph
        lat0 = float(np.mean(graph.node_lat)) if graph.node_count else 0.0
        lon0 = float(np.mean(graph.node_lon)) if graph.node_count else 0.0
        self.projection = LocalProjection(lat0, lon0)
        tail = graph.tail()
        # A two-way street is stored as two directed edges: index only one of them.
        reverse_exists = _has_reverse(tail, graph.head)
        keep = ~reverse_exists | (tail <= graph.head)
        if edge_mask is not None:
            keep &= edge_mask
        self._edges = np.flatnonzero(keep).astype(np.int64)
        self._lines = _edge_lines(graph, self._edges, self.projection)
        self._tree = shapely.STRtree(self._lines)

    def snap(self, lat: ArrayLike, lon: ArrayLike, *, max_distance_m: float) -> SnapResult:
        """Snap points (degrees) to their nearest edge within ``max_distance_m``."""
        lat_arr = np.atleast_1d(np.asarray(lat, dtype=np.float64))
        lon_arr = np.atleast_1d(np.asarray(lon, dtype=np.float64))
        count = lat_arr.shape[0]
        edge = np.full(count, -1, dtype=np.int64)
        fraction = np.full(count, np.nan)
        node = np.full(count, -1, dtype=np.int64)
        distance_m = np.full(count, np.nan)
        snapped_lat = np.full(count, np.nan)
        snapped_lon = np.full(count, np.nan)
        if count == 0 or len(self._lines) == 0:
            return SnapResult(edge, fraction, node, distance_m, snapped_lat, snapped_lon)
        x, y = self.projection.forward(lat_arr, lon_arr)
        points = shapely.points(x, y)
        # The projection is approximate far from its centre: search a little wider, then measure exactly.
        query_index, line_index = self._tree.query_nearest(
            points, max_distance=max_distance_m * 1.05, all_matches=False
        )
        if query_index.size:
            lines = self._lines[line_index]
            along = shapely.line_locate_point(lines, points[query_index], normalized=True)
            on_line = shapely.line_interpolate_point(lines, along, normalized=True)
            lat_s, lon_s = self.projection.inverse(shapely.get_x(on_line), shapely.get_y(on_line))
            exact = haversine_m(lat_arr[query_index], lon_arr[query_index], lat_s, lon_s)
            within = exact <= max_distance_m
            query_index, line_index = query_index[within], line_index[within]
            chosen_edge = self._edges[line_index]
            edge[query_index] = chosen_edge
            fraction[query_index] = along[within]
            distance_m[query_index] = exact[within]
            snapped_lat[query_index] = lat_s[within]
            snapped_lon[query_index] = lon_s[within]
            tails = np.searchsorted(self.graph.indptr, chosen_edge, side="right") - 1
            heads = self.graph.head[chosen_edge]
            node[query_index] = np.where(along[within] <= 0.5, tails, heads)
        return SnapResult(edge, fraction, node, distance_m, snapped_lat, snapped_lon)


def _has_reverse(tail: NDArray[np.int32], head: NDArray[np.int32]) -> NDArray[np.bool_]:
    """For each directed edge, whether some edge runs the opposite way between the same nodes."""
    forward = tail.astype(np.int64) * (1 << 32) + head.astype(np.int64)
    backward = head.astype(np.int64) * (1 << 32) + tail.astype(np.int64)
    return np.isin(backward, forward)


def _edge_lines(graph: FrozenGraph, edges: NDArray[np.int64], projection: LocalProjection) -> NDArray[np.object_]:
    """Projected LineStrings of the given edges: tail, interior geometry points, head."""
    if edges.size == 0:
        return np.empty(0, dtype=object)
    tail = np.searchsorted(graph.indptr, edges, side="right") - 1
    head = graph.head[edges]
    starts = graph.geometry_offsets[edges]
    interior = graph.geometry_offsets[edges + 1] - starts
    sizes = interior + 2
    line_of_point = np.repeat(np.arange(edges.size), sizes)
    first = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    rank = np.arange(line_of_point.size) - first[line_of_point]
    lat = np.empty(line_of_point.size)
    lon = np.empty(line_of_point.size)
    is_tail = rank == 0
    is_head = rank == sizes[line_of_point] - 1
    is_mid = ~(is_tail | is_head)
    lat[is_tail], lon[is_tail] = graph.node_lat[tail], graph.node_lon[tail]
    lat[is_head], lon[is_head] = graph.node_lat[head], graph.node_lon[head]
    mid_source = starts[line_of_point[is_mid]] + rank[is_mid] - 1
    lat[is_mid], lon[is_mid] = graph.geometry_lat[mid_source], graph.geometry_lon[mid_source]
    x, y = projection.forward(lat, lon)
    return np.asarray(shapely.linestrings(np.column_stack((x, y)), indices=line_of_point), dtype=object)


class MainComponentSnapper:
    """Snap to the largest strongly connected component when it is within reach, else to any street.

    The nearest street is not always a useful one: on the Hanoi extract the Temple of Literature's nearest
    edge is a two-node path inside the temple grounds that connects to nothing. A point within the snap
    distance of the main component goes there; only a point that is not (a village whose streets the
    extract does not connect to the city) keeps its own nearest street.
    """

    def __init__(self, graph: FrozenGraph) -> None:
        self.graph = graph
        self.main_node = main_component_mask(graph)
        main_edge = self.main_node[graph.tail()] & self.main_node[graph.head]
        self._main = EdgeSnapper(graph, edge_mask=main_edge)
        self._any = EdgeSnapper(graph)

    def snap(self, lat: ArrayLike, lon: ArrayLike, *, max_distance_m: float) -> SnapResult:
        """Like :meth:`EdgeSnapper.snap`, preferring the main component."""
        main = self._main.snap(lat, lon, max_distance_m=max_distance_m)
        missing = np.flatnonzero(~main.on_network)
        if missing.size == 0:
            return main
        lat_arr = np.atleast_1d(np.asarray(lat, dtype=np.float64))
        lon_arr = np.atleast_1d(np.asarray(lon, dtype=np.float64))
        other = self._any.snap(lat_arr[missing], lon_arr[missing], max_distance_m=max_distance_m)
        for name in ("edge", "fraction", "node", "distance_m", "lat", "lon"):
            getattr(main, name)[missing] = getattr(other, name)
        return main


def main_component_mask(graph: FrozenGraph) -> NDArray[np.bool_]:
    """Nodes of the largest strongly connected component."""
    n = graph.node_count
    if n == 0:
        return np.zeros(0, dtype=bool)
    # Parallel edges must be merged first: scipy's strong-components search crawls on duplicate entries.
    _, labels = connected_components(simple_csr(graph), directed=True, connection="strong")
    return np.asarray(labels == np.bincount(labels).argmax())
