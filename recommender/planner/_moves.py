"""Compiled neighbourhood moves of the iterated local search.

Score moves: greedy insertion by the ratio weight / time added (Vansteenwegen et al. 2009), and *replace*, which
swaps one visit for an unvisited node of higher score. Time moves, which keep the visited set and shorten the
routes to make room: 2-opt (reverse a stretch), or-opt (move a stretch of one to three visits elsewhere in its
route) and relocation to another route. Every move is checked with the latest-arrival bookkeeping of
:mod:`recommender.planner._route` and never makes a route infeasible; mandatory visits are never removed.
"""

from __future__ import annotations

import numpy as np

from recommender.planner._jit import jit
from recommender.planner._random import RandomState, uniform
from recommender.planner._route import (
    EPS,
    Arrays,
    FloatArray,
    IntArray,
    Routes,
    arrive,
    earliest_start,
    group_free,
    insert_node,
    insertion_arrival,
    insertion_walk_fits,
    latest_arrival_for,
    latest_depart,
    refresh,
    removal_feasible,
    remove_stretch,
    stretch_feasible,
    walk_fits,
)

_MIN_SHIFT = 1e-3
_GAIN = 1e-9


@jit
def greedy_insert(  # noqa: PLR0917 (compiled kernels take their arrays positionally)
    arrays: Arrays, routes: Routes, weight: FloatArray, candidates: IntArray, rng: RandomState, random_first: float
) -> int:
    """Insert unvisited nodes one at a time, best ``weight / time added`` first, until none fits; return how many.

    With probability ``random_first`` the first insertion is drawn uniformly among the feasible ones instead: the
    greedy order alone can keep the search out of a region (a node whose window only fits before another one).
    A node that fits nowhere is not tried again in this call: an insertion only consumes slack (exactly so under
    the triangle inequality), so it cannot make room for it. ``candidates`` is scratch space of one entry per node.
    """
    travel, period_start, service = arrays.travel, arrays.period_start, arrays.service
    window_open, window_close, window_offset = arrays.window_open, arrays.window_close, arrays.window_offset
    day_calendar = arrays.day_calendar
    seq, length, depart, latest, where = routes.seq, routes.length, routes.depart, routes.latest, routes.where
    matrix = travel[0]
    static = travel.shape[0] == 1
    n_routes = length.shape[0]
    walk_budget = arrays.walk_budget
    count = 0
    for node in arrays.by_score:
        if where[node] == -1:
            candidates[count] = node
            count += 1
    inserted = 0
    feasible = 0
    random_pick = random_first > 0 and uniform(rng) < random_first
    while True:
        best_value = -1.0
        best_node, best_route, best_position = -1, -1, -1
        kept = 0
        for index in range(count):
            node = candidates[index]
            if not group_free(arrays.group, routes.group_used, node, -1):
                continue  # a node of its group was inserted: it cannot be now, nor later in this call
            fits = False
            for route in range(n_routes):
                calendar = day_calendar[route]
                for position in range(length[route] - 1):
                    before, following = seq[route, position], seq[route, position + 1]
                    time = depart[route, position]
                    if static:
                        arrival = time + matrix[before, node]
                    else:
                        arrival = arrive(travel, period_start, before, node, time)
                    start = earliest_start(window_open, window_close, window_offset, calendar, node, arrival)
                    if start == np.inf:
                        continue
                    time_after = start + service[node]
                    if static:
                        after = time_after + matrix[node, following]
                        shift = after - time - matrix[before, following]
                    else:
                        after = arrive(travel, period_start, node, following, time_after)
                        shift = after - arrive(travel, period_start, before, following, time)
                    if after > latest[route, position + 1] + EPS:
                        continue
                    if walk_budget[route] < np.inf and not insertion_walk_fits(arrays, routes, route, position, node):
                        continue
                    fits = True
                    if random_pick and inserted == 0:
                        feasible += 1
                        value = float(feasible) if uniform(rng) * feasible < 1.0 else -1.0  # reservoir sampling
                    else:
                        value = weight[node] / max(shift, _MIN_SHIFT)
                    if value > best_value:
                        best_value, best_node, best_route, best_position = value, node, route, position
            if fits:
                candidates[kept] = node
                kept += 1
        if best_node < 0:
            return inserted
        insert_node(arrays, routes, best_route, best_position, best_node)
        inserted += 1
        count = 0
        for index in range(kept):
            if candidates[index] != best_node:
                candidates[count] = candidates[index]
                count += 1


