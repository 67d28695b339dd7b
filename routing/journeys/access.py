"""How each end of a journey meets the streets and the buses, and route answers that say so.

A route request may name a place that the street graph does not reach (a pagoda outside the extract, a village whose
streets are not mapped) or that no bus serves within walking distance. Rather than proposing a walk of hours, the
answer says how the place is reached:

- :func:`assess_end` (through :class:`AccessAssessor`) measures, per end, which walk component the point snaps to
  (``main``, a street ``island``, or ``none`` beyond the snap distance), how far it is from that street and the
  nearest bus stop: along the walk graph where the point is on a street, else an estimated straight line times
  the detour factor. A last leg up to :data:`WALK_LAST_LEG_MAX_M` is walked; up to :data:`TAXI_LAST_LEG_MAX_M` it is
  a taxi or xe ôm ride (estimated); beyond that the end has no public transport: taxi only.
- :class:`RouteAnswer` carries the ``status`` of the answer (see :data:`RouteStatus`), a message in English and
  Vietnamese, both ends' access and the walk or bus plan when one is offered. A walk longer than
  :data:`MAX_WALK_M` is never offered: in walk mode the answer is ``too_far_to_walk`` with the distance; in bus mode
  the walking comparison is dropped.

Thresholds are documented in ``docs/PLANNING.md`` ("Places that are hard to reach").
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from routing.geo import LocalProjection, haversine_m
from routing.journeys import BusPlan, BusPlanner, WalkLeg
from routing.journeys.journey import Journey
from routing.transit.transfers import DETOUR_FACTOR
from routing.walk import WalkJourney
from routing.walk.journey import format_length

MAX_WALK_M = 8_000.0
"""Longest walk offered as an answer (about 1 h 47 min at 1.25 m/s); a longer walk is reported, not proposed."""
WALK_ACCESS_M = 1_000.0
"""Walk to or from a stop that the bus planner searches by default (its ``max_access_m``)."""
WALK_LAST_LEG_MAX_M = 2_000.0
"""Longest last leg (stop to place) that is walked; the same radius the bundle lists off-network places' stops in."""
TAXI_LAST_LEG_MAX_M = 10_000.0
"""Longest last leg made by taxi or xe ôm; an end with no stop this near has no public transport (taxi only)."""
TAXI_SPEED_MPS = 20_000.0 / 3600.0
"""Estimated door-to-door speed of a taxi or xe ôm on Hanoi's outskirts (20 km/h)."""
TAXI_PICKUP_S = 600
"""Estimated time to book or find a taxi or xe ôm at a stop or a village (10 min)."""
TAXI_CANDIDATE_STOPS = 8
"""Nearest stops (straight line) offered to the bus search as taxi last legs."""

RouteStatus = Literal["ok", "needs_taxi", "no_public_transport", "too_far_to_walk", "no_walk_route", "no_bus_journey"]
"""Kind of answer.

``ok``: a walk or bus journey is offered. ``needs_taxi``: the best bus journey starts or ends with an estimated taxi or
xe ôm leg. ``no_public_transport``: an end has no bus stop within reach; taxi only (a trip estimate is given).
``too_far_to_walk``: walk mode, the walk is longer than :data:`MAX_WALK_M` (its distance is given).
``no_walk_route``: walk mode, an end is off the street graph or on a street island the other end's streets do not
reach. ``no_bus_journey``: bus mode, both ends are served but no bus journey was found and walking is too far.
"""
StreetKind = Literal["main", "island", "none"]
LegMode = Literal["walk", "taxi"]
Suggestion = Literal["bus", "taxi"]


@dataclass(frozen=True)
class NearestStop:
    """The bus stop nearest to an end: along the streets where the end is on one, else an estimated straight line.

    ``distance_m`` is the length on the street graph (a walk, ``estimated`` False; or a taxi ride along it,
    ``estimated`` True) or the straight line times the detour factor (``estimated`` True); ``leg`` says how that
    stretch is made: walked, or by taxi or xe ôm.
    """

    stop_id: str
    name: str
    lat: float
    lon: float
    distance_m: float
    estimated: bool
    leg: LegMode

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "stop_id": self.stop_id,
            "name": self.name,
            "lat": round(self.lat, 7),
            "lon": round(self.lon, 7),
            "distance_m": round(self.distance_m, 1),
            "estimated": self.estimated,
            "leg": self.leg,
        }


