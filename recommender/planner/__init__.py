"""The itinerary planner: an orienteering solver with time windows over a plain problem.

The same :class:`Problem` describes a Hanoi trip, an OPTW benchmark instance or a tour-dataset query; :func:`solve`
picks and orders the visits of every day; :func:`check_route` / :func:`check_solution` re-check any plan
independently of the solver.
"""

from recommender.planner.benchmark import run_optw_benchmark
from recommender.planner.errors import InfeasibleProblemError, InvalidProblemError, MalformedInstanceError, PlannerError
from recommender.planner.feasibility import check_route, check_solution
from recommender.planner.optw_io import read_instance, read_toptw, read_ttdp
from recommender.planner.problem import PeriodTravelTime, Problem, TravelTime
from recommender.planner.solution import Route, Solution, Visit
from recommender.planner.solver import SearchSettings, solve

__all__ = [
    "InfeasibleProblemError",
    "InvalidProblemError",
    "MalformedInstanceError",
    "PeriodTravelTime",
    "PlannerError",
    "Problem",
    "Route",
    "SearchSettings",
    "Solution",
    "TravelTime",
    "Visit",
    "check_route",
    "check_solution",
    "read_instance",
    "read_toptw",
    "read_ttdp",
    "run_optw_benchmark",
    "solve",
]
