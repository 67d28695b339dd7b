"""Request-time travel times: one-to-many rows from any point or place, and what the place matrices are built from.

The itinerary planner needs the travel time between every pair of places; computing it per request would cost
seconds, so the bundle builder stores :class:`PlaceMatrices` (walk lengths, and door-to-door bus + walk times for
a representative departure in each service period). A traveller's own start (a hotel) is not in the catalogue:
:meth:`TravelTimes.one_to_many` gives its row on request.

How points meet the streets: a point snaps to its nearest street edge (main strongly connected component first,
:class:`~routing.streets.snap.MainComponentSnapper`) and reaches *both* ends of that edge, the snap distance plus the
part of the edge to each end (two places on the same edge walk along it directly). A place the bundle marks off
the network has no walk on the streets (NaN in ``walk_m``); by bus it uses its ``access_stops`` (estimated
straight-line walks), and the bus matrix compares with walking the straight line times the detour factor, the way
:class:`~routing.journeys.BusPlanner` does.

Bus times come from one *one-to-all* RAPTOR run per origin and period (:func:`stop_arrivals`): the earliest bus
arrival at every stop, then the egress walk to every place (a stop-to-place table built once, walks up to
``max_access_m``). The result is door to door, waits included, and never slower than walking.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from routing.bundle.matrices import Float32Array
from routing.clock import DAY_S
from routing.errors import BundleError, NoServiceError, RoutingError
from routing.geo import check_point, haversine_m
from routing.journeys.planner import MAX_RIDES, MIN_CHANGE_S, BusPlanner, check_search_options
from routing.journeys.search import INF, SearchIndex, raptor
from routing.streets.snap import too_far_from_street
from routing.transit.timetable import MAX_TIME_S, Int64Array
from routing.transit.transfers import DETOUR_FACTOR
from routing.walk.buckets import PlaceBuckets
from routing.walk.index import WalkIndex

Mode = Literal["walk", "bus"]
FloatArray = NDArray[np.float64]
SOURCES_PER_BATCH = 64
"""Sources per scipy Dijkstra call (rows and the build-time matrices)."""
_MIN_EDGE_M = 1e-6


@dataclass(frozen=True)
class Reach:
    """What one origin reaches: per walk-graph node the walk (metres, inf beyond the limit), per place the time.

    ``node_m`` holds the walks explored: up to the limit, or only up to ``max_access_m`` (bus) / not at all (walk)
    when the places were answered from the row table or the buckets. ``stop_arrive_s`` (bus mode only) is the
    earliest bus arrival at each stop (``INF`` if none).
    """

    mode: Mode
    depart_s: int | None
    node_m: FloatArray
    place_s: FloatArray
    stop_arrive_s: Int64Array | None


@dataclass(frozen=True)
class PlaceAnchors:
    """Two anchors per point: the ends of its snapped edge and the walk to each (-1 nodes: off the network)."""

    node: NDArray[np.int64]  # (n, 2)
    offset_m: FloatArray  # (n, 2)
    edge: NDArray[np.int64]  # (n,)
    along_m: FloatArray  # (n,) position along the edge from its tail
    snap_m: FloatArray  # (n,)


class TravelTimes:
    """Travel times between the catalogue places and from arbitrary points: build once, query many times.

    Parameters
    ----------
    planner
        The bus planner of the bundle (its walk graph, stops, timetable and transfers).
    places
        The catalogue (dicts with ``id``, ``lat``, ``lon``).
    place_access
        The bundle's per-place access records (``off_network`` and, for those, ``access_stops``).
    speed_mps
        Walking speed.
    max_access_m
        Longest walk to the first stop and from the last stop.
    max_rides, min_change_s
        As in :meth:`BusPlanner.plan`.
    row_table
        Precompute the walk from every street node to every place (places x nodes float32: 65 MB for Hanoi's
        274 places and 60k nodes, about 6 s) so that :meth:`one_to_many` needs no full Dijkstra: a row then
        costs about a millisecond on foot instead of one Dijkstra over the whole city.
    walk_index
        The walk graph's contraction hierarchy (``CityBundle.walk_index``). When given, the places' backward
        search spaces are filed once in :class:`~routing.walk.buckets.PlaceBuckets` (tens of thousands of
        entries, tens of milliseconds for Hanoi) and :meth:`one_to_many` walks to the places by one upward
        search instead of a Dijkstra over the whole city (bus mode still explores ``max_access_m`` around the
        origin for its access stops). Takes precedence over ``row_table``, which is then not built.

    Raises
    ------
    BundleError
        If a place has no access record or a malformed one, or ``walk_index`` was built from another graph.
    RoutingError
        If a parameter is out of range.
    """

    def __init__(
        self,
        planner: BusPlanner,
        places: Sequence[Mapping[str, Any]],
        place_access: Mapping[str, Mapping[str, Any]],
        *,
        speed_mps: float | None = None,
        max_access_m: float = 1000.0,
        max_rides: int = MAX_RIDES,
        min_change_s: int = MIN_CHANGE_S,
        row_table: bool = False,
        walk_index: WalkIndex | None = None,
    ) -> None:
        speed_mps = planner.speed_mps if speed_mps is None else speed_mps
        check_search_options(max_rides, speed_mps=speed_mps, max_access_m=max_access_m)
        self.planner = planner
        self.graph = planner.walk
        self.matrix: csr_matrix = planner.network.matrix
        self.speed_mps = float(speed_mps)
        self.max_access_m = float(max_access_m)
        self.max_rides = max_rides
        self.min_change_s = int(min_change_s)
        self.index: SearchIndex = planner.index
        self.place_ids = tuple(str(place["id"]) for place in places)
        self.place_lat = np.asarray([float(place["lat"]) for place in places], dtype=np.float64)
        self.place_lon = np.asarray([float(place["lon"]) for place in places], dtype=np.float64)
        self._position = {place_id: index for index, place_id in enumerate(self.place_ids)}
        off = np.zeros(len(self.place_ids), dtype=bool)
        self.place_access_stops: list[tuple[Int64Array, Int64Array]] = []
        for index, place_id in enumerate(self.place_ids):
            record = place_access.get(place_id)
            if record is None:
                raise BundleError(f"place {place_id} has no access record")
            off[index] = bool(record.get("off_network"))
            try:
                entries = planner.access_list(record.get("access_stops") or []) if off[index] else []
            except RoutingError as exc:
                raise BundleError(f"place {place_id}: {exc}") from exc
            self.place_access_stops.append(
                (
                    np.asarray([entry[0] for entry in entries], dtype=np.int64),
                    np.ceil(np.asarray([entry[1] for entry in entries], dtype=np.float64)).astype(np.int64),
                )
            )
        anchors = self._snap(self.place_lat, self.place_lon)
        anchors.node[off] = -1
        self.place_off = off | (anchors.node[:, 0] < 0)
        self.place_anchors = anchors
        self.egress_stop, self.egress_place, self.egress_walk_s = self._egress_table()
        self._egress_places, self._egress_starts = np.unique(self.egress_place, return_index=True)
        self._nearest_stop_m: FloatArray | None = None
        self._buckets: PlaceBuckets | None = None
        if walk_index is not None:
            if not walk_index.matches(self.graph):
                raise BundleError("the walk index was built from another graph than the planner's; rebuild the bundle")
            offset = np.where(anchors.node >= 0, anchors.offset_m, np.inf)
            self._buckets = PlaceBuckets.build(walk_index, anchors.node, offset)
        self._to_place: Float32Array | None = self._row_table() if row_table and self._buckets is None else None

    def nearest_stop_walk_m(self) -> FloatArray:
        """Each place's walk to its nearest bus stop, metres (inf where none is within ``max_access_m``)."""
        if self._nearest_stop_m is None:
            nearest_s = np.full(len(self.place_ids), np.inf)
            np.minimum.at(nearest_s, self.egress_place, self.egress_walk_s.astype(np.float64))
            self._nearest_stop_m = nearest_s * self.speed_mps
        return self._nearest_stop_m

    @property
    def buckets(self) -> PlaceBuckets | None:
        """The places' contraction-hierarchy buckets (None unless built with ``walk_index``)."""
        return self._buckets

    # -- snapping ---------------------------------------------------------------------------------------------

    def _snap(self, lat: FloatArray, lon: FloatArray) -> PlaceAnchors:
        snap = self.planner.network.snapper.snap(lat, lon, max_distance_m=self.planner.max_snap_m)
        count = lat.size
        node = np.full((count, 2), -1, dtype=np.int64)
        offset = np.zeros((count, 2), dtype=np.float64)
        on = snap.on_network
        edge = np.where(on, snap.edge, 0)
        length = self.graph.length_m[edge] if self.graph.edge_count else np.zeros(count)
        along = np.where(on, snap.fraction, 0.0) * length
        snap_m = np.where(on, snap.distance_m, 0.0)
        tail = np.searchsorted(self.graph.indptr, edge, side="right") - 1
        node[on, 0] = tail[on]
        node[on, 1] = self.graph.head[edge][on]
        offset[:, 0] = snap_m + along
        offset[:, 1] = snap_m + (length - along)
        return PlaceAnchors(node, offset, np.where(on, snap.edge, -1), along, snap_m)

    def _origin(self, lat: float, lon: float) -> PlaceAnchors:
        """Check and snap an arbitrary origin.

        Raises
        ------
        OutsideAreaError
            If the point is not a valid coordinate or lies outside the walk graph's bounding box.
        TooFarFromStreetError
            If it is farther than the planner's ``max_snap_m`` from every street.
        """
        check_point(lat, lon, self.planner.area)
        anchors = self._snap(np.asarray([lat], dtype=np.float64), np.asarray([lon], dtype=np.float64))
        if anchors.node[0, 0] < 0:
            raise too_far_from_street(self.planner.network.snapper, lat, lon, self.planner.max_snap_m)
        return anchors

    # -- walks ------------------------------------------------------------------------------------------------

    def place_lengths(self, node_m: FloatArray, origin: PlaceAnchors | None, row: int) -> FloatArray:
        """Walk from an origin (its per-node walk ``node_m``) to every place; same-edge places walk along it."""
        anchors = self.place_anchors
        valid = anchors.node >= 0
        at = np.where(valid, node_m[np.maximum(anchors.node, 0)] + anchors.offset_m, np.inf)
        length = at.min(axis=1)
        if origin is not None:
            same = (anchors.edge == origin.edge[row]) & (anchors.edge >= 0) & ~self.place_off
            direct = origin.snap_m[row] + anchors.snap_m + np.abs(anchors.along_m - origin.along_m[row])
            length = np.where(same, np.minimum(length, direct), length)
        length[self.place_off] = np.inf
        return np.asarray(length, dtype=np.float64)

    def _place_lengths_from_table(self, origin: PlaceAnchors) -> FloatArray:
        """Walk from an origin to every place by the buckets, or else the precomputed node-to-place table."""
        valid = origin.node[0] >= 0
        nodes = origin.node[0][valid]
        if self._buckets is not None:
            length = self._buckets.lengths_from_anchor(nodes, origin.offset_m[0][valid])
        else:
            assert self._to_place is not None
            via = self._to_place[:, nodes].astype(np.float64) + origin.offset_m[0][valid][None, :]
            length = via.min(axis=1) if nodes.size else np.full(len(self.place_ids), np.inf)
        anchors = self.place_anchors
        same = (anchors.edge == origin.edge[0]) & (anchors.edge >= 0) & ~self.place_off
        direct = origin.snap_m[0] + anchors.snap_m + np.abs(anchors.along_m - origin.along_m[0])
        length = np.where(same, np.minimum(length, direct), length)
        length[self.place_off] = np.inf
        return np.asarray(length, dtype=np.float64)

    def _row_table(self) -> Float32Array:
        """Walk from every node to every on-network place (places x nodes, inf where none): rows by lookup."""
        anchors = self.place_anchors
        table = np.full((len(self.place_ids), self.graph.node_count), np.inf, dtype=np.float32)
        on_places = np.flatnonzero(~self.place_off)
        reverse = self.planner.network.reverse
        for start in range(0, on_places.size, SOURCES_PER_BATCH):
            batch = on_places[start : start + SOURCES_PER_BATCH]
            distance = dijkstra(reverse, directed=True, indices=anchors.node[batch].ravel())
            table[batch] = np.minimum(
                distance[0::2] + anchors.offset_m[batch, 0][:, None],
                distance[1::2] + anchors.offset_m[batch, 1][:, None],
            )
        return table

    def multi_source_m(self, nodes: Int64Array, initial_m: FloatArray, *, limit_m: float = np.inf) -> FloatArray:
        """Shortest walk to every node from several sources that start with walks ``initial_m`` already done.

        One Dijkstra from a virtual super-source joined to each source node by an edge of its initial length.
        """
        count = self.graph.node_count
        keep = (nodes >= 0) & np.isfinite(initial_m) & (initial_m <= limit_m)
        nodes, initial_m = nodes[keep], initial_m[keep]
        if not nodes.size:
            return np.full(count, np.inf)
        start = np.full(count, np.inf)
        np.minimum.at(start, nodes, initial_m)
        targets = np.flatnonzero(np.isfinite(start))
        matrix = self.matrix
        indptr = np.concatenate((matrix.indptr, [matrix.indptr[-1] + targets.size]))
        indices = np.concatenate((matrix.indices, targets))
        data = np.concatenate((matrix.data, np.maximum(start[targets], _MIN_EDGE_M)))
        augmented = csr_matrix((data, indices, indptr), shape=(count + 1, count + 1))
        distance = dijkstra(augmented, directed=True, indices=count, limit=limit_m)
        return np.asarray(distance[:count], dtype=np.float64)

    def access_stops(self, node_m: FloatArray, lat: float, lon: float) -> tuple[Int64Array, Int64Array]:
        """Stops within ``max_access_m`` on foot of an on-network origin (its per-node walk ``node_m``)."""
        planner = self.planner
        on = planner.stops.on
        length = node_m[planner.stops.node[on]] + planner.stops.offset_m[on]
        length = np.maximum(length, haversine_m(lat, lon, planner.stops.lat[on], planner.stops.lon[on]))
        keep = length <= self.max_access_m
        stops, length = on[keep], length[keep]
        off = planner.stops.off
        if off.size:
            guess = haversine_m(lat, lon, planner.stops.lat[off], planner.stops.lon[off]) * DETOUR_FACTOR
            near = guess <= self.max_access_m
            stops = np.concatenate((stops, off[near]))
            length = np.concatenate((length, guess[near]))
        return stops.astype(np.int64), np.ceil(length / self.speed_mps).astype(np.int64)

    def _egress_table(self) -> tuple[Int64Array, Int64Array, Int64Array]:
        """Every (stop, place) pair within ``max_access_m`` on foot and its walk in seconds, sorted by place."""
        planner = self.planner
        anchors = self.place_anchors
        stop_parts: list[Int64Array] = []
        place_parts: list[Int64Array] = []
        walk_parts: list[FloatArray] = []
        on_places = np.flatnonzero(~self.place_off)
        on_stops = planner.stops.on
        stop_nodes = planner.stops.node[on_stops]
        reverse = planner.network.reverse
        for start in range(0, on_places.size, SOURCES_PER_BATCH):
            batch = on_places[start : start + SOURCES_PER_BATCH]
            sources = anchors.node[batch].ravel()
            distance = dijkstra(reverse, directed=True, indices=sources, limit=self.max_access_m)
            # walk from stop node to each anchor, then along the edge to the place
            to_anchor = distance[:, stop_nodes].reshape(batch.size, 2, stop_nodes.size)
            to_place = (to_anchor + anchors.offset_m[batch][:, :, None]).min(axis=1)
            length = to_place + planner.stops.offset_m[on_stops][None, :]
            straight = haversine_m(
                self.place_lat[batch][:, None],
                self.place_lon[batch][:, None],
                planner.stops.lat[on_stops][None, :],
                planner.stops.lon[on_stops][None, :],
            )
            length = np.maximum(length, straight)
            rows, cols = np.nonzero(length <= self.max_access_m)
            place_parts.append(batch[rows])
            stop_parts.append(on_stops[cols])
            walk_parts.append(length[rows, cols])
        off_stops = planner.stops.off
        if off_stops.size and on_places.size:
            guess = DETOUR_FACTOR * haversine_m(
                self.place_lat[on_places][:, None],
                self.place_lon[on_places][:, None],
                planner.stops.lat[off_stops][None, :],
                planner.stops.lon[off_stops][None, :],
            )
            rows, cols = np.nonzero(guess <= self.max_access_m)
            place_parts.append(on_places[rows])
            stop_parts.append(off_stops[cols])
            walk_parts.append(guess[rows, cols])
        seconds_parts = [np.ceil(length / self.speed_mps).astype(np.int64) for length in walk_parts]
        for place in np.flatnonzero(self.place_off):
            stops, walk_s = self.place_access_stops[place]
            place_parts.append(np.full(stops.size, place, dtype=np.int64))
            stop_parts.append(stops)
            seconds_parts.append(walk_s)
        place_all = np.concatenate([*place_parts, np.zeros(0, dtype=np.int64)]).astype(np.int64)
        stop_all = np.concatenate([*stop_parts, np.zeros(0, dtype=np.int64)]).astype(np.int64)
        walk_all = np.concatenate([*seconds_parts, np.zeros(0, dtype=np.int64)]).astype(np.int64)
        order = np.argsort(place_all, kind="stable")
        return stop_all[order], place_all[order], walk_all[order]

    # -- bus --------------------------------------------------------------------------------------------------

    def stop_arrivals(self, access_stops: Int64Array, access_walk_s: Int64Array, depart_s: int) -> Int64Array:
        """Earliest arrival by bus at every stop (``INF`` where none), leaving the origin at ``depart_s``."""
        return stop_arrivals(
            self.index,
            depart_s,
            access_stops=access_stops,
            access_walk_s=access_walk_s,
            max_rides=self.max_rides,
            change_s=self.min_change_s,
        )

    def bus_place_s(self, arrive_s: Int64Array, depart_s: int) -> FloatArray:
        """Door-to-door seconds to every place by bus then egress walk (inf where none)."""
        result = np.full(len(self.place_ids), np.inf)
        if not self.egress_stop.size:
            return result
        at = arrive_s[self.egress_stop] + self.egress_walk_s
        best = np.minimum.reduceat(at, self._egress_starts)
        reached = best < INF
        result[self._egress_places[reached]] = best[reached] - depart_s
        return result

    def estimated_walk_s(self, lat: float, lon: float, *, origin_off: bool) -> FloatArray:
        """Straight-line walk times the detour factor to the places where either end is off the network."""
        guess = haversine_m(lat, lon, self.place_lat, self.place_lon) * DETOUR_FACTOR / self.speed_mps
        return np.where(self.place_off | origin_off, guess, np.inf)

    # -- queries ----------------------------------------------------------------------------------------------

    def reach(
        self, lat: float, lon: float, *, mode: Mode = "walk", depart_s: int | None = None, limit_m: float = np.inf
    ) -> Reach:
        """Walk (and bus) from an arbitrary point: per-node walks and per-place door-to-door seconds.

        In walk mode an off-network place is NaN (no street walk); in bus mode it is reached through its access
        stops or by the estimated straight-line walk. Walks beyond ``limit_m`` are not explored.

        Raises
        ------
        OutsideAreaError, TooFarFromStreetError
            For a point that is invalid, outside the area or far from every street.
        NoServiceError
            In bus mode, if no bus runs at ``depart_s`` nor within 2 h after it.
        RoutingError
            If ``mode`` is unknown or bus mode lacks a valid ``depart_s``.
        """
        if mode not in ("walk", "bus"):
            raise RoutingError(f"mode must be 'walk' or 'bus', got {mode!r}")
        depart = self._check_depart(depart_s) if mode == "bus" else None
        origin = self._origin(lat, lon)
        if (self._to_place is not None or self._buckets is not None) and not math.isfinite(limit_m):
            if depart is not None:
                node_m = self.multi_source_m(origin.node[0], origin.offset_m[0], limit_m=self.max_access_m)
            else:
                node_m = np.full(self.graph.node_count, np.inf)
            place_s = self._place_lengths_from_table(origin) / self.speed_mps
        else:
            node_m = self.multi_source_m(origin.node[0], origin.offset_m[0], limit_m=limit_m)
            place_s = self.place_lengths(node_m, origin, 0) / self.speed_mps
        arrive: Int64Array | None = None
        if depart is not None:
            stops, walk_s = self.access_stops(node_m, lat, lon)
            arrive = self.stop_arrivals(stops, walk_s, depart)
            place_s = np.fmin(place_s, self.bus_place_s(arrive, depart))
            place_s = np.fmin(place_s, self.estimated_walk_s(lat, lon, origin_off=False))
        place_s = np.where(place_s * self.speed_mps <= limit_m, place_s, np.inf) if depart is None else place_s
        return Reach(
            mode=mode,
            depart_s=depart,
            node_m=node_m,
            place_s=np.where(np.isfinite(place_s), place_s, np.nan),
            stop_arrive_s=arrive,
        )

    def one_to_many(
        self,
        lat: float,
        lon: float,
        place_ids: Sequence[str] | None = None,
        *,
        mode: Mode = "walk",
        depart_s: int | None = None,
    ) -> FloatArray:
        """Door-to-door seconds from a point (a hotel) to places (all of them, in catalogue order, by default).

        Walk mode: the street walk at ``speed_mps`` (NaN for off-network places and other components). Bus mode:
        the fastest bus + walk journey leaving at ``depart_s``, or walking when that is faster (NaN: unreachable).

        Raises
        ------
        OutsideAreaError, TooFarFromStreetError, NoServiceError, RoutingError
            As :meth:`reach`; RoutingError also for an unknown place id.
        """
        rows = None if place_ids is None else self.place_index(place_ids)
        place_s = self.reach(lat, lon, mode=mode, depart_s=depart_s).place_s
        return place_s if rows is None else place_s[rows]

    def place_index(self, place_ids: Sequence[str]) -> Int64Array:
        """Catalogue positions of place ids.

        Raises
        ------
        RoutingError
            For an unknown id.
        """
        try:
            return np.asarray([self._position[place_id] for place_id in place_ids], dtype=np.int64)
        except KeyError as exc:
            raise RoutingError(f"unknown place {exc.args[0]!r}") from exc

    def _check_depart(self, depart_s: int | None) -> int:
        if depart_s is None or not (isinstance(depart_s, int | np.integer) and 0 <= depart_s < DAY_S):
            raise RoutingError(f"bus mode needs depart_s, an integer in [0, {DAY_S}), got {depart_s!r}")
        if self.planner.service_starts_s(int(depart_s)) is None:
            raise NoServiceError(f"no bus runs at {int(depart_s)} s after midnight nor within 2 h after it")
        return int(depart_s)

    def period_departures(self) -> dict[str, int]:
        """The representative departure of each service period (see ``ServicePeriod.representative_s``)."""
        return {period.name: period.representative_s for period in self.planner.bus.periods}


