"""The learnt preference model: how interests, popularity and what similar travellers liked combine into a score.

The hand-set mix of :mod:`recommender.scoring` is a prior; with feedback, the mix is *learnt*: a logistic
regression over three features of a traveller-place pair (the interest match from the traveller's declared
interests, the place's popularity, and the collaborative score from implicit ALS folded in from the
traveller's own history) predicts whether the traveller visits the place on their next day out. Training
pairs come from each traveller's last day, held out from the factorisation that produces their
collaborative feature, so the weights see the collaborative score as it will be at serving time.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from recommender.catalogue import Catalogue
from recommender.collaborative import ALSSettings, ImplicitALS, ItemNeighbourhood
from recommender.errors import RecommenderError
from recommender.feedback.events import EventKind, FeedbackEvent
from recommender.feedback.interactions import build_interactions, event_strength
from recommender.messages import Message
from recommender.scoring import SCALE, Context, Interests, PlaceScore, score_place
from routing import read_npz, save_npz

FEATURES = ("interest", "popularity", "collaborative", "neighbourhood")
FloatArray = NDArray[np.float64]


class PreferenceModelError(RecommenderError):
    """A saved preference model is missing, corrupt or for another catalogue."""


@dataclass(frozen=True)
class PreferenceSettings:
    """Settings of the learnt model (what experiments search over)."""

    als: ALSSettings = field(default_factory=ALSSettings)
    inverse_regularization: float = 1.0
    use_collaborative: bool = True
    neighbourhood_shrinkage: float = 10.0


@dataclass(frozen=True)
class TravellerHistory:
    """What the model knows of one traveller: declared interests and their own events."""

    interests: Mapping[str, float]
    events: Sequence[FeedbackEvent] = ()


def split_last_day(events: Sequence[FeedbackEvent]) -> tuple[list[FeedbackEvent], dict[str, set[str]]]:
    """Every traveller's events before their last day, and the places they visited on that last day.

    Travellers with a single day keep all their events for training and give no labels.
    """
    last_day: dict[str, dt.date] = {}
    first_day: dict[str, dt.date] = {}
    for event in events:
        day = event.at.date()
        last_day[event.user_id] = max(day, last_day.get(event.user_id, day))
        first_day[event.user_id] = min(day, first_day.get(event.user_id, day))
    training: list[FeedbackEvent] = []
    labels: dict[str, set[str]] = {}
    for event in events:
        held = last_day[event.user_id] != first_day[event.user_id] and event.at.date() == last_day[event.user_id]
        if not held:
            training.append(event)
        elif event_strength(event) > 0:
            labels.setdefault(event.user_id, set()).add(event.place_id)
    return training, labels


class PreferenceModel:
    """Learnt weights plus the factorisation, ready to score places for any traveller."""

    def __init__(self, catalogue: Catalogue, settings: PreferenceSettings | None = None) -> None:
        self.catalogue = catalogue
        self.settings = settings or PreferenceSettings()
        self.place_ids = tuple(place.id for place in catalogue.places)
        self.weights = np.zeros(len(FEATURES))
        self.intercept = 0.0
        self.als = ImplicitALS(self.settings.als)
        self.neighbourhood = ItemNeighbourhood(shrinkage=self.settings.neighbourhood_shrinkage)

    # -- features --------------------------------------------------------------------------------

    def features(self, history: TravellerHistory, *, context: Context | None = None) -> FloatArray:
        """(places, features): interest match, popularity, ALS and neighbourhood scores (0..1 within the traveller)."""
        interests = Interests.parse(dict(history.interests)) if history.interests else Interests({})
        conditions = context or Context()
        interest = np.asarray([score_place(place, interests, conditions).interest for place in self.catalogue.places])
        popularity = np.asarray([place.popularity for place in self.catalogue.places])
        collaborative = np.zeros(len(self.place_ids))
        neighbourhood = np.zeros(len(self.place_ids))
        if self.settings.use_collaborative and history.events and len(self.als.place_factors):
            position = {place_id: index for index, place_id in enumerate(self.place_ids)}
            strength: dict[int, float] = {}
            for event in history.events:
                if event.place_id in position:
                    index = position[event.place_id]
                    strength[index] = strength.get(index, 0.0) + event_strength(event)
            collaborative = _unit(self.als.scores(self.als.fold_in(strength)))
            liked = np.asarray([index for index, value in strength.items() if value > 0], dtype=np.int64)
            if self.neighbourhood.similarity.size:
                neighbourhood = _unit(self.neighbourhood.scores_for(liked))
        return np.column_stack([interest, popularity, collaborative, neighbourhood])

    def predict(self, history: TravellerHistory, *, context: Context | None = None) -> FloatArray:
        """Probability-like score (0..1) that the traveller values each place."""
        logits = self.features(history, context=context) @ self.weights + self.intercept
        return np.asarray(1.0 / (1.0 + np.exp(-logits)))

    def place_scores(
        self, interests: Interests, *, context: Context | None = None, liked: Sequence[str] = ()
    ) -> list[PlaceScore]:
        """Scores for the planner, in catalogue order: the learnt blend instead of the hand-set mix.

        ``liked`` are places the traveller liked before (from the app's feedback); they are folded into the
        collaborative part. The context factor (rain, children) stays the hand-set prior of
        :mod:`recommender.scoring`: no feedback yet records the weather.
        """
        conditions = context or Context()
        now = dt.datetime.now(tz=dt.UTC)
        history = TravellerHistory(
            {category.value: weight for category, weight in interests.weights.items()},
            [FeedbackEvent("traveller", place_id, EventKind.LIKE, now) for place_id in liked],
        )
        features = self.features(history, context=conditions)
        probability = 1.0 / (1.0 + np.exp(-(features @ self.weights + self.intercept)))
        scores = []
        for index, place in enumerate(self.catalogue.places):
            prior = score_place(place, interests, conditions)
            collaborative = float(max(features[index, 2], features[index, 3]))
            reasons = list(prior.reasons)
            if liked and collaborative >= 0.7:
                reasons.insert(1, Message("reason.liked_by_similar"))
            scores.append(
                PlaceScore(
                    place_id=place.id,
                    score=SCALE * float(probability[index]) * prior.context_factor,
                    interest=prior.interest,
                    popularity=prior.popularity,
                    context_factor=prior.context_factor,
                    reasons=tuple(reasons),
                    collaborative=collaborative,
                )
            )
        return scores

    # -- learning --------------------------------------------------------------------------------

    def fit(self, events: Sequence[FeedbackEvent], interests: Mapping[str, Mapping[str, float]]) -> PreferenceModel:
        """Learn the weights on held-out last days, then refit the factorisation on every event.

        Raises
        ------
        PreferenceModelError
            If no traveller has a held-out day to learn from.
        """
        training, labels = split_last_day(events)
        if not labels:
            raise PreferenceModelError("no traveller has two days of feedback: nothing to learn the weights from")
        interactions = build_interactions(training, self.place_ids)
        self.als = ImplicitALS(self.settings.als).fit(interactions)
        self.neighbourhood = ItemNeighbourhood(shrinkage=self.settings.neighbourhood_shrinkage).fit(interactions)
        by_user: dict[str, list[FeedbackEvent]] = {}
        for event in training:
            by_user.setdefault(event.user_id, []).append(event)
        rows: list[FloatArray] = []
        targets: list[FloatArray] = []
        position = {place_id: index for index, place_id in enumerate(self.place_ids)}
        for user_id, places in labels.items():
            history = TravellerHistory(interests.get(user_id, {}), by_user.get(user_id, []))
            seen = {position[e.place_id] for e in history.events if e.place_id in position}
            candidates = np.asarray([i for i in range(len(self.place_ids)) if i not in seen], dtype=np.int64)
            rows.append(self.features(history)[candidates])
            targets.append(np.isin(candidates, [position[p] for p in places if p in position]).astype(float))
        design, target = np.vstack(rows), np.concatenate(targets)
        # scikit-learn is imported on first fit: about 1.5 s that a server only scoring places never needs.
        from sklearn.linear_model import LogisticRegression  # noqa: PLC0415

        regression = LogisticRegression(C=self.settings.inverse_regularization, max_iter=1000)
        regression.fit(design, target)
        self.weights = np.asarray(regression.coef_[0], dtype=np.float64)
        self.intercept = float(regression.intercept_[0])
        everything = build_interactions(events, self.place_ids)
        self.als = ImplicitALS(self.settings.als).fit(everything)
        self.neighbourhood = ItemNeighbourhood(shrinkage=self.settings.neighbourhood_shrinkage).fit(everything)
        return self

    # -- files -----------------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        """One ``.npz`` (factors, weights, place ids, settings as JSON), written atomically."""
        target = Path(path)
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".npz", dir=target.parent)
        os.close(handle)
        try:
            save_npz(
                Path(temporary),
                {
                    "place_ids": np.asarray(self.place_ids, dtype=np.str_),
                    "place_factors": self.als.place_factors,
                    "similarity": self.neighbourhood.similarity.astype(np.float32),
                    "weights": self.weights,
                    "intercept": np.asarray(self.intercept),
                    "settings": np.asarray(json.dumps(asdict(self.settings))),
                    "features": np.asarray(FEATURES, dtype=np.str_),
                },
            )
            Path(temporary).replace(target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path, catalogue: Catalogue) -> PreferenceModel:
        """Read a model written by :meth:`save` for this catalogue.

        Raises
        ------
        PreferenceModelError
            If the file is missing or corrupt, or its places are not the catalogue's.
        """
        with read_npz(path, what="preference model", error=PreferenceModelError) as record:
            place_ids = record.strings("place_ids")
            settings_json = json.loads(record.text("settings"))
            factors = record.array("place_factors", dtype=np.float64)
            similarity = record.array("similarity", dtype=np.float64)
            weights = record.array("weights", dtype=np.float64)
            intercept = record.number("intercept")
        model = cls(
            catalogue,
            PreferenceSettings(
                als=ALSSettings(**settings_json["als"]),
                inverse_regularization=settings_json["inverse_regularization"],
                use_collaborative=settings_json["use_collaborative"],
                neighbourhood_shrinkage=settings_json["neighbourhood_shrinkage"],
            ),
        )
        if place_ids != model.place_ids:
            raise PreferenceModelError(f"{path}: the model was trained on another catalogue; retrain it")
        if weights.shape != (len(FEATURES),) or factors.shape[0] != len(place_ids):
            raise PreferenceModelError(f"{path}: arrays have the wrong shape")
        model.weights, model.intercept = weights, intercept
        if similarity.shape != (len(place_ids), len(place_ids)):
            raise PreferenceModelError(f"{path}: the similarity matrix has the wrong shape")
        model.als.place_factors = factors
        model.neighbourhood.similarity = similarity
        return model


def _unit(values: FloatArray) -> FloatArray:
    """Scale to 0..1 (all zeros when constant)."""
    spread = float(values.max() - values.min()) if values.size else 0.0
    return (values - values.min()) / spread if spread > 0 else np.zeros_like(values)
