"""Turn a trip request into the planner's plain problem: nodes, scores, visit lengths, windows, travel times.

Nodes are ``[start, end, candidate places...]``. Every catalogue place that is not avoided, has a positive
score (or is a must-visit) and is reachable is a candidate. Meals: a restaurant-type place (food and
nothing more, serving meals rather than drinks) may only be visited at lunch or dinner time, as a meal of
the pace's length, and carries a bonus large enough that the plan has a meal whenever the day covers one;
its start window is shorter than the meal, so at most one lunch and one dinner fit in a day. A place inside
another candidate (``part_of``) is not a node of its own: the visit to the other takes it in. What each node
is worth comes from :mod:`recommender.trip.value`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import lru_cache
from typing import Final

import numpy as np

from recommender.catalogue import Catalogue, Place, UnknownPlaceError
from recommender.planner import PeriodTravelTime, Problem
from recommender.scoring import PlaceScore
from recommender.taxonomy import Category, Dish
from recommender.trip.errors import MustVisitError, TripError, WindowTooShortError
from recommender.trip.hours import Window, open_intervals, visit_windows
from recommender.trip.request import TripRequest
from recommender.trip.travel import UNREACHABLE_S, PeriodMatrices
from recommender.trip.value import (
    SHORT_VISIT_FROM_MIN,
    SHORT_VISIT_LEAST_MIN,
    SHORT_VISIT_SHARE,
    repeat_discount,
    stop_cost,
    visit_worth,
)
from routing import format_clock

LUNCH_FROM_S: Final[int] = 11 * 3600 + 30 * 60
DINNER_FROM_S: Final[int] = 18 * 3600
MEAL_START_MARGIN_S: Final[float] = 60.0
"""A meal may start within the meal's length plus the pace's buffer, less this, from lunch or dinner time: two meals
of one window would need the meal, the buffer and a walk between them, so only one ever fits."""
MEAL_BONUS: Final[float] = 1000.0
"""Score of having a meal at all: more than any place is worth, so a plan skips a meal only when none fits."""
EXCURSION_S: Final[float] = 90 * 60.0
EXCURSION_RIDES: Final[float] = 2.0
"""A day whose rides of ``EXCURSION_S`` or more take more than ``EXCURSION_RIDES`` times all its stops is a trip just
to get somewhere (a lunch, or a 45-minute sight, three hours from a start out of town): the planner then plans again
without the places that far for their visit (see :mod:`recommender.trip.plan`).
From the city centre no stop is that far (Bát Tràng, Cổ Loa or Vạn Phúc are under an hour and a half away): city
days are planned as before."""
START_NODE: Final[int] = 0
END_NODE: Final[int] = 1

_DRINKS: Final[frozenset[Dish]] = frozenset(
    {Dish.COFFEE, Dish.EGG_COFFEE, Dish.TEA, Dish.BIA_HOI, Dish.CRAFT_BEER, Dish.COCKTAILS, Dish.CHE, Dish.KEM}
)
_MEAL_CATEGORIES: Final[frozenset[Category]] = frozenset({Category.CUISINE, Category.NIGHTLIFE})
_MAX_MEAL_VISIT_MIN: Final[int] = 120
SAME_KIND_PER_DAY: Final[int] = 2
"""Places of a kind the traveller did not ask for much (no category with interest ``ASKED`` or more) kept as
candidates per day, by their first category: no five pagodas in a row unless pagodas were asked for."""
ASKED: Final[float] = 0.5
SNACKS_PER_DAY: Final[int] = 2
"""Cafés, tea and sweet shops (food places that are not meals) kept as candidates per day: the best-scored
ones. Without a cap a food lover's day fills with coffee, each cup a few hundred metres from the last."""


PlaceMatricesFn = Callable[[list[str]], PeriodMatrices]
"""From candidate place ids to the node matrices over ``[start, end, *place_ids]``."""


class NodeKind(StrEnum):
    """What a node of the trip problem is."""

    START = "start"
    END = "end"
    VISIT = "visit"
    MEAL = "meal"


