"""Read the highway ways of an OSM extract (PBF or XML) with pyosmium, in one streaming pass.

Nothing of the whole city is converted to XML: osmium resolves node locations with its own index and we
keep only the ways that carry a ``highway`` tag, the tags our network rules look at, and the coordinates
of their nodes, packed into arrays.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import osmium
from numpy.typing import NDArray
from osmnx import settings as osmnx_settings

from routing.errors import InputDataError

# The tags osmnx keeps on edges, plus every key its walk/drive filters test.
KEPT_WAY_TAGS = frozenset(osmnx_settings.useful_tags_way) | {
    "area",
    "access",
    "foot",
    "service",
    "sidewalk",
    "sidewalk:both",
    "sidewalk:left",
    "sidewalk:right",
    "motor_vehicle",
    "motorcar",
}

_PROGRESS_EVERY = 20_000


@dataclass(frozen=True)
class OsmWay:
    """A highway way: its OSM id, the tags we keep and its node ids in order."""

    osm_id: int
    tags: dict[str, str]
    node_ids: tuple[int, ...]


@dataclass(frozen=True)
class OsmHighways:
    """Every highway way of an extract with the coordinates of the nodes they use."""

    ways: tuple[OsmWay, ...]
    node_ids: NDArray[np.int64]
    node_lat: NDArray[np.float64]
    node_lon: NDArray[np.float64]

    def coordinates(self) -> dict[int, tuple[float, float]]:
        """Map node id -> (lat, lon); built on demand because it is large."""
        return {
            int(i): (float(a), float(b)) for i, a, b in zip(self.node_ids, self.node_lat, self.node_lon, strict=True)
        }


def _missing_node(path: Path, way_id: int, node_id: int) -> None:
    raise InputDataError(path, f"way {way_id} refers to node {node_id}, which the file lacks")


def read_highways(path: Path, *, on_progress: Callable[[int], None] | None = None) -> OsmHighways:
    """Stream an ``.osm.pbf`` / ``.osm`` file and return its highway ways with node coordinates.

    Parameters
    ----------
    path
        The OSM extract (any format osmium reads: PBF, XML, O5M, optionally compressed).
    on_progress
        Called every few thousand ways with the number of highway ways read so far.

    Raises
    ------
    InputDataError
        If the file is missing, unreadable or corrupt (e.g. a truncated PBF), if a way refers to a node
        the file lacks, or if the file contains no highway ways at all.
    """
    if not path.is_file():
        raise InputDataError(path, "no such OSM file")
    ways: list[OsmWay] = []
    ref_ids: array[int] = array("q")
    ref_lat: array[float] = array("d")
    ref_lon: array[float] = array("d")
    try:
        processor = (
            osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
            .with_locations()
            .with_filter(osmium.filter.KeyFilter("highway"))
        )
        for obj in processor:
            if not isinstance(obj, osmium.osm.Way):
                continue
            node_ids = []
            for node in obj.nodes:
                if not node.location.valid():
                    _missing_node(path, obj.id, node.ref)
                node_ids.append(node.ref)
                ref_ids.append(node.ref)
                ref_lat.append(node.location.lat)
                ref_lon.append(node.location.lon)
            tags = {tag.k: tag.v for tag in obj.tags if tag.k in KEPT_WAY_TAGS}
            ways.append(OsmWay(obj.id, tags, tuple(node_ids)))
            if on_progress is not None and len(ways) % _PROGRESS_EVERY == 0:
                on_progress(len(ways))
    except InputDataError:
        raise
    except (RuntimeError, OSError, ValueError) as exc:
        raise InputDataError(path, f"cannot read OSM data ({exc}); is the file complete and in OSM format?") from exc
    if not ways:
        raise InputDataError(path, "contains no highway ways, so no street network can be built from it")
    ids = np.frombuffer(ref_ids, dtype=np.int64)
    unique_ids, first = np.unique(ids, return_index=True)
    return OsmHighways(
        ways=tuple(ways),
        node_ids=unique_ids,
        node_lat=np.frombuffer(ref_lat, dtype=np.float64)[first].copy(),
        node_lon=np.frombuffer(ref_lon, dtype=np.float64)[first].copy(),
    )
