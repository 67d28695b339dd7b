"""An independent feasibility checker for planned routes.

It re-simulates each route from its node list with nothing but the problem's definition (travel times through
:class:`~recommender.planner.problem.TravelTime`, windows through :meth:`Problem.windows`) and shares no code or
bookkeeping with the solver, so a solver bug cannot hide behind the same bug here. It is slow and simple on purpose.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from recommender.planner.problem import Problem

TOLERANCE_S = 1e-6
"""Slack allowed on every time comparison, to absorb floating-point rounding."""


def check_route(problem: Problem, route: Sequence[int], *, day: int = 0) -> list[str]:
    """List every way ``route`` (visited nodes in order, start and end nodes excluded) breaks the problem on ``day``.

    An empty list means the route is feasible: every node exists, is visited once, is not forbidden, is not the
    start or end node, and its visit starts within one of its windows of that day; the route reaches the end node by
    the day's end. Waiting for a window to open is allowed.
    """
    if not 0 <= day < problem.n_routes:
        return [f"day {day} is not one of the problem's {problem.n_routes} days"]
    violations = _node_violations(problem, route)
    if any("does not exist" in violation for violation in violations):
        return violations
    travel = problem.travel_time
    time = float(problem.day_start_s[day])
    previous = problem.start_node
    for position, raw in enumerate(route):
        node = int(raw)
        arrival = time + travel.travel(previous, node, time)
        start = arrival
        windows = problem.windows(node, day)
        open_windows = [(open_s, close_s) for open_s, close_s in windows if arrival <= close_s + TOLERANCE_S]
        if not windows:
            violations.append(f"position {position}: node {node} is closed on day {day}")
        elif not open_windows:
            violations.append(
                f"position {position}: node {node} is reached at {arrival:.6g}, after its last window closes at "
                f"{windows[-1][1]:.6g}"
            )
        else:
            start = max(arrival, open_windows[0][0])
        time = start + float(problem.service_s[node])
        previous = node
    end_arrival = time + travel.travel(previous, problem.end_node, time)
    if end_arrival > float(problem.day_end_s[day]) + TOLERANCE_S:
        violations.append(
            f"the route reaches end node {problem.end_node} at {end_arrival:.6g}, after day {day} ends at "
            f"{float(problem.day_end_s[day]):.6g}"
        )
    return violations


def check_solution(problem: Problem, routes: Sequence[Sequence[int]]) -> list[str]:
    """List every way a whole plan (one node list per day, in day order) breaks the problem.

    Adds to :func:`check_route`'s findings for each day: too many routes, a node visited on two days, two visited
    nodes of one exclusive group, and a mandatory node visited on none.
    """
    if len(routes) > problem.n_routes:
        return [f"{len(routes)} routes for a problem of {problem.n_routes} days"]
    violations = [
        f"day {day}: {violation}"
        for day, route in enumerate(routes)
        for violation in check_route(problem, route, day=day)
    ]
    counts = Counter(int(node) for route in routes for node in route)
    days_of = {
        node: [day for day, route in enumerate(routes) if node in route] for node, seen in counts.items() if seen > 1
    }
    violations += [f"node {node} is visited on several days {days}" for node, days in days_of.items() if len(days) > 1]
    groups = Counter(int(problem.group[node]) for node in counts if problem.group[node] >= 0)
    violations += [f"group {group} has {seen} visited nodes, not one" for group, seen in groups.items() if seen > 1]
    missing = [int(node) for node in np.flatnonzero(problem.mandatory) if counts[int(node)] == 0]
    if missing:
        violations.append(f"mandatory nodes {missing} are not visited")
    return violations


def route_score(problem: Problem, route: Sequence[int]) -> float:
    """The total score of the distinct nodes of a route (for checking a solver's reported score)."""
    return float(sum(float(problem.score[int(node)]) for node in set(route)))


def _node_violations(problem: Problem, route: Sequence[int]) -> list[str]:
    violations = []
    seen: set[int] = set()
    for position, raw in enumerate(route):
        if isinstance(raw, bool) or not isinstance(raw, int | np.integer) or not 0 <= int(raw) < problem.n_nodes:
            violations.append(f"position {position}: node {raw!r} does not exist (nodes are 0..{problem.n_nodes - 1})")
            continue
        node = int(raw)
        if node in (problem.start_node, problem.end_node):
            violations.append(f"position {position}: node {node} is the start or end node, not a visit")
        if node in seen:
            violations.append(f"position {position}: node {node} is visited twice")
        if problem.forbidden[node]:
            violations.append(f"position {position}: node {node} is forbidden")
        seen.add(node)
    return violations
