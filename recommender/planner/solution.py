"""What the solver returns: routes of timed visits, the total score and how the search went."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Visit:
    """One visit: when the traveller arrives, when the visit starts (after any wait) and when they leave."""

    node: int
    arrival_s: float
    start_s: float
    departure_s: float


@dataclass(frozen=True)
class Route:
    """One day's route: its visits in order (start and end nodes excluded) and when it reaches the end node."""

    day: int
    visits: tuple[Visit, ...]
    score: float
    depart_s: float
    end_arrival_s: float

    @property
    def nodes(self) -> list[int]:
        """The visited nodes in order."""
        return [visit.node for visit in self.visits]


@dataclass(frozen=True)
class Solution:
    """The best plan found, with the number of search iterations and the wall time it took."""

    routes: tuple[Route, ...]
    score: float
    iterations: int
    time_s: float
    seed: int

    @property
    def node_lists(self) -> list[list[int]]:
        """Every route's visited nodes, one list per day."""
        return [route.nodes for route in self.routes]
