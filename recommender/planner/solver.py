"""Solve a :class:`~recommender.planner.problem.Problem`: pick and order the visits of every day for the most score.

The method is an iterated local search in the spirit of Vansteenwegen et al. (2009), compiled with numba and with a
richer local search: mandatory visits are placed first; a greedy insertion by score squared over time added builds
the first solution; then every iteration removes a random stretch of visits from each day (or scattered visits),
refills the days by randomised greedy insertion (noisy weights; half the time the first insertion is drawn at
random among the feasible ones) and improves them to a local optimum: 2-opt, or-opt and moves between days to
shorten the routes, insertion, and *replace*, which swaps a visit for an unvisited node of higher score. Better or
equal solutions are accepted, worse ones rarely; the search returns to the best solution after a run of iterations
without improvement. Insertion checks are O(1) with the latest-arrival bookkeeping of :mod:`._route`.

The search is deterministic for a seed and an iteration count; under a time limit it follows the same trajectory and
stops between two batches of iterations, so a slower machine may stop earlier on that trajectory.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from recommender.planner import _search
from recommender.planner._mandatory import place_mandatory
from recommender.planner._random import seed_state
from recommender.planner._route import Arrays, Routes, refresh_all
from recommender.planner._search import SearchState, draw_weights, improve, run, totals
from recommender.planner.errors import PlannerError
from recommender.planner.problem import Problem
from recommender.planner.solution import Route, Solution, Visit

_BATCH_TARGET_S = 0.01


@dataclass(frozen=True)
class SearchSettings:
    """Tuning knobs of the iterated local search (the defaults were tuned on the OPTW benchmark).

    Attributes
    ----------
    noise : float
        Relative random noise on each node's insertion weight (diversifies the greedy repair).
    max_removed_share : float
        A perturbation removes between one visit and this share of a day's visits.
    random_removal_share : float
        Probability that a perturbation removes scattered visits instead of a consecutive stretch.
    restart_after : int
        Iterations without a new best solution after which the search returns to the best one.
    accept_worse : float
        Probability of continuing from a worse solution.
    random_first : float
        Probability that a repair starts with a random feasible insertion instead of the greedy one.
    """

    noise: float = 1.0
    max_removed_share: float = 0.5
    random_removal_share: float = 0.3
    restart_after: int = 200
    accept_worse: float = 0.05
    random_first: float = 0.5


def solve(
    problem: Problem,
    *,
    time_limit_s: float | None = 1.0,
    seed: int = 0,
    max_iterations: int | None = None,
    settings: SearchSettings | None = None,
) -> Solution:
    """Plan every day of ``problem`` for the highest total score within the time or iteration budget.

    Parameters
    ----------
    problem
        The problem to plan.
    time_limit_s
        Wall-clock budget of the search; ``None`` for no limit (then ``max_iterations`` is required). The first
        solution is always completed, so a tiny limit still returns a feasible plan.
    seed
        Seed of the search's random generator; the same seed and iteration count give the same plan.
    max_iterations
        Upper bound on search iterations (perturbation plus local search), or ``None`` for no bound.
    settings
        Tuning knobs; the defaults suit both the benchmark and city-sized problems.

    Returns
    -------
    Solution
        The best plan found; every route keeps every time window, day end, mandatory and forbidden node.

    Raises
    ------
    InfeasibleProblemError
        If the mandatory visits cannot all be placed.
    PlannerError
        If neither a time limit nor an iteration bound is given.
    """
    if time_limit_s is None and max_iterations is None:
        raise PlannerError("solve needs a time limit or an iteration bound")
    started = time.perf_counter()
    settings = settings or SearchSettings()
    arrays = _arrays(problem)
    routes = _empty_routes(problem)
    place_mandatory(problem, arrays, routes, np.random.default_rng(seed))
    state = _initial_state(problem, arrays, routes, seed, settings)
    _iterate(arrays, routes, state, started=started, time_limit_s=time_limit_s, max_iterations=max_iterations)
    routes.seq[:] = state.best_seq
    routes.length[:] = state.best_length
    return Solution(
        routes=tuple(_route(problem, routes, day) for day in range(problem.n_routes)),
        score=float(state.values[_search.BEST_SCORE]),
        iterations=int(state.counters[_search.ITERATIONS]),
        time_s=time.perf_counter() - started,
        seed=seed,
    )


def _iterate(
    arrays: Arrays,
    routes: Routes,
    state: SearchState,
    *,
    started: float,
    time_limit_s: float | None,
    max_iterations: int | None,
) -> None:
    """Run the search in batches of about ``_BATCH_TARGET_S``, never starting a batch the time left cannot hold."""
    per_iteration_s = 0.0
    while True:
        count = max(1, int(_BATCH_TARGET_S / per_iteration_s)) if per_iteration_s > 0 else 1
        if max_iterations is not None:
            count = min(count, max_iterations - int(state.counters[_search.ITERATIONS]))
            if count <= 0:
                return
        if time_limit_s is not None:
            left_s = time_limit_s - (time.perf_counter() - started)
            if left_s <= 0:
                return
            if per_iteration_s > 0:
                count = max(1, min(count, int(left_s / per_iteration_s)))
        batch_started = time.perf_counter()
        run(arrays, routes, state, count)
        took_s = (time.perf_counter() - batch_started) / count
        per_iteration_s = took_s if per_iteration_s == 0 else 0.5 * (per_iteration_s + took_s)


def _arrays(problem: Problem) -> Arrays:
    n = problem.n_nodes
    insertable = ~problem.forbidden & ((problem.score > 0) | problem.mandatory)
    insertable[[problem.start_node, problem.end_node]] = False
    candidates = np.flatnonzero(insertable)
    by_score = candidates[np.argsort(-problem.score[candidates], kind="stable")].astype(np.int64)
    travel = problem.travel_time
    return Arrays(
        score=np.array(problem.score, dtype=np.float64, copy=True, order="C"),
        service=np.array(problem.service_s, dtype=np.float64, copy=True, order="C"),
        travel=np.array(travel.matrices_s, dtype=np.float64, copy=True, order="C"),
        period_start=np.array(travel.period_start_s, dtype=np.float64, copy=True, order="C"),
        window_open=np.array(problem.window_open_s, dtype=np.float64, copy=True, order="C"),
        window_close=np.array(problem.window_close_s, dtype=np.float64, copy=True, order="C"),
        window_offset=np.array(problem.window_offset, dtype=np.int64, copy=True, order="C"),
        day_start=np.array(problem.day_start_s, dtype=np.float64, copy=True, order="C"),
        day_end=np.array(problem.day_end_s, dtype=np.float64, copy=True, order="C"),
        day_calendar=np.array(problem.day_calendar, dtype=np.int64, copy=True, order="C"),
        insertable=insertable,
        removable=~problem.mandatory,
        by_score=by_score,
        group=np.array(problem.group, dtype=np.int64, copy=True, order="C"),
        walk=np.ascontiguousarray(problem.walk_m if problem.walk_m.size else np.zeros((n, n)), dtype=np.float64),
        walk_budget=np.array(problem.walk_budget_m, dtype=np.float64, copy=True, order="C"),
    )


def _empty_routes(problem: Problem) -> Routes:
    m, capacity = problem.n_routes, problem.n_nodes + 2
    seq = np.zeros((m, capacity), dtype=np.int64)
    seq[:, 0] = problem.start_node
    seq[:, 1] = problem.end_node
    seq[:, -1] = problem.end_node
    return Routes(
        seq=seq,
        length=np.full(m, 2, dtype=np.int64),
        depart=np.zeros((m, capacity)),
        latest=np.zeros((m, capacity)),
        where=np.full(problem.n_nodes, -1, dtype=np.int64),
        route_score=np.zeros(m),
        route_travel=np.zeros(m),
        group_used=np.zeros(problem.n_nodes, dtype=np.int64),
        walk_prefix=np.zeros((m, capacity)),
    )


def _initial_state(
    problem: Problem, arrays: Arrays, routes: Routes, seed: int, settings: SearchSettings
) -> SearchState:
    """The first solution: greedy insertion by score squared over time added, then local search."""
    refresh_all(arrays, routes)
    capacity = problem.n_nodes + 2
    state = SearchState(
        current_seq=routes.seq.copy(),
        current_length=routes.length.copy(),
        best_seq=routes.seq.copy(),
        best_length=routes.length.copy(),
        values=np.zeros(4),
        counters=np.zeros(2, dtype=np.int64),
        params=np.zeros(_search.N_PARAMS),
        rng=seed_state(seed),
        weight=np.zeros(problem.n_nodes),
        buffer=np.zeros(capacity, dtype=np.int64),
        candidates=np.zeros(problem.n_nodes, dtype=np.int64),
        work_a=np.zeros(capacity),
        work_b=np.zeros(capacity),
        excess=np.zeros(problem.n_nodes),
    )
    draw_weights(arrays, state)  # noise 0: plain score squared
    improve(arrays, routes, state)
    state.params[_search.NOISE] = settings.noise
    state.params[_search.MAX_REMOVED_SHARE] = settings.max_removed_share
    state.params[_search.RANDOM_REMOVAL_SHARE] = settings.random_removal_share
    state.params[_search.RESTART_AFTER] = settings.restart_after
    state.params[_search.ACCEPT_WORSE] = settings.accept_worse
    state.params[_search.RANDOM_FIRST] = settings.random_first
    score, travel = totals(routes)
    for seq, length in ((state.current_seq, state.current_length), (state.best_seq, state.best_length)):
        seq[:] = routes.seq
        length[:] = routes.length
    state.values[:] = (score, travel, score, travel)
    return state


def _route(problem: Problem, routes: Routes, day: int) -> Route:
    travel = problem.travel_time
    length = int(routes.length[day])
    nodes = [int(node) for node in routes.seq[day, 1 : length - 1]]
    depart = float(problem.day_start_s[day])
    previous = problem.start_node
    visits = []
    for node in nodes:
        arrival = depart + travel.travel(previous, node, depart)
        start = next(
            max(arrival, open_s) for open_s, close_s in problem.windows(node, day) if arrival <= close_s + 1e-7
        )
        depart = start + float(problem.service_s[node])
        visits.append(Visit(node=node, arrival_s=arrival, start_s=start, departure_s=depart))
        previous = node
    return Route(
        day=day,
        visits=tuple(visits),
        score=float(sum(problem.score[node] for node in nodes)),
        depart_s=float(problem.day_start_s[day]),
        end_arrival_s=depart + travel.travel(previous, problem.end_node, depart),
    )
