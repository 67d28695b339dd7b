"""Operator line proposals and the network."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from api.schemas.common import ATTRIBUTION


class OperatorLineRequest(BaseModel):
    """What an operator asks for: a theme and/or places, terminals (or a loop), service hours and headway."""

    model_config = {
        "json_schema_extra": {
            "examples": [{"interests": ["heritage", "ci_centre"], "headway_min": 15, "service_hours": "06:00-20:00"}]
        }
    }

    interests: list[str] = Field(
        default_factory=list, max_length=20, description="Categories the line serves, e.g. heritage, ci_centre."
    )
    place_ids: list[str] = Field(
        default_factory=list, max_length=40, description="Catalogue places the line must serve."
    )
    start: str | None = Field(
        default=None, max_length=200, description='Start terminal: a place id or name, or "lat,lon".'
    )
    end: str | None = Field(default=None, max_length=200, description="End terminal (makes a two-way line).")
    loop: bool = Field(default=False, description="A loop (the default without an end terminal).")
    service_hours: str = Field(
        default="06:00-20:00", pattern=r"^\d{1,2}:\d{2}-\d{1,2}:\d{2}$", description="HH:MM-HH:MM, Hanoi time."
    )
    headway_min: float = Field(default=15.0, gt=0, le=240, description="Minutes between buses.")
    layover_min: float = Field(default=5.0, ge=0, le=120, description="Layover at each terminal, minutes.")
    max_stops: int = Field(default=16, ge=2, le=40, description="Most stops chosen for a theme.")
    name: str = Field(default="Heritage line", min_length=1, max_length=100)
    line_id: str = Field(default="heritage", pattern=r"^[A-Za-z0-9_-]{1,32}$", description="GTFS route_id.")
    evaluate: bool = Field(default=True, description="Measure heritage / CI door-to-door times before and after.")


class OperatorLineResponse(BaseModel):
    """A stored proposal: the line's summary (stops, round trip, fleet, vehicle-km) and what it changes."""

    id: str
    created_at: dt.datetime
    bundle: str
    request: dict[str, Any]
    proposal: dict[str, Any]
    links: dict[str, str]
    attribution: str = ATTRIBUTION


class OperatorNetworkResponse(BaseModel):
    """The main roads of the drive graph as polylines, and the catalogue places, for drawing a map offline.

    ``roads`` holds one ``[class index, lon, lat, lon, lat, ...]`` array per road segment (5 decimals).
    """

    bundle: str
    bbox: list[float] = Field(min_length=4, max_length=4, description="west, south, east, north")
    classes: list[str]
    roads: list[list[float]]
    places: list[dict[str, Any]]
    attribution: str = ATTRIBUTION
