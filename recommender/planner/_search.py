"""The compiled iterated local search: perturb the current solution, repair and improve it, accept or restart.

One call runs a given number of iterations and keeps everything it needs between calls in caller-owned arrays
(current and best solutions, counters, the random generator's state), so the Python driver can stop at a time
limit between calls while the search itself is deterministic for a seed and an iteration count.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from recommender.planner._jit import jit
from recommender.planner._moves import greedy_insert, replace, shorten
from recommender.planner._random import RandomState, below, uniform
from recommender.planner._route import (
    Arrays,
    FloatArray,
    IntArray,
    Routes,
    refresh_all,
    removal_feasible,
    remove_stretch,
)

_GAIN = 1e-9

# Indices into SearchState.params.
NOISE = 0
MAX_REMOVED_SHARE = 1
RANDOM_REMOVAL_SHARE = 2
RESTART_AFTER = 3
ACCEPT_WORSE = 4
RANDOM_FIRST = 5
N_PARAMS = 6

# Indices into SearchState.values and SearchState.counters.
CURRENT_SCORE, CURRENT_TRAVEL, BEST_SCORE, BEST_TRAVEL = 0, 1, 2, 3
ITERATIONS, SINCE_BEST = 0, 1


class SearchState(NamedTuple):
    """Everything the search carries from one call to the next."""

    current_seq: IntArray
    current_length: IntArray
    best_seq: IntArray
    best_length: IntArray
    values: FloatArray  # current score and travel, best score and travel
    counters: IntArray  # iterations, iterations since the best improved
    params: FloatArray
    rng: RandomState
    weight: FloatArray  # per node, redrawn every iteration
    buffer: IntArray
    candidates: IntArray
    work_a: FloatArray
    work_b: FloatArray
    excess: FloatArray  # per node


@jit
def improve(arrays: Arrays, routes: Routes, state: SearchState) -> None:
    """Local search to a local optimum: shorten the routes, insert, replace, until nothing changes."""
    while True:
        shorten(arrays, routes, state.buffer, state.work_a, state.work_b)
        if greedy_insert(arrays, routes, state.weight, state.candidates, state.rng, state.params[RANDOM_FIRST]) > 0:
            continue
        if replace(arrays, routes, state.work_a, state.work_b, state.excess):
            continue
        return


@jit
def perturb(arrays: Arrays, routes: Routes, state: SearchState) -> None:
    """Remove a random stretch of visits (or random visits) from every route; mandatory visits stay."""
    rng = state.rng
    share = state.params[MAX_REMOVED_SHARE]
    scattered = uniform(rng) < state.params[RANDOM_REMOVAL_SHARE]
    for route in range(routes.length.shape[0]):
        visits = routes.length[route] - 2
        if visits == 0:
            continue
        count = 1 + below(rng, max(1, int(visits * share)))
        count = min(count, visits)
        if scattered:
            for _ in range(count):
                position = 1 + below(rng, routes.length[route] - 2) if routes.length[route] > 2 else 0
                if position > 0:
                    _drop(arrays, routes, route, position)
        else:
            first = 1 + below(rng, visits - count + 1)
            for position in range(first + count - 1, first - 1, -1):
                _drop(arrays, routes, route, position)


@jit
def _drop(arrays: Arrays, routes: Routes, route: int, position: int) -> None:
    node = routes.seq[route, position]
    if arrays.removable[node] and removal_feasible(arrays, routes, route, position, position):
        remove_stretch(arrays, routes, route, position, position)


@jit
def draw_weights(arrays: Arrays, state: SearchState) -> None:
    """Score squared (Vansteenwegen's ratio numerator), randomised by the noise parameter."""
    noise = state.params[NOISE]
    for node in arrays.by_score:
        value = arrays.score[node]
        state.weight[node] = value * value * (1.0 + noise * uniform(state.rng))


@jit
def totals(routes: Routes) -> tuple[float, float]:
    """Total score and total travel of a solution."""
    return float(np.sum(routes.route_score)), float(np.sum(routes.route_travel))


@jit
def _better(score: float, travel: float, other_score: float, other_travel: float) -> bool:
    return score > other_score + _GAIN or (score > other_score - _GAIN and travel < other_travel - _GAIN)


@jit
def _copy(seq: IntArray, length: IntArray, to_seq: IntArray, to_length: IntArray) -> None:
    """Copy a solution's sequences (element by element: no shape checks to compile)."""
    for route in range(length.shape[0]):
        to_length[route] = length[route]
        for position in range(length[route]):
            to_seq[route, position] = seq[route, position]


@jit
def run(arrays: Arrays, routes: Routes, state: SearchState, iterations: int) -> None:
    """Run ``iterations`` iterations of the search from ``state``'s current solution, updating its best."""
    values, counters = state.values, state.counters
    restart_after = max(1, int(state.params[RESTART_AFTER]))
    for _ in range(iterations):
        _copy(state.current_seq, state.current_length, routes.seq, routes.length)
        refresh_all(arrays, routes)
        perturb(arrays, routes, state)
        draw_weights(arrays, state)
        improve(arrays, routes, state)
        score, travel = totals(routes)
        counters[ITERATIONS] += 1
        if _better(score, travel, values[BEST_SCORE], values[BEST_TRAVEL]):
            _copy(routes.seq, routes.length, state.best_seq, state.best_length)
            values[BEST_SCORE], values[BEST_TRAVEL] = score, travel
            counters[SINCE_BEST] = 0
        else:
            counters[SINCE_BEST] += 1
        if _better(score, travel, values[CURRENT_SCORE], values[CURRENT_TRAVEL]) or (
            uniform(state.rng) < state.params[ACCEPT_WORSE]
        ):
            _copy(routes.seq, routes.length, state.current_seq, state.current_length)
            values[CURRENT_SCORE], values[CURRENT_TRAVEL] = score, travel
        if counters[SINCE_BEST] > 0 and counters[SINCE_BEST] % restart_after == 0:
            _copy(state.best_seq, state.best_length, state.current_seq, state.current_length)
            values[CURRENT_SCORE], values[CURRENT_TRAVEL] = values[BEST_SCORE], values[BEST_TRAVEL]
