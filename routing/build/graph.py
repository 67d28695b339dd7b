"""Walk and drive graphs built the osmnx way from locally read highways.

osmnx builds a graph from Overpass JSON (``_create_graph``), then simplifies it. We hand it the same JSON
shape made from our osmium read, filtered by osmnx's own network rules, so the result is what
``osmnx.graph_from_*(network_type=...)`` would give for that area, with every component retained.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import osmnx as ox
from osmnx import graph as osmnx_graph

from routing.build.osm.filters import NetworkType, osmnx_way_filter
from routing.build.osm.reader import OsmHighways


def network_graph(highways: OsmHighways, network_type: NetworkType) -> nx.MultiDiGraph:
    """Build the simplified osmnx MultiDiGraph of one network type.

    Walk graphs are bidirectional (pedestrians may walk both ways along one-way streets), as in osmnx;
    drive graphs honour ``oneway`` and roundabouts. Edge ``length`` is in metres.

    Returns an empty graph when no way passes the network's rules.
    """
    way_filter = osmnx_way_filter(network_type)
    kept = [way for way in highways.ways if way_filter.accepts(way.tags)]
    if not kept:
        return nx.MultiDiGraph(crs=ox.settings.default_crs)
    used = {node_id for way in kept for node_id in way.node_ids}
    coordinates = highways.coordinates()
    elements: list[dict[str, Any]] = [
        {"type": "node", "id": node_id, "lat": coordinates[node_id][0], "lon": coordinates[node_id][1]}
        for node_id in used
    ]
    del coordinates, used
    elements.extend({"type": "way", "id": way.osm_id, "nodes": list(way.node_ids), "tags": way.tags} for way in kept)
    graph = osmnx_graph._create_graph([{"elements": elements}], bidirectional=network_type == "walk")
    del elements
    return ox.simplify_graph(graph)


def largest_component_share(graph: nx.MultiDiGraph) -> float:
    """Share of nodes in the largest weakly connected component (0 for an empty graph)."""
    if graph.number_of_nodes() == 0:
        return 0.0
    largest = max(nx.weakly_connected_components(graph), key=len)
    return float(len(largest)) / float(graph.number_of_nodes())
