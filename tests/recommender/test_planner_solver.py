from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender.planner import (
    InfeasibleProblemError,
    PeriodTravelTime,
    PlannerError,
    Problem,
    check_solution,
    read_instance,
    solve,
)
from tests.recommender.test_planner_helpers import INSTANCES, brute_force_best, line_problem, random_problem


def _assert_consistent(problem: Problem, solution_routes: list[list[int]], score: float) -> None:
    assert check_solution(problem, solution_routes) == []
    assert score == pytest.approx(sum(problem.score[node] for route in solution_routes for node in route))


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(2, 14),
    n_days=st.integers(1, 3),
    triangle=st.booleans(),
    periods=st.booleans(),
    other_end=st.booleans(),
)
def test_routes_are_always_feasible(
    *, seed: int, n: int, n_days: int, triangle: bool, periods: bool, other_end: bool
) -> None:
    rng = np.random.default_rng(seed)
    base = random_problem(rng, n, n_days=n_days, triangle=triangle)
    nodes = rng.permutation(np.arange(1, n))
    mandatory = [int(node) for node in nodes[: int(rng.integers(0, 3))]]
    forbidden = [int(node) for node in nodes[3 : 3 + int(rng.integers(0, 3))]]
    travel_periods = None
    if periods:
        matrices = np.stack([base.travel_s, base.travel_s * rng.uniform(0.3, 2.0), base.travel_s * 0.7])
        travel_periods = PeriodTravelTime(matrices, np.sort(rng.uniform(0, base.day_end_s[0], 3)))
    problem = Problem(
        **{
            **{name: getattr(base, name) for name in base.__dataclass_fields__},
            "mandatory": np.isin(np.arange(n), mandatory),
            "forbidden": np.isin(np.arange(n), forbidden),
            "end_node": n - 1 if other_end and n - 1 not in mandatory else 0,
            "travel_periods": travel_periods,
        }
    )
    try:
        solution = solve(problem, time_limit_s=None, max_iterations=40, seed=seed % 1000)
    except InfeasibleProblemError:
        if n_days == 1 and triangle and not periods and n <= 8:
            assert brute_force_best(problem) == -np.inf
        return
    _assert_consistent(problem, solution.node_lists, solution.score)
    for route in solution.routes:
        for visit in route.visits:
            assert visit.arrival_s <= visit.start_s + 1e-9
            assert visit.departure_s == pytest.approx(visit.start_s + problem.service_s[visit.node])


@pytest.mark.parametrize("triangle", [True, False])
def test_finds_the_optimum_of_small_problems(triangle: bool) -> None:
    rng = np.random.default_rng(20240601 + triangle)
    for _ in range(12):
        problem = random_problem(rng, int(rng.integers(4, 9)), triangle=triangle)
        solution = solve(problem, time_limit_s=None, max_iterations=300, seed=1)
        assert solution.score == brute_force_best(problem)


def test_optimum_with_mandatory_and_forbidden_nodes() -> None:
    rng = np.random.default_rng(7)
    checked = 0
    while checked < 8:
        base = random_problem(rng, 8)
        problem = Problem(
            **{
                **{name: getattr(base, name) for name in base.__dataclass_fields__},
                "mandatory": np.isin(np.arange(8), [1]),
                "forbidden": np.isin(np.arange(8), [2, 3]),
            }
        )
        best = brute_force_best(problem)
        if best == -np.inf:
            with pytest.raises(InfeasibleProblemError):
                solve(problem, time_limit_s=None, max_iterations=10)
            continue
        solution = solve(problem, time_limit_s=None, max_iterations=300, seed=3)
        assert solution.score == best
        assert 1 in solution.node_lists[0]
        assert not {2, 3} & set(solution.node_lists[0])
        checked += 1


def test_deterministic_for_a_seed() -> None:
    problem = random_problem(np.random.default_rng(3), 40, n_days=2)
    first = solve(problem, time_limit_s=None, max_iterations=150, seed=11)
    second = solve(problem, time_limit_s=None, max_iterations=150, seed=11)
    assert first.node_lists == second.node_lists
    assert first.routes == second.routes
    assert first.iterations == second.iterations == 150


