"""Exclusive groups and walking budgets in the solver: the trip planner's alternatives and daily walking limit."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from recommender.planner import InvalidProblemError, check_solution, solve
from tests.recommender.test_planner_helpers import line_problem


def _visited(problem_routes: list[list[int]]) -> set[int]:
    return {node for route in problem_routes for node in route}


def test_without_groups_every_node_that_fits_is_visited() -> None:
    solution = solve(line_problem(), time_limit_s=None, max_iterations=20, seed=0)
    assert _visited([list(route.nodes) for route in solution.routes]) == {1, 2, 3, 4}


def test_at_most_one_node_of_a_group_is_visited() -> None:
    problem = line_problem(group=[-1, 3, -1, 3, 3])  # nodes 1, 3 and 4 are alternatives (group id 3)
    solution = solve(problem, time_limit_s=None, max_iterations=20, seed=0)
    routes = [list(route.nodes) for route in solution.routes]
    assert check_solution(problem, routes) == []
    visited = _visited(routes)
    assert len(visited & {1, 3, 4}) == 1
    assert 4 in visited  # the best of the group
    assert 2 in visited


def test_check_solution_names_a_group_visited_twice() -> None:
    problem = line_problem(group=[-1, 1, 1, -1, -1])
    assert any("group 1" in violation for violation in check_solution(problem, [[1, 2]]))


def test_groups_hold_across_days() -> None:
    problem = line_problem(group=[-1, 1, 1, -1, -1], days=[(0.0, 100.0), (0.0, 100.0)])
    solution = solve(problem, time_limit_s=None, max_iterations=20, seed=0)
    routes = [list(route.nodes) for route in solution.routes]
    assert check_solution(problem, routes) == []
    assert len(_visited(routes) & {1, 2}) == 1


def test_walking_budget_keeps_far_nodes_out() -> None:
    positions = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
    walk = np.abs(positions[:, None] - positions[None, :]) * 1000.0
    unlimited = solve(line_problem(walk_m=walk), time_limit_s=None, max_iterations=20, seed=0)
    assert _visited([list(route.nodes) for route in unlimited.routes]) == {1, 2, 3, 4}
    limited = solve(line_problem(walk_m=walk, walk_budget_m=4_000.0), time_limit_s=None, max_iterations=20, seed=0)
    routes = [list(route.nodes) for route in limited.routes]
    for route in routes:
        path = [0, *route, 0]
        assert sum(walk[a, b] for a, b in itertools.pairwise(path)) <= 4_000.0
    assert _visited(routes) == {1, 2}  # out to 2 and back is all 4 km allow


def test_bad_walking_data_is_refused() -> None:
    with pytest.raises(InvalidProblemError, match="walk_m"):
        line_problem(walk_m=np.full((5, 5), -1.0))
    with pytest.raises(InvalidProblemError, match="walk_budget_m"):
        line_problem(walk_budget_m=0.0)
    with pytest.raises(InvalidProblemError, match="group"):
        line_problem(group=[-1, 9, -1, -1, -1])
