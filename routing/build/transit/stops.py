"""Stops of both sources in one frame, and which of them are the same physical stop.

Coordinate offset
-----------------
The World Bank stops sit a constant ~30 m from the OSM stops: the median vector from a World Bank stop to its
nearest OSM stop is (+17 m east, -27 m north), the same within +-4 m in each quarter of the city (a datum/shift of
the 2018 feed, not noise). :func:`estimate_offset` measures it (median nearest-neighbour vector of the pairs within
80 m, then again over the pairs within 30 m after the first shift) and the compiler moves the World Bank stops by it.
That takes the median distance from a World Bank stop to its nearest OSM stop from 35 m to 13 m, and to a
same-line, same-direction OSM stop from 35 m to 11 m.

Same physical stop
------------------
* World Bank stop ids repeat per route: 7,670 ids sit at 3,146 distinct coordinates. Ids with identical coordinates
  are one stop (kept id: the first by route id and stop number).
* A World Bank stop and an OSM stop are the same stop when, after the shift, they are at most ``MERGE_RADIUS_M``
  apart and the OSM stop serves the same line: a stop of the matched relation when the World Bank route has one,
  else of any relation of the same line. Measured on the matched lines, 25 m merges 76 % of World Bank stops with
  their same-direction OSM stop, while only 2.6 % have an opposite-direction stop nearer than that.

Names
-----
OSM stops keep their OSM name (``name_source="osm"``). A World Bank stop that was not merged takes the name of the
nearest named OSM stop (relation stops and ``osm-bus-stops``) within ``NAME_RADIUS_M`` (``"osm"``: the stop's OSM
name, matched by position), else its reverse-geocoded street name from ``stops-enriched.txt`` (any route's id at that
place), else the street name of the nearest World Bank stop that has one within ``STREET_NAME_RADIUS_M``
(``stops-enriched.txt`` lacks 29 whole routes, e.g. 101-108); those are ``"derived"``. A stop left without a name
here (an OSM node nobody named, a World Bank stop with no street) is named by the compiler from the line's terminal
names, a nearby named place or street, or the nearest named stop (``compile.py``); never by its id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from routing.build.transit.gtfs_worldbank import WbRoute
from routing.build.transit.osm_relations import OsmRelation, OsmStopPoint
from routing.geo import LocalProjection
from routing.transit.model import JsonValue

FloatArray = NDArray[np.float64]

OFFSET_FIRST_RADIUS_M = 80.0
OFFSET_SECOND_RADIUS_M = 30.0
MIN_OFFSET_PAIRS = 50
MERGE_RADIUS_M = 25.0
NAME_RADIUS_M = 25.0
STREET_NAME_RADIUS_M = 100.0


def estimate_offset(source_xy: FloatArray, reference_xy: FloatArray) -> tuple[FloatArray, dict[str, JsonValue]]:
    """Constant shift that moves ``source_xy`` points onto ``reference_xy`` points (metres).

    Returns
    -------
    offset, report
        ``[east_m, north_m]`` (zero when fewer than ``MIN_OFFSET_PAIRS`` pairs are close enough) and the evidence.
    """
    zero = np.zeros(2)
    if len(source_xy) == 0 or len(reference_xy) == 0:
        return zero, {"pairs": 0, "east_m": 0.0, "north_m": 0.0}
    tree = cKDTree(reference_xy)
    distance, index = (np.asarray(a) for a in tree.query(source_xy))
    close = distance <= OFFSET_FIRST_RADIUS_M
    if close.sum() < MIN_OFFSET_PAIRS:
        return zero, {"pairs": int(close.sum()), "east_m": 0.0, "north_m": 0.0}
    first = np.median(reference_xy[index[close]] - source_xy[close], axis=0)
    shifted_distance, shifted_index = (np.asarray(a) for a in tree.query(source_xy + first))
    close2 = shifted_distance <= OFFSET_SECOND_RADIUS_M
    offset = np.asarray(np.median(reference_xy[shifted_index[close2]] - source_xy[close2], axis=0), dtype=np.float64)
    after = np.asarray(tree.query(source_xy + offset)[0])
    report: dict[str, JsonValue] = {
        "east_m": round(float(offset[0]), 2),
        "north_m": round(float(offset[1]), 2),
        "pairs": int(close2.sum()),
        "median_nearest_m_before": round(float(np.median(distance)), 2),
        "median_nearest_m_after": round(float(np.median(after)), 2),
    }
    return offset, report


@dataclass(slots=True)
class WbPlace:
    """World Bank stop ids at one coordinate: one physical stop."""

    key: str
    lat: float
    lon: float
    x: float
    y: float
    stop_ids: list[str] = field(default_factory=list)
    route_ids: set[str] = field(default_factory=set)
    street_name: str | None = None


def group_worldbank_stops(
    routes: Sequence[WbRoute], projection: LocalProjection, offset: FloatArray
) -> tuple[dict[str, WbPlace], dict[str, str]]:
    """Group World Bank stop ids by identical coordinates and move them by ``offset``.

    Returns
    -------
    places
        Place key (the first stop id by route id and number) -> place, positions already shifted.
    place_of
        World Bank stop id -> place key.
    """
    places: dict[str, WbPlace] = {}
    by_coordinate: dict[tuple[float, float], str] = {}
    place_of: dict[str, str] = {}
    for route in sorted(routes, key=lambda r: r.route_id):
        for stop in route.stops:
            coordinate = (round(stop.lat, 7), round(stop.lon, 7))
            key = by_coordinate.get(coordinate)
            if key is None:
                key = stop.stop_id
                by_coordinate[coordinate] = key
                x, y = projection.forward(stop.lat, stop.lon)
                sx, sy = float(x) + float(offset[0]), float(y) + float(offset[1])
                lat, lon = projection.inverse(sx, sy)
                places[key] = WbPlace(key, round(float(lat), 7), round(float(lon), 7), sx, sy)
            place = places[key]
            place.stop_ids.append(stop.stop_id)
            place.route_ids.add(route.route_id)
            if place.street_name is None and stop.street_name:
                place.street_name = stop.street_name
            place_of[stop.stop_id] = key
    return places, place_of


@dataclass(frozen=True, slots=True)
class OsmNode:
    """An OSM stop node used by at least one relation."""

    node_id: int
    name: str
    lat: float
    lon: float
    x: float
    y: float


def collect_osm_nodes(
    relations: Iterable[OsmRelation], points: Iterable[OsmStopPoint], projection: LocalProjection
) -> dict[int, OsmNode]:
    """Relation stop nodes with their relation name (falling back to the bus-stop layer's name, else "")."""
    point_names = {point.node_id: point.name for point in points}
    nodes: dict[int, OsmNode] = {}
    for relation in relations:
        for node_id, name, lat, lon in zip(relation.node_ids, relation.names, relation.lat, relation.lon, strict=True):
            if node_id in nodes:
                continue
            x, y = projection.forward(lat, lon)
            label = name.strip() or point_names.get(node_id) or ""
            nodes[node_id] = OsmNode(node_id, label, lat, lon, float(x), float(y))
    return nodes


def merge_places_into_nodes(
    places: Mapping[str, WbPlace], nodes: Mapping[int, OsmNode], allowed_nodes: Mapping[str, set[int]]
) -> dict[str, int]:
    """Pick, for each World Bank place, the nearest allowed OSM node within ``MERGE_RADIUS_M``.

    Parameters
    ----------
    places
        World Bank places with positions in metres.
    nodes
        OSM stop nodes with positions in the same frame.
    allowed_nodes
        Place key -> OSM nodes serving the same line (and direction, where known) as the place.

    Returns
    -------
    Place key -> OSM node id, for the places that were merged.
    """
    node_ids = np.array(sorted(nodes), dtype=np.int64)
    if len(node_ids) == 0:
        return {}
    node_xy = np.array([[nodes[int(n)].x, nodes[int(n)].y] for n in node_ids])
    tree = cKDTree(node_xy)
    merged: dict[str, int] = {}
    for key in sorted(places):
        allowed = allowed_nodes.get(key)
        if not allowed:
            continue
        place = places[key]
        hits = [int(i) for i in tree.query_ball_point([place.x, place.y], MERGE_RADIUS_M)]
        best: tuple[float, int] | None = None
        for hit in hits:
            node_id = int(node_ids[hit])
            if node_id in allowed:
                candidate = (float(np.hypot(node_xy[hit, 0] - place.x, node_xy[hit, 1] - place.y)), node_id)
                best = candidate if best is None or candidate < best else best
        if best is not None:
            merged[key] = best[1]
    return merged


def name_places(
    places: Iterable[WbPlace],
    all_places: Iterable[WbPlace],
    nodes: Mapping[int, OsmNode],
    points: Sequence[OsmStopPoint],
    projection: LocalProjection,
) -> tuple[dict[str, tuple[str, str]], dict[str, int]]:
    """Names and name sources for World Bank places that were not merged into an OSM node.

    Parameters
    ----------
    places
        The places to name.
    all_places
        Every World Bank place, for street names of nearby places.
    nodes
        OSM stop nodes of the relations (named).
    points
        Named OSM bus-stop points.
    projection
        The planar projection of the places.

    Returns
    -------
    names, counts
        Place key -> (name, ``"osm"`` or ``"derived"``; name "" when nothing names it), and how many names came from
        a nearby OSM stop, the place's street name, a nearby place's street name, or nothing (``unnamed``).
    """
    named: dict[int, tuple[str, float, float]] = {point.node_id: (point.name, point.lat, point.lon) for point in points}
    named.update({node.node_id: (node.name, node.lat, node.lon) for node in nodes.values()})
    ordered = sorted(named)
    osm_tree = None
    if ordered:
        x, y = projection.forward([named[n][1] for n in ordered], [named[n][2] for n in ordered])
        osm_tree = cKDTree(np.column_stack([x, y]))
    streets = sorted((p.key, p.x, p.y, p.street_name) for p in all_places if p.street_name)
    street_tree = cKDTree(np.array([[x, y] for _, x, y, _ in streets])) if streets else None
    names: dict[str, tuple[str, str]] = {}
    counts = {"osm_nearby": 0, "street_name": 0, "street_name_nearby": 0, "unnamed": 0}
    for place in places:
        if osm_tree is not None:
            distance, index = osm_tree.query([place.x, place.y])
            if float(distance) <= NAME_RADIUS_M:
                names[place.key] = (named[ordered[int(index)]][0], "osm")
                counts["osm_nearby"] += 1
                continue
        if place.street_name:
            names[place.key] = (place.street_name, "derived")
            counts["street_name"] += 1
            continue
        if street_tree is not None:
            distance, index = street_tree.query([place.x, place.y])
            if float(distance) <= STREET_NAME_RADIUS_M:
                names[place.key] = (str(streets[int(index)][3]), "derived")
                counts["street_name_nearby"] += 1
                continue
        names[place.key] = ("", "derived")
        counts["unnamed"] += 1
    return names, counts
