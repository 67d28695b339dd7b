"""Door-to-door bus + walk journeys: access and egress walks on the walk graph around a RAPTOR search.

A query:

1. checks the coordinates (``OutsideAreaError`` for an invalid point or one outside the walk graph's bounding box)
   and the departure time (``NoServiceError``, see below);
2. snaps each end to the walk graph, preferring its main component (:mod:`routing.streets.walknet`;
   ``TooFarFromStreetError`` beyond ``max_snap_m``, unless the caller passes an access list for that end) and
   runs one scipy Dijkstra from it, stopped at ``max_access_m``, to every stop's snapped node; stops off the walk
   network within ``max_access_m`` (straight line times the detour factor) are added as estimated walks. The
   destination's Dijkstra runs on the reversed graph (footpaths can be one-way);
3. runs RAPTOR (:mod:`routing.journeys.search`) for at most ``max_rides`` rides;
4. compares with walking the whole way: one more Dijkstra from the origin, stopped where walking would arrive
   later than the earliest bus (or unbounded when there is no bus journey); an end given by an access list
   instead of a snap (an off-network place) walks the straight line times the detour factor, flagged estimated;
5. reconstructs each Pareto journey with its legs and geometry.

Service times: there is no bus at night. ``NoServiceError`` is raised when ``depart_s`` lies outside every service
period and no period starts within ``MAX_INITIAL_WAIT_S`` (2 h) after it: 04:30 still plans (the first buses leave
at 06:30), 20:00 does not (the afternoon period ends at 19:45; buses that left before then still finish their runs
and are used by queries made before 19:45).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from routing.errors import (
    BundleError,
    NoRouteError,
    NoServiceError,
    RoutingError,
)
from routing.geo import BBox, LocalProjection, check_point, haversine_m
from routing.graph.frozen import FrozenGraph
from routing.journeys.journey import BusLeg, BusPlan, Journey, LatLon, Leg, WalkLeg, clock
from routing.journeys.paths import RoadPaths, dedupe, node_path, path_coordinates, successor_path
from routing.journeys.search import RideStep, SearchIndex, Step, WalkStep, raptor
from routing.streets import DEFAULT_MAX_SNAP_M, DEFAULT_WALK_SPEED_MPS
from routing.streets.snap import MainComponentSnapper, too_far_from_street
from routing.streets.walknet import WalkNetwork
from routing.transit.model import RAIL_MODES, BusNetwork
from routing.transit.timetable import Timetable
from routing.transit.transfers import DETOUR_FACTOR, Transfers

MAX_RIDES = 4
MIN_CHANGE_S = 60
"""Least time between alighting from a bus and boarding the next (a transfer walk counts towards it)."""
MAX_INITIAL_WAIT_S = 7_200
"""A departure outside every period still plans if a period starts within this many seconds."""
DAY_S = 86_400
MIN_WALK_LEG_M = 0.5
ORIGIN = "origin"
DESTINATION = "destination"

AccessList = Sequence[tuple[int, float, bool]]
"""``(stop index, walk seconds, estimated)`` entries: the stops reachable on foot from (or to) a point."""


@dataclass(frozen=True, eq=False)
class StopPoints:
    """Where the bus stops meet the walk graph, by stop index (what one-to-many searches start from).

    ``node`` is the walk-graph node a stop is anchored to (-1: off the network) and ``offset_m`` the walk from
    the stop to it; ``on`` / ``off`` list the stops on and off the network.
    """

    lat: NDArray[np.float64]
    lon: NDArray[np.float64]
    node: NDArray[np.int64]
    offset_m: NDArray[np.float64]
    on: NDArray[np.int64]
    off: NDArray[np.int64]


@dataclass(frozen=True)
class JourneyEnd:
    """One end of a query: how it meets the walk graph and the stops reachable from it."""

    lat: float
    lon: float
    node: int
    offset_m: float
    snapped: LatLon | None
    stops: NDArray[np.int64]
    walk_s: NDArray[np.int64]
    length_m: NDArray[np.float64]
    estimated: NDArray[np.bool_]
    predecessors: NDArray[np.int32] | None
    distance_m: NDArray[np.float64] | None

    @property
    def on_network(self) -> bool:
        """Whether the end was snapped to a street (not given an access list)."""
        return self.node >= 0


class BusPlanner:
    """Plans bus + walk journeys on one city's bus network: build once, query many times.

    Queries only read shared state, except the road-geometry cache, an append-only dict (safe under the GIL).

    Parameters
    ----------
    bus
        The bus network.
    timetable
        Its service-day timetable (:meth:`Timetable.from_network`).
    transfers
        Foot transfers between its stops (:func:`~routing.transit.transfers.build_transfers`).
    walk
        The walk graph the stops were snapped to.
    stop_access
        The bundle's per-stop access records.
    drive
        The drive graph for bus-leg geometry along the roads; None for straight stop-to-stop segments.
    max_snap_m, speed_mps
        How far a query point may be from a street, and the walking speed of queries that give none.
    snapper
        The process's nearest-street index over ``walk`` to share (:class:`~routing.city_router.CityRouter` makes
        one for its walk router, bus planner and rows); else one is built on the first snap.

    Raises
    ------
    BundleError
        If the timetable, the transfers and the network list different stops or routes, or a stop's access
        record does not fit the walk graph.
    """

    def __init__(
        self,
        bus: BusNetwork,
        timetable: Timetable,
        transfers: Transfers,
        walk: FrozenGraph,
        stop_access: Mapping[str, Mapping[str, Any]],
        *,
        drive: FrozenGraph | None = None,
        max_snap_m: float = DEFAULT_MAX_SNAP_M,
        speed_mps: float = DEFAULT_WALK_SPEED_MPS,
        snapper: MainComponentSnapper | None = None,
    ) -> None:
        stop_ids = tuple(stop.stop_id for stop in bus.stops)
        if timetable.stop_ids != stop_ids or timetable.route_ids != tuple(route.route_id for route in bus.routes):
            raise BundleError("the timetable was built for another bus network; rebuild it")
        if transfers.stop_ids != stop_ids:
            raise BundleError("the transfers were built for another bus network; rebuild them")
        if walk.node_count == 0:
            raise BundleError("the walk graph is empty")
        self.bus = bus
        self.timetable = timetable
        self.transfers = transfers
        self.walk = walk
        self.max_snap_m = max_snap_m
        self.speed_mps = speed_mps
        self.index = SearchIndex.build(timetable, transfers)
        self.network = WalkNetwork(walk, snapper=snapper)
        self._matrix = self.network.matrix
        self._reverse = self.network.reverse
        stop_lat = np.asarray([stop.lat for stop in bus.stops], dtype=np.float64)
        stop_lon = np.asarray([stop.lon for stop in bus.stops], dtype=np.float64)
        anchors = self.network.stop_anchors(stop_ids, stop_lat, stop_lon, stop_access, max_snap_m=max_snap_m)
        self.stops = StopPoints(
            lat=stop_lat,
            lon=stop_lon,
            node=anchors.node,
            offset_m=anchors.offset_m,
            on=np.flatnonzero(anchors.node >= 0),
            off=np.flatnonzero(anchors.node < 0),
        )
        self.network.prepare()
        self._projection = LocalProjection(float(np.mean(walk.node_lat)), float(np.mean(walk.node_lon)))
        off_x, off_y = self._projection.forward(self.stops.lat[self.stops.off], self.stops.lon[self.stops.off])
        self._off_tree = cKDTree(np.column_stack((off_x, off_y))) if self.stops.off.size else None
        self.area = BBox.around(walk.node_lat, walk.node_lon)
        self.roads = RoadPaths(drive, self.stops.lat, self.stops.lon)
        self._stop_index = {stop_id: index for index, stop_id in enumerate(stop_ids)}

    def stop_index(self, stop_id: str) -> int:
        """Index of a stop id (merged source ids are resolved).

        Raises
        ------
        RoutingError
            If the network has no such stop.
        """
        index = self._stop_index.get(self.bus.resolve_stop_id(stop_id))
        if index is None:
            raise RoutingError(f"unknown bus stop {stop_id!r}")
        return index

    def access_list(self, access_stops: Sequence[Mapping[str, Any]]) -> list[tuple[int, float, bool]]:
        """The ``from_access``/``to_access`` override for a bundle place's ``access_stops`` records.

        Raises
        ------
        RoutingError
            If a record names an unknown stop or lacks ``walk_s``.
        """
        try:
            return [
                (self.stop_index(str(record["stop_id"])), float(record["walk_s"]), bool(record.get("estimated", True)))
                for record in access_stops
            ]
        except (KeyError, TypeError, ValueError) as exc:
            raise RoutingError(f"malformed access_stops record ({exc})") from exc

    def service_starts_s(self, depart_s: int) -> int | None:
        """When service is available for a departure at ``depart_s`` (None: no service).

        ``depart_s`` itself inside a period, else the start of the next period if it begins within
        ``MAX_INITIAL_WAIT_S``, else None.
        """
        starts, ends = self.timetable.period_start_s, self.timetable.period_end_s
        if np.any((starts <= depart_s) & (depart_s < ends)):
            return depart_s
        upcoming = starts[(starts > depart_s) & (starts <= depart_s + MAX_INITIAL_WAIT_S)]
        return int(upcoming.min()) if upcoming.size else None

    def plan(
        self,
        from_lat: float,
        from_lon: float,
        to_lat: float,
        to_lon: float,
        *,
        depart_s: int,
        max_access_m: float = 1000.0,
        max_rides: int = MAX_RIDES,
        speed_mps: float | None = None,
        min_change_s: int = MIN_CHANGE_S,
        from_access: AccessList | None = None,
        to_access: AccessList | None = None,
        max_snap_m: tuple[float, float] | None = None,
    ) -> BusPlan:
        """Pareto-optimal bus journeys (arrival time, rides) and the walking comparison for one trip.

        Parameters
        ----------
        from_lat, from_lon, to_lat, to_lon
            Origin and destination in degrees.
        depart_s
            Departure time, seconds after midnight (``0 <= depart_s < 86400``).
        max_access_m
            Longest walk to the first stop and from the last stop.
        max_rides
            Most bus rides, 1 to ``MAX_RIDES``.
        speed_mps
            Walking speed.
        min_change_s
            Least time between alighting and boarding the next bus: the timetable is expanded from headways, so
            a connection of a few seconds is luck, not a plan.
        from_access, to_access
            Override the walk-graph access for that end: ``(stop index, walk seconds, estimated)`` entries, e.g.
            :meth:`access_list` of an off-network place's ``access_stops``. The end is then not snapped.
        max_snap_m
            Each end's snap distance (origin, destination); default: the planner's for both.

        Returns
        -------
        BusPlan

        Raises
        ------
        OutsideAreaError
            If a coordinate is not a valid latitude/longitude or (without an override) lies outside the walk
            graph's bounding box.
        TooFarFromStreetError
            If an end without an override is farther than ``max_snap_m`` from every street.
        NoServiceError
            If no bus runs at ``depart_s`` nor within 2 h after it (night).
        NoRouteError
            If neither a bus journey nor a walk connects the two ends.
        RoutingError
            If a parameter is out of range or an access list names an unknown stop.
        """
        if not (isinstance(depart_s, int | np.integer) and 0 <= depart_s < DAY_S):
            raise RoutingError(f"depart_s must be an integer in [0, {DAY_S}), got {depart_s!r}")
        speed_mps = self.speed_mps if speed_mps is None else speed_mps
        check_search_options(max_rides, max_access_m=max_access_m, speed_mps=speed_mps)
        if not 0 <= min_change_s <= MAX_INITIAL_WAIT_S:
            raise RoutingError(f"min_change_s must be between 0 and {MAX_INITIAL_WAIT_S}, got {min_change_s}")
        depart_s = int(depart_s)
        check_point(from_lat, from_lon, self.area if from_access is None else None, what=ORIGIN)
        check_point(to_lat, to_lon, self.area if to_access is None else None, what=DESTINATION)
        if self.service_starts_s(depart_s) is None:
            raise NoServiceError(
                f"no bus runs at {clock(depart_s)} nor within {MAX_INITIAL_WAIT_S // 3600} h after it; service "
                f"periods: {self._periods_text()}"
            )
        from_snap_m, to_snap_m = max_snap_m or (self.max_snap_m, self.max_snap_m)
        origin = self._end(from_lat, from_lon, from_access, max_access_m, speed_mps, reverse=False, snap_m=from_snap_m)
        target = self._end(to_lat, to_lon, to_access, max_access_m, speed_mps, reverse=True, snap_m=to_snap_m)
        result = raptor(
            self.index,
            depart_s,
            access_stops=origin.stops,
            access_walk_s=origin.walk_s,
            egress_stops=target.stops,
            egress_walk_s=target.walk_s,
            max_rides=max_rides,
            change_s=min_change_s,
        )
        journeys = tuple(self._journey(result.steps(label), origin, target) for label in result.labels)
        earliest = min((label.arrive_s for label in result.labels), default=None)
        walk_only = self._walk_only(origin, target, depart_s, speed_mps, latest_arrive_s=earliest)
        if walk_only is not None and earliest is not None and walk_only.arrive_s > earliest:
            walk_only = None  # within the distance budget, but later once rounded up to whole seconds
        if not journeys and walk_only is None:
            raise NoRouteError(
                f"no bus journey with at most {max_rides} rides and no walk connects "
                f"({from_lat:.6f}, {from_lon:.6f}) to ({to_lat:.6f}, {to_lon:.6f}) leaving at {clock(depart_s)}"
            )
        return BusPlan(
            depart_s=depart_s,
            journeys=journeys,
            walk_only=walk_only,
            bus_beats_walking=bool(journeys) and walk_only is None,
        )

    # -- query ends ---------------------------------------------------------------------------------------------

    def _periods_text(self) -> str:
        return ", ".join(
            f"{name} {clock(int(start))}-{clock(int(end))}"
            for name, start, end in zip(
                self.timetable.period_names, self.timetable.period_start_s, self.timetable.period_end_s, strict=True
            )
        )

    def end(
        self,
        lat: float,
        lon: float,
        *,
        access: AccessList | None = None,
        destination: bool = False,
        max_access_m: float = 1000.0,
    ) -> JourneyEnd:
        """One end as :meth:`plan` resolves it (snapped, with the stops within ``max_access_m`` on foot).

        Raises
        ------
        TooFarFromStreetError
            If the end (without ``access``) is farther than the planner's ``max_snap_m`` from every street.
        """
        return self._end(lat, lon, access, max_access_m, self.speed_mps, reverse=destination, snap_m=self.max_snap_m)

    def _end(
        self,
        lat: float,
        lon: float,
        override: AccessList | None,
        max_access_m: float,
        speed_mps: float,
        *,
        reverse: bool,
        snap_m: float,
    ) -> JourneyEnd:
        """Snap one end and list the stops within ``max_access_m`` on foot (or take the override)."""
        if override is not None:
            stops = np.asarray([int(entry[0]) for entry in override], dtype=np.int64)
            if stops.size and (int(stops.min()) < 0 or int(stops.max()) >= len(self.bus.stops)):
                raise RoutingError("an access list names a stop index out of range")
            seconds = np.asarray([float(entry[1]) for entry in override], dtype=np.float64)
            if seconds.size and not (np.all(np.isfinite(seconds)) and np.all(seconds >= 0)):
                raise RoutingError("an access list has a negative or non-finite walk time")
            return JourneyEnd(
                lat=lat,
                lon=lon,
                node=-1,
                offset_m=0.0,
                snapped=None,
                stops=stops,
                walk_s=np.ceil(seconds).astype(np.int64),
                length_m=seconds * speed_mps,
                estimated=np.asarray([bool(entry[2]) for entry in override], dtype=np.bool_),
                predecessors=None,
                distance_m=None,
            )
        anchor = self.network.snap(lat, lon, max_snap_m=snap_m)
        node, offset_m = int(anchor.node[0]), float(anchor.offset_m[0])
        if node < 0:
            raise too_far_from_street(self.network.snapper, lat, lon, snap_m, field="to" if reverse else "from")
        matrix = self._reverse if reverse else self._matrix
        distance, predecessors = dijkstra(
            matrix, directed=True, indices=node, limit=max_access_m, return_predecessors=True
        )
        on = self.stops.on
        length = offset_m + distance[self.stops.node[on]] + self.stops.offset_m[on]
        straight = haversine_m(lat, lon, self.stops.lat[on], self.stops.lon[on])
        length = np.maximum(length, straight)
        keep = length <= max_access_m
        stops, length = on[keep], length[keep]
        estimated = np.zeros(stops.size, dtype=np.bool_)
        if self._off_tree is not None:
            x, y = self._projection.forward(lat, lon)
            radius_m = max_access_m / DETOUR_FACTOR * 1.02
            near = np.asarray(self._off_tree.query_ball_point([float(x), float(y)], radius_m), dtype=np.int64)
            if near.size:
                candidates = self.stops.off[near]
                guess = haversine_m(lat, lon, self.stops.lat[candidates], self.stops.lon[candidates]) * DETOUR_FACTOR
                within = guess <= max_access_m
                stops = np.concatenate((stops, candidates[within]))
                length = np.concatenate((length, guess[within]))
                estimated = np.concatenate((estimated, np.ones(int(within.sum()), dtype=np.bool_)))
        return JourneyEnd(
            lat=lat,
            lon=lon,
            node=node,
            offset_m=offset_m,
            snapped=(float(anchor.lat[0]), float(anchor.lon[0])),
            stops=stops,
            walk_s=np.ceil(length / speed_mps).astype(np.int64),
            length_m=length,
            estimated=estimated,
            predecessors=predecessors,
            distance_m=distance,
        )

    # -- walking the whole way ----------------------------------------------------------------------------------

    def _walk_only(
        self, origin: JourneyEnd, target: JourneyEnd, depart_s: int, speed_mps: float, *, latest_arrive_s: int | None
    ) -> Journey | None:
        """The walk from origin to destination if it arrives no later than ``latest_arrive_s`` (None: any walk)."""
        budget_m = math.inf if latest_arrive_s is None else (latest_arrive_s - depart_s) * speed_mps
        straight = float(haversine_m(origin.lat, origin.lon, target.lat, target.lon))
        if not (origin.on_network and target.on_network):
            length = straight * DETOUR_FACTOR
            if length > budget_m:
                return None
            points = [(origin.lat, origin.lon), (target.lat, target.lon)]
            return _whole_walk(depart_s, length, points, speed_mps=speed_mps, estimated=True)
        if straight > budget_m:
            return None
        distance, predecessors = origin.distance_m, origin.predecessors
        reach = origin.offset_m + target.offset_m
        if distance is None or predecessors is None or not np.isfinite(distance[target.node]):
            limit = budget_m - reach
            if limit < 0:
                return None
            distance, predecessors = dijkstra(
                self._matrix, directed=True, indices=origin.node, limit=limit, return_predecessors=True
            )
        if not np.isfinite(distance[target.node]):
            return None
        length = max(float(distance[target.node]) + reach, straight)
        if length > budget_m:
            return None
        nodes = node_path(predecessors, origin.node, target.node) or [origin.node]
        points = [(origin.lat, origin.lon), *self._snapped(origin), *path_coordinates(self.walk, nodes)]
        points += [*self._snapped(target), (target.lat, target.lon)]
        return _whole_walk(depart_s, length, points, speed_mps=speed_mps, estimated=False)

    @staticmethod
    def _snapped(end: JourneyEnd) -> list[LatLon]:
        return [] if end.snapped is None else [end.snapped]

    # -- journeys -----------------------------------------------------------------------------------------------

    def _journey(self, steps: tuple[Step, ...], origin: JourneyEnd, target: JourneyEnd) -> Journey:
        """Legs with times and geometry for the steps of one Pareto label.

        The departure is shifted so the rider reaches the first stop as the first bus leaves (no wait at the first
        stop). An access or egress walk shorter than ``MIN_WALK_LEG_M`` (the point is at the stop) is left out.
        """
        rides = [step for step in steps if isinstance(step, RideStep)]
        until_s = rides[0].depart_s  # when the previous leg ends
        legs: list[Leg] = []
        for step in steps:
            if isinstance(step, RideStep):
                legs.append(self._bus_leg(step, step.depart_s - until_s))
                until_s = step.arrive_s
                continue
            if step.kind == "access":
                depart, arrive = until_s - step.walk_s, until_s
            else:
                depart, arrive = until_s, until_s + step.walk_s
                until_s = arrive
            leg = self._step_leg(step, depart, arrive, origin, target)
            if leg.kind == "transfer" or leg.length_m >= MIN_WALK_LEG_M:
                legs.append(leg)
        return Journey(legs=tuple(legs), depart_s=legs[0].depart_s, arrive_s=legs[-1].arrive_s)

    def _stop_point(self, stop: int) -> LatLon:
        return float(self.stops.lat[stop]), float(self.stops.lon[stop])

    def _step_leg(
        self, step: WalkStep, depart_s: int, arrive_s: int, origin: JourneyEnd, target: JourneyEnd
    ) -> WalkLeg:
        stops = self.bus.stops
        if step.kind == "transfer":
            length = float(self.transfers.length_m[step.transfer])
            estimated = bool(self.transfers.estimated[step.transfer])
            points = self._transfer_points(step.from_stop, step.to_stop, estimated=estimated)
            return WalkLeg(
                kind="transfer",
                from_name=stops[step.from_stop].name,
                to_name=stops[step.to_stop].name,
                from_stop_id=stops[step.from_stop].stop_id,
                to_stop_id=stops[step.to_stop].stop_id,
                depart_s=depart_s,
                arrive_s=arrive_s,
                length_m=length,
                coordinates=dedupe(points),
                estimated=estimated,
                from_name_source=stops[step.from_stop].name_source,
                to_name_source=stops[step.to_stop].name_source,
            )
        access = step.kind == "access"
        end = origin if access else target
        stop = step.to_stop if access else step.from_stop
        entry = int(np.flatnonzero(end.stops == stop)[np.argmin(end.walk_s[end.stops == stop])])
        estimated = bool(end.estimated[entry])
        length = float(end.length_m[entry])
        points = self._access_points(end, stop, estimated=estimated, reverse=not access)
        return WalkLeg(
            kind=step.kind,
            from_name=ORIGIN if access else stops[stop].name,
            to_name=stops[stop].name if access else DESTINATION,
            from_stop_id=None if access else stops[stop].stop_id,
            to_stop_id=stops[stop].stop_id if access else None,
            depart_s=depart_s,
            arrive_s=arrive_s,
            length_m=length,
            coordinates=dedupe(points),
            estimated=estimated,
            from_name_source=None if access else stops[stop].name_source,
            to_name_source=stops[stop].name_source if access else None,
        )

    def _access_points(self, end: JourneyEnd, stop: int, *, estimated: bool, reverse: bool) -> list[LatLon]:
        """Polyline from the origin to ``stop`` (or from ``stop`` to the destination when ``reverse``)."""
        point, stop_point = (end.lat, end.lon), self._stop_point(stop)
        stop_node = int(self.stops.node[stop])
        if estimated or end.predecessors is None or stop_node < 0:
            return [stop_point, point] if reverse else [point, stop_point]
        if reverse:
            nodes = successor_path(end.predecessors, stop_node, end.node) or [stop_node]
            return [stop_point, *path_coordinates(self.walk, nodes), *self._snapped(end), point]
        nodes = node_path(end.predecessors, end.node, stop_node) or [stop_node]
        return [point, *self._snapped(end), *path_coordinates(self.walk, nodes), stop_point]

    def _transfer_points(self, from_stop: int, to_stop: int, *, estimated: bool) -> list[LatLon]:
        first, last = self._stop_point(from_stop), self._stop_point(to_stop)
        source, target = int(self.stops.node[from_stop]), int(self.stops.node[to_stop])
        if estimated or source < 0 or target < 0:
            return [first, last]
        _, predecessors = dijkstra(
            self._matrix,
            directed=True,
            indices=source,
            limit=self.transfers.max_transfer_m,
            return_predecessors=True,
        )
        nodes = node_path(predecessors, source, target) or [source]
        return [first, *path_coordinates(self.walk, nodes), last]

    def _bus_leg(self, step: RideStep, wait_s: int) -> BusLeg:
        timetable = self.timetable
        route = self.bus.routes[step.route]
        start = int(timetable.route_pos_start[step.route])
        first, last = step.board_pos - start, step.alight_pos - start
        stop_indexes = [int(s) for s in timetable.pos_stop[step.board_pos : step.alight_pos + 1]]
        pieces: list[tuple[tuple[LatLon, ...], bool]]
        if route.mode in RAIL_MODES:  # rails, not roads: straight between stations
            pieces = [((self._stop_point(a), self._stop_point(b)), False) for a, b in itertools.pairwise(stop_indexes)]
        else:
            pieces = self.roads.legs(list(itertools.pairwise(stop_indexes)))
        points: list[LatLon] = []
        for piece, _ in pieces:
            points.extend(piece)
        stops = self.bus.stops
        return BusLeg(
            route_id=route.route_id,
            ref=route.ref,
            route_name=route.name,
            board_stop_id=stops[stop_indexes[0]].stop_id,
            board_stop_name=stops[stop_indexes[0]].name,
            alight_stop_id=stops[stop_indexes[-1]].stop_id,
            alight_stop_name=stops[stop_indexes[-1]].name,
            depart_s=step.depart_s,
            arrive_s=step.arrive_s,
            wait_s=wait_s,
            stop_ids=tuple(stops[s].stop_id for s in stop_indexes),
            stop_names=tuple(stops[s].name for s in stop_indexes),
            length_m=float(sum(route.leg_distance_m[first:last])),
            coordinates=dedupe(points),
            on_road=all(on_road for _, on_road in pieces),
            mode=route.mode,
            stop_name_sources=tuple(stops[s].name_source for s in stop_indexes),
        )


def _whole_walk(depart_s: int, length_m: float, points: list[LatLon], *, speed_mps: float, estimated: bool) -> Journey:
    """A journey of one walk from origin to destination."""
    leg = WalkLeg(
        kind="walk",
        from_name=ORIGIN,
        to_name=DESTINATION,
        from_stop_id=None,
        to_stop_id=None,
        depart_s=depart_s,
        arrive_s=depart_s + math.ceil(length_m / speed_mps),
        length_m=length_m,
        coordinates=dedupe(points),
        estimated=estimated,
    )
    return Journey(legs=(leg,), depart_s=depart_s, arrive_s=leg.arrive_s)


def check_search_options(max_rides: int, **positive: float) -> None:
    """Refuse a bus search's options the planner and the one-to-many rows share: rides, distances and speeds.

    Raises
    ------
    RoutingError
        If ``max_rides`` is not within 1..:data:`MAX_RIDES` or a ``positive`` value is not a finite number > 0.
    """
    if not 1 <= max_rides <= MAX_RIDES:
        raise RoutingError(f"max_rides must be between 1 and {MAX_RIDES}, got {max_rides}")
    for name, value in positive.items():
        if not (math.isfinite(value) and value > 0):
            raise RoutingError(f"{name} must be a finite number > 0, got {value}")
