"""Commune editors on SQLite and PostgreSQL (issue 17): an editor's change of their own unit is pending until a
moderator approves it, then live; another unit's is refused (403) and its revisions never found (404); a traveller
changes nothing; every proposal and decision is in the log; bad input is problem+json naming the field."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.store import communes as store
from recommender.communes.text import STORY_MAX_CHARS
from tests.api.conftest import ClientFactory
from tests.recommender.test_lunar import sample_event

pytestmark = pytest.mark.slow
UNIT = "xa-bat-trang"
OTHER = "xa-dong-anh"


@pytest.fixture
def client(make_client: ClientFactory, database_url: str) -> Iterator[TestClient]:
    with make_client(database_url=database_url) as test_client:
        yield test_client


def _account(client: TestClient, role: str | None = None, unit: str | None = None) -> dict[str, str]:
    answer = client.post("/v1/auth/device", json={"device_name": "phone"})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    if role is not None:
        with client.app.state.sessions() as session:  # type: ignore[attr-defined]
            store.grant(session, user_id=body["user_id"], role=role, unit_id=unit)  # type: ignore[arg-type]
    return {"Authorization": f"Bearer {body['access_token']}"}


def _story(**fields: Any) -> dict[str, Any]:
    return {
        "story": {
            "status": "verified",
            "product_en": "Bát Tràng ceramics, told by the commune",
            "product_vi": "Gốm Bát Tràng, do xã kể",
            "history_en": "Potters have worked the Red River clay here for centuries.",
            "history_vi": "Thợ gốm làm đất sét sông Hồng ở đây từ nhiều thế kỷ.",
            "visit_en": "Throw a pot at a workshop.",
            "visit_vi": "Tự nặn gốm tại xưởng.",
            "items": [
                {"kind": "craft", "name_en": "Ceramics", "name_vi": "Gốm", "place_id": "bat-trang-ceramic-village"}
            ],
            "sources": ["https://en.wikipedia.org/wiki/B%C3%A1t_Tr%C3%A0ng_porcelain"],
            **fields,
        }
    }


def _problem(answer: Any, status: int, slug: str) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = answer.json()
    assert body["type"].endswith("/" + slug)
    return body


def test_an_editors_change_is_pending_until_approved_then_live_and_logged(client: TestClient) -> None:
    editor = _account(client, "editor", UNIT)
    moderator = _account(client, "moderator")
    before = client.get(f"/v1/communes/{UNIT}").json()["story"]["product_en"]
    proposed = client.post(f"/v1/communes/{UNIT}/revisions", json=_story(), headers={**editor, "Idempotency-Key": "k1"})
    assert proposed.status_code == 201, proposed.text
    revision = proposed.json()
    assert revision["status"] == "pending"
    assert revision["story"]["product_en"] == "Bát Tràng ceramics, told by the commune"
    assert revision.get("event") is None
    replay = client.post(f"/v1/communes/{UNIT}/revisions", json=_story(), headers={**editor, "Idempotency-Key": "k1"})
    assert replay.status_code == 200
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == revision["id"]
    other_body = _story(visit_en="Something else.")
    reused = client.post(f"/v1/communes/{UNIT}/revisions", json=other_body, headers={**editor, "Idempotency-Key": "k1"})
    _problem(reused, 422, "idempotency-key-reused")
    assert client.get(f"/v1/communes/{UNIT}").json()["story"]["product_en"] == before  # pending: not live
    listed = {unit["id"]: unit for unit in client.get("/v1/communes").json()["communes"]}
    assert listed[UNIT]["product"] == before
    listed = client.get(f"/v1/communes/{UNIT}/revisions", headers=editor).json()["revisions"]
    assert [row["id"] for row in listed] == [revision["id"]]

    own_decision = client.post(
        f"/v1/communes/revisions/{revision['id']}/decision", json={"approve": True}, headers=editor
    )
    _problem(own_decision, 403, "not-an-editor")
    approved = client.post(
        f"/v1/communes/revisions/{revision['id']}/decision", json={"approve": True}, headers=moderator
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    live = client.get(f"/v1/communes/{UNIT}").json()
    assert live["story"]["product_en"] == "Bát Tràng ceramics, told by the commune"
    listed = {unit["id"]: unit for unit in client.get("/v1/communes").json()["communes"]}
    assert listed[UNIT]["product"] == "Bát Tràng ceramics, told by the commune"

    log = client.get(f"/v1/communes/{UNIT}/changes", headers=editor).json()["changes"]
    assert [(line["action"], line["revision_id"]) for line in log] == [
        ("propose", revision["id"]),
        ("approve", revision["id"]),
    ]
    assert log[0]["actor_id"] == revision["author_id"]
    assert log[1]["actor_id"] != revision["author_id"]
    assert all(line["at"].endswith(("+00:00", "Z")) for line in log)


def test_an_editor_of_one_unit_cannot_touch_another(client: TestClient) -> None:
    editor = _account(client, "editor", OTHER)
    owner = _account(client, "editor", UNIT)
    theirs = client.post(f"/v1/communes/{UNIT}/revisions", json=_story(), headers=owner).json()
    refused = _problem(
        client.post(f"/v1/communes/{UNIT}/revisions", json=_story(), headers=editor), 403, "not-an-editor"
    )
    assert theirs["id"] not in refused["detail"]
    _problem(client.get(f"/v1/communes/{UNIT}/revisions", headers=editor), 403, "not-an-editor")
    _problem(client.get(f"/v1/communes/{UNIT}/changes", headers=editor), 403, "not-an-editor")
    unknown = client.post("/v1/communes/revisions/no-such-id/decision", json={"approve": True}, headers=editor)
    hidden = client.post(f"/v1/communes/revisions/{theirs['id']}/decision", json={"approve": True}, headers=editor)
    assert _problem(hidden, 404, "revision-not-found")["title"] == _problem(unknown, 404, "revision-not-found")["title"]
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        assert [row.id for row in store.revisions(session, UNIT)] == [theirs["id"]]
        assert store.revisions(session, OTHER) == []


def test_a_traveller_changes_nothing(client: TestClient) -> None:
    traveller = _account(client)
    _problem(client.post(f"/v1/communes/{UNIT}/revisions", json=_story(), headers=traveller), 403, "not-an-editor")
    _problem(client.post(f"/v1/communes/{UNIT}/revisions", json=_story()), 401, "unauthorized")
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        assert store.revisions(session, UNIT) == []
        assert store.changes(session, UNIT) == []


def _event(**fields: Any) -> dict[str, Any]:
    place = {"place_id": "bat-trang-ceramic-village", "ward": UNIT, "id": "bat-trang-pottery-fair", "kind": "market"}
    return {"event": sample_event(**{**place, **fields})}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_event(end={"month": 1, "day": 2}), "end"),
        (_event(start={"month": 3, "day": 30}, end={"month": 3, "day": 30}), "start"),
        (_story(history_en="x" * (STORY_MAX_CHARS + 1)), "history_en"),
        (_story(history_vi="Làng gốm <script>alert('x')</script>"), "history_vi"),
        (_story(visit_en='<a href="javascript:alert(1)">go</a>'), "visit_en"),
        (_event(ward=OTHER), "event.ward"),
        (_event(place_id="co-loa-citadel"), "event.place_id"),
    ],
)
def test_bad_input_is_a_problem_naming_the_field(client: TestClient, body: dict[str, Any], field: str) -> None:
    editor = _account(client, "editor", UNIT)
    answer = client.post(f"/v1/communes/{UNIT}/revisions", json=body, headers=editor)
    problem = _problem(answer, 422, "invalid-request")
    assert field in answer.text, problem
    assert "<script>" not in answer.text  # refused input is not echoed as markup
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        assert store.revisions(session, UNIT) == []
