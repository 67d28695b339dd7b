"""The compiled bus network: frozen dataclasses that round-trip exactly through plain JSON.

``to_dict()`` returns only str / int / float / bool / list / dict / None (orjson-friendly) and
``BusNetwork.from_dict(network.to_dict()) == network``.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import ArrayLike, NDArray

from routing.errors import BundleError, RoutingError

JsonValue: TypeAlias = "str | int | float | bool | list[JsonValue] | dict[str, JsonValue] | None"

STOP_SOURCES = ("osm", "gtfs", "osm+gtfs", "osm-extract")
ROUTE_SOURCES = ("osm+gtfs", "osm", "gtfs", "osm-extract")
NAME_SOURCES = ("osm", "derived")
"""``name_source`` of a stop: its own OSM ``name`` (node, platform or the same OSM node in a stop layer), or
``"derived"``: a nearby OSM stop's, place's or street's name, or a reverse-geocoded street (never an id)."""
MODES = ("bus", "trolleybus", "metro", "train")
"""``mode`` of a route: OSM ``route=bus`` / ``trolleybus``; ``subway`` and ``light_rail`` are ``"metro"``."""
RAIL_MODES = ("metro", "train")
"""Modes that run on rails: their own run-time model, straight geometry between stations."""
DATASET_EXTRACT = "osm-extract"
"""The build's OSM extract (``--osm``; the shipped one is the 2025 merge), newest of the transit sources."""
DATASET_OSM_2022 = "osm-bus-relations-2022"
DATASET_GTFS_2018 = "gtfs-worldbank-2018"
ROUTE_FIELDS = ("stops", "hours", "headway", "run_times")
"""The fields of a route whose source ``BusRoute.field_sources`` records."""
HOURS_FROM_COUNTS = "gtfs-worldbank-2018 trip counts"
"""``hours_source`` of a route whose hours are the World Bank periods in which its 2018 trip counts run."""
HOURS_FROM_PERIODS = "service periods"
"""Default ``hours_source``: the route runs through every period it has a headway for (e.g. a designed line)."""


