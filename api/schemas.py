"""Response models of the public API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from recommender.taxonomy import Category

ATTRIBUTION = "© OpenStreetMap contributors (ODbL 1.0); Hanoi bus GTFS © World Bank (CC BY 4.0)"


class HealthResponse(BaseModel):
    """Liveness and what the process is running on."""

    status: Literal["ok", "degraded"]
    bundle: str
    places: int
    cache: Literal["redis", "in-process"]


class PlaceResponse(BaseModel):
    """A catalogue place as the app shows it."""

    id: str
    name: str
    name_vi: str
    name_en: str
    categories: list[Category]
    dishes: list[str]
    lat: float
    lon: float
    district: str
    opening_hours: str
    visit_min: int
    price_vnd: int
    indoor: bool
    family_friendly: bool
    popularity: float
    description: str
    off_network: bool = Field(description="True when no walkable street lies within the snap distance.")


class PlaceListResponse(BaseModel):
    """One page of places."""

    items: list[PlaceResponse]
    count: int
    attribution: str = ATTRIBUTION