def stop_arrivals(
    index: SearchIndex,
    depart_s: int,
    *,
    access_stops: Int64Array,
    access_walk_s: Int64Array,
    max_rides: int = MAX_RIDES,
    change_s: int = MIN_CHANGE_S,
) -> Int64Array:
    """One-to-all RAPTOR: the earliest arrival *by bus* at every stop (``INF`` where none).

    :func:`~routing.journeys.search.raptor` prunes on a target; a single dummy egress walk longer than any journey
    keeps that pruning from ever firing, so the rounds reach every stop they can.

    Raises
    ------
    RoutingError
        As :func:`~routing.journeys.search.raptor` for out-of-range access lists or times.
    """
    stops = index.stop_count
    if stops == 0 or not np.asarray(access_stops).size:
        return np.full(stops, INF, dtype=np.int64)
    result = raptor(
        index,
        depart_s,
        access_stops=access_stops,
        access_walk_s=access_walk_s,
        egress_stops=np.zeros(1, dtype=np.int64),
        egress_walk_s=np.full(1, MAX_TIME_S // 2 - 1, dtype=np.int64),
        max_rides=max_rides,
        change_s=change_s,
    )
    if len(result.bus_s) <= 1:
        return np.full(stops, INF, dtype=np.int64)
    return np.asarray(np.minimum.reduce(result.bus_s[1:]), dtype=np.int64)
