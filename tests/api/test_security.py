"""Safety of the public API: owners only, token expiry and refresh, tampered tokens, rate limits, bad bodies."""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from api.security import decode_token, issue_token
from api.settings import DEFAULT_SECRET, Settings
from recommender.city import City
from tests.api.conftest import ClientFactory, sign_in

PROBLEM = "application/problem+json"


def _save(client: TestClient, headers: dict[str, str]) -> str:
    response = client.post("/v1/itineraries", json={"title": "A's day", "plan": {"days": []}}, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _is_problem(response: object, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith(PROBLEM)  # type: ignore[attr-defined]
    body: dict[str, object] = response.json()  # type: ignore[attr-defined]
    assert body["status"] == status
    assert {"type", "title", "detail"} <= body.keys()
    return body


def test_user_b_cannot_read_change_or_delete_user_as_itinerary(client: TestClient) -> None:
    alice, bob = sign_in(client), sign_in(client)
    itinerary_id = _save(client, alice)
    _is_problem(client.get(f"/v1/itineraries/{itinerary_id}", headers=bob), 404)
    _is_problem(client.patch(f"/v1/itineraries/{itinerary_id}", json={"title": "mine now"}, headers=bob), 404)
    _is_problem(client.delete(f"/v1/itineraries/{itinerary_id}", headers=bob), 404)
    assert client.get("/v1/me/itineraries", headers=bob).json()["items"] == []
    kept = client.get(f"/v1/itineraries/{itinerary_id}", headers=alice)
    assert kept.status_code == 200
    assert kept.json()["title"] == "A's day"
    _is_problem(client.get(f"/v1/itineraries/{itinerary_id}"), 401)


def test_the_owner_can_change_and_delete(client: TestClient) -> None:
    alice = sign_in(client)
    itinerary_id = _save(client, alice)
    changed = client.patch(f"/v1/itineraries/{itinerary_id}", json={"notes": "bring water"}, headers=alice)
    assert changed.json()["notes"] == "bring water"
    assert client.delete(f"/v1/itineraries/{itinerary_id}", headers=alice).status_code == 204
    _is_problem(client.get(f"/v1/itineraries/{itinerary_id}", headers=alice), 404)


def test_access_tokens_expire_and_the_refresh_token_renews_them(make_client: ClientFactory) -> None:
    """Tokens minted at chosen past instants, so expiry is checked without sleeping on a shared clock."""
    with make_client(access_token_ttl_s=600) as client:
        settings: Settings = client.app.state.settings  # type: ignore[attr-defined]
        tokens = client.post("/v1/auth/device", json={}).json()
        assert tokens["expires_in"] == 600
        user_id = decode_token(settings, tokens["access_token"], "access")
        now = dt.datetime.now(tz=dt.UTC)

        def bearer(issued_s_ago: int) -> dict[str, str]:
            token = issue_token(settings, user_id, "access", now=now - dt.timedelta(seconds=issued_s_ago))
            return {"Authorization": f"Bearer {token}"}

        assert client.get("/v1/me/itineraries", headers=bearer(540)).status_code == 200
        expired = _is_problem(client.get("/v1/me/itineraries", headers=bearer(660)), 401)
        assert "expired" in str(expired["detail"])
        renewed = client.post("/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert renewed.status_code == 200
        fresh = {"Authorization": f"Bearer {renewed.json()['access_token']}"}
        assert client.get("/v1/me/itineraries", headers=fresh).status_code == 200


def test_tokens_of_the_wrong_kind_are_refused(client: TestClient) -> None:
    tokens = client.post("/v1/auth/device", json={}).json()
    as_access = {"Authorization": f"Bearer {tokens['refresh_token']}"}
    _is_problem(client.get("/v1/me/itineraries", headers=as_access), 401)
    _is_problem(client.post("/v1/auth/refresh", json={"refresh_token": tokens["access_token"]}), 401)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def test_a_tampered_jwt_is_rejected(client: TestClient) -> None:
    alice, bob_tokens = sign_in(client), client.post("/v1/auth/device", json={}).json()
    itinerary_id = _save(client, alice)
    header, payload, signature = bob_tokens["access_token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    alice_id = client.get(f"/v1/itineraries/{itinerary_id}", headers=alice).json()["id"]
    forged_claims = _b64(json.dumps({**claims, "sub": "someone-else", "exp": claims["exp"] + 10**6}).encode())
    flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    none_alg = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode()) + "." + payload + "."
    for token in (f"{header}.{forged_claims}.{signature}", f"{header}.{payload}.{flipped}", none_alg, "not.a.jwt"):
        body = _is_problem(client.get("/v1/me/itineraries", headers={"Authorization": f"Bearer {token}"}), 401)
        assert body["type"] == "https://heritage.example/problems/invalid-token"
    assert alice_id == itinerary_id


def test_a_token_signed_with_another_secret_is_rejected(make_client: ClientFactory, city: City) -> None:
    other = Settings(secret_key="another-secret-that-is-long-enough-for-hs256", database_url=None)
    token = issue_token(other, "00000000-0000-0000-0000-000000000000", "access")
    with make_client() as client:
        _is_problem(client.get("/v1/me/itineraries", headers={"Authorization": f"Bearer {token}"}), 401)


def test_the_per_address_rate_limit_answers_429_with_retry_after(make_client: ClientFactory) -> None:
    with make_client(rate_limit_ip_per_min=5) as client:
        statuses = [client.get("/v1/places", params={"limit": 1}).status_code for _ in range(5)]
        assert statuses == [200] * 5
        limited = client.get("/v1/places", params={"limit": 1})
        _is_problem(limited, 429)
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert client.get("/health").status_code == 200  # probes are never limited


def test_the_per_token_rate_limit_answers_429(make_client: ClientFactory) -> None:
    with make_client(rate_limit_token_per_min=3) as client:
        headers = sign_in(client)
        statuses = [client.get("/v1/me/itineraries", headers=headers).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        assert client.get("/v1/me/itineraries", headers=sign_in(client)).status_code == 200


def test_an_oversized_body_gets_413_problem_json(make_client: ClientFactory) -> None:
    with make_client(max_body_bytes=4096) as client:
        headers = sign_in(client)
        big = {"title": "big", "plan": {"blob": "x" * 10_000}}
        _is_problem(client.post("/v1/itineraries", json=big, headers=headers), 413)

        def chunks():  # no Content-Length: the limit is enforced while the body streams in
            for _ in range(10):
                yield b"x" * 1000

        streamed = client.post(
            "/v1/itineraries", content=chunks(), headers=headers | {"Content-Type": "application/json"}
        )
        _is_problem(streamed, 413)
        assert client.get("/v1/me/itineraries", headers=headers).json()["items"] == []


def test_a_malformed_body_gets_422_naming_the_field(client: TestClient) -> None:
    headers = sign_in(client)
    broken = client.post(
        "/v1/itineraries", content=b'{"title": "x", "plan": ', headers=headers | {"Content-Type": "application/json"}
    )
    body = _is_problem(broken, 422)
    assert body["errors"]
    wrong_type = client.post("/v1/itineraries", json={"title": "x", "plan": "not an object"}, headers=headers)
    body = _is_problem(wrong_type, 422)
    assert [error["field"] for error in body["errors"]] == ["plan"]  # type: ignore[attr-defined,index]
    assert body["errors"][0]["pointer"] == "/plan"  # type: ignore[index]
    rating = client.post(
        "/v1/feedback",
        json={
            "events": [
                {"event_id": "evt-00001", "kind": "rating", "place_id": "x", "occurred_at": "2026-11-24T10:00:00Z"}
            ]
        },
        headers=headers,
    )
    assert _is_problem(rating, 422)["errors"][0]["field"] == "events.0.rating"  # type: ignore[index]


def test_registration_login_and_an_upgraded_device_keeps_its_plans(client: TestClient) -> None:
    device = sign_in(client)
    itinerary_id = _save(client, device)
    registered = client.post(
        "/v1/auth/register", json={"email": "An@Example.org", "password": "correct horse"}, headers=device
    )
    assert registered.status_code == 201
    assert registered.json()["anonymous"] is False
    _is_problem(client.post("/v1/auth/register", json={"email": "an@example.org", "password": "another one"}), 409)
    _is_problem(client.post("/v1/auth/login", json={"email": "an@example.org", "password": "wrong pass"}), 401)
    login = client.post("/v1/auth/login", json={"email": "an@example.org", "password": "correct horse"})
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    assert client.get(f"/v1/itineraries/{itinerary_id}", headers=headers).status_code == 200


@pytest.mark.parametrize("environment", ["production", "test"])
def test_outside_development_the_app_refuses_a_default_or_weak_secret(city: City, environment: Any) -> None:
    settings = Settings(environment=environment, database_url=None)
    assert settings.secret_key.get_secret_value() == DEFAULT_SECRET
    with pytest.raises(RuntimeError, match="HERITAGE_SECRET_KEY is unset"):
        create_app(city=city, settings=settings)
    for weak in ("s" * 32, "a" * 16, "short-secret", "ab" * 20):
        with pytest.raises(RuntimeError, match="HERITAGE_SECRET_KEY is too") as refused:
            create_app(
                city=city, settings=Settings(environment=environment, secret_key=SecretStr(weak), database_url=None)
            )
        assert weak not in str(refused.value)
    strong = secrets.token_urlsafe(32)
    create_app(city=city, settings=Settings(environment=environment, secret_key=SecretStr(strong), database_url=None))


def test_a_refresh_token_works_once_and_its_reuse_signs_the_account_out(make_client: ClientFactory) -> None:
    with make_client(refresh_grace_s=0) as client:  # no grace window (test_abuse.py covers the window)
        _reuse_signs_out(client)


def test_within_the_grace_window_a_reused_refresh_token_answers_the_same_pair(client: TestClient) -> None:
    tokens = client.post("/v1/auth/device", json={}).json()
    first = client.post("/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    again = client.post("/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()


def _reuse_signs_out(client: TestClient) -> None:
    tokens = client.post("/v1/auth/device", json={}).json()
    first = client.post("/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert first.status_code == 200
    successor = first.json()["refresh_token"]
    assert successor != tokens["refresh_token"]
    reused = _is_problem(client.post("/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}), 401)
    assert "already used" in str(reused["detail"])
    # A copy of the old token was out there: the successor is revoked too, every session must sign in again.
    _is_problem(client.post("/v1/auth/refresh", json={"refresh_token": successor}), 401)


def test_logout_revokes_the_refresh_token_and_can_be_repeated(client: TestClient) -> None:
    tokens = client.post("/v1/auth/device", json={}).json()
    other_device = client.post("/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).json()
    assert client.post("/v1/auth/logout", json={"refresh_token": other_device["refresh_token"]}).status_code == 204
    assert client.post("/v1/auth/logout", json={"refresh_token": other_device["refresh_token"]}).status_code == 204
    revoked = _is_problem(client.post("/v1/auth/refresh", json={"refresh_token": other_device["refresh_token"]}), 401)
    assert "already used" in str(revoked["detail"])
    _is_problem(client.post("/v1/auth/logout", json={"refresh_token": tokens["access_token"]}), 401)  # wrong kind
