"""The synthetic log, the interaction matrix, implicit ALS, the learnt blend and the Hanoi evaluation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from scipy.sparse import csr_matrix

from recommender.catalogue import DEFAULT_CATALOGUE_PATH, Catalogue, load_catalogue
from recommender.collaborative import ALSSettings, ImplicitALS
from recommender.evaluation import evaluate_ranking
from recommender.feedback import (
    EventKind,
    FeedbackError,
    FeedbackEvent,
    SyntheticSettings,
    build_interactions,
    read_events,
    synthetic_events,
    write_events,
)
from recommender.feedback.interactions import Interactions
from recommender.feedback.synthetic import SyntheticLog
from recommender.preference import PreferenceModel, PreferenceModelError
from recommender.scoring import Interests

AT = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(DEFAULT_CATALOGUE_PATH)


@pytest.fixture(scope="module")
def log(catalogue: Catalogue) -> SyntheticLog:
    return synthetic_events(catalogue, SyntheticSettings(users=300, seed=3))


def test_the_synthetic_log_is_deterministic_marked_and_plausible(catalogue: Catalogue, log: SyntheticLog) -> None:
    again = synthetic_events(catalogue, SyntheticSettings(users=300, seed=3))
    assert [e.to_json() for e in again.events[:50]] == [e.to_json() for e in log.events[:50]]
    assert all(event.synthetic for event in log.events)
    ids = {place.id for place in catalogue.places}
    assert all(event.place_id in ids for event in log.events)
    # Personas show in what they visit: food lovers visit food places more than history buffs do.
    food = {p.id for p in catalogue.places if "cuisine" in {c.value for c in p.categories}}
    share = {}
    for persona in ("food lover", "history buff"):
        users = {u for u, name in log.persona.items() if name == persona}
        visits = [e for e in log.events if e.user_id in users and e.kind is EventKind.VISIT]
        share[persona] = sum(e.place_id in food for e in visits) / len(visits)
    assert share["food lover"] > share["history buff"] + 0.15


def test_event_log_round_trip_and_errors(tmp_path: Path) -> None:
    events = [
        FeedbackEvent("u1", "hoan-kiem-lake", EventKind.VISIT, AT),
        FeedbackEvent("u1", "hoan-kiem-lake", EventKind.RATING, AT, value=4.5),
    ]
    path = tmp_path / "log.jsonl"
    write_events(path, events)
    assert read_events(path) == events
    path.write_text('{"user_id": "u1", "place_id": "x", "kind": "rating", "value": 9, "at": "2026-11-24T09:00:00"}\n')
    with pytest.raises(FeedbackError, match=r"log.jsonl:1: a rating must be 1\.\.5"):
        read_events(path)
    path.write_text("not json\n")
    with pytest.raises(FeedbackError, match=r"log\.jsonl:1"):
        read_events(path)
    with pytest.raises(FeedbackError, match="cannot read"):
        read_events(tmp_path / "missing.jsonl")


def test_interactions_sum_evidence_and_skips_are_negative() -> None:
    events = [
        FeedbackEvent("u1", "a", EventKind.VISIT, AT),
        FeedbackEvent("u1", "a", EventKind.LIKE, AT),
        FeedbackEvent("u1", "b", EventKind.SKIP, AT),
        FeedbackEvent("u2", "b", EventKind.RATING, AT, value=5.0),
        FeedbackEvent("u2", "zzz", EventKind.VISIT, AT),  # not in the catalogue: ignored
    ]
    matrix = build_interactions(events, ["a", "b"])
    assert matrix.strength.toarray().tolist() == [[3.0, -1.0], [0.0, 1.5]]
    preference, confidence = matrix.preference_and_confidence(alpha=2.0)
    assert preference.toarray().tolist() == [[1.0, 0.0], [0.0, 1.0]]
    assert confidence.toarray().tolist() == [[6.0, 2.0], [0.0, 3.0]]


def test_als_recovers_a_block_structure() -> None:
    # Two groups of users, each liking its own half of the places: a new user who likes one place of a
    # half must get the rest of that half ranked above the other half.
    rows, cols = [], []
    for user in range(40):
        half = range(5) if user < 20 else range(5, 10)
        for place in half:
            rows.append(user)
            cols.append(place)
    strength = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(40, 10))
    interactions = Interactions(tuple(str(u) for u in range(40)), tuple(str(p) for p in range(10)), strength)
    model = ImplicitALS(ALSSettings(factors=4, iterations=8)).fit(interactions)
    scores = model.scores(model.fold_in({6: 1.0}))
    assert scores[[5, 7, 8, 9]].min() > scores[:5].max()


def test_the_learnt_blend_beats_popularity_and_content_on_held_out_days(
    catalogue: Catalogue, log: SyntheticLog
) -> None:
    metrics = evaluate_ranking(catalogue, log.events, log.interests, seed=1)
    assert metrics.travellers > 20
    assert metrics.ndcg["learnt"] > metrics.ndcg["popularity"]
    assert metrics.ndcg["learnt"] > metrics.ndcg["content"]
    assert set(metrics.weights) == {"interest", "popularity", "collaborative", "neighbourhood"}


def test_model_save_load_and_scores_with_reasons(catalogue: Catalogue, log: SyntheticLog, tmp_path: Path) -> None:
    model = PreferenceModel(catalogue).fit(log.events, log.interests)
    path = tmp_path / "model.npz"
    model.save(path)
    loaded = PreferenceModel.load(path, catalogue)
    interests = Interests.parse({"craft_village": 1.0})
    first = model.place_scores(interests, liked=("bat-trang-ceramic-village",))
    second = loaded.place_scores(interests, liked=("bat-trang-ceramic-village",))
    assert [s.score for s in first] == pytest.approx([s.score for s in second])
    assert all(s.collaborative is not None for s in first)
    best = max(first, key=lambda s: s.score)
    assert "craft village" in " ".join(best.reasons)
    path.write_bytes(b"corrupt")
    with pytest.raises(PreferenceModelError, match="cannot read the preference model"):
        PreferenceModel.load(path, catalogue)


def test_a_log_without_second_days_cannot_teach_weights(catalogue: Catalogue) -> None:
    events = [FeedbackEvent("u1", "hoan-kiem-lake", EventKind.VISIT, AT)]
    with pytest.raises(PreferenceModelError, match="two days"):
        PreferenceModel(catalogue).fit(events, {})