@jit
def replace(
    arrays: Arrays, routes: Routes, depart_without: FloatArray, latest_without: FloatArray, excess: FloatArray
) -> bool:
    """Swap the one visit for the one unvisited node that raises the score most; return whether it did.

    Called when no unvisited node can be inserted anywhere, so after dropping a visit only the positions whose times
    the drop relaxes (a stretch on either side of it, until a wait or a window absorbs the change) can take a new
    node; the scan is limited to them. With a static matrix a node is only scanned when its smallest detour beyond
    a position's slack (``excess``, per node) fits in the room the drop frees, since no slot can offer more.
    ``depart_without``, ``latest_without`` and ``excess`` are scratch arrays.
    """
    score, by_score, removable = arrays.score, arrays.by_score, arrays.removable
    travel, period_start, service = arrays.travel, arrays.period_start, arrays.service
    window_open, window_close, window_offset = arrays.window_open, arrays.window_close, arrays.window_offset
    matrix = travel[0]
    static = travel.shape[0] == 1
    best_gain = _GAIN
    best_route, best_position, best_node, best_slot = -1, -1, -1, -1
    for route in range(routes.length.shape[0]):
        seq, depart, latest = routes.seq[route], routes.depart[route], routes.latest[route]
        calendar = arrays.day_calendar[route]
        limited = arrays.walk_budget[route] < np.inf
        _smallest_excess(arrays, routes, route, excess)
        for position in range(1, routes.length[route] - 1):
            removed = seq[position]
            if not removable[removed] or not removal_feasible(arrays, routes, route, position, position):
                continue
            first, last = _times_without(arrays, routes, route, position, depart_without, latest_without)
            room = 0.0
            if first < position - 1:
                room = latest_without[position - 1] - latest[position - 1]
            if last > position:
                room = max(room, depart[position + 1] - depart_without[position + 1])
            for node in by_score:
                if score[node] - score[removed] <= best_gain:
                    break
                if routes.where[node] != -1 or not group_free(arrays.group, routes.group_used, node, removed):
                    continue
                for slot in range(first, last + 1):
                    if slot != position - 1 and excess[node] > room + EPS:
                        continue
                    if slot == position:
                        continue
                    following = slot + 1 if slot + 1 != position else slot + 2
                    time = depart[slot] if slot < position else depart_without[slot]
                    bound = latest_without[following] if following < position else latest[following]
                    before, after = seq[slot], seq[following]
                    arrival = (
                        time + matrix[before, node] if static else arrive(travel, period_start, before, node, time)
                    )
                    start = earliest_start(window_open, window_close, window_offset, calendar, node, arrival)
                    if start == np.inf:
                        continue
                    time = start + service[node]
                    arrival = time + matrix[node, after] if static else arrive(travel, period_start, node, after, time)
                    if arrival <= bound + EPS and (
                        not limited or _replace_walk_fits(arrays, routes, route, position, slot, node)
                    ):
                        best_gain = score[node] - score[removed]
                        best_route, best_position, best_node, best_slot = route, position, node, slot
                        break
                if best_node == node and best_position == position and best_route == route:
                    break
    if best_route < 0:
        return False
    remove_stretch(arrays, routes, best_route, best_position, best_position)
    insert_node(arrays, routes, best_route, best_slot if best_slot < best_position else best_slot - 1, best_node)
    return True


@jit
def _replace_walk_fits(  # noqa: PLR0917 (compiled kernels take their arrays positionally)
    arrays: Arrays, routes: Routes, route: int, removed: int, slot: int, node: int
) -> bool:
    """Whether dropping the visit at ``removed`` and inserting ``node`` after ``slot`` keeps the walking budget."""
    if arrays.walk_budget[route] == np.inf:
        return True
    seq, walk = routes.seq[route], arrays.walk
    length = routes.length[route]
    total = routes.walk_prefix[route, length - 1]
    total += walk[seq[removed - 1], seq[removed + 1]] - walk[seq[removed - 1], seq[removed]]
    total -= walk[seq[removed], seq[removed + 1]]
    before = seq[slot]
    after = seq[slot + 1] if slot + 1 != removed else seq[slot + 2]
    total += walk[before, node] + walk[node, after] - walk[before, after]
    return walk_fits(arrays, routes, route, total)


