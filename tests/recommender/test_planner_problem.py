from __future__ import annotations

import numpy as np
import pytest

from recommender.errors import RecommenderError
from recommender.planner import InvalidProblemError, PeriodTravelTime, Problem
from tests.recommender.test_planner_helpers import line_problem


def test_from_windows_builds_frozen_arrays() -> None:
    problem = line_problem(windows=[[(0.0, 100.0)], [(5.0, 9.0), (1.0, 2.0), (8.0, 12.0)], [], [(0, 50)], [(3, 4)]])
    assert problem.n_nodes == 5
    assert problem.n_routes == 1
    assert problem.windows(1, 0) == [(1.0, 2.0), (5.0, 12.0)]  # sorted, overlapping windows merged
    assert problem.windows(2, 0) == []
    assert problem.end_node == problem.start_node == 0
    with pytest.raises(ValueError, match="read-only"):
        problem.score[0] = 1.0


def test_windows_by_day() -> None:
    monday = [[(0.0, 100.0)]] * 5
    tuesday = [[(0.0, 100.0)], [], [(0.0, 10.0)], [(0.0, 100.0)], [(0.0, 100.0)]]
    problem = line_problem(windows=monday, windows_by_day=[monday, tuesday], days=[(0, 100), (0, 80)])
    assert problem.n_routes == 2
    assert problem.windows(1, 0) == [(0.0, 100.0)]
    assert problem.windows(1, 1) == []
    assert problem.windows(2, 1) == [(0.0, 10.0)]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"score": [0.0, 1.0, np.nan, 1.0, 1.0]}, "score must be finite"),
        ({"service_s": [0.0, -1.0, 1.0, 1.0, 1.0]}, "service_s"),
        ({"travel_s": np.ones((4, 4))}, "travel_s must have shape"),
        ({"travel_s": -np.ones((5, 5))}, "non-negative"),
        ({"windows": [[(0.0, 100.0)]] * 4}, "windows of all 5 nodes"),
        ({"windows": [[(0.0, 100.0)], [(5.0, 1.0)], [], [], []]}, "open <= close"),
        ({"days": [(10.0, 5.0)]}, "ends before it starts"),
        ({"start_node": 7}, "start_node 7"),
        ({"mandatory": [2], "forbidden": [2]}, "both mandatory and forbidden"),
        ({"mandatory": [9]}, "mandatory node 9"),
        ({"mandatory": [0]}, "start or end node"),
        ({"windows": None}, "give the windows"),
        ({"windows_by_day": [[[(0.0, 1.0)]] * 5], "days": [(0, 5), (0, 5)]}, "1 calendars for 2 days"),
    ],
)
def test_invalid_problems_name_the_fault(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidProblemError, match=message) as error:
        line_problem(**overrides)
    assert isinstance(error.value, RecommenderError)


def test_unsorted_raw_windows_are_rejected() -> None:
    problem = line_problem()
    with pytest.raises(InvalidProblemError, match="sorted and disjoint"):
        Problem(
            **{
                **{name: getattr(problem, name) for name in problem.__dataclass_fields__},
                "window_open_s": np.array([0.0, 5.0, 1.0, 0.0, 0.0, 0.0]),
                "window_close_s": np.array([100.0, 6.0, 2.0, 100.0, 100.0, 100.0]),
                "window_offset": np.array([[0, 1, 3, 4, 5, 6]]),
            }
        )


def test_period_travel_time_waits_for_a_faster_period() -> None:
    slow, fast = np.full((2, 2), 50.0), np.full((2, 2), 10.0)
    travel = PeriodTravelTime(np.stack([slow, fast]), np.array([0.0, 100.0]))
    assert travel.n_periods == 2
    assert travel.travel(0, 1, 0.0) == 50.0  # leaving at 0 arrives at 50, before the fast period
    assert travel.travel(0, 1, 80.0) == 30.0  # waiting until 100 and arriving at 110 beats 130
    assert travel.travel(0, 1, 150.0) == 10.0
    arrivals = [t + travel.travel(0, 1, t) for t in np.linspace(0, 200, 81)]
    assert all(np.diff(arrivals) >= 0)  # first in, first out


def test_period_travel_time_validates() -> None:
    with pytest.raises(InvalidProblemError, match="strictly increasing"):
        PeriodTravelTime(np.ones((2, 3, 3)), np.array([5.0, 5.0]))
    with pytest.raises(InvalidProblemError, match="shape"):
        PeriodTravelTime(np.ones((3, 3)), np.array([0.0]))
    with pytest.raises(InvalidProblemError, match="travel_periods"):
        line_problem(travel_periods=PeriodTravelTime.static(np.ones((3, 3))))


def test_compiled_period_travel_matches_the_protocol() -> None:
    from recommender.planner._route import arrive, latest_depart

    rng = np.random.default_rng(0)
    matrices = rng.uniform(1, 50, size=(4, 3, 3))
    starts = np.array([0.0, 60.0, 90.0, 200.0])
    travel = PeriodTravelTime(matrices, starts)
    for _ in range(300):
        origin, destination = (int(node) for node in rng.integers(0, 3, size=2))
        depart = float(rng.uniform(-20, 300))
        expected = depart + travel.travel(origin, destination, depart)
        assert arrive(matrices, starts, origin, destination, depart) == pytest.approx(expected)
        bound = float(rng.uniform(0, 350))
        latest = latest_depart(matrices, starts, origin, destination, bound)
        assert latest + travel.travel(origin, destination, latest) <= bound + 1e-9
        later = latest + 0.01
        assert later + travel.travel(origin, destination, later) > bound
