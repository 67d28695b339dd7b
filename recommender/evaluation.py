"""Offline evaluation of the Hanoi recommender on a feedback log: rank each test traveller's next day.

Travellers are split (seeded) into training and test groups. The model learns from every training
traveller's events and from the test travellers' earlier days; each test traveller's last day is hidden
and the places they visited that day are what a good ranking puts first. Compared on the same split:
popularity alone, the hand-set content score of :mod:`recommender.scoring`, implicit ALS alone, the item
neighbourhood alone, and the learnt blend. Metrics: recall@k and NDCG@k over the places not yet visited.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from recommender.catalogue import Catalogue
from recommender.feedback.events import FeedbackEvent
from recommender.preference import FEATURES, PreferenceModel, PreferenceSettings, TravellerHistory, split_last_day
from recommender.scoring import Context, Interests, score_place

METHODS = ("popularity", "content", "collaborative", "neighbourhood", "learnt")


@dataclass(frozen=True)
class RankingMetrics:
    """Mean recall@k and NDCG@k per method over the test travellers, and how many were scored."""

    k: int
    travellers: int
    recall: dict[str, float]
    ndcg: dict[str, float]
    weights: dict[str, float]

    def flat(self) -> dict[str, float]:
        """``{"recall_at_10_learnt": ..., "ndcg_at_10_learnt": ..., "weight_interest": ...}``."""
        out = {f"recall_at_{self.k}_{m}": v for m, v in self.recall.items()}
        out |= {f"ndcg_at_{self.k}_{m}": v for m, v in self.ndcg.items()}
        out |= {f"weight_{name}": v for name, v in self.weights.items()}
        out["travellers"] = float(self.travellers)
        return out


def evaluate_ranking(
    catalogue: Catalogue,
    events: Sequence[FeedbackEvent],
    interests: Mapping[str, Mapping[str, float]],
    *,
    settings: PreferenceSettings | None = None,
    test_share: float = 0.2,
    k: int = 10,
    seed: int = 0,
) -> RankingMetrics:
    """Fit on the training part, rank every test traveller's last day, average the metrics.

    Raises
    ------
    recommender.preference.PreferenceModelError
        If the training part has no traveller with two days.
    """
    users = sorted({event.user_id for event in events})
    rng = np.random.default_rng(seed)
    test_users = set(rng.choice(users, size=max(1, int(len(users) * test_share)), replace=False).tolist())
    test_events = [event for event in events if event.user_id in test_users]
    earlier, hidden = split_last_day(test_events)
    training = [event for event in events if event.user_id not in test_users] + earlier
    model = PreferenceModel(catalogue, settings).fit(training, interests)
    place_ids = model.place_ids
    position = {place_id: index for index, place_id in enumerate(place_ids)}
    popularity = np.asarray([place.popularity for place in catalogue.places])
    by_user: dict[str, list[FeedbackEvent]] = {}
    for event in earlier:
        by_user.setdefault(event.user_id, []).append(event)
    recall: dict[str, list[float]] = {method: [] for method in METHODS}
    ndcg: dict[str, list[float]] = {method: [] for method in METHODS}
    for user_id, visited in hidden.items():
        history = TravellerHistory(interests.get(user_id, {}), by_user.get(user_id, []))
        seen = {position[e.place_id] for e in history.events if e.place_id in position}
        truth = {position[p] for p in visited if p in position} - seen
        if not truth:
            continue
        features = model.features(history)
        declared = Interests.parse(dict(history.interests)) if history.interests else Interests({})
        rankings = {
            "popularity": popularity,
            "content": np.asarray([score_place(p, declared, Context()).score for p in catalogue.places]),
            "collaborative": features[:, 2],
            "neighbourhood": features[:, 3] + 1e-6 * popularity,
            "learnt": features @ model.weights + model.intercept,
        }
        for method, scores in rankings.items():
            top = _top_k(scores, exclude=seen, k=k)
            recall[method].append(len(truth & set(top.tolist())) / len(truth))
            ndcg[method].append(_ndcg(top, truth, k))
    return RankingMetrics(
        k=k,
        travellers=len(recall["learnt"]),
        recall={m: round(float(np.mean(v)), 4) if v else 0.0 for m, v in recall.items()},
        ndcg={m: round(float(np.mean(v)), 4) if v else 0.0 for m, v in ndcg.items()},
        weights={name: round(float(w), 4) for name, w in zip(FEATURES, model.weights, strict=True)},
    )


def _top_k(scores: NDArray[np.float64], *, exclude: set[int], k: int) -> NDArray[np.int64]:
    masked = scores.astype(np.float64).copy()
    masked[list(exclude)] = -np.inf
    order = np.argsort(-masked, kind="stable")
    return order[:k]


def _ndcg(top: NDArray[np.int64], truth: set[int], k: int) -> float:
    gains = np.asarray([1.0 if int(item) in truth else 0.0 for item in top])
    discounts = 1.0 / np.log2(np.arange(2, gains.size + 2))
    ideal = discounts[: min(len(truth), k)].sum()
    return float((gains * discounts).sum() / ideal) if ideal > 0 else 0.0
