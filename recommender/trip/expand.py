"""Expand a solved day into real legs and re-time it on them.

The solver plans on matrices (bus times of a representative departure per period); here every hop is
routed for its actual departure time: a walk with street-by-street steps, or a bus journey from RAPTOR.
The day is then re-timed on those legs. A visit whose place would be reached after its last possible
start, or a day that would end after its window, loses the visit at fault (reported as a warning), so
the plan that comes out always keeps every opening hour and the day window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recommender.catalogue import Place
from recommender.locate import Location
from recommender.messages import Message, Name, term
from recommender.planner import Route
from recommender.scoring import Weather
from recommender.trip.build import END_NODE, START_NODE, NodeKind, TripProblem, meal_windows
from recommender.trip.errors import MustVisitError
from recommender.trip.itinerary import DayPlan, PlannedLeg, PlannedVisit, clock
from recommender.trip.request import TravelMode, TripRequest
from recommender.trip.travel import UNREACHABLE_S
from recommender.trip.value import (
    BOARDING_COST_S,
    BUS_ACCESS_TOLERANCE_S,
    BUS_ACCESS_WALK_M,
    WALK_MODE_LONGEST_WALK_M,
    heat_share,
    walk_reluctance,
)
from routing import BusPlan, CityRouter, RoutingError

DAY_S = 86_400
MEAL_LATE_S = 15 * 60
"""A meal may start up to a quarter of an hour after its window's latest start when a bus ran late: lunch at 12:45
rather than none."""


@dataclass(frozen=True)
class _Stop:
    """A point a leg starts or ends at: coordinates, name, and the catalogue place when there is one."""

    lat: float
    lon: float
    name: str
    place: Place | None


class DayExpander:
    """Routes and re-times the days of one trip problem."""

    def __init__(self, router: CityRouter, trip: TripProblem, request: TripRequest) -> None:
        self.router = router
        self.trip = trip
        self.request = request
        self.speed_mps = router.bundle.matrices.speed_mps
        self._cache: dict[tuple[int, int, int], PlannedLeg | None] = {}

    def expand(self, route: Route) -> tuple[DayPlan, list[str]]:
        """The day plan for one solved route, and warnings for any visit it had to drop."""
        nodes = list(route.nodes)
        # The solver's start of each visit (a route built by hand, as an edit does, carries no times: all zero).
        planned = {visit.node: visit.start_s for visit in route.visits if visit.departure_s > visit.start_s}
        warnings: list[str] = []
        while True:
            attempt = self._timed(route.day, nodes, planned)
            if isinstance(attempt, DayPlan):
                return attempt, warnings
            shorter = self._shorter_alternative(nodes[attempt])
            if shorter is not None:
                nodes[attempt] = shorter  # a short visit rather than none
                continue
            dropped = nodes.pop(self._droppable(nodes, attempt))
            place = self.trip.places[dropped]
            name = Name(place.name_en, place.name_vi) if place else term("place.unknown")
            warnings.append(Message("day.dropped", day=route.day + 1, place=name))

    def _shorter_alternative(self, node: int) -> int | None:
        """The shorter visit to the same place (its exclusive group), when the trip offers one."""
        problem = self.trip.problem
        group = int(problem.group[node])
        if group < 0:
            return None
        shorter = [
            int(other)
            for other in np.flatnonzero(problem.group == group)
            if problem.service_s[other] < problem.service_s[node]
        ]
        return max(shorter, key=lambda other: float(problem.service_s[other])) if shorter else None

    def _droppable(self, nodes: list[int], failing: int) -> int:
        """The visit to give up when the one at ``failing`` cannot be made.

        That visit itself, unless it is a must-visit; then the nearest optional visit before it (which frees
        time), else the last optional one.

        Raises
        ------
        MustVisitError
            If only must-visits are left and the real connections still miss a window.
        """
        mandatory = self.trip.problem.mandatory
        if not mandatory[nodes[failing]]:
            return failing
        for position in [*range(failing - 1, -1, -1), *range(len(nodes) - 1, failing, -1)]:
            if not mandatory[nodes[position]]:
                return int(position)
        place = self.trip.places[nodes[failing]]
        name = place.name_en if place else "a must-visit place"
        raise MustVisitError(f"{name} cannot be reached in its opening hours with the real bus and walking connections")

    def _timed(self, day: int, nodes: list[int], planned: dict[int, float]) -> DayPlan | int:
        """The re-timed day, or the position in ``nodes`` of the visit to drop.

        A visit starts in the window the solver planned it in, or an earlier one; never in a later one (a lunch
        missed by two minutes is not served at dinner time, with the rest of the day pushed past its hours).
        """
        problem = self.trip.problem
        day_start = float(problem.day_start_s[day])
        day_end = float(problem.day_end_s[day])
        time_s = day_start
        previous = START_NODE
        visits: list[PlannedVisit] = []
        legs: list[PlannedLeg] = []
        for position, node in enumerate(nodes):
            leg = self._leg(previous, node, time_s)
            if leg is None:
                return position
            late_s = MEAL_LATE_S if self.trip.kinds[node] is NodeKind.MEAL else 0.0
            start_s = _earliest_start(problem.windows(node, day), leg.arrive_s, planned.get(node), late_s=late_s)
            if start_s is None:
                return position
            end_s = start_s + float(problem.service_s[node])
            legs.append(leg)
            visits.append(self._visit(node, leg.arrive_s, start_s, end_s))
            time_s = end_s
            previous = node
        leg = self._leg(previous, END_NODE, time_s)
        if leg is None or leg.arrive_s > day_end + 1e-6:
            if not nodes:
                return self._empty_day(day, time_s)
            return len(nodes) - 1
        legs.append(leg)
        return self._day(day, (day_start, leg.arrive_s), visits, legs)

    def _empty_day(self, day: int, time_s: float) -> DayPlan:
        return self._day(day, (time_s, time_s), [], [])

    def _day(self, day: int, span: tuple[float, float], visits: list[PlannedVisit], legs: list[PlannedLeg]) -> DayPlan:
        start, end = self._stop(START_NODE), self._stop(END_NODE)
        return DayPlan(
            day=day,
            date=self.request.day_date(day),
            start=(start.lat, start.lon),
            end=(end.lat, end.lon),
            start_name=start.name,
            end_name=end.name,
            depart_s=span[0],
            arrive_s=span[1],
            visits=tuple(visits),
            legs=tuple(legs),
        )

    def _visit(self, node: int, arrival_s: float, start_s: float, end_s: float) -> PlannedVisit:
        place = self.trip.places[node]
        score = self.trip.scores[node]
        assert place is not None  # visits are place nodes
        assert score is not None
        kind = "visit"
        reasons = score.reasons
        full_s = place.visit_min * 60.0 * self.request.pace.visit_factor
        if end_s - start_s < full_s - 60.0:
            short = Message("reason.short_visit", minutes=(end_s - start_s) / 60, full_minutes=full_s / 60)
            reasons = (*reasons, short)
        if self.trip.kinds[node] is NodeKind.MEAL:
            lunch, _dinner = meal_windows(self.request)
            kind = "lunch" if start_s <= lunch[1] else "dinner"
            if not self.request.interests.likes_food:
                reasons = (Message("reason.meal_break", meal=term(f"meal.{kind}")),)
            else:
                reasons = (Message("reason.meal_for_you", meal=term(f"meal.{kind}")), *score.reasons[1:])
        return PlannedVisit(
            place=place,
            contains=self.trip.contains[node],
            kind=kind,
            arrival_s=arrival_s,
            start_s=start_s,
            end_s=end_s,
            departure_s=end_s,
            score=score,
            reasons=reasons,
        )

    # -- legs ------------------------------------------------------------------------------------

    def _stop(self, node: int) -> _Stop:
        if node in (START_NODE, END_NODE):
            location: Location = self.request.start if node == START_NODE else self.request.end_location
            label = Name(location.place.name_en, location.place.name_vi) if location.place else location.label
            return _Stop(location.lat, location.lon, label, location.place)
        place = self.trip.places[node]
        assert place is not None
        return _Stop(place.lat, place.lon, Name(place.name_en, place.name_vi), place)

    def _leg(self, origin: int, destination: int, depart_s: float) -> PlannedLeg | None:
        """The leg leaving ``origin`` at ``depart_s`` (None: no way to make it)."""
        key = (origin, destination, int(depart_s) // 60)
        if key not in self._cache:
            self._cache[key] = self._route_leg(origin, destination, depart_s)
        return self._cache[key]

    def _route_leg(self, origin: int, destination: int, depart_s: float) -> PlannedLeg | None:
        source, target = self._stop(origin), self._stop(destination)
        if (source.lat, source.lon) == (target.lat, target.lon):
            return PlannedLeg(
                source.name, target.name, "walk", depart_s, depart_s, 0.0, 0, estimated=False, journey={}, features=()
            )
        walk_m = float(self.trip.matrices.walk_m[origin, destination])
        buffer_s = self.request.pace.buffer_s
        walk_allowed = walk_m <= self.request.longest_walk_m
        if self.request.mode is TravelMode.BUS and 0 <= depart_s < DAY_S:
            perceived_s = self._perceived_walk_s(walk_m, depart_s) + buffer_s if walk_allowed else float("inf")
            planned_s = self._planned_s(origin, destination, depart_s)
            planned_walk = walk_allowed and walk_m / self.speed_mps + buffer_s <= planned_s + 1.0
            if not planned_walk:  # the plan takes the bus here
                leg = self._bus_leg(
                    source, target, depart_s, walk_allowed=walk_allowed, planned_arrival_s=depart_s + planned_s
                )
                # The bus only when it beats the walk as walks are felt (long, hot or wet ones feel longer).
                if leg is not None and (leg.rides == 0 or self._felt_arrival_s(leg) < depart_s + perceived_s):
                    return leg
            # No bus for this hop: a longer walk is all there is (up to the walking mode's longest hop).
            walk_allowed = walk_allowed or walk_m <= WALK_MODE_LONGEST_WALK_M
        if not walk_allowed or not np.isfinite(walk_m):
            return None
        walk = self._walk_leg(source, target, depart_s)
        if (
            walk is not None
            and self.request.mode is TravelMode.BUS
            and walk.walk_m > self.request.longest_walk_m
            and 0 <= depart_s < DAY_S
        ):
            # The street walk came out longer than the matrix said (snaps, a detour): a bus, when there is one.
            bus = self._bus_leg(source, target, depart_s, walk_allowed=False, planned_arrival_s=walk.arrive_s)
            if bus is not None and bus.rides and bus.walk_m < walk.walk_m:
                return bus
        return walk

    def _felt_arrival_s(self, leg: PlannedLeg) -> float:
        """A bus leg's arrival as it is felt: its walks to and from the stops as they feel, and each boarding."""
        walk_s = leg.walk_m / self.speed_mps
        return leg.arrive_s + self._perceived_walk_s(leg.walk_m, leg.depart_s) - walk_s + BOARDING_COST_S * leg.rides

    def _perceived_walk_s(self, walk_m: float, depart_s: float) -> float:
        """The walk as the planner weighed it (see :func:`recommender.trip.value.walk_reluctance`)."""
        if not np.isfinite(walk_m):
            return float("inf")
        walk_s = walk_m / self.speed_mps
        factor = walk_reluctance(
            np.asarray([walk_m]),
            heat_share=heat_share(depart_s, depart_s + walk_s),
            rain=self.request.context.weather is Weather.RAIN,
        )
        return float(walk_s * factor[0])

    def _planned_s(self, origin: int, destination: int, depart_s: float) -> float:
        matrices = self.trip.matrices
        period = int(np.searchsorted(matrices.period_start_s, depart_s, side="right")) - 1
        return float(matrices.seconds[max(period, 0), origin, destination])

    def _walk_leg(self, source: _Stop, target: _Stop, depart_s: float) -> PlannedLeg | None:
        try:
            journey = self.router.walk_route(
                (source.lat, source.lon),
                (target.lat, target.lon),
                from_place=source.place.id if source.place else None,
                to_place=target.place.id if target.place else None,
            )
        except RoutingError:
            return None
        walk_m = journey.length_m + journey.snap_from_m + journey.snap_to_m
        duration_s = journey.duration_s + (journey.snap_from_m + journey.snap_to_m) / self.speed_mps
        feature = journey.to_geojson()
        return PlannedLeg(
            from_name=source.name,
            to_name=target.name,
            mode="walk",
            depart_s=depart_s,
            arrive_s=depart_s + duration_s + self.request.pace.buffer_s,
            walk_m=walk_m,
            rides=0,
            estimated=False,
            journey=journey.to_dict(),
            features=(feature,),
        )

    def _bus_leg(
        self, source: _Stop, target: _Stop, depart_s: float, *, walk_allowed: bool, planned_arrival_s: float
    ) -> PlannedLeg | None:
        """The bus leg with short walks to the stops when they arrive in time (None: no bus, and no walk allowed).

        Stops within ``BUS_ACCESS_WALK_M`` are taken when that arrives as planned, or nearly as early as walking up
        to the router's own limit would.
        """
        plans: list[BusPlan] = []
        for access in ({"max_access_m": BUS_ACCESS_WALK_M}, {}):
            if plans and plans[0].journeys and min(j.arrive_s for j in plans[0].journeys) <= planned_arrival_s:
                break  # the short walks to the stops arrive as planned: no need to look further
            try:
                plans.append(
                    self.router.bus_route(
                        (source.lat, source.lon),
                        (target.lat, target.lon),
                        depart_s=int(depart_s),
                        from_place=source.place.id if source.place else None,
                        to_place=target.place.id if target.place else None,
                        **access,
                    )
                )
            except RoutingError:
                continue
        if not plans:
            return None
        plan = plans[-1]
        options = [min(p.journeys, key=lambda option: (option.arrive_s, option.rides)) for p in plans if p.journeys]
        if options:
            # Short walks to the stops unless they cost more than a few minutes against the router's own limit.
            journey = options[0]
            if journey.arrive_s > options[-1].arrive_s + BUS_ACCESS_TOLERANCE_S:
                journey = options[-1]
        elif plan.walk_only is not None and (walk_allowed or plan.walk_only.estimated):
            journey = plan.walk_only
        else:
            return None
        if journey.arrive_s - depart_s >= UNREACHABLE_S:
            return None
        collection = journey.to_geojson()
        return PlannedLeg(
            from_name=source.name,
            to_name=target.name,
            mode="bus" if journey.rides else "walk",
            depart_s=depart_s,
            arrive_s=float(journey.arrive_s) + self.request.pace.buffer_s,
            walk_m=journey.walk_m,
            rides=journey.rides,
            estimated=journey.estimated,
            journey=journey.to_dict(),
            features=tuple(collection["features"]),
        )


def _earliest_start(
    windows: list[tuple[float, float]], arrival_s: float, planned_s: float | None = None, *, late_s: float = 0.0
) -> float | None:
    """The first moment at or after arrival inside one of the start windows (None: all have passed).

    With ``planned_s``, only the windows up to the one holding the planned start count, the last of them ``late_s``
    longer.
    """
    if planned_s is not None:
        upto = next((i for i, (_, close_s) in enumerate(windows) if planned_s <= close_s + 1e-6), len(windows) - 1)
        windows = [*windows[:upto], (windows[upto][0], windows[upto][1] + late_s)] if windows else windows
    for open_s, close_s in windows:
        if arrival_s <= close_s + 1e-6:
            return max(arrival_s, open_s)
    return None


__all__ = ["DayExpander", "clock"]
