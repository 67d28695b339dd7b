"""Visit order of a line's stops: an (asymmetric) travelling-salesman tour or path solved with OR-Tools.

The costs are road distances on the drive graph (one-way streets make them asymmetric). A *loop* is a closed
tour from stop ``start``; a *line* is an open path from ``start`` to ``end`` through every stop. The search is
OR-Tools' routing solver (cheapest-arc first solution, then guided local search) with a solution limit rather
than a wall-clock limit, so the same input gives the same order on every machine.
"""

from __future__ import annotations

import itertools

import numpy as np
from numpy.typing import ArrayLike

from routing.errors import NoRouteError, RoutingError

UNREACHABLE = 10**9
"""Cost of a leg the drive graph cannot make (kept finite for the solver; a tour using one is rejected)."""
_SOLUTION_LIMIT = 400
_TIME_LIMIT_S = 5


def order_stops(cost: ArrayLike, *, start: int = 0, end: int | None = None) -> list[int]:
    """Order all stops to minimise the total cost.

    Parameters
    ----------
    cost
        ``(n, n)`` leg costs (metres); ``inf`` or NaN where no leg exists.
    start
        The first stop (the loop's depot, the line's first terminal).
    end
        The line's last terminal; None for a loop.

    Returns
    -------
    list[int]
        Every stop once, starting with ``start`` (and ending with ``end`` for a line). The loop's return to
        ``start`` is implied.

    Raises
    ------
    RoutingError
        If the matrix is not square or ``start``/``end`` are out of range or equal.
    NoRouteError
        If no order connects the stops on the road network.
    """
    matrix = np.asarray(cost, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise RoutingError(f"the cost matrix must be square, got shape {matrix.shape}")
    count = matrix.shape[0]
    if not 0 <= start < count or (end is not None and not 0 <= end < count):
        raise RoutingError(f"terminals ({start}, {end}) outside the {count} stops")
    if end is not None and end == start:
        raise RoutingError("a line's two terminals must be different stops; use a loop instead")
    if count == 1:
        return [start]
    order = [start, 1 - start] if count == 2 else _solve(matrix, start, end)
    legs = list(zip(order, order[1:] + ([] if end is not None else [order[0]]), strict=False))
    if any(not np.isfinite(matrix[a, b]) for a, b in legs):
        raise NoRouteError("the stops cannot be joined into one bus route on the drive network")
    return order


def _solve(matrix: np.ndarray, start: int, end: int | None) -> list[int]:
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2  # noqa: PLC0415 (heavy; only when solving)

    count = matrix.shape[0]
    integer = np.where(np.isfinite(matrix), np.rint(np.nan_to_num(matrix, nan=0.0)), UNREACHABLE).astype(np.int64)
    manager = (
        pywrapcp.RoutingIndexManager(count, 1, start)
        if end is None
        else pywrapcp.RoutingIndexManager(count, 1, [start], [end])
    )
    model = pywrapcp.RoutingModel(manager)
    table = integer.tolist()

    def leg_cost(from_index: int, to_index: int) -> int:
        return int(table[manager.IndexToNode(from_index)][manager.IndexToNode(to_index)])

    model.SetArcCostEvaluatorOfAllVehicles(model.RegisterTransitCallback(leg_cost))
    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    parameters.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    parameters.solution_limit = _SOLUTION_LIMIT
    parameters.time_limit.seconds = _TIME_LIMIT_S
    solution = model.SolveWithParameters(parameters)
    if solution is None:
        raise NoRouteError("the route solver found no order for the stops")
    order: list[int] = []
    index = model.Start(0)
    while not model.IsEnd(index):
        order.append(manager.IndexToNode(index))
        index = solution.Value(model.NextVar(index))
    if end is not None:
        order.append(manager.IndexToNode(index))
    return order


def tour_cost(cost: ArrayLike, order: list[int], *, closed: bool) -> float:
    """Total cost of visiting ``order`` (returning to the first stop when ``closed``)."""
    matrix = np.asarray(cost, dtype=np.float64)
    legs = list(zip(order, order[1:] + ([order[0]] if closed else []), strict=False))
    return float(sum(matrix[a, b] for a, b in legs))


def nearest_neighbour_order(cost: ArrayLike, stops: list[int], *, start: int | None = None) -> list[int]:
    """The order a person drawing a line would pick: from ``start`` (default: the first) to the nearest unvisited."""
    matrix = np.asarray(cost, dtype=np.float64)
    remaining = list(stops)
    current = remaining.pop(remaining.index(start) if start is not None else 0)
    order = [current]
    while remaining:
        nearest = min(remaining, key=lambda stop: (matrix[current, stop], stop))
        remaining.remove(nearest)
        order.append(nearest)
        current = nearest
    return order


def quick_order(cost: ArrayLike, stops: list[int], *, closed: bool, fixed_ends: bool = False) -> list[int]:
    """A short order of ``stops`` for a candidate line: nearest neighbour improved by 2-opt and moves of one stop.

    ``closed``: a loop (the tour returns to its start); otherwise a two-way line whose cost is the way out plus
    the way back (one-way streets make them differ). ``fixed_ends`` keeps the first and last stop of ``stops``
    as the line's terminals. Cheap enough to order every candidate of a search; :func:`order_stops` (OR-Tools)
    polishes the chosen one.
    """
    matrix = np.asarray(cost, dtype=np.float64)
    matrix = np.where(np.isfinite(matrix), matrix, float(UNREACHABLE))

    def length(order: list[int]) -> float:
        legs = float(sum(matrix[a, b] for a, b in itertools.pairwise(order)))
        if closed:
            return legs + float(matrix[order[-1], order[0]])
        return legs + float(sum(matrix[b, a] for a, b in itertools.pairwise(order)))

    if len(stops) <= 2:
        return list(stops)
    if fixed_ends and not closed:
        middle = nearest_neighbour_order(matrix, [stops[0], *stops[1:-1]], start=stops[0])
        order = [*middle, stops[-1]]
    else:
        order = nearest_neighbour_order(matrix, list(stops))
    best = length(order)
    low = 1 if (closed or fixed_ends) else 0
    high = len(order) - (1 if fixed_ends and not closed else 0)
    improved = True
    while improved:
        improved = False
        for i in range(low, high - 1):
            for j in range(i + 1, high):
                for candidate in (
                    order[:i] + order[i : j + 1][::-1] + order[j + 1 :],
                    order[:i] + order[i + 1 : j + 1] + [order[i]] + order[j + 1 :],
                    [*order[:i], order[j], *order[i:j], *order[j + 1 :]],
                ):
                    value = length(candidate)
                    if value < best - 1e-6:
                        order, best, improved = candidate, value, True
    return order
