"""Plan requests and answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from api.schemas.common import ATTRIBUTION
from recommender.scoring import Weather
from recommender.trip import Pace, TravelMode
from recommender.trip.itinerary import GeometryFormat


class PlanRequest(BaseModel):
    """A trip to plan."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "start": "21.0313,105.8516",
                    "date": "2026-11-24",
                    "window": "09:00-17:00",
                    "interests": {"heritage": 1.0, "cuisine": 0.6},
                    "mode": "bus",
                    "days": 1,
                    "pace": "normal",
                }
            ]
        }
    }

    start: str = Field(min_length=1, max_length=200, description='"lat,lon", a place id or a place name.')
    end: str | None = Field(default=None, min_length=1, max_length=200)
    date: dt.date
    window: str = Field(default="09:00-17:00", pattern=r"^\d{1,2}:\d{2}-\d{1,2}:\d{2}$")
    interests: dict[str, float] = Field(min_length=1, max_length=20, description="Category or alias -> weight 0..1.")
    mode: TravelMode = TravelMode.BUS
    days: int = Field(default=1, ge=1, le=7)
    pace: Pace = Pace.NORMAL
    must: list[str] = Field(default_factory=list, max_length=20)
    avoid: list[str] = Field(default_factory=list, max_length=100)
    weather: Weather = Weather.CLEAR
    children: bool = False
    meals: bool = True
    max_walk_leg_m: float | None = Field(
        default=None,
        gt=0,
        le=20_000,
        description="Longest walk between two stops; default by mode and pace (1,200-1,500 m by bus, 2,500 m on foot).",
    )
    max_walk_day_m: float | None = Field(
        default=None,
        gt=0,
        le=60_000,
        description="Walking budget per day; default by pace (relaxed 4,500 m, normal 7,000 m, packed 10,000 m).",
    )
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    geometry: GeometryFormat = Field(
        default=GeometryFormat.POLYLINE,
        description="How each leg part's line is written: `polyline` (Google encoded polyline, precision 5, "
        "lat/lon; what mobile map SDKs decode) or `geojson` (a GeoJSON LineString, [lon, lat], 6 decimals).",
    )


class PlanResponse(BaseModel):
    """The itinerary: days of visits and legs; each leg part carries its line once, in the requested format."""

    itinerary: dict[str, Any] = Field(
        description="mode, pace, interests, geometry (the line format), days (visits, legs with parts), "
        "totals, warnings, search."
    )
    attribution: str = ATTRIBUTION
