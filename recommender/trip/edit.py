"""Re-time a trip whose visits the traveller edited: reordered, removed, added, or set to a chosen time.

The edited days are not searched again: their visits are taken as given, in order, and each day is routed and
re-timed by the planner's own :class:`~recommender.trip.expand.DayExpander` (real walks and buses for each leg's
departure time, opening hours on the day's date, the day window). Where the planner would drop a visit that does
not fit, an edit is refused instead, naming the visit (:class:`VisitDoesNotFitError`): the traveller chose it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

from recommender.catalogue import Place, UnknownPlaceError
from recommender.city import City
from recommender.planner import Route, Visit
from recommender.scoring import Weather, score_places
from recommender.trip.build import NodeKind, TripProblem, days_problem, meal_windows
from recommender.trip.checks import explained_itinerary
from recommender.trip.errors import TripError
from recommender.trip.expand import DayExpander
from recommender.trip.hours import Window, open_intervals, visit_windows
from recommender.trip.itinerary import DayPlan, Itinerary, clock
from recommender.trip.request import TravelMode, TripRequest
from recommender.trip.travel import endpoint_rows, node_matrices
from routing import CityRouter

START_TOLERANCE_S: Final[float] = 60.0
"""A visit asked for at a time may start up to this much later (the planner's clocks are to the minute)."""


@dataclass(frozen=True)
class EditedVisit:
    """One visit of an edited day.

    Attributes
    ----------
    place_id
        The catalogue place.
    meal
        A lunch or dinner (it lasts the pace's meal and is labelled by its time) rather than a visit.
    duration_s
        How long the visit lasts; None: the meal's length, else the place's usual visit at the trip's pace.
    start_s
        The time the traveller wants it to start (seconds after midnight): they wait if early, and a visit that
        cannot be reached by then does not fit. None: as soon as it is reached and open.
    """

    place_id: str
    meal: bool = False
    duration_s: float | None = None
    start_s: float | None = None


class VisitDoesNotFitError(TripError):
    """An edited visit cannot be made: unknown or unplannable place, closed, out of reach, or past the day's end.

    Attributes
    ----------
    day, position : int
        The visit's day and its place in that day's list (both 0-based); ``field`` is ``days.<day>.visits.<position>``.
    place_id : str
        The place asked for.
    suggestions : tuple of str
        For an unknown place id, the ids that look like it.
    """

    def __init__(
        self, message: str, *, day: int, position: int, place_id: str, suggestions: Sequence[str] = ()
    ) -> None:
        super().__init__(message, field=f"days.{day}.visits.{position}")
        self.day = day
        self.position = position
        self.place_id = place_id
        self.suggestions = tuple(suggestions)


@dataclass(frozen=True)
class _Entry:
    """An edited visit resolved to its place, day, position and length."""

    day: int
    position: int
    place: Place
    visit: EditedVisit
    visit_s: float


def retime_trip(
    city: City, router: CityRouter, request: TripRequest, days: Sequence[Sequence[EditedVisit]]
) -> Itinerary:
    """The itinerary of ``request`` with exactly these visits each day, in this order, routed and re-timed.

    Parameters
    ----------
    city, router
        The city and its router (as for :func:`recommender.trip.plan_trip`).
    request
        The trip the plan was made for: start, end, dates, window, mode, pace, interests (for the reasons).
    days
        One list of visits per day of the request (an empty list: a day without visits).

    Raises
    ------
    VisitDoesNotFitError
        Naming the first visit that cannot be made: an unknown place (with suggestions) or one the bundle cannot
        route to, a place closed at that time on that date, or a visit the real connections cannot reach in its
        hours (or by its chosen time), or after which the day's end cannot be reached within the window.
    TripError
        If ``days`` does not have one list per day of the request.
    routing.errors.RoutingError
        If the start or end is outside the area or too far from any street.
    """
    started = time.perf_counter()
    if len(days) != request.days:
        raise TripError(f"the trip has {request.days} days; the edit gives {len(days)}", field="days")
    entries = _entries(city, router, request, days)
    trip = _trip_problem(city, router, request, entries)
    expander = _EditExpander(router, trip, request, entries)
    planned: list[DayPlan] = []
    node = 2
    for day, visits in enumerate(days):
        nodes = list(range(node, node + len(visits)))
        node += len(visits)
        route = Route(
            day=day,
            visits=tuple(Visit(node=n, arrival_s=0.0, start_s=0.0, departure_s=0.0) for n in nodes),
            score=0.0,
            depart_s=float(request.window_start_s),
            end_arrival_s=float(request.window_end_s),
        )
        plan, _ = expander.expand(route)  # the expander raises rather than drop (see _EditExpander)
        planned.append(plan)
    score = sum(visit.score.score for day in planned for visit in day.visits)
    return explained_itinerary(planned, request, trip, score=score, solve_s=time.perf_counter() - started, iterations=0)


def _entries(
    city: City, router: CityRouter, request: TripRequest, days: Sequence[Sequence[EditedVisit]]
) -> list[_Entry]:
    """Every edited visit with its place and length, day by day."""
    known = set(router.bundle.matrices.place_ids)
    entries: list[_Entry] = []
    for day, visits in enumerate(days):
        for position, visit in enumerate(visits):
            try:
                place = city.catalogue.get(visit.place_id)
            except UnknownPlaceError as exc:
                raise VisitDoesNotFitError(
                    str(exc), day=day, position=position, place_id=visit.place_id, suggestions=exc.suggestions
                ) from exc
            if place.id not in known or place.visiting != "regular":
                raise VisitDoesNotFitError(
                    f"{place.name_en} ({place.id}) cannot be planned as a visit: {place.how_to_visit_en}",
                    day=day,
                    position=position,
                    place_id=place.id,
                )
            length_s = request.pace.meal_s if visit.meal else place.visit_min * 60.0 * request.pace.visit_factor
            entries.append(_Entry(day, position, place, visit, visit.duration_s or length_s))
    return entries


def _trip_problem(city: City, router: CityRouter, request: TripRequest, entries: list[_Entry]) -> TripProblem:
    """The planner's problem over ``[start, end, *visits]``: every visit mandatory on its own day only."""
    periods = router.travel_times.period_departures() if request.mode is TravelMode.BUS else {}
    rows = endpoint_rows(router, request.start, request.end_location, mode=request.mode, periods=periods)
    position = {place_id: index for index, place_id in enumerate(router.bundle.matrices.place_ids)}
    day_window = (float(request.window_start_s), float(request.window_end_s))
    matrices = node_matrices(
        router,
        np.asarray([position[entry.place.id] for entry in entries], dtype=np.int64),
        rows,
        mode=request.mode,
        max_walk_leg_m=request.longest_walk_m,
        buffer_s=request.pace.buffer_s,
        rain=request.context.weather is Weather.RAIN,
        window_s=day_window,
    )
    calendars: list[list[list[Window]]] = []
    for day in range(request.days):
        calendar: list[list[Window]] = [[day_window], [day_window]]
        calendar += [_start_windows(entry, request, day_window) if entry.day == day else [] for entry in entries]
        calendars.append(calendar)
    problem = days_problem(
        request,
        matrices,
        day_window,
        score=[0.0, 0.0, *[1.0] * len(entries)],
        service_s=[0.0, 0.0, *[entry.visit_s for entry in entries]],
        windows_by_day=calendars,
        mandatory=range(2, len(entries) + 2),
    )
    scores = dict(
        zip(
            (place.id for place in city.catalogue.places),
            score_places(city.catalogue, request.interests, context=request.context),
            strict=True,
        )
    )
    avoid = set(request.avoid)
    return TripProblem(
        problem=problem,
        places=(None, None, *[entry.place for entry in entries]),
        contains=(
            (),
            (),
            *[
                tuple(inner for inner in city.catalogue.descendants(entry.place.id) if inner.id not in avoid)
                for entry in entries
            ],
        ),
        unreachable=0,
        kinds=(
            NodeKind.START,
            NodeKind.END,
            *[NodeKind.MEAL if entry.visit.meal else NodeKind.VISIT for entry in entries],
        ),
        scores=(None, None, *[scores[entry.place.id] for entry in entries]),
        matrices=matrices,
    )


def _start_windows(entry: _Entry, request: TripRequest, day_window: Window) -> list[Window]:
    """When the visit may start on its day: in the place's hours and the window, at the chosen time if any.

    A meal without a chosen time starts at lunch or dinner time, as the planner has it
    (:func:`recommender.trip.build.meal_windows`).

    Raises
    ------
    VisitDoesNotFitError
        If there is no such time (closed that day, or at that time).
    """
    date = request.day_date(entry.day)
    windows = visit_windows(open_intervals(entry.place.opening_hours, date), visit_s=entry.visit_s, day=day_window)
    asked = entry.visit.start_s
    if entry.visit.meal and asked is None:  # as the planner does: at lunch or dinner time
        meals = meal_windows(request)
        windows = [
            (max(open_s, meal_open), min(close_s, meal_close))
            for open_s, close_s in windows
            for meal_open, meal_close in meals
            if max(open_s, meal_open) <= min(close_s, meal_close)
        ]
    if asked is not None:
        latest = asked + START_TOLERANCE_S
        windows = [(max(open_s, asked), min(close_s, latest)) for open_s, close_s in windows]
        windows = [(open_s, close_s) for open_s, close_s in windows if open_s <= close_s]
    if not windows:
        when = (
            f"at {clock(asked)}" if asked is not None else f"between {clock(day_window[0])} and {clock(day_window[1])}"
        )
        raise VisitDoesNotFitError(
            f"{entry.place.name_en} ({entry.place.id}) is not open for a {entry.visit_s / 60:.0f}-minute visit "
            f"{when} on {date.isoformat()} (opening hours: {entry.place.opening_hours})",
            day=entry.day,
            position=entry.position,
            place_id=entry.place.id,
        )
    return windows


class _EditExpander(DayExpander):
    """The planner's day expander, refusing (rather than dropping or shortening) a visit that does not fit."""

    def __init__(self, router: CityRouter, trip: TripProblem, request: TripRequest, entries: list[_Entry]) -> None:
        super().__init__(router, trip, request)
        self._entries = entries

    def _shorter_alternative(self, node: int) -> int | None:
        del node
        return None  # the traveller chose the visit's length

    def _droppable(self, nodes: list[int], failing: int) -> int:
        entry = self._entries[nodes[failing] - 2]
        asked = entry.visit.start_s
        when = f"by {clock(asked)}" if asked is not None else "within its opening hours"
        raise VisitDoesNotFitError(
            f"{entry.place.name_en} ({entry.place.id}) no longer fits day {entry.day + 1}: with the real walks and "
            f"buses it cannot be reached {when} and still leave time to reach the day's end by "
            f"{clock(self.request.window_end_s)}",
            day=entry.day,
            position=entry.position,
            place_id=entry.place.id,
        )


__all__ = ["START_TOLERANCE_S", "EditedVisit", "VisitDoesNotFitError", "retime_trip"]
