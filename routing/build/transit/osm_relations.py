"""Readers for the OpenStreetMap bus data: the 2022 ``route=bus`` relations and the bus-stop points.

``osm-bus-relations-2022/route_stop_sequence.csv`` holds one row per stop of each relation (relation id, line ref,
position, OSM node id, stop name, lat, lon). ``routeDistance.txt`` is a Python dict literal
``{(node_a, node_b): [metres, n_routes, [relation ids]]}``. ``osm-bus-stops/hanoi_bus_stops_osm.geojson`` holds
3,326 named bus-stop points, used only to name stops.

What the data is like (measured, see ``ordering.py`` and ``merge.py``): node positions and names are good, and each
relation's stops stand on its direction's side of the road, but the *order* of the stops is unreliable: about half
of the relations list their stops in the reverse of the direction their platforms serve, and most have locally
swapped neighbours (both BRT01 relations run Yên Nghĩa, Văn La, Ba La, ... where Ba La comes before Văn La on the
road; the listed order makes a path 1.1 - 3.5 x as long as the World Bank route's). The compiler never uses the
listed order as it is.

``routeDistance.txt`` is a router's driving distance between consecutive stops in the running direction (see
``compile.py`` for how it is used).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from routing.build.transit.feed_io import parse_int, parse_lat_lon, read_csv, read_literal, read_text
from routing.errors import InputDataError

RELATIONS_DIR = "osm-bus-relations-2022"
SEQUENCE_FILE = "route_stop_sequence.csv"
ROUTE_DISTANCE_FILE = "routeDistance.txt"
STOPS_DIR = "osm-bus-stops"
STOPS_FILE = "hanoi_bus_stops_osm.geojson"

_SEQUENCE_COLUMNS = ("osm_relation_id", "route_ref", "stop_sequence", "osm_node_id", "stop_name", "lat", "lon")


@dataclass(frozen=True, slots=True)
class OsmRelation:
    """One OSM ``route=bus`` relation: one direction of one line, stops in the order the file lists them."""

    relation_id: int
    ref: str
    node_ids: tuple[int, ...]
    names: tuple[str, ...]
    lat: tuple[float, ...]
    lon: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class OsmStopPoint:
    """A named OSM bus-stop node."""

    node_id: int
    name: str
    lat: float
    lon: float


def read_relations(transit_dir: Path) -> tuple[OsmRelation, ...]:
    """Read ``route_stop_sequence.csv`` into relations ordered by relation id.

    Raises
    ------
    InputDataError
        If the file is missing, a row has a non-numeric id, position or coordinate, a relation lists two
        different refs, a position twice, or one node at two different places.
    """
    path = transit_dir / RELATIONS_DIR / SEQUENCE_FILE
    rows: dict[int, list[tuple[int, int, str, float, float]]] = {}
    refs: dict[int, str] = {}
    node_position: dict[int, tuple[float, float, int]] = {}
    for row, record in read_csv(path, _SEQUENCE_COLUMNS):
        relation_id = parse_int(path, row, "osm_relation_id", record["osm_relation_id"])
        position = parse_int(path, row, "stop_sequence", record["stop_sequence"])
        node_id = parse_int(path, row, "osm_node_id", record["osm_node_id"])
        lat, lon = parse_lat_lon(path, row, record, "lat", "lon")
        ref = record["route_ref"]
        if not ref:
            raise InputDataError(path, "empty route_ref", row=row)
        if refs.setdefault(relation_id, ref) != ref:
            raise InputDataError(path, f"relation {relation_id} has refs {refs[relation_id]!r} and {ref!r}", row=row)
        known = node_position.setdefault(node_id, (lat, lon, row))
        if abs(known[0] - lat) > 1e-6 or abs(known[1] - lon) > 1e-6:
            raise InputDataError(path, f"node {node_id} is at two places (first on row {known[2]})", row=row)
        rows.setdefault(relation_id, []).append((position, node_id, record["stop_name"], lat, lon))
    if not rows:
        raise InputDataError(path, "no stops")
    relations = []
    for relation_id in sorted(rows):
        stops = sorted(rows[relation_id])
        positions = [stop[0] for stop in stops]
        if len(set(positions)) != len(positions):
            raise InputDataError(path, f"relation {relation_id} lists a stop_sequence value twice")
        relations.append(
            OsmRelation(
                relation_id=relation_id,
                ref=refs[relation_id],
                node_ids=tuple(stop[1] for stop in stops),
                names=tuple(stop[2] for stop in stops),
                lat=tuple(stop[3] for stop in stops),
                lon=tuple(stop[4] for stop in stops),
            )
        )
    return tuple(relations)


def read_route_distances(transit_dir: Path) -> dict[tuple[int, int], float]:
    """Read ``routeDistance.txt``: metres along the route between two stop nodes, keyed in the crawler's order.

    Raises
    ------
    InputDataError
        If the file is missing, is not a dict literal, or an entry is not ``(int, int): [metres >= 0, ...]``.
    """
    path = transit_dir / RELATIONS_DIR / ROUTE_DISTANCE_FILE
    data = read_literal(path)
    if not isinstance(data, dict):
        raise InputDataError(path, f"expected a dict literal, found {type(data).__name__}")
    distances: dict[tuple[int, int], float] = {}
    for key, value in data.items():
        if not (isinstance(key, tuple) and len(key) == 2 and all(isinstance(node, int) for node in key)):
            raise InputDataError(path, f"key {key!r} is not a pair of node ids")
        metres = value[0] if isinstance(value, list | tuple) and value else value
        if isinstance(metres, bool) or not isinstance(metres, int | float) or not math.isfinite(metres) or metres < 0:
            raise InputDataError(path, f"entry {key!r}: {value!r} does not start with a distance in metres")
        distances[(key[0], key[1])] = float(metres)
    return distances


def read_stop_points(transit_dir: Path) -> tuple[OsmStopPoint, ...]:
    """Read the named OSM bus-stop points (points without a name are skipped).

    Raises
    ------
    InputDataError
        If the file is missing, not JSON, not a FeatureCollection, or a feature lacks an integer id or point
        coordinates.
    """
    path = transit_dir / STOPS_DIR / STOPS_FILE
    try:
        data = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise InputDataError(path, f"not valid JSON: {exc.msg}", row=exc.lineno) from exc
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise InputDataError(path, "not a GeoJSON FeatureCollection")
    points = []
    for index, feature in enumerate(features):
        try:
            properties = feature["properties"]
            node_id = properties["id"]
            lon, lat = feature["geometry"]["coordinates"][:2]
            name = properties.get("name")
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise InputDataError(path, f"feature {index}: missing id or point coordinates ({exc!r})") from exc
        if isinstance(node_id, bool) or not isinstance(node_id, int):
            raise InputDataError(path, f"feature {index}: id {node_id!r} is not an integer")
        if not all(isinstance(v, int | float) and math.isfinite(v) for v in (lat, lon)):
            raise InputDataError(path, f"feature {index}: coordinates {lat!r}, {lon!r} are not numbers")
        if isinstance(name, str) and name.strip():
            points.append(OsmStopPoint(node_id=node_id, name=name.strip(), lat=float(lat), lon=float(lon)))
    return tuple(points)
