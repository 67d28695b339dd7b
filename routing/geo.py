"""Small geodesy helpers: great-circle distances and a local metric projection for spatial indexes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

EARTH_RADIUS_M = 6_371_009.0
"""Mean Earth radius, the value osmnx uses for great-circle lengths."""


def rounded_pairs(points: Sequence[tuple[float, float]], digits: int, *, swap: bool = False) -> list[list[float]]:
    """``points`` as JSON-ready ``[a, b]`` lists rounded to ``digits`` (``[b, a]`` with ``swap``).

    One numpy call instead of two ``round`` calls per point: a leg's geometry has hundreds of points and a plan's
    answer carries each twice (the legs and the GeoJSON).
    """
    if not points:
        return []
    array = np.asarray(points, dtype=np.float64)
    return np.round(array[:, ::-1] if swap else array, digits).tolist()  # type: ignore[no-any-return]


def haversine_m(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> NDArray[np.float64]:
    """Great-circle distance in metres between points given in degrees (vectorised)."""
    phi1 = np.radians(np.asarray(lat1, dtype=np.float64))
    phi2 = np.radians(np.asarray(lat2, dtype=np.float64))
    dphi = phi2 - phi1
    dlam = np.radians(np.asarray(lon2, dtype=np.float64) - np.asarray(lon1, dtype=np.float64))
    h = np.sin(dphi / 2.0) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlam / 2.0) ** 2
    return np.asarray(2.0 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))), dtype=np.float64)


@dataclass(frozen=True)
class LocalProjection:
    """Equirectangular projection to metres around a reference latitude.

    Accurate to well under 1 % across a city; used only to order candidates in spatial indexes,
    while reported distances are recomputed on the sphere.
    """

    lat0: float
    lon0: float

    @property
    def x_per_degree(self) -> float:
        """Metres per degree of longitude at the reference latitude."""
        return self._kx

    @property
    def y_per_degree(self) -> float:
        """Metres per degree of latitude."""
        return self._ky

    @property
    def _kx(self) -> float:
        return float(np.cos(np.radians(self.lat0)) * np.pi / 180.0 * EARTH_RADIUS_M)

    @property
    def _ky(self) -> float:
        return float(np.pi / 180.0 * EARTH_RADIUS_M)

    def forward(self, lat: ArrayLike, lon: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Project degrees to (x, y) metres."""
        x = (np.asarray(lon, dtype=np.float64) - self.lon0) * self._kx
        y = (np.asarray(lat, dtype=np.float64) - self.lat0) * self._ky
        return x, y

    def inverse(self, x: ArrayLike, y: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Project (x, y) metres back to (lat, lon) degrees."""
        lon = np.asarray(x, dtype=np.float64) / self._kx + self.lon0
        lat = np.asarray(y, dtype=np.float64) / self._ky + self.lat0
        return lat, lon


@dataclass(frozen=True)
class BBox:
    """A latitude/longitude box, south-west to north-east, in degrees."""

    south: float
    west: float
    north: float
    east: float

    def contains(self, lat: float, lon: float) -> bool:
        """True when the point lies inside the box (edges included)."""
        return self.south <= lat <= self.north and self.west <= lon <= self.east

    def describe(self) -> str:
        """The box as readable text, e.g. ``20.53..21.39 N, 105.28..106.03 E``."""
        return f"{self.south:g}..{self.north:g} N, {self.west:g}..{self.east:g} E"

    def as_list(self) -> list[float]:
        """[south, west, north, east], the order used in manifests and the API."""
        return [self.south, self.west, self.north, self.east]
