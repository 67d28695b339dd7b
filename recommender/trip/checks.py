"""What a planned trip owes the traveller an explanation for: a missed meal, too much walking, an empty day.

A plan is never silently thinner than asked: each day whose window covers lunchtime (11:30-13:30) or dinner time
(18:00-20:00) has that meal or a warning that says why not; a day that walks more than the pace's budget says so;
a day with no visit says what stopped it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from recommender.trip.build import DINNER_FROM_S, LUNCH_FROM_S, NodeKind, TripProblem
from recommender.trip.itinerary import DayPlan, clock
from recommender.trip.request import TripRequest

MEAL_HOURS: Final[dict[str, tuple[int, int]]] = {
    "lunch": (LUNCH_FROM_S, LUNCH_FROM_S + 2 * 3600),
    "dinner": (DINNER_FROM_S, DINNER_FROM_S + 2 * 3600),
}
"""The hours a day window must cover for the traveller to expect that meal."""


def day_warnings_for(days: Sequence[DayPlan], request: TripRequest, trip: TripProblem) -> list[str]:
    """Warnings for every day of a planned trip (empty when each day has what it should)."""
    warnings: list[str] = []
    for day in days:
        label = f"day {day.day + 1}"
        if not day.visits:
            warnings.append(f"{label} has no visits: {_empty_reason(request, trip, day.day)}")
        elif request.meals:
            warnings.extend(f"{label}: {text}" for text in _meal_warnings(day, request, trip))
        if day.walk_m > request.walk_budget_m:
            warnings.append(
                f"{label} walks {day.walk_m / 1000:.1f} km, more than the {request.walk_budget_m / 1000:.1f} km "
                f"budget of a {request.pace.value} day: no plan with less walking was found"
            )
    return warnings


def _meal_warnings(day: DayPlan, request: TripRequest, trip: TripProblem) -> list[str]:
    window = (request.window_start_s, request.window_end_s)
    warnings: list[str] = []
    for meal, (from_s, to_s) in MEAL_HOURS.items():
        if any(visit.kind == meal for visit in day.visits) or window[1] <= from_s or window[0] >= to_s:
            continue
        hours = f"{clock(from_s)}-{clock(to_s)}"
        if window[0] > from_s or window[1] < to_s:
            reason = f"the window {clock(window[0])}-{clock(window[1])} does not cover {meal} time ({hours})"
        else:
            reason = _missed_meal_reason(day, request, trip, (from_s, to_s))
        warnings.append(f"no {meal}: {reason}")
    return warnings


def _missed_meal_reason(day: DayPlan, request: TripRequest, trip: TripProblem, hours: tuple[int, int]) -> str:
    must = set(request.must_visit)
    for visit in day.visits:
        if visit.place.id in must and visit.start_s < hours[1] and visit.end_s > hours[0]:
            return (
                f"the must-visit {visit.place.name_en} ({clock(visit.start_s)}-{clock(visit.end_s)}) and the trip "
                f"to it take the meal hours ({clock(hours[0])}-{clock(hours[1])})"
            )
    problem = trip.problem
    open_food = [
        node
        for node, kind in enumerate(trip.kinds)
        if kind is NodeKind.MEAL and any(open_s < hours[1] for open_s, _ in problem.windows(node, day.day))
    ]
    if not open_food:
        return (
            f"no food place in the catalogue is open then on {day.date.isoformat()} and within reach "
            "of the day's start and end"
        )
    return (
        f"no food place in the catalogue is near enough to this day's stops to fit a "
        f"{request.pace.meal_s / 60:.0f}-minute meal between {clock(hours[0])} and {clock(hours[1])}"
    )


def _empty_reason(request: TripRequest, trip: TripProblem, day: int) -> str:
    places = [node for node, kind in enumerate(trip.kinds) if kind in (NodeKind.VISIT, NodeKind.MEAL)]
    open_places = [node for node in places if trip.problem.windows(node, day)]
    window = f"{clock(request.window_start_s)}-{clock(request.window_end_s)}"
    if not open_places and not trip.unreachable:
        return f"no place is open long enough for a visit in the window {window}"
    return (
        f"no place can be reached and visited within the window {window} and the walking limits "
        f"({request.longest_walk_m / 1000:.1f} km a hop, {request.walk_budget_m / 1000:.1f} km a day)"
    )


__all__ = ["MEAL_HOURS", "day_warnings_for"]
