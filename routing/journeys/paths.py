"""Leg geometry: node paths from scipy's Dijkstra predecessors turned into street polylines.

Walk legs follow the walk graph; bus legs follow the drive graph between consecutive stops (one-way streets
respected), cached per stop pair because the same legs come back query after query. A bus leg whose stops are not
near a road, or whose road path is missing or implausibly long (more than ``MAX_ROAD_RATIO`` times the straight
line plus ``ROAD_SLACK_M``: a stop snapped to the far carriageway, a U-turn), falls back to the straight segment
between the two stops.
"""

from __future__ import annotations

import itertools

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from routing.geo import haversine_m
from routing.graph.frozen import FrozenGraph
from routing.graph.shortest import simple_csr
from routing.streets.snap import EdgeSnapper

LatLon = tuple[float, float]
MAX_ROAD_RATIO = 3.0
ROAD_SLACK_M = 300.0


def node_path(predecessors: NDArray[np.int32], source: int, target: int) -> list[int] | None:
    """Nodes from ``source`` to ``target`` along a predecessor row of a Dijkstra run from ``source``.

    Returns None when ``target`` was not reached.
    """
    path = _follow(predecessors, target, source)
    return None if path is None else path[::-1]


def successor_path(successors: NDArray[np.int32], source: int, target: int) -> list[int] | None:
    """Nodes from ``source`` to ``target`` along the predecessors of a reversed-graph Dijkstra from ``target``.

    On the reversed graph a node's predecessor is its next node towards ``target``. Returns None when ``source``
    was not reached.
    """
    return _follow(successors, source, target)


def _follow(pointers: NDArray[np.int32], start: int, stop: int) -> list[int] | None:
    """Nodes from ``start`` to ``stop`` following each node's pointer (a Dijkstra predecessor row); None at a -1."""
    path = [start]
    node = start
    while node != stop:
        node = int(pointers[node])
        if node < 0:
            return None
        path.append(node)
    return path


def path_coordinates(graph: FrozenGraph, nodes: list[int]) -> list[LatLon]:
    """Polyline of a node path, with every edge's interior geometry (the shortest of parallel edges)."""
    if not nodes:
        return []
    points: list[LatLon] = [(float(graph.node_lat[nodes[0]]), float(graph.node_lon[nodes[0]]))]
    for tail, head in itertools.pairwise(nodes):
        start, stop = int(graph.indptr[tail]), int(graph.indptr[tail + 1])
        candidates = np.flatnonzero(graph.head[start:stop] == head)
        if candidates.size == 0:
            points.append((float(graph.node_lat[head]), float(graph.node_lon[head])))
            continue
        edge = start + int(candidates[np.argmin(graph.length_m[start + candidates])])
        first, last = int(graph.geometry_offsets[edge]), int(graph.geometry_offsets[edge + 1])
        points.extend(
            zip(graph.geometry_lat[first:last].tolist(), graph.geometry_lon[first:last].tolist(), strict=True)
        )
        points.append((float(graph.node_lat[head]), float(graph.node_lon[head])))
    return points


def dedupe(points: list[LatLon]) -> tuple[LatLon, ...]:
    """The polyline without consecutive repeated points."""
    kept: list[LatLon] = []
    for point in points:
        if not kept or kept[-1] != point:
            kept.append(point)
    return tuple(kept)


class RoadPaths:
    """Road polylines between consecutive bus stops along the drive graph, computed on demand and cached.

    Parameters
    ----------
    drive
        The drive graph; None to use straight stop-to-stop segments only.
    stop_lat, stop_lon
        Coordinates of every stop, in stop index order.
    snap_m
        How far a stop may be from a road to be routed along it.
    """

    def __init__(
        self,
        drive: FrozenGraph | None,
        stop_lat: NDArray[np.float64],
        stop_lon: NDArray[np.float64],
        *,
        snap_m: float = 300.0,
    ) -> None:
        self._drive = drive
        self._lat = stop_lat
        self._lon = stop_lon
        self._cache: dict[tuple[int, int], tuple[tuple[LatLon, ...], bool]] = {}
        self._matrix: csr_matrix | None = None
        self._node = np.full(stop_lat.shape[0], -1, dtype=np.int64)
        if drive is not None and drive.node_count and stop_lat.size:
            self._matrix = simple_csr(drive)
            self._node = EdgeSnapper(drive).snap(stop_lat, stop_lon, max_distance_m=snap_m).node

    @property
    def cached_legs(self) -> int:
        """Number of stop pairs whose polyline is cached."""
        return len(self._cache)

    def legs(self, pairs: list[tuple[int, int]]) -> list[tuple[tuple[LatLon, ...], bool]]:
        """Polyline of each ``(from_stop, to_stop)`` pair and whether it follows the roads (False: straight)."""
        missing = sorted({pair for pair in pairs if pair not in self._cache})
        if missing:
            self._compute(missing)
        return [self._cache[pair] for pair in pairs]

    def _straight(self, pair: tuple[int, int]) -> tuple[tuple[LatLon, ...], bool]:
        first, second = pair
        return dedupe(
            [
                (float(self._lat[first]), float(self._lon[first])),
                (float(self._lat[second]), float(self._lon[second])),
            ]
        ), False

    def _compute(self, pairs: list[tuple[int, int]]) -> None:
        routable = [pair for pair in pairs if self._node[pair[0]] >= 0 and self._node[pair[1]] >= 0]
        for pair in pairs:
            self._cache[pair] = self._straight(pair)
        if not routable or self._matrix is None or self._drive is None:
            return
        first = np.asarray([pair[0] for pair in routable], dtype=np.int64)
        second = np.asarray([pair[1] for pair in routable], dtype=np.int64)
        straight = haversine_m(self._lat[first], self._lon[first], self._lat[second], self._lon[second])
        limit_m = straight * MAX_ROAD_RATIO + ROAD_SLACK_M
        sources = np.unique(self._node[first])
        distance, predecessors = dijkstra(
            self._matrix, directed=True, indices=sources, limit=float(limit_m.max()), return_predecessors=True
        )
        row_of = {int(node): row for row, node in enumerate(sources)}
        for index, pair in enumerate(routable):
            source, target = int(self._node[pair[0]]), int(self._node[pair[1]])
            row = row_of[source]
            if not np.isfinite(distance[row, target]) or distance[row, target] > limit_m[index]:
                continue
            nodes = node_path(predecessors[row], source, target)
            if nodes is None:
                continue
            points = [(float(self._lat[pair[0]]), float(self._lon[pair[0]]))]
            points.extend(path_coordinates(self._drive, nodes))
            points.append((float(self._lat[pair[1]]), float(self._lon[pair[1]])))
            self._cache[pair] = dedupe(points), True
