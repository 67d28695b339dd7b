"""Places of the catalogue, one and many."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from api.schemas.common import ATTRIBUTION, ResponseModel
from recommender.taxonomy import Category


class PlaceResponse(ResponseModel):
    """A catalogue place as the app shows it."""

    id: str
    name: str
    name_vi: str
    name_en: str
    categories: list[Category]
    dishes: list[str]
    lat: float
    lon: float
    coord_source: str = Field(
        description='Where the point comes from: an OSM element ("osm:node/<id>"; a "way" or "relation" gives its '
        'centre), "ref:<named reference>" or "estimated:<metres>".'
    )
    ward: str = Field(description="Id of the 2025 ward or commune holding the point (e.g. phuong-hoan-kiem).")
    ward_name: str = Field(description='Its name, e.g. "Phường Hoàn Kiếm".')
    ward_osm_relation: int = Field(description="The OSM boundary relation of the ward or commune.")
    former_district: str | None = Field(description="The district of before 1 July 2025, when recorded.")
    status: Literal["verified", "listed", "unverified"]
    visiting: Literal["regular", "events-only", "by-appointment"]
    how_to_visit: str | None = Field(description="How to visit a place that has no regular visits; else null.")
    opening_hours: str
    visit_min: int
    price_vnd: int
    indoor: bool
    family_friendly: bool
    popularity: float
    description: str
    off_network: bool = Field(description="True when no walkable street lies within the snap distance.")


class PlaceListResponse(ResponseModel):
    """One page of places."""

    items: list[PlaceResponse]
    count: int
    attribution: str = ATTRIBUTION


class PlacePageResponse(ResponseModel):
    """One page of places; pass ``next_cursor`` as ``cursor`` for the next page."""

    items: list[PlaceResponse]
    count: int
    total: int
    next_cursor: str | None
    attribution: str = ATTRIBUTION
