"""What a planned trip owes the traveller an explanation for: a missed meal, too much walking, an empty day.

A plan is never silently thinner than asked: each day whose window covers lunchtime (11:30-13:30) or dinner time
(18:00-20:00) has that meal or a warning that says why not; a day that walks more than the pace's budget says so;
a day with no visit says what stopped it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from recommender.messages import Message, Name, term
from recommender.trip.build import DINNER_FROM_S, EXCURSION_S, LUNCH_FROM_S, NodeKind, TripProblem
from recommender.trip.itinerary import DayPlan, Itinerary, clock
from recommender.trip.request import TripRequest

MEAL_HOURS: Final[dict[str, tuple[int, int]]] = {
    "lunch": (LUNCH_FROM_S, LUNCH_FROM_S + 2 * 3600),
    "dinner": (DINNER_FROM_S, DINNER_FROM_S + 2 * 3600),
}
"""The hours a day window must cover for the traveller to expect that meal."""


def explained_itinerary(
    days: Sequence[DayPlan],
    request: TripRequest,
    trip: TripProblem,
    *,
    score: float,
    solve_s: float,
    iterations: int,
    warnings: Sequence[str] = (),
) -> Itinerary:
    """The planned days as the traveller gets them: what was asked, and `warnings` followed by each day's own."""
    return Itinerary(
        days=tuple(days),
        mode=request.mode.value,
        pace=request.pace.value,
        interests={category.value: weight for category, weight in request.interests.weights.items()},
        score=score,
        solve_s=solve_s,
        iterations=iterations,
        warnings=(*warnings, *day_warnings_for(days, request, trip)),
    )


def day_warnings_for(days: Sequence[DayPlan], request: TripRequest, trip: TripProblem) -> list[str]:
    """Warnings for every day of a planned trip (empty when each day has what it should).

    Each is a :class:`~recommender.messages.Message` (a code and its parameters, English as a ``str``).
    """
    warnings: list[str] = []
    for day in days:
        number = day.day + 1
        if not day.visits:
            warnings.append(_empty_day(request, trip, day.day))
        elif request.meals:
            warnings.extend(_meal_warnings(day, request, trip))
        if day.walk_m > request.walk_budget_m:
            warnings.append(
                Message(
                    "day.walk_over_budget",
                    day=number,
                    walk_km=day.walk_m / 1000,
                    budget_km=request.walk_budget_m / 1000,
                    pace=term(f"pace.{request.pace.value}"),
                )
            )
    return warnings


def _meal_warnings(day: DayPlan, request: TripRequest, trip: TripProblem) -> list[Message]:
    window = (request.window_start_s, request.window_end_s)
    warnings: list[Message] = []
    for meal, (from_s, to_s) in MEAL_HOURS.items():
        if any(visit.kind == meal for visit in day.visits) or window[1] <= from_s or window[0] >= to_s:
            continue
        about = {"day": day.day + 1, "meal": term(f"meal.{meal}"), "hours": f"{clock(from_s)}-{clock(to_s)}"}
        if window[0] > from_s or window[1] < to_s:
            warnings.append(
                Message(
                    "day.meal.window",
                    **about,
                    window=f"{clock(window[0])}-{clock(window[1])}",
                    meal_time=term(f"meal_time.{meal}"),
                )
            )
        else:
            warnings.append(_missed_meal(day, request, trip, (from_s, to_s), about))
    return warnings


def _missed_meal(
    day: DayPlan, request: TripRequest, trip: TripProblem, hours: tuple[int, int], about: dict[str, Any]
) -> Message:
    must = set(request.must_visit)
    for visit in day.visits:
        if visit.place.id in must and visit.start_s < hours[1] and visit.end_s > hours[0]:
            return Message(
                "day.meal.must_visit",
                **about,
                place=Name(visit.place.name_en, visit.place.name_vi),
                visit=f"{clock(visit.start_s)}-{clock(visit.end_s)}",
            )
    problem = trip.problem
    open_food = [
        node
        for node, kind in enumerate(trip.kinds)
        if kind is NodeKind.MEAL and any(open_s < hours[1] for open_s, _ in problem.windows(node, day.day))
    ]
    if not open_food and trip.far_meals:
        return Message("day.meal.excursion", **about, minutes=EXCURSION_S / 60)
    if not open_food:
        return Message("day.meal.closed", **about, date=day.date)
    return Message(
        "day.meal.far",
        **about,
        meal_minutes=request.pace.meal_s / 60,
        hours_start=clock(hours[0]),
        hours_end=clock(hours[1]),
    )


def _empty_day(request: TripRequest, trip: TripProblem, day: int) -> Message:
    places = [node for node, kind in enumerate(trip.kinds) if kind in (NodeKind.VISIT, NodeKind.MEAL)]
    open_places = [node for node in places if trip.problem.windows(node, day)]
    window = f"{clock(request.window_start_s)}-{clock(request.window_end_s)}"
    if not open_places and not trip.unreachable:
        return Message("day.empty.closed", day=day + 1, window=window)
    return Message(
        "day.empty.unreachable",
        day=day + 1,
        window=window,
        hop_km=request.longest_walk_m / 1000,
        day_km=request.walk_budget_m / 1000,
    )


__all__ = ["MEAL_HOURS", "day_warnings_for"]
