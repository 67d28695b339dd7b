from __future__ import annotations

import pytest

from recommender.tours.metrics import f1_inner, f1_points, pairs_f1


def test_perfect_answer_scores_one() -> None:
    tour = [4, 1, 7, 2]
    assert f1_points(tour, tour) == 1.0
    assert pairs_f1(tour, tour) == 1.0
    assert f1_inner(tour, tour) == 1.0


def test_all_inner_wrong_still_scores_the_given_endpoints() -> None:
    truth, predicted = [1, 2, 3], [1, 9, 3]
    assert f1_points(truth, predicted) == pytest.approx(2 / 3)
    assert pairs_f1(truth, predicted) == pytest.approx(1 / 3)  # only (1, 3) is right, of 3 pairs each way
    assert f1_inner(truth, predicted) == 0.0


def test_different_lengths() -> None:
    truth, predicted = [1, 2, 3, 4, 5], [1, 3, 5]
    # points: 3 hits, precision 1, recall 3/5
    assert f1_points(truth, predicted) == pytest.approx(2 * 1 * 0.6 / 1.6)
    # pairs: all 3 predicted pairs in order; precision 3/3, recall 3/10
    assert pairs_f1(truth, predicted) == pytest.approx(2 * 1 * 0.3 / 1.3)
    # inner: {3} against {2, 3, 4}: precision 1, recall 1/3
    assert f1_inner(truth, predicted) == pytest.approx(0.5)


def test_pairs_count_order_not_adjacency() -> None:
    truth = [1, 2, 3, 4]
    swapped = [1, 3, 2, 4]  # every pair but (3, 2) is in order: 5 of 6
    assert pairs_f1(truth, swapped) == pytest.approx(5 / 6)
    assert f1_points(truth, swapped) == 1.0
    reversed_inner = [1, 4, 3, 2]  # right: (1,4), (1,3), (1,2) only
    assert pairs_f1(truth, reversed_inner) == pytest.approx(3 / 6)


def test_no_common_pair_is_zero() -> None:
    assert pairs_f1([1, 2, 3], [4, 5, 6]) == 0.0
    assert f1_points([1, 2, 3], [4, 5, 6]) == 0.0


def test_inner_f1_of_two_poi_tours_is_one() -> None:
    assert f1_inner([1, 2], [1, 2]) == 1.0


@pytest.mark.parametrize(
    ("truth", "predicted"),
    [([], [1]), ([1], [])],
)
def test_empty_sequences_are_rejected(truth: list[int], predicted: list[int]) -> None:
    with pytest.raises(ValueError, match="non-empty"):
        f1_points(truth, predicted)


def test_repeated_poi_is_rejected() -> None:
    with pytest.raises(ValueError, match="repeats"):
        pairs_f1([1, 2, 1], [1, 2, 3])