@dataclass(frozen=True)
class TripProblem:
    """The plain problem and how its nodes map back to the trip."""

    problem: Problem
    places: tuple[Place | None, ...]
    contains: tuple[tuple[Place, ...], ...]
    unreachable: int
    """Candidates open in the window that could not be reached (or left for the end) within the walking limits."""
    kinds: tuple[NodeKind, ...]
    scores: tuple[PlaceScore | None, ...]
    matrices: PeriodMatrices
    far_meals: int = 0
    """Food places not offered as meals because they lie too far from the day's start and end (``exclude``)."""


def is_meal_place(place: Place) -> bool:
    """A restaurant-type place: food (and at most night life), serving meals rather than only drinks or sweets."""
    if Category.CUISINE not in place.categories or not set(place.categories) <= _MEAL_CATEGORIES:
        return False
    if place.visit_min > _MAX_MEAL_VISIT_MIN:
        return False
    return not place.dishes or any(dish not in _DRINKS for dish in place.dishes)


@dataclass(frozen=True)
class _FoodKinds:
    """The ids of a catalogue's meal places and of its food-only places (meals, cafés, tea and sweet shops)."""

    meal: frozenset[str]
    food_only: frozenset[str]

    def is_snack(self, place_id: str, *, meals: bool) -> bool:
        """A café, tea or sweet shop: a food place (and nothing more) that is not a meal place when meals count."""
        return place_id in self.food_only and not (meals and place_id in self.meal)


_FOOD_KINDS: dict[int, tuple[Catalogue, _FoodKinds]] = {}
"""Per catalogue object (held, so its ``id`` stays unique): the classification every plan would otherwise redo
for every place, several times over."""
_FOOD_KINDS_KEPT: Final[int] = 8


def _food_kinds(catalogue: Catalogue) -> _FoodKinds:
    entry = _FOOD_KINDS.get(id(catalogue))
    if entry is not None and entry[0] is catalogue:
        return entry[1]
    kinds = _FoodKinds(
        meal=frozenset(place.id for place in catalogue.places if is_meal_place(place)),
        food_only=frozenset(place.id for place in catalogue.places if set(place.categories) <= _MEAL_CATEGORIES),
    )
    if len(_FOOD_KINDS) >= _FOOD_KINDS_KEPT:
        _FOOD_KINDS.pop(next(iter(_FOOD_KINDS)))
    _FOOD_KINDS[id(catalogue)] = (catalogue, kinds)
    return kinds


def _best_snacks(catalogue: Catalogue, scores: Sequence[PlaceScore], *, keep: int, meals: bool) -> set[str]:
    if keep <= 0:
        return set()
    food = _food_kinds(catalogue)
    ranked = sorted(
        (score.score, place.id)
        for place, score in zip(catalogue.places, scores, strict=True)
        if food.is_snack(place.id, meals=meals)
    )
    return {place_id for _, place_id in ranked[-keep:]}


def _varied(catalogue: Catalogue, scores: Sequence[PlaceScore], request: TripRequest) -> set[str]:
    """Ids kept by the same-kind cap: every place with a category asked for, the best few of each other kind."""
    keep = SAME_KIND_PER_DAY * request.days
    kept: set[str] = set()
    by_kind: dict[Category, list[tuple[float, str]]] = {}
    for place, score in zip(catalogue.places, scores, strict=True):
        kind = place.categories[0]
        if kind is Category.CUISINE or any(request.interests.weight(c) >= ASKED for c in place.categories):
            kept.add(place.id)
        else:
            by_kind.setdefault(kind, []).append((score.score, place.id))
    for ranked in by_kind.values():
        kept.update(place_id for _, place_id in sorted(ranked, reverse=True)[:keep])
    return kept


def meal_windows(request: TripRequest) -> list[Window]:
    """Start windows of lunch and dinner at the request's pace."""
    spread = request.pace.meal_s + request.pace.buffer_s - MEAL_START_MARGIN_S
    return [(float(LUNCH_FROM_S), LUNCH_FROM_S + spread), (float(DINNER_FROM_S), DINNER_FROM_S + spread)]


