"""RAPTOR rounds over the day's timetable: Pareto-optimal journeys over (arrival time, number of rides).

RAPTOR (Delling, Pajor, Werneck, *Round-Based Public Transit Routing*, 2012) finds in round ``k`` the earliest
arrival at every stop with ``k`` rides, scanning each route once per round. Each round is one compiled pass
(:func:`routing.compiled.jit`) over the routes' positions in order, which the timetable's frequency-based trips keep
small (see :mod:`routing.transit.timetable`):

* **riding**: along a route the rider is on the earliest trip catchable at a position before the current one, and
  arrives with it at the current position (the earliest arrival per stop wins; on a tie, the first position in
  timetable order);
* **boarding**: at a stop ready from the previous round, a binary search over the route's trips (sorted by
  departure) finds the earliest one leaving at or after the ready time; it replaces the current trip if earlier.

Foot transfers are relaxed the same way, one pass over the transfer list. The vectorised numpy form this replaced
(every position at once with ``searchsorted`` and segmented minima) was slower at this network's size: the rounds
alone took 2.2 ms a query against 0.24 ms (``heritage bench routing``, docs/BENCHMARKS.md).

Journey semantics (the brute-force test in ``tests/routing/journeys/test_raptor_search.py`` checks exactly these):

* an *access* walk reaches a stop (round 0, ready to board at ``depart_s + walk_s``);
* each ride boards a trip at a stop at or after the ready time there and alights at a later stop of the trip;
* after a ride, the rider may board again at the alighting stop, or walk one *transfer* to another stop, and
  boards the next bus no sooner than ``change_s`` after alighting (a transfer walk counts towards it: the next
  bus can be boarded at ``alight + max(change_s, walk_s)``);
* an *egress* walk leaves from a stop reached by a ride (not by a transfer: the egress walk is already the
  shortest walk to the target);
* at most ``max_rides`` rides.

The result keeps, for every number of rides ``k``, the earliest arrival at the target, but only when it is strictly
earlier than with fewer rides: the Pareto set over (arrival time, rides). Local pruning (a stop is marked only when
it improves its best arrival over all rounds) and target pruning (nothing at or after the best target arrival so
far) keep the rounds small without changing that set.

All times are integers (seconds after midnight); walks are whole seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from routing.compiled import jit
from routing.errors import RoutingError
from routing.transit.timetable import MAX_TIME_S, Int64Array, Timetable
from routing.transit.transfers import Transfers

INF = 1 << 36
"""An unreached time. Far above any timetable time, and keys ``INF << bits`` still fit in int64."""
FROM_ACCESS = -2
"""``any_from`` value of a stop reached by the access walk."""
FROM_RIDE = -1
"""``any_from`` value of a stop whose ready time is its arrival by bus."""


@dataclass(frozen=True, eq=False)
class SearchIndex:
    """A timetable, its transfers and the position-to-route map every query shares (read-only).

    Build it with :meth:`build`.
    """

    timetable: Timetable
    transfers: Transfers
    pos_route: Int64Array

    @classmethod
    def build(cls, timetable: Timetable, transfers: Transfers) -> SearchIndex:
        """Check that the transfers belong to the timetable and prepare the shared arrays.

        Raises
        ------
        RoutingError
            If the transfers were built for other stops than the timetable's.
        """
        if transfers.stop_ids != timetable.stop_ids:
            raise RoutingError("the transfers and the timetable list different stops; rebuild them together")
        return cls(timetable=timetable, transfers=transfers, pos_route=timetable.pos_route())

    @property
    def stop_count(self) -> int:
        """Number of stops."""
        return self.timetable.stop_count


@dataclass(frozen=True, slots=True)
class Label:
    """One Pareto-optimal arrival at the target: ``rides`` rides, then the egress walk from ``egress_stop``."""

    rides: int
    arrive_s: int
    egress_stop: int
    egress_walk_s: int


@dataclass(frozen=True, slots=True)
class WalkStep:
    """A walk of a journey: ``kind`` is ``"access"``, ``"transfer"`` or ``"egress"``.

    ``from_stop`` is -1 for the access walk (it starts at the origin), ``to_stop`` -1 for the egress walk;
    ``transfer`` is the index into :class:`~routing.transit.transfers.Transfers` of a transfer walk, else -1.
    ``depart_s``/``arrive_s`` are the earliest times the walk can be made (before any wait for the next bus).
    """

    kind: str
    from_stop: int
    to_stop: int
    walk_s: int
    transfer: int
    depart_s: int
    arrive_s: int


@dataclass(frozen=True, slots=True)
class RideStep:
    """A ride on one trip.

    Global ``trip`` of ``route``, boarding at position ``board_pos`` and alighting at ``alight_pos`` (global
    position indexes of the timetable); ``ready_s`` is the earliest time the rider could board there (arrival at the
    stop, plus what remains of ``change_s`` after a ride).
    """

    route: int
    trip: int
    board_pos: int
    alight_pos: int
    ready_s: int
    depart_s: int
    arrive_s: int


Step = WalkStep | RideStep


@dataclass(frozen=True, eq=False)
class SearchResult:
    """Everything a query computed: the round arrays (for journey reconstruction) and the Pareto labels.

    ``any_s[k]``/``any_from[k]``: per stop, the ready time after round ``k`` (``INF`` when the stop was not
    improved in that round) and how it was reached (``FROM_ACCESS``, ``FROM_RIDE`` or a transfer index).
    ``bus_s[k]``/``bus_pos[k]``/``bus_trip[k]`` (``k >= 1``): arrival by bus in round ``k`` and the alighting
    position and trip.
    """

    index: SearchIndex
    depart_s: int
    access_walk_s: Int64Array
    any_s: tuple[Int64Array, ...]
    any_from: tuple[Int64Array, ...]
    bus_s: tuple[Int64Array, ...]
    bus_pos: tuple[Int64Array, ...]
    bus_trip: tuple[Int64Array, ...]
    labels: tuple[Label, ...]

    def steps(self, label: Label) -> tuple[Step, ...]:
        """The walks and rides of ``label``'s journey, in travel order.

        Where several boarding stops of a trip give the same arrival, the earliest along the route is used (the
        longest ride, the shortest walk to reach it).

        Raises
        ------
        RoutingError
            If the label is not one of this result's (the round arrays do not lead back to an access walk).
        """
        timetable = self.index.timetable
        transfers = self.index.transfers
        arrive_egress = label.arrive_s - label.egress_walk_s
        steps: list[Step] = [
            WalkStep("egress", label.egress_stop, -1, label.egress_walk_s, -1, arrive_egress, label.arrive_s)
        ]
        stop, rounds = label.egress_stop, label.rides
        while rounds >= 1:
            alight_pos = int(self.bus_pos[rounds][stop])
            trip = int(self.bus_trip[rounds][stop])
            if self.bus_s[rounds][stop] >= INF or alight_pos < 0:
                raise RoutingError(f"label {label} does not belong to this search")
            route = int(self.index.pos_route[alight_pos])
            ready = self.any_s[rounds - 1]
            start = int(timetable.route_pos_start[route])
            board_pos = -1
            for position in range(start, alight_pos):
                if ready[timetable.pos_stop[position]] <= timetable.depart_s(trip, position):
                    board_pos = position
                    break
            if board_pos < 0:
                raise RoutingError(f"label {label}: no boarding stop found for route {timetable.route_ids[route]}")
            board_stop = int(timetable.pos_stop[board_pos])
            steps.append(
                RideStep(
                    route=route,
                    trip=trip,
                    board_pos=board_pos,
                    alight_pos=alight_pos,
                    ready_s=int(ready[board_stop]),
                    depart_s=timetable.depart_s(trip, board_pos),
                    arrive_s=timetable.arrive_s(trip, alight_pos),
                )
            )
            how = int(self.any_from[rounds - 1][board_stop])
            if how >= 0:
                walk_s = int(transfers.walk_s[how])
                previous = int(transfers.from_stop[how])
                alight = int(self.bus_s[rounds - 1][previous])
                steps.append(WalkStep("transfer", previous, board_stop, walk_s, how, alight, alight + walk_s))
                stop = previous
            else:
                stop = board_stop
            rounds -= 1
        walk_s = int(self.access_walk_s[stop])
        steps.append(WalkStep("access", -1, stop, walk_s, -1, self.depart_s, self.depart_s + walk_s))
        return tuple(reversed(steps))


def raptor(
    index: SearchIndex,
    depart_s: int,
    *,
    access_stops: Int64Array,
    access_walk_s: Int64Array,
    egress_stops: Int64Array,
    egress_walk_s: Int64Array,
    max_rides: int = 4,
    change_s: int = 0,
) -> SearchResult:
    """Run the RAPTOR rounds from the access stops at ``depart_s`` to the egress stops.

    Parameters
    ----------
    index
        The prepared timetable and transfers.
    depart_s
        Departure from the origin, seconds after midnight.
    access_stops, access_walk_s
        Stops reachable on foot from the origin and the walk to each, whole seconds (a stop listed twice keeps
        its shortest walk).
    egress_stops, egress_walk_s
        Stops from which the target is reachable on foot and the walk from each.
    max_rides
        Most rides in a journey (the number of rounds).
    change_s
        Least time between alighting and boarding the next bus (see the module docstring).

    Returns
    -------
    SearchResult
        Its ``labels`` are the Pareto set, fewest rides first (so latest arrival first).

    Raises
    ------
    RoutingError
        If the access or egress arrays differ in length, hold a stop index out of range or a negative walk, or
        ``depart_s``/``max_rides`` is out of range.
    """
    stops = index.stop_count
    access_stops, access_walk_s = _walk_list(access_stops, access_walk_s, stops, "access")
    egress_stops, egress_walk_s = _walk_list(egress_stops, egress_walk_s, stops, "egress")
    if not 0 <= depart_s < MAX_TIME_S // 2:
        raise RoutingError(f"depart_s must be in [0, {MAX_TIME_S // 2}), got {depart_s}")
    if max_rides < 1:
        raise RoutingError(f"max_rides must be >= 1, got {max_rides}")
    if not 0 <= change_s < MAX_TIME_S // 2:
        raise RoutingError(f"change_s must be in [0, {MAX_TIME_S // 2}), got {change_s}")

    walk_at = np.full(stops, INF, dtype=np.int64)
    np.minimum.at(walk_at, access_stops, access_walk_s)
    ready = np.where(walk_at < INF, depart_s + walk_at, INF).astype(np.int64)
    any_s = [ready]
    any_from = [np.full(stops, FROM_ACCESS, dtype=np.int64)]
    empty = np.full(stops, INF, dtype=np.int64)
    bus_s: list[Int64Array] = [empty]
    bus_pos: list[Int64Array] = [np.full(stops, -1, dtype=np.int64)]
    bus_trip: list[Int64Array] = [np.full(stops, -1, dtype=np.int64)]
    best_bus = np.full(stops, INF, dtype=np.int64)
    best_any = ready.copy()
    best_target = INF
    labels: list[Label] = []
    for rides in range(1, max_rides + 1):
        if not egress_stops.size or not np.any(ready < INF):
            break
        arrive, position, trip = _scan_routes(index, ready)
        improved = (arrive < best_bus) & (arrive < best_target)
        arrive = np.where(improved, arrive, INF)
        np.minimum(best_bus, arrive, out=best_bus)
        bus_s.append(arrive)
        bus_pos.append(np.where(improved, position, -1))
        bus_trip.append(np.where(improved, trip, -1))

        at_target = arrive[egress_stops] + egress_walk_s
        best = int(np.argmin(at_target))
        if at_target[best] < min(best_target, INF):
            best_target = int(at_target[best])
            labels.append(Label(rides, best_target, int(egress_stops[best]), int(egress_walk_s[best])))

        ready, how = _relax_transfers(index, arrive, change_s)
        keep = (ready < best_any) & (ready < best_target)
        ready = np.where(keep, ready, INF)
        np.minimum(best_any, ready, out=best_any)
        any_s.append(ready)
        any_from.append(how)
    return SearchResult(
        index=index,
        depart_s=int(depart_s),
        access_walk_s=walk_at,
        any_s=tuple(any_s),
        any_from=tuple(any_from),
        bus_s=tuple(bus_s),
        bus_pos=tuple(bus_pos),
        bus_trip=tuple(bus_trip),
        labels=tuple(labels),
    )


def _walk_list(stops: Int64Array, walk_s: Int64Array, count: int, what: str) -> tuple[Int64Array, Int64Array]:
    """Validate an access or egress list; return it as int64 arrays."""
    stop_array = np.asarray(stops, dtype=np.int64).reshape(-1)
    walk_array = np.asarray(walk_s, dtype=np.int64).reshape(-1)
    if stop_array.shape != walk_array.shape:
        raise RoutingError(f"{what}: {stop_array.size} stops but {walk_array.size} walk times")
    if stop_array.size and (int(stop_array.min()) < 0 or int(stop_array.max()) >= count):
        raise RoutingError(f"{what}: a stop index is out of range")
    if walk_array.size and (int(walk_array.min()) < 0 or int(walk_array.max()) >= MAX_TIME_S // 2):
        raise RoutingError(f"{what}: walk times must be in [0, {MAX_TIME_S // 2}) s")
    return stop_array, walk_array


def _scan_routes(index: SearchIndex, ready: Int64Array) -> tuple[Int64Array, Int64Array, Int64Array]:
    """One round's route scans: per stop, the earliest arrival by bus boarding at stops ready in ``ready``.

    Returns
    -------
    arrive_s, position, trip
        Per stop: the arrival (``INF`` if none), the alighting position and the global trip (-1 if none).
    """
    timetable = index.timetable
    stops = index.stop_count
    arrive_stop = np.full(stops, INF, dtype=np.int64)
    position_stop = np.full(stops, -1, dtype=np.int64)
    trip_stop = np.full(stops, -1, dtype=np.int64)
    _scan_kernel(
        ready,
        timetable.route_pos_start,
        timetable.route_trip_start,
        timetable.pos_stop,
        timetable.pos_arrive_offset_s,
        timetable.pos_depart_offset_s,
        timetable.trip_depart_s,
        arrive_stop,
        position_stop,
        trip_stop,
    )
    return arrive_stop, position_stop, trip_stop


@jit
def _scan_kernel(  # noqa: PLR0917 (compiled kernels take their arrays positionally)
    ready: Int64Array,
    route_pos_start: Int64Array,
    route_trip_start: Int64Array,
    pos_stop: Int64Array,
    pos_arrive_offset_s: Int64Array,
    pos_depart_offset_s: Int64Array,
    trip_depart_s: Int64Array,
    arrive_stop: Int64Array,
    position_stop: Int64Array,
    trip_stop: Int64Array,
) -> None:
    """Scan every route once, filling the per-stop arrival, alighting position and trip arrays in place."""
    for route in range(route_pos_start.size - 1):
        first_trip, end_trip = route_trip_start[route], route_trip_start[route + 1]
        if first_trip == end_trip:
            continue
        current = end_trip  # no trip yet
        for position in range(route_pos_start[route], route_pos_start[route + 1]):
            stop = pos_stop[position]
            if current < end_trip:
                arrive = trip_depart_s[current] + pos_arrive_offset_s[position]
                if arrive < arrive_stop[stop]:
                    arrive_stop[stop] = arrive
                    position_stop[stop] = position
                    trip_stop[stop] = current
            if ready[stop] >= INF:
                continue
            wanted = max(ready[stop] - pos_depart_offset_s[position], 0)
            low, high = first_trip, current
            while low < high:  # the first trip of the route leaving at or after ``wanted``, if before ``current``
                middle = (low + high) // 2
                if trip_depart_s[middle] < wanted:
                    low = middle + 1
                else:
                    high = middle
            current = low


def _relax_transfers(index: SearchIndex, arrive: Int64Array, change_s: int) -> tuple[Int64Array, Int64Array]:
    """Ready times for the next boarding: at the stops reached by bus, or after one transfer walk from them.

    Returns
    -------
    ready_s, how
        Per stop: the earliest ready time and ``FROM_RIDE`` or the index of the transfer that gives it.
    """
    transfers = index.transfers
    ready = np.minimum(arrive + change_s, INF)
    how = np.full(arrive.size, FROM_RIDE, dtype=np.int64)
    if transfers.count:
        _relax_kernel(arrive, change_s, transfers.from_stop, transfers.to_stop, transfers.walk_s, ready, how)
    return ready, how


@jit
def _relax_kernel(  # noqa: PLR0917 (compiled kernels take their arrays positionally)
    arrive: Int64Array,
    change_s: int,
    from_stop: Int64Array,
    to_stop: Int64Array,
    walk_s: Int64Array,
    ready: Int64Array,
    how: Int64Array,
) -> None:
    """Lower ``ready`` where one transfer walk from a stop reached by bus gets there sooner.

    On a tie the first such transfer in list order is kept; ``how`` records the transfer used.
    """
    for transfer in range(from_stop.size):
        start = arrive[from_stop[transfer]]
        if start >= INF:
            continue
        walked = min(start + max(walk_s[transfer], change_s), INF)
        target = to_stop[transfer]
        if walked < ready[target]:
            ready[target] = walked
            how[target] = transfer
