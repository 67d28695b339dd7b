"""Synthetic large OSM extracts: the shipped extract tiled N times with shifted coordinates and new ids.

Tile k is shifted on a grid by whole multiples of the extract's own span (so tiles do not overlap) and
every id is offset by k * 10^11, far above real OSM ids; ways and relations refer to their own tile's
copies. Nodes of all tiles come first, then ways, then relations, each in increasing id order, as osmium
and osmnx expect of a sorted extract.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import osmium

ID_STRIDE = 10**11


def _span(path: Path) -> tuple[float, float, float, float]:
    south, west, north, east = 90.0, 180.0, -90.0, -180.0
    for node in osmium.FileProcessor(str(path), osmium.osm.NODE):
        if isinstance(node, osmium.osm.Node) and node.location.valid():
            south, north = min(south, node.lat), max(north, node.lat)
            west, east = min(west, node.lon), max(east, node.lon)
    return south, west, north, east


def tile_extract(source: Path, target: Path, copies: int) -> Path:
    """Write ``copies`` shifted copies of ``source`` to ``target`` (atomically); returns ``target``."""
    south, west, north, east = _span(source)
    columns = math.ceil(math.sqrt(copies))
    offsets = [
        ((k // columns) * (north - south) * 1.02, (k % columns) * (east - west) * 1.02, k * ID_STRIDE)
        for k in range(copies)
    ]
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp.osm.pbf")
    temporary.unlink(missing_ok=True)
    try:
        with osmium.SimpleWriter(str(temporary)) as writer:
            for dlat, dlon, dids in offsets:
                for node in osmium.FileProcessor(str(source), osmium.osm.NODE):
                    assert isinstance(node, osmium.osm.Node)
                    location = osmium.osm.Location(node.lon + dlon, node.lat + dlat)
                    writer.add_node(node.replace(id=node.id + dids, location=location))
            for _, _, dids in offsets:
                for way in osmium.FileProcessor(str(source), osmium.osm.WAY):
                    assert isinstance(way, osmium.osm.Way)
                    writer.add_way(way.replace(id=way.id + dids, nodes=[ref.ref + dids for ref in way.nodes]))
            for _, _, dids in offsets:
                for relation in osmium.FileProcessor(str(source), osmium.osm.RELATION):
                    assert isinstance(relation, osmium.osm.Relation)
                    members = [(m.type, m.ref + dids, m.role) for m in relation.members]
                    writer.add_relation(relation.replace(id=relation.id + dids, members=members))
        temporary.rename(target)
    finally:
        temporary.unlink(missing_ok=True)
    return target
