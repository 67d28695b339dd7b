"""Isochrones: what a traveller reaches within a time budget on foot, or by bus and on foot, from a point.

The area is drawn from the streets themselves: every street edge walked within the budget, the last one only up to
where the budget runs out, buffered by ``buffer_m`` (about 40 m: the frontage a walker sees) in a local metric
projection and merged. By bus, the walk continues from every stop reached in time with what remains of the budget:
one Dijkstra from a virtual source joined to each such stop by its elapsed time converted to metres at walking
speed (:meth:`~routing.journeys.rows.TravelTimes.multi_source_m`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry
from shapely.ops import substring

from routing.errors import RoutingError
from routing.geo import LocalProjection
from routing.journeys.rows import FloatArray, Mode, TravelTimes
from routing.journeys.search import INF

MAX_MINUTES = 240.0


@dataclass(frozen=True)
class Isochrone:
    """The places reached within ``minutes`` (``(place id, seconds)``, quickest first) and the area.

    ``polygon`` is in degrees with x = longitude, y = latitude (GeoJSON order).
    """

    mode: Mode
    minutes: float
    depart_s: int | None
    places: list[tuple[str, float]]
    polygon: BaseGeometry

    def to_geojson(self) -> dict[str, Any]:
        """A GeoJSON Feature: the area (``[lon, lat]`` positions) with mode, minutes and the place count."""
        return {
            "type": "Feature",
            "geometry": shapely.geometry.mapping(self.polygon),
            "properties": {
                "mode": self.mode,
                "minutes": self.minutes,
                "depart_s": self.depart_s,
                "place_count": len(self.places),
            },
        }


def isochrone(
    times: TravelTimes,
    lat: float,
    lon: float,
    *,
    minutes: float,
    mode: Mode = "walk",
    depart_s: int | None = None,
    buffer_m: float = 40.0,
    simplify_m: float = 5.0,
) -> Isochrone:
    """The places and the area reachable from ``(lat, lon)`` within ``minutes``.

    Parameters
    ----------
    times
        The travel-time engine of the bundle.
    lat, lon
        The start, degrees.
    minutes
        The budget, ``0 < minutes <= 240``.
    mode
        ``"walk"`` or ``"bus"`` (bus and walk, leaving at ``depart_s``).
    depart_s
        Departure, seconds after midnight (bus mode only).
    buffer_m
        Half-width of the area drawn along each reached street.
    simplify_m
        Tolerance of the outline simplification (0: none).

    Returns
    -------
    Isochrone

    Raises
    ------
    OutsideAreaError, TooFarFromStreetError, NoServiceError, RoutingError
        As :meth:`TravelTimes.reach` for the start; RoutingError also if ``minutes`` or ``buffer_m`` is out of range.
    """
    if not (math.isfinite(minutes) and 0 < minutes <= MAX_MINUTES):
        raise RoutingError(f"minutes must be in (0, {MAX_MINUTES:g}], got {minutes}")
    if not (math.isfinite(buffer_m) and buffer_m > 0):
        raise RoutingError(f"buffer_m must be a finite number > 0, got {buffer_m}")
    budget_s = minutes * 60.0
    budget_m = budget_s * times.speed_mps
    reach = times.reach(lat, lon, mode=mode, depart_s=depart_s, limit_m=budget_m)
    node_m = reach.node_m
    planner = times.planner
    stop_points: list[tuple[float, float]] = []
    if reach.stop_arrive_s is not None and reach.depart_s is not None:
        elapsed_s = reach.stop_arrive_s - reach.depart_s
        in_time = np.flatnonzero((reach.stop_arrive_s < INF) & (elapsed_s <= budget_s))
        on = in_time[planner.stops.node[in_time] >= 0]
        initial_m = elapsed_s[on] * times.speed_mps + planner.stops.offset_m[on]
        from_stops = times.multi_source_m(planner.stops.node[on], initial_m, limit_m=budget_m)
        node_m = np.minimum(node_m, from_stops)
        stop_points = [(float(planner.stops.lat[s]), float(planner.stops.lon[s])) for s in in_time]
    place_s = reach.place_s
    inside = np.flatnonzero(place_s <= budget_s)
    places = sorted(((times.place_ids[i], float(place_s[i])) for i in inside), key=lambda item: (item[1], item[0]))
    polygon = _area(times, node_m, budget_m, [(lat, lon), *stop_points], buffer_m=buffer_m, simplify_m=simplify_m)
    return Isochrone(mode=mode, minutes=float(minutes), depart_s=reach.depart_s, places=places, polygon=polygon)


def _area(
    times: TravelTimes,
    node_m: FloatArray,
    budget_m: float,
    points: list[tuple[float, float]],
    *,
    buffer_m: float,
    simplify_m: float,
) -> BaseGeometry:
    """Buffer of the street edges walked within ``budget_m`` (partial at the frontier) and of ``points``."""
    graph = times.graph
    projection = LocalProjection(points[0][0], points[0][1])
    tail = graph.tail()
    start_m = node_m[tail]
    reached = np.flatnonzero(start_m <= budget_m)
    full = reached[start_m[reached] + graph.length_m[reached] <= budget_m]
    partial = reached[start_m[reached] + graph.length_m[reached] > budget_m]
    # A two-way street is two directed edges with the same line: draw it once.
    low, high = np.minimum(tail[full], graph.head[full]), np.maximum(tail[full], graph.head[full])
    _, once = np.unique(np.column_stack((low, high, np.round(graph.length_m[full], 1))), axis=0, return_index=True)
    full = full[np.sort(once)]
    lines: list[BaseGeometry] = []
    if full.size:
        interior = np.diff(graph.geometry_offsets)[full]
        counts = interior + 2
        first = np.cumsum(counts) - counts
        lat = np.empty(int(counts.sum()))
        lon = np.empty_like(lat)
        lat[first], lon[first] = graph.node_lat[tail[full]], graph.node_lon[tail[full]]
        last = first + counts - 1
        lat[last], lon[last] = graph.node_lat[graph.head[full]], graph.node_lon[graph.head[full]]
        middle = np.ones(lat.size, dtype=bool)
        middle[first] = False
        middle[last] = False
        source = np.repeat(graph.geometry_offsets[full], interior) + (
            np.arange(int(interior.sum())) - np.repeat(np.cumsum(interior) - interior, interior)
        )
        lat[middle], lon[middle] = graph.geometry_lat[source], graph.geometry_lon[source]
        x, y = projection.forward(lat, lon)
        lines.extend(shapely.linestrings(np.column_stack((x, y)), indices=np.repeat(np.arange(full.size), counts)))
    for edge in partial:
        lat, lon = graph.edge_coordinates(int(edge))
        x, y = projection.forward(lat, lon)
        line = shapely.linestrings(np.column_stack((x, y)))
        share = (budget_m - float(start_m[edge])) / max(float(graph.length_m[edge]), 1e-9)
        lines.append(substring(line, 0.0, min(max(share, 0.0), 1.0), normalized=True))
    px, py = projection.forward([p[0] for p in points], [p[1] for p in points])
    shapes = np.asarray([*lines, *shapely.points(np.column_stack((px, py)))], dtype=object)
    # Buffering each piece and merging them pairwise is far faster than buffering one self-overlapping shape.
    area = shapely.union_all(shapely.buffer(shapes, buffer_m, quad_segs=4))
    if simplify_m > 0:
        area = shapely.simplify(area, simplify_m)

    def to_degrees(xy: FloatArray) -> FloatArray:
        lat, lon = projection.inverse(xy[:, 0], xy[:, 1])
        return np.column_stack((lon, lat))

    return shapely.transform(area, to_degrees)