def test_takes_the_best_places_of_the_line() -> None:
    problem = line_problem(days=[(0.0, 12.0)])  # four visits of 1 s and 8 s of walking: all of them fit
    solution = solve(problem, time_limit_s=None, max_iterations=20)
    assert solution.score == 10
    assert solution.node_lists in ([[1, 2, 3, 4]], [[4, 3, 2, 1]])
    short = solve(line_problem(days=[(0.0, 10.0)]), time_limit_s=None, max_iterations=50)
    assert short.score == 7  # 3 and 4: 8 s of walking and 2 s of visits
    assert short.routes[0].end_arrival_s == 10.0


def test_multi_day_uses_each_days_opening_hours() -> None:
    every_day = [[(0.0, 100.0)]] * 5
    closed_on_day_0 = [[(0.0, 100.0)], [(0.0, 100.0)], [], [(0.0, 100.0)], [(0.0, 100.0)]]
    problem = line_problem(windows_by_day=[closed_on_day_0, every_day], days=[(0.0, 7.0), (0.0, 7.0)])
    solution = solve(problem, time_limit_s=None, max_iterations=100)
    assert check_solution(problem, solution.node_lists) == []
    # Seven seconds a day: node 3 alone on day 0 (2 is closed), then 1 and 2 on day 1.
    assert solution.score == 6
    assert solution.node_lists[0] == [3]
    assert sorted(solution.node_lists[1]) == [1, 2]


def test_mandatory_node_that_fits_on_no_day() -> None:
    late = line_problem(windows=[[(0, 100)], [(0, 0.5)], [(0, 100)], [(0, 100)], [(0, 100)]], mandatory=[1])
    with pytest.raises(InfeasibleProblemError, match=r"mandatory node 1 fits on no day: day 0: reached at 1"):
        solve(late, time_limit_s=None, max_iterations=5)
    closed = line_problem(windows=[[(0, 100)], [], [(0, 100)], [(0, 100)], [(0, 100)]], mandatory=[1])
    with pytest.raises(InfeasibleProblemError, match=r"day 0: closed"):
        solve(closed, time_limit_s=None, max_iterations=5)
    far = line_problem(days=[(0.0, 8.0)], mandatory=[4])
    with pytest.raises(InfeasibleProblemError, match=r"back at the end node at 9, after the day ends at 8"):
        solve(far, time_limit_s=None, max_iterations=5)


def test_mandatory_nodes_that_do_not_fit_together() -> None:
    windows = [[(0, 100)], [(0, 100)], [(0, 100)], [(0, 100)], [(4, 5)]]
    problem = line_problem(windows=windows, days=[(0.0, 12.0)], mandatory=[1, 4])
    solve(line_problem(windows=windows, days=[(0.0, 12.0)], mandatory=[4]), time_limit_s=None, max_iterations=5)
    # Node 1 then 4 arrives at 1 + 1 + 3 = 5 (fine) but is back at 10; 4 first then 1 is back at 12 -- both fit.
    assert check_solution(problem, solve(problem, time_limit_s=None, max_iterations=5).node_lists) == []
    tight = line_problem(windows=windows, days=[(0.0, 9.5)], mandatory=[1, 4])
    with pytest.raises(InfeasibleProblemError, match=r"mandatory visits \[1, 4\] cannot all be placed"):
        solve(tight, time_limit_s=None, max_iterations=5)


def test_needs_a_budget() -> None:
    with pytest.raises(PlannerError, match="time limit or an iteration bound"):
        solve(line_problem(), time_limit_s=None, max_iterations=None)


def test_time_limit_returns_a_solution() -> None:
    problem = random_problem(np.random.default_rng(5), 30)
    solution = solve(problem, time_limit_s=0.05, seed=2)
    assert check_solution(problem, solution.node_lists) == []
    assert solution.iterations >= 0


def test_reaches_the_best_known_score_of_c101() -> None:
    if not INSTANCES.is_dir():
        pytest.skip("../shared/benchmarks absent")
    problem = read_instance(INSTANCES / "c101.txt")
    solution = solve(problem, time_limit_s=None, max_iterations=4000, seed=0)
    assert solution.score == 320
    assert check_solution(problem, solution.node_lists) == []
