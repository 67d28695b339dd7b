"""Street islands: small pieces of the walk graph that no path joins to the main network.

OSM has many: the paths inside a walled temple or a park whose gates are not mapped, a courtyard, a
footbridge cut by the extract's edge. A point whose nearest street is on such an island cannot reach the
rest of the city, so when a route would cross between components the router snaps that point to the
nearest street of the main network instead, if one lies within the snap distance.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from routing.graph.frozen import FrozenGraph
from routing.snap import EdgeSnapper, SnapResult


class MainNetwork:
    """The weakly connected component of a graph with the most edges, searchable for its nearest street.

    ``index`` is a nearest-street index over the whole graph to share (else one is built here).
    """

    def __init__(self, graph: FrozenGraph, *, index: EdgeSnapper | None = None) -> None:
        self.graph = graph
        n = graph.node_count
        matrix = csr_matrix((np.ones(graph.edge_count), graph.head, graph.indptr), shape=(n, n))
        _, self.component = connected_components(matrix, directed=True, connection="weak")
        # The component with the most edges (nodes without any edge are components of their own).
        edges_per_component = np.bincount(
            self.component[graph.tail()], minlength=int(self.component.max(initial=0)) + 1
        )
        self.main_component = int(np.argmax(edges_per_component)) if graph.edge_count else -1
        main_edge = np.asarray(self.component[graph.tail()] == self.main_component)
        self._snapper = (index if index is not None else EdgeSnapper(graph)).restricted(main_edge)

    def is_main(self, node: int) -> bool:
        """Whether ``node`` belongs to the main network."""
        return bool(self.component[node] == self.main_component)

    def snap(self, lat: float, lon: float, *, max_distance_m: float) -> SnapResult:
        """Snap a point to the nearest street of the main network."""
        return self._snapper.snap([lat], [lon], max_distance_m=max_distance_m)
