"""Liveness, readiness and metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from api.deps import CacheDep, CityDep
from api.schemas import ComponentHealth, HealthResponse, ReadyResponse

router = APIRouter(tags=["health"])


def _database_ok(request: Request) -> bool:
    try:
        with request.app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        return False
    return True


@router.get("/health")
def health(request: Request, city: CityDep, cache: CacheDep) -> HealthResponse:
    """The service is up; ``degraded`` when Redis or the database does not answer (requests still work uncached)."""
    cache_ok = cache.healthy()
    database_ok = _database_ok(request)
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


@router.get("/ready", responses={503: {"description": "Not ready (database down)", "model": ReadyResponse}})
def ready(request: Request, response: Response, city: CityDep) -> ReadyResponse:
    """200 once the bundle is loaded and the database answers, else 503."""
    database_ok = _database_ok(request)
    if not database_ok:
        response.status_code = 503
    return ReadyResponse(ready=database_ok, bundle=city.bundle.name, database="ok" if database_ok else "down")


@router.get("/metrics", response_class=Response, responses={200: {"content": {"text/plain": {}}}})
def metrics() -> Response:
    """Prometheus metrics of this process."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
