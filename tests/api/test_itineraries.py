"""Saved itineraries that stay valid: typed plans, strict edits re-timed by the planner, summaries, RFC 3339 times."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.app import create_app
from api.settings import Settings
from api.store.db import make_engine, migrate
from recommender.city import City
from tests.api.conftest import ClientFactory, bus_day, sign_in
from tests.api.test_store import _migrate_to

pytestmark = pytest.mark.slow
DAY = bus_day(interests={"heritage": 1.0, "cuisine": 0.6})
WEEK = DAY | {"days": 7, "window": "08:00-21:00", "interests": {"heritage": 1.0, "cuisine": 0.6, "craft_village": 0.4}}
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


@pytest.fixture(scope="module")
def plans(city: City, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """A one-day and a seven-day plan (each asked once: the week takes seconds)."""
    settings = Settings(sqlite_path=tmp_path_factory.mktemp("plans") / "p.sqlite3", database_url=None, redis_url=None)
    answers: dict[str, dict[str, Any]] = {}
    with TestClient(create_app(city=city, settings=settings)) as client:
        for name, body in (("day", DAY), ("week", WEEK)):
            response = client.post("/v1/plans", json=body)
            assert response.status_code == 200, response.text
            answers[name] = response.json()["itinerary"]
    return answers


@pytest.fixture
def client(make_client: ClientFactory) -> Iterator[TestClient]:
    """The app on a fresh SQLite file."""
    with make_client() as test_client:
        yield test_client


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    return body


def _save(client: TestClient, headers: dict[str, str], plan: dict[str, Any], request: Any = None) -> dict[str, Any]:
    body = {"title": "Heritage and food", "plan": plan} | ({"request": request} if request else {})
    response = client.post("/v1/itineraries", json=body, headers=headers)
    assert response.status_code == 201, response.text
    saved: dict[str, Any] = response.json()
    return saved


def test_a_plan_that_is_not_a_plan_and_unknown_fields_are_422(client: TestClient) -> None:
    headers = sign_in(client)
    junk = client.post("/v1/itineraries", json={"title": "x", "plan": {"anything": [1, 2, 3]}}, headers=headers)
    assert _problem(junk, 422)["errors"][0]["field"] == "plan.anything"
    typo = client.post("/v1/itineraries", json={"titel": "x", "plan": {}}, headers=headers)
    fields = {error["field"]: error["detail"] for error in _problem(typo, 422)["errors"]}
    assert "did you mean 'title'" in fields["titel"]
    saved = _save(client, headers, {"days": []})
    path = f"/v1/itineraries/{saved['id']}"
    patch_typo = _problem(client.patch(path, json={"titel": "x"}, headers=headers), 422)
    assert patch_typo["errors"][0]["field"] == "titel"
    assert "did you mean 'title'" in patch_typo["errors"][0]["detail"]
    assert _problem(client.patch(path, json={"plan": {"foo": 1}}, headers=headers), 422)["errors"][0]["field"] == (
        "plan.foo"
    )
    day_without_legs = {"days": [{"day": 1, "visits": []}]}
    _problem(client.patch(path, json={"plan": day_without_legs}, headers=headers), 422)
    assert client.get(path, headers=headers).json()["plan"] == {"days": []}


def test_timestamps_are_rfc3339_with_an_offset_everywhere(client: TestClient) -> None:
    headers = sign_in(client)
    saved = _save(client, headers, {"days": []})
    got = client.get(f"/v1/itineraries/{saved['id']}", headers=headers).json()
    listed = client.get("/v1/me/itineraries", headers=headers).json()["items"][0]
    patched = client.patch(f"/v1/itineraries/{saved['id']}", json={"notes": "water"}, headers=headers).json()
    for answer in (saved, got, listed, patched):
        for name in ("created_at", "updated_at"):
            assert RFC3339.match(answer[name]), (name, answer[name])
    assert saved["created_at"] == got["created_at"] == listed["created_at"] == patched["created_at"]
    created = dt.datetime.fromisoformat(saved["created_at"])
    assert created.utcoffset() == dt.timedelta(0)


def test_a_seven_day_plan_saves_and_reads_back_equal_and_lists_as_a_summary(
    database_url: str, plans: dict[str, dict[str, Any]], make_client: ClientFactory
) -> None:
    week = plans["week"]
    with make_client(database_url=database_url) as client:
        headers = sign_in(client)
        saved = _save(client, headers, week, WEEK)
        again = client.get(f"/v1/itineraries/{saved['id']}", headers=headers).json()
        assert again["plan"] == week
        assert again["request"]["days"] == 7
        assert again["legacy"] is False
        listing = client.get("/v1/me/itineraries", headers=headers)
        item = listing.json()["items"][0]
        assert "plan" not in item
        assert item["days"] == 7
        assert item["visit_count"] == sum(len(day["visits"]) for day in week["days"])
        assert item["first_place"]["place_id"] == week["days"][0]["visits"][0]["place_id"]
        assert (item["first_date"], item["last_date"]) == ("2026-12-08", "2026-12-14")
        assert item["thumbnail"]
        assert len(listing.content) < 2_000


def test_removing_a_visit_re_times_the_day(client: TestClient, plans: dict[str, dict[str, Any]]) -> None:
    headers = sign_in(client)
    day = plans["day"]
    saved = _save(client, headers, day, DAY)
    visits = day["days"][0]["visits"]
    assert len(visits) >= 3
    kept = [visit for index, visit in enumerate(visits) if index != 1]
    edit = {"days": [{"day": 1, "visits": [{"place_id": visit["place_id"]} for visit in kept]}]}
    response = client.patch(f"/v1/itineraries/{saved['id']}", json=edit, headers=headers)
    assert response.status_code == 200, response.text
    new_day = response.json()["plan"]["days"][0]
    assert [visit["place_id"] for visit in new_day["visits"]] == [visit["place_id"] for visit in kept]
    assert len(new_day["legs"]) == len(kept) + 1
    assert new_day["totals"]["visits"] == len(kept)
    # The visit after the removed one is reached from the one before it now: a new leg, and no later than before.
    assert new_day["legs"][1] != day["days"][0]["legs"][1]
    assert new_day["visits"][1]["start"] <= visits[2]["start"]
    assert response.json()["plan"]["totals"]["visits"] == len(kept)
    assert client.get(f"/v1/itineraries/{saved['id']}", headers=headers).json()["plan"] == response.json()["plan"]


def test_reordering_and_setting_a_time_re_time_and_an_unfitting_visit_is_named(
    client: TestClient, plans: dict[str, dict[str, Any]]
) -> None:
    headers = sign_in(client)
    day = plans["day"]
    saved = _save(client, headers, day, DAY)
    path = f"/v1/itineraries/{saved['id']}"
    ids = [visit["place_id"] for visit in day["days"][0]["visits"]]
    closed = [{"place_id": "temple-of-literature", "start": "07:00"}, *({"place_id": i} for i in ids)]
    refused = _problem(client.patch(path, json={"days": [{"day": 1, "visits": closed}]}, headers=headers), 422)
    assert refused["errors"][0]["field"] == "days.0.visits.0"
    assert refused["errors"][0]["place_id"] == "temple-of-literature"
    assert "07:00" in refused["detail"]
    typo = [{"place_id": "temple-of-literatur"}]
    unknown = _problem(client.patch(path, json={"days": [{"day": 1, "visits": typo}]}, headers=headers), 422)
    assert "temple-of-literature" in unknown["errors"][0]["suggestions"]
    later = [{"place_id": "hoan-kiem-lake", "start": "10:30", "duration_min": 50}]  # open 24/7
    moved = client.patch(path, json={"days": [{"day": 1, "visits": later}], "title": "Late start"}, headers=headers)
    assert moved.status_code == 200, moved.text
    assert moved.json()["title"] == "Late start"
    assert [(visit["start"], visit["end"]) for visit in moved.json()["plan"]["days"][0]["visits"]] == [
        ("10:30", "11:20")
    ]
    unchanged = client.get(path, headers=headers).json()
    assert unchanged["plan"]["days"][0]["visits"][0]["start"] == "10:30"


def test_edits_need_the_plan_request(client: TestClient, plans: dict[str, dict[str, Any]]) -> None:
    headers = sign_in(client)
    saved = _save(client, headers, plans["day"])
    path = f"/v1/itineraries/{saved['id']}"
    visits = [{"place_id": visit["place_id"]} for visit in plans["day"]["days"][0]["visits"][:2]]
    edit = {"days": [{"day": 1, "visits": visits}]}
    assert _problem(client.patch(path, json=edit, headers=headers), 422)["errors"][0]["field"] == "request"
    response = client.patch(path, json=edit | {"request": DAY}, headers=headers)
    assert response.status_code == 200, response.text
    assert len(response.json()["plan"]["days"][0]["visits"]) == 2


def test_old_plans_that_no_longer_validate_stay_readable_as_legacy(tmp_path: Path, make_client: ClientFactory) -> None:
    path = tmp_path / "old.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    _migrate_to(engine, "0003")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO users (id, created_at) VALUES ('u-old', '2026-11-24 03:00:00')"))
    engine.dispose()
    with make_client(sqlite_path=path) as client:
        headers = sign_in(client)
        with client.app.state.sessions() as session:  # type: ignore[attr-defined]
            user_id = session.execute(text("SELECT id FROM users WHERE id != 'u-old'")).scalar_one()
            for item_id, body in (("old-bad", '{"foo": 1}'), ("old-good", '{"days": []}')):
                session.execute(
                    text(
                        "INSERT INTO itineraries (id, owner_id, title, notes, body, plan_format, created_at, "
                        "updated_at) VALUES (:id, :owner, 'Old', '', :body, 'unchecked', :at, :at)"
                    ),
                    {"id": item_id, "owner": user_id, "body": body, "at": "2026-11-24 03:00:00.000000"},
                )
            session.commit()
        bad = client.get("/v1/itineraries/old-bad", headers=headers).json()
        assert (bad["legacy"], bad["plan"], bad["legacy_plan"]) == (True, None, '{"foo": 1}')
        assert bad["created_at"] == "2026-11-24T03:00:00Z"
        good = client.get("/v1/itineraries/old-good", headers=headers).json()
        assert (good["legacy"], good["plan"]) == (False, {"days": []})
        listed = {
            item["id"]: item["legacy"] for item in client.get("/v1/me/itineraries", headers=headers).json()["items"]
        }
        assert listed == {"old-bad": True, "old-good": False}
        with client.app.state.sessions() as session:  # type: ignore[attr-defined]
            formats = dict(session.execute(text("SELECT id, plan_format FROM itineraries")).all())
        assert formats == {"old-bad": "legacy", "old-good": "checked"}
    migrate(make_engine(f"sqlite:///{path}"))  # idempotent on the migrated file
