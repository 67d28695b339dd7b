"""Walking routes: a contraction hierarchy over the walk graph, queried by compiled kernels.

The bundle builder contracts the index once (:mod:`routing.build.contract`, stored with :meth:`WalkIndex.save`);
serving reads it back with :meth:`WalkIndex.load` and answers queries with a :class:`WalkRouter`.
"""

from routing.walk.index import WalkIndex
from routing.walk.journey import Pieces, WalkJourney, WalkStep
from routing.walk.router import (
    DEFAULT_STEPS_PENALTY,
    Anchor,
    WalkRouter,
)

__all__ = [
    "DEFAULT_STEPS_PENALTY",
    "Anchor",
    "Pieces",
    "WalkIndex",
    "WalkJourney",
    "WalkRouter",
    "WalkStep",
]
