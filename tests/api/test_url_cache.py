"""The middleware's URL cache of GET /v1/routes and /v1/isochrones: a hit skips the app, nothing else."""

from __future__ import annotations

import pytest
import redis
from fastapi.testclient import TestClient

from tests.api.conftest import ClientFactory

ROUTE = {"from": "hoan-kiem-lake", "to": "temple-of-literature"}


@pytest.mark.redis
def test_a_repeated_route_is_a_url_cache_hit_in_redis_with_etag(
    make_client: ClientFactory, redis_url: str, redis_prefix: str
) -> None:
    with make_client(redis_url=redis_url, redis_prefix=redis_prefix) as client:
        first = client.get("/v1/routes", params=ROUTE)
        assert first.status_code == 200
        assert first.headers["x-cache"] == "miss"
        again = client.get("/v1/routes", params=ROUTE)
        assert again.headers["x-cache"] == "hit"
        assert again.content == first.content
        assert again.headers["etag"] == first.headers["etag"]
        assert again.headers["content-type"] == "application/json"
        assert again.headers["x-request-id"]
        not_modified = client.get("/v1/routes", params=ROUTE, headers={"If-None-Match": first.headers["etag"]})
        assert not_modified.status_code == 304
        assert not_modified.content == b""
    server = redis.Redis.from_url(redis_url)
    assert len(server.keys(redis_prefix + "url:*")) == 1
    server.close()


def test_the_rate_limit_applies_to_url_cache_hits(make_client: ClientFactory) -> None:
    with make_client(rate_limit_ip_per_min=3) as client:
        statuses = [client.get("/v1/routes", params=ROUTE).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]


def test_the_url_cache_keeps_languages_and_errors_apart(client: TestClient) -> None:
    english = client.get("/v1/routes", params=ROUTE, headers={"Accept-Language": "en"})
    vietnamese = client.get("/v1/routes", params=ROUTE, headers={"Accept-Language": "vi"})
    assert english.json()["from_label"] == "Hoàn Kiếm Lake"
    assert vietnamese.json()["from_label"] != english.json()["from_label"]
    assert client.get("/v1/routes", params=ROUTE, headers={"Accept-Language": "vi"}).headers["x-cache"] == "hit"
    bad = {**ROUTE, "depart": "25:00"}
    assert client.get("/v1/routes", params=bad).status_code == 422
    assert client.get("/v1/routes", params=bad).status_code == 422
