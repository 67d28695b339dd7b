"""Connectivity statistics of a frozen graph."""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from routing.graph.frozen import FrozenGraph


def largest_component_fraction(graph: FrozenGraph) -> float:
    """Share of nodes in the largest weakly connected component (0 for an empty graph)."""
    n = graph.node_count
    if n == 0:
        return 0.0
    matrix = csr_matrix((np.ones(graph.edge_count), graph.head, graph.indptr), shape=(n, n))
    _, labels = connected_components(matrix, directed=True, connection="weak")
    return float(np.bincount(labels).max()) / n