def check_places(catalogue: Catalogue, request: TripRequest) -> None:
    """Every must-visit and avoided id exists, and none is both.

    Raises
    ------
    TripError
        For an unknown id (field ``must_visit`` or ``avoid``, with suggestions).
    MustVisitError
        For a place that is both a must-visit and avoided.
    """
    for field, ids in (("must_visit", request.must_visit), ("avoid", request.avoid)):
        for place_id in ids:
            try:
                catalogue.get(place_id)
            except UnknownPlaceError as exc:
                raise TripError(f"{field}: {exc}", field=field) from exc
    for place in (catalogue.get(place_id) for place_id in request.must_visit if place_id not in request.avoid):
        if place.visiting != "regular":  # events-only / by-appointment: not an ordinary visit; say how to visit
            raise MustVisitError(f"{place.name_en} ({place.id}) has no regular visits: {place.how_to_visit_en}")
    both = sorted(set(request.must_visit) & set(request.avoid))
    if both:
        raise MustVisitError(f"{both[0]!r} is both a must-visit and avoided")


def build_trip_problem(
    catalogue: Catalogue,
    request: TripRequest,
    scores: Sequence[PlaceScore],
    matrices_for: PlaceMatricesFn,
    *,
    exclude: frozenset[str] = frozenset(),
) -> TripProblem:
    """The problem for ``request`` over ``catalogue`` with the traveller's ``scores`` (catalogue order).

    ``matrices_for(place_ids)`` returns the node matrices for candidate places in that order (see
    :func:`recommender.trip.travel.node_matrices`). Places in ``exclude`` (but must-visits) are left out, and
    the worth of a stop is judged without them: the planner passes the places too far out for their visit.

    Raises
    ------
    TripError, MustVisitError
        For unknown or conflicting must/avoid ids, or a must-visit closed on every day of the trip or
        unreachable.
    WindowTooShortError
        If the day window is shorter than the shortest visit.
    """
    check_places(catalogue, request)
    pace = request.pace
    meals = request.meals
    day_window = (float(request.window_start_s), float(request.window_end_s))
    must = set(request.must_visit)
    avoid = set(request.avoid)
    shortest_s = min(place.visit_min for place in catalogue.places) * 60.0 * pace.visit_factor
    if day_window[1] - day_window[0] < shortest_s:
        raise WindowTooShortError(
            f"the window {format_clock(day_window[0])}-{format_clock(day_window[1])} is shorter than the shortest "
            f"visit ({shortest_s / 60:.0f} min at a {pace.value} pace)"
        )
    candidates: list[tuple[Place, PlaceScore, NodeKind, float, list[list[Window]]]] = []
    food = _food_kinds(catalogue)
    # The caps on kinds and snacks rank what is left: a place left out must not take a nearer one's place.
    ranking = [replace(score, score=-1.0) if score.place_id in exclude else score for score in scores]
    snacks = _best_snacks(catalogue, ranking, keep=SNACKS_PER_DAY * request.days, meals=meals)
    varied = _varied(catalogue, ranking, request)
    far_meals = 0
    for place, score in zip(catalogue.places, scores, strict=True):
        if place.id in avoid or ((score.score <= 0 or not place.plannable) and place.id not in must):
            continue
        if place.id in exclude and place.id not in must:
            far_meals += int(meals and place.id in food.meal)
            continue
        if place.id not in must and (
            (food.is_snack(place.id, meals=meals) and place.id not in snacks) or place.id not in varied
        ):
            continue
        kind = NodeKind.MEAL if meals and place.id in food.meal and place.id not in must else NodeKind.VISIT
        visit_s = stop_seconds(place, request, meal=kind is NodeKind.MEAL)
        windows = [
            _windows(place, request, day, visit_s=visit_s, day_window=day_window, meal=kind is NodeKind.MEAL)
            for day in range(request.days)
        ]
        if not any(windows):
            if place.id in must:
                raise MustVisitError(_closed_message(place, request, visit_s))
            continue
        candidates.append((place, score, kind, visit_s, windows))
    candidates = _with_short_visits(_without_nested(catalogue, candidates, must), request, must, day_window)
    matrices = matrices_for([place.id for place, *_ in candidates])
    reachable = _reachable(matrices)
    fits = _fits_in_a_day(matrices, [visit_s for *_, visit_s, _ in candidates], day_window)
    kept = []
    for index, candidate in enumerate(candidates):
        if reachable[index + 2] and (fits[index] or not exclude or candidate[0].id in must):
            kept.append(index)
        elif candidate[0].id in must:
            raise MustVisitError(
                f"{candidate[0].name_en} ({candidate[0].id}) cannot be reached from the start and back to the end "
                f"{'on foot within the walking limits' if request.mode.value == 'walk' else 'by bus or on foot'}",
            )
    unreachable = len(candidates) - len(kept)
    worths = _worths([candidates[index] for index in kept], food, request, must)
    kept = [index for index, worth in zip(kept, worths, strict=True) if worth > 0.0]
    nodes = np.asarray([START_NODE, END_NODE, *[index + 2 for index in kept]], dtype=np.int64)
    seconds = matrices.seconds[:, nodes[:, None], nodes[None, :]]
    leg_walk_m = matrices.leg_walk_m[nodes[:, None], nodes[None, :]]
    chosen = [candidates[index] for index in kept]
    score_of = [0.0, 0.0, *[worth for worth in worths if worth > 0.0]]
    service = [0.0, 0.0] + [visit_s for *_, visit_s, _ in chosen]
    whole_day = [day_window]
    windows_by_day = [[whole_day, whole_day] + [windows[day] for *_, windows in chosen] for day in range(request.days)]
    mandatory = [position + 2 for position, (place, *_) in enumerate(chosen) if place.id in must]
    first_node: dict[str, int] = {}
    for position, (place, *_) in enumerate(chosen):
        first_node.setdefault(place.id, position + 2)
    alternatives = Counter(place.id for place, *_ in chosen)
    group = [-1, -1] + [first_node[place.id] if alternatives[place.id] > 1 else -1 for place, *_ in chosen]
    kept_matrices = PeriodMatrices(
        seconds, matrices.period_start_s, matrices.walk_m[nodes[:, None], nodes[None, :]], leg_walk_m
    )
    return TripProblem(
        problem=days_problem(
            request,
            kept_matrices,
            day_window,
            score=score_of,
            service_s=service,
            windows_by_day=windows_by_day,
            mandatory=mandatory,
            group=group,
        ),
        places=(None, None, *[place for place, *_ in chosen]),
        contains=((), (), *[_inside(catalogue, place, avoid) for place, *_ in chosen]),
        unreachable=unreachable,
        kinds=(NodeKind.START, NodeKind.END, *[kind for _, _, kind, _, _ in chosen]),
        scores=(None, None, *[score for _, score, *_ in chosen]),
        matrices=kept_matrices,
        far_meals=far_meals,
    )


