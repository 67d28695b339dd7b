"""Small problems and a brute-force optimum for the planner tests."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from recommender.planner import Problem, check_route

SHARED = Path(__file__).parents[2].parent / "shared"
INSTANCES = SHARED / "benchmarks" / "optw" / "instances"
BEST_KNOWN = SHARED / "benchmarks" / "optw" / "best_known_m1.csv"


def line_problem(**overrides: object) -> Problem:
    """Depot 0 and four places on a line at 1, 2, 3, 4 (travel = distance), one wide window each."""
    positions = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
    arguments: dict[str, object] = {
        "score": [0.0, 1.0, 2.0, 3.0, 4.0],
        "service_s": [0.0, 1.0, 1.0, 1.0, 1.0],
        "travel_s": np.abs(positions[:, None] - positions[None, :]),
        "windows": [[(0.0, 100.0)]] * 5,
        "days": [(0.0, 100.0)],
    }
    arguments.update(overrides)
    return Problem.from_windows(**arguments)  # type: ignore[arg-type]


def random_problem(rng: np.random.Generator, n: int, *, n_days: int = 1, triangle: bool = True) -> Problem:
    """A random problem: depot 0, random scores and visit times, one to three windows per node and day."""
    travel: NDArray[np.float64]
    if triangle:
        xy = rng.uniform(0, 30, size=(n, 2))
        distance = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1]).astype(np.float64)
        travel = np.round(distance, 1)
    else:
        travel = np.round(rng.uniform(1, 40, size=(n, n)), 1)
        np.fill_diagonal(travel, 0.0)
    horizon = float(rng.uniform(60, 160))
    calendars = []
    for _ in range(n_days):
        calendar = [[(0.0, horizon)]]
        for _ in range(1, n):
            count = int(rng.integers(0, 4))
            edges = np.sort(rng.uniform(0, horizon, size=2 * count))
            calendar.append([(float(edges[2 * k]), float(edges[2 * k + 1])) for k in range(count)])
        calendars.append(calendar)
    return Problem.from_windows(
        score=np.concatenate([[0.0], rng.integers(1, 10, size=n - 1)]),
        service_s=np.concatenate([[0.0], rng.uniform(0, 15, size=n - 1)]),
        travel_s=travel,
        windows=calendars[0],
        windows_by_day=calendars if n_days > 1 else None,
        days=[(0.0, horizon)] * n_days,
    )


def brute_force_best(problem: Problem) -> float:
    """The best single-route score by enumerating every feasible order of every subset (n <= 8)."""
    assert problem.n_routes == 1
    nodes = [i for i in range(problem.n_nodes) if i not in (problem.start_node, problem.end_node)]
    nodes = [i for i in nodes if not problem.forbidden[i]]
    mandatory = {int(i) for i in np.flatnonzero(problem.mandatory)}
    best = -np.inf
    for size in range(len(nodes) + 1):
        for order in itertools.permutations(nodes, size):
            if not mandatory <= set(order):
                continue
            score = float(sum(problem.score[i] for i in order))
            if score > best and not check_route(problem, list(order)):
                best = score
    return best
