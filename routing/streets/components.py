"""Connectivity of a frozen graph: the main strongly connected component, and how much of the graph is connected."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
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


def strong_components(graph: FrozenGraph, *, matrix: csr_matrix | None = None) -> tuple[NDArray[np.int32], int]:
    """Each node's strongly connected component, and the main one: the largest (-1 for an empty graph).

    The one main-component rule of the package: snapping, street islands and the bus planner's walks all use it.
    ``matrix`` is the graph's :func:`~routing.graph.shortest.simple_csr` when the caller has it already: parallel
    edges must be merged first, scipy's strong-components search crawls on duplicate entries.
    """
    if graph.node_count == 0:
        return np.zeros(0, dtype=np.int32), -1
    _, labels = connected_components(
        simple_csr(graph) if matrix is None else matrix, directed=True, connection="strong"
    )
    return labels.astype(np.int32), int(np.bincount(labels).argmax())


def largest_strong_component(graph: FrozenGraph, *, matrix: csr_matrix | None = None) -> NDArray[np.bool_]:
    """Mask of the nodes in the main component (:func:`strong_components`; all False for an empty graph)."""
    labels, main = strong_components(graph, matrix=matrix)
    return np.asarray(labels == main, dtype=bool)
