"""The cost budget of a request (issue 14, finding 5): bounded isochrones, normalised cache keys, limits by cost."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.cache import MemoryStore
from tests.api.conftest import ClientFactory

ROUTE = {"from": "hoan-kiem-lake", "to": "temple-of-literature"}
POINTS = ["21.0285,105.8542", "21.0300,105.8480", "21.0330,105.8500", "21.0250,105.8450"]


@contextmanager
def other_client(client: TestClient, host: str = "10.0.0.2") -> Iterator[TestClient]:
    """A second client, from another address, of the app ``client`` already runs."""
    yield TestClient(client.app, client=(host, 50000))


@pytest.mark.parametrize(("mode", "minutes", "limit"), [("bus", 31, "30"), ("bus", 120, "60"), ("walk", 61, "60")])
def test_isochrone_minutes_over_the_limit_are_a_422_naming_the_field_and_the_limit(
    client: TestClient, mode: str, minutes: int, limit: str
) -> None:
    response = client.get("/v1/isochrones", params={"at": "hoan-kiem-lake", "minutes": minutes, "mode": mode})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    text = response.text
    assert "minutes" in text
    assert limit in text


def test_the_limits_are_the_settings(make_client: ClientFactory) -> None:
    with make_client(isochrone_max_minutes_bus=10, isochrone_max_minutes_walk=20) as client:
        bus = client.get("/v1/isochrones", params={"at": "hoan-kiem-lake", "minutes": 11, "mode": "bus"})
        assert bus.status_code == 422
        assert "10" in bus.text
        walk = client.get("/v1/isochrones", params={"at": "hoan-kiem-lake", "minutes": 21})
        assert walk.status_code == 422
        assert "20" in walk.text
        assert client.get("/v1/isochrones", params={"at": "hoan-kiem-lake", "minutes": 5}).status_code == 200


def test_points_differing_in_the_fifth_decimal_share_one_cache_entry(client: TestClient) -> None:
    params: dict[str, Any] = {"minutes": 5, "mode": "walk"}
    first = client.get("/v1/isochrones", params={**params, "at": "21.02851,105.85421"})
    assert first.status_code == 200, first.text
    assert first.headers["x-cache"] == "miss"
    second = client.get("/v1/isochrones", params={**params, "at": "21.02849,105.85424"})
    assert second.status_code == 200
    assert second.headers["x-cache"] == "hit"
    assert second.content == first.content
    memory = client.app.state.cache.memory  # type: ignore[attr-defined]
    assert len([key for key in memory._items if key.startswith("iso:")]) == 1


def test_route_points_are_normalised_for_the_cache_too(client: TestClient) -> None:
    first = client.get("/v1/routes", params={"from": "21.02851,105.85421", "to": "temple-of-literature"})
    assert first.status_code == 200, first.text
    second = client.get("/v1/routes", params={"from": "21.02849,105.85424", "to": "temple-of-literature"})
    assert second.headers["x-cache"] == "hit"


def test_an_uncached_isochrone_costs_by_its_minutes_and_mode() -> None:
    # Imported here so that the file collects on the code before issue 14 (bench/abuse_before_after.py).
    from api.routers.journeys import isochrone_cost

    assert isochrone_cost(30, "bus") == 100
    assert isochrone_cost(60, "walk") == 100
    assert isochrone_cost(15, "bus") > isochrone_cost(15, "walk") >= 1
    assert isochrone_cost(0.1, "walk") == 1


def _refuses_a_burst(client: TestClient) -> None:
    from api.routers.journeys import (
        isochrone_cost,
    )  # here: see test_an_uncached_isochrone_costs_by_its_minutes_and_mode

    # A 10-minute bus isochrone costs 12 tokens: a bucket of 30 pays for two, then refuses.
    assert isochrone_cost(10, "bus") == 12
    statuses = []
    refused = None
    for point in POINTS:
        response = client.get("/v1/isochrones", params={"at": point, "minutes": 10, "mode": "bus"})
        statuses.append(response.status_code)
        if response.status_code == 429:
            refused = response
    assert statuses == [200, 200, 429, 429]
    assert refused is not None
    assert int(refused.headers["retry-after"]) >= 1
    problem = refused.json()
    assert problem["type"].endswith("/rate-limited")
    assert problem["status"] == 429
    # A cached answer still answers the same client (it spends nothing of the budget).
    again = client.get("/v1/isochrones", params={"at": POINTS[0], "minutes": 10, "mode": "bus"})
    assert again.status_code == 200
    assert again.headers["x-cache"] == "hit"
    with other_client(client) as other:
        route = other.get("/v1/routes", params=ROUTE)
        assert route.status_code == 200, route.text
        own = other.get("/v1/isochrones", params={"at": POINTS[3], "minutes": 10, "mode": "bus"})
        assert own.status_code == 200, own.text


def test_the_cost_budget_refuses_a_burst_of_uncached_isochrones_not_other_clients(
    make_client: ClientFactory, database_url: str
) -> None:
    with make_client(database_url=database_url, cost_budget_tokens=30, cost_refill_per_s=0.01) as client:
        _refuses_a_burst(client)


@pytest.mark.redis
def test_the_cost_budget_lives_in_redis(make_client: ClientFactory, redis_url: str, redis_prefix: str) -> None:
    with make_client(
        redis_url=redis_url, redis_prefix=redis_prefix, cost_budget_tokens=30, cost_refill_per_s=0.01
    ) as client:
        _refuses_a_burst(client)
        cache = client.app.state.cache  # type: ignore[attr-defined]
        assert cache.memory._buckets == {}


def test_the_memory_bucket_spends_from_every_key_or_none() -> None:
    store = MemoryStore()
    assert store.spend(["ip:a", "token:t"], 8, capacity=10, refill_per_s=0.001).allowed
    refused = store.spend(["ip:b", "token:t"], 8, capacity=10, refill_per_s=0.001)
    assert not refused.allowed
    assert refused.retry_after_s >= 1
    # The refusal took nothing from ip:b's bucket.
    assert store.spend(["ip:b"], 10, capacity=10, refill_per_s=0.001).allowed
