"""Best tour of a given length: a beam search for a good tour, then branch and bound (A*) to prove or beat it.

A tour ``start, p_1, ..., p_{L-2}, end`` scores ``sum_i step_scores[i - 1, p_{i-1}, p_i]`` (the step into ``end`` is
part of the last inner POI's score, which may look at the end it leads to); POIs may not repeat. The A* heuristic is
the best score-to-go when POIs may repeat (dynamic programming backwards), which never underestimates, so the first
complete tour taken off the queue is optimal, and partial tours whose bound cannot beat the beam's tour are pruned.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

MAX_EXPANSIONS = 3_000
"""Partial tours the A* search may expand; if it has not finished by then the beam's tour is returned unproven."""


@dataclass(frozen=True, slots=True)
class Tour:
    """A decoded tour: the POIs from start to end, its score and whether it is proven optimal."""

    pois: list[int]
    score: float
    optimal: bool


def best_tour(step_scores: FloatArray, *, start: int, end: int, beam_width: int = 256) -> Tour:
    """The highest-scoring tour of distinct POIs from ``start`` to ``end``.

    Parameters
    ----------
    step_scores
        ``step_scores[i, a, c]``: the score of going from ``a`` to ``c`` as the ``i``-th inner POI (from 0); shape
        ``(L - 2, n_pois, n_pois)``; ``-inf`` where the step is not allowed.
    start, end
        The given first and last POI.
    beam_width
        The width of the beam search that finds the first tour.

    Returns
    -------
    Tour
        ``L`` distinct POIs from ``start`` to ``end``, optimal unless the exact search ran out of expansions.

    Raises
    ------
    ValueError
        If the scores do not allow any tour of that length.
    """
    n_inner, n_pois, _ = step_scores.shape
    scores = step_scores.copy()
    scores[:, :, [start, end]] = -np.inf
    incumbent = beam_tour(scores, start=start, beam_width=beam_width)
    if incumbent is None:
        raise ValueError(f"no tour of {n_inner + 2} distinct POIs from {start} to {end}")
    best_score, best_path = incumbent
    to_go = np.zeros((n_inner, n_pois))  # to_go[r, c]: best score after placing c with r inner POIs remaining
    for remaining in range(1, n_inner):
        to_go[remaining] = np.max(scores[n_inner - remaining] + to_go[remaining - 1][None, :], axis=1)
    counter = itertools.count()
    queue: list[tuple[float, int, float, tuple[int, ...]]] = [(0.0, next(counter), 0.0, (start,))]
    margin = 1e-9 * (1.0 + abs(best_score))
    for _ in range(MAX_EXPANSIONS):
        if not queue:  # everything left was pruned: the beam's tour is optimal
            return Tour([*best_path, end], best_score, optimal=True)
        _, _, gained, path = heapq.heappop(queue)
        placed = len(path) - 1
        if placed == n_inner:
            return Tour([*path, end], gained, optimal=True)
        remaining = n_inner - placed - 1
        bounds = gained + scores[placed, path[-1]] + to_go[remaining]
        bounds[list(path)] = -np.inf
        for poi in np.flatnonzero(bounds > best_score + margin):
            total = gained + float(scores[placed, path[-1], poi])
            heapq.heappush(queue, (-float(bounds[poi]), next(counter), total, (*path, int(poi))))
    return Tour([*best_path, end], best_score, optimal=False)


def beam_tour(scores: FloatArray, *, start: int, beam_width: int) -> tuple[float, list[int]] | None:
    """The best tour a beam search finds (score and POIs without the end), or None if there is none.

    ``scores`` must already forbid stepping onto the start and the end.
    """
    found = beam_tours(scores, start=start, beam_width=beam_width)
    if found is None:
        return None
    gained, paths = found
    return float(gained[0]), [int(poi) for poi in paths[0]]


def beam_tours(scores: FloatArray, *, start: int, beam_width: int) -> tuple[FloatArray, npt.NDArray[np.int64]] | None:
    """The final beam: scores (best first) and tours without the end, one per row; None if there is no tour.

    ``scores`` must already forbid stepping onto the start and the end.
    """
    n_inner, n_pois, _ = scores.shape
    paths = np.full((1, 1), start, dtype=np.int64)
    gained = np.zeros(1)
    visited = np.zeros((1, n_pois), dtype=bool)
    visited[0, start] = True
    for placed in range(n_inner):
        grown = gained[:, None] + scores[placed, paths[:, -1]]
        grown[visited] = -np.inf
        flat = grown.ravel()
        finite = int(np.isfinite(flat).sum())
        if finite == 0:
            return None
        keep = min(beam_width, finite)
        chosen = np.argpartition(-flat, keep - 1)[:keep]
        chosen = chosen[np.lexsort((chosen, -flat[chosen]))]  # best first, ties by index: deterministic
        parent, poi = np.divmod(chosen, n_pois)
        paths = np.column_stack([paths[parent], poi])
        gained = flat[chosen]
        visited = visited[parent]
        visited[np.arange(len(poi)), poi] = True
    return gained, paths


def min_risk_tour(step_scores: FloatArray, *, start: int, end: int, beam_width: int = 256) -> Tour:
    """The tour with the highest expected F1 + pairs-F1 under the model (minimum Bayes risk decoding).

    The candidates are the final beam plus the exact best tour; each candidate's probability is proportional to
    ``exp(score)`` (``step_scores`` should be log-probabilities). Both metrics between two tours of the same length
    ``L`` are simple: F1 is the number of shared POIs over ``L`` and pairs-F1 the number of shared ordered pairs over
    ``L(L-1)/2``, so the expectations are two matrix products.

    Raises
    ------
    ValueError
        If the scores do not allow any tour of that length.
    """
    best = best_tour(step_scores, start=start, end=end, beam_width=beam_width)
    scores = step_scores.copy()
    scores[:, :, [start, end]] = -np.inf
    found = beam_tours(scores, start=start, beam_width=beam_width)
    if found is None or step_scores.shape[0] < 2:  # one inner POI: the best tour is the answer
        return best
    gained, paths = found
    tours = np.column_stack([paths, np.full(len(paths), end)])
    tours = np.vstack([np.asarray(best.pois, dtype=np.int64)[None, :], tours])
    tours, unique = np.unique(tours, axis=0, return_index=True)
    weights = np.append(best.score, gained)[unique]
    weights = np.exp(weights - weights.max())
    weights /= weights.sum()
    n_tours, length = tours.shape
    n_pois = step_scores.shape[1]
    members = np.zeros((n_tours, n_pois))
    members[np.arange(n_tours)[:, None], tours] = 1.0
    first, second = np.triu_indices(length, k=1)
    pairs = np.zeros((n_tours, n_pois * n_pois))
    pairs[np.arange(n_tours)[:, None], tours[:, first] * n_pois + tours[:, second]] = 1.0
    expected = (members @ (members.T @ weights)) / length + (pairs @ (pairs.T @ weights)) / len(first)
    chosen = int(np.argmax(expected))
    return Tour([int(poi) for poi in tours[chosen]], float(np.log(weights[chosen])), optimal=False)
