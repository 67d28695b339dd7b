"""What every answer shares: the attribution, and the GeoJSON geometries (``[lon, lat]`` positions)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

ATTRIBUTION = "© OpenStreetMap contributors (ODbL 1.0); Hanoi bus GTFS © World Bank (CC BY 4.0)"

Position = list[float]
"""A GeoJSON position: ``[lon, lat]``."""
LatLon = tuple[float, float]
"""A ``[lat, lon]`` point of a route's ``coordinates``."""


class LineString(BaseModel):
    """A GeoJSON LineString (at least two ``[lon, lat]`` positions)."""

    type: Literal["LineString"]
    coordinates: list[Position] = Field(description="[lon, lat] positions.")


class Polygon(BaseModel):
    """A GeoJSON Polygon: an outer ring and its holes."""

    type: Literal["Polygon"]
    coordinates: list[list[Position]]


class MultiPolygon(BaseModel):
    """A GeoJSON MultiPolygon."""

    type: Literal["MultiPolygon"]
    coordinates: list[list[list[Position]]]
