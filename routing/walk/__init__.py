"""Walking routes: a contraction hierarchy over the walk graph, queried by compiled kernels.

Build the index once with :func:`build_walk_index` (stored in the bundle with :meth:`WalkIndex.save`,
read back with :meth:`WalkIndex.load`), then answer queries with a :class:`WalkRouter`.
"""

from routing.walk.index import WalkIndex, build_walk_index
from routing.walk.journey import Pieces, WalkJourney, WalkStep
from routing.walk.router import (
    DEFAULT_MAX_SNAP_M,
    DEFAULT_SPEED_MPS,
    DEFAULT_STEPS_PENALTY,
    Anchor,
    WalkRouter,
)

__all__ = [
    "DEFAULT_MAX_SNAP_M",
    "DEFAULT_SPEED_MPS",
    "DEFAULT_STEPS_PENALTY",
    "Anchor",
    "Pieces",
    "WalkIndex",
    "WalkJourney",
    "WalkRouter",
    "WalkStep",
    "build_walk_index",
]
