"""Collaborative models learnt from feedback: implicit-feedback matrix factorisation and an item neighbourhood.

Implicit ALS follows Hu, Koren and Volinsky (ICDM 2008): every user-place pair has a preference (1 where the
evidence is positive) and a confidence ``1 + alpha * |strength|``; alternating least squares fits user and
place factors, solving each row exactly. A new traveller (an app install with a few likes) is *folded in*:
their vector is solved against the fixed place factors, no refit. The neighbourhood model scores a place by
its cosine similarity to the traveller's positive places, a simpler baseline the experiments compare with.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix

from recommender.feedback.interactions import Interactions

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class ALSSettings:
    """Factors, L2 regularisation, confidence scale, sweeps and seed of the factorisation."""

    factors: int = 16
    regularization: float = 0.1
    alpha: float = 10.0
    iterations: int = 10
    seed: int = 0


class ImplicitALS:
    """Implicit-feedback matrix factorisation (see the module docstring)."""

    def __init__(self, settings: ALSSettings | None = None) -> None:
        self.settings = settings or ALSSettings()
        self.place_factors: FloatArray = np.zeros((0, self.settings.factors))
        self.user_factors: FloatArray = np.zeros((0, self.settings.factors))

    def fit(self, interactions: Interactions) -> ImplicitALS:
        """Learn user and place factors from the interaction matrix."""
        config = self.settings
        rng = np.random.default_rng(config.seed)
        users, places = interactions.strength.shape
        preference, confidence = interactions.preference_and_confidence(config.alpha)
        self.user_factors = rng.normal(0.0, 0.01, (users, config.factors))
        self.place_factors = rng.normal(0.0, 0.01, (places, config.factors))
        by_place = (preference.T.tocsr(), confidence.T.tocsr())
        for _ in range(config.iterations):
            self.user_factors = _solve_rows(preference, confidence, self.place_factors, config.regularization)
            self.place_factors = _solve_rows(*by_place, self.user_factors, config.regularization)
        return self

    def fold_in(self, strength: dict[int, float]) -> FloatArray:
        """The factor vector of a traveller with this evidence (place index -> strength), places fixed."""
        if not strength:
            return np.zeros(self.settings.factors)
        columns = np.fromiter(strength, dtype=np.int64)
        values = np.fromiter(strength.values(), dtype=np.float64)
        preference = csr_matrix(
            ((values > 0).astype(float), columns, [0, columns.size]), shape=(1, len(self.place_factors))
        )
        confidence = csr_matrix(
            (self.settings.alpha * np.abs(values), columns, [0, columns.size]), shape=(1, len(self.place_factors))
        )
        solved: FloatArray = _solve_rows(preference, confidence, self.place_factors, self.settings.regularization)
        return np.asarray(solved[0], dtype=np.float64)

    def scores(self, user_vector: FloatArray) -> FloatArray:
        """Predicted preference of every place for one user vector."""
        return np.asarray(self.place_factors @ user_vector)


def _solve_rows(preference: csr_matrix, confidence: csr_matrix, fixed: FloatArray, regularization: float) -> FloatArray:
    """One ALS half-step: each row's exact least-squares solution against the fixed factors."""
    factors = fixed.shape[1]
    gram = fixed.T @ fixed + regularization * np.eye(factors)
    rows = preference.shape[0]
    solved = np.zeros((rows, factors))
    for row in range(rows):
        start, end = confidence.indptr[row], confidence.indptr[row + 1]
        if start == end:
            continue
        columns = confidence.indices[start:end]
        extra = confidence.data[start:end]
        wanted = preference.data[start:end]
        subset = fixed[columns]
        matrix = gram + (subset.T * extra) @ subset
        vector = subset.T @ ((1.0 + extra) * wanted)
        solved[row] = np.linalg.solve(matrix, vector)
    return solved


class ItemNeighbourhood:
    """Item-item cosine similarity over the positive evidence, with shrinkage for rarely co-visited pairs."""

    def __init__(self, *, shrinkage: float = 10.0) -> None:
        self.shrinkage = shrinkage
        self.similarity: FloatArray = np.zeros((0, 0))

    def fit(self, interactions: Interactions) -> ItemNeighbourhood:
        """Similarities from co-occurrence of positive evidence."""
        positive = interactions.strength.copy()
        positive.data = (positive.data > 0).astype(np.float64)
        positive.eliminate_zeros()
        co = np.asarray((positive.T @ positive).todense(), dtype=np.float64)
        counts = np.diag(co).copy()
        norm = np.sqrt(np.outer(counts, counts))
        with np.errstate(divide="ignore", invalid="ignore"):
            cosine = np.where(norm > 0, co / norm, 0.0) * (co / (co + self.shrinkage))
        np.fill_diagonal(cosine, 0.0)
        self.similarity = cosine
        return self

    def scores_for(self, positive_places: NDArray[np.int64]) -> FloatArray:
        """Summed similarity of every place to the traveller's positive places."""
        if positive_places.size == 0:
            return np.zeros(self.similarity.shape[0])
        return np.asarray(self.similarity[:, positive_places].sum(axis=1))
