"""Distance on the globe: the one haversine and Earth radius, a local metric projection for spatial indexes."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from routing.compiled import jit
from routing.errors import OutsideAreaError

EARTH_RADIUS_M = 6_371_009.0
"""Mean Earth radius, the value osmnx uses for great-circle lengths."""
_POINT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$")


def parse_point(text: str) -> tuple[float, float] | None:
    """``"21.03,105.85"`` -> (lat, lon) in degrees; None when the text is not two numbers (a place name, say).

    The one reader of typed coordinates, for the CLI and the API alike.

    Raises
    ------
    OutsideAreaError
        If the two numbers are not a latitude and a longitude.
    """
    match = _POINT.match(text)
    if match is None:
        return None
    lat, lon = float(match.group(1)), float(match.group(2))
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise OutsideAreaError(f"{text!r} is not a valid 'lat,lon' coordinate")
    return lat, lon


def rounded_pairs(points: Sequence[tuple[float, float]], digits: int, *, swap: bool = False) -> list[list[float]]:
    """``points`` as JSON-ready ``[a, b]`` lists rounded to ``digits`` (``[b, a]`` with ``swap``).

    One numpy call instead of two ``round`` calls per point: a leg's geometry has hundreds of points and a plan's
    answer carries each twice (the legs and the GeoJSON).
    """
    if not points:
        return []
    array = np.asarray(points, dtype=np.float64)
    return np.round(array[:, ::-1] if swap else array, digits).tolist()  # type: ignore[no-any-return]


@jit
def great_circle_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in metres between two points in degrees: the one formula, callable from kernels."""
    phi1 = math.radians(lat1)
    phi2 = math.radians(lat2)
    h = (
        math.sin((phi2 - phi1) / 2.0) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2.0) ** 2
    )
    return 2.0 * EARTH_RADIUS_M * math.asin(math.sqrt(min(max(h, 0.0), 1.0)))


@jit
def _great_circle_many(points: NDArray[np.float64], out: NDArray[np.float64]) -> None:
    for i in range(out.shape[0]):
        out[i] = great_circle_m(points[0, i], points[1, i], points[2, i], points[3, i])


def haversine_m(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> NDArray[np.float64]:
    """Great-circle distance in metres between points given in degrees (broadcast like numpy)."""
    arrays = np.broadcast_arrays(*(np.asarray(value, dtype=np.float64) for value in (lat1, lon1, lat2, lon2)))
    points = np.stack([array.ravel() for array in arrays])
    out = np.empty(points.shape[1], dtype=np.float64)
    _great_circle_many(points, out)
    return out.reshape(arrays[0].shape)


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

    @classmethod
    def around(cls, lat: ArrayLike, lon: ArrayLike) -> BBox:
        """The smallest box holding the points (a graph's nodes, say)."""
        lat_arr, lon_arr = np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)
        return cls(float(lat_arr.min()), float(lon_arr.min()), float(lat_arr.max()), float(lon_arr.max()))


def check_point(lat: float, lon: float, area: BBox | None = None, *, what: str = "") -> None:
    """Refuse a point that is not a latitude/longitude or, given ``area``, lies outside it: the one point check.

    Raises
    ------
    OutsideAreaError
        Naming the point (after ``what``, e.g. "origin") and the area.
    """
    where = f"{what} " if what else ""
    if not (math.isfinite(lat) and math.isfinite(lon) and -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise OutsideAreaError(f"{where}({lat}, {lon}) is not a valid latitude/longitude")
    if area is not None and not area.contains(lat, lon):
        raise OutsideAreaError(f"{where}({lat:.6f}, {lon:.6f}) lies outside the area covered ({area.describe()})")
