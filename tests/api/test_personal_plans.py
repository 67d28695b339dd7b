"""Feedback feeds the next plan: with a learnt model, a signed-in traveller's likes steer POST /v1/plans."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from recommender.city import City
from recommender.feedback import SyntheticSettings, synthetic_events
from recommender.preference import PreferenceModel
from tests.api.conftest import ClientFactory, bus_day, sign_in

pytestmark = pytest.mark.slow
BODY = bus_day(date="2026-11-24", interests={"heritage": 0.8, "cuisine": 0.6, "craft_village": 0.3})
LIKED = ("bat-trang-ceramic-village", "van-phuc-silk-village")


@pytest.fixture(scope="module")
def model_path(city: City, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A learnt model fitted on the SYNTHETIC feedback log, saved as `heritage experiment` saves its best."""
    log = synthetic_events(city.catalogue, SyntheticSettings(users=300, seed=3))
    path = tmp_path_factory.mktemp("model") / "best_model.npz"
    PreferenceModel(city.catalogue).fit(log.events, log.interests).save(path)
    return path


def _craft_villages(client: TestClient, headers: dict[str, str] | None = None) -> list[str]:
    response = client.post("/v1/plans", json=BODY, headers=headers or {})
    assert response.status_code == 200, response.text
    itinerary: dict[str, Any] = response.json()["itinerary"]
    return [
        visit["place_id"]
        for day in itinerary["days"]
        for visit in day["visits"]
        if "craft_village" in visit["categories"]
    ]


def _like(client: TestClient, headers: dict[str, str], place_ids: tuple[str, ...]) -> None:
    now = dt.datetime.now(tz=dt.UTC).isoformat()
    events = [
        {"event_id": f"like-{place_id}", "kind": "like", "place_id": place_id, "occurred_at": now}
        for place_id in place_ids
    ]
    response = client.post("/v1/feedback", json={"events": events}, headers=headers)
    assert response.status_code == 200, response.text


def test_liking_two_craft_villages_puts_one_in_the_next_plan(make_client: ClientFactory, model_path: Path) -> None:
    with make_client(preference_model_path=model_path) as client:
        traveller = sign_in(client)
        before = _craft_villages(client, traveller)
        _like(client, traveller, LIKED)
        after = _craft_villages(client, traveller)
        assert len(after) > len(before), (before, after)
        assert _craft_villages(client) == before  # anonymous: no likes, the same plan (and its cache entry)


def test_without_a_model_likes_leave_the_plan_alone(make_client: ClientFactory) -> None:
    with make_client() as client:
        traveller = sign_in(client)
        before = _craft_villages(client, traveller)
        _like(client, traveller, LIKED)
        assert _craft_villages(client, traveller) == before


def test_a_bad_token_on_a_plan_is_refused(make_client: ClientFactory, model_path: Path) -> None:
    with make_client(preference_model_path=model_path) as client:
        response = client.post("/v1/plans", json=BODY, headers={"Authorization": "Bearer not.a.jwt"})
        assert response.status_code == 401
        assert response.headers["content-type"].startswith("application/problem+json")


def test_an_unreadable_model_stops_the_service_from_starting(make_client: ClientFactory, tmp_path: Path) -> None:
    broken = tmp_path / "best_model.npz"
    broken.write_bytes(b"not a model")
    with pytest.raises(RuntimeError, match="HERITAGE_PREFERENCE_MODEL_PATH"), make_client(preference_model_path=broken):
        pass