def days_problem(
    request: TripRequest,
    matrices: PeriodMatrices,
    day_window: Window,
    *,
    score: Sequence[float],
    service_s: Sequence[float],
    windows_by_day: Sequence[Sequence[Sequence[Window]]],
    mandatory: Iterable[int],
    group: Sequence[int] | None = None,
) -> Problem:
    """The planner's problem over the request's days, each from START_NODE to END_NODE within day_window.

    Legs take the matrices' times of their period (when there are several) and their planned walks count against
    the request's walking budget; planning a trip and re-timing a saved one differ only in the nodes' scores,
    visit times, windows and groups.
    """
    seconds = matrices.seconds
    return Problem.from_windows(
        score,
        service_s,
        seconds[0],
        None,
        days=[day_window] * request.days,
        start_node=START_NODE,
        end_node=END_NODE,
        windows_by_day=windows_by_day,
        mandatory=mandatory,
        travel_periods=PeriodTravelTime(seconds, matrices.period_start_s) if seconds.shape[0] > 1 else None,
        group=group,
        walk_m=matrices.leg_walk_m,
        walk_budget_m=request.walk_budget_m,
    )


_Candidate = tuple[Place, PlaceScore, "NodeKind", float, list[list[Window]]]


def _without_nested(catalogue: Catalogue, candidates: list[_Candidate], must: set[str]) -> list[_Candidate]:
    """Candidates less every place that stands inside another candidate (the Turtle Tower inside the lake).

    A place inside another is seen on the visit to the other, so listing both would be the same stop twice; a
    must-visit place keeps its own visit and then stands for the place around it (unless that one is a must-visit
    too, whose visit takes it in).
    """
    ids = {place.id for place, *_ in candidates}
    dropped: set[str] = set()
    for place, *_ in candidates:
        around = [parent.id for parent in catalogue.ancestors(place.id) if parent.id in ids]
        if not around:
            continue
        if place.id in must and not must.intersection(around):
            dropped.update(around)
        else:
            dropped.add(place.id)
    return [candidate for candidate in candidates if candidate[0].id not in dropped]