@jit
def _smallest_excess(arrays: Arrays, routes: Routes, route: int, excess: FloatArray) -> None:
    """Per unvisited node, the least room any slot of the route lacks to take it.

    For a slot, the lack is the larger of how late the node is reached after its window closes and how late the
    next visit would then be reached after its latest arrival. Dropping a visit that frees ``room`` (departures
    earlier or latest arrivals later by at most that much) can only make a node fit if its lack is within ``room``.
    With a single window per node this bound is exact; nodes with several windows on the day get minus infinity
    (never pruned), and so does every node when travel times depend on the period.
    """
    if arrays.travel.shape[0] != 1:
        excess[:] = -np.inf
        return
    matrix, service = arrays.travel[0], arrays.service
    window_open, window_close, window_offset = arrays.window_open, arrays.window_close, arrays.window_offset
    calendar = arrays.day_calendar[route]
    seq, depart, latest = routes.seq[route], routes.depart[route], routes.latest[route]
    length = routes.length[route]
    for node in arrays.by_score:
        if routes.where[node] != -1:
            continue
        first_window, end_window = window_offset[calendar, node], window_offset[calendar, node + 1]
        if end_window - first_window != 1:
            excess[node] = np.inf if end_window == first_window else -np.inf
            continue
        opens, closes = window_open[first_window], window_close[first_window]
        least = np.inf
        for slot in range(length - 1):
            arrival = depart[slot] + matrix[seq[slot], node]
            after = max(arrival, opens) + service[node] + matrix[node, seq[slot + 1]]
            least = min(least, max(arrival - closes, after - latest[slot + 1]))
        excess[node] = least


@jit
def _times_without(  # noqa: PLR0917 (compiled kernels take their arrays positionally)
    arrays: Arrays, routes: Routes, route: int, removed: int, depart_without: FloatArray, latest_without: FloatArray
) -> tuple[int, int]:
    """Times of the route once position ``removed`` is dropped, where they change; return the slots that gain room.

    Fills ``depart_without`` after and ``latest_without`` before the removed position (indexed by old position),
    stopping where the change dies out. Returns the first and last slot (insert after that old position) whose
    departure got earlier or whose next visit's latest arrival got later, the slot at the removal included.
    """
    travel, period_start, service = arrays.travel, arrays.period_start, arrays.service
    window_open, window_close, window_offset = arrays.window_open, arrays.window_close, arrays.window_offset
    seq, depart, latest_row = routes.seq[route], routes.depart[route], routes.latest[route]
    length = routes.length[route]
    calendar = arrays.day_calendar[route]
    matrix = travel[0]
    static = travel.shape[0] == 1
    time = depart[removed - 1]
    previous = seq[removed - 1]
    last = removed - 1
    for position in range(removed + 1, length - 1):
        node = seq[position]
        arrival = time + matrix[previous, node] if static else arrive(travel, period_start, previous, node, time)
        time = earliest_start(window_open, window_close, window_offset, calendar, node, arrival) + service[node]
        if time >= depart[position] - EPS:
            break
        depart_without[position] = time
        last = position
        previous = node
    latest = latest_row[removed + 1]
    following = seq[removed + 1]
    first = removed - 1
    for position in range(removed - 1, 0, -1):
        node = seq[position]
        leave = (
            latest - matrix[node, following] if static else latest_depart(travel, period_start, node, following, latest)
        )
        latest = latest_arrival_for(window_open, window_close, window_offset, calendar, node, leave - service[node])
        if latest <= latest_row[position] + EPS:
            break
        latest_without[position] = latest
        first = position - 1
        following = node
    return first, last


@jit
def _prefix_travel(arrays: Arrays, routes: Routes, route: int, forward: FloatArray, backward: FloatArray) -> None:
    """Cumulative first-period travel along the route and along its reverse (for O(1) 2-opt deltas)."""
    seq = routes.seq[route]
    forward[0] = 0.0
    backward[0] = 0.0
    travel = arrays.travel
    for position in range(1, routes.length[route]):
        forward[position] = forward[position - 1] + travel[0, seq[position - 1], seq[position]]
        backward[position] = backward[position - 1] + travel[0, seq[position], seq[position - 1]]


@jit
def two_opt(  # noqa: PLR0917 (compiled kernels take their arrays positionally)
    arrays: Arrays, routes: Routes, route: int, buffer: IntArray, forward: FloatArray, backward: FloatArray
) -> bool:
    """Reverse the first stretch whose reversal shortens the route and keeps it feasible; return whether it did."""
    seq = routes.seq[route]
    length = routes.length[route]
    travel = arrays.travel
    _prefix_travel(arrays, routes, route, forward, backward)
    for first in range(1, length - 2):
        for last in range(first + 1, length - 1):
            delta = (
                travel[0, seq[first - 1], seq[last]]
                + travel[0, seq[first], seq[last + 1]]
                - travel[0, seq[first - 1], seq[first]]
                - travel[0, seq[last], seq[last + 1]]
                + (backward[last] - backward[first])
                - (forward[last] - forward[first])
            )
            if delta >= -_GAIN:
                continue
            count = last - first + 1
            for index in range(count):
                buffer[index] = seq[last - index]
            if stretch_feasible(arrays, routes, route, first - 1, buffer, count, last + 1):
                _write_stretch(arrays, routes, route, buffer, count, first)
                return True
    return False


