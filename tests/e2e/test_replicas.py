"""Two `heritage serve` replicas behind the real nginx (deploy/nginx/heritage.conf), one killed with SIGKILL mid-load.

The replicas share one PostgreSQL database (created for the test, dropped after) and one Redis (a key prefix of the
test's own). Client threads send a bounded mix of walks, plans and saves with an Idempotency-Key; after a third of
the requests one replica is killed. What "no request lost" means here, precisely:

* a walk (GET) or a plan (POST /v1/plans, which nginx retries: deploy/nginx/heritage.conf) gets a final answer
  from the proxy, and that answer is 200; the client never retries them;
* a save is acknowledged (201, or 200 for a replay) on its first try, or, when the proxy answered 5xx because its
  replica died with it, on a retry by the client with the same Idempotency-Key (at most three tries);
* every acknowledged save is stored exactly once (one row per key in the database) and no other row exists.

Also: both replicas answered plans while both were up (``X-Served-By``), and nginx did pass requests on from the
dead replica to the live one (its access log), so the retry path was taken, not only configured.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
import pytest
import redis

from api.city import current_spec
from api.settings import get_settings
from bench.replicas import Proxy, Replica, nginx_path, wait_ready
from recommender.city import build_city
from tests.api.conftest import fresh_postgres_database
from tests.conftest import POSTGRES_HOST, POSTGRES_PORT, REDIS_HOST, REDIS_PORT, server_reachable

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]
CLIENTS = 6
ROUNDS = 8
"""Each client sends ROUNDS x (one walk, one plan, one save): 144 requests in all."""
KILL_AFTER = CLIENTS * ROUNDS
"""Answers received before one replica is killed (a third of them)."""
SAVE_TRIES = 3
REDIS_DB = 13
ADMIN_URL = f"postgresql://postgres@{POSTGRES_HOST}:{POSTGRES_PORT}/postgres"
PLACES = ("temple-of-literature", "hoa-lo-prison", "one-pillar-pagoda", "st-josephs-cathedral", "hoan-kiem-lake")


def _nginx_or_skip() -> str:
    binary = nginx_path()
    if binary is None:
        message = (
            "TWO-REPLICA TEST SKIPPED: nginx is not installed (/usr/sbin/nginx or on PATH). Run `make nginx` "
            "(apt-get install -y nginx, as root), then run tests/e2e/test_replicas.py again."
        )
        warnings.warn(message, stacklevel=2)
        pytest.skip(message)
    for host, port, name in ((POSTGRES_HOST, POSTGRES_PORT, "PostgreSQL"), (REDIS_HOST, REDIS_PORT, "Redis")):
        if not server_reachable(host, port):
            pytest.skip(f"{name} at {host}:{port} not reachable")
    return binary


@dataclass
class Deployment:
    """The proxy's URL, the two replicas and the database they share."""

    url: str
    replicas: list[Replica]
    proxy: Proxy
    database_url: str


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[Deployment]:
    """nginx in front of replicas ``a`` and ``b`` on one fresh PostgreSQL database and one Redis key prefix."""
    binary = _nginx_or_skip()
    settings = get_settings()
    build_city(current_spec(settings), settings.bundle_dir)  # no-op when the bundle exists
    prefix = f"test-replicas:{uuid.uuid4().hex[:8]}:"
    with fresh_postgres_database(ADMIN_URL) as database_url:
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}",
            "HERITAGE_REDIS_PREFIX": prefix,
            "HERITAGE_TRUSTED_PROXIES": '["127.0.0.1"]',
            "HERITAGE_RATE_LIMIT_IP_PER_MIN": "100000",
            "HERITAGE_RATE_LIMIT_TOKEN_PER_MIN": "100000",
            "HERITAGE_COST_BUDGET_TOKENS": "1000000",
        }
        replicas = [Replica(name, workdir=tmp_path, env=env) for name in ("a", "b")]
        proxy = Proxy([replica.port for replica in replicas], workdir=tmp_path, binary=binary)
        try:
            for replica in replicas:
                replica.launch()
            wait_ready(replicas)
            proxy.start()
            yield Deployment(f"http://127.0.0.1:{proxy.port}", replicas, proxy, database_url)
        finally:
            proxy.stop()
            for replica in replicas:
                replica.stop()
            client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB)
            keys = list(client.scan_iter(match=prefix + "*", count=1000))
            if keys:
                client.delete(*keys)
            client.close()


