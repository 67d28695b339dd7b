"""Stop ordering: OR-Tools tours and paths against brute force on small asymmetric matrices."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from routing.errors import NoRouteError, RoutingError
from routing.operators import order_stops
from routing.operators.ordering import tour_cost


def brute_force(cost: np.ndarray, start: int, end: int | None) -> float:
    count = cost.shape[0]
    middle = [i for i in range(count) if i not in (start, end)]
    best = np.inf
    for perm in itertools.permutations(middle):
        order = [start, *perm] + ([end] if end is not None else [])
        best = min(best, tour_cost(cost, order, closed=end is None))
    return float(best)


@pytest.mark.parametrize("seed", range(6))
def test_loop_is_optimal_on_small_asymmetric_matrices(seed: int) -> None:
    rng = np.random.default_rng(seed)
    cost = rng.integers(100, 2000, size=(7, 7)).astype(float)
    np.fill_diagonal(cost, 0.0)
    order = order_stops(cost, start=2)
    assert order[0] == 2
    assert sorted(order) == list(range(7))
    assert tour_cost(cost, order, closed=True) == pytest.approx(brute_force(cost, 2, None))


@pytest.mark.parametrize("seed", range(4))
def test_line_is_optimal_and_keeps_its_terminals(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    cost = rng.integers(100, 2000, size=(7, 7)).astype(float)
    np.fill_diagonal(cost, 0.0)
    order = order_stops(cost, start=1, end=5)
    assert (order[0], order[-1]) == (1, 5)
    assert sorted(order) == list(range(7))
    assert tour_cost(cost, order, closed=False) == pytest.approx(brute_force(cost, 1, 5))


def test_points_on_a_street_are_visited_in_street_order() -> None:
    position = np.array([0.0, 400.0, 100.0, 300.0, 200.0])
    cost = np.abs(position[:, None] - position[None, :])
    order = order_stops(cost, start=0, end=1)
    assert order == [0, 2, 4, 3, 1]


def test_one_way_legs_are_respected() -> None:
    # 0 -> 1 -> 2 -> 0 is the only way round (the reverse legs do not exist).
    inf = np.inf
    cost = np.array([[0, 100, inf], [inf, 0, 100], [100, inf, 0]])
    assert order_stops(cost, start=0) == [0, 1, 2]


def test_unroutable_stops_raise() -> None:
    cost = np.array([[0.0, 100.0, np.inf], [100.0, 0.0, np.inf], [np.inf, np.inf, 0.0]])
    with pytest.raises(NoRouteError):
        order_stops(cost, start=0)
    with pytest.raises(NoRouteError):
        order_stops(np.array([[0.0, np.inf], [100.0, 0.0]]), start=0)


def test_bad_input() -> None:
    with pytest.raises(RoutingError, match="square"):
        order_stops(np.zeros((2, 3)))
    with pytest.raises(RoutingError, match="outside"):
        order_stops(np.zeros((3, 3)), start=5)
    with pytest.raises(RoutingError, match="different"):
        order_stops(np.zeros((3, 3)), start=1, end=1)
    assert order_stops(np.zeros((1, 1))) == [0]
