"""Point-to-point walking routes on a frozen street graph, queried through its contraction hierarchy.

A point is snapped to its nearest street (within a maximum distance) and joins the network mid-edge: the
walk may leave it towards either end of that edge (towards the tail only where the street runs both
ways), and it reaches the end point the same way. Both ends of both edges enter one bidirectional
search with their partial lengths as offsets, so the result is the exact shortest walk by length.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from routing.errors import BundleError, NoRouteError
from routing.geo import BBox, check_point
from routing.graph.frozen import FrozenGraph
from routing.streets import DEFAULT_MAX_SNAP_M, DEFAULT_WALK_SPEED_MPS
from routing.streets.islands import MainNetwork
from routing.streets.snap import EdgeSnapper, Snapper, SnapResult, too_far_from_street
from routing.walk.index import WalkIndex
from routing.walk.journey import Pieces, WalkJourney, assemble_journey, highway_kinds
from routing.walk.search import Workspace, ch_length, ch_path, dijkstra_lengths

DEFAULT_STEPS_PENALTY = 2.0
_OTHER_STREET_M = 1e6
"""Mismatch charged for pairing an edge with a reverse edge of another name."""


@dataclass(frozen=True)
class Anchor:
    """Where a point joins the network: on ``edge`` at ``fraction`` of its length from its tail.

    ``reverse`` is the edge running the other way along the same street (-1 on a one-way street or a
    loop; the walk then leaves towards the head and arrives from the tail only); ``lat``/``lon`` is the
    snapped point and ``snap_m`` its distance from the requested point.
    """

    edge: int
    reverse: int
    fraction: float
    tail: int
    head: int
    length_m: float
    reverse_length_m: float
    lat: float
    lon: float
    snap_m: float

    def leave(self) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """Nodes the walk can start from and the lengths to reach them from the point."""
        if self.reverse < 0:
            return np.array([self.head], dtype=np.int64), np.array([(1.0 - self.fraction) * self.length_m])
        return (
            np.array([self.head, self.tail], dtype=np.int64),
            np.array([(1.0 - self.fraction) * self.length_m, self.fraction * self.reverse_length_m]),
        )

    def arrive(self) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """Nodes the walk can arrive from and the lengths from them to the point."""
        if self.reverse < 0:
            return np.array([self.tail], dtype=np.int64), np.array([self.fraction * self.length_m])
        return (
            np.array([self.tail, self.head], dtype=np.int64),
            np.array([self.fraction * self.length_m, (1.0 - self.fraction) * self.reverse_length_m]),
        )


class WalkRouter:
    """Shortest walks by length, with durations from a walking speed and a penalty for steps.

    Parameters
    ----------
    graph
        The walk graph.
    index
        Its contraction hierarchy (:func:`routing.build.contract.build_walk_index`).
    snapper
        A nearest-street index over ``graph`` to share (an :class:`~routing.streets.snap.EdgeSnapper`, or one
        that prefers the main component); an ``EdgeSnapper`` is built here when omitted.
    bbox
        (south, west, north, east) of the area served: points outside are refused.
    max_snap_m, speed_mps
        The snap distance and walking speed of queries that do not give their own.

    Raises
    ------
    BundleError
        If ``index`` was not built from ``graph``.

    Notes
    -----
    Queries are safe from several threads: each thread gets its own scratch arrays.
    """

    def __init__(
        self,
        graph: FrozenGraph,
        index: WalkIndex,
        *,
        snapper: Snapper | None = None,
        bbox: tuple[float, float, float, float] | None = None,
        max_snap_m: float = DEFAULT_MAX_SNAP_M,
        speed_mps: float = DEFAULT_WALK_SPEED_MPS,
    ) -> None:
        if not index.matches(graph):
            raise BundleError("the walk index was built from another graph; rebuild the bundle")
        self.graph = graph
        self.index = index
        self.snapper: Snapper = snapper if snapper is not None else EdgeSnapper(graph)
        self.bbox = BBox(*bbox) if bbox is not None else None
        self.max_snap_m = max_snap_m
        self.speed_mps = speed_mps
        self._tail = graph.tail()
        self._reverse = reverse_edges(graph)
        self._highway_kind = highway_kinds(graph)
        self._hierarchy = index.hierarchy
        shared_index = self.snapper if isinstance(self.snapper, EdgeSnapper) else getattr(self.snapper, "index", None)
        self._network = MainNetwork(graph, index=shared_index)
        self._local = threading.local()
        self._warm_up()

    # -- public queries ---------------------------------------------------------------------------

    def route(
        self,
        from_lat: float,
        from_lon: float,
        to_lat: float,
        to_lon: float,
        *,
        max_snap_m: float | None = None,
        speed_mps: float | None = None,
        steps_penalty: float = DEFAULT_STEPS_PENALTY,
    ) -> WalkJourney:
        """The shortest walk between two points.

        Parameters
        ----------
        from_lat, from_lon, to_lat, to_lon
            The two points, in degrees.
        max_snap_m
            Farthest a point may lie from its street.
        speed_mps
            Walking speed on the flat, metres per second.
        steps_penalty
            Factor on the time spent on steps (the route stays the shortest by length).

        Raises
        ------
        OutsideAreaError
            If a point is not a valid coordinate or lies outside the router's bbox.
        TooFarFromStreetError
            If a point is farther than ``max_snap_m`` from every street (the message says how far).
        NoRouteError
            If no walk connects the two points: their streets are in different components, and a point
            on a street island has no street of the main network within ``max_snap_m`` either.
        ValueError
            If ``max_snap_m``, ``speed_mps`` or ``steps_penalty`` is not a positive number.
        """
        speed_mps = self.speed_mps if speed_mps is None else speed_mps
        _check_positive(speed_mps=speed_mps, steps_penalty=steps_penalty)
        start, end = self.anchor_pair(from_lat, from_lon, to_lat, to_lon, max_snap_m=max_snap_m)
        return self.route_between(start, end, speed_mps=speed_mps, steps_penalty=steps_penalty)

    def route_between(
        self,
        start: Anchor,
        end: Anchor,
        *,
        speed_mps: float | None = None,
        steps_penalty: float = DEFAULT_STEPS_PENALTY,
    ) -> WalkJourney:
        """The shortest walk between two anchors (from :meth:`anchor_pair`, or kept for fixed places).

        Raises
        ------
        NoRouteError
            If no walk connects the anchors.
        ValueError
            If ``speed_mps`` or ``steps_penalty`` is not a positive number.
        """
        speed_mps = self.speed_mps if speed_mps is None else speed_mps
        _check_positive(speed_mps=speed_mps, steps_penalty=steps_penalty)
        return assemble_journey(
            self.graph,
            self.path_between(start, end),
            start=(start.lat, start.lon),
            end=(end.lat, end.lon),
            highway_kind=self._highway_kind,
            speed_mps=speed_mps,
            steps_penalty=steps_penalty,
            snap_from_m=start.snap_m,
            snap_to_m=end.snap_m,
        )

    def path_between(self, start: Anchor, end: Anchor) -> Pieces:
        """The shortest walk between two anchors as pieces of edges: the search alone, no journey.

        Raises
        ------
        NoRouteError
            If no walk connects the anchors.
        """
        workspace = self._workspace()
        length_m, edge_count, first_node, last_node = ch_path(
            self._hierarchy, start.leave(), end.arrive(), workspace.arrays
        )
        if edge_count < 0:
            raise RuntimeError("walk route overflowed its path buffer; the walk index is inconsistent")
        direct = _direct_piece(start, end)
        if direct is not None and direct[0] <= length_m:
            return direct[1]
        if math.isfinite(length_m):
            return self._pieces(start, end, workspace.path[:edge_count].copy(), first_node, last_node)
        raise NoRouteError(
            f"no walk connects ({start.lat:.6f}, {start.lon:.6f}) and ({end.lat:.6f}, {end.lon:.6f}): "
            "their streets are not connected to each other"
        )

    def route_nodes(self, source_node: int, target_node: int) -> float:
        """Shortest walking length between two graph nodes, in metres (``inf`` when not connected).

        Raises
        ------
        IndexError
            If a node is not in the graph.
        """
        for node in (source_node, target_node):
            if not 0 <= node < self.graph.node_count:
                raise IndexError(f"node {node} is not in the walk graph (0..{self.graph.node_count - 1})")
        endpoints = (np.array([source_node], dtype=np.int64), np.zeros(1))
        ends = (np.array([target_node], dtype=np.int64), np.zeros(1))
        return float(ch_length(self._hierarchy, endpoints, ends, self._workspace().arrays))

    def lengths_from(
        self,
        lat: float,
        lon: float,
        *,
        max_length_m: float | None = None,
        max_snap_m: float | None = None,
    ) -> NDArray[np.float64]:
        """Walking length from a point to every node of the graph (one-to-all, for matrices and isochrones).

        Parameters
        ----------
        lat, lon
            The point, in degrees.
        max_length_m
            Stop there: nodes farther away get ``inf`` (and the search is much faster).
        max_snap_m
            Farthest the point may lie from its street.

        Returns
        -------
        NDArray[np.float64]
            Length in metres per node (``inf`` if unreachable or beyond ``max_length_m``), not counting
            the snap distance. A point whose nearest street is on an island (see
            :mod:`routing.streets.islands`) starts from the main network when a street of it is within
            ``max_snap_m``.

        Raises
        ------
        OutsideAreaError
            If the point is not a valid coordinate or lies outside the router's bbox.
        TooFarFromStreetError
            If the point is farther than ``max_snap_m`` from every street.
        ValueError
            If ``max_length_m`` is negative or NaN.
        """
        limit_m = math.inf if max_length_m is None else float(max_length_m)
        if not limit_m >= 0:
            raise ValueError(f"max_length_m must be non-negative, not {max_length_m}")
        sources, offsets_m = self.anchor(lat, lon, max_snap_m=max_snap_m).leave()
        graph = (self.graph.indptr, self.graph.head, self.graph.length_m)
        return dijkstra_lengths(graph, (sources, offsets_m), limit_m)

    # -- snapping ---------------------------------------------------------------------------------

    def anchor_pair(
        self,
        from_lat: float,
        from_lon: float,
        to_lat: float,
        to_lon: float,
        *,
        max_snap_m: float | tuple[float, float] | None = None,
    ) -> tuple[Anchor, Anchor]:
        """Where a route's two ends join the network (what :meth:`route` starts from).

        ``max_snap_m`` may give each end its own limit (a catalogue place keeps the bundle's, a point the query's).

        Each point snaps to its nearest street; if the two streets are in different components, an end
        on a street island moves to the nearest street of the main network within ``max_snap_m`` (see
        :mod:`routing.streets.islands`). Two points on the same island (inside one walled temple, say) stay.

        Raises
        ------
        OutsideAreaError, TooFarFromStreetError, ValueError
            As described in :meth:`route`.
        """
        start, end = (from_lat, from_lon), (to_lat, to_lon)
        limits = max_snap_m if isinstance(max_snap_m, tuple) else (max_snap_m, max_snap_m)
        anchors = self._anchors(start, end, max_snap_m=limits, fields=("from", "to"))
        component = self._network.component
        if component[anchors[0].tail] == component[anchors[1].tail]:
            return anchors[0], anchors[1]
        moved = tuple(
            self._to_main_network(a, p, limit) for a, p, limit in zip(anchors, (start, end), limits, strict=True)
        )
        return moved[0], moved[1]

    def anchor(self, lat: float, lon: float, *, max_snap_m: float | None = None) -> Anchor:
        """Where a lone point joins the network (what :meth:`lengths_from` starts from).

        The nearest street, or the main network's nearest street if the nearest is on an island and a
        street of the main network lies within ``max_snap_m``.

        Raises
        ------
        OutsideAreaError, TooFarFromStreetError, ValueError
            As described in :meth:`route`.
        """
        (anchor,) = self._anchors((lat, lon), max_snap_m=(max_snap_m,))
        return self._to_main_network(anchor, (lat, lon), max_snap_m)

    def _anchors(
        self, *points: tuple[float, float], max_snap_m: tuple[float | None, ...], fields: tuple[str, ...] = ()
    ) -> tuple[Anchor, ...]:
        """Validate and snap the points (in one spatial query) to their nearest streets.

        Raises
        ------
        OutsideAreaError, TooFarFromStreetError, ValueError
            As described in :meth:`route`.
        """
        limits = [self.max_snap_m if limit is None else limit for limit in max_snap_m]
        for limit in limits:
            _check_positive(max_snap_m=limit)
        for lat, lon in points:
            check_point(lat, lon, self.bbox)
        lats = np.array([p[0] for p in points], dtype=np.float64)
        lons = np.array([p[1] for p in points], dtype=np.float64)
        snapped = self.snapper.snap(lats, lons, max_distance_m=max(limits))
        anchors = []
        for i, (lat, lon) in enumerate(points):
            result, row = snapped, i
            if snapped.edge[i] >= 0 and snapped.distance_m[i] > limits[i]:
                # Found only within another end's larger limit: snap again within this end's own.
                result, row = self.snapper.snap(lat, lon, max_distance_m=limits[i]), 0
            if result.edge[row] < 0:
                field = fields[i] if i < len(fields) else None
                raise too_far_from_street(self.snapper, lat, lon, limits[i], field=field)
            anchors.append(self._anchor(result, row))
        return tuple(anchors)

    def _to_main_network(self, anchor: Anchor, point: tuple[float, float], max_snap_m: float | None) -> Anchor:
        """The anchor itself if it is on the main network, else the main network's nearest street if close."""
        if self._network.is_main(anchor.tail):
            return anchor
        max_distance_m = self.max_snap_m if max_snap_m is None else max_snap_m
        snapped = self._network.snap(point[0], point[1], max_distance_m=max_distance_m)
        return anchor if snapped.edge[0] < 0 else self._anchor(snapped, 0)

    def _anchor(self, snapped: SnapResult, i: int) -> Anchor:
        edge = int(snapped.edge[i])
        reverse = int(self._reverse[edge])
        return Anchor(
            edge=edge,
            reverse=reverse,
            fraction=float(np.clip(snapped.fraction[i], 0.0, 1.0)),
            tail=int(self._tail[edge]),
            head=int(self.graph.head[edge]),
            length_m=float(self.graph.length_m[edge]),
            reverse_length_m=float(self.graph.length_m[reverse]) if reverse >= 0 else math.nan,
            lat=float(snapped.lat[i]),
            lon=float(snapped.lon[i]),
            snap_m=float(snapped.distance_m[i]),
        )

    # -- helpers ----------------------------------------------------------------------------------

    def _pieces(self, start: Anchor, end: Anchor, middle: NDArray[np.int64], first_node: int, last_node: int) -> Pieces:
        """The first partial edge, the whole edges between, the last partial edge."""
        # Leaving by the head walks the snapped edge forwards; by the tail, its reverse edge.
        forwards = first_node == start.head
        first = (start.edge, start.fraction, 1.0) if forwards else (start.reverse, 1.0 - start.fraction, 1.0)
        forwards = last_node == end.tail
        last = (end.edge, 0.0, end.fraction) if forwards else (end.reverse, 0.0, 1.0 - end.fraction)
        count = middle.shape[0]
        edge = np.empty(count + 2, dtype=np.int64)
        start_fraction = np.zeros(count + 2)
        end_fraction = np.ones(count + 2)
        edge[0], start_fraction[0], end_fraction[0] = first
        edge[1:-1] = middle
        edge[-1], start_fraction[-1], end_fraction[-1] = last
        return Pieces(edge, start_fraction, end_fraction)

    def _warm_up(self) -> None:
        """Run each compiled kernel once, so compiling (or loading the cached code) happens at start-up.

        Without a disk cache (a fresh checkout) that takes tens of seconds, which no request should wait.
        """
        if self.graph.edge_count == 0:
            return
        edge = int(np.argmax(self.graph.length_m))
        reverse = int(self._reverse[edge])
        anchor = Anchor(
            edge=edge,
            reverse=reverse,
            fraction=0.5,
            tail=int(self._tail[edge]),
            head=int(self.graph.head[edge]),
            length_m=float(self.graph.length_m[edge]),
            reverse_length_m=float(self.graph.length_m[reverse]) if reverse >= 0 else math.nan,
            lat=float(self.graph.node_lat[self._tail[edge]]),
            lon=float(self.graph.node_lon[self._tail[edge]]),
            snap_m=0.0,
        )
        self.route_between(anchor, anchor)
        self.route_nodes(anchor.tail, anchor.head)
        graph = (self.graph.indptr, self.graph.head, self.graph.length_m)
        dijkstra_lengths(graph, anchor.leave(), 0.0)

    def _workspace(self) -> Workspace:
        workspace: Workspace | None = getattr(self._local, "workspace", None)
        if workspace is None:
            workspace = Workspace.allocate(self.graph.node_count, self.index.arc_count, self.graph.edge_count)
            self._local.workspace = workspace
        return workspace


