"""Walking and bus routing on one loaded bundle: the single entry point the CLI and the API use."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any

from routing.bundle.load import CityBundle
from routing.errors import TooFarFromStreetError
from routing.matrix import TravelTimes
from routing.raptor import BusPlan, BusPlanner
from routing.raptor.planner import AccessList
from routing.snap import MainComponentSnapper
from routing.walk import WalkJourney, WalkRouter

DAY_S = 24 * 3600


class CityRouter:
    """Routers built once per process from a bundle (construction takes about a second)."""

    def __init__(self, bundle: CityBundle) -> None:
        self.bundle = bundle

    @cached_property
    def walk(self) -> WalkRouter:
        """The contraction-hierarchy walking router."""
        return WalkRouter(
            self.bundle.walk,
            self.bundle.walk_index,
            snapper=MainComponentSnapper(self.bundle.walk),
            bbox=self.bundle.manifest.bbox,
        )

    @cached_property
    def bus(self) -> BusPlanner:
        """The RAPTOR bus + walk planner."""
        bundle = self.bundle
        return BusPlanner(
            bundle.bus, bundle.timetable, bundle.transfers, bundle.walk, bundle.stop_access, drive=bundle.drive
        )

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
        return self.walk.route(*from_point, *to_point, **options)

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
            As :meth:`routing.raptor.BusPlanner.plan`.
        """
        return self.bus.plan(
            *from_point,
            *to_point,
            depart_s=depart_s,
            from_access=self._access_list(from_place),
            to_access=self._access_list(to_place),
            **options,
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
