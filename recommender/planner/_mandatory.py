"""Place the mandatory visits first, or say precisely why they cannot all be placed.

A mandatory visit that fits on no day even alone is reported with the reason for every day (closed, reached after
its last window closes, or too late to get back). Otherwise cheapest insertion is tried in several orders (tightest
windows first, then shuffled), and for a handful of visits an exhaustive search over insertion positions settles
the question (exact when travel times obey the triangle inequality).
"""

from __future__ import annotations

import numpy as np

from recommender.planner._route import (
    Arrays,
    Routes,
    arrive,
    earliest_start,
    insert_node,
    insertion_slots,
    refresh_all,
    remove_stretch,
)
from recommender.planner.errors import InfeasibleProblemError
from recommender.planner.problem import Problem

_SHUFFLED_ORDERS = 30
_EXHAUSTIVE_STEPS = 20_000


def place_mandatory(problem: Problem, arrays: Arrays, routes: Routes, rng: np.random.Generator) -> None:
    """Insert every mandatory node into the (empty) routes.

    Raises
    ------
    InfeasibleProblemError
        If a mandatory node fits on no day by itself, or no placement of all of them was found.
    """
    nodes = [int(node) for node in np.flatnonzero(problem.mandatory)]
    if not nodes:
        return
    for node in nodes:
        _check_alone(problem, arrays, node)
    tightness = [
        min((close for day in range(problem.n_routes) for _, close in problem.windows(node, day))) for node in nodes
    ]
    orders = [[node for _, node in sorted(zip(tightness, nodes, strict=True))]]
    orders += [[int(node) for node in rng.permutation(nodes)] for _ in range(_SHUFFLED_ORDERS)]
    slots = _Slots(routes)
    for order in orders:
        _clear(arrays, routes)
        if _cheapest_insertion(arrays, routes, order, slots):
            return
    _clear(arrays, routes)
    budget = [_EXHAUSTIVE_STEPS]
    if _exhaustive(arrays, routes, orders[0], slots, budget):
        return
    searched = "searched every order" if budget[0] > 0 else "gave up after a bounded search"
    raise InfeasibleProblemError(
        f"the {len(nodes)} mandatory visits {nodes} cannot all be placed within their time windows and the day ends "
        f"of {problem.n_routes} day(s) ({searched})"
    )


def _check_alone(problem: Problem, arrays: Arrays, node: int) -> None:
    reasons = []
    for day in range(problem.n_routes):
        depart = float(arrays.day_start[day])
        arrival = arrive(arrays.travel, arrays.period_start, problem.start_node, node, depart)
        windows = problem.windows(node, day)
        calendar = int(arrays.day_calendar[day])
        start = earliest_start(arrays.window_open, arrays.window_close, arrays.window_offset, calendar, node, arrival)
        if not windows:
            reasons.append(f"day {day}: closed")
            continue
        if start == np.inf:
            reasons.append(f"day {day}: reached at {arrival:g}, after its last window closes at {windows[-1][1]:g}")
            continue
        back = arrive(arrays.travel, arrays.period_start, node, problem.end_node, start + float(arrays.service[node]))
        if back > arrays.day_end[day] + 1e-7:
            reasons.append(
                f"day {day}: back at the end node at {back:g}, after the day ends at {arrays.day_end[day]:g}"
            )
            continue
        return
    raise InfeasibleProblemError(f"mandatory node {node} fits on no day: " + "; ".join(reasons))


def _clear(arrays: Arrays, routes: Routes) -> None:
    routes.length[:] = 2
    routes.seq[:, 1] = routes.seq[:, -1]
    refresh_all(arrays, routes)


class _Slots:
    """Scratch arrays for :func:`insertion_slots` (one entry per position of every route)."""

    def __init__(self, routes: Routes) -> None:
        size = routes.seq.shape[0] * routes.seq.shape[1]
        self.route = np.zeros(size, dtype=np.int64)
        self.position = np.zeros(size, dtype=np.int64)
        self.shift = np.zeros(size)

    def find(self, arrays: Arrays, routes: Routes, node: int) -> list[tuple[float, int, int]]:
        """Feasible places for ``node`` as (time added, route, position), cheapest first."""
        count = insertion_slots(arrays, routes, node, self.route, self.position, self.shift)
        places = zip(
            self.shift[:count].tolist(), self.route[:count].tolist(), self.position[:count].tolist(), strict=True
        )
        return sorted(places)


def _cheapest_insertion(arrays: Arrays, routes: Routes, order: list[int], slots: _Slots) -> bool:
    for node in order:
        places = slots.find(arrays, routes, node)
        if not places:
            return False
        _, route, position = places[0]
        insert_node(arrays, routes, route, position, node)
    return True


def _exhaustive(arrays: Arrays, routes: Routes, order: list[int], slots: _Slots, budget: list[int]) -> bool:
    """Depth-first search over the places of each node in turn; ``budget`` counts the places tried."""
    if not order:
        return True
    node = order[0]
    for _, route, position in slots.find(arrays, routes, node):
        budget[0] -= 1
        if budget[0] <= 0:
            return False
        insert_node(arrays, routes, route, position, node)
        if _exhaustive(arrays, routes, order[1:], slots, budget):
            return True
        remove_stretch(arrays, routes, route, position + 1, position + 1)
    return False
