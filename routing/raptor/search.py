"""RAPTOR rounds over the day's timetable: Pareto-optimal journeys over (arrival time, number of rides).

RAPTOR (Delling, Pajor, Werneck, *Round-Based Public Transit Routing*, 2012) finds in round ``k`` the earliest
arrival at every stop with ``k`` rides, scanning each route once per round. This implementation runs every round
as a few vectorised numpy operations over all route positions at once, which the timetable's frequency-based
trips allow (see :mod:`routing.raptor.timetable`):

* **boarding**: at each position, the earliest trip leaving at or after the stop's ready time from the previous
  round is found with one ``searchsorted`` over the trips' first-stop departures, keyed by route;
* **riding**: the trip a rider can be on when reaching a position is the earliest of the trips catchable at the
  positions before it on the same route: an exclusive running minimum, segmented by route (routes get descending
  bands of values so one ``np.minimum.accumulate`` restarts at each route);
* **per stop**: the earliest arrival over all positions at a stop is one ``np.minimum.reduceat`` over positions
  sorted by stop, with the position packed into the low bits of the key so the arg-min comes for free.

Journey semantics (the brute-force test in ``tests/routing/test_raptor_search.py`` checks exactly these):

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
from numpy.typing import NDArray

from routing.errors import RoutingError
from routing.raptor.timetable import MAX_TIME_S, Int64Array, Timetable
from routing.raptor.transfers import Transfers

INF = 1 << 36
"""An unreached time. Far above any timetable time, and keys ``INF << bits`` still fit in int64."""
FROM_ACCESS = -2
"""``any_from`` value of a stop reached by the access walk."""
FROM_RIDE = -1
"""``any_from`` value of a stop whose ready time is its arrival by bus."""


def _bits(count: int) -> int:
    """Bits needed to pack an index in ``range(count)`` into the low part of a key."""
    return max(int(count).bit_length(), 1)


@dataclass(frozen=True, eq=False)
class SearchIndex:
    """Arrays derived once from a timetable and its transfers so that each round is a few numpy calls.

    Build it with :meth:`build`; it is read-only and shared by every query.
    """

    timetable: Timetable
    transfers: Transfers
    pos_route: Int64Array
    pos_first: NDArray[np.bool_]
    pos_band: Int64Array
    pos_trip_start: Int64Array
    pos_trip_count: Int64Array
    pos_key_base: Int64Array
    trip_key: Int64Array
    stop_pos_order: Int64Array
    stop_seg_start: Int64Array
    stops_with_pos: Int64Array
    pos_bits: int
    transfer_targets: Int64Array
    transfer_seg_start: Int64Array
    transfer_bits: int

    @classmethod
    def build(cls, timetable: Timetable, transfers: Transfers) -> SearchIndex:
        """Prepare the search arrays.

        Raises
        ------
        RoutingError
            If the transfers were built for other stops than the timetable's.
        """
        if transfers.stop_ids != timetable.stop_ids:
            raise RoutingError("the transfers and the timetable list different stops; rebuild them together")
        pos_route = timetable.pos_route()
        trip_count = np.diff(timetable.route_trip_start)
        band_width = int(trip_count.max(initial=0)) + 1
        routes = timetable.route_count
        band = (routes - 1 - np.arange(routes, dtype=np.int64)) * band_width
        pos_first = np.zeros(timetable.position_count, dtype=bool)
        pos_first[timetable.route_pos_start[:-1][np.diff(timetable.route_pos_start) > 0]] = True
        order = np.argsort(timetable.pos_stop, kind="stable").astype(np.int64)
        sorted_stops = timetable.pos_stop[order]
        seg_start = np.flatnonzero(np.r_[True, sorted_stops[1:] != sorted_stops[:-1]]) if order.size else order
        targets, target_start = np.unique(transfers.to_stop, return_index=True)
        return cls(
            timetable=timetable,
            transfers=transfers,
            pos_route=pos_route,
            pos_first=pos_first,
            pos_band=band[pos_route],
            pos_trip_start=timetable.route_trip_start[pos_route],
            pos_trip_count=trip_count[pos_route],
            pos_key_base=pos_route * MAX_TIME_S,
            trip_key=timetable.trip_route() * MAX_TIME_S + timetable.trip_depart_s,
            stop_pos_order=order,
            stop_seg_start=seg_start.astype(np.int64),
            stops_with_pos=sorted_stops[seg_start].astype(np.int64) if order.size else order,
            pos_bits=_bits(timetable.position_count),
            transfer_targets=targets.astype(np.int64),
            transfer_seg_start=target_start.astype(np.int64),
            transfer_bits=_bits(transfers.count),
        )

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
    ``transfer`` is the index into :class:`~routing.raptor.transfers.Transfers` of a transfer walk, else -1.
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
    if not timetable.trip_count or not timetable.position_count:
        return arrive_stop, position_stop, trip_stop
    at_pos = ready[timetable.pos_stop]
    wanted = np.clip(at_pos - timetable.pos_depart_offset_s, 0, MAX_TIME_S - 1)
    found = np.searchsorted(index.trip_key, index.pos_key_base + wanted, side="left")
    catchable = index.pos_band + (found - index.pos_trip_start)
    # The trip a rider is on when reaching a position: the earliest catchable at a position before it.
    before = np.empty_like(catchable)
    before[1:] = catchable[:-1]
    before[index.pos_first] = (index.pos_band + index.pos_trip_count)[index.pos_first]
    local = np.minimum.accumulate(before) - index.pos_band
    valid = local < index.pos_trip_count
    trip = np.where(valid, index.pos_trip_start + local, -1)
    arrive = np.where(valid, timetable.trip_depart_s[np.maximum(trip, 0)] + timetable.pos_arrive_offset_s, INF)
    key = (arrive << index.pos_bits) | np.arange(arrive.size, dtype=np.int64)
    best = np.minimum.reduceat(key[index.stop_pos_order], index.stop_seg_start)
    arrive_best = best >> index.pos_bits
    position = best & ((1 << index.pos_bits) - 1)
    reached = arrive_best < INF
    stops_reached = index.stops_with_pos[reached]
    arrive_stop[stops_reached] = arrive_best[reached]
    position_stop[stops_reached] = position[reached]
    trip_stop[stops_reached] = trip[position[reached]]
    return arrive_stop, position_stop, trip_stop


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
    if not transfers.count:
        return ready, how
    walked = np.minimum(arrive[transfers.from_stop] + np.maximum(transfers.walk_s, change_s), INF)
    key = (walked << index.transfer_bits) | np.arange(transfers.count, dtype=np.int64)
    best = np.minimum.reduceat(key, index.transfer_seg_start)
    walked_best = best >> index.transfer_bits
    better = walked_best < ready[index.transfer_targets]
    targets = index.transfer_targets[better]
    ready[targets] = walked_best[better]
    how[targets] = (best & ((1 << index.transfer_bits) - 1))[better]
    return ready, how
