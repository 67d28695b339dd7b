"""Journeys as the planner returns them: walk and bus legs with times and geometry, plain-JSON and GeoJSON forms.

Times are integer seconds after midnight of the service day (``to_dict()`` adds ``"HH:MM:SS"`` strings; hours
go past 23 for a journey that ends after midnight). Coordinates are ``(lat, lon)`` pairs in the Python objects
and in ``to_dict()``; :meth:`Journey.to_geojson` writes GeoJSON's ``[lon, lat]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

from routing.clock import format_clock
from routing.geo import rounded_pairs

LatLon: TypeAlias = tuple[float, float]
JsonDict: TypeAlias = dict[str, Any]


def clock(time_s: int) -> str:
    """``"HH:MM:SS"`` for seconds after midnight (hours may exceed 23)."""
    return format_clock(time_s, seconds=True)


def _coordinates(points: tuple[LatLon, ...]) -> list[list[float]]:
    return rounded_pairs(points, 7)


@dataclass(frozen=True, slots=True)
class WalkLeg:
    """A walk to the first stop, between stops, from the last stop, or the whole way.

    ``kind`` is ``"access"``, ``"transfer"``, ``"egress"`` or ``"walk"``. ``from_stop_id``/``to_stop_id`` are
    None at the origin / destination. ``estimated`` is True when the walk is a straight line times a detour
    factor, not a path on the walk graph (an off-network place or stop). ``from_name_source`` / ``to_name_source``
    say where a stop's name came from (``"osm"`` or ``"derived"``, see ``routing.transit.model.NAME_SOURCES``);
    None at the origin / destination.
    """

    kind: str
    from_name: str
    to_name: str
    from_stop_id: str | None
    to_stop_id: str | None
    depart_s: int
    arrive_s: int
    length_m: float
    coordinates: tuple[LatLon, ...]
    estimated: bool
    from_name_source: str | None = None
    to_name_source: str | None = None

    @property
    def duration_s(self) -> int:
        """Walking time."""
        return self.arrive_s - self.depart_s

    def to_dict(self) -> JsonDict:
        """Plain-JSON form (``coordinates`` as ``[lat, lon]`` pairs)."""
        return {
            "mode": "walk",
            "kind": self.kind,
            "from": self.from_name,
            "to": self.to_name,
            "from_stop_id": self.from_stop_id,
            "to_stop_id": self.to_stop_id,
            "from_name_source": self.from_name_source,
            "to_name_source": self.to_name_source,
            "depart": clock(self.depart_s),
            "arrive": clock(self.arrive_s),
            "depart_s": self.depart_s,
            "arrive_s": self.arrive_s,
            "duration_s": self.duration_s,
            "length_m": round(self.length_m, 1),
            "estimated": self.estimated,
            "coordinates": _coordinates(self.coordinates),
        }


@dataclass(frozen=True, slots=True)
class BusLeg:
    """A ride on one trip of one route: a bus, or a metro train (``mode="metro"``, ``ref`` the line, e.g. ``"2A"``).

    ``wait_s`` is the time at the boarding stop before the bus leaves (0 for the first ride: the journey's
    departure is set so the rider arrives as the bus leaves), ``ride_s`` the time on board. ``stop_ids`` and
    ``stop_names`` list every stop from boarding to alighting; ``stops_passed`` is the number of stop-to-stop legs
    ridden. ``coordinates`` follow the roads (the drive graph) where ``on_road`` is True, else straight segments
    between stops for at least one leg (always straight for a metro). ``stop_name_sources`` (and the boarding and
    alighting stops' own) say for each stop name whether it is the stop's OSM name (``"osm"``) or ``"derived"``.
    """

    route_id: str
    ref: str
    route_name: str
    board_stop_id: str
    board_stop_name: str
    alight_stop_id: str
    alight_stop_name: str
    depart_s: int
    arrive_s: int
    wait_s: int
    stop_ids: tuple[str, ...]
    stop_names: tuple[str, ...]
    length_m: float
    coordinates: tuple[LatLon, ...]
    on_road: bool
    mode: str = "bus"
    stop_name_sources: tuple[str, ...] = ()

    @property
    def board_stop_name_source(self) -> str | None:
        """``"osm"`` or ``"derived"`` for the boarding stop's name."""
        return self.stop_name_sources[0] if self.stop_name_sources else None

    @property
    def alight_stop_name_source(self) -> str | None:
        """``"osm"`` or ``"derived"`` for the alighting stop's name."""
        return self.stop_name_sources[-1] if self.stop_name_sources else None

    @property
    def ride_s(self) -> int:
        """Time on board."""
        return self.arrive_s - self.depart_s

    @property
    def stops_passed(self) -> int:
        """Number of stop-to-stop legs ridden."""
        return len(self.stop_ids) - 1

    def to_dict(self) -> JsonDict:
        """Plain-JSON form (``coordinates`` as ``[lat, lon]`` pairs)."""
        return {
            "mode": self.mode,
            "route_id": self.route_id,
            "ref": self.ref,
            "route_name": self.route_name,
            "board_stop_id": self.board_stop_id,
            "board_stop_name": self.board_stop_name,
            "board_stop_name_source": self.board_stop_name_source,
            "alight_stop_id": self.alight_stop_id,
            "alight_stop_name": self.alight_stop_name,
            "alight_stop_name_source": self.alight_stop_name_source,
            "depart": clock(self.depart_s),
            "arrive": clock(self.arrive_s),
            "depart_s": self.depart_s,
            "arrive_s": self.arrive_s,
            "wait_s": self.wait_s,
            "ride_s": self.ride_s,
            "stops_passed": self.stops_passed,
            "stop_ids": list(self.stop_ids),
            "stop_names": list(self.stop_names),
            "stop_name_sources": list(self.stop_name_sources),
            "length_m": round(self.length_m, 1),
            "on_road": self.on_road,
            "coordinates": _coordinates(self.coordinates),
        }


Leg: TypeAlias = WalkLeg | BusLeg


@dataclass(frozen=True, slots=True)
class Journey:
    """A door-to-door journey: legs in travel order, from ``depart_s`` to ``arrive_s``."""

    legs: tuple[Leg, ...]
    depart_s: int
    arrive_s: int

    @property
    def rides(self) -> int:
        """Number of bus rides."""
        return sum(1 for leg in self.legs if isinstance(leg, BusLeg))

    @property
    def duration_s(self) -> int:
        """Door-to-door time."""
        return self.arrive_s - self.depart_s

    @property
    def walk_m(self) -> float:
        """Total walking distance."""
        return float(sum(leg.length_m for leg in self.legs if isinstance(leg, WalkLeg)))

    @property
    def walk_s(self) -> int:
        """Total walking time."""
        return sum(leg.duration_s for leg in self.legs if isinstance(leg, WalkLeg))

    @property
    def wait_s(self) -> int:
        """Total time waiting at stops."""
        return sum(leg.wait_s for leg in self.legs if isinstance(leg, BusLeg))

    @property
    def estimated(self) -> bool:
        """True when some walk is an estimated straight line (an off-network place or stop)."""
        return any(leg.estimated for leg in self.legs if isinstance(leg, WalkLeg))

    def to_dict(self) -> JsonDict:
        """Plain-JSON form with ``"HH:MM:SS"`` times."""
        return {
            "depart": clock(self.depart_s),
            "arrive": clock(self.arrive_s),
            "depart_s": self.depart_s,
            "arrive_s": self.arrive_s,
            "duration_s": self.duration_s,
            "rides": self.rides,
            "walk_m": round(self.walk_m, 1),
            "walk_s": self.walk_s,
            "wait_s": self.wait_s,
            "estimated": self.estimated,
            "legs": [leg.to_dict() for leg in self.legs],
        }

    def to_geojson(self) -> JsonDict:
        """GeoJSON FeatureCollection: one LineString Feature per leg (``[lon, lat]``), its fields as properties."""
        features = []
        for index, leg in enumerate(self.legs):
            properties = {key: value for key, value in leg.to_dict().items() if key != "coordinates"}
            properties["leg"] = index
            points = leg.coordinates if len(leg.coordinates) >= 2 else leg.coordinates * 2
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "LineString", "coordinates": rounded_pairs(points, 7, swap=True)},
                    "properties": properties,
                }
            )
        return {"type": "FeatureCollection", "features": features}


