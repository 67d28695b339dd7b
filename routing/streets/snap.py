"""Snap points to the nearest street of a frozen graph, with a maximum snap distance.

A point farther than the maximum from every street is *off the network*: callers must treat that as a
fact to report (an error for a route request, a flag for a catalogue place), never as a silent detour.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from routing.compiled import jit
from routing.errors import TooFarFromStreetError
from routing.geo import LocalProjection, great_circle_m
from routing.graph.frozen import FrozenGraph
from routing.streets.components import largest_strong_component
from routing.streets.segment_grid import GridArrays, SegmentGrid, nearest_segment

FAR_SEARCH_M = 100_000.0
"""How far :func:`too_far_from_street` looks for the nearest street to say how far it is."""


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


class Snapper(Protocol):
    """A nearest-street index: :class:`EdgeSnapper` or anything that snaps like it."""

    def snap(self, lat: ArrayLike, lon: ArrayLike, *, max_distance_m: float) -> SnapResult:
        """Snap points (degrees) to their nearest edge within ``max_distance_m`` (edge -1 beyond)."""
        ...


class EdgeSnapper:
    """Nearest-edge index over a graph's street geometries (a uniform grid of segments, built once).

    ``edge_mask`` restricts the search to some edges (e.g. the main component) while results keep the
    graph's own edge numbers; :meth:`restricted` makes such a view of an existing index without building
    another.
    """

    def __init__(self, graph: FrozenGraph, *, edge_mask: NDArray[np.bool_] | None = None) -> None:
        self.graph = graph
        lat0 = float(np.mean(graph.node_lat)) if graph.node_count else 0.0
        lon0 = float(np.mean(graph.node_lon)) if graph.node_count else 0.0
        self.projection = LocalProjection(lat0, lon0)
        tail = graph.tail()
        # A two-way street is stored as two directed edges: index only one of them.
        reverse_exists = _has_reverse(tail, graph.head)
        self._edges = np.flatnonzero(~reverse_exists | (tail <= graph.head)).astype(np.int64)
        x, y, line_of_point = _edge_vertices(graph, self._edges, self.projection)
        self._grid = SegmentGrid.build(x, y, line_of_point, line_count=self._edges.size)
        self._allowed: NDArray[np.bool_] | None = None if edge_mask is None else edge_mask[self._edges]

    def restricted(self, edge_mask: NDArray[np.bool_]) -> EdgeSnapper:
        """The same index searching only the edges in ``edge_mask`` (a mask over the graph's edges)."""
        view = copy.copy(self)
        view._allowed = edge_mask[self._edges]
        return view

    def snap(self, lat: ArrayLike, lon: ArrayLike, *, max_distance_m: float) -> SnapResult:
        """Snap points (degrees) to their nearest edge within ``max_distance_m``."""
        lat_arr = np.ascontiguousarray(np.atleast_1d(np.asarray(lat, dtype=np.float64)))
        lon_arr = np.ascontiguousarray(np.atleast_1d(np.asarray(lon, dtype=np.float64)))
        projection = self.projection
        allowed = self._allowed if self._allowed is not None else _ALL_ALLOWED
        return SnapResult(
            *_snap_points(
                (lat_arr, lon_arr, float(max_distance_m)),
                (projection.lat0, projection.lon0, projection.x_per_degree, projection.y_per_degree),
                self._grid.kernel_arrays(),
                (self._edges, self.graph.indptr, self.graph.head),
                allowed,
            )
        )


_ALL_ALLOWED = np.ones(0, dtype=np.bool_)
"""An empty mask: every street may be snapped to."""


@jit
def _snap_points(
    query: tuple[NDArray[np.float64], NDArray[np.float64], float],
    projection: tuple[float, float, float, float],
    grid: GridArrays,
    graph: tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int32]],
    allowed: NDArray[np.bool_],
) -> tuple[
    NDArray[np.int64],
    NDArray[np.float64],
    NDArray[np.int64],
    NDArray[np.float64],
    NDArray[np.float64],
    NDArray[np.float64],
]:
    """Compiled :meth:`EdgeSnapper.snap`: the :class:`SnapResult` arrays.

    The planar search looks 5 % beyond the maximum (the projection is approximate away from its centre);
    the distance that decides and is reported is measured on the sphere.
    """
    lat, lon, max_distance_m = query
    lat0, lon0, x_per_degree, y_per_degree = projection
    edges, indptr, head = graph
    count = lat.shape[0]
    edge = np.full(count, -1, dtype=np.int64)
    fraction = np.full(count, np.nan)
    node = np.full(count, -1, dtype=np.int64)
    distance_m = np.full(count, np.nan)
    snapped_lat = np.full(count, np.nan)
    snapped_lon = np.full(count, np.nan)
    for q in range(count):
        x = (lon[q] - lon0) * x_per_degree
        y = (lat[q] - lat0) * y_per_degree
        line, along, _, near_x, near_y = nearest_segment(grid, x, y, max_distance_m * 1.05, allowed)
        if line < 0:
            continue
        near_lat = near_y / y_per_degree + lat0
        near_lon = near_x / x_per_degree + lon0
        exact_m = great_circle_m(lat[q], lon[q], near_lat, near_lon)
        if exact_m > max_distance_m:
            continue
        chosen = edges[line]
        edge[q] = chosen
        fraction[q] = along
        distance_m[q] = exact_m
        snapped_lat[q] = near_lat
        snapped_lon[q] = near_lon
        if along <= 0.5:
            node[q] = np.searchsorted(indptr, chosen, side="right") - 1
        else:
            node[q] = head[chosen]
    return edge, fraction, node, distance_m, snapped_lat, snapped_lon


