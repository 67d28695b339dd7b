"""Fixtures of the API suites: the real city (loaded once), apps on SQLite or PostgreSQL, Redis under a prefix."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from recommender.city import City
from tests.conftest import POSTGRES_HOST, POSTGRES_PORT, REDIS_HOST, REDIS_PORT, server_reachable

REDIS_TEST_DB = 13
ClientFactory = Callable[..., AbstractContextManager[TestClient]]


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The admin URL of the PostgreSQL server on 127.0.0.1:5432 (skips when not reachable)."""
    if not server_reachable(POSTGRES_HOST, POSTGRES_PORT):
        pytest.skip(f"PostgreSQL at {POSTGRES_HOST}:{POSTGRES_PORT} not reachable")
    url = f"postgresql://postgres@{POSTGRES_HOST}:{POSTGRES_PORT}/postgres"
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL at {POSTGRES_HOST}:{POSTGRES_PORT} not usable: {exc}")
    return url


@contextmanager
def fresh_postgres_database(admin_url: str) -> Iterator[str]:
    """A uniquely named database, dropped afterwards; yields its SQLAlchemy URL."""
    name = f"heritage_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.replace("postgresql://", "postgresql+psycopg://").rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a new database on the PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite3'}"
        return
    admin_url = request.getfixturevalue("postgres_server")
    with fresh_postgres_database(admin_url) as url:
        yield url


@pytest.fixture
def redis_url() -> Iterator[str]:
    """The Redis server on 127.0.0.1:6379, test DB 13 (skips when not reachable)."""
    if not server_reachable(REDIS_HOST, REDIS_PORT):
        pytest.skip(f"Redis at {REDIS_HOST}:{REDIS_PORT} not reachable")
    url = f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_TEST_DB}"
    try:
        redis.Redis.from_url(url, socket_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis at {REDIS_HOST}:{REDIS_PORT} not usable: {exc}")
    return url


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix no other run uses; every key under it is deleted afterwards."""
    prefix = f"heritage-test-{uuid.uuid4().hex[:10]}:"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=prefix + "*"))
    if keys:
        client.delete(*keys)
    client.close()


def local_settings(folder: Path, **overrides: Any) -> Settings:
    """Settings for an app on its own SQLite file in folder and the in-process cache, with overrides."""
    values: dict[str, Any] = {"sqlite_path": folder / "api.sqlite3", "database_url": None, "redis_url": None}
    return Settings(**{**values, **overrides})


@pytest.fixture
def make_client(city: City, tmp_path: Path) -> ClientFactory:
    """Start the app on the real city with settings overrides (SQLite under tmp_path unless a URL is given)."""

    @contextmanager
    def factory(**overrides: Any) -> Iterator[TestClient]:
        settings = local_settings(tmp_path, **{"log_json": True, **overrides})
        with TestClient(create_app(city=city, settings=settings)) as client:
            yield client

    return factory


@pytest.fixture
def client(make_client: ClientFactory) -> Iterator[TestClient]:
    """The app with default settings on a fresh SQLite file."""
    with make_client() as test_client:
        yield test_client


def sign_in(client: TestClient) -> dict[str, str]:
    """A new anonymous account; returns the Authorization header."""
    response = client.post("/v1/auth/device", json={"device_name": "test phone"})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def bus_day(**fields: Any) -> dict[str, Any]:
    """A plan request body: a day by bus from the Old Quarter, ``fields`` replacing or adding keys."""
    day: dict[str, Any] = {"start": "21.0313,105.8516", "date": "2026-12-08", "window": "09:00-18:00", "mode": "bus"}
    return day | fields
