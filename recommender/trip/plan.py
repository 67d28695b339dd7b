"""Plan a trip: score the places for the traveller, solve the orienteering problem, expand and re-time the days.

The daily walking budget is a constraint of the solver, on the walking each leg is expected to take (a bus hop's
walks to and from its stops are estimated); a routed day that still walks more than the budget is planned again
with a tighter budget, a few times at most; if it still walks too much, the plan says so in its warnings. So does a day
without the lunch or dinner its window covers, or without any visit (:mod:`recommender.trip.checks`). A day
whose rides of an hour and a half or more take twice as long as all its stops (a lunch or a short sight three hours
from a start out of town) is planned again without the places that far for their visit: the day keeps what is near
and says why it has no lunch.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Final

import numpy as np

from recommender.catalogue import Catalogue, Place
from recommender.city import City
from recommender.planner import InfeasibleProblemError, SearchSettings, solve
from recommender.scoring import Weather, score_places
from recommender.trip.build import (
    EXCURSION_RIDES,
    EXCURSION_S,
    PlaceMatricesFn,
    TripProblem,
    build_trip_problem,
    is_meal_place,
    quickest_rides,
    stop_seconds,
)
from recommender.trip.checks import explained_itinerary
from recommender.trip.errors import MustVisitError
from recommender.trip.expand import DayExpander
from recommender.trip.itinerary import DayPlan, Itinerary, clock
from recommender.trip.occasions import annotate, boosted, prepare
from recommender.trip.request import TripRequest
from recommender.trip.travel import EndpointRows, PeriodMatrices, endpoint_rows, node_matrices
from routing import CityRouter

if TYPE_CHECKING:
    from recommender.preference import PreferenceModel

_ALONE = re.compile(r"mandatory node (\d+) fits on no day: (.*)")
_TOGETHER = re.compile(r"the \d+ mandatory visits \[([\d, ]*)\] cannot all be placed")
_DAY_REASON = re.compile(
    r"day (\d+): (?:(closed)|reached at ([\d.e+]+), after its last window closes at ([\d.e+]+)"
    r"|back at the end node at ([\d.e+]+), after the day ends at ([\d.e+]+))"
)
MAX_WALK_REPLANS: Final[int] = 3
_TIGHTER: Final[float] = 0.9
SEARCH_GROWTH: Final[float] = 1.5
"""A trip of ``d`` days may search ``d ** 1.5`` times as long as one day: ``d`` times the rounds, each over ``d``
routes and more candidates (three days at 20 rounds a day take about 0.5 s here, one day 0.02-0.1 s). The limit is a
safety net: on a machine busy with other work the rounds, not the clock, should end the search, so that one request
gives one plan."""


def plan_trip(
    city: City, router: CityRouter, request: TripRequest, *, model: PreferenceModel | None = None
) -> Itinerary:
    """The itinerary for ``request``; with a learnt ``model`` its blend scores the places, else the hand-set mix.

    Raises
    ------
    recommender.trip.errors.TripError
        For a request that cannot be met, naming the field and the constraint (a closed or unreachable
        must-visit, a window shorter than any visit, unknown must/avoid ids...).
    routing.errors.RoutingError
        If the start or end is outside the area or too far from any street.
    """
    started = time.perf_counter()
    catalogue, request, occasions = prepare(city.catalogue, request)
    city = replace(city, catalogue=catalogue)
    if model is not None:
        scores = model.place_scores(request.interests, context=request.context, liked=request.liked)
    else:
        scores = score_places(city.catalogue, request.interests, context=request.context)
    scores = boosted(scores, occasions)
    periods = router.travel_times.period_departures() if request.mode.value == "bus" else {}
    rows = endpoint_rows(router, request.start, request.end_location, mode=request.mode, periods=periods)
    matrices_for = _matrices_for(router, rows, request)
    trip = build_trip_problem(city.catalogue, request, scores, matrices_for)
    trip, days, score, iterations, warnings = _plan_within_walk_budget(router, trip, request)
    # A festival is worth the ride: an event's place is never judged a trip just to get there.
    events = frozenset(occurrence.event.place_id for occurrence in occasions.occurrences)
    if any(_is_excursion(day, events) for day in days):
        too_far = _too_far_for_their_visit(city.catalogue, request, matrices_for, keep=events)
        if too_far:
            trip = build_trip_problem(city.catalogue, request, scores, matrices_for, exclude=too_far)
            trip, days, score, iterations, warnings = _plan_within_walk_budget(router, trip, request)
    itinerary = explained_itinerary(
        days,
        request,
        trip,
        score=score,
        solve_s=time.perf_counter() - started,
        iterations=iterations,
        warnings=warnings,
    )
    return annotate(itinerary, occasions)


def _plan_within_walk_budget(
    router: CityRouter, trip: TripProblem, request: TripRequest
) -> tuple[TripProblem, list[DayPlan], float, int, list[str]]:
    """Solve and expand; a day whose routed walks exceed the budget is solved again with a tighter one."""
    budgets = [request.walk_budget_m] * request.days
    for attempt in range(MAX_WALK_REPLANS + 1):
        if attempt:
            trip = replace(trip, problem=replace(trip.problem, walk_budget_m=np.asarray(budgets)))
        days, score, iterations, warnings = _solve_and_expand(router, trip, request)
        over = [day.day for day in days if day.walk_m > request.walk_budget_m]
        if not over:
            break
        # The solver plans bus hops with an estimate of their walks; a routed day walked more: plan again with
        # that day's budget in the solver cut by the overshoot.
        for day in over:
            budgets[day] *= request.walk_budget_m / days[day].walk_m * _TIGHTER
    return trip, days, score, iterations, warnings


def _is_excursion(day: DayPlan, events: frozenset[str]) -> bool:
    """Whether the day is mostly a trip just to get somewhere.

    It is when its rides of ``EXCURSION_S`` or more take more than ``EXCURSION_RIDES`` times all its stops together
    (three hours into town for a lunch and a walk round the lake, and three hours back), and it attends no event of
    the trip (a festival is worth the ride).
    """
    if any(visit.place.id in events for visit in day.visits):
        return False
    long_rides = sum(leg.arrive_s - leg.depart_s for leg in day.legs if leg.arrive_s - leg.depart_s >= EXCURSION_S)
    stops = sum(visit.end_s - visit.start_s for visit in day.visits)
    return long_rides > EXCURSION_RIDES * stops


def _too_far_for_their_visit(
    catalogue: Catalogue, request: TripRequest, matrices_for: PlaceMatricesFn, *, keep: frozenset[str]
) -> frozenset[str]:
    """The places too far from the day's start and end for what their visit is worth the ride.

    Those (not must-visits, nor in ``keep``) ``EXCURSION_S`` or more from the start and to the end, in the quickest
    period, whose two rides take more than ``EXCURSION_RIDES`` times their visit (or meal). Judged over the whole
    catalogue, not only the problem's candidates: leaving some out lets others into the pool (the caps on kinds and
    snacks).
    """
    kept = keep | set(request.must_visit)
    places = [place for place in catalogue.places if place.plannable and place.id not in kept]
    there, back = quickest_rides(matrices_for([place.id for place in places]))
    return frozenset(
        place.id
        for place, ride_there, ride_back in zip(places, there, back, strict=True)
        if min(ride_there, ride_back) >= EXCURSION_S
        and ride_there + ride_back > EXCURSION_RIDES * stop_seconds(place, request, meal=is_meal_place(place))
    )


def _matrices_for(router: CityRouter, rows: EndpointRows, request: TripRequest) -> PlaceMatricesFn:
    """Node matrices for the candidates the problem builder keeps."""
    position = {place_id: index for index, place_id in enumerate(router.bundle.matrices.place_ids)}

    def matrices_for(place_ids: list[str]) -> PeriodMatrices:
        place_rows = np.asarray([position[place_id] for place_id in place_ids], dtype=np.int64)
        return node_matrices(
            router,
            place_rows,
            rows,
            mode=request.mode,
            max_walk_leg_m=request.longest_walk_m,
            buffer_s=request.pace.buffer_s,
            rain=request.context.weather is Weather.RAIN,
            window_s=(float(request.window_start_s), float(request.window_end_s)),
        )

    return matrices_for


def _solve_and_expand(
    router: CityRouter, trip: TripProblem, request: TripRequest
) -> tuple[list[DayPlan], float, int, list[str]]:
    try:
        solution = solve(
            trip.problem,
            time_limit_s=request.time_limit_s * trip.problem.n_routes**SEARCH_GROWTH,
            max_iterations=None if request.max_iterations is None else request.max_iterations * trip.problem.n_routes,
            seed=request.seed,
            settings=SearchSettings(),
        )
    except InfeasibleProblemError as exc:
        raise MustVisitError(must_visit_message(str(exc), trip, request)) from exc
    expander = DayExpander(router, trip, request)
    days: list[DayPlan] = []
    warnings: list[str] = []
    for route in solution.routes:
        day, day_warnings = expander.expand(route)
        days.append(day)
        warnings.extend(day_warnings)
    return days, solution.score, solution.iterations, warnings


def must_visit_message(solver_message: str, trip: TripProblem, request: TripRequest) -> str:
    """The planner's reason a must-visit does not fit, told with place names, dates and clock times.

    The planner speaks of node numbers and seconds (``mandatory node 18 fits on no day: day 0: reached at
    34586.1, ...``); the traveller reads ``Temple of Literature (temple-of-literature) fits on no day: on 2026-11-24
    ...``. A message this function does not recognise is replaced by a general one: solver internals never reach
    the traveller.
    """
    alone = _ALONE.match(solver_message)
    if alone:
        name = _node_name(trip, int(alone.group(1)))
        reasons = [_day_reason(match, request) for match in _DAY_REASON.finditer(alone.group(2))]
        return f"{name} fits on no day of the trip: " + "; ".join(reasons or ["no day has room for it"])
    together = _TOGETHER.match(solver_message)
    names = (
        [_node_name(trip, int(node)) for node in together.group(1).split(",") if node.strip()]
        if together
        else [_describe(place) for place in trip.places if place is not None and place.id in request.must_visit]
    )
    days = f"{request.days} days" if request.days > 1 else "the day"
    return (
        f"the must-visit places {', '.join(names)} cannot all fit in {days} "
        f"({clock(request.window_start_s)}-{clock(request.window_end_s)}) with their opening hours and the "
        "travel between them; drop one, or widen the window"
    )


def _describe(place: Place) -> str:
    return f"{place.name_en} ({place.id})"


def _node_name(trip: TripProblem, node: int) -> str:
    place = trip.places[node] if 0 <= node < len(trip.places) else None
    return _describe(place) if place is not None else "a must-visit place"


def _day_reason(match: re.Match[str], request: TripRequest) -> str:
    day = int(match.group(1))
    date = (request.date + dt.timedelta(days=day)).isoformat()
    if match.group(2):
        return f"on {date} it is closed during the window"
    if match.group(3):
        reached, closes = (float(match.group(index)) for index in (3, 4))
        return f"on {date} it is reached at {_clock(reached)}, after it closes at {_clock(closes)}"
    back, ends = (float(match.group(index)) for index in (5, 6))
    return (
        f"on {date} the visit would bring the traveller back to the end at {_clock(back)}, "
        f"after the day's window ends at {_clock(ends)}"
    )


def _clock(seconds: float) -> str:
    return clock(seconds % 86_400)
