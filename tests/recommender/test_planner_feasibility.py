from __future__ import annotations

import numpy as np
import pytest

from recommender.planner import PeriodTravelTime, check_route, check_solution
from tests.recommender.test_planner_helpers import line_problem


def test_feasible_route_has_no_violation() -> None:
    problem = line_problem()
    assert check_route(problem, [1, 2, 3, 4]) == []
    assert check_route(problem, []) == []
    assert check_solution(problem, [[4, 3]]) == []


@pytest.mark.parametrize(
    ("route", "message"),
    [
        ([1, 7], "node 7 does not exist"),
        ([1, -1], "node -1 does not exist"),
        ([1, 0, 2], "node 0 is the start or end node"),
        ([1, 2, 1], "node 1 is visited twice"),
    ],
)
def test_bad_nodes(route: list[int], message: str) -> None:
    assert any(message in violation for violation in check_route(line_problem(), route))


def test_forbidden_node() -> None:
    problem = line_problem(forbidden=[3])
    assert check_route(problem, [1, 3]) == ["position 1: node 3 is forbidden"]


def test_window_missed() -> None:
    # Node 2 closes at 3: via node 1 (arrive 1, leave 2) it is reached at 3, fine; via 4 it is reached too late.
    problem = line_problem(windows=[[(0, 100)], [(0, 100)], [(0, 3)], [(0, 100)], [(0, 100)]])
    assert check_route(problem, [1, 2]) == []
    violations = check_route(problem, [4, 2])
    assert violations == ["position 1: node 2 is reached at 7, after its last window closes at 3"]


def test_waiting_for_the_second_window_is_allowed() -> None:
    problem = line_problem(windows=[[(0, 100)], [(0, 0.5), (10, 12)], [(0, 100)], [(0, 100)], [(0, 100)]])
    assert check_route(problem, [1, 2]) == []  # arrives at 1, waits until 10, leaves at 11
    tight = line_problem(windows=[[(0, 100)], [(0, 0.5), (10, 12)], [(0, 11.9)], [(0, 100)], [(0, 100)]])
    assert check_route(tight, [1, 2]) == ["position 1: node 2 is reached at 12, after its last window closes at 11.9"]


def test_closed_day() -> None:
    problem = line_problem(windows=[[(0, 100)], [], [(0, 100)], [(0, 100)], [(0, 100)]])
    assert check_route(problem, [1]) == ["position 0: node 1 is closed on day 0"]


def test_day_end_exceeded() -> None:
    problem = line_problem(days=[(0.0, 9.0)])
    assert check_route(problem, [1, 2, 3]) == []  # back at 3 + 3 + 3 = 9
    assert check_route(problem, [1, 2, 4]) == ["the route reaches end node 0 at 11, after day 0 ends at 9"]


def test_different_end_node_and_day_start() -> None:
    problem = line_problem(end_node=4, days=[(10.0, 17.0)])
    assert check_route(problem, [2, 3]) == []  # leave 10, 2 at 12-13, 3 at 14-15, end 4 at 16
    assert check_route(problem, [3, 1]) != []


def test_unknown_day() -> None:
    assert check_route(line_problem(), [1], day=3) == ["day 3 is not one of the problem's 1 days"]


def test_solution_level_violations() -> None:
    problem = line_problem(days=[(0, 100), (0, 100)], mandatory=[4])
    violations = check_solution(problem, [[1, 2], [2, 3]])
    assert "node 2 is visited on several days [0, 1]" in violations
    assert "mandatory nodes [4] are not visited" in violations
    assert check_solution(problem, [[1], [2], [3]]) == ["3 routes for a problem of 2 days"]
    assert check_solution(problem, [[1, 2, 4], [3]]) == []


def test_time_dependent_travel() -> None:
    slow = np.abs(np.arange(5.0)[:, None] - np.arange(5.0)[None, :]) * 10
    periods = PeriodTravelTime(np.stack([slow, slow / 10]), np.array([0.0, 50.0]))
    problem = line_problem(travel_periods=periods, days=[(0.0, 60.0)])
    # Leaving at 0 in the slow period: node 4 reached at 40 (waiting until 50 would arrive at 54); back by 55.
    assert check_route(problem, [4]) == []
    assert check_route(line_problem(days=[(0.0, 60.0)], travel_s=slow), [4, 3]) != []
