"""Reproductions of issue 14's input findings (2, 3, 6 and parts of 8), each on SQLite and on PostgreSQL.

Text is checked once at the edge (:mod:`api.schemas.common`): no NUL, no lone surrogate, bounded nesting; dates are
bounded to 2000-01-01..2100-12-31; an Idempotency-Key reused with another body is a 422; operator proposals belong to
the key that made them; strict types where the schema says so; a 405 lists every method of the path.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.store import repositories
from tests.api.conftest import ClientFactory, sign_in

PROBLEM = "application/problem+json"
NUL = "\u0000"
SURROGATE = "\udfff"
LINE = {"interests": ["heritage"], "max_stops": 4, "evaluate": False}


@pytest.fixture
def store_client(make_client: ClientFactory, database_url: str) -> Iterator[TestClient]:
    """The app on a fresh SQLite file or PostgreSQL database."""
    with make_client(database_url=database_url) as client:
        yield client


def operator_key(client: TestClient, name: str = "operator") -> dict[str, str]:
    app: Any = client.app
    with app.state.sessions() as session:
        _, secret = repositories.create_api_key(session, name=name, scopes=("operator",))
    return {"X-API-Key": secret}


def raw_post(client: TestClient, path: str, body: Any, headers: dict[str, str] | None = None) -> Any:
    """POST ``body`` as JSON written by :func:`json.dumps` (which writes a lone surrogate as ``\\udfff``)."""
    return client.post(path, content=json.dumps(body), headers={"Content-Type": "application/json", **(headers or {})})


def refused(response: Any, field: str) -> dict[str, Any]:
    """The 422 problem naming ``field`` (its dotted path, or a path ending with it)."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    problem: dict[str, Any] = response.json()
    fields = [error["field"] for error in problem["errors"]]
    assert any(name == field or name.endswith("." + field) for name in fields), fields
    return problem


# --- finding 2: poison itineraries ----------------------------------------------------------------------------------


def nested(depth: int) -> Any:
    value: Any = 1.0
    for _ in range(depth):
        value = {"a": value}
    return value


@pytest.mark.parametrize("where", ["interests", "totals"])
def test_a_deeply_nested_plan_is_refused_and_the_list_stays_readable(store_client: TestClient, where: str) -> None:
    headers = sign_in(store_client)
    body = {"title": "deep", "plan": {where: nested(260)}}
    for _ in range(2):  # the retry with the same key is refused the same way
        response = raw_post(store_client, "/v1/itineraries", body, headers | {"Idempotency-Key": "deep-1"})
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"].startswith("plan.")
    saved = store_client.post("/v1/itineraries", json={"title": "t", "plan": {"days": []}}, headers=headers)
    assert saved.status_code == 201
    patched = raw_post(store_client, "/v1/itineraries", body, headers)
    assert patched.status_code == 422
    patch = store_client.patch(
        f"/v1/itineraries/{saved.json()['id']}",
        content=json.dumps({"plan": {where: nested(260)}}),
        headers=headers | {"Content-Type": "application/json"},
    )
    assert patch.status_code == 422
    listing = store_client.get("/v1/me/itineraries", headers=headers)
    assert listing.status_code == 200
    assert len(listing.json()["items"]) == 1


def test_a_json_body_nested_beyond_the_parser_is_a_422_not_a_500(store_client: TestClient) -> None:
    headers = sign_in(store_client)
    body = '{"title": "x", "plan": ' + "[" * 50_000 + "]" * 50_000 + "}"
    response = store_client.post(
        "/v1/itineraries", content=body, headers=headers | {"Content-Type": "application/json"}
    )
    assert response.status_code in {400, 413, 422}, response.text


