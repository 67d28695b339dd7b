"""The one way routing and the planner compile their kernels with numba."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba

_F = TypeVar("_F", bound=Callable[..., Any])


def jit(function: _F) -> _F:
    """Compile ``function`` with numba in nopython mode, cached on disk, without the GIL.

    A typed wrapper around ``numba.njit(cache=True)`` so that mypy keeps the kernels' signatures
    (numba itself is untyped). Compiled kernels trust their inputs: numba does not check bounds.
    """
    return cast(_F, numba.njit(cache=True, nogil=True)(function))


EARTH_RADIUS_M = 6_371_009.0
"""Mean Earth radius, the value osmnx uses (the same as :data:`routing.geo.EARTH_RADIUS_M`)."""


@jit
def great_circle_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in metres between two points in degrees, for compiled kernels."""
    phi1 = math.radians(lat1)
    phi2 = math.radians(lat2)
    h = (
        math.sin((phi2 - phi1) / 2.0) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2.0) ** 2
    )
    return 2.0 * EARTH_RADIUS_M * math.asin(math.sqrt(min(max(h, 0.0), 1.0)))
