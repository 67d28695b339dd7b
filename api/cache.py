"""Response cache, rate-limit counters and locks: Redis when configured, else (or while Redis is down) in-process.

Every Redis call is guarded: an error marks the cache degraded for a few seconds and the request goes on with the
in-process store, so a Redis outage costs cache hits, never answers.
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import redis
import redis.asyncio

logger = logging.getLogger("api.cache")
RETRY_AFTER_ERROR_S = 2.0
"""After a Redis error, go straight to the in-process store for this long before trying Redis again."""


@dataclass(frozen=True)
class RateDecision:
    """The outcome of counting one request: allowed, and if not, when to retry."""

    allowed: bool
    count: int
    limit: int
    retry_after_s: int


@dataclass(frozen=True)
class SpendDecision:
    """The outcome of spending from a token bucket: allowed, and if not, when enough tokens will be back."""

    allowed: bool
    retry_after_s: int


SPEND_SCRIPT = """
local cost = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local rate = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local levels = {}
local wait = 0
for index, key in ipairs(KEYS) do
  local stored = redis.call('HMGET', key, 'tokens', 'at')
  local tokens = tonumber(stored[1]) or capacity
  local at = tonumber(stored[2]) or now
  tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
  levels[index] = tokens
  if tokens < cost then wait = math.max(wait, (cost - tokens) / rate) end
end
if wait > 0 then return {0, tostring(wait)} end
local ttl = math.ceil(capacity / rate) + 1
for index, key in ipairs(KEYS) do
  redis.call('HSET', key, 'tokens', tostring(levels[index] - cost), 'at', tostring(now))
  redis.call('EXPIRE', key, ttl)