@dataclass(frozen=True)
class EndAccess:
    """How one end of a journey meets the streets and the buses.

    ``street`` is the walk component the point snaps to (``main``, ``island`` or ``none``: no street within the snap
    distance, or a catalogue place the bundle marks off-network); ``snap_m`` the distance to that street (None for
    ``none``). ``nearest_stop`` is None only when the network has no stop at all.
    """

    lat: float
    lon: float
    place_id: str | None
    street: StreetKind
    snap_m: float | None
    nearest_stop: NearestStop | None

    @property
    def public_transport(self) -> bool:
        """Whether a bus stop is within reach: walked, or a taxi or xe ôm ride of at most ``TAXI_LAST_LEG_MAX_M``."""
        return self.nearest_stop is not None and self.nearest_stop.distance_m <= TAXI_LAST_LEG_MAX_M

    @property
    def last_leg(self) -> LegMode | None:
        """How the stretch between the end and its stop is made (None: no public transport)."""
        return self.nearest_stop.leg if self.public_transport and self.nearest_stop is not None else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (the ``access`` object of each end in route answers)."""
        stop = self.nearest_stop
        return {
            "place_id": self.place_id,
            "street": self.street,
            "snap_m": None if self.snap_m is None else round(self.snap_m, 1),
            "public_transport": self.public_transport,
            "nearest_stop": None if stop is None else stop.to_dict(),
            "last_leg": None
            if stop is None or not self.public_transport
            else {"mode": stop.leg, "length_m": round(stop.distance_m, 1), "estimated": stop.estimated},
            "suggestion": None if self.public_transport else "taxi",
        }


@dataclass(frozen=True)
class EndPlan:
    """An end's access and how the bus search should treat it.

    ``override`` is the planner's access list for this end (None: let the planner snap and search on foot);
    ``taxi_m`` maps the stop ids reached by taxi or xe ôm to the estimated ride length; ``max_access_m`` is the
    walk the planner must search from this end.
    """

    access: EndAccess
    override: list[tuple[int, float, bool]] | None = None
    taxi_m: dict[str, float] = field(default_factory=dict)
    max_access_m: float = WALK_ACCESS_M


class AccessAssessor:
    """Serve-time access assessment over one bus planner (its walk graph, snapper and stops); build once.

    Parameters
    ----------
    planner
        The city's bus planner.
    place_access
        The bundle's per-place access records (``off_network``, ``access_stops``).
    place_snap_m
        The snap distance of catalogue places: the bundle's, which decided their records (default: the planner's,
        which points use).
    """

    def __init__(
        self,
        planner: BusPlanner,
        place_access: Mapping[str, Mapping[str, Any]],
        *,
        place_snap_m: float | None = None,
    ) -> None:
        self.planner = planner
        self.place_access = place_access
        self.place_snap_m = planner.max_snap_m if place_snap_m is None else place_snap_m
        stops = planner.stops
        self._projection = LocalProjection(float(np.mean(stops.lat)), float(np.mean(stops.lon)))
        x, y = self._projection.forward(stops.lat, stops.lon)
        self._tree = cKDTree(np.column_stack((x, y))) if stops.lat.size else None

    def assess(self, lat: float, lon: float, *, place: str | None = None, destination: bool = False) -> EndPlan:
        """How the point (or place) at ``lat``, ``lon`` meets the streets and the buses.

        Parameters
        ----------
        lat, lon
            The point, degrees.
        place
            The catalogue place at that point, if any (its bundle record decides whether it is off the network).
        destination
            Walks run towards the point (the reversed walk graph) rather than from it.
        """
        planner = self.planner
        record = self.place_access.get(place, {}) if place is not None else {}
        off_network = bool(record.get("off_network"))
        node, offset_m, snap_m = -1, 0.0, None
        street: StreetKind = "none"
        if not off_network:
            limit_m = self.place_snap_m if place is not None else planner.max_snap_m
            anchor = planner.network.snap(lat, lon, max_snap_m=limit_m)
            node = int(anchor.node[0])
            if node >= 0:
                offset_m = float(anchor.offset_m[0])
                snap_m = float(haversine_m(lat, lon, anchor.lat[0], anchor.lon[0]))
                street = "main" if bool(planner.network.main[node]) else "island"
        if node >= 0:
            walked = self._walked_stops(lat, lon, node, offset_m, destination=destination, limit_m=WALK_LAST_LEG_MAX_M)
            if walked:
                stop, length_m = walked[0]
                access = EndAccess(lat, lon, place, street, snap_m, self._stop(stop, length_m, estimated=False))
                return EndPlan(access, max_access_m=max(WALK_ACCESS_M, math.ceil(length_m)))
            # No stop within walking distance: taxi or xe ôm along the streets (their length stands in for the road's).
            by_road = self._walked_stops(lat, lon, node, offset_m, destination=destination, limit_m=TAXI_LAST_LEG_MAX_M)
            if by_road:
                chosen = by_road[:TAXI_CANDIDATE_STOPS]
                stop, length_m = chosen[0]
                access = EndAccess(
                    lat, lon, place, street, snap_m, self._stop(stop, length_m, estimated=True, leg="taxi")
                )
                bus_stops = self.planner.bus.stops
                return EndPlan(
                    access,
                    override=[(stop, taxi_seconds(length_m), True) for stop, length_m in chosen],
                    taxi_m={bus_stops[stop].stop_id: length_m for stop, length_m in chosen},
                )
        return self._estimated((lat, lon), place, street, snap_m, record=record, on_street=node >= 0)

    # -- helpers ------------------------------------------------------------------------------------------------

    def _walked_stops(
        self, lat: float, lon: float, node: int, offset_m: float, *, destination: bool, limit_m: float
    ) -> list[tuple[int, float]]:
        """Stops within ``limit_m`` on the walk graph (off-network stops: estimated, within 1 km), nearest first."""
        planner, stops = self.planner, self.planner.stops
        matrix = planner.network.reverse if destination else planner.network.matrix
        distance = dijkstra(matrix, directed=True, indices=node, limit=limit_m)
        on = stops.on
        length = offset_m + distance[stops.node[on]] + stops.offset_m[on]
        length = np.maximum(length, haversine_m(lat, lon, stops.lat[on], stops.lon[on]))
        found = np.flatnonzero(length <= limit_m)
        candidates = [(int(on[i]), float(length[i])) for i in found]
        if stops.off.size:
            guess = haversine_m(lat, lon, stops.lat[stops.off], stops.lon[stops.off]) * DETOUR_FACTOR
            near = np.flatnonzero(guess <= min(WALK_ACCESS_M, limit_m))
            candidates += [(int(stops.off[i]), float(guess[i])) for i in near]
        return sorted(candidates, key=lambda item: item[1])

    def _estimated(
        self,
        point: tuple[float, float],
        place: str | None,
        street: StreetKind,
        snap_m: float | None,
        *,
        record: Mapping[str, Any],
        on_street: bool,
    ) -> EndPlan:
        """An end with no stop on foot: estimated walks (off-street ends only) and taxi rides to the nearest stops."""
        planner = self.planner
        lat, lon = point
        entries: dict[int, tuple[float, bool]] = {}  # stop -> (length, by taxi)
        for stop_record in record.get("access_stops") or []:
            stop = planner.stop_index(str(stop_record["stop_id"]))
            length_m = float(stop_record.get("distance_m", float(stop_record["walk_s"]) * planner.speed_mps))
            if length_m <= WALK_LAST_LEG_MAX_M:
                entries[stop] = (length_m, False)
        nearest: tuple[int, float] | None = None
        if self._tree is not None:
            x, y = self._projection.forward(lat, lon)
            count = min(TAXI_CANDIDATE_STOPS, planner.stops.lat.size)
            _, found = self._tree.query([float(x), float(y)], k=count)
            for stop in np.atleast_1d(found).tolist():
                straight = float(haversine_m(lat, lon, planner.stops.lat[stop], planner.stops.lon[stop]))
                length_m = straight * DETOUR_FACTOR
                if nearest is None or length_m < nearest[1]:
                    nearest = (int(stop), length_m)
                if stop in entries or length_m > TAXI_LAST_LEG_MAX_M:
                    continue
                walked = not on_street and length_m <= WALK_LAST_LEG_MAX_M
                entries[int(stop)] = (length_m, not walked)
        if any(not by_taxi for _, by_taxi in entries.values()):
            # A stop within walking distance: the last leg is walked, never a taxi to another stop.
            entries = {stop: entry for stop, entry in entries.items() if not entry[1]}
        best = min(entries.items(), key=lambda item: item[1][0], default=None)
        if best is not None:
            stop, (length_m, by_taxi) = best
            nearest_stop = self._stop(stop, length_m, estimated=True, leg="taxi" if by_taxi else "walk")
        elif nearest is not None:
            nearest_stop = self._stop(nearest[0], nearest[1], estimated=True, leg="taxi")
        else:
            nearest_stop = None
        access = EndAccess(lat, lon, place, street, snap_m, nearest_stop)
        override: list[tuple[int, float, bool]] = []
        taxi_m: dict[str, float] = {}
        for stop, (length_m, by_taxi) in entries.items():
            if by_taxi:
                taxi_m[planner.bus.stops[stop].stop_id] = length_m
                override.append((stop, taxi_seconds(length_m), True))
            else:
                override.append((stop, length_m / planner.speed_mps, True))
        return EndPlan(access, override=override, taxi_m=taxi_m)

    def _stop(self, stop: int, length_m: float, *, estimated: bool, leg: LegMode = "walk") -> NearestStop:
        bus_stop = self.planner.bus.stops[stop]
        return NearestStop(
            stop_id=bus_stop.stop_id,
            name=bus_stop.name,
            lat=bus_stop.lat,
            lon=bus_stop.lon,
            distance_m=length_m,
            estimated=estimated,
            leg=leg,
        )


def taxi_seconds(length_m: float) -> float:
    """Estimated time of a taxi or xe ôm ride of ``length_m``, the wait for it included."""
    return TAXI_PICKUP_S + length_m / TAXI_SPEED_MPS


def assess_end(
    assessor: AccessAssessor, lat: float, lon: float, *, place: str | None = None, destination: bool = False
) -> EndAccess:
    """The :class:`EndAccess` of one point or place (see :meth:`AccessAssessor.assess`)."""
    return assessor.assess(lat, lon, place=place, destination=destination).access


# -- answers ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaxiTrip:
    """An estimated taxi or xe ôm trip for the whole way (straight line times the detour factor)."""

    length_m: float
    duration_s: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "mode": "taxi",
            "options": ["taxi", "xe_om"],
            "length_m": round(self.length_m, 1),
            "duration_s": round(self.duration_s, 1),
            "estimated": True,
        }


@dataclass(frozen=True)
class RouteAnswer:
    """A route request's answer: its status, a message, both ends' access and the route when one is offered.

    ``walk`` is set for an offered walk (walk mode, status ``ok``); ``plan`` for bus mode when a bus journey or a walk
    of at most :data:`MAX_WALK_M` is offered (its ``walk_only`` is None when the walk is longer). ``distance_m`` is the
    walk that is too long (``too_far_to_walk``), ``taxi`` the whole-trip estimate when taxi is the answer.
    ``taxi_from_m`` / ``taxi_to_m`` map the stops reached by taxi or xe ôm from the origin / to the destination to the
    estimated ride length.
    """

    mode: Literal["walk", "bus"]
    status: RouteStatus
    message_en: str
    message_vi: str
    origin: EndAccess
    destination: EndAccess
    walk: WalkJourney | None = None
    plan: BusPlan | None = None
    distance_m: float | None = None
    estimated: bool = False
    taxi: TaxiTrip | None = None
    suggestion: Suggestion | None = None
    taxi_from_m: Mapping[str, float] = field(default_factory=dict)
    taxi_to_m: Mapping[str, float] = field(default_factory=dict)

    @property
    def offered(self) -> bool:
        """Whether a walk or a journey is offered."""
        return self.status in {"ok", "needs_taxi"}

    def message(self, lang: str = "en") -> str:
        """The message in ``lang`` (``vi`` or ``en``)."""
        return self.message_vi if lang == "vi" else self.message_en

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """JSON-ready answer: status, message, access of both ends, and the walk's or the plan's fields."""
        body: dict[str, Any] = {
            "status": self.status,
            "message": self.message(lang),
            "suggestion": self.suggestion,
            "access": {"from": self.origin.to_dict(), "to": self.destination.to_dict()},
        }
        if self.distance_m is not None:
            body["distance_m"] = round(self.distance_m, 1)
            body["estimated"] = self.estimated
        if self.taxi is not None:
            body["taxi"] = self.taxi.to_dict()
        if self.walk is not None:
            body.update(self.walk.to_dict())
        if self.plan is not None:
            plan = self.plan.to_dict()
            plan["journeys"] = [self._journey_dict(journey) for journey in self.plan.journeys]
            body.update(plan)
        return body

    def route_dict(self, lang: str = "en") -> dict[str, Any]:
        """The route alone (the API's ``route``): the walk or the plan, empty when none is offered."""
        if self.walk is not None:
            return self.walk.to_dict()
        if self.plan is not None:
            return {key: value for key, value in self.to_dict(lang).items() if key not in _ANSWER_KEYS}
        return {}

    def features(self) -> list[dict[str, Any]]:
        """GeoJSON features of the offered route(s) (taxi legs carry ``mode: "taxi"``)."""
        if self.walk is not None:
            return [self.walk.to_geojson()]
        if self.plan is None:
            return []
        collections = []
        for journey in self.plan.journeys:
            collection = journey.to_geojson()
            for feature, leg in zip(collection["features"], journey.legs, strict=True):
                taxi = self._taxi_leg(leg)
                if taxi is not None:
                    feature["properties"] = {key: value for key, value in taxi.items() if key != "coordinates"} | {
                        "leg": feature["properties"]["leg"]
                    }
            collections.append(collection)
        if self.plan.walk_only is not None and not self.plan.journeys:
            collections.append(self.plan.walk_only.to_geojson())
        return collections

    def _taxi_leg(self, leg: object) -> dict[str, Any] | None:
        """A walk leg the search made by taxi or xe ôm, rewritten as such (None for any other leg)."""
        if not isinstance(leg, WalkLeg) or leg.kind not in {"access", "egress"}:
            return None
        length_m = self._taxi_m(leg)
        if length_m is None:
            return None
        return {
            **leg.to_dict(),
            "mode": "taxi",
            "options": ["taxi", "xe_om"],
            "length_m": round(length_m, 1),
            "estimated": True,
        }

    def _taxi_m(self, leg: WalkLeg) -> float | None:
        if leg.kind == "access" and leg.to_stop_id is not None:
            return self.taxi_from_m.get(leg.to_stop_id)
        if leg.kind == "egress" and leg.from_stop_id is not None:
            return self.taxi_to_m.get(leg.from_stop_id)
        return None

    def _journey_dict(self, journey: Journey) -> dict[str, Any]:
        body = journey.to_dict()
        taxi_m, taxi_s = 0.0, 0
        legs = []
        for leg, leg_dict in zip(journey.legs, body["legs"], strict=True):
            taxi = self._taxi_leg(leg)
            if taxi is None:
                legs.append(leg_dict)
                continue
            assert isinstance(leg, WalkLeg)
            legs.append(taxi)
            body["walk_m"] = round(body["walk_m"] - leg.length_m, 1)
            body["walk_s"] -= leg.duration_s
            taxi_m += self._taxi_m(leg) or 0.0
            taxi_s += leg.duration_s
        body["legs"] = legs
        body["taxi_m"] = round(taxi_m, 1)
        body["taxi_s"] = taxi_s
        return body

    def journey_uses_taxi(self, journey: Journey) -> bool:
        """Whether a journey of the plan starts or ends by taxi or xe ôm."""
        return any(self._taxi_leg(leg) is not None for leg in journey.legs)


_ANSWER_KEYS = frozenset({"status", "message", "suggestion", "access", "distance_m", "estimated", "taxi"})


# -- messages -----------------------------------------------------------------------------------------------------


def _name(end: EndAccess, names: Mapping[str, tuple[str, str]], lang: int) -> str:
    if end.place_id is not None and end.place_id in names:
        return names[end.place_id][lang]
    return f"{end.lat:.5f},{end.lon:.5f}"


def _km(length_m: float) -> str:
    return format_length(length_m)


def _km_vi(length_m: float) -> str:
    return format_length(length_m).replace(".", ",")


def _stop_text(end: EndAccess) -> tuple[str, str]:
    stop = end.nearest_stop
    if stop is None:
        return "the network has no bus stop", "mạng xe buýt không có điểm dừng nào"
    how_en = "estimated" if stop.estimated else "on foot"
    how_vi = "ước tính" if stop.estimated else "đi bộ"
    return (
        f"the nearest bus stop, {stop.name}, is {_km(stop.distance_m)} away ({how_en})",
        f"điểm dừng xe buýt gần nhất, {stop.name}, cách {_km_vi(stop.distance_m)} ({how_vi})",
    )


def no_public_transport(
    ends: Sequence[EndAccess], names: Mapping[str, tuple[str, str]], taxi: TaxiTrip
) -> tuple[str, str]:
    """English and Vietnamese messages for an answer where taxi is the only way."""
    end = next(e for e in ends if not e.public_transport)
    stop_en, stop_vi = _stop_text(end)
    minutes = round(taxi.duration_s / 60)
    return (
        f"No public transport: {_name(end, names, 1)} has no bus stop within {_km(TAXI_LAST_LEG_MAX_M)} "
        f"({stop_en}). Taxi only: about {_km(taxi.length_m)}, {minutes} min (estimated).",
        f"Không có phương tiện công cộng: {_name(end, names, 0)} không có điểm dừng xe buýt nào trong vòng "
        f"{_km_vi(TAXI_LAST_LEG_MAX_M)} ({stop_vi}). Chỉ đi được bằng taxi: khoảng {_km_vi(taxi.length_m)}, "
        f"{minutes} phút (ước tính).",
    )


def needs_taxi(ends: Sequence[EndAccess], names: Mapping[str, tuple[str, str]]) -> tuple[str, str]:
    """Messages for a bus journey with a taxi or xe ôm first or last leg."""
    parts_en, parts_vi = [], []
    for end in ends:
        stop = end.nearest_stop
        if stop is None or end.last_leg != "taxi":
            continue
        parts_en.append(f"{_name(end, names, 1)} is {_km(stop.distance_m)} from the nearest bus stop, {stop.name}")
        parts_vi.append(
            f"{_name(end, names, 0)} cách điểm dừng xe buýt gần nhất, {stop.name}, {_km_vi(stop.distance_m)}"
        )
    return (
        "By bus, with a taxi or xe ôm for the stretch beyond walking distance (estimated): "
        + "; ".join(parts_en)
        + ".",
        "Đi xe buýt, đoạn quá xa để đi bộ thì đi taxi hoặc xe ôm (ước tính): " + "; ".join(parts_vi) + ".",
    )


def too_far_to_walk(length_m: float, *, estimated: bool, suggestion: Suggestion) -> tuple[str, str]:
    """Messages for a walk longer than ``MAX_WALK_M``."""
    how_en = " (estimated)" if estimated else ""
    how_vi = " (ước tính)" if estimated else ""
    instead_en = "take the bus" if suggestion == "bus" else "take a taxi or xe ôm"
    instead_vi = "hãy đi xe buýt" if suggestion == "bus" else "hãy đi taxi hoặc xe ôm"
    return (
        f"Too far to walk: {_km(length_m)}{how_en}, more than the {_km(MAX_WALK_M)} a walk is offered for; "
        f"{instead_en}.",
        f"Quá xa để đi bộ: {_km_vi(length_m)}{how_vi}, dài hơn {_km_vi(MAX_WALK_M)} là quãng đi bộ tối đa được gợi ý; "
        f"{instead_vi}.",
    )


def no_walk_route(end: EndAccess, names: Mapping[str, tuple[str, str]], *, suggestion: Suggestion) -> tuple[str, str]:
    """Messages for a walk that cannot be drawn: an end off the streets or on a street island."""
    stop_en, stop_vi = _stop_text(end)
    if end.street == "none":
        why_en = f"{_name(end, names, 1)} has no walkable street within reach in the street data"
        why_vi = f"{_name(end, names, 0)} không có đường đi bộ nào trong dữ liệu đường phố"
    else:
        why_en = f"the streets of {_name(end, names, 1)} are not connected to the other end's in the street data"
        why_vi = f"đường phố quanh {_name(end, names, 0)} không nối với đầu kia trong dữ liệu đường phố"
    instead_en = "take the bus" if suggestion == "bus" else "no public transport: take a taxi or xe ôm"
    instead_vi = "hãy đi xe buýt" if suggestion == "bus" else "không có phương tiện công cộng: hãy đi taxi hoặc xe ôm"
    return (
        f"No walking route: {why_en}; {stop_en}; {instead_en}.",
        f"Không có đường đi bộ: {why_vi}; {stop_vi}; {instead_vi}.",
    )


def no_bus_journey(length_m: float, *, estimated: bool) -> tuple[str, str]:
    """Messages for bus mode with no bus journey and a walk beyond ``MAX_WALK_M``."""
    how_en = " (estimated)" if estimated else ""
    how_vi = " (ước tính)" if estimated else ""
    return (
        f"No bus journey found at this time, and walking ({_km(length_m)}{how_en}) is too far; take a taxi or xe ôm.",
        f"Không tìm thấy chuyến xe buýt vào giờ này, và đi bộ ({_km_vi(length_m)}{how_vi}) là quá xa; "
        "hãy đi taxi hoặc xe ôm.",
    )


def trip_estimate(origin: EndAccess, destination: EndAccess) -> TaxiTrip:
    """A whole-trip taxi estimate between two ends (straight line times the detour factor)."""
    length_m = float(haversine_m(origin.lat, origin.lon, destination.lat, destination.lon)) * DETOUR_FACTOR
    return TaxiTrip(length_m=length_m, duration_s=taxi_seconds(length_m))