def _has_reverse(tail: NDArray[np.int32], head: NDArray[np.int32]) -> NDArray[np.bool_]:
    """For each directed edge, whether some edge runs the opposite way between the same nodes."""
    forward = tail.astype(np.int64) * (1 << 32) + head.astype(np.int64)
    backward = head.astype(np.int64) * (1 << 32) + tail.astype(np.int64)
    return np.isin(backward, forward)


def _edge_vertices(
    graph: FrozenGraph, edges: NDArray[np.int64], projection: LocalProjection
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]]:
    """Projected vertices of the given edges' polylines (tail, interior points, head), and each one's edge rank."""
    tail = np.searchsorted(graph.indptr, edges, side="right") - 1
    head = graph.head[edges]
    starts = graph.geometry_offsets[edges]
    interior = graph.geometry_offsets[edges + 1] - starts
    sizes = interior + 2
    line_of_point = np.repeat(np.arange(edges.size, dtype=np.int64), sizes)
    first = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
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
    return x, y, line_of_point


class MainComponentSnapper:
    """Snap to the largest strongly connected component when it is within reach, else to any street.

    The nearest street is not always a useful one: on the Hanoi extract the Temple of Literature's nearest
    edge is a two-node path inside the temple grounds that connects to nothing. A point within the snap
    distance of the main component goes there; only a point that is not (a village whose streets the
    extract does not connect to the city) keeps its own nearest street.
    """

    def __init__(self, graph: FrozenGraph, *, main_node: NDArray[np.bool_] | None = None) -> None:
        self.graph = graph
        self.main_node = largest_strong_component(graph) if main_node is None else main_node
        main_edge = self.main_node[graph.tail()] & self.main_node[graph.head]
        self.index = EdgeSnapper(graph)
        self.main_index = self.index.restricted(main_edge)
        """The same index searching only the main component's streets."""

    def snap(self, lat: ArrayLike, lon: ArrayLike, *, max_distance_m: float) -> SnapResult:
        """Like :meth:`EdgeSnapper.snap`, preferring the main component."""
        main = self.main_index.snap(lat, lon, max_distance_m=max_distance_m)
        missing = np.flatnonzero(~main.on_network)
        if missing.size == 0:
            return main
        lat_arr = np.atleast_1d(np.asarray(lat, dtype=np.float64))
        lon_arr = np.atleast_1d(np.asarray(lon, dtype=np.float64))
        other = self.index.snap(lat_arr[missing], lon_arr[missing], max_distance_m=max_distance_m)
        for name in ("edge", "fraction", "node", "distance_m", "lat", "lon"):
            getattr(main, name)[missing] = getattr(other, name)
        return main


def too_far_from_street(
    index: Snapper, lat: float, lon: float, max_snap_m: float, *, field: str | None = None
) -> TooFarFromStreetError:
    """The one error for a point beyond the snap distance: how far its nearest street is, and the limit.

    Every query-time check (walk and bus routes, isochrones, plans) words it this way, so a user reads the same
    sentence whichever entry point refused the point; ``field`` names the request field that holds it.
    """
    nearest = index.snap([lat], [lon], max_distance_m=FAR_SEARCH_M)
    where = f"({lat:.6f}, {lon:.6f})"
    if nearest.edge[0] < 0:
        distance = f"has no street within {FAR_SEARCH_M / 1000:.0f} km"
    else:
        distance = f"is {float(nearest.distance_m[0]):.0f} m from the nearest street"
    return TooFarFromStreetError(f"{where} {distance}; the maximum snap distance is {max_snap_m:.0f} m", field=field)
