"""Feedback that cannot collide or lie: ids per account, places and itineraries checked, times in a sane window."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from api.store.models import FeedbackEvent
from tests.api.conftest import ClientFactory, sign_in


def _now(offset: dt.timedelta = dt.timedelta(0)) -> str:
    return (dt.datetime.now(tz=dt.timezone(dt.timedelta(hours=7))) + offset).isoformat()


def _event(event_id: str = "rating-0001", **changes: Any) -> dict[str, Any]:
    event = {"event_id": event_id, "kind": "rating", "rating": 5, "place_id": "temple-of-literature"}
    return event | {"occurred_at": _now()} | changes


def _send(client: TestClient, headers: dict[str, str], *events: dict[str, Any]) -> Any:
    return client.post("/v1/feedback", json={"events": list(events)}, headers=headers)


def _stored(client: TestClient) -> list[tuple[str, str]]:
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        query = select(FeedbackEvent.user_id, FeedbackEvent.event_id)
        return sorted((str(user), str(event)) for user, event in session.execute(query))


def test_two_accounts_sending_the_same_event_id_both_have_it_stored(
    database_url: str, make_client: ClientFactory
) -> None:
    with make_client(database_url=database_url) as client:
        alice, bob = sign_in(client), sign_in(client)
        first = _send(client, alice, _event())
        second = _send(client, bob, _event(place_id="hoan-kiem-lake"))
        again = _send(client, bob, _event(place_id="hoan-kiem-lake"))
        assert first.status_code == second.status_code == again.status_code == 200, second.text
        assert first.json() == second.json() == again.json() == {"acknowledged": ["rating-0001"]}
        stored = _stored(client)
        assert len(stored) == 2
        assert {event for _, event in stored} == {"rating-0001"}


def test_an_unknown_place_is_a_422_with_suggestions_and_nothing_is_stored(make_client: ClientFactory) -> None:
    with make_client() as client:
        headers = sign_in(client)
        response = _send(client, headers, _event("good-0001"), _event("bad-00001", place_id="temple-of-literatur"))
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("application/problem+json")
        error = response.json()["errors"][0]
        assert error["field"] == "events.1.place_id"
        assert "temple-of-literature" in error["suggestions"]
        assert _stored(client) == []


def test_itinerary_ids_are_checked_unknown_is_422_and_another_accounts_is_404(make_client: ClientFactory) -> None:
    with make_client() as client:
        alice, bob = sign_in(client), sign_in(client)
        saved = client.post("/v1/itineraries", json={"title": "A's day", "plan": {"days": []}}, headers=alice)
        itinerary_id = saved.json()["id"]
        assert _send(client, alice, _event(itinerary_id=itinerary_id)).status_code == 200
        unknown = _send(client, alice, _event("visit-0002", itinerary_id="00000000-0000-4000-8000-000000000000"))
        assert unknown.status_code == 422
        assert unknown.json()["errors"][0]["field"] == "events.0.itinerary_id"
        foreign = _send(client, bob, _event(itinerary_id=itinerary_id))
        assert foreign.status_code == 404
        assert foreign.json()["type"].endswith("itinerary-not-found")
        assert [event for _, event in _stored(client)] == ["rating-0001"]


def test_times_must_be_in_a_sane_window_with_an_offset(make_client: ClientFactory) -> None:
    with make_client() as client:
        headers = sign_in(client)
        cases = {
            "2099-01-01T10:00:00+07:00": "future",
            _now(dt.timedelta(days=2)): "future",
            _now(-dt.timedelta(days=400)): "year",
            "2026-11-24T10:00:00": "timezone",
        }
        for occurred_at, words in cases.items():
            response = _send(client, headers, _event(occurred_at=occurred_at))
            assert response.status_code == 422, occurred_at
            error = response.json()["errors"][0]
            assert error["field"] == "events.0.occurred_at"
            assert words in error["detail"], error
        assert _send(client, headers, _event(occurred_at=_now(dt.timedelta(hours=20)))).status_code == 200
        assert _send(client, headers, _event("old-00001", occurred_at=_now(-dt.timedelta(days=300)))).status_code == 200


def test_an_unknown_field_is_named_with_a_suggestion(make_client: ClientFactory) -> None:
    with make_client() as client:
        response = _send(client, sign_in(client), _event(raiting=5))
        assert response.status_code == 422
        error = response.json()["errors"][0]
        assert error["field"] == "events.0.raiting"
        assert "did you mean 'rating'" in error["detail"]
