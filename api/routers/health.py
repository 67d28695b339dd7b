"""Liveness."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import CityDep
from api.schemas import HealthResponse

router = APIRouter(tags=["health"])


@router.get("/health")
def health(city: CityDep) -> HealthResponse:
    """The service is up and serving this bundle."""
    return HealthResponse(status="ok", bundle=city.bundle.name, places=len(city.catalogue), cache="in-process")
