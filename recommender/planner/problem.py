"""The plain planning problem: places with a score, a visit time and time windows, a travel-time matrix, days.

The same :class:`Problem` describes an OPTW benchmark instance, a tour dataset query and a Hanoi trip, so the solver
never knows which one it plans. Node indices are positions in the arrays; the caller keeps its own mapping from
indices to place ids.

Time windows bound the *start* of a visit: a visit to ``i`` may start at ``s`` when ``open <= s <= close`` for one of
``i``'s windows on that day (several windows per node model a lunch-break closure; no window means closed that day).
A traveller who arrives early waits for the next opening. Each route (a day) leaves the start node at the day's start
and must reach the end node by the day's end; the start and end nodes are never visits themselves, their own windows
and visit times are not used.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from recommender.planner.errors import InvalidProblemError

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
Window = tuple[float, float]


class TravelTime(Protocol):
    """Travel time from one node to another for a departure at a given time of day."""

    def travel(self, origin: int, destination: int, depart_s: float) -> float:
        """Seconds from leaving ``origin`` at ``depart_s`` to arriving at ``destination``."""
        ...


@dataclass(frozen=True)
class PeriodTravelTime:
    """One travel-time matrix per period of the day (e.g. bus peak and off-peak), selected by departure time.

    Period ``p`` covers departures from ``period_start_s[p]`` to ``period_start_s[p + 1]`` (the first period also
    covers earlier departures, the last one later ones). A traveller may wait before leaving, so the travel time
    for a departure at ``t`` is the earliest arrival over every departure at ``t`` or later, minus ``t``: arriving
    later by leaving later is never forced (first-in first-out), which keeps the solver's slack bookkeeping exact.

    Raises
    ------
    InvalidProblemError
        If the matrices are not ``(P, n, n)`` finite non-negative, or the period starts are not increasing.
    """

    matrices_s: FloatArray
    period_start_s: FloatArray

    def __post_init__(self) -> None:
        matrices = np.ascontiguousarray(self.matrices_s, dtype=np.float64)
        starts = np.ascontiguousarray(self.period_start_s, dtype=np.float64)
        if matrices.ndim != 3 or matrices.shape[1] != matrices.shape[2] or matrices.shape[0] == 0:
            raise InvalidProblemError(f"travel matrices must have shape (periods, n, n), got {matrices.shape}")
        if starts.shape != (matrices.shape[0],):
            raise InvalidProblemError(f"period_start_s must have one entry per period ({matrices.shape[0]})")
        if not np.all(np.isfinite(matrices)) or np.any(matrices < 0):
            raise InvalidProblemError("travel times must be finite and non-negative")
        if not np.all(np.isfinite(starts)) or np.any(np.diff(starts) <= 0):
            raise InvalidProblemError("period_start_s must be finite and strictly increasing")
        matrices.setflags(write=False)
        starts.setflags(write=False)
        object.__setattr__(self, "matrices_s", matrices)
        object.__setattr__(self, "period_start_s", starts)

    @classmethod
    def static(cls, matrix_s: FloatArray) -> PeriodTravelTime:
        """A single period: the same matrix at every time of day."""
        return cls(np.asarray(matrix_s, dtype=np.float64)[None, :, :], np.zeros(1))

    @property
    def n_periods(self) -> int:
        """How many periods (1 for a static matrix)."""
        return int(self.matrices_s.shape[0])

    def travel(self, origin: int, destination: int, depart_s: float) -> float:
        """Seconds from leaving ``origin`` at ``depart_s`` to arriving, waiting for a faster period when that helps."""
        starts = self.period_start_s
        best = np.inf
        for period in range(self.n_periods):
            period_end = starts[period + 1] if period + 1 < self.n_periods else np.inf
            if period_end < depart_s:
                continue
            leave = max(depart_s, float(starts[period])) if period > 0 else depart_s
            best = min(best, leave + float(self.matrices_s[period, origin, destination]))
        return float(best - depart_s)


@dataclass(frozen=True)
class Problem:
    """An orienteering problem with time windows over ``n`` nodes and ``m`` routes (days).

    Attributes
    ----------
    score : (n,) float
        The reward for visiting each node (at most once over all routes).
    service_s : (n,) float
        How long a visit lasts.
    travel_s : (n, n) float
        Travel time between nodes; asymmetric matrices and matrices that break the triangle inequality are allowed.
    window_open_s, window_close_s : (w,) float
        Every time window of every node on every calendar, in one flat pair of arrays.
    window_offset : (c, n + 1) int
        Node ``i``'s windows on calendar ``k`` are ``window_*_s[window_offset[k, i]:window_offset[k, i + 1]]``,
        sorted and disjoint.
    day_start_s, day_end_s : (m,) float
        Each route leaves the start node at its day's start and reaches the end node by its day's end.
    day_calendar : (m,) int
        Which calendar of windows each day uses (opening hours per day of week).
    start_node, end_node : int
        Where every route begins and ends (they may be the same node); never visits themselves.
    mandatory, forbidden : (n,) bool
        Nodes that must be visited on some day, and nodes that must not be visited.
    group : (n,) int
        Exclusive groups: at most one node of a group is visited over all routes (alternative visits to one place,
        such as a short and a full visit); ``-1`` for a node in no group. Group ids run ``0 .. n - 1``.
    walk_m : (n, n) float, or empty
        The walking each leg costs (a trip's metres on foot); empty for a problem without walking.
    walk_budget_m : (m,) float
        The walking each route may hold over its legs (infinity: no limit; a single number is every route's).
    travel_periods : PeriodTravelTime or None
        Travel-time matrices per period of the day; when given they replace ``travel_s``.

    Raises
    ------
    InvalidProblemError
        On construction, if any array has the wrong shape, a non-finite or negative value, unsorted or overlapping
        windows, an out-of-range node, or a node both mandatory and forbidden.
    """

    score: FloatArray
    service_s: FloatArray
    travel_s: FloatArray
    window_open_s: FloatArray
    window_close_s: FloatArray
    window_offset: IntArray
    day_start_s: FloatArray
    day_end_s: FloatArray
    day_calendar: IntArray
    start_node: int
    end_node: int
    mandatory: BoolArray
    forbidden: BoolArray
    travel_periods: PeriodTravelTime | None = field(default=None)
    group: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    walk_m: FloatArray = field(default_factory=lambda: np.zeros((0, 0)))
    walk_budget_m: FloatArray = field(default_factory=lambda: np.full(1, np.inf))

    def __post_init__(self) -> None:
        self._freeze()
        _validate(self)

    def _freeze(self) -> None:
        if np.asarray(self.group).size == 0:
            object.__setattr__(self, "group", np.full(np.asarray(self.score).shape[0], -1, dtype=np.int64))
        for name, dtype in _ARRAY_FIELDS.items():
            array: NDArray[Any] = np.array(getattr(self, name), dtype=dtype, copy=True, order="C")
            array.setflags(write=False)
            object.__setattr__(self, name, array)
        object.__setattr__(self, "start_node", int(self.start_node))
        object.__setattr__(self, "end_node", int(self.end_node))
        budget = np.asarray(self.walk_budget_m, dtype=np.float64)
        if budget.ndim == 0 or budget.size == 1:
            budget = np.full(np.asarray(self.day_start_s).shape[0], float(budget.reshape(-1)[0]))
        budget.setflags(write=False)
        object.__setattr__(self, "walk_budget_m", budget)

    @property
    def n_nodes(self) -> int:
        """How many nodes, start and end nodes included."""
        return int(self.score.shape[0])

    @property
    def n_routes(self) -> int:
        """How many routes (days) to plan."""
        return int(self.day_start_s.shape[0])

    @property
    def travel_time(self) -> PeriodTravelTime:
        """The travel times as a :class:`TravelTime`: the period matrices, or the static matrix as one period."""
        return self.travel_periods if self.travel_periods is not None else PeriodTravelTime.static(self.travel_s)

    def windows(self, node: int, day: int) -> list[Window]:
        """The windows in which a visit to ``node`` may start on route ``day`` (empty when closed that day)."""
        calendar = int(self.day_calendar[day])
        first, last = int(self.window_offset[calendar, node]), int(self.window_offset[calendar, node + 1])
        return [(float(self.window_open_s[w]), float(self.window_close_s[w])) for w in range(first, last)]

    @classmethod
    def from_windows(
        cls,
        score: Sequence[float] | FloatArray,
        service_s: Sequence[float] | FloatArray,
        travel_s: Sequence[Sequence[float]] | FloatArray,
        windows: Sequence[Sequence[Window]] | None,
        *,
        days: Sequence[Window],
        start_node: int = 0,
        end_node: int | None = None,
        windows_by_day: Sequence[Sequence[Sequence[Window]]] | None = None,
        mandatory: Iterable[int] = (),
        forbidden: Iterable[int] = (),
        travel_periods: PeriodTravelTime | None = None,
        group: Sequence[int] | None = None,
        walk_m: FloatArray | None = None,
        walk_budget_m: float | Sequence[float] = float("inf"),
    ) -> Problem:
        """Build a problem from plain lists: windows per node (shared by every day) or per day and node.

        ``days`` gives each route's ``(start_s, end_s)``. When ``windows_by_day`` is given, route ``d`` uses
        ``windows_by_day[d]`` and ``windows`` may be ``None``. Overlapping or touching windows of a node are merged.
        ``group`` gives each node's exclusive group (``-1``: none; default: no groups); ``walk_m`` the walking of
        each leg, of which each route may hold ``walk_budget_m``.

        Raises
        ------
        InvalidProblemError
            If the lists are inconsistent (see :class:`Problem`), or neither kind of windows is given.
        """
        n = len(score)
        if windows_by_day is not None:
            calendars = list(windows_by_day)
            if len(calendars) != len(days):
                raise InvalidProblemError(f"windows_by_day has {len(calendars)} calendars for {len(days)} days")
        elif windows is not None:
            calendars = [windows]
        else:
            raise InvalidProblemError("give the windows of every node, shared (windows) or per day (windows_by_day)")
        if any(len(calendar) != n for calendar in calendars):
            raise InvalidProblemError(f"every calendar must list the windows of all {n} nodes")
        opens: list[float] = []
        closes: list[float] = []
        offset = np.zeros((len(calendars), n + 1), dtype=np.int64)
        for k, calendar in enumerate(calendars):
            for node, node_windows in enumerate(calendar):
                offset[k, node] = len(opens)
                for open_s, close_s in _merge(node_windows):
                    opens.append(open_s)
                    closes.append(close_s)
            offset[k, n] = len(opens)
        day_array = np.asarray(days, dtype=np.float64).reshape(-1, 2)
        return cls(
            score=np.asarray(score, dtype=np.float64),
            service_s=np.asarray(service_s, dtype=np.float64),
            travel_s=np.asarray(travel_s, dtype=np.float64),
            window_open_s=np.asarray(opens, dtype=np.float64),
            window_close_s=np.asarray(closes, dtype=np.float64),
            window_offset=offset,
            day_start_s=day_array[:, 0],
            day_end_s=day_array[:, 1],
            day_calendar=np.arange(len(day_array), dtype=np.int64)
            if windows_by_day is not None
            else np.zeros(len(day_array), dtype=np.int64),
            start_node=start_node,
            end_node=start_node if end_node is None else end_node,
            mandatory=_mask(n, mandatory, "mandatory"),
            forbidden=_mask(n, forbidden, "forbidden"),
            travel_periods=travel_periods,
            group=np.full(n, -1, dtype=np.int64) if group is None else np.asarray(group, dtype=np.int64),
            walk_m=np.zeros((0, 0)) if walk_m is None else np.asarray(walk_m, dtype=np.float64),
            walk_budget_m=np.asarray(walk_budget_m, dtype=np.float64),
        )


_ARRAY_FIELDS: dict[str, type] = {
    "score": np.float64,
    "service_s": np.float64,
    "travel_s": np.float64,
    "window_open_s": np.float64,
    "window_close_s": np.float64,
    "window_offset": np.int64,
    "day_start_s": np.float64,
    "day_end_s": np.float64,
    "day_calendar": np.int64,
    "mandatory": np.bool_,
    "forbidden": np.bool_,
    "group": np.int64,
    "walk_m": np.float64,
}


def _merge(windows: Sequence[Window]) -> list[Window]:
    merged: list[Window] = []
    for open_s, close_s in sorted((float(a), float(b)) for a, b in windows):
        if merged and open_s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], close_s))
        else:
            merged.append((open_s, close_s))
    return merged


def _mask(n: int, nodes: Iterable[int], what: str) -> BoolArray:
    mask = np.zeros(n, dtype=np.bool_)
    for node in nodes:
        if not 0 <= int(node) < n:
            raise InvalidProblemError(f"{what} node {node} is not in 0..{n - 1}")
        mask[int(node)] = True
    return mask


def _validate(problem: Problem) -> None:
    n, m = problem.n_nodes, problem.n_routes
    _check_vectors(problem, n, m)
    travel = problem.travel_s
    if travel.shape != (n, n):
        raise InvalidProblemError(f"travel_s must have shape ({n}, {n}), got {travel.shape}")
    if not np.all(np.isfinite(travel)) or np.any(travel < 0):
        raise InvalidProblemError("travel_s must be finite and non-negative")
    if problem.travel_periods is not None and problem.travel_periods.matrices_s.shape[1] != n:
        raise InvalidProblemError(f"travel_periods must have {n} x {n} matrices")
    _check_windows(problem, n)
    for name in ("start_node", "end_node"):
        node = getattr(problem, name)
        if not 0 <= node < n:
            raise InvalidProblemError(f"{name} {node} is not in 0..{n - 1}")
    both = np.flatnonzero(problem.mandatory & problem.forbidden)
    if both.size:
        raise InvalidProblemError(f"node {int(both[0])} is both mandatory and forbidden")
    for node in (problem.start_node, problem.end_node):
        if problem.mandatory[node]:
            raise InvalidProblemError(f"node {node} is the start or end node and cannot be a mandatory visit")


def _check_vectors(problem: Problem, n: int, m: int) -> None:
    if n < 1 or m < 1:
        raise InvalidProblemError(f"a problem needs at least one node and one day, got {n} nodes and {m} days")
    for name in ("score", "service_s", "mandatory", "forbidden", "group"):
        if getattr(problem, name).shape != (n,):
            raise InvalidProblemError(f"{name} must have shape ({n},), got {getattr(problem, name).shape}")
    for name in ("day_start_s", "day_end_s", "day_calendar"):
        if getattr(problem, name).shape != (m,):
            raise InvalidProblemError(f"{name} must have shape ({m},), got {getattr(problem, name).shape}")
    walk = problem.walk_m
    if walk.size and (walk.shape != (n, n) or not np.all(np.isfinite(walk)) or np.any(walk < 0)):
        raise InvalidProblemError(f"walk_m must be empty or ({n}, {n}) finite and non-negative")
    if problem.walk_budget_m.shape != (m,) or not np.all(problem.walk_budget_m > 0):
        raise InvalidProblemError(f"walk_budget_m must be positive, one number or one per day: {problem.walk_budget_m}")
    if np.any(problem.group < -1) or np.any(problem.group >= n):
        raise InvalidProblemError(f"group ids must be -1 (none) or in 0..{n - 1}")
    if not np.all(np.isfinite(problem.score)):
        raise InvalidProblemError("score must be finite")
    if not np.all(np.isfinite(problem.service_s)) or np.any(problem.service_s < 0):
        raise InvalidProblemError("service_s must be finite and non-negative")
    if not (np.all(np.isfinite(problem.day_start_s)) and np.all(np.isfinite(problem.day_end_s))):
        raise InvalidProblemError("day_start_s and day_end_s must be finite")
    late = np.flatnonzero(problem.day_end_s < problem.day_start_s)
    if late.size:
        raise InvalidProblemError(f"day {int(late[0])} ends before it starts")


def _check_windows(problem: Problem, n: int) -> None:
    offset, opens, closes = problem.window_offset, problem.window_open_s, problem.window_close_s
    if offset.ndim != 2 or offset.shape[1] != n + 1 or offset.shape[0] < 1:
        raise InvalidProblemError(f"window_offset must have shape (calendars, {n + 1}), got {offset.shape}")
    if opens.shape != closes.shape or opens.ndim != 1:
        raise InvalidProblemError("window_open_s and window_close_s must be 1-D arrays of one length")
    if np.any(np.diff(offset, axis=1) < 0) or np.any(offset < 0) or np.any(offset > opens.shape[0]):
        raise InvalidProblemError("window_offset must be non-decreasing along each calendar and within the windows")
    if np.any(problem.day_calendar < 0) or np.any(problem.day_calendar >= offset.shape[0]):
        raise InvalidProblemError(f"day_calendar must name one of the {offset.shape[0]} calendars")
    if not (np.all(np.isfinite(opens)) and np.all(np.isfinite(closes))) or np.any(closes < opens):
        raise InvalidProblemError("every window must be finite with open <= close")
    for calendar in range(offset.shape[0]):
        for node in range(n):
            first, last = offset[calendar, node], offset[calendar, node + 1]
            if last - first > 1 and np.any(opens[first + 1 : last] <= closes[first : last - 1]):
                raise InvalidProblemError(f"windows of node {node} (calendar {calendar}) must be sorted and disjoint")