@jit
def or_opt(arrays: Arrays, routes: Routes, route: int, buffer: IntArray) -> bool:
    """Move the first stretch of 1-3 visits whose move shortens the route and keeps it feasible; return whether."""
    seq = routes.seq[route]
    length = routes.length[route]
    travel = arrays.travel[0]
    for width in range(1, 4):
        for first in range(1, length - width):
            last = first + width - 1
            head, tail = seq[first], seq[last]
            gain = travel[seq[first - 1], head] + travel[tail, seq[last + 1]] - travel[seq[first - 1], seq[last + 1]]
            for gap in range(length - 1):
                if first - 1 <= gap <= last:
                    continue
                delta = travel[seq[gap], head] + travel[tail, seq[gap + 1]] - travel[seq[gap], seq[gap + 1]] - gain
                if delta >= -_GAIN:
                    continue
                if gap < first:
                    count = _append(buffer, _append(buffer, 0, seq, first, last), seq, gap + 1, first - 1)
                    ok = stretch_feasible(arrays, routes, route, gap, buffer, count, last + 1)
                    low = gap + 1
                else:
                    count = _append(buffer, _append(buffer, 0, seq, last + 1, gap), seq, first, last)
                    ok = stretch_feasible(arrays, routes, route, first - 1, buffer, count, gap + 1)
                    low = first
                if ok:
                    _write_stretch(arrays, routes, route, buffer, count, low)
                    return True
    return False


@jit
def _write_stretch(  # noqa: PLR0917 (compiled kernels take their arrays positionally)
    arrays: Arrays, routes: Routes, route: int, buffer: IntArray, count: int, first: int
) -> None:
    """Put the stretch a move checked (``buffer[:count]``) into the route from position ``first``; refresh its times."""
    seq = routes.seq[route]
    for index in range(count):
        seq[first + index] = buffer[index]
    refresh(arrays, routes, route)


@jit
def _append(buffer: IntArray, count: int, seq: IntArray, first: int, last: int) -> int:
    """Write ``seq[first..last]`` into ``buffer`` from ``count`` on; return the new count."""
    for position in range(first, last + 1):
        buffer[count] = seq[position]
        count += 1
    return count


@jit
def relocate_between(arrays: Arrays, routes: Routes) -> bool:
    """Move the first visit whose move to another route shortens the total travel; return whether it did."""
    n_routes = routes.length.shape[0]
    travel = arrays.travel[0]
    for source in range(n_routes):
        seq = routes.seq[source]
        for position in range(1, routes.length[source] - 1):
            node = seq[position]
            previous, following = seq[position - 1], seq[position + 1]
            gain = travel[previous, node] + travel[node, following] - travel[previous, following]
            if gain <= _GAIN or not removal_feasible(arrays, routes, source, position, position):
                continue
            for target in range(n_routes):
                if target == source:
                    continue
                other = routes.seq[target]
                for gap in range(routes.length[target] - 1):
                    added = travel[other[gap], node] + travel[node, other[gap + 1]] - travel[other[gap], other[gap + 1]]
                    if added - gain >= -_GAIN:
                        continue
                    if insertion_arrival(arrays, routes, target, gap, node) < np.inf and insertion_walk_fits(
                        arrays, routes, target, gap, node
                    ):
                        remove_stretch(arrays, routes, source, position, position)
                        insert_node(arrays, routes, target, gap, node)
                        return True
    return False


@jit
def shorten(arrays: Arrays, routes: Routes, buffer: IntArray, forward: FloatArray, backward: FloatArray) -> bool:
    """Apply time moves until none shortens any route; return whether any did."""
    changed = False
    improved = True
    while improved:
        improved = False
        for route in range(routes.length.shape[0]):
            while two_opt(arrays, routes, route, buffer, forward, backward) or or_opt(arrays, routes, route, buffer):
                improved = True
        if routes.length.shape[0] > 1 and relocate_between(arrays, routes):
            improved = True
        changed |= improved
    return changed
