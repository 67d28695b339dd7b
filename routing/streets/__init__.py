"""Where a point meets the street: nearest-street index, snapping, the main component, walk-network anchors.

The two limits every query shares live here, once: how far a point may be from a street and how fast people
walk. A bundle records the values it was built with in its manifest (:class:`StreetLimits.from_manifest`);
settings may override them at query time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_MAX_SNAP_M = 250.0
"""A point farther than this from every walkable street is off the network (the builder's default)."""
DEFAULT_WALK_SPEED_MPS = 1.25
"""Walking speed of every walk and estimated walk (the builder's default)."""


@dataclass(frozen=True)
class StreetLimits:
    """The snap distance and walking speed the routers of one process use."""

    max_snap_m: float = DEFAULT_MAX_SNAP_M
    walk_speed_mps: float = DEFAULT_WALK_SPEED_MPS

    @classmethod
    def from_manifest(
        cls, options: Mapping[str, Any], *, max_snap_m: float | None = None, walk_speed_mps: float | None = None
    ) -> StreetLimits:
        """The bundle's build options (its manifest's ``options``), each overridden where a value is given."""
        return cls(
            max_snap_m=float(max_snap_m if max_snap_m is not None else options.get("max_snap_m", DEFAULT_MAX_SNAP_M)),
            walk_speed_mps=float(
                walk_speed_mps if walk_speed_mps is not None else options.get("walk_speed_mps", DEFAULT_WALK_SPEED_MPS)
            ),
        )
