"""Batched shortest-path lengths on a frozen graph with scipy's compiled Dijkstra."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from routing.graph.frozen import FrozenGraph

_SOURCES_PER_BATCH = 256


def simple_csr(graph: FrozenGraph) -> csr_matrix:
    """The graph as a sparse matrix with the shortest of any parallel edges.

    scipy would add up parallel entries; a multigraph must keep the minimum instead.
    """
    tail = graph.tail().astype(np.int64)
    head = graph.head.astype(np.int64)
    order = np.lexsort((graph.length_m, head, tail))
    tail, head, length = tail[order], head[order], graph.length_m[order]
    first = np.ones(tail.size, dtype=bool)
    first[1:] = (tail[1:] != tail[:-1]) | (head[1:] != head[:-1])
    # Zero-length edges would vanish from a sparse matrix; give them a negligible positive length.
    length = np.maximum(length[first], 1e-3)
    n = graph.node_count
    return csr_matrix((length, (tail[first], head[first])), shape=(n, n))


def pair_lengths_m(
    matrix: csr_matrix,
    sources: NDArray[np.int64],
    targets: NDArray[np.int64],
    *,
    limit_m: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Shortest-path length from ``sources[i]`` to ``targets[i]`` for every i (NaN if none within its limit).

    Pairs sharing a source share one Dijkstra run; each run stops at the largest limit of its pairs.
    """
    result = np.full(sources.shape[0], np.nan)
    unique_sources = np.unique(sources)
    for start in range(0, unique_sources.size, _SOURCES_PER_BATCH):
        batch = unique_sources[start : start + _SOURCES_PER_BATCH]
        in_batch = np.isin(sources, batch)
        limit = float(np.max(limit_m[in_batch]))
        distances = dijkstra(matrix, directed=True, indices=batch, limit=limit)
        row_of = {int(source): row for row, source in enumerate(batch)}
        pairs = np.flatnonzero(in_batch)
        rows = np.fromiter((row_of[int(sources[p])] for p in pairs), dtype=np.int64, count=pairs.size)
        values = distances[rows, targets[pairs]]
        values[~np.isfinite(values) | (values > limit_m[pairs])] = np.nan
        result[pairs] = values
    return result
