"""The bundle's place matrices: walk lengths and per-period bus times between every two catalogue places.

Built once by :mod:`routing.build.matrices`, stored as one ``.npz`` and read back at start-up; the itinerary
planner reads them instead of routing every pair per request.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from routing.bundle.npz import read_npz, save_npz
from routing.errors import RoutingError

Float32Array = NDArray[np.float32]


@dataclass(frozen=True, eq=False)
class PlaceMatrices:
    """Place-to-place travel times for the whole catalogue, computed at build time.

    ``walk_m[i, j]``: shortest walk on the streets from place ``i`` to place ``j`` in metres (NaN: no street walk,
    e.g. an off-network place or another component). ``bus_s[period][i, j]``: the fastest door-to-door bus + walk
    journey (or walk, when faster) leaving ``i`` at ``depart_s[period]``, in seconds (NaN: unreachable).
    ``speed_mps`` is the walking speed the bus matrices were computed with.
    """

    place_ids: tuple[str, ...]
    walk_m: Float32Array
    bus_s: dict[str, Float32Array]
    depart_s: dict[str, int]
    speed_mps: float

    def walk_s(self, speed_mps: float | None = None) -> Float32Array:
        """Walk times in seconds at ``speed_mps`` (default: the speed the matrices were built with).

        Raises
        ------
        RoutingError
            If ``speed_mps`` is not a finite number > 0.
        """
        speed = self.speed_mps if speed_mps is None else speed_mps
        if not (math.isfinite(speed) and speed > 0):
            raise RoutingError(f"speed_mps must be a finite number > 0, got {speed}")
        return np.asarray(self.walk_m / np.float32(speed), dtype=np.float32)

    def index(self, place_id: str) -> int:
        """Row/column of a place.

        Raises
        ------
        RoutingError
            If the matrices hold no such place.
        """
        try:
            return self.place_ids.index(place_id)
        except ValueError as exc:
            raise RoutingError(f"unknown place {place_id!r}") from exc

    def save(self, path: Path) -> None:
        """Write one uncompressed ``.npz`` (loads fast, memory-maps nothing)."""
        periods = tuple(self.bus_s)
        arrays: dict[str, Any] = {
            "place_ids": np.asarray(self.place_ids, dtype=np.str_),
            "walk_m": self.walk_m,
            "speed_mps": np.asarray(self.speed_mps, dtype=np.float64),
            "periods": np.asarray(periods, dtype=np.str_),
            "depart_s": np.asarray([self.depart_s[name] for name in periods], dtype=np.int64),
        }
        arrays |= {f"bus_s_{index}": self.bus_s[name] for index, name in enumerate(periods)}
        save_npz(path, arrays)

    @classmethod
    def load(cls, path: Path) -> PlaceMatrices:
        """Read matrices written by :meth:`save`; a bad file (or shapes that disagree) raises BundleError naming it."""
        with read_npz(path, what="place matrices") as record:
            place_ids = record.strings("place_ids")
            walk_m = record.array("walk_m", dtype=np.float32, ndim=2)
            speed = record.number("speed_mps")
            periods = record.strings("periods")
            depart = [int(value) for value in record.array("depart_s", ndim=1)]
            bus = {name: record.array(f"bus_s_{index}", dtype=np.float32) for index, name in enumerate(periods)}
            count = len(place_ids)
            shapes_ok = walk_m.shape == (count, count) and all(m.shape == (count, count) for m in bus.values())
            if not shapes_ok or len(depart) != len(periods):
                raise ValueError("place matrices have inconsistent shapes")
        return cls(
            place_ids=place_ids,
            walk_m=walk_m,
            bus_s=bus,
            depart_s=dict(zip(periods, depart, strict=True)),
            speed_mps=speed,
        )
