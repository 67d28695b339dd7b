"""Design a line worth running: a local search over candidate lines scored before/after by RAPTOR.

Candidates are subsets of the planned stops (explicit places and terminals always kept), each ordered by
:func:`~routing.operators.ordering.quick_order`, as a loop (both ways round) or a two-way line, at the operator's
headway. A
candidate whose fleet exceeds the cap is not scored. Each scored candidate's benefit is the weighted mean of
minutes saved over the objective's pairs (:class:`~routing.operators.scoring.LineScorer`); the search keeps
the candidate with the most benefit per vehicle-hour among those with at least ``min_stops`` stops, moving by
adding, dropping or swapping one stop, or switching loop / two-way, until no move improves or the time budget
ends. Every scored candidate enters the Pareto set (fewest buses for the most benefit).

Service rule (``kind="any"``): the line returned serves every pair of its stops both ways, i.e. it is a two-way
line. A one-way loop serves each pair one way round: the ride back goes round the rest of the loop, so it helps
at most one direction of most pairs it touches, while the benefit per vehicle-hour (a mean over all pairs) barely
sees it; route-design practice says the same (avoid loops: the way back follows the way out in reverse;
docs/OPERATORS.md cites it). Loops are still scored and shown among the alternatives; ``kind="loop"``, or a line
with one terminal, returns one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from routing.errors import NoRouteError
from routing.graph.frozen import FrozenGraph
from routing.operators.design import DesignOptions, StopPlan, route_schedule
from routing.operators.errors import LineDesignError
from routing.operators.line import LineMetrics, LineSchedule
from routing.operators.ordering import quick_order
from routing.operators.scoring import LineScorer, Score
from routing.transit.model import BusNetwork

SEED_SIZES = (2, 3, 4, 5, 6, 8, 10, 12, 16)
ADD_TRIES = 6
"""Stops not on the line tried for addition at each step (the most popular first)."""


@dataclass(frozen=True)
class Candidate:
    """A scored line: which planned stops, in which order, loop or two-way, and what it gives."""

    stops: tuple[int, ...]
    loop: bool
    schedule: LineSchedule
    metrics: LineMetrics
    score: Score

    @property
    def benefit_per_vehicle_hour(self) -> float:
        """Weighted mean minutes saved per vehicle-hour run in a day."""
        return self.score.benefit_min / max(self.metrics.vehicle_hours_per_day, 1e-9)


@dataclass(frozen=True)
class SearchResult:
    """The best candidate, the Pareto set (fleet vs benefit) and how many lines were scored."""

    best: Candidate
    pareto: tuple[Candidate, ...]
    scored: int
    over_fleet: int
    time_s: float


def search_lines(
    drive: FrozenGraph,
    bus: BusNetwork,
    plan: StopPlan,
    scorer: LineScorer,
    options: DesignOptions,
    *,
    weights: Sequence[float],
    clock: Callable[[], float] = time.perf_counter,
) -> SearchResult:
    """Search the candidate lines over ``plan`` (see the module docstring); ``weights``: popularity per stop.

    Raises
    ------
    LineDesignError
        ``max_fleet`` if no candidate can run within the fleet cap.
    """
    started = clock()
    kinds = (False,) if plan.end_index is not None else (True, False)
    if (plan.start_index is not None and plan.end_index is None) or options.kind == "loop":
        kinds = (True,)
    elif options.kind == "line":
        kinds = (False,)
    fixed = tuple(sorted(plan.explicit))
    ranked = [i for i in sorted(range(len(plan.stops)), key=lambda i: (-weights[i], i)) if i not in plan.explicit]
    scored: dict[tuple[tuple[int, ...], bool], Candidate | None] = {}
    over_fleet = 0

    def evaluate(members: Sequence[int], *, loop: bool) -> Candidate | None:
        nonlocal over_fleet
        key = (tuple(sorted(set(members))), loop)
        if key in scored:
            return scored[key]
        scored[key] = None
        stops = list(key[0])
        if len(stops) < 2:
            return None
        if not loop and plan.start_index is not None and plan.end_index is not None:
            middle = [i for i in stops if i not in (plan.start_index, plan.end_index)]
            stops = [plan.start_index, *middle, plan.end_index]
        elif plan.start_index is not None:
            stops = [plan.start_index, *(i for i in stops if i != plan.start_index)]
        order = quick_order(plan.distance_m, stops, closed=loop, fixed_ends=plan.end_index is not None)
        # A loop runs one way round: both ways are scored (riders gain on different pairs), the better kept.
        orders = [order, [order[0], *order[:0:-1]]] if loop and len(order) > 2 else [order]
        best_here: Candidate | None = None
        for sequence in orders:
            try:
                schedule, metrics = route_schedule(drive, bus, plan, sequence, loop=loop, options=options)
            except NoRouteError:
                continue
            if options.max_fleet is not None and metrics.fleet_size > options.max_fleet:
                over_fleet += 1
                continue
            candidate = Candidate(key[0], loop, schedule, metrics, scorer.score(schedule))
            if best_here is None or candidate.benefit_per_vehicle_hour > best_here.benefit_per_vehicle_hour:
                best_here = candidate
        scored[key] = best_here
        return best_here

    def better(a: Candidate | None, b: Candidate | None) -> bool:
        if a is None:
            return False
        if b is None:
            return True
        return a.benefit_per_vehicle_hour > b.benefit_per_vehicle_hour + 1e-12

    # The service rule of the module docstring: with both shapes allowed, the best serves pairs both ways.
    best_kinds = {False} if len(kinds) > 1 else set(kinds)

    def eligible(c: Candidate | None) -> bool:
        return c is not None and c.loop in best_kinds and len(c.stops) >= min(options.min_stops, len(plan.stops))

    best: Candidate | None = None
    # Seeds: the k most popular stops, and the k stops nearest (by road, both ways) the most popular one.
    anchor = fixed[0] if fixed else ranked[0]
    both_ways = plan.distance_m[anchor] + plan.distance_m[:, anchor]
    nearby = [i for i in sorted(range(len(plan.stops)), key=lambda i: (both_ways[i], i)) if i not in plan.explicit]
    for size in SEED_SIZES:
        if best is not None and clock() - started >= options.search_time_s:
            break  # out of time: the seeds scored so far stand
        for pool in (ranked, nearby):
            members = [*fixed, *pool[: max(size - len(fixed), 0)]]
            if len(set(members)) < min(size, len(plan.stops)):
                continue
            for loop in kinds:
                candidate = evaluate(members, loop=loop)
                if eligible(candidate) and better(candidate, best):
                    best = candidate
    while best is not None and clock() - started < options.search_time_s:
        current = best
        members = list(current.stops)
        moves: list[tuple[list[int], bool]] = []
        outside = [i for i in ranked if i not in members][:ADD_TRIES]
        moves += [([*members, i], current.loop) for i in outside]
        moves += [([m for m in members if m != i], current.loop) for i in members if i not in plan.explicit]
        moves += [(list(members), not current.loop)] if len(kinds) > 1 else []
        moves += [
            ([*(m for m in members if m != i), j], current.loop)
            for i in members
            if i not in plan.explicit
            for j in outside[:2]
        ]
        for stops, loop in moves:
            if clock() - started >= options.search_time_s:
                break
            candidate = evaluate(stops, loop=loop)
            if eligible(candidate) and better(candidate, best):
                best = candidate
        if best is current:
            break
    done = [c for c in scored.values() if c is not None]
    if best is None:
        if not done:
            raise LineDesignError(
                "max_fleet",
                f"no line through these places runs with {options.max_fleet} buses every "
                f"{options.headway_s / 60:g} min; allow more buses or a longer headway",
            )
        best = max(done, key=lambda c: (c.loop in best_kinds, c.benefit_per_vehicle_hour))
    return SearchResult(
        best=best, pareto=pareto_set(done), scored=len(done), over_fleet=over_fleet, time_s=clock() - started
    )


def pareto_set(candidates: Sequence[Candidate]) -> tuple[Candidate, ...]:
    """Candidates no other beats on both fleet (fewer) and benefit (more), by fleet then benefit."""
    ordered = sorted(candidates, key=lambda c: (c.metrics.fleet_size, -c.score.benefit_min))
    front: list[Candidate] = []
    for candidate in ordered:
        if not front or candidate.score.benefit_min > front[-1].score.benefit_min + 1e-9:
            front.append(candidate)
    return tuple(front)