@pytest.mark.parametrize(
    ("plan", "field"),
    [
        ({"warnings": ["fine", SURROGATE]}, "plan.warnings.1"),
        ({"interests": {SURROGATE: 1.0}}, "plan.interests"),
        ({"lang": "en", "warnings": ["a" + NUL]}, "plan.warnings.0"),
    ],
)
def test_a_plan_holding_a_lone_surrogate_or_nul_is_refused(
    store_client: TestClient, plan: dict[str, Any], field: str
) -> None:
    headers = sign_in(store_client)
    for _ in range(2):
        response = raw_post(
            store_client, "/v1/itineraries", {"title": "t", "plan": plan}, headers | {"Idempotency-Key": "poison"}
        )
        problem = refused(response, field)
        assert "character" in problem["detail"]
    saved = store_client.post("/v1/itineraries", json={"title": "t", "plan": {"days": []}}, headers=headers)
    patch = store_client.patch(
        f"/v1/itineraries/{saved.json()['id']}",
        content=json.dumps({"plan": plan}),
        headers=headers | {"Content-Type": "application/json"},
    )
    refused(patch, field.removeprefix("plan.") if False else field)
    listing = store_client.get("/v1/me/itineraries", headers=headers)
    assert listing.status_code == 200
    assert len(listing.json()["items"]) == 1


# --- finding 3: NUL bytes -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [NUL, SURROGATE])
def test_nul_and_lone_surrogates_in_text_fields_are_422_naming_the_field(store_client: TestClient, bad: str) -> None:
    refused(raw_post(store_client, "/v1/auth/device", {"device_name": f"phone{bad}"}), "device_name")
    refused(raw_post(store_client, "/v1/auth/login", {"email": f"a{bad}@b.org", "password": "x" * 10}), "email")
    refused(raw_post(store_client, "/v1/auth/login", {"email": "a@b.org", "password": f"x{bad}" * 5}), "password")
    headers = sign_in(store_client)
    refused(
        raw_post(store_client, "/v1/auth/register", {"email": f"a{bad}@b.org", "password": "x" * 10}, headers),
        "email",
    )
    refused(raw_post(store_client, "/v1/itineraries", {"title": f"t{bad}", "plan": {}}, headers), "title")
    refused(raw_post(store_client, "/v1/itineraries", {"title": "t", "notes": f"n{bad}", "plan": {}}, headers), "notes")
    event = {"event_id": "event-0001", "kind": "like", "place_id": f"x{bad}", "occurred_at": "2026-01-01T00:00:00Z"}
    refused(raw_post(store_client, "/v1/feedback", {"events": [event]}, headers), "events.0.place_id")
    plan = {"start": f"Hoan Kiem{bad}", "date": "2026-12-08", "interests": {"heritage": 1}}
    refused(raw_post(store_client, "/v1/plans", plan), "start")
    refused(
        raw_post(store_client, "/v1/operators/lines", LINE | {"name": f"L{bad}"}, operator_key(store_client)), "name"
    )


def test_nul_in_path_and_query_parameters_is_422(store_client: TestClient) -> None:
    headers = sign_in(store_client)
    for method in ("GET", "PATCH", "DELETE"):
        response = store_client.request(method, "/v1/itineraries/ab%00cd", headers=headers, json={"title": "x"})
        refused(response, "path.itinerary_id")
    key = operator_key(store_client)
    for suffix in ("", "/gtfs", "/geojson"):
        refused(store_client.get(f"/v1/operators/lines/ab%00cd{suffix}", headers=key), "path.line_id")
    refused(store_client.get("/v1/places/ab%00cd"), "path.place_id")
    refused(store_client.get("/v1/places", params={"q": "pho\x00"}), "query.q")
    refused(store_client.get("/v1/me/itineraries", params={"cursor": "a\x00"}, headers=headers), "query.cursor")


# --- finding 6: dates -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("open_at", ["9999-12-31T23:00:00-05:00", "0001-01-01T00:30:00+05:00", "1999-12-31T10:00:00"])
def test_open_at_out_of_range_is_422(store_client: TestClient, open_at: str) -> None:
    problem = refused(store_client.get("/v1/places", params={"open_at": open_at}), "query.open_at")
    assert "2000-01-01" in problem["detail"]


def test_open_at_in_range_still_filters(store_client: TestClient) -> None:
    response = store_client.get("/v1/places", params={"open_at": "2026-12-08T10:00:00+07:00"})
    assert response.status_code == 200
    assert response.json()["total"] > 0


