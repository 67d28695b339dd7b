"""From events to a user x place matrix of implicit feedback: a preference (0/1) and a confidence per pair.

Strength of the evidence that a traveller values a place: a visit counts 1, a like 2, a rating its distance
from the middle of the scale (a 5 adds 1.5, a 1 takes 1.5 away); a skip takes 1 away. Positive strength means
preference 1; negative strength means preference 0 *with* confidence (the traveller passed on it), which
is how implicit-feedback matrix factorisation (Hu, Koren and Volinsky 2008) reads it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix

from recommender.feedback.events import EventKind, FeedbackEvent

_STRENGTH = {EventKind.VISIT: 1.0, EventKind.LIKE: 2.0, EventKind.SKIP: -1.0}
_RATING_MIDDLE = 3.0
_RATING_SCALE = 0.75


@dataclass(frozen=True, eq=False)
class Interactions:
    """``strength[u, i]`` (sparse): summed evidence of user ``u`` about place ``i``; rows follow ``user_ids``."""

    user_ids: tuple[str, ...]
    place_ids: tuple[str, ...]
    strength: csr_matrix

    def preference_and_confidence(self, alpha: float) -> tuple[csr_matrix, csr_matrix]:
        """Preference p (1 where the strength is positive) and extra confidence ``alpha * |strength|``."""
        data = self.strength.data
        preference = csr_matrix(
            ((data > 0).astype(np.float64), self.strength.indices, self.strength.indptr), shape=self.strength.shape
        )
        confidence = csr_matrix(
            (alpha * np.abs(data), self.strength.indices, self.strength.indptr), shape=self.strength.shape
        )
        return preference, confidence

    def positives(self, user: int) -> NDArray[np.int64]:
        """Places with positive evidence for one user."""
        start, end = self.strength.indptr[user], self.strength.indptr[user + 1]
        return np.asarray(self.strength.indices[start:end][self.strength.data[start:end] > 0], dtype=np.int64)


def event_strength(event: FeedbackEvent) -> float:
    """How much one event says the traveller values the place (negative for a skip or a low rating)."""
    if event.kind is EventKind.RATING:
        return (event.value - _RATING_MIDDLE) * _RATING_SCALE
    return _STRENGTH[event.kind]


def build_interactions(events: Iterable[FeedbackEvent], place_ids: Sequence[str]) -> Interactions:
    """Sum the events into the matrix; events about places not in ``place_ids`` are ignored."""
    position = {place_id: index for index, place_id in enumerate(place_ids)}
    users: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    values: list[float] = []
    for event in events:
        column = position.get(event.place_id)
        if column is None:
            continue
        rows.append(users.setdefault(event.user_id, len(users)))
        cols.append(column)
        values.append(event_strength(event))
    matrix = csr_matrix((values, (rows, cols)), shape=(len(users), len(place_ids)), dtype=np.float64)
    matrix.sum_duplicates()
    matrix.eliminate_zeros()
    return Interactions(tuple(users), tuple(place_ids), matrix)