@dataclass(frozen=True, slots=True)
class BusStop:
    """A physical bus stop.

    ``stop_id`` is ``osm:<node id>`` when the stop is an OSM node (alone or merged with World Bank stops), else
    ``gtfs:<stop_id>`` of the World Bank stop kept for that place. ``source`` is ``"osm"``, ``"gtfs"`` or
    ``"osm+gtfs"`` (an OSM node that World Bank stops were merged into).
    """

    stop_id: str
    name: str
    lat: float
    lon: float
    source: str
    name_source: str = "osm"

    def to_dict(self) -> dict[str, JsonValue]:
        """Plain-JSON form: the fields by name (all of them are plain values)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BusStop:
        """Inverse of :meth:`to_dict` (raises KeyError / TypeError / ValueError on malformed data)."""
        source = str(data["source"])
        name_source = str(data.get("name_source", "derived" if source == "gtfs" else "osm"))
        return cls(str(data["stop_id"]), str(data["name"]), float(data["lat"]), float(data["lon"]), source, name_source)


@dataclass(frozen=True, slots=True)
class BusRoute:
    """One direction of one bus line: ordered stops, per-leg distances and run times, headways per period.

    ``route_id`` is ``<ref>:<direction>`` for routes backed by the World Bank feed (``"01:1"``, ``"BRT01:2"``) and
    ``<ref>:osm<relation id>`` for OSM relations that no World Bank route matches. ``headway_s`` maps each period
    name to seconds between departures, None when the route does not run in that period. ``stop_sequence_source``
    says where the stop order came from: ``"gtfs"`` (World Bank order), ``"osm_by_gtfs"`` (the OSM relation's stops
    ordered along the matched World Bank route), ``"osm_repaired"`` (the OSM relation's stops re-ordered on their own,
    see ``routing/build/transit/ordering.py``).

    ``service_hours_s`` holds the windows ``(first, last)`` of departures from the first stop, in seconds after
    midnight, both ends included, when a source gives the route's own hours (the ``opening_hours`` tag of its OSM
    relation, see ``service_hours.py``); empty when the periods with a headway bound its service.
    ``hours_source`` says where the hours came from: ``osm:relation/<id> opening_hours=... [interval=...]``
    (ending `` (line's other direction)`` when taken from the same line's other direction),
    :data:`HOURS_FROM_COUNTS`, or :data:`HOURS_FROM_PERIODS`.

    ``mode`` is one of :data:`MODES`. ``field_sources`` names, for each of :data:`ROUTE_FIELDS`, the dataset the
    field came from (:data:`DATASET_EXTRACT`, :data:`DATASET_OSM_2022`, :data:`DATASET_GTFS_2018`, or the model
    that computed it); empty for a route not built by the compiler (e.g. a designed line).
    """

    route_id: str
    ref: str
    direction: int
    name: str
    source: str
    stop_ids: tuple[str, ...]
    leg_distance_m: tuple[float, ...]
    leg_run_time_s: tuple[float, ...]
    leg_distance_estimated: tuple[bool, ...]
    headway_s: dict[str, float | None]
    headway_source: str
    stop_sequence_source: str = "gtfs"
    gtfs_route_id: str | None = None
    osm_relation_id: int | None = None
    service_hours_s: tuple[tuple[int, int], ...] = ()
    hours_source: str = HOURS_FROM_PERIODS
    mode: str = "bus"
    field_sources: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        legs = max(len(self.stop_ids) - 1, 0)
        if not len(self.leg_distance_m) == len(self.leg_run_time_s) == len(self.leg_distance_estimated) == legs:
            raise RoutingError(f"route {self.route_id}: {len(self.stop_ids)} stops need {legs} legs of each kind")
        if any(not 0 <= start <= end for start, end in self.service_hours_s):
            raise RoutingError(f"route {self.route_id}: service hours {self.service_hours_s} need 0 <= first <= last")

    @property
    def hours_source_kind(self) -> str:
        """``hours_source`` without the relation id and tag values, for counting routes by it."""
        if not self.hours_source.startswith("osm:relation/"):
            return self.hours_source
        return "osm opening_hours" + (" (line's other direction)" if "other direction" in self.hours_source else "")

    def last_departure_s(self) -> int | None:
        """The last departure from the first stop that the route's own hours give (None without them)."""
        return max((end for _, end in self.service_hours_s), default=None)

    @property
    def run_time_s(self) -> float:
        """Scheduled time from the first to the last stop."""
        return float(sum(self.leg_run_time_s))

    @property
    def length_m(self) -> float:
        """Distance from the first to the last stop along the legs."""
        return float(sum(self.leg_distance_m))

    def has_headway(self) -> bool:
        """True when the route runs in at least one period."""
        return any(value is not None for value in self.headway_s.values())

    def to_dict(self) -> dict[str, JsonValue]:
        """Plain-JSON form."""
        return {
            "route_id": self.route_id,
            "ref": self.ref,
            "direction": self.direction,
            "name": self.name,
            "source": self.source,
            "stop_ids": list(self.stop_ids),
            "leg_distance_m": list(self.leg_distance_m),
            "leg_run_time_s": list(self.leg_run_time_s),
            "leg_distance_estimated": list(self.leg_distance_estimated),
            "headway_s": dict(self.headway_s),
            "headway_source": self.headway_source,
            "stop_sequence_source": self.stop_sequence_source,
            "gtfs_route_id": self.gtfs_route_id,
            "osm_relation_id": self.osm_relation_id,
            "service_hours_s": [[start, end] for start, end in self.service_hours_s],
            "hours_source": self.hours_source,
            "mode": self.mode,
            "field_sources": dict(self.field_sources),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BusRoute:
        """Inverse of :meth:`to_dict` (raises KeyError / TypeError / ValueError on malformed data)."""
        relation = data.get("osm_relation_id")
        gtfs_route = data.get("gtfs_route_id")
        return cls(
            route_id=str(data["route_id"]),
            ref=str(data["ref"]),
            direction=int(data["direction"]),
            name=str(data["name"]),
            source=str(data["source"]),
            stop_ids=tuple(str(value) for value in data["stop_ids"]),
            leg_distance_m=tuple(float(value) for value in data["leg_distance_m"]),
            leg_run_time_s=tuple(float(value) for value in data["leg_run_time_s"]),
            leg_distance_estimated=tuple(bool(value) for value in data["leg_distance_estimated"]),
            headway_s={str(k): None if v is None else float(v) for k, v in data["headway_s"].items()},
            headway_source=str(data["headway_source"]),
            stop_sequence_source=str(data.get("stop_sequence_source", "gtfs")),
            gtfs_route_id=None if gtfs_route is None else str(gtfs_route),
            osm_relation_id=None if relation is None else int(relation),
            service_hours_s=tuple((int(start), int(end)) for start, end in data.get("service_hours_s", ())),
            hours_source=str(data.get("hours_source", HOURS_FROM_PERIODS)),
            mode=str(data.get("mode", "bus")),
            field_sources={str(k): str(v) for k, v in data.get("field_sources", {}).items()},
        )


@dataclass(frozen=True, slots=True)
class ServicePeriod:
    """A service period: departures from a route's first stop at ``start_s <= t < end_s`` (seconds after midnight).

    ``timed_at_end``: the period's travel times are those of a departure in its last minute rather than its middle.
    The evening periods, in which lines stop one by one, are timed so: a bus that a plan counts on anywhere in such a
    period still runs at its end, and nobody is sent to a stop after the last bus has left.
    """

    name: str
    start_s: int
    end_s: int
    timed_at_end: bool = False

    @property
    def duration_s(self) -> int:
        """Length of the period."""
        return self.end_s - self.start_s

    def contains(self, time_s: float) -> bool:
        """True when ``time_s`` (seconds after midnight) falls in the period."""
        return self.start_s <= time_s < self.end_s

    @property
    def representative_s(self) -> int:
        """The departure whose travel times stand for the whole period.

        Its middle, or its last minute when ``timed_at_end``; rounded down to the minute.
        """
        moment = self.end_s - 60 if self.timed_at_end else (self.start_s + self.end_s) // 2
        return max(moment, self.start_s) // 60 * 60

    def to_dict(self) -> dict[str, JsonValue]:
        """Plain-JSON form."""
        data: dict[str, JsonValue] = {"name": self.name, "start_s": self.start_s, "end_s": self.end_s}
        if self.timed_at_end:
            data["timed_at_end"] = True
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ServicePeriod:
        """Inverse of :meth:`to_dict`."""
        return cls(str(data["name"]), int(data["start_s"]), int(data["end_s"]), bool(data.get("timed_at_end", False)))


@dataclass(frozen=True, slots=True)
class SpeedModel:
    """Scheduled bus run time between consecutive stops as a function of the road distance.

    ``run_time_s = (dwell_s[period] + distance_m / speed_mps[period]) * route_factor.get(route_id, 1.0)``

    ``route_factor`` holds, for the routes whose run times the central clip shows, their median ratio of scheduled
    to modelled run time, shrunk half-way to 1 (see ``speed_model.py``). ``detour_factor`` is the road /
    straight-line distance ratio used for distances nobody measured. ``fit`` records how the parameters were fitted
    and how well they reproduce the clip.
    """

    form: str
    dwell_s: dict[str, float]
    speed_mps: dict[str, float]
    route_factor: dict[str, float]
    detour_factor: float
    fit: dict[str, JsonValue] = field(default_factory=dict)

    def run_time_s(self, distance_m: float, period: str, *, route_id: str | None = None) -> float:
        """Scheduled run time in seconds over ``distance_m`` metres of road.

        Raises
        ------
        RoutingError
            If ``period`` is not one of the model's periods or the distance is negative or not finite.
        """
        if not math.isfinite(distance_m) or distance_m < 0:
            raise RoutingError(f"distance_m must be a finite number >= 0, got {distance_m}")
        return float(self.run_times_s(np.array([distance_m]), period, route_id=route_id)[0])

    def run_times_s(self, distance_m: ArrayLike, period: str, *, route_id: str | None = None) -> NDArray[np.float64]:
        """Vectorised :meth:`run_time_s`.

        Raises
        ------
        RoutingError
            If ``period`` is not one of the model's periods.
        """
        if period not in self.speed_mps:
            raise RoutingError(f"unknown period {period!r}; the speed model has {sorted(self.speed_mps)}")
        factor = self.route_factor.get(route_id, 1.0) if route_id is not None else 1.0
        distance = np.asarray(distance_m, dtype=np.float64)
        return np.asarray((self.dwell_s[period] + distance / self.speed_mps[period]) * factor, dtype=np.float64)

    def to_dict(self) -> dict[str, JsonValue]:
        """Plain-JSON form."""
        return {
            "form": self.form,
            "dwell_s": dict(self.dwell_s),
            "speed_mps": dict(self.speed_mps),
            "route_factor": dict(self.route_factor),
            "detour_factor": self.detour_factor,
            "fit": self.fit,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SpeedModel:
        """Inverse of :meth:`to_dict`."""
        return cls(
            form=str(data["form"]),
            dwell_s={str(k): float(v) for k, v in data["dwell_s"].items()},
            speed_mps={str(k): float(v) for k, v in data["speed_mps"].items()},
            route_factor={str(k): float(v) for k, v in data["route_factor"].items()},
            detour_factor=float(data["detour_factor"]),
            fit=dict(data.get("fit", {})),
        )


@dataclass(frozen=True, slots=True)
class BusNetwork:
    """The city's bus network as compiled from the OSM relations and the World Bank feed.

    ``merged_stop_ids`` maps every source stop id that was merged into another stop of the network
    (``gtfs:01_1_S5`` -> ``osm:738814284``, or a World Bank stop id to the one kept for the same coordinates) to the
    kept ``stop_id``. A World Bank stop that no route uses any more (its route took the OSM relation's stops) is
    not listed.
    ``report`` holds the compiler's measurements (matching, de-duplication, calibration, what was dropped and why).
    """

    stops: tuple[BusStop, ...]
    routes: tuple[BusRoute, ...]
    periods: tuple[ServicePeriod, ...]
    speed_model: SpeedModel
    merged_stop_ids: dict[str, str] = field(default_factory=dict)
    report: dict[str, JsonValue] = field(default_factory=dict)

    def stop_by_id(self) -> dict[str, BusStop]:
        """Stops keyed by ``stop_id``."""
        return {stop.stop_id: stop for stop in self.stops}

    def resolve_stop_id(self, stop_id: str) -> str:
        """The kept ``stop_id`` for any source id (``gtfs:...``/``osm:...``), following ``merged_stop_ids``."""
        return self.merged_stop_ids.get(stop_id, stop_id)

    def period_at(self, time_s: float) -> ServicePeriod | None:
        """The service period containing ``time_s`` seconds after midnight, None when no bus runs."""
        return next((period for period in self.periods if period.contains(time_s)), None)

    def summary(self) -> dict[str, JsonValue]:
        """Counts of stops and routes, by source, and the compiler's headline measurements."""
        usable = [r for r in self.routes if len(r.stop_ids) >= 3 and r.has_headway()]
        legs = sum(len(r.leg_distance_m) for r in self.routes)
        estimated = sum(sum(r.leg_distance_estimated) for r in self.routes)
        summary: dict[str, JsonValue] = {
            "stops": len(self.stops),
            "stops_by_source": dict(sorted(Counter(s.source for s in self.stops).items())),
            "routes": len(self.routes),
            "routes_by_source": dict(sorted(Counter(r.source for r in self.routes).items())),
            "routes_with_3plus_stops_and_headway": len(usable),
            "routes_by_headway_source": dict(sorted(Counter(r.headway_source for r in self.routes).items())),
            "routes_by_hours_source": dict(sorted(Counter(r.hours_source_kind for r in self.routes).items())),
            "routes_by_stop_sequence_source": dict(
                sorted(Counter(r.stop_sequence_source for r in self.routes).items())
            ),
            "routes_by_mode": dict(sorted(Counter(r.mode for r in self.routes).items())),
            "lines_by_mode": dict(sorted(Counter(mode for mode, _ in {(r.mode, r.ref) for r in self.routes}).items())),
            "stops_by_name_source": dict(sorted(Counter(s.name_source for s in self.stops).items())),
            "route_fields_by_source": {
                name: dict(sorted(Counter(r.field_sources.get(name, "unrecorded") for r in self.routes).items()))
                for name in ROUTE_FIELDS
            },
            "lines": len({r.ref for r in self.routes}),
            "legs": legs,
            "legs_distance_estimated": int(estimated),
            "merged_stop_ids": len(self.merged_stop_ids),
            "periods": {p.name: [p.start_s, p.end_s] for p in self.periods},
        }
        for key in (
            "matching",
            "dropped_routes",
            "leg_distance_sources",
            "stop_names",
            "stop_merging",
            "gtfs_offset_m",
            "service_hours",
            "extract_lines",
        ):
            if key in self.report:
                summary[key] = self.report[key]
        return summary

    def to_dict(self) -> dict[str, JsonValue]:
        """Plain-JSON form (orjson-friendly)."""
        return {
            "stops": [stop.to_dict() for stop in self.stops],
            "routes": [route.to_dict() for route in self.routes],
            "periods": [period.to_dict() for period in self.periods],
            "speed_model": self.speed_model.to_dict(),
            "merged_stop_ids": dict(self.merged_stop_ids),
            "report": self.report,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BusNetwork:
        """Inverse of :meth:`to_dict`.

        Raises
        ------
        BundleError
            If the data is not a serialised bus network (a missing key, a value of the wrong type).
        """
        try:
            return cls(
                stops=tuple(BusStop.from_dict(item) for item in data["stops"]),
                routes=tuple(BusRoute.from_dict(item) for item in data["routes"]),
                periods=tuple(ServicePeriod.from_dict(item) for item in data["periods"]),
                speed_model=SpeedModel.from_dict(data["speed_model"]),
                merged_stop_ids={str(k): str(v) for k, v in data.get("merged_stop_ids", {}).items()},
                report=dict(data.get("report", {})),
            )
        except (KeyError, TypeError, ValueError, AttributeError, RoutingError) as exc:
            raise BundleError(f"not a serialised bus network: {exc.__class__.__name__}: {exc}") from exc