def _direct_piece(start: Anchor, end: Anchor) -> tuple[float, Pieces] | None:
    """The walk along the one street both points are on, if they are and it runs their way."""
    if start.edge != end.edge:
        return None
    if end.fraction >= start.fraction:
        length_m = (end.fraction - start.fraction) * start.length_m
        piece = (start.edge, start.fraction, end.fraction)
    elif start.reverse >= 0:
        length_m = (start.fraction - end.fraction) * start.reverse_length_m
        piece = (start.reverse, 1.0 - start.fraction, 1.0 - end.fraction)
    else:
        return None
    return length_m, Pieces(np.array([piece[0]], dtype=np.int64), np.array([piece[1]]), np.array([piece[2]]))


def reverse_edges(graph: FrozenGraph) -> NDArray[np.int64]:
    """For each edge, the edge running the other way between the same two nodes, or -1.

    Among several such edges (parallel streets) the one with the same name and the closest length is
    taken, so a two-way street pairs its two directions; self-loops have none.
    """
    tail = graph.tail().astype(np.int64)
    head = graph.head.astype(np.int64)
    n = max(graph.node_count, 1)
    forward_key = tail * n + head
    order = np.lexsort((graph.length_m, forward_key))
    sorted_key = forward_key[order]
    backward_key = head * n + tail
    low = np.searchsorted(sorted_key, backward_key, side="left")
    high = np.searchsorted(sorted_key, backward_key, side="right")
    reverse = np.full(graph.edge_count, -1, dtype=np.int64)
    single = (high - low == 1) & (tail != head)
    reverse[single] = order[low[single]]
    for edge in np.flatnonzero((high - low > 1) & (tail != head)).tolist():
        candidates = order[low[edge] : high[edge]]
        mismatch = np.abs(graph.length_m[candidates] - graph.length_m[edge])
        mismatch += np.where(graph.name_index[candidates] == graph.name_index[edge], 0.0, _OTHER_STREET_M)
        reverse[edge] = int(candidates[np.argmin(mismatch)])
    return reverse


def _check_positive(**values: float) -> None:
    for name, value in values.items():
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a positive number, not {value}")
