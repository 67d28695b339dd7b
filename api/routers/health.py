"""Liveness, readiness and metrics.

``/health`` and ``/ready`` answer within ``HERITAGE_HEALTH_TIMEOUT_S`` (1 s) whatever the database does: the probe
runs on its own thread, one at a time (a hung database never piles up probes), and a probe that has not answered in
time counts as the database being down. Neither endpoint waits in the request thread pool, which a database outage
can fill with waiting writes.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future

from fastapi import APIRouter, Depends, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import Engine, text

from api.deps import CacheDep, CityDep
from api.errors import known_query, responses
from api.schemas import ComponentHealth, HealthResponse, ReadyResponse

router = APIRouter(tags=["health"], dependencies=[Depends(known_query)])


class DatabaseProbe:
    """``SELECT 1`` on its own daemon thread, one probe in flight at a time, awaited for a bounded time."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._running: Future[bool] | None = None

    def _start(self) -> Future[bool]:
        with self._lock:
            if self._running is None or self._running.done():
                future: Future[bool] = Future()
                threading.Thread(target=self._run, args=(future,), name="database-probe", daemon=True).start()
                self._running = future
            return self._running

    def _run(self, future: Future[bool]) -> None:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:  # any failure means "down"; the probe's job is to say so, not to raise
            future.set_result(False)
        else:
            future.set_result(True)  # never cancelled: waiters stop waiting with asyncio.wait, not by cancelling

    async def healthy(self, timeout_s: float) -> bool:
        """Whether the database answered within ``timeout_s`` (a probe still running from before is awaited)."""
        waiting = asyncio.wrap_future(self._start())
        done, _ = await asyncio.wait({waiting}, timeout=timeout_s)
        return bool(waiting.result()) if done else False


def _probe(request: Request) -> DatabaseProbe:
    state = request.app.state
    probe: DatabaseProbe | None = getattr(state, "database_probe", None)
    if probe is None or probe.engine is not state.engine:
        probe = DatabaseProbe(state.engine)
        state.database_probe = probe
    return probe


async def _database_ok(request: Request) -> bool:
    return await _probe(request).healthy(request.app.state.settings.health_timeout_s)


async def _cache_ok(cache: CacheDep) -> bool:
    """Redis's PING, bounded by its socket timeout, off the event loop."""
    return await asyncio.to_thread(cache.healthy)


@router.get("/health", responses=responses("invalid-request"))
async def health(request: Request, city: CityDep, cache: CacheDep) -> HealthResponse:
    """The service is up; ``degraded`` when Redis or the database does not answer (requests still work uncached).

    Answers within about one second (``HERITAGE_HEALTH_TIMEOUT_S``), even while the database hangs.
    """
    cache_ok, database_ok = await asyncio.gather(_cache_ok(cache), _database_ok(request))
    return HealthResponse(
        status="ok" if cache_ok and database_ok else "degraded",
        bundle=city.bundle.name,
        places=len(city.catalogue),
        cache="redis" if cache.backend == "redis" and cache_ok else "in-process",
        components={
            "cache": ComponentHealth(status="ok" if cache_ok else "degraded", backend=cache.backend),
            "database": ComponentHealth(
                status="ok" if database_ok else "down", backend=request.app.state.engine.dialect.name
            ),
        },
    )


@router.get(
    "/ready",
    responses={
        503: {"description": "Not ready (bundle unreadable or database down)", "model": ReadyResponse},
        **responses("invalid-request"),
    },
)
async def ready(request: Request, response: Response) -> ReadyResponse:
    """200 once the bundle is loaded and the database answers within the health timeout, else 503."""
    city = request.app.state.city
    database_ok = await _database_ok(request)
    is_ready = database_ok and city is not None
    if not is_ready:
        response.status_code = 503
    return ReadyResponse(
        ready=is_ready,
        bundle=city.bundle.name if city is not None else "unavailable",
        database="ok" if database_ok else "down",
    )


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}}, **responses("invalid-request")},
)
def metrics() -> Response:
    """Prometheus metrics of this process."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
