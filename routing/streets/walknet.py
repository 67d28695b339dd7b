"""The walk graph as the bus planner uses it: snapping that prefers the main strongly connected component.

The nearest street to a point is not always a useful one: on the Hanoi extract the Temple of Literature's nearest
edge is a two-node path inside the temple grounds that connects to nothing, and 8 places and 18 bus stops snap
into such islands (518 strongly connected components; the largest holds 57,831 of 59,616 nodes). A walk from or to
a two-node island goes nowhere, so points (query ends, and stops whose bundle record points into an island) are
snapped to the largest strongly connected component when it lies within the snap limit (the temple: 10 m away),
and only otherwise to the nearest street of any component: a village whose streets the extract does not connect
to the city (Bát Tràng: a 40-node island, 1 km from the main component) keeps its own streets and the bus stops on
them. Node numbers are the walk graph's own, so Dijkstra runs on the whole graph.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix

from routing.errors import BundleError
from routing.graph.frozen import FrozenGraph
from routing.graph.shortest import simple_csr
from routing.streets import DEFAULT_MAX_SNAP_M
from routing.streets.components import largest_strong_component
from routing.streets.snap import MainComponentSnapper, SnapResult


@dataclass(frozen=True)
class Anchor:
    """Where points meet the walk graph.

    A node (-1 off the network), the walk from the point to it (snap distance plus the part of the street edge up
    to that node) and the snapped position.
    """

    node: NDArray[np.int64]
    offset_m: NDArray[np.float64]
    lat: NDArray[np.float64]
    lon: NDArray[np.float64]


class WalkNetwork:
    """The walk graph with its Dijkstra matrices and snappers (main component first, then any street).

    Parameters
    ----------
    walk
        The bundle's walk graph.
    snapper
        The process's nearest-street index over ``walk`` to share (else one is built on the first snap).
    """

    def __init__(self, walk: FrozenGraph, *, snapper: MainComponentSnapper | None = None) -> None:
        self.graph = walk
        self.matrix: csr_matrix = simple_csr(walk)
        self._reverse: csr_matrix | None = None
        self.main = largest_strong_component(walk, matrix=self.matrix) if snapper is None else snapper.main_node
        self._snapper: MainComponentSnapper | None = snapper

    @property
    def reverse(self) -> csr_matrix:
        """The transposed matrix (Dijkstra towards a node)."""
        if self._reverse is None:
            self._reverse = self.matrix.T.tocsr()
        return self._reverse

    def prepare(self) -> None:
        """Build the spatial indexes now (else on the first snap)."""
        if self._snapper is None:
            self._snapper = MainComponentSnapper(self.graph, main_node=self.main)

    @property
    def snapper(self) -> MainComponentSnapper:
        """The nearest-street index (main component first), built on first use."""
        self.prepare()
        assert self._snapper is not None
        return self._snapper

    def snap(self, lat: Any, lon: Any, *, max_snap_m: float) -> Anchor:
        """Anchor points within ``max_snap_m`` of a street (node -1: off the network).

        A point goes to the main component if it is that near, else to the nearest street of any component.
        """
        self.prepare()
        assert self._snapper is not None
        return _anchor(self.graph, self._snapper.snap(lat, lon, max_distance_m=max_snap_m))

    def stop_anchors(
        self,
        stop_ids: tuple[str, ...],
        lat: NDArray[np.float64],
        lon: NDArray[np.float64],
        stop_access: Mapping[str, Mapping[str, Any]],
        *,
        max_snap_m: float = DEFAULT_MAX_SNAP_M,
    ) -> Anchor:
        """Anchors of the bus stops.

        The bundle's record where it points into the main component, else :meth:`snap` (a stop the bundle marked
        off the network stays off).

        Raises
        ------
        BundleError
            If a stop has no access record or an on-network record lacks its node, edge or fraction.
        """
        count = len(stop_ids)
        anchor = Anchor(np.full(count, -1, dtype=np.int64), np.zeros(count), lat.copy(), lon.copy())
        graph = self.graph
        resnap: list[int] = []
        for index, stop_id in enumerate(stop_ids):
            record = stop_access.get(stop_id)
            if record is None:
                raise BundleError(f"stop {stop_id} has no access record")
            if record.get("off_network"):
                continue
            try:
                node, edge = int(record["node"]), int(record["edge"])
                fraction, snap = float(record["fraction"]), float(record["snap_distance_m"])
            except (KeyError, TypeError, ValueError) as exc:
                raise BundleError(f"stop {stop_id}: malformed access record ({exc})") from exc
            if not (0 <= node < graph.node_count and 0 <= edge < graph.edge_count):
                raise BundleError(f"stop {stop_id}: access record outside the walk graph")
            if not self.main[node]:
                resnap.append(index)
                continue
            tail = int(np.searchsorted(graph.indptr, edge, side="right") - 1)
            along = fraction if node == tail else 1.0 - fraction
            anchor.node[index] = node
            anchor.offset_m[index] = snap + along * float(graph.length_m[edge])
        if resnap:
            chosen = np.asarray(resnap, dtype=np.int64)
            again = self.snap(lat[chosen], lon[chosen], max_snap_m=max_snap_m)
            anchor.node[chosen] = again.node
            anchor.offset_m[chosen] = again.offset_m
        return anchor


def _anchor(graph: FrozenGraph, snap: SnapResult) -> Anchor:
    """Node, offset and snapped point of a snap result on ``graph``."""
    on = snap.on_network
    edge = np.where(on, snap.edge, 0)
    tail = np.searchsorted(graph.indptr, edge, side="right") - 1
    fraction = np.where(on, snap.fraction, 0.0)
    along = np.where(snap.node == tail, fraction, 1.0 - fraction)
    length = graph.length_m[edge] if graph.edge_count else np.zeros(edge.shape)
    offset = np.where(on, snap.distance_m + along * length, 0.0)
    return Anchor(snap.node.astype(np.int64), offset, snap.lat.copy(), snap.lon.copy())
