"""Reproductions of issue 14's abuse findings (secrets, timeouts, metrics, the smaller ones), each kept as a test.

Where the store is involved a test runs on SQLite and on PostgreSQL (``database_url``). Tests about the server
itself (header limit, keep-alive, forwarded headers) run the real uvicorn with ``heritage serve``'s options on a free
loopback port.
"""

from __future__ import annotations

import http.client
import re
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError

from api.app import create_app
from api.security import issue_token
from api.settings import DEFAULT_SECRET, Settings
from recommender.city import City
from tests.api.conftest import ClientFactory, sign_in

PROBLEM = "application/problem+json"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served(app: FastAPI, settings: Settings) -> Iterator[int]:
    """``app`` behind a real uvicorn with ``heritage serve``'s options, on a free loopback port."""
    # Imported here, not at the top, so that the file collects on the code before issue 14 (which had no
    # server_options): bench/abuse_before_after.py runs these tests there.
    from cli.serve_command import server_options

    port = free_port()
    options = server_options(settings, host="127.0.0.1", port=port)
    server = uvicorn.Server(uvicorn.Config(app, **options, log_config=None, lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        assert thread.is_alive(), "the server stopped while starting"
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def _settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "sqlite_path": tmp_path / "abuse.sqlite3",
        "database_url": None,
        "redis_url": None,
        **overrides,
    }
    return Settings(**values)


# --- 1. public secret by default -----------------------------------------------------------------------------------


def test_a_token_forged_with_the_public_default_secret_opens_nothing_in_production(
    city: City, tmp_path: Path, database_url: str
) -> None:
    with pytest.raises(RuntimeError, match="HERITAGE_SECRET_KEY is unset"):
        create_app(city=city, settings=_settings(tmp_path, environment="production", database_url=database_url))
    strong = "Zq3" + "x7Kp-9vR_m2Lw8Yt4Nb6Hc1Jd5Fg0Se"
    settings = _settings(tmp_path, environment="production", secret_key=strong, database_url=database_url)
    with TestClient(create_app(city=city, settings=settings)) as client:
        headers = sign_in(client)
        assert client.get("/v1/me/itineraries", headers=headers).status_code == 200
        user_id = client.post("/v1/auth/device", json={}).json()["user_id"]
        forged = issue_token(Settings(database_url=None), user_id, "access")  # signed with DEFAULT_SECRET
        assert client.get("/v1/me/itineraries", headers={"Authorization": f"Bearer {forged}"}).status_code == 401


@pytest.mark.parametrize("weak", ["aaaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "hunter2-too-short"])
def test_a_weak_secret_is_refused_and_never_echoed(city: City, tmp_path: Path, weak: str) -> None:
    with pytest.raises(RuntimeError, match="HERITAGE_SECRET_KEY is too") as refused:
        create_app(city=city, settings=_settings(tmp_path, environment="production", secret_key=weak))
    assert weak not in str(refused.value)


def test_settings_errors_never_echo_the_value_given(monkeypatch: pytest.MonkeyPatch) -> None:
    secret_url = "postgresql://app:s3cr3t-password@db/heritage"
    monkeypatch.setenv("HERITAGE_PORT", secret_url)
    with pytest.raises(ValidationError) as refused:
        Settings()
    assert "s3cr3t" not in str(refused.value)
    monkeypatch.delenv("HERITAGE_PORT")
    assert DEFAULT_SECRET not in repr(Settings(database_url=None))


# --- 4. database timeouts (SQLite here; a hung PostgreSQL is in test_faults.py) ------------------------------------


def test_a_sqlite_write_blocked_by_a_held_lock_fails_with_503_after_the_configured_busy_timeout(
    make_client: ClientFactory, tmp_path: Path
) -> None:
    """The busy timeout comes from the settings (0.5 s here; before, every write waited 30 s)."""
    path = tmp_path / "locked.sqlite3"
    with make_client(sqlite_path=path, sqlite_busy_timeout_s=0.5) as client:
        headers = sign_in(client)
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another writer holds the write lock
        try:
            response = client.post("/v1/itineraries", json={"title": "t", "plan": {}}, headers=headers)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert response.status_code == 503, response.text
        assert response.headers["retry-after"]
        with client.app.state.engine.connect() as connection:  # the setting reached the connection (not a timing)
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 500
        saved = client.post("/v1/itineraries", json={"title": "t", "plan": {}}, headers=headers)
        assert saved.status_code == 201, saved.text


# --- 7. metrics cardinality -----------------------------------------------------------------------------------------


def _series(metrics: str) -> set[str]:
    return {line.split(" ")[0] for line in metrics.splitlines() if line.startswith("heritage_http_requests_total{")}


def test_early_answers_on_unknown_paths_add_no_metric_series(make_client: ClientFactory, database_url: str) -> None:
    with make_client(database_url=database_url, max_body_bytes=1024, rate_limit_ip_per_min=5) as client:
        before = _series(client.get("/metrics").text)
        big = b"x" * 2048
        for index in range(30):
            assert client.post(f"/nowhere/{index}", content=big).status_code == 413
        for index in range(30):
            client.get(f"/v1/nowhere-{index}")  # 404 first, then 429 once the address is over its limit
        assert client.get("/v1/places", params={"limit": 1}).status_code == 429
        after = _series(client.get("/metrics").text)
    added = after - before  # counters are process-wide: series of earlier tests are already there
    routes = {re.search(r'route="([^"]*)"', series).group(1) for series in added}  # type: ignore[union-attr]
    assert routes <= {"unmatched", "/v1/places", "/metrics"}, routes
    assert len(added) <= 6, added
    assert any('route="unmatched",status="413"' in series for series in after)
    assert any('route="unmatched",status="429"' in series for series in after)
    assert any('route="/v1/places",status="429"' in series for series in after)


# --- 8. the smaller ones --------------------------------------------------------------------------------------------


def test_a_huge_request_header_is_refused_by_the_server(city: City, tmp_path: Path) -> None:
    settings = _settings(tmp_path, max_header_bytes=16 * 1024)
    huge = 50 * 1024 * 1024  # the finding: a 50 MB header was read whole
    with served(create_app(city=city, settings=settings), settings) as port:
        connection = socket.create_connection(("127.0.0.1", port), timeout=10)
        sent = 0
        try:
            connection.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ")
            while sent < huge:
                connection.sendall(b"a" * 65536)
                sent += 65536
        except OSError:
            pass  # the server answered and closed the connection
        try:
            answer = connection.recv(4096)
        except OSError:
            answer = b""  # reset: the 431 was discarded with the unread header
        connection.close()
        assert sent < huge, "the server read a 50 MB header"
        if answer:
            assert answer.startswith(b"HTTP/1.1 431"), answer[:80]
        assert httpx.get(f"http://127.0.0.1:{port}/health", headers={"X-Small": "a" * 4000}).status_code == 200


def test_an_unhandled_500_keeps_the_connection_alive(city: City, tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    app = create_app(city=city, settings=settings)

    def explode() -> None:
        raise RuntimeError("boom")

    app.add_api_route("/test-only/explode", explode)
    with served(app, settings) as port:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/test-only/explode")
        failed = connection.getresponse()
        assert failed.status == 500
        assert failed.getheader("content-type", "").startswith(PROBLEM)
        failed.read()
        connection.request("GET", "/health")  # the same connection, as a client's next call
        answer = connection.getresponse()
        assert answer.status == 200
        answer.read()
        connection.close()


def test_forwarded_for_is_believed_only_from_configured_proxies(city: City, tmp_path: Path) -> None:
    settings = _settings(tmp_path, rate_limit_ip_per_min=3)
    with served(create_app(city=city, settings=settings), settings) as port:
        statuses = [
            httpx.get(f"http://127.0.0.1:{port}/v1/places?limit=1", headers={"X-Forwarded-For": f"203.0.113.{i}"})
            for i in range(5)
        ]
    assert [response.status_code for response in statuses] == [200, 200, 200, 429, 429]
    trusting = _settings(tmp_path, rate_limit_ip_per_min=3, trusted_proxies=["127.0.0.1/32"])
    with served(create_app(city=city, settings=trusting), trusting) as port:
        statuses = [
            httpx.get(
                f"http://127.0.0.1:{port}/v1/places?limit=1",
                headers={"X-Forwarded-For": f"198.51.100.7, 203.0.113.{i}"},  # a client-sent prefix is not trusted
            )
            for i in range(5)
        ]
        assert [response.status_code for response in statuses] == [200] * 5
        same = [
            httpx.get(f"http://127.0.0.1:{port}/v1/places?limit=1", headers={"X-Forwarded-For": f"{i}.1.1.1, 10.9.9.9"})
            for i in range(1, 5)
        ]
    # 10.9.9.9 is not a trusted proxy: it is the client, whatever it prepended.
    assert [response.status_code for response in same] == [200, 200, 200, 429]


class _CountingHasher(PasswordHasher):
    calls = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> Any:  # noqa: A002 - argon2's parameter name
        _CountingHasher.calls += 1
        return super().verify(hash, password)


def test_login_checks_a_password_hash_whether_or_not_the_account_exists(
    make_client: ClientFactory, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("api.security._hasher", _CountingHasher())
    with make_client(database_url=database_url) as client:
        created = client.post("/v1/auth/register", json={"email": "known@example.org", "password": "correct horse"})
        assert created.status_code == 201
        _CountingHasher.calls = 0
        unknown = client.post("/v1/auth/login", json={"email": "nobody@example.org", "password": "correct horse"})
        assert _CountingHasher.calls == 1, "no password hash was checked for an unknown account (a timing oracle)"
        wrong = client.post("/v1/auth/login", json={"email": "known@example.org", "password": "wrong horse"})
        assert _CountingHasher.calls == 2
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()


def test_parallel_refreshes_of_one_token_keep_the_user_signed_in(make_client: ClientFactory, database_url: str) -> None:
    with make_client(database_url=database_url) as client:
        for _ in range(5):
            tokens = client.post("/v1/auth/device", json={}).json()

            def refresh(token: str = tokens["refresh_token"]) -> Any:
                return client.post("/v1/auth/refresh", json={"refresh_token": token})

            with ThreadPoolExecutor(max_workers=2) as pool:
                answers = list(pool.map(lambda _: refresh(), range(2)))
            assert [answer.status_code for answer in answers] == [200, 200], [a.text for a in answers]
            pairs = {answer.json()["refresh_token"] for answer in answers}
            assert len(pairs) == 1, "two different pairs: one chain of refresh tokens per sign-in"
            successor = pairs.pop()
            renewed = client.post("/v1/auth/refresh", json={"refresh_token": successor})
            assert renewed.status_code == 200, renewed.text
            me = {"Authorization": f"Bearer {renewed.json()['access_token']}"}
            assert client.get("/v1/me/itineraries", headers=me).status_code == 200


def test_reuse_after_the_grace_window_or_a_logout_still_signs_the_account_out(
    make_client: ClientFactory, database_url: str
) -> None:
    with make_client(database_url=database_url, refresh_grace_s=1) as client:
        tokens = client.post("/v1/auth/device", json={}).json()
        first = client.post("/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).json()
        time.sleep(1.5)  # past the window
        reused = client.post("/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert reused.status_code == 401
        assert "already used" in reused.json()["detail"]
        assert client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}).status_code == 401

        tokens = client.post("/v1/auth/device", json={}).json()
        second = client.post("/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).json()
        assert client.post("/v1/auth/logout", json={"refresh_token": second["refresh_token"]}).status_code == 204
        replay = client.post("/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert replay.status_code == 401  # within the window, but its successor was signed out


def test_a_signed_in_plan_needs_no_database_without_a_learnt_model(
    make_client: ClientFactory, database_url: str
) -> None:
    def database_down() -> None:
        raise OperationalError("SELECT 1", {}, Exception("the database is down"))

    with make_client(database_url=database_url) as client:
        headers = sign_in(client)
        client.app.state.sessions = database_down  # type: ignore[attr-defined]
        body = {"start": "hoan-kiem-lake", "date": "2026-11-24", "window": "09:00-12:00", "interests": {"heritage": 1}}
        assert client.post("/v1/plans", json=body, headers=headers).status_code == 200
