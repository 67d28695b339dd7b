"""Compiled route bookkeeping: travel and window arithmetic, and the forward/backward times of each route.

A route is a row of ``Routes.seq``: the start node, the visits, the end node (``Routes.length`` entries). For each
position the state keeps the departure time (for the end node: its arrival time) and the *latest arrival* that keeps
the rest of the route feasible. The latest arrival is the exact form of Vansteenwegen's "max shift" that stays exact
with several windows per node and with period travel times: a visit whose latest start falls in a closed gap can only
be reached by the close of the window before it. With both arrays, inserting a node, removing one or changing a
stretch of the route is checked by simulating only the changed stretch and comparing the arrival at the first
unchanged position with its latest arrival.

Kernels trust their inputs (numba does not check bounds); :mod:`recommender.planner.solver` builds them from a
validated :class:`~recommender.planner.problem.Problem`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from recommender.planner._jit import jit

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

EPS = 1e-7
"""Tolerance on every time comparison (stricter than the independent checker's)."""


class Arrays(NamedTuple):
    """The problem as flat arrays for the kernels."""

    score: FloatArray
    service: FloatArray
    travel: FloatArray  # (periods, n, n)
    period_start: FloatArray  # (periods,)
    window_open: FloatArray
    window_close: FloatArray
    window_offset: IntArray  # (calendars, n + 1)
    day_start: FloatArray  # (m,)
    day_end: FloatArray  # (m,)
    day_calendar: IntArray  # (m,)
    insertable: BoolArray  # may be added by the search: not forbidden, not start/end, positive score
    removable: BoolArray  # may be dropped by the search: visited and not mandatory
    by_score: IntArray  # insertable nodes by decreasing score
    group: IntArray  # (n,): exclusive group of each node (at most one visited per group), -1 for none
    walk: FloatArray  # (n, n): walking each leg costs (a trip's metres on foot; zeros for plain problems)
    walk_budget: FloatArray  # (m,): walking each route may hold (infinity: no limit)


class Routes(NamedTuple):
    """A solution under construction, with its bookkeeping."""

    seq: IntArray  # (m, capacity): start node, visits, end node
    length: IntArray  # (m,)
    depart: FloatArray  # (m, capacity): departure time (end node: arrival time)
    latest: FloatArray  # (m, capacity): latest arrival keeping the rest of the route feasible
    where: IntArray  # (n,): route of each node, -1 when unvisited (start and end nodes stay -1)
    route_score: FloatArray  # (m,)
    route_travel: FloatArray  # (m,): travel time on the first period's matrix (the local search's objective)
    group_used: IntArray  # (n,): visited nodes of each exclusive group
    walk_prefix: FloatArray  # (m, capacity): walking from the start node to each position


@jit
def arrive(travel: FloatArray, period_start: FloatArray, origin: int, destination: int, depart: float) -> float:
    """Arrival time at ``destination`` when leaving ``origin`` at ``depart`` (waiting for a faster period)."""
    periods = travel.shape[0]
    if periods == 1:
        return float(depart + travel[0, origin, destination])
    best = np.inf
    for period in range(periods - 1, -1, -1):
        if period + 1 < periods and period_start[period + 1] < depart:
            break
        leave = max(depart, period_start[period]) if period > 0 else depart
        best = min(best, leave + travel[period, origin, destination])
    return best


@jit
def latest_depart(
    travel: FloatArray, period_start: FloatArray, origin: int, destination: int, latest_arrival: float
) -> float:
    """Latest departure from ``origin`` that still reaches ``destination`` by ``latest_arrival``."""
    periods = travel.shape[0]
    if periods == 1:
        return float(latest_arrival - travel[0, origin, destination])
    best = -np.inf
    for period in range(periods):
        candidate = latest_arrival - travel[period, origin, destination]
        if period + 1 < periods:
            candidate = min(candidate, period_start[period + 1])
        if period == 0 or candidate >= period_start[period]:
            best = max(best, candidate)
    return best


@jit
def earliest_start(  # noqa: PLR0917 (compiled kernels take their arrays positionally)
    window_open: FloatArray, window_close: FloatArray, window_offset: IntArray, calendar: int, node: int, arrival: float
) -> float:
    """When a visit to ``node`` arriving at ``arrival`` can start, or infinity when every window has closed."""
    for window in range(window_offset[calendar, node], window_offset[calendar, node + 1]):
        if arrival <= window_close[window] + EPS:
            return float(max(arrival, window_open[window]))
    return np.inf


@jit
def latest_arrival_for(  # noqa: PLR0917 (compiled kernels take their arrays positionally)
    window_open: FloatArray,
    window_close: FloatArray,
    window_offset: IntArray,
    calendar: int,
    node: int,
    latest_start: float,
) -> float:
    """The latest arrival at ``node`` whose visit starts by ``latest_start`` (minus infinity when none does)."""
    for window in range(window_offset[calendar, node + 1] - 1, window_offset[calendar, node] - 1, -1):
        if window_open[window] <= latest_start + EPS:
            return float(min(latest_start, window_close[window]))
    return -np.inf


@jit
def refresh(arrays: Arrays, routes: Routes, route: int) -> None:
    """Recompute the departure and latest-arrival times, the score and the travel of one route."""
    travel, period_start, service = arrays.travel, arrays.period_start, arrays.service
    window_open, window_close, window_offset = arrays.window_open, arrays.window_close, arrays.window_offset
    seq, depart, latest = routes.seq[route], routes.depart[route], routes.latest[route]
    length = routes.length[route]
    calendar = arrays.day_calendar[route]
    depart[0] = arrays.day_start[route]
    score = 0.0
    distance = 0.0
    matrix = travel[0]
    static = travel.shape[0] == 1
    if arrays.walk_budget[route] < np.inf:  # walking is only kept where a budget reads it
        _refresh_walk(arrays, routes, route)
    for position in range(1, length):
        previous, node = seq[position - 1], seq[position]
        distance += matrix[previous, node]
        time = depart[position - 1]
        arrival = time + matrix[previous, node] if static else arrive(travel, period_start, previous, node, time)
        if position == length - 1:
            depart[position] = arrival
        else:
            start = earliest_start(window_open, window_close, window_offset, calendar, node, arrival)
            depart[position] = start + service[node]
            score += arrays.score[node]
    latest[length - 1] = arrays.day_end[route]
    for position in range(length - 2, 0, -1):
        node, following, bound = seq[position], seq[position + 1], latest[position + 1]
        if static:
            latest_start = bound - matrix[node, following] - service[node]
        else:
            latest_start = latest_depart(travel, period_start, node, following, bound) - service[node]
        latest[position] = latest_arrival_for(window_open, window_close, window_offset, calendar, node, latest_start)
    latest[0] = latest_depart(travel, period_start, seq[0], seq[1], latest[1])
    routes.route_score[route] = score
    routes.route_travel[route] = distance


@jit
def _refresh_walk(arrays: Arrays, routes: Routes, route: int) -> None:
    """The walking prefix of one route (apart from :func:`refresh`, whose loop stays small enough to inline)."""
    seq, walk_prefix = routes.seq[route], routes.walk_prefix[route]
    for position in range(1, routes.length[route]):
        walk_prefix[position] = walk_prefix[position - 1] + arrays.walk[seq[position - 1], seq[position]]


@jit
def walk_fits(arrays: Arrays, routes: Routes, route: int, walk_m: float) -> bool:
    """Whether a route that would walk ``walk_m`` keeps within its budget (or walks no more than it does now)."""
    current = routes.walk_prefix[route, routes.length[route] - 1]
    return bool(walk_m <= arrays.walk_budget[route] + EPS or walk_m <= current + EPS)


@jit
def walk_between(routes: Routes, route: int, first: int, last: int) -> float:
    """Walking along the route from position ``first`` to position ``last``."""
    return float(routes.walk_prefix[route, last] - routes.walk_prefix[route, first])


@jit
def _stretch_walk_fits(  # noqa: PLR0917 (compiled kernels take their arrays positionally)
    arrays: Arrays, routes: Routes, route: int, before: int, nodes: IntArray, count: int, after: int
) -> bool:
    """Whether visiting ``nodes[:count]`` between positions ``before`` and ``after`` keeps the walking budget."""
    seq = routes.seq[route]
    walk = arrays.walk[seq[before], nodes[0]] if count > 0 else arrays.walk[seq[before], seq[after]]
    for index in range(1, count):
        walk += arrays.walk[nodes[index - 1], nodes[index]]
    if count > 0:
        walk += arrays.walk[nodes[count - 1], seq[after]]
    total = routes.walk_prefix[route, routes.length[route] - 1] - walk_between(routes, route, before, after)
    return walk_fits(arrays, routes, route, total + walk)


@jit
def stretch_feasible(  # noqa: PLR0917 (compiled kernels take their arrays positionally)
    arrays: Arrays, routes: Routes, route: int, before: int, nodes: IntArray, count: int, after: int
) -> bool:
    """Whether visiting ``nodes[:count]`` between positions ``before`` and ``after`` of the route is feasible."""
    limited = arrays.walk_budget[route] < np.inf
    if limited and not _stretch_walk_fits(arrays, routes, route, before, nodes, count, after):
        return False
    travel, period_start, service = arrays.travel, arrays.period_start, arrays.service
    window_open, window_close, window_offset = arrays.window_open, arrays.window_close, arrays.window_offset
    seq = routes.seq[route]
    calendar = arrays.day_calendar[route]
    previous = seq[before]
    time = routes.depart[route, before]
    matrix = travel[0]
    static = travel.shape[0] == 1
    for index in range(count):
        node = nodes[index]
        arrival = time + matrix[previous, node] if static else arrive(travel, period_start, previous, node, time)
        start = earliest_start(window_open, window_close, window_offset, calendar, node, arrival)
        if start == np.inf:
            return False
        time = start + service[node]
        previous = node
    return bool(arrive(travel, period_start, previous, seq[after], time) <= routes.latest[route, after] + EPS)


@jit
def _removal_walk_fits(arrays: Arrays, routes: Routes, route: int, first: int, last: int) -> bool:
    """Whether dropping the visits at positions ``first..last`` keeps the walking budget (or walks no more)."""
    seq = routes.seq[route]
    total = (
        routes.walk_prefix[route, routes.length[route] - 1]
        - walk_between(routes, route, first - 1, last + 1)
        + arrays.walk[seq[first - 1], seq[last + 1]]
    )
    return walk_fits(arrays, routes, route, total)


@jit
def removal_feasible(arrays: Arrays, routes: Routes, route: int, first: int, last: int) -> bool:
    """Whether dropping the visits at positions ``first..last`` keeps the route feasible.

    Always true under the triangle inequality; a matrix that breaks it can make the shortcut slower.
    """
    seq = routes.seq[route]
    if arrays.walk_budget[route] < np.inf and not _removal_walk_fits(arrays, routes, route, first, last):
        return False
    arrival = arrive(arrays.travel, arrays.period_start, seq[first - 1], seq[last + 1], routes.depart[route, first - 1])
    return bool(arrival <= routes.latest[route, last + 1] + EPS)


@jit
def insert_node(arrays: Arrays, routes: Routes, route: int, position: int, node: int) -> None:
    """Insert ``node`` after ``position`` and refresh the route."""
    seq = routes.seq[route]
    length = routes.length[route]
    for index in range(length, position + 1, -1):
        seq[index] = seq[index - 1]
    seq[position + 1] = node
    routes.length[route] = length + 1
    routes.where[node] = route
    if arrays.group[node] >= 0:
        routes.group_used[arrays.group[node]] += 1
    refresh(arrays, routes, route)


@jit
def remove_stretch(arrays: Arrays, routes: Routes, route: int, first: int, last: int) -> None:
    """Drop the visits at positions ``first..last`` and refresh the route."""
    seq = routes.seq[route]
    length = routes.length[route]
    for index in range(first, last + 1):
        routes.where[seq[index]] = -1
        if arrays.group[seq[index]] >= 0:
            routes.group_used[arrays.group[seq[index]]] -= 1
    width = last - first + 1
    for index in range(first, length - width):
        seq[index] = seq[index + width]
    routes.length[route] = length - width
    refresh(arrays, routes, route)


@jit
def refresh_all(arrays: Arrays, routes: Routes) -> None:
    """Recompute every route's times and the node-to-route index from the sequences."""
    routes.where[:] = -1
    routes.group_used[:] = 0
    for route in range(routes.length.shape[0]):
        for position in range(1, routes.length[route] - 1):
            node = routes.seq[route, position]
            routes.where[node] = route
            if arrays.group[node] >= 0:
                routes.group_used[arrays.group[node]] += 1
        refresh(arrays, routes, route)


@jit
def insertion_walk_fits(arrays: Arrays, routes: Routes, route: int, position: int, node: int) -> bool:
    """Whether inserting ``node`` after ``position`` keeps the route's walking within its budget."""
    if arrays.walk_budget[route] == np.inf:
        return True
    seq = routes.seq[route]
    before, after = seq[position], seq[position + 1]
    added = arrays.walk[before, node] + arrays.walk[node, after] - arrays.walk[before, after]
    return walk_fits(arrays, routes, route, routes.walk_prefix[route, routes.length[route] - 1] + added)


@jit
def group_free(group: IntArray, group_used: IntArray, node: int, leaving: int) -> bool:
    """Whether ``node`` may be visited: no other node of its exclusive group is, ``leaving`` (being dropped) aside.

    Takes the two arrays rather than the whole state: it runs in the innermost loops of the moves.
    """
    own = group[node]
    if own < 0 or group_used[own] == 0:
        return True
    return leaving >= 0 and group[leaving] == own and group_used[own] == 1


@jit
def insertion_arrival(arrays: Arrays, routes: Routes, route: int, position: int, node: int) -> float:
    """Arrival at the visit after ``position`` once ``node`` is inserted after ``position``; infinity if infeasible.

    For occasional checks; the hot loops of :mod:`recommender.planner._moves` inline this test.
    """
    seq = routes.seq[route]
    travel, period_start = arrays.travel, arrays.period_start
    arrival = arrive(travel, period_start, seq[position], node, routes.depart[route, position])
    calendar = arrays.day_calendar[route]
    start = earliest_start(arrays.window_open, arrays.window_close, arrays.window_offset, calendar, node, arrival)
    if start == np.inf:
        return np.inf
    after = arrive(travel, period_start, node, seq[position + 1], start + arrays.service[node])
    if after > routes.latest[route, position + 1] + EPS:
        return np.inf
    return after


@jit
def insertion_slots(  # noqa: PLR0917 (compiled kernels take their arrays positionally)
    arrays: Arrays, routes: Routes, node: int, slot_route: IntArray, slot_position: IntArray, slot_shift: FloatArray
) -> int:
    """Every feasible place for ``node`` (route, position after which, time added); return how many were written.

    One call per node for the Python-side placement of mandatory visits; the output arrays need one entry per
    position of every route.
    """
    count = 0
    travel, period_start = arrays.travel, arrays.period_start
    for route in range(routes.length.shape[0]):
        seq = routes.seq[route]
        for position in range(routes.length[route] - 1):
            after = insertion_arrival(arrays, routes, route, position, node)
            if after == np.inf:
                continue
            before = arrive(travel, period_start, seq[position], seq[position + 1], routes.depart[route, position])
            slot_route[count] = route
            slot_position[count] = position
            slot_shift[count] = after - before
            count += 1
    return count
