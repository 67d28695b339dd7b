from __future__ import annotations

import itertools

import numpy as np
import pytest

from recommender.tours.decode import beam_tour, best_tour, min_risk_tour


def brute_force(scores: np.ndarray, start: int, end: int) -> float:
    n_inner, n_pois, _ = scores.shape
    others = [poi for poi in range(n_pois) if poi not in {start, end}]
    best = -np.inf
    for inner in itertools.permutations(others, n_inner):
        path = [start, *inner]
        best = max(best, sum(scores[i, path[i], path[i + 1]] for i in range(n_inner)))
    return float(best)


@pytest.mark.parametrize("seed", range(12))
def test_exact_search_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_pois = int(rng.integers(5, 8))
    n_inner = int(rng.integers(1, 5))
    # one dominant pair so that the repeat-allowed bound keeps proposing a forbidden back-and-forth
    scores = rng.normal(size=(n_inner, n_pois, n_pois))
    scores[:, 2, 3] += 3.0
    scores[:, 3, 2] += 3.0
    tour = best_tour(scores, start=0, end=1, beam_width=1)
    assert tour.optimal
    assert tour.pois[0] == 0
    assert tour.pois[-1] == 1
    assert len(set(tour.pois)) == n_inner + 2
    assert tour.score == pytest.approx(brute_force(scores, 0, 1))


def test_forbidden_steps_are_avoided() -> None:
    scores = np.zeros((2, 5, 5))
    scores[:, :, 4] = -np.inf  # POI 4 is never allowed
    tour = best_tour(scores, start=0, end=1)
    assert 4 not in tour.pois
    assert len(tour.pois) == 4


def test_no_tour_is_an_error() -> None:
    scores = np.zeros((3, 4, 4))  # 3 inner POIs but only 2 POIs besides start and end
    with pytest.raises(ValueError, match="no tour"):
        best_tour(scores, start=0, end=1)
    assert beam_tour(np.full((1, 3, 3), -np.inf), start=0, beam_width=4) is None


def test_min_risk_tour_is_valid_and_prefers_the_likely_set() -> None:
    rng = np.random.default_rng(3)
    scores = np.log(rng.dirichlet(np.ones(7), size=(3, 7)))
    tour = min_risk_tour(scores, start=0, end=1, beam_width=64)
    assert tour.pois[0] == 0
    assert tour.pois[-1] == 1
    assert len(set(tour.pois)) == 5
    one_inner = scores[:1]
    assert min_risk_tour(one_inner, start=0, end=1).pois == best_tour(one_inner, start=0, end=1).pois


def test_min_risk_picks_the_tour_sharing_most_with_the_others() -> None:
    # three inner POIs out of 2..6; the best single tour [0, 2, 3, 4, 1] edges out tours that share little with
    # each other, while tours through 5 and 6 are collectively more likely: the min-risk answer takes 5 and 6
    scores = np.full((3, 7, 7), np.log(1e-3))
    scores[0, 0, 2] = scores[1, 2, 3] = scores[2, 3, 4] = 0.0
    for first in (5, 6):
        scores[0, 0, first] = -0.3
        for second in (5, 6, 2, 3, 4):
            scores[1, first, second] = -0.3
            scores[2, second, :] = np.maximum(scores[2, second, :], -0.3)
    best = best_tour(scores, start=0, end=1)
    risk = min_risk_tour(scores, start=0, end=1, beam_width=128)
    assert best.pois == [0, 2, 3, 4, 1]
    assert {5, 6} <= set(risk.pois)
