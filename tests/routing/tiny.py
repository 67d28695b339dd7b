"""A tiny hand-made street graph around (21.03 N, 105.85 E) for unit tests."""

from __future__ import annotations

from collections.abc import Mapping

import networkx as nx
from shapely.geometry import LineString

from routing.geo import haversine_m
from routing.transit.model import BusRoute

# Node id -> (lat, lon): a 3 x 2 grid roughly 100 m apart, and an isolated pair far away.
NODES = {
    1: (21.0300, 105.8500),
    2: (21.0300, 105.8510),
    3: (21.0300, 105.8520),
    4: (21.0309, 105.8500),
    5: (21.0309, 105.8510),
    6: (21.0309, 105.8520),
    7: (21.0500, 105.9000),
    8: (21.0501, 105.9000),
}
STREETS = [
    (1, 2, "Hàng Bạc"),
    (2, 3, "Hàng Bạc"),
    (4, 5, "Mã Mây"),
    (5, 6, "Mã Mây"),
    (1, 4, None),
    (3, 6, "Hàng Buồm"),
    (7, 8, "Xa Lộ"),
]


def tiny_walk_graph() -> nx.MultiDiGraph:
    """Two-way streets; the 2-3 street has a bend stored as geometry."""
    graph = nx.MultiDiGraph()
    for node, (lat, lon) in NODES.items():
        graph.add_node(node, y=lat, x=lon)
    for u, v, name in STREETS:
        (lat_u, lon_u), (lat_v, lon_v) = NODES[u], NODES[v]
        attrs: dict[str, object] = {"length": float(haversine_m(lat_u, lon_u, lat_v, lon_v)), "highway": "residential"}
        if name:
            attrs["name"] = name
        if (u, v) == (2, 3):
            bend = (21.0302, 105.8515)
            coords = [(lon_u, lat_u), (bend[1], bend[0]), (lon_v, lat_v)]
            attrs["geometry"] = LineString(coords)
            attrs["length"] = float(
                haversine_m(lat_u, lon_u, bend[0], bend[1]) + haversine_m(bend[0], bend[1], lat_v, lon_v)
            )
            graph.add_edge(u, v, **attrs)
            graph.add_edge(v, u, **{**attrs, "geometry": LineString(coords[::-1])})
        else:
            graph.add_edge(u, v, **attrs)
            graph.add_edge(v, u, **attrs)
    return graph


def bus_route(
    route_id: str,
    stops: tuple[str, ...],
    run_s: tuple[float, ...],
    headways: Mapping[str, float | None],
    *,
    name: str | None = None,
    leg_m: float = 100.0,
) -> BusRoute:
    """A test bus route: OSM-sourced, one direction, every leg ``leg_m`` long and ``run_s`` apart."""
    return BusRoute(
        route_id=route_id,
        ref=route_id.split(":", maxsplit=1)[0],
        direction=1,
        name=name or route_id,
        source="osm",
        stop_ids=stops,
        leg_distance_m=tuple(leg_m for _ in run_s),
        leg_run_time_s=run_s,
        leg_distance_estimated=tuple(False for _ in run_s),
        headway_s=dict(headways),
        headway_source="test",
    )