def _with_short_visits(
    candidates: list[_Candidate], request: TripRequest, must: set[str], day_window: Window
) -> list[_Candidate]:
    """The candidates plus a short visit to every long one that is not a must-visit (the solver picks one of two).

    A traveller short of time sees the Temple of Literature in 45 minutes rather than skipping it for a statue; the
    short visit keeps most of the worth (:func:`recommender.trip.value.time_share`).
    """
    extra: list[_Candidate] = []
    for place, score, kind, visit_s, _ in candidates:
        if kind is not NodeKind.VISIT or place.id in must or place.visit_min < SHORT_VISIT_FROM_MIN:
            continue
        short_s = max(SHORT_VISIT_LEAST_MIN * 60.0, visit_s * SHORT_VISIT_SHARE)
        if short_s >= visit_s:
            continue
        windows = [
            _windows(place, request, day, visit_s=short_s, day_window=day_window, meal=False)
            for day in range(request.days)
        ]
        extra.append((place, score, kind, short_s, windows))
    return candidates + extra


def _inside(catalogue: Catalogue, place: Place, avoid: set[str]) -> tuple[Place, ...]:
    """The places inside ``place`` (and inside those), that a visit to it takes in."""
    return tuple(inner for inner in catalogue.descendants(place.id) if inner.id not in avoid)


def _worths(chosen: list[_Candidate], food: _FoodKinds, request: TripRequest, must: set[str]) -> list[float]:
    """Each candidate's worth to the planner: a visit's worth less a stop's cost, repeats discounted; or a meal.

    Every visit but a must-visit pays the stop's own cost (:func:`recommender.trip.value.stop_cost`), judged on
    the visit alone: a visit worth less than a stop is worth 0 or less and is left out. Kinds are the category the
    traveller likes best in a place (else its first), with cafés and sweet shops apart; the ``k``-th best of a
    kind is then discounted (:func:`recommender.trip.value.repeat_discount`). A meal is worth ``MEAL_BONUS`` (a
    day has its meals whenever one fits) plus, for a traveller who likes food, its worth as a visit.
    """
    likes_food = request.interests.likes_food
    worth = [visit_worth(place, score, visit_s=visit_s) for place, score, _, visit_s, _ in chosen]
    visits = [value for value, (_, _, kind, _, _) in zip(worth, chosen, strict=True) if kind is NodeKind.VISIT]
    cost = stop_cost(visits, days=request.days)
    best: dict[str, float] = {}
    for value, (place, *_) in zip(worth, chosen, strict=True):
        best[place.id] = max(best.get(place.id, 0.0), value)
    by_kind: dict[str, dict[str, Place]] = {}
    for place, _, kind, _, _ in chosen:
        if kind is NodeKind.VISIT:
            by_kind.setdefault(_kind_of(place, food, request), {})[place.id] = place
    discount: dict[str, float] = {}
    for label, places in by_kind.items():
        interest = 0.0 if label == "snack" else request.interests.weight(Category(label))
        for rank, place in enumerate(sorted(places.values(), key=lambda place: -best[place.id])):
            discount[place.id] = repeat_discount(rank, days=request.days, interest=interest)
    net = [
        value - cost if kind is NodeKind.VISIT and place.id not in must else value
        for value, (place, _, kind, _, _) in zip(worth, chosen, strict=True)
    ]
    net = [value * discount.get(place.id, 1.0) for value, (place, *_) in zip(net, chosen, strict=True)]
    return [
        (MEAL_BONUS + (value if likes_food else 0.01 * place.popularity)) if kind is NodeKind.MEAL else value
        for value, (place, _, kind, _, _) in zip(net, chosen, strict=True)
    ]