@pytest.mark.parametrize(("date", "days"), [("9999-12-31", 7), ("0001-01-01", 1), ("2100-12-30", 3)])
def test_plan_dates_out_of_range_are_422(store_client: TestClient, date: str, days: int) -> None:
    body = {"start": "21.0313,105.8516", "date": date, "days": days, "interests": {"heritage": 1.0}}
    problem = refused(store_client.post("/v1/plans", json=body), "date")
    assert "2100-12-31" in problem["detail"]


def test_saved_plan_days_out_of_range_are_422(store_client: TestClient) -> None:
    headers = sign_in(store_client)
    day = {"day": 1, "date": "9999-12-31"}
    response = store_client.post("/v1/itineraries", json={"title": "t", "plan": {"days": [day]}}, headers=headers)
    refused(response, "plan.days.0.date")


# --- finding 8 (parts) ----------------------------------------------------------------------------------------------


def test_an_idempotency_key_reused_with_another_body_is_422(store_client: TestClient) -> None:
    headers = sign_in(store_client) | {"Idempotency-Key": "save-1"}
    first = store_client.post("/v1/itineraries", json={"title": "one", "plan": {"days": []}}, headers=headers)
    assert first.status_code == 201
    again = store_client.post("/v1/itineraries", json={"title": "one", "plan": {"days": []}}, headers=headers)
    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    other = store_client.post("/v1/itineraries", json={"title": "two", "plan": {"days": []}}, headers=headers)
    assert other.status_code == 422, other.text
    assert other.json()["type"].endswith("/idempotency-key-reused")
    listing = store_client.get("/v1/me/itineraries", headers=headers)
    assert [item["title"] for item in listing.json()["items"]] == ["one"]


def test_a_replay_after_an_edit_answers_the_first_save_and_another_body_is_still_422(store_client: TestClient) -> None:
    """Idempotency-Key draft: a repeat is compared with the first save (its fingerprint), not the edited row."""
    headers = sign_in(store_client) | {"Idempotency-Key": "save-then-edit"}
    save = {"title": "one", "notes": "first", "plan": {"days": []}}
    first = store_client.post("/v1/itineraries", json=save, headers=headers)
    assert first.status_code == 201, first.text
    itinerary = first.json()["id"]
    edited = store_client.patch(f"/v1/itineraries/{itinerary}", json={"title": "renamed"}, headers=headers)
    assert edited.status_code == 200, edited.text
    again = store_client.post("/v1/itineraries", json=save, headers=headers)
    assert again.status_code == 200, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == f"/v1/itineraries/{itinerary}"
    assert again.json() == first.json()
    for other in ({**save, "title": "renamed"}, {**save, "notes": "second"}):
        response = store_client.post("/v1/itineraries", json=other, headers=headers)
        assert response.status_code == 422, response.text
        assert response.json()["type"].endswith("/idempotency-key-reused")
    reordered = store_client.post(
        "/v1/itineraries", json={"plan": {"days": []}, "notes": "first", "title": "one"}, headers=headers
    )
    assert reordered.status_code == 200, reordered.text
    listing = store_client.get("/v1/me/itineraries", headers=headers).json()["items"]
    assert [(item["id"], item["title"]) for item in listing] == [(itinerary, "renamed")]


def test_operator_proposals_belong_to_the_key_that_made_them(store_client: TestClient) -> None:
    mine, theirs = operator_key(store_client, "mine"), operator_key(store_client, "theirs")
    created = store_client.post("/v1/operators/lines", json=LINE, headers=mine)
    assert created.status_code == 201, created.text
    line = created.json()["id"]
    for suffix in ("", "/gtfs", "/geojson"):
        assert store_client.get(f"/v1/operators/lines/{line}{suffix}", headers=mine).status_code == 200
        assert store_client.get(f"/v1/operators/lines/{line}{suffix}", headers=theirs).status_code == 404


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/feedback", {"events": [{"occurred_at": 0}]}, "events.0.occurred_at"),
        ("/v1/plans", {"seed": False}, "seed"),
        ("/v1/plans", {"days": True}, "days"),
        ("/v1/plans", {"days": "2"}, "days"),
        ("/v1/plans", {"children": "yes"}, "children"),
        ("/v1/plans", {"max_walk_leg_m": "500"}, "max_walk_leg_m"),
    ],
)
def test_lax_coercion_is_refused(store_client: TestClient, path: str, body: dict[str, Any], field: str) -> None:
    headers = sign_in(store_client)
    if path == "/v1/feedback":
        event = {"event_id": "event-0001", "kind": "like", "place_id": "temple-of-literature"}
        body = {"events": [event | body["events"][0]]}
    else:
        body = {"start": "21.0313,105.8516", "date": "2026-12-08", "interests": {"heritage": 1.0}} | body
    refused(store_client.post(path, json=body, headers=headers), field)


