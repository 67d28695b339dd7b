"""The bus network's frequency-based service expanded into a timetable for one service day.

The bundle's bus network gives, per route, the ordered stops, a run time per leg and a headway per service period
(the World Bank morning, midday and afternoon, and the early morning and evening where OSM tags give a route's
hours; no service at night). RAPTOR needs trips, so each route gets one trip departing its first stop at
``period.start_s + k * headway`` for every ``k`` with that time inside the period (``start_s <= t < end_s``, the
period's own definition in :class:`~routing.transit.model.ServicePeriod`); a trip that leaves before a period ends
runs to its last stop even if that is after the end. A route with its own service hours (``service_hours_s``,
windows of first and last departure) runs only inside them: the grid starts at the later of the period's start and
the first departure, and the last departure itself always runs (e.g. 22:30 when the tag says ``05:00-22:30``).

Times at the other stops come from the cumulative ``leg_run_time_s``, rounded to whole seconds once (on the
cumulative sum, so rounding does not drift along a long route). No dwell is added: the run-time model
(:class:`~routing.transit.model.SpeedModel`, ``run_time_s = (dwell_s + distance_m / speed_mps) * factor``) already
includes a per-leg dwell (its fitted intercept, 29 s on the Hanoi feed), so the bus arrives at and leaves a stop at
the same second. :meth:`Timetable.from_network` accepts an extra ``dwell_s`` for networks whose run times exclude it.

Every trip of a route shares the route's run times, so trips never overtake each other (RAPTOR's FIFO condition)
and a trip's time at position ``i`` is ``trip_depart_s[trip] + offset[i]``: the timetable stores the first-stop
departure of every trip and the arrival/departure offsets of every route position, and
:meth:`Timetable.stop_times` expands one route into full arrival/departure matrices when needed.

Indexes: stops are numbered in the order of ``BusNetwork.stops``; routes in the order of ``BusNetwork.routes``
(routes without a stop pair or without any service keep their index and get no trip); a *position* is one stop of
one route (``route_pos_start[r]:route_pos_start[r + 1]``); trips of route ``r`` are
``route_trip_start[r]:route_trip_start[r + 1]``, sorted by departure.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from routing.bundle.npz import NpzRecord, load_npz, save_npz
from routing.errors import BundleError, RoutingError
from routing.transit.model import BusNetwork, BusRoute, ServicePeriod

TIMETABLE_FORMAT = 1
MAX_TIME_S = 1 << 20
"""Every stored time is below this (about 12 days): the search packs times into integer keys."""

_INT_FIELDS = (
    "route_pos_start",
    "pos_stop",
    "pos_arrive_offset_s",
    "pos_depart_offset_s",
    "route_trip_start",
    "trip_depart_s",
    "trip_period",
    "period_start_s",
    "period_end_s",
)

Int64Array = NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class Timetable:
    """Trips of every route for one service day, in flat integer arrays (times in seconds after midnight).

    Attributes
    ----------
    stop_ids, route_ids
        The network's stop and route ids, in index order (checked against the network when a planner is built).
    route_pos_start
        ``(routes + 1,)`` start of each route's positions.
    pos_stop
        ``(positions,)`` stop index of each position.
    pos_arrive_offset_s, pos_depart_offset_s
        ``(positions,)`` arrival / departure time at the position relative to the trip's first-stop departure.
    route_trip_start
        ``(routes + 1,)`` start of each route's trips.
    trip_depart_s
        ``(trips,)`` departure from the route's first stop, sorted within each route.
    trip_period
        ``(trips,)`` index into ``period_names`` of the period the trip departs in.
    period_names, period_start_s, period_end_s
        The service periods the trips were expanded from.
    """

    stop_ids: tuple[str, ...]
    route_ids: tuple[str, ...]
    route_pos_start: Int64Array
    pos_stop: Int64Array
    pos_arrive_offset_s: Int64Array
    pos_depart_offset_s: Int64Array
    route_trip_start: Int64Array
    trip_depart_s: Int64Array
    trip_period: Int64Array
    period_names: tuple[str, ...]
    period_start_s: Int64Array
    period_end_s: Int64Array

    @classmethod
    def from_network(cls, bus: BusNetwork, *, dwell_s: float = 0.0) -> Timetable:
        """Expand the network's headways into trips for one service day.

        Parameters
        ----------
        bus
            The compiled bus network.
        dwell_s
            Extra seconds a bus stands at each intermediate stop; 0 for the bundle's network, whose leg run
            times already include the dwell (see the module docstring).

        Returns
        -------
        Timetable

        Raises
        ------
        RoutingError
            If a route names a stop the network lacks, a run time or headway is negative or not finite, or
            ``dwell_s`` is negative.
        """
        if not math.isfinite(dwell_s) or dwell_s < 0:
            raise RoutingError(f"dwell_s must be a finite number >= 0, got {dwell_s}")
        stop_index = {stop.stop_id: index for index, stop in enumerate(bus.stops)}
        period_names = tuple(period.name for period in bus.periods)
        pos_start = [0]
        pos_stop: list[int] = []
        arrive: list[int] = []
        depart: list[int] = []
        trip_start = [0]
        trip_depart: list[int] = []
        trip_period: list[int] = []
        for route in bus.routes:
            served = len(route.stop_ids) >= 2
            if served:
                try:
                    pos_stop.extend(stop_index[stop_id] for stop_id in route.stop_ids)
                except KeyError as exc:
                    raise RoutingError(f"route {route.route_id}: unknown stop {exc.args[0]}") from None
                run = np.asarray(route.leg_run_time_s, dtype=np.float64)
                if not np.all(np.isfinite(run)) or np.any(run < 0):
                    raise RoutingError(f"route {route.route_id}: run times must be finite and >= 0")
                legs = len(run)
                # Arrival at position i: the legs before it plus a dwell at each intermediate stop passed.
                cumulative = np.concatenate(([0.0], np.cumsum(run))) + dwell_s * np.maximum(np.arange(legs + 1) - 1, 0)
                arrive_i = np.rint(cumulative).astype(np.int64)
                depart_i = arrive_i + round(dwell_s)
                depart_i[0] = 0
                arrive.extend(arrive_i.tolist())
                depart.extend(depart_i.tolist())
            pos_start.append(len(pos_stop))
            departures = _route_departures(route, bus.periods) if served else []
            trip_depart.extend(time for time, _ in departures)
            trip_period.extend(index for _, index in departures)
            trip_start.append(len(trip_depart))
        timetable = cls(
            stop_ids=tuple(stop.stop_id for stop in bus.stops),
            route_ids=tuple(route.route_id for route in bus.routes),
            route_pos_start=np.asarray(pos_start, dtype=np.int64),
            pos_stop=np.asarray(pos_stop, dtype=np.int64),
            pos_arrive_offset_s=np.asarray(arrive, dtype=np.int64),
            pos_depart_offset_s=np.asarray(depart, dtype=np.int64),
            route_trip_start=np.asarray(trip_start, dtype=np.int64),
            trip_depart_s=np.asarray(trip_depart, dtype=np.int64),
            trip_period=np.asarray(trip_period, dtype=np.int64),
            period_names=period_names,
            period_start_s=np.asarray([p.start_s for p in bus.periods], dtype=np.int64),
            period_end_s=np.asarray([p.end_s for p in bus.periods], dtype=np.int64),
        )
        try:
            timetable.check()
        except BundleError as exc:
            raise RoutingError(f"cannot expand the bus network into a timetable: {exc}") from exc
        return timetable

    @property
    def stop_count(self) -> int:
        """Number of stops."""
        return len(self.stop_ids)

    @property
    def route_count(self) -> int:
        """Number of routes (including those without trips)."""
        return len(self.route_ids)

    @property
    def position_count(self) -> int:
        """Number of route positions (stop visits summed over routes)."""
        return int(self.pos_stop.shape[0])

    @property
    def trip_count(self) -> int:
        """Number of trips over the day."""
        return int(self.trip_depart_s.shape[0])

    def pos_route(self) -> Int64Array:
        """Route index of every position."""
        return np.repeat(np.arange(self.route_count, dtype=np.int64), np.diff(self.route_pos_start))

    def trip_route(self) -> Int64Array:
        """Route index of every trip."""
        return np.repeat(np.arange(self.route_count, dtype=np.int64), np.diff(self.route_trip_start))

    def routes_at_stop(self, stop: int) -> Int64Array:
        """Indexes of the routes that call at ``stop`` (each once, ascending)."""
        return np.unique(self.pos_route()[self.pos_stop == stop])

    def stop_route_index(self) -> tuple[Int64Array, Int64Array]:
        """The stop -> positions index: ``positions[indptr[s]:indptr[s + 1]]`` are the positions at stop ``s``.

        ``pos_route()[positions]`` gives the routes, in route order.
        """
        order = np.argsort(self.pos_stop, kind="stable")
        indptr = np.searchsorted(self.pos_stop[order], np.arange(self.stop_count + 1)).astype(np.int64)
        return indptr, order.astype(np.int64)

    def arrive_s(self, trip: int, position: int) -> int:
        """Arrival time of global ``trip`` at global ``position`` (the position must belong to the trip's route)."""
        return int(self.trip_depart_s[trip] + self.pos_arrive_offset_s[position])

    def depart_s(self, trip: int, position: int) -> int:
        """Departure time of global ``trip`` from global ``position``."""
        return int(self.trip_depart_s[trip] + self.pos_depart_offset_s[position])

    def stop_times(self, route: int) -> tuple[Int64Array, Int64Array]:
        """Full ``(trips, stops)`` arrival and departure matrices of one route (seconds after midnight)."""
        trips = self.trip_depart_s[self.route_trip_start[route] : self.route_trip_start[route + 1]]
        positions = slice(int(self.route_pos_start[route]), int(self.route_pos_start[route + 1]))
        return (
            trips[:, None] + self.pos_arrive_offset_s[None, positions],
            trips[:, None] + self.pos_depart_offset_s[None, positions],
        )

    def first_depart_s(self) -> int | None:
        """The day's first departure from any stop (None without trips)."""
        return int(self.trip_depart_s.min()) if self.trip_count else None

    def last_depart_s(self) -> int | None:
        """The day's last departure from any stop that still has a stop after it (None without trips)."""
        if not self.trip_count:
            return None
        last_pos = self.route_pos_start[1:] - 2  # the second-to-last position of each route
        has_trips = np.diff(self.route_trip_start) > 0
        last_trip = self.route_trip_start[1:][has_trips] - 1
        return int((self.trip_depart_s[last_trip] + self.pos_depart_offset_s[last_pos[has_trips]]).max())

    def summary(self) -> dict[str, int]:
        """Counts for reports: stops, routes, routes with trips, positions, trips, stop times."""
        trips_per_route = np.diff(self.route_trip_start)
        stops_per_route = np.diff(self.route_pos_start)
        return {
            "stops": self.stop_count,
            "routes": self.route_count,
            "routes_with_trips": int((trips_per_route > 0).sum()),
            "positions": self.position_count,
            "trips": self.trip_count,
            "stop_times": int((trips_per_route * stops_per_route).sum()),
        }

    def save(self, path: Path) -> None:
        """Write to one uncompressed ``.npz`` (no pickles)."""
        arrays: dict[str, Any] = {name: getattr(self, name) for name in _INT_FIELDS}
        arrays["stop_ids"] = np.asarray(self.stop_ids, dtype=np.str_)
        arrays["route_ids"] = np.asarray(self.route_ids, dtype=np.str_)
        arrays["period_names"] = np.asarray(self.period_names, dtype=np.str_)
        save_npz(path, arrays, file_format=TIMETABLE_FORMAT)

    @classmethod
    def load(cls, path: Path) -> Timetable:
        """Read a timetable written by :meth:`save`; a bad file raises BundleError naming it."""

        def build(record: NpzRecord) -> Timetable:
            fields: dict[str, Any] = {name: record.array(name, dtype=np.int64) for name in _INT_FIELDS}
            for name in ("stop_ids", "route_ids", "period_names"):
                fields[name] = record.strings(name)
            return cls(**fields)

        return load_npz(path, what="timetable", file_format=TIMETABLE_FORMAT, build=build)

    def check(self) -> None:
        """Verify the arrays describe a consistent timetable.

        Raises
        ------
        BundleError
            On any inconsistency (array lengths, pointer ranges, stop indexes, unsorted trips, negative or huge
            times, offsets that go back in time).
        """
        problems = _pointer_problems(self.route_pos_start, self.route_count, self.position_count, "positions")
        problems += _pointer_problems(self.route_trip_start, self.route_count, self.trip_count, "trips")
        positions = self.position_count
        if not (self.pos_arrive_offset_s.shape == self.pos_depart_offset_s.shape == (positions,)):
            problems.append("position arrays differ in length")
        if self.trip_period.shape != self.trip_depart_s.shape:
            problems.append("trip arrays differ in length")
        periods = len(self.period_names)
        if not (self.period_start_s.shape == self.period_end_s.shape == (periods,)):
            problems.append("period arrays differ in length")
        if problems:
            raise BundleError("inconsistent timetable: " + "; ".join(problems))
        if positions and (int(self.pos_stop.min()) < 0 or int(self.pos_stop.max()) >= self.stop_count):
            problems.append("a position's stop index is out of range")
        sizes = np.diff(self.route_pos_start)
        if np.any(sizes == 1):
            problems.append("a route has a single stop")
        if np.any((np.diff(self.route_trip_start) > 0) & (sizes < 2)):
            problems.append("a route without two stops has trips")
        if self.trip_count and (int(self.trip_period.min()) < 0 or int(self.trip_period.max()) >= periods):
            problems.append("a trip's period index is out of range")
        times = (self.trip_depart_s, self.pos_arrive_offset_s, self.pos_depart_offset_s)
        if any(array.size and (int(array.min()) < 0 or int(array.max()) >= MAX_TIME_S // 2) for array in times):
            problems.append(f"a time is negative or not below {MAX_TIME_S // 2} s")
        if problems:
            raise BundleError("inconsistent timetable: " + "; ".join(problems))
        first = self.route_pos_start[:-1][sizes > 0]
        same_route = np.ones(positions, dtype=bool)
        same_route[first] = False
        if np.any(self.pos_depart_offset_s < self.pos_arrive_offset_s):
            problems.append("a bus leaves a stop before arriving")
        back = np.zeros(positions, dtype=bool)
        back[1:] = self.pos_arrive_offset_s[1:] < self.pos_depart_offset_s[:-1]
        if np.any(back & same_route):
            problems.append("a leg's run time is negative")
        trips_same_route = np.ones(self.trip_count, dtype=bool)
        starts = self.route_trip_start[:-1][np.diff(self.route_trip_start) > 0]
        trips_same_route[starts] = False
        unsorted = np.zeros(self.trip_count, dtype=bool)
        unsorted[1:] = self.trip_depart_s[1:] < self.trip_depart_s[:-1]
        if np.any(unsorted & trips_same_route):
            problems.append("a route's trips are not sorted by departure")
        if problems:
            raise BundleError("inconsistent timetable: " + "; ".join(problems))


def _route_departures(route: BusRoute, periods: Sequence[ServicePeriod]) -> list[tuple[int, int]]:
    """``(departure from the first stop, period index)`` of every trip of one route, sorted, one per second.

    Without service hours: ``period.start_s + k * headway`` inside each period with a headway. With them (windows
    ``(first, last)``, both included): the same grid started at ``max(period start, first)`` and kept up to
    ``min(period end, last + 1)``, plus a trip at ``last`` itself when it falls in a period with a headway, so
    the route's real last departure runs.

    Raises
    ------
    RoutingError
        If a headway is not a finite number > 0.
    """
    windows = route.service_hours_s or tuple((period.start_s, period.end_s - 1) for period in periods)
    departures: dict[int, int] = {}
    for index, period in enumerate(periods):
        headway = route.headway_s.get(period.name)
        if headway is None:
            continue
        if not math.isfinite(headway) or headway <= 0:
            raise RoutingError(f"route {route.route_id}: headway {headway} in {period.name} must be > 0")
        for first_s, last_s in windows:
            start = max(period.start_s, first_s)
            stop = min(period.end_s, last_s + 1)
            if start >= stop:
                continue
            count = math.ceil((stop - start) / headway)
            for k in range(count):
                departures.setdefault(round(start + k * headway), index)
            if route.service_hours_s and period.start_s <= last_s < period.end_s:
                departures.setdefault(last_s, index)
    return sorted(departures.items())


def _pointer_problems(pointer: Int64Array, groups: int, items: int, what: str) -> list[str]:
    """Problems of a CSR-style pointer array (empty when it spans ``items`` in ``groups`` ascending groups)."""
    if pointer.shape != (groups + 1,):
        return [f"{what} pointer has {pointer.shape[0]} entries for {groups} routes"]
    if pointer[0] != 0 or pointer[-1] != items or np.any(np.diff(pointer) < 0):
        return [f"{what} pointer does not span the {what}"]
    return []