def _kind_of(place: Place, food: _FoodKinds, request: TripRequest) -> str:
    """The kind of stop a place is to this traveller: a snack, the category they like best in it, or its first."""
    if food.is_snack(place.id, meals=request.meals):
        return "snack"
    weight, category = max((request.interests.weight(c), c) for c in place.categories)
    return category.value if weight > 0 else place.categories[0].value


def _windows(
    place: Place, request: TripRequest, day: int, *, visit_s: float, day_window: Window, meal: bool
) -> list[Window]:
    meals = tuple(meal_windows(request)) if meal else ()
    return list(_start_windows(place.opening_hours, request.day_date(day), visit_s, day_window, meals))


@lru_cache(maxsize=65_536)
def _start_windows(
    opening_hours: str, date: dt.date, visit_s: float, day_window: Window, meals: tuple[Window, ...]
) -> tuple[Window, ...]:
    """Start windows of a visit on a date, within the meal windows when ``meals`` is given.

    Cached: a catalogue has few distinct opening hours and a request few dates, visit lengths and windows.
    """
    windows = visit_windows(open_intervals(opening_hours, date), visit_s=visit_s, day=day_window)
    if not meals:
        return tuple(windows)
    return tuple(
        (max(open_s, meal_open), min(close_s, meal_close))
        for open_s, close_s in windows
        for meal_open, meal_close in meals
        if max(open_s, meal_open) <= min(close_s, meal_close)
    )


def stop_seconds(place: Place, request: TripRequest, *, meal: bool) -> float:
    """How long a stop at ``place`` lasts at the request's pace: a meal's length, or the visit's."""
    return request.pace.meal_s if meal else place.visit_min * 60.0 * request.pace.visit_factor


def quickest_rides(matrices: PeriodMatrices) -> tuple[np.ndarray, np.ndarray]:
    """Per candidate (node 2 on), the quickest ride from the start and to the end over the periods, seconds."""
    seconds = matrices.seconds
    return seconds[:, START_NODE, 2:].min(axis=0), seconds[:, 2:, END_NODE].min(axis=0)


def _fits_in_a_day(matrices: PeriodMatrices, visits_s: Sequence[float], day_window: Window) -> np.ndarray:
    """Candidates whose quickest rides from the start and to the end, with the visit, fit in the day's window.

    One that does not can never be planned; left in, it raises the cost of a stop
    (:func:`recommender.trip.value.stop_cost`) for the places that can. Only the re-plan of a day out of town
    (``exclude``) leaves them out so far: on every plan it changes ten of the 38 personas' city days (more signature
    sights, but one day over its walking budget), which is left for a later round.
    """
    there, back = quickest_rides(matrices)
    return np.asarray(there + np.asarray(visits_s, dtype=np.float64) + back <= day_window[1] - day_window[0])


def _reachable(matrices: PeriodMatrices) -> np.ndarray:
    """Nodes that some period can reach from the start and leave for the end."""
    seconds = matrices.seconds
    from_start = np.any(seconds[:, START_NODE, :] < UNREACHABLE_S, axis=0)
    to_end = np.any(seconds[:, :, END_NODE] < UNREACHABLE_S, axis=0)
    return np.asarray(from_start & to_end)


def _closed_message(place: Place, request: TripRequest, visit_s: float) -> str:
    first = request.date.isoformat()
    last = request.day_date(request.days - 1).isoformat()
    dates = first if request.days == 1 else f"{first} to {last}"
    return (
        f"{place.name_en} ({place.id}) is not open long enough for a {visit_s / 60:.0f}-minute visit between "
        f"{format_clock(request.window_start_s)} and {format_clock(request.window_end_s)} on {dates} "
        f"(opening hours: {place.opening_hours})"
    )


__all__ = [
    "END_NODE",
    "MEAL_BONUS",
    "START_NODE",
    "NodeKind",
    "TripProblem",
    "build_trip_problem",
    "check_places",
    "is_meal_place",
    "meal_windows",
    "quickest_rides",
    "stop_seconds",
]