def test_a_405_on_an_itinerary_lists_every_method_of_the_path(store_client: TestClient) -> None:
    headers = sign_in(store_client)
    for method in ("POST", "PUT", "HEAD", "OPTIONS"):
        response = store_client.request(method, "/v1/itineraries/some-id", headers=headers)
        assert response.status_code == 405, method
        assert {part.strip() for part in response.headers["Allow"].split(",")} == {"GET", "PATCH", "DELETE"}
        if method != "HEAD":
            assert response.headers["content-type"].startswith(PROBLEM)


def test_unknown_query_parameters_and_empty_cursors_are_422(store_client: TestClient) -> None:
    headers = sign_in(store_client)
    problem = refused(store_client.get("/v1/me/itineraries", params={"limt": "5"}, headers=headers), "query.limt")
    assert "did you mean 'limit'" in problem["detail"]
    refused(store_client.get("/v1/places", params={"": "0"}), "query.")
    refused(store_client.get("/v1/me/itineraries", params={"cursor": ""}, headers=headers), "query.cursor")
    refused(store_client.get("/v1/places", params={"cursor": ""}), "query.cursor")
    assert store_client.get("/v1/places", params={"lang": "vi", "limit": "1"}).status_code == 200


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/routes", {"from": "hoan-kiem-lake", "to": "temple-of-literature"}),
        ("/v1/isochrones", {"at": "hoan-kiem-lake", "minutes": "5"}),
        ("/v1/bundle", {}),
        ("/health", {}),
        ("/ready", {}),
        ("/metrics", {}),
    ],
)
def test_every_router_refuses_unknown_query_parameters(
    store_client: TestClient, path: str, params: dict[str, str]
) -> None:
    """The journeys, bundle and health routers too: one mechanism (``api.errors.known_query``) on every router."""
    problem = refused(store_client.get(path, params={**params, "modee": "bus"}), "query.modee")
    if path in {"/v1/routes", "/v1/isochrones"}:
        assert "did you mean 'mode'" in problem["detail"]
    assert store_client.get(path, params={**params, "lang": "vi"}).status_code == 200


def test_every_operation_refuses_an_unknown_query_parameter(client: TestClient) -> None:
    """One mechanism for all (``api.errors.known_query``): every operation of the OpenAPI document, a new one too."""
    paths = client.app.openapi()["paths"]  # type: ignore[attr-defined]
    operations = [(method, path) for path, item in paths.items() for method in item if method != "parameters"]
    assert len(operations) >= 25
    accepted = []
    for method, path in operations:
        url = re.sub(r"\{[^}]+\}", "x", path)
        response = client.request(method.upper(), url, params={"zzunknown": "1"})
        if response.status_code != 422 or "query.zzunknown" not in response.text:
            accepted.append(f"{method.upper()} {path}: {response.status_code}")
    assert accepted == []


def test_the_refusals_are_written_in_vietnamese_too(store_client: TestClient) -> None:
    response = store_client.get("/v1/places", params={"open_at": "9999-12-31T23:00:00-05:00", "lang": "vi"})
    assert refused(response, "query.open_at")["detail"] == "query.open_at: phải là ngày từ 2000-01-01 đến 2100-12-31"
    response = raw_post(store_client, "/v1/auth/device?lang=vi", {"device_name": NUL})
    assert "ký tự NUL" in refused(response, "device_name")["detail"]
