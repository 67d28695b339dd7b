"""The cache, limiter and locks: in-process, and on the real Redis server (test DB, private key prefix)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
import redis

from api.cache import Cache


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(params=["in-process", pytest.param("redis", marks=pytest.mark.redis)])
def cache(request: pytest.FixtureRequest) -> Iterator[Cache]:
    if request.param == "in-process":
        yield Cache(None)
        return
    url = request.getfixturevalue("redis_url")
    prefix = request.getfixturevalue("redis_prefix")
    instance = Cache(url, prefix=prefix, timeout_s=2.0)
    yield instance
    instance.close()


def test_values_round_trip_and_expire_by_ttl(cache: Cache) -> None:
    assert cache.get("route:a") is None
    cache.set("route:a", b'{"x": 1}', ttl_s=60)
    assert cache.get("route:a") == b'{"x": 1}'
    assert cache.healthy()


def test_concurrent_misses_compute_once(cache: Cache) -> None:
    calls: list[int] = []
    calls_lock = threading.Lock()
    barrier = threading.Barrier(12)
    results: list[tuple[bytes, bool]] = []

    def compute() -> bytes:
        with calls_lock:
            calls.append(1)
        threading.Event().wait(0.2)  # a slow computation, so the others arrive while it runs
        return b"plan"

    def worker() -> None:
        barrier.wait()
        results.append(cache.get_or_compute("plan:key", compute, ttl_s=60))

    threads = [threading.Thread(target=worker) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert [value for value, _ in results] == [b"plan"] * 12
    assert sum(1 for _, hit in results if not hit) == 1


def test_the_rate_limit_counts_per_key_and_says_when_to_retry(cache: Cache) -> None:
    decisions = [cache.hit("ip:198.51.100.7", limit=3, window_s=60) for _ in range(5)]
    assert [d.allowed for d in decisions] == [True, True, True, False, False]
    assert 1 <= decisions[-1].retry_after_s <= 60
    assert cache.hit("ip:198.51.100.8", limit=3, window_s=60).allowed


def test_a_lock_has_one_owner_at_a_time(cache: Cache) -> None:
    with cache.lock("lock:x", ttl_s=10) as first, cache.lock("lock:x", ttl_s=10) as second:
        assert first
        assert not second
    with cache.lock("lock:x", ttl_s=10) as third:
        assert third


@pytest.mark.redis
def test_redis_keys_live_under_the_prefix(redis_url: str, redis_prefix: str) -> None:
    cache = Cache(redis_url, prefix=redis_prefix, timeout_s=2.0)
    cache.set("route:b", b"1", ttl_s=30)
    cache.hit("ip:x", limit=5)
    client = redis.Redis.from_url(redis_url)
    keys = {key.decode() for key in client.scan_iter(match=redis_prefix + "*")}
    assert keys == {redis_prefix + "route:b", redis_prefix + "rate:ip:x"}
    assert 0 < int(client.ttl(redis_prefix + "route:b")) <= 30
    client.close()
    cache.close()


def test_an_unreachable_redis_falls_back_to_the_process() -> None:
    cache = Cache(f"redis://127.0.0.1:{_closed_port()}/0", timeout_s=0.2)
    assert cache.backend == "redis"
    assert not cache.healthy()
    cache.set("k", b"v", ttl_s=60)
    assert cache.get("k") == b"v"
    assert cache.get_or_compute("k2", lambda: b"computed", ttl_s=60) == (b"computed", False)
    assert cache.hit("ip:y", limit=1).allowed
    assert not cache.hit("ip:y", limit=1).allowed
