"""The search's pure parts: stop orders (nearest neighbour, 2-opt) and the Pareto set."""

from __future__ import annotations

import itertools
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from routing.operators import nearest_neighbour_order, quick_order
from routing.operators.search import pareto_set

# Five stops on a line at 0, 1, 2, 3, 10 km; the road back is 20 % longer (one-way streets).
POSITIONS = np.array([0.0, 1.0, 2.0, 3.0, 10.0]) * 1000
COST = np.abs(POSITIONS[:, None] - POSITIONS[None, :]) * np.where(POSITIONS[:, None] > POSITIONS[None, :], 1.2, 1.0)


def loop_length(order: list[int]) -> float:
    return float(sum(COST[a, b] for a, b in itertools.pairwise([*order, order[0]])))


def test_nearest_neighbour_goes_to_the_nearest_unvisited() -> None:
    assert nearest_neighbour_order(COST, [2, 0, 4, 1, 3]) == [2, 3, 1, 0, 4]  # forward is cheaper
    assert nearest_neighbour_order(COST, [0, 4, 1], start=4) == [4, 1, 0]


def test_quick_order_finds_the_shortest_loop_and_keeps_terminals() -> None:
    stops = [3, 0, 4, 1, 2]
    order = quick_order(COST, stops, closed=True)
    assert sorted(order) == sorted(stops)
    best = min(loop_length([3, *p]) for p in itertools.permutations([0, 1, 2, 4]))
    assert loop_length(order) == pytest.approx(best)
    line = quick_order(COST, [4, 2, 0, 3], closed=False, fixed_ends=True)
    assert (line[0], line[-1]) == (4, 3)
    assert sorted(line) == [0, 2, 3, 4]


def candidate(fleet: int, benefit: float) -> Any:
    return SimpleNamespace(metrics=SimpleNamespace(fleet_size=fleet), score=SimpleNamespace(benefit_min=benefit))


def test_pareto_set_keeps_fewer_buses_or_more_benefit() -> None:
    lines = [candidate(2, 1.0), candidate(2, 1.5), candidate(3, 1.2), candidate(4, 2.0), candidate(5, 1.9)]
    front = pareto_set(lines)
    assert [(c.metrics.fleet_size, c.score.benefit_min) for c in front] == [(2, 1.5), (4, 2.0)]
