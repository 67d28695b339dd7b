"""Walking and bus routing on one loaded bundle: the single entry point the CLI and the API use."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import cached_property
from typing import Any

from routing.bundle.load import CityBundle
from routing.errors import NoRouteError, NoServiceError, RoutingError, TooFarFromStreetError
from routing.geo import BBox, check_point
from routing.journeys import BusPlan, BusPlanner
from routing.journeys import access as access_text
from routing.journeys.access import (
    MAX_WALK_M,
    AccessAssessor,
    EndAccess,
    EndPlan,
    RouteAnswer,
    Suggestion,
    trip_estimate,
)
from routing.journeys.planner import AccessList
from routing.journeys.rows import TravelTimes
from routing.streets import StreetLimits
from routing.streets.snap import MainComponentSnapper, too_far_from_street
from routing.transit import ServicePeriod
from routing.walk import WalkJourney, WalkRouter

DAY_S = 24 * 3600


class CityRouter:
    """Routers built once per process from a bundle (construction takes about a second).

    The snap distance and walking speed are the bundle's (its manifest's build options) unless ``max_snap_m`` or
    ``walk_speed_mps`` overrides them for this process (the settings ``HERITAGE_MAX_SNAP_M``,
    ``HERITAGE_WALK_SPEED_MPS``): a point farther than the snap distance from every street is refused at query time.
    """

    def __init__(
        self, bundle: CityBundle, *, max_snap_m: float | None = None, walk_speed_mps: float | None = None
    ) -> None:
        self.bundle = bundle
        self.limits = StreetLimits.from_manifest(
            bundle.manifest.options, max_snap_m=max_snap_m, walk_speed_mps=walk_speed_mps
        )
        self.place_snap_m = StreetLimits.from_manifest(bundle.manifest.options).max_snap_m
        """Catalogue places keep the bundle's snap distance: it decided their on/off-network records."""

    @cached_property
    def walk(self) -> WalkRouter:
        """The contraction-hierarchy walking router."""
        return WalkRouter(
            self.bundle.walk,
            self.bundle.walk_index,
            snapper=self.snapper,
            bbox=self.bundle.manifest.bbox,
            max_snap_m=self.limits.max_snap_m,
            speed_mps=self.limits.walk_speed_mps,
        )

    @cached_property
    def bus(self) -> BusPlanner:
        """The RAPTOR bus + walk planner."""
        bundle = self.bundle
        return BusPlanner(
            bundle.bus,
            bundle.timetable,
            bundle.transfers,
            bundle.walk,
            bundle.stop_access,
            drive=bundle.drive,
            max_snap_m=self.limits.max_snap_m,
            speed_mps=self.limits.walk_speed_mps,
            snapper=self.snapper,
        )

    @cached_property
    def snapper(self) -> MainComponentSnapper:
        """The process's one nearest-street index over the walk graph (main component first), shared by all."""
        return MainComponentSnapper(self.bundle.walk)

    @property
    def periods(self) -> tuple[ServicePeriod, ...]:
        """The bus network's service periods (the bundle's place matrices hold one bus matrix each)."""
        return tuple(self.bundle.bus.periods)

    @cached_property
    def assessor(self) -> AccessAssessor:
        """How points and places meet the streets and the buses (:mod:`routing.journeys.access`)."""
        return AccessAssessor(self.bus, self.bundle.place_access, place_snap_m=self.place_snap_m)

    @cached_property
    def _names(self) -> dict[str, tuple[str, str]]:
        return {
            str(place["id"]): (str(place.get("name_vi") or place["id"]), str(place.get("name_en") or place["id"]))
            for place in self.bundle.places
        }

    def assess(self, point: tuple[float, float], *, place: str | None = None, destination: bool = False) -> EndAccess:
        """How one point (or catalogue place) meets the streets and the buses (see :mod:`routing.journeys.access`)."""
        return self.assessor.assess(*point, place=place, destination=destination).access

    def require_street(self, point: tuple[float, float], *, field: str | None = None) -> None:
        """Refuse a user's point (not a catalogue place) beyond the query's snap distance from every street.

        Every query-time entry point that snaps a point (routes in both modes, isochrones, plans) applies this one
        limit, so ``HERITAGE_MAX_SNAP_M`` means the same everywhere; ``field`` names the request field at fault.

        Raises
        ------
        TooFarFromStreetError
            If no street lies within ``limits.max_snap_m`` of the point.
        """
        limit_m = self.limits.max_snap_m
        streets = self.bus.network.snapper  # the process's one index (:attr:`snapper`), through the planner
        if streets.index.snap(*point, max_distance_m=limit_m).edge[0] < 0:
            raise too_far_from_street(streets, *point, limit_m, field=field)

    def route(
        self,
        from_point: tuple[float, float],
        to_point: tuple[float, float],
        *,
        mode: str,
        depart_s: int = 9 * 3600,
        from_place: str | None = None,
        to_place: str | None = None,
    ) -> RouteAnswer:
        """A route request's answer: the walk or the bus journeys, or why none is offered and how to get there.

        Never proposes a walk longer than ``MAX_WALK_M``: walk mode answers ``too_far_to_walk``
        with the distance; bus mode drops the walking comparison and, where an end has no bus stop within reach,
        answers ``no_public_transport`` (taxi only) with the nearest stop and a trip estimate. A stop beyond walking
        distance but within ``TAXI_LAST_LEG_MAX_M`` is reached by an estimated taxi or xe ôm leg.

        Raises
        ------
        OutsideAreaError
            If a point that is not a catalogue place lies outside the bundle's area.
        TooFarFromStreetError
            If a point that is not a catalogue place is farther than the snap distance from every street.
        NoServiceError
            Bus mode, if no bus runs at ``depart_s`` nor within 2 h after it and the ends are within walking
            distance (farther apart, the answer is ``no_bus_journey`` with a taxi estimate).
        NoRouteError
            Bus mode, if both ends are served but neither a journey nor a walk connects them and they are within
            walking distance (farther apart: ``no_bus_journey``; walk mode answers ``no_walk_route`` instead).
        RoutingError
            If ``mode`` is neither ``walk`` nor ``bus``.
        """
        for point, place, field in ((from_point, from_place, "from"), (to_point, to_place, "to")):
            if place is None:
                check_point(*point, BBox(*self.bundle.manifest.bbox))
                self.require_street(point, field=field)
        origin = self.assessor.assess(*from_point, place=from_place)
        target = self.assessor.assess(*to_point, place=to_place, destination=True)
        if mode == "walk":
            return self._walk_answer(from_point, to_point, origin, target)
        if mode == "bus":
            return self._bus_answer(from_point, to_point, origin, target, depart_s=depart_s)
        raise RoutingError(f"mode must be 'walk' or 'bus', not {mode!r}")

    @cached_property
    def travel_times(self) -> TravelTimes:
        """One-to-many rows and isochrones; walks to the places come from contraction-hierarchy buckets."""
        bundle = self.bundle
        return TravelTimes(self.bus, list(bundle.places), bundle.place_access, walk_index=bundle.walk_index)

    def walk_route(
        self,
        from_point: tuple[float, float],
        to_point: tuple[float, float],
        *,
        from_place: str | None = None,
        to_place: str | None = None,
        **options: Any,
    ) -> WalkJourney:
        """Shortest walk between two points (or places).

        Raises
        ------
        TooFarFromStreetError
            If an end is an off-network place (it can only be reached by bus), or a point is too far from
            every street.
        OutsideAreaError, NoRouteError
            As :meth:`routing.walk.WalkRouter.route`.
        """
        for place in (from_place, to_place):
            if place is not None and self._access(place).get("off_network"):
                raise TooFarFromStreetError(
                    f"place {place!r} has no walkable street within the snap distance in this extract; "
                    "use --mode bus (the last stretch is an estimated straight-line walk)"
                )
        start, end = self.walk.anchor_pair(*from_point, *to_point, max_snap_m=self._snap_m(from_place, to_place))
        return self.walk.route_between(start, end, **options)

    def bus_route(
        self,
        from_point: tuple[float, float],
        to_point: tuple[float, float],
        *,
        depart_s: int,
        from_place: str | None = None,
        to_place: str | None = None,
        **options: Any,
    ) -> BusPlan:
        """Pareto-optimal bus journeys; off-network places are reached over their estimated access walks.

        Raises
        ------
        NoServiceError, NoRouteError, OutsideAreaError, TooFarFromStreetError
            As :meth:`routing.journeys.BusPlanner.plan`.
        """
        return self.bus.plan(
            *from_point,
            *to_point,
            depart_s=depart_s,
            from_access=self._access_list(from_place),
            to_access=self._access_list(to_place),
            max_snap_m=self._snap_m(from_place, to_place),
            **options,
        )

    def _snap_m(self, from_place: str | None, to_place: str | None) -> tuple[float, float]:
        """Each end's snap distance: a catalogue place's is the bundle's, a point's the query's."""
        ends = (from_place, to_place)
        return (
            self.place_snap_m if ends[0] is not None else self.limits.max_snap_m,
            self.place_snap_m if ends[1] is not None else self.limits.max_snap_m,
        )

    def _walk_answer(
        self, from_point: tuple[float, float], to_point: tuple[float, float], origin: EndPlan, target: EndPlan
    ) -> RouteAnswer:
        ends = origin.access, target.access
        off_street = [end for end in ends if end.street == "none" and end.place_id is not None]
        if not off_street:
            try:
                journey = self.walk_route(from_point, to_point, from_place=ends[0].place_id, to_place=ends[1].place_id)
            except NoRouteError:
                island = next((end for end in ends if end.street == "island"), ends[1])
                return self._no_walk_answer(island, *ends)
            if journey.length_m <= MAX_WALK_M:
                return RouteAnswer("walk", "ok", "", "", *ends, walk=journey)
            suggestion: Suggestion = "bus" if all(end.public_transport for end in ends) else "taxi"
            en, vi = access_text.too_far_to_walk(journey.length_m, estimated=False, suggestion=suggestion)
            return RouteAnswer(
                "walk", "too_far_to_walk", en, vi, *ends, distance_m=journey.length_m, suggestion=suggestion
            )
        return self._no_walk_answer(off_street[0], *ends)

    def _no_walk_answer(self, end: EndAccess, origin: EndAccess, target: EndAccess) -> RouteAnswer:
        served = origin.public_transport and target.public_transport
        suggestion: Suggestion = "bus" if served else "taxi"
        en, vi = access_text.no_walk_route(end, self._names, suggestion=suggestion)
        taxi = None if served else trip_estimate(origin, target)
        return RouteAnswer("walk", "no_walk_route", en, vi, origin, target, taxi=taxi, suggestion=suggestion)

    def _bus_answer(
        self,
        from_point: tuple[float, float],
        to_point: tuple[float, float],
        origin: EndPlan,
        target: EndPlan,
        *,
        depart_s: int,
    ) -> RouteAnswer:
        ends = origin.access, target.access
        taxi = trip_estimate(*ends)
        if not all(end.public_transport for end in ends) and taxi.length_m > MAX_WALK_M:
            en, vi = access_text.no_public_transport(ends, self._names, taxi)
            return RouteAnswer("bus", "no_public_transport", en, vi, *ends, taxi=taxi, suggestion="taxi")
        try:
            plan = self.bus.plan(
                *from_point,
                *to_point,
                depart_s=depart_s,
                from_access=origin.override,
                to_access=target.override,
                max_access_m=max(origin.max_access_m, target.max_access_m),
                max_snap_m=self._snap_m(origin.access.place_id, target.access.place_id),
            )
        except (NoRouteError, NoServiceError):
            if all(end.public_transport for end in ends):
                if taxi.length_m <= MAX_WALK_M:
                    raise
                # No bus at this time (or none connects the ends) and too far to walk: an answer, not an error.
                en, vi = access_text.no_bus_journey(taxi.length_m, estimated=True)
                return RouteAnswer(
                    "bus",
                    "no_bus_journey",
                    en,
                    vi,
                    *ends,
                    distance_m=taxi.length_m,
                    estimated=True,
                    taxi=taxi,
                    suggestion="taxi",
                )
            en, vi = access_text.no_public_transport(ends, self._names, taxi)
            return RouteAnswer("bus", "no_public_transport", en, vi, *ends, taxi=taxi, suggestion="taxi")
        walk = plan.walk_only
        if walk is not None and walk.walk_m > MAX_WALK_M:
            plan = replace(plan, walk_only=None, bus_beats_walking=bool(plan.journeys))
        if plan.journeys or plan.walk_only is not None:
            answer = RouteAnswer(
                "bus", "ok", "", "", *ends, plan=plan, taxi_from_m=origin.taxi_m, taxi_to_m=target.taxi_m
            )
            if plan.bus_beats_walking and answer.journey_uses_taxi(plan.best):
                en, vi = access_text.needs_taxi(ends, self._names)
                answer = replace(answer, status="needs_taxi", message_en=en, message_vi=vi)
            return answer
        assert walk is not None
        if not all(end.public_transport for end in ends):
            en, vi = access_text.no_public_transport(ends, self._names, taxi)
            return RouteAnswer("bus", "no_public_transport", en, vi, *ends, taxi=taxi, suggestion="taxi")
        en, vi = access_text.no_bus_journey(walk.walk_m, estimated=walk.estimated)
        return RouteAnswer(
            "bus",
            "no_bus_journey",
            en,
            vi,
            *ends,
            distance_m=walk.walk_m,
            estimated=walk.estimated,
            taxi=taxi,
            suggestion="taxi",
        )

    def _access(self, place: str) -> Mapping[str, Any]:
        return self.bundle.place_access.get(place, {})

    def _access_list(self, place: str | None) -> AccessList | None:
        if place is None:
            return None
        access = self._access(place)
        if not access.get("off_network"):
            return None
        return self.bus.access_list(access.get("access_stops", []))
