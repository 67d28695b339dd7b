"""Scores of one recommended tour against the true one (Chen, Ong & Xie, CIKM 2016).

Both sequences hold distinct POIs; the first and last are the query's start and end.
"""

from __future__ import annotations

from collections.abc import Sequence


def f1_points(truth: Sequence[int], predicted: Sequence[int]) -> float:
    """F1 of the predicted set of POIs against the true set, start and end included.

    Raises
    ------
    ValueError
        If either sequence is empty.
    """
    if not truth or not predicted:
        raise ValueError("both sequences must be non-empty")
    return _f1(len(set(truth) & set(predicted)), len(predicted), len(truth))


def f1_inner(truth: Sequence[int], predicted: Sequence[int]) -> float:
    """F1 over the inner POIs only (the given start and end left out); 1.0 when both have no inner POI.

    Raises
    ------
    ValueError
        If either sequence has fewer than 2 POIs.
    """
    if len(truth) < 2 or len(predicted) < 2:
        raise ValueError("both sequences must have a start and an end")
    inner_truth = set(truth[1:-1])
    inner_predicted = set(predicted[1:-1])
    if not inner_truth and not inner_predicted:
        return 1.0
    return _f1(len(inner_truth & inner_predicted), len(inner_predicted), len(inner_truth))


def pairs_f1(truth: Sequence[int], predicted: Sequence[int]) -> float:
    """F1 over ordered pairs: pairs ``(i < j)`` of either sequence that appear in the same order in the other.

    Precision is over the ``L(L-1)/2`` pairs of the prediction, recall over the pairs of the truth; start and end
    count; 0 when no pair is right.

    Raises
    ------
    ValueError
        If either sequence has fewer than 2 POIs or repeats a POI.
    """
    if len(truth) < 2 or len(predicted) < 2:
        raise ValueError("both sequences need at least two POIs")
    if len(set(truth)) != len(truth) or len(set(predicted)) != len(predicted):
        raise ValueError("a sequence repeats a POI")
    position = {poi: index for index, poi in enumerate(truth)}
    placed = [position[poi] for poi in predicted if poi in position]
    right = sum(1 for i, first in enumerate(placed) for second in placed[i + 1 :] if first < second)
    return _f1(right, len(predicted) * (len(predicted) - 1) / 2, len(truth) * (len(truth) - 1) / 2)


def _f1(right: float, proposed: float, expected: float) -> float:
    """The harmonic mean of precision (right of proposed) and recall (right of expected); 0.0 when none is right."""
    if right == 0:
        return 0.0
    precision = right / proposed
    recall = right / expected
    return 2 * precision * recall / (precision + recall)
