"""Street islands: small pieces of the walk graph that no path joins to the main network.

OSM has many: the paths inside a walled temple or a park whose gates are not mapped, a courtyard, a
footbridge cut by the extract's edge. A point whose nearest street is on such an island cannot reach the
rest of the city, so when a route would cross between components the router snaps that point to the
nearest street of the main network instead, if one lies within the snap distance.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from routing.graph.frozen import FrozenGraph
from routing.snap import EdgeSnapper, SnapResult


class MainNetwork:
    """The weakly connected component of a graph with the most edges, with its own nearest-street index.

    The index is built up front (about as long as the full graph's, 0.3 s for Hanoi) so that the first
    request from an island does not pay for it.
    """

    def __init__(self, graph: FrozenGraph) -> None:
        self.graph = graph
        n = graph.node_count
        matrix = csr_matrix((np.ones(graph.edge_count), graph.head, graph.indptr), shape=(n, n))
        _, self.component = connected_components(matrix, directed=True, connection="weak")
        # The component with the most edges (nodes without any edge are components of their own).
        edges_per_component = np.bincount(
            self.component[graph.tail()], minlength=int(self.component.max(initial=0)) + 1
        )
        self.main_component = int(np.argmax(edges_per_component)) if graph.edge_count else -1
        subgraph, self._edges = subgraph_of(graph, self.component == self.main_component)
        self._snapper = EdgeSnapper(subgraph)

    def is_main(self, node: int) -> bool:
        """Whether ``node`` belongs to the main network."""
        return bool(self.component[node] == self.main_component)

    def snap(self, lat: float, lon: float, *, max_distance_m: float) -> SnapResult:
        """Snap a point to the nearest street of the main network (edge ids of the full graph)."""
        edges = self._edges
        result = self._snapper.snap([lat], [lon], max_distance_m=max_distance_m)
        if edges.size == 0:
            return result
        on_network = result.edge >= 0
        edge = np.where(on_network, edges[np.maximum(result.edge, 0)], -1)
        tails = np.searchsorted(self.graph.indptr, np.maximum(edge, 0), side="right") - 1
        node = np.where(result.fraction <= 0.5, tails, self.graph.head[np.maximum(edge, 0)])
        return SnapResult(
            edge=edge,
            fraction=result.fraction,
            node=np.where(on_network, node, -1),
            distance_m=result.distance_m,
            lat=result.lat,
            lon=result.lon,
        )


def subgraph_of(graph: FrozenGraph, keep_node: NDArray[np.bool_]) -> tuple[FrozenGraph, NDArray[np.int64]]:
    """The graph induced by the kept nodes, and for each of its edges the edge id in ``graph``."""
    new_id = np.cumsum(keep_node) - 1
    tail = graph.tail()
    edges = np.flatnonzero(keep_node[tail] & keep_node[graph.head]).astype(np.int64)
    node_count = int(np.count_nonzero(keep_node))
    counts = np.bincount(new_id[tail[edges]], minlength=node_count)
    starts = graph.geometry_offsets[edges]
    sizes = graph.geometry_offsets[edges + 1] - starts
    owner = np.repeat(np.arange(edges.size), sizes)
    first = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
    points = starts[owner] + np.arange(owner.size) - first[owner]
    subgraph = FrozenGraph(
        node_osmid=graph.node_osmid[keep_node],
        node_lat=graph.node_lat[keep_node],
        node_lon=graph.node_lon[keep_node],
        indptr=np.concatenate(([0], np.cumsum(counts))).astype(np.int64),
        head=new_id[graph.head[edges]].astype(np.int32),
        length_m=graph.length_m[edges],
        name_index=graph.name_index[edges],
        highway_index=graph.highway_index[edges],
        geometry_offsets=np.concatenate(([0], np.cumsum(sizes))).astype(np.int64),
        geometry_lat=graph.geometry_lat[points],
        geometry_lon=graph.geometry_lon[points],
        names=graph.names,
        highways=graph.highways,
    )
    return subgraph, edges