@dataclass(frozen=True, slots=True)
class BusPlan:
    """The planner's answer for one query.

    ``journeys`` is the Pareto set of bus journeys over (arrival time, rides), fewest rides first (each one
    arrives strictly earlier than every journey with fewer rides); it may be empty when no bus journey exists
    but walking does. ``walk_only`` is the walk from origin to destination when it arrives no later than the
    earliest bus journey (or when there is no bus journey), else None; so ``bus_beats_walking`` is True exactly
    when some bus journey arrives strictly earlier than walking.
    """

    depart_s: int
    journeys: tuple[Journey, ...]
    walk_only: Journey | None
    bus_beats_walking: bool

    @property
    def best(self) -> Journey:
        """The journey to show first: the earliest-arriving bus journey if the bus beats walking, else the walk.

        (A plan always holds one or the other: the planner raises ``NoRouteError`` otherwise.)
        """
        if self.bus_beats_walking or self.walk_only is None:
            return min(self.journeys, key=lambda journey: (journey.arrive_s, journey.rides))
        return self.walk_only

    def to_dict(self) -> JsonDict:
        """Plain-JSON form."""
        return {
            "depart": clock(self.depart_s),
            "depart_s": self.depart_s,
            "bus_beats_walking": self.bus_beats_walking,
            "journeys": [journey.to_dict() for journey in self.journeys],
            "walk_only": None if self.walk_only is None else self.walk_only.to_dict(),
        }