@dataclass
class Outcome:
    """What the clients saw."""

    answers: list[tuple[str, int, str, bool]] = field(default_factory=list)
    """(kind, status, X-Served-By, sent before the kill) of every final answer of a walk or plan."""
    saved: dict[str, list[int]] = field(default_factory=dict)
    """Idempotency-Key -> the statuses of its tries, in order."""
    lock: threading.Lock = field(default_factory=threading.Lock)
    count: int = 0
    killed: threading.Event = field(default_factory=threading.Event)
    enough: threading.Event = field(default_factory=threading.Event)

    def record(self, kind: str, response: httpx.Response, before_kill: bool) -> None:
        with self.lock:
            self.answers.append((kind, response.status_code, response.headers.get("x-served-by", ""), before_kill))
            self._counted()

    def record_save(self, key: str, statuses: list[int]) -> None:
        with self.lock:
            self.saved[key] = statuses
            self._counted()

    def _counted(self) -> None:
        self.count += 1
        if self.count >= KILL_AFTER:
            self.enough.set()


def _save(client: httpx.Client, headers: dict[str, str], title: str) -> tuple[str, list[int]]:
    """One save with a fresh Idempotency-Key, retried with the same key while the proxy answers 5xx."""
    key = uuid.uuid4().hex
    statuses = []
    for _ in range(SAVE_TRIES):
        response = client.post(
            "/v1/itineraries",
            json={"title": title, "plan": {"days": []}},
            headers={**headers, "Idempotency-Key": key},
        )
        statuses.append(response.status_code)
        if response.status_code < 500:
            break
        time.sleep(0.5)
    return key, statuses


def _client_loop(url: str, index: int, outcome: Outcome) -> None:
    with httpx.Client(base_url=url, timeout=60) as client:
        token = client.post("/v1/auth/device", json={"device_name": f"client {index}"}).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        for round_ in range(ROUNDS):
            seed = index * 100 + round_
            before = not outcome.killed.is_set()
            walk = client.get(
                "/v1/routes",
                params={"from": PLACES[seed % len(PLACES)], "to": PLACES[(seed + 1 + index % 4) % len(PLACES)]},
            )
            outcome.record("walk", walk, before)
            before = not outcome.killed.is_set()
            body = {
                "start": PLACES[seed % len(PLACES)],
                "date": f"2026-12-{1 + seed % 28:02d}",
                "window": "09:00-14:00",
                "interests": {"heritage": 0.9, "cuisine": 0.3},
                "seed": seed,
            }
            outcome.record("plan", client.post("/v1/plans", json=body), before)
            outcome.record_save(*_save(client, headers, f"day {seed}"))


def _stored_keys(database_url: str) -> dict[str, int]:
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as connection:
        rows = connection.execute("SELECT idempotency_key, count(*) FROM itineraries GROUP BY idempotency_key")
        return {str(key): int(count) for key, count in rows}


def test_a_replica_killed_under_load_loses_no_request(deployment: Deployment) -> None:
    outcome = Outcome()
    victim, survivor = deployment.replicas
    with ThreadPoolExecutor(CLIENTS) as pool:
        futures = [pool.submit(_client_loop, deployment.url, index, outcome) for index in range(CLIENTS)]
        while not outcome.enough.wait(timeout=0.2):
            for future in futures:
                if future.done():
                    future.result()  # a client that failed before the kill: its error, not a timeout
        victim.kill()
        outcome.killed.set()
        for future in futures:
            future.result()

    assert len(outcome.answers) == 2 * CLIENTS * ROUNDS
    lost = [(kind, status) for kind, status, _, _ in outcome.answers if status != 200]
    assert not lost, f"walks or plans without a 200 answer: {lost}"
    planners_before = {served_by for kind, _, served_by, before in outcome.answers if kind == "plan" and before}
    assert planners_before == {"a", "b"}, "both replicas take plans while both are up"
    after = {served_by for _, _, served_by, before in outcome.answers if not before}
    assert after == {"b"}, "after the kill only the live replica answers"

    assert len(outcome.saved) == CLIENTS * ROUNDS
    unacknowledged = {key: statuses for key, statuses in outcome.saved.items() if statuses[-1] not in {200, 201}}
    assert not unacknowledged, f"saves never acknowledged: {unacknowledged}"
    stored = _stored_keys(deployment.database_url)
    assert stored == dict.fromkeys(outcome.saved, 1), "every acknowledged save is stored exactly once, nothing else"

    passed_on = [line for line in deployment.proxy.access_log() if ", " in line.split("upstream=", 1)[1]]
    assert passed_on, "nginx passed at least one request on from the dead replica to the live one"
    assert survivor.process is not None
    assert survivor.process.poll() is None