end
return {1, '0'}
"""
"""Spend ``ARGV[1]`` tokens from every bucket in ``KEYS`` or from none (atomic: one script), refilled continuously."""


class MemoryStore:
    """A bounded LRU with expiry, fixed-window counters and per-key locks, for one process."""

    def __init__(self, *, max_items: int = 2048) -> None:
        self._items: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._counters: dict[str, tuple[float, int]] = {}
        self._locks: dict[str, float] = {}
        self._buckets: dict[str, tuple[float, float]] = {}
        self._max_items = max_items
        self._mutex = threading.Lock()

    def get(self, key: str) -> bytes | None:
        """The value, or None when missing or expired."""
        with self._mutex:
            item = self._items.get(key)
            if item is None:
                return None
            expires, value = item
            if expires < time.monotonic():
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return value

    def set(self, key: str, value: bytes, ttl_s: int) -> None:
        """Store ``value`` for ``ttl_s`` seconds, evicting the least recently used beyond the bound."""
        with self._mutex:
            self._items[key] = (time.monotonic() + ttl_s, value)
            self._items.move_to_end(key)
            while len(self._items) > self._max_items:
                self._items.popitem(last=False)

    def incr(self, key: str, window_s: int) -> tuple[int, int]:
        """Count one hit in the current window; return (count, seconds left in the window)."""
        now = time.monotonic()
        with self._mutex:
            start, count = self._counters.get(key, (now, 0))
            if now - start >= window_s:
                start, count = now, 0
            count += 1
            self._counters[key] = (start, count)
            if len(self._counters) > 100_000:
                self._counters = {k: v for k, v in self._counters.items() if now - v[0] < window_s}
            return count, max(1, int(start + window_s - now + 0.999))

    def spend(self, keys: list[str], cost: float, *, capacity: float, refill_per_s: float) -> SpendDecision:
        """Take ``cost`` tokens from every bucket of ``keys`` or from none (see :data:`SPEND_SCRIPT`)."""
        now = time.monotonic()
        with self._mutex:
            levels = []
            wait_s = 0.0
            for key in keys:
                tokens, at = self._buckets.get(key, (capacity, now))
                tokens = min(capacity, tokens + max(0.0, now - at) * refill_per_s)
                levels.append(tokens)
                if tokens < cost:
                    wait_s = max(wait_s, (cost - tokens) / refill_per_s)
            if wait_s > 0:
                return SpendDecision(allowed=False, retry_after_s=max(1, math.ceil(wait_s)))
            for key, tokens in zip(keys, levels, strict=True):
                self._buckets[key] = (tokens - cost, now)
            if len(self._buckets) > 100_000:
                full_s = capacity / refill_per_s
                self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < full_s}
            return SpendDecision(allowed=True, retry_after_s=0)

    def acquire(self, key: str, ttl_s: float) -> bool:
        """Take the lock ``key`` unless someone holds it."""
        now = time.monotonic()
        with self._mutex:
            if self._locks.get(key, 0.0) > now:
                return False
            self._locks[key] = now + ttl_s
            return True

    def release(self, key: str) -> None:
        """Release the lock ``key``."""
        with self._mutex:
            self._locks.pop(key, None)


class Cache:
    """The service's cache, limiter and lock service.

    Parameters
    ----------
    redis_url
        ``redis://host:port/db``, or None for the in-process store only.
    prefix
        Prepended to every Redis key (several services or tests can share one server).
    timeout_s
        Socket timeout of each Redis call; a dead server costs at most this long per request.
    """

    def __init__(self, redis_url: str | None, *, prefix: str = "heritage:", timeout_s: float = 0.25) -> None:
        self.prefix = prefix
        self.memory = MemoryStore()
        self._client: redis.Redis | None = None
        self._redis_url = redis_url
        self._timeout_s = timeout_s
        self._async: tuple[asyncio.AbstractEventLoop, redis.asyncio.Redis] | None = None
        if redis_url:
            self._client = redis.Redis.from_url(
                redis_url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s, health_check_interval=10
            )
        self._down_until = 0.0
        self._flights: dict[str, threading.Lock] = {}
        self._flights_mutex = threading.Lock()

    # --- state ---------------------------------------------------------------------------------------------------

    @property
    def backend(self) -> str:
        """``"redis"`` when configured, else ``"in-process"``."""
        return "redis" if self._client is not None else "in-process"

    def healthy(self) -> bool:
        """False when Redis is configured but does not answer a PING now."""
        if self._client is None:
            return True
        try:
            self._client.ping()
        except redis.RedisError:
            self._failed("ping")
            return False
        self._down_until = 0.0
        return True

    def _redis(self) -> redis.Redis | None:
        if self._client is None or time.monotonic() < self._down_until:
            return None
        return self._client

    def _async_redis(self) -> redis.asyncio.Redis | None:
        """The asyncio client of the running event loop (one per loop: tests run several), or None when down."""
        if self._redis_url is None or time.monotonic() < self._down_until:
            return None
        loop = asyncio.get_running_loop()
        if self._async is None or self._async[0] is not loop:
            client = redis.asyncio.Redis.from_url(
                self._redis_url, socket_timeout=self._timeout_s, socket_connect_timeout=self._timeout_s
            )
            self._async = (loop, client)
        return self._async[1]

    def _failed(self, what: str) -> None:
        if time.monotonic() >= self._down_until:
            logger.warning("redis unavailable (%s); using the in-process cache", what)
        self._down_until = time.monotonic() + RETRY_AFTER_ERROR_S

    # --- values --------------------------------------------------------------------------------------------------

    def get(self, key: str) -> bytes | None:
        """A cached value, or None."""
        client = self._redis()
        if client is not None:
            try:
                value = client.get(self.prefix + key)
            except redis.RedisError:
                self._failed("get")
            else:
                return value if isinstance(value, bytes) else None
        return self.memory.get(key)

    async def aget(self, key: str) -> bytes | None:
        """:meth:`get` without blocking the event loop (the fast path of a cache hit)."""
        client = self._async_redis()
        if client is not None:
            try:
                value = await client.get(self.prefix + key)
            except (redis.RedisError, OSError):
                self._failed("get")
            else:
                return value if isinstance(value, bytes) else None
        return self.memory.get(key)

    def set(self, key: str, value: bytes, ttl_s: int) -> None:
        """Cache ``value`` for ``ttl_s`` seconds."""
        client = self._redis()
        if client is not None:
            try:
                client.set(self.prefix + key, value, ex=ttl_s)
            except redis.RedisError:
                self._failed("set")
            else:
                return
        self.memory.set(key, value, ttl_s)

    def get_or_compute(
        self, key: str, compute: Callable[[], bytes], *, ttl_s: int, lock_ttl_s: float = 30.0, wait_s: float = 10.0
    ) -> tuple[bytes, bool]:
        """The cached value of ``key``, computing it at most once at a time (stampede protection).

        Within the process, concurrent callers of one key wait on a lock while the first computes; across
        processes, a short Redis lock (``SET NX PX``) makes the others poll for the value for up to ``wait_s``
        before computing it themselves.

        Returns
        -------
        (value, hit)
        """
        value = self.get(key)
        if value is not None:
            return value, True
        with self._flight(key):
            value = self.get(key)
            if value is not None:
                return value, True
            with self.lock("lock:" + key, ttl_s=lock_ttl_s) as owned:
                if not owned:
                    deadline = time.monotonic() + wait_s
                    while time.monotonic() < deadline:
                        time.sleep(0.02)
                        value = self.get(key)
                        if value is not None:
                            return value, True
                value = compute()
                self.set(key, value, ttl_s)
                return value, False

    @contextmanager
    def _flight(self, key: str) -> Iterator[None]:
        with self._flights_mutex:
            gate = self._flights.setdefault(key, threading.Lock())
        with gate:
            yield
        with self._flights_mutex:
            if not gate.locked():
                self._flights.pop(key, None)

    @contextmanager
    def lock(self, key: str, *, ttl_s: float) -> Iterator[bool]:
        """Try to take a lock shared by every process; yields whether this caller owns it."""
        token = uuid.uuid4().hex
        client = self._redis()
        owned: bool
        if client is not None:
            try:
                owned = bool(client.set(self.prefix + key, token, nx=True, px=int(ttl_s * 1000)))
            except redis.RedisError:
                self._failed("lock")
                client = None
                owned = self.memory.acquire(key, ttl_s)
        else:
            owned = self.memory.acquire(key, ttl_s)
        try:
            yield owned
        finally:
            if owned:
                self._release(client, key, token)

    def _release(self, client: redis.Redis | None, key: str, token: str) -> None:
        if client is None:
            self.memory.release(key)
            return
        try:
            # Delete only our own lock (it may have expired and been taken by another process).
            client.eval(
                "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0",
                1,
                self.prefix + key,
                token,
            )
        except redis.RedisError:
            self._failed("unlock")

    # --- rate limits ---------------------------------------------------------------------------------------------

    def hit(self, key: str, *, limit: int, window_s: int = 60) -> RateDecision:
        """Count one request against ``key``'s fixed window of ``window_s`` seconds."""
        client = self._redis()
        count: int | None = None
        left_s = window_s
        if client is not None:
            full = self.prefix + "rate:" + key
            try:
                pipe = client.pipeline()
                pipe.incr(full)
                pipe.expire(full, window_s, nx=True)
                pipe.ttl(full)
                results = pipe.execute()
                count, left_s = int(results[0]), max(1, int(results[2]))
            except redis.RedisError:
                self._failed("rate")
                count = None
        if count is None:
            count, left_s = self.memory.incr(key, window_s)
        return RateDecision(allowed=count <= limit, count=count, limit=limit, retry_after_s=left_s)

    async def admit(
        self, checks: list[tuple[str, int]], *, window_s: int = 60, lookup: str | None = None
    ) -> tuple[list[RateDecision], bytes | None]:
        """Count one request against each ``(key, limit)`` and fetch the cached value ``lookup``: one Redis round trip.

        The middleware's fast path: the rate limits and a cache hit cost a single pipelined call.
        """
        client = self._async_redis()
        if client is not None:
            try:
                pipe = client.pipeline()
                for key, _ in checks:
                    full = self.prefix + "rate:" + key
                    pipe.incr(full)
                    pipe.expire(full, window_s, nx=True)
                    pipe.ttl(full)
                if lookup is not None:
                    pipe.get(self.prefix + lookup)
                results = await pipe.execute()
            except (redis.RedisError, OSError):
                self._failed("rate")
            else:
                decisions = [
                    RateDecision(
                        allowed=int(results[3 * index]) <= limit,
                        count=int(results[3 * index]),
                        limit=limit,
                        retry_after_s=max(1, int(results[3 * index + 2])),
                    )
                    for index, (_, limit) in enumerate(checks)
                ]
                value = results[-1] if lookup is not None else None
                return decisions, value if isinstance(value, bytes) else None
        decisions = []
        for key, limit in checks:
            count, left_s = self.memory.incr(key, window_s)
            decisions.append(RateDecision(allowed=count <= limit, count=count, limit=limit, retry_after_s=left_s))
        return decisions, self.memory.get(lookup) if lookup is not None else None

    async def spend(self, keys: list[str], cost: float, *, capacity: float, refill_per_s: float) -> SpendDecision:
        """Take ``cost`` tokens from each client's bucket of ``keys`` (all or none): the cost budget of a request.

        A bucket holds at most ``capacity`` tokens and gains ``refill_per_s`` a second; a missing bucket is full.
        A cost above the capacity is spent as the whole capacity (a full bucket pays for any single request).
        Redis keeps the buckets (one atomic script) shared by every worker; while it is down, the process does.
        """
        cost = min(cost, capacity)
        client = self._async_redis()
        if client is not None:
            try:
                full = [self.prefix + "cost:" + key for key in keys]
                result = await client.eval(SPEND_SCRIPT, len(full), *full, str(cost), str(capacity), str(refill_per_s))
            except (redis.RedisError, OSError):
                self._failed("cost")
            else:
                allowed, wait_s = int(result[0]), float(result[1])
                return SpendDecision(allowed=bool(allowed), retry_after_s=0 if allowed else max(1, math.ceil(wait_s)))
        return self.memory.spend(keys, cost, capacity=capacity, refill_per_s=refill_per_s)

    async def aset(self, key: str, value: bytes, ttl_s: int) -> None:
        """:meth:`set` without blocking the event loop."""
        client = self._async_redis()
        if client is not None:
            try:
                await client.set(self.prefix + key, value, ex=ttl_s)
            except (redis.RedisError, OSError):
                self._failed("set")
            else:
                return
        self.memory.set(key, value, ttl_s)

    async def aclose(self) -> None:
        """Close the asyncio client's connections (at the end of the app's lifespan, on its event loop)."""
        if self._async is not None and self._async[0] is asyncio.get_running_loop():
            client, self._async = self._async[1], None
            try:
                await client.aclose()
            except (redis.RedisError, OSError):
                logger.debug("closing the asyncio Redis client failed", exc_info=True)

    def close(self) -> None:
        """Close the blocking client's Redis connections."""
        if self._client is not None:
            self._client.close()
