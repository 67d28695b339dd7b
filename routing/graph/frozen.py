"""A street graph frozen into compact numpy arrays: what the bundle stores and the routers query.

Nodes are numbered 0..n-1 in OSM-id order; edges are grouped by tail node (CSR layout), so a node's
out-edges are ``indptr[i]:indptr[i+1]``. Each edge keeps its length, street name and highway kind (as
indexes into small string tables) and the interior points of its geometry.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
from numpy.typing import NDArray

from routing.bundle.npz import NpzRecord, load_npz, save_npz
from routing.errors import BundleError

ARRAY_FIELDS = (
    "node_osmid",
    "node_lat",
    "node_lon",
    "indptr",
    "head",
    "length_m",
    "name_index",
    "highway_index",
    "geometry_offsets",
    "geometry_lat",
    "geometry_lon",
)


def _first(value: Any) -> Any:
    """Keep one value of an attribute osmnx merged into ``list(set(...))`` when simplifying.

    That list's order follows string hashing, which changes between processes; the smallest non-empty
    entry is the same in every run, so bundles are reproducible.
    """
    if isinstance(value, list):
        return min((str(item) for item in value if item), default=None)
    return value


def _lookup(table: dict[str, int], value: Any) -> int:
    value = _first(value)
    if not value:
        return -1
    return table.setdefault(str(value), len(table))


@dataclass(frozen=True)
class FrozenGraph:
    """A directed street graph in CSR arrays, with street names and edge geometries."""

    node_osmid: NDArray[np.int64]
    node_lat: NDArray[np.float64]
    node_lon: NDArray[np.float64]
    indptr: NDArray[np.int64]
    head: NDArray[np.int32]
    length_m: NDArray[np.float64]
    name_index: NDArray[np.int32]
    highway_index: NDArray[np.int16]
    geometry_offsets: NDArray[np.int64]
    geometry_lat: NDArray[np.float64]
    geometry_lon: NDArray[np.float64]
    names: tuple[str, ...]
    highways: tuple[str, ...]

    @property
    def node_count(self) -> int:
        """Number of nodes."""
        return int(self.node_osmid.shape[0])

    @property
    def edge_count(self) -> int:
        """Number of directed edges."""
        return int(self.head.shape[0])

    def tail(self) -> NDArray[np.int32]:
        """Tail node of every edge (expanded from the CSR pointers)."""
        return np.repeat(np.arange(self.node_count, dtype=np.int32), np.diff(self.indptr))

    def edge_coordinates(self, edge: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Full (lat, lon) polyline of one edge, tail to head."""
        tail = int(np.searchsorted(self.indptr, edge, side="right") - 1)
        head = int(self.head[edge])
        start, stop = int(self.geometry_offsets[edge]), int(self.geometry_offsets[edge + 1])
        lat = np.concatenate(([self.node_lat[tail]], self.geometry_lat[start:stop], [self.node_lat[head]]))
        lon = np.concatenate(([self.node_lon[tail]], self.geometry_lon[start:stop], [self.node_lon[head]]))
        return lat, lon

    @classmethod
    def from_networkx(cls, graph: nx.MultiDiGraph) -> FrozenGraph:
        """Freeze an osmnx graph (nodes with ``x``/``y``, edges with ``length``, optional ``geometry``)."""
        osmids = np.array(sorted(graph.nodes), dtype=np.int64)
        position = {int(osmid): index for index, osmid in enumerate(osmids)}
        node_lat = np.array([graph.nodes[int(n)]["y"] for n in osmids], dtype=np.float64)
        node_lon = np.array([graph.nodes[int(n)]["x"] for n in osmids], dtype=np.float64)
        edges = sorted(
            ((position[u], position[v], data) for u, v, data in graph.edges(data=True)),
            key=lambda item: (item[0], item[1]),
        )
        names: dict[str, int] = {}
        highways: dict[str, int] = {}
        tails = np.fromiter((e[0] for e in edges), dtype=np.int64, count=len(edges))
        head = np.fromiter((e[1] for e in edges), dtype=np.int32, count=len(edges))
        length_m = np.fromiter((float(e[2]["length"]) for e in edges), dtype=np.float64, count=len(edges))
        name_index = np.fromiter((_lookup(names, e[2].get("name")) for e in edges), dtype=np.int32, count=len(edges))
        highway_index = np.fromiter(
            (_lookup(highways, e[2].get("highway")) for e in edges), dtype=np.int16, count=len(edges)
        )
        counts = np.zeros(len(edges), dtype=np.int64)
        geometry_lat: list[float] = []
        geometry_lon: list[float] = []
        for index, (_, _, data) in enumerate(edges):
            geometry = data.get("geometry")
            if geometry is None:
                continue
            coords = list(geometry.coords)[1:-1]
            counts[index] = len(coords)
            geometry_lon.extend(c[0] for c in coords)
            geometry_lat.extend(c[1] for c in coords)
        geometry_offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        indptr = np.searchsorted(tails, np.arange(len(osmids) + 1), side="left").astype(np.int64)
        return cls(
            node_osmid=osmids,
            node_lat=node_lat,
            node_lon=node_lon,
            indptr=indptr,
            head=head,
            length_m=length_m,
            name_index=name_index,
            highway_index=highway_index,
            geometry_offsets=geometry_offsets,
            geometry_lat=np.array(geometry_lat, dtype=np.float64),
            geometry_lon=np.array(geometry_lon, dtype=np.float64),
            names=tuple(names),
            highways=tuple(highways),
        )

    def to_networkx(self) -> nx.MultiDiGraph:
        """Thaw into a networkx MultiDiGraph keyed by OSM id (for baselines and cross-checks)."""
        graph = nx.MultiDiGraph()
        graph.add_nodes_from(
            (int(osmid), {"y": float(lat), "x": float(lon)})
            for osmid, lat, lon in zip(self.node_osmid, self.node_lat, self.node_lon, strict=True)
        )
        tails = self.node_osmid[self.tail()]
        heads = self.node_osmid[self.head]
        graph.add_edges_from(
            (int(u), int(v), {"length": float(length)})
            for u, v, length in zip(tails, heads, self.length_m, strict=True)
        )
        return graph

    def save(self, path: Path) -> None:
        """Write as an uncompressed ``.npz`` (fast to load; string tables as unicode arrays)."""
        arrays: dict[str, Any] = {name: getattr(self, name) for name in ARRAY_FIELDS}
        arrays["names"] = np.array(self.names, dtype=np.str_)
        arrays["highways"] = np.array(self.highways, dtype=np.str_)
        save_npz(path, arrays)

    @classmethod
    def load(cls, path: Path) -> FrozenGraph:
        """Read a graph written by :meth:`save`; a bad file raises BundleError naming it (:mod:`routing.bundle.npz`)."""

        def build(record: NpzRecord) -> FrozenGraph:
            fields: dict[str, Any] = {name: record.array(name) for name in ARRAY_FIELDS}
            fields["names"] = record.strings("names")
            fields["highways"] = record.strings("highways")
            return cls(**fields)

        return load_npz(path, what="graph arrays", build=build)

    def check(self) -> None:
        """Verify the arrays describe a consistent graph.

        Raises
        ------
        BundleError
            On any inconsistency (lengths, pointer ranges, node indexes).
        """
        n, m = self.node_count, self.edge_count
        problems = []
        if not (self.node_lat.shape == self.node_lon.shape == (n,)):
            problems.append("node arrays differ in length")
        if self.indptr.shape != (n + 1,) or (n + 1 and (self.indptr[0] != 0 or self.indptr[-1] != m)):
            problems.append("indptr does not span the edges")
        if not (self.length_m.shape == self.name_index.shape == self.highway_index.shape == (m,)):
            problems.append("edge arrays differ in length")
        if m and (int(self.head.min()) < 0 or int(self.head.max()) >= n):
            problems.append("edge head outside the node range")
        if self.geometry_offsets.shape != (m + 1,) or int(self.geometry_offsets[-1]) != self.geometry_lat.shape[0]:
            problems.append("geometry offsets do not span the geometry arrays")
        if problems:
            raise BundleError("inconsistent frozen graph: " + "; ".join(problems))
