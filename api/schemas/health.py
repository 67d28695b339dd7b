"""Health and readiness answers."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from api.schemas.common import ResponseModel


class ComponentHealth(ResponseModel):
    """The state of one dependency."""

    status: Literal["ok", "degraded", "down"]
    backend: str


class HealthResponse(ResponseModel):
    """Liveness and what the process is running on."""

    status: Literal["ok", "degraded"]
    bundle: str
    places: int
    cache: Literal["redis", "in-process"]
    components: dict[str, ComponentHealth] = Field(default_factory=dict)


class ReadyResponse(ResponseModel):
    """Whether the process can serve traffic."""

    ready: bool
    bundle: str
    database: Literal["ok", "down"]
