"""Connectivity statistics of a frozen graph."""

from __future__ import annotations

import numpy as np
from scipy.sparse.csgraph import connected_components

from routing.graph.frozen import FrozenGraph
from routing.graph.shortest import simple_csr


def largest_component_fraction(graph: FrozenGraph) -> float:
    """Share of nodes in the largest weakly connected component (0 for an empty graph)."""
    n = graph.node_count
    if n == 0:
        return 0.0
    _, labels = connected_components(simple_csr(graph), directed=True, connection="weak")
    return float(np.bincount(labels).max()) / n
