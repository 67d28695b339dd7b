"""One-to-many walking lengths to a fixed set of targets (the catalogue places) by contraction-hierarchy buckets.

A full Dijkstra over the city costs tens of milliseconds per origin, and a node-to-target table costs tens of
megabytes. The standard many-to-many technique of contraction hierarchies sits between the two: each target's
*backward* upward search space is computed once and stored per node as a bucket of ``(target, length)``
entries; a row from an origin is then its *forward* upward search alone, scanning the bucket of every node it
settles and keeping the smallest sum per target. Any shortest walk climbs then descends the hierarchy, so it
meets both searches at its highest node with exact lengths there: the row is exact.

Nodes stalled on demand (reached more cheaply from a higher node) are never the meeting point of a shortest
walk, so neither search records or scans them: that keeps the buckets to a few hundred entries per target.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from routing.compiled import jit
from routing.walk.index import WalkIndex
from routing.walk.search import MAX_ENDPOINTS, heap_pop, heap_push

_Csr = tuple[NDArray[np.int64], NDArray[np.int32], NDArray[np.float64]]


@jit
def _upward_space(  # noqa: PLR0917 (compiled kernels take their arrays positionally)
    climb: _Csr,
    stall: _Csr,
    nodes: NDArray[np.int64],
    offsets_m: NDArray[np.float64],
    dist: NDArray[np.float64],
    touched: NDArray[np.int64],
    keys: NDArray[np.float64],
    values: NDArray[np.int64],
    settled: NDArray[np.int64],
) -> tuple[int, int]:
    """Complete upward Dijkstra from ``nodes`` (each at its offset) with stall-on-demand, no early stop.

    ``climb`` is the CSR graph the search follows (pointers, far ends, lengths), ``stall`` the opposite one.
    Writes the settled, unstalled nodes into ``settled`` (their lengths stay in ``dist``) and returns how many
    there are and how many nodes were touched; the caller reads ``dist`` and then resets the touched entries.
    """
    indptr, far, length_m = climb
    stall_indptr, stall_far, stall_length_m = stall
    count = 0
    for i in range(nodes.shape[0]):
        node = nodes[i]
        if node >= 0 and offsets_m[i] < dist[node]:
            if dist[node] == np.inf:
                touched[count] = node
                count += 1
            dist[node] = offsets_m[i]
    size = 0
    for i in range(count):
        size = heap_push(keys, values, size, dist[touched[i]], touched[i])
    kept = 0
    while size > 0:
        key, node, size = heap_pop(keys, values, size)
        if key > dist[node]:
            continue
        stalled = False
        for a in range(stall_indptr[node], stall_indptr[node + 1]):
            if dist[stall_far[a]] + stall_length_m[a] < key:
                stalled = True
                break
        if stalled:
            continue
        settled[kept] = node
        kept += 1
        for a in range(indptr[node], indptr[node + 1]):
            other = far[a]
            length = key + length_m[a]
            if length < dist[other]:
                if dist[other] == np.inf:
                    touched[count] = other
                    count += 1
                dist[other] = length
                size = heap_push(keys, values, size, length, other)
    return kept, count


@jit
def _bucket_entries(
    up: _Csr, down: _Csr, targets_node: NDArray[np.int64], targets_offset: NDArray[np.float64]
) -> tuple[NDArray[np.int64], NDArray[np.int32], NDArray[np.float64]]:
    """Every target's backward search space as (node, target, length) entries, in target order."""
    n = up[0].shape[0] - 1
    dist = np.full(n, np.inf)
    touched = np.empty(n, dtype=np.int64)
    settled = np.empty(n, dtype=np.int64)
    keys = np.empty(down[1].shape[0] + MAX_ENDPOINTS, dtype=np.float64)
    values = np.empty(down[1].shape[0] + MAX_ENDPOINTS, dtype=np.int64)
    capacity = max(16, 64 * targets_node.shape[0])
    entry_node = np.empty(capacity, dtype=np.int64)
    entry_target = np.empty(capacity, dtype=np.int32)
    entry_length = np.empty(capacity, dtype=np.float64)
    size = 0
    for target in range(targets_node.shape[0]):
        kept, count = _upward_space(
            down, up, targets_node[target], targets_offset[target], dist, touched, keys, values, settled
        )
        if size + kept > capacity:
            capacity = max(2 * capacity, size + kept)
            grown_node = np.empty(capacity, dtype=np.int64)
            grown_target = np.empty(capacity, dtype=np.int32)
            grown_length = np.empty(capacity, dtype=np.float64)
            grown_node[:size] = entry_node[:size]
            grown_target[:size] = entry_target[:size]
            grown_length[:size] = entry_length[:size]
            entry_node, entry_target, entry_length = grown_node, grown_target, grown_length
        for i in range(kept):
            entry_node[size] = settled[i]
            entry_target[size] = target
            entry_length[size] = dist[settled[i]]
            size += 1
        for i in range(count):
            dist[touched[i]] = np.inf
    return entry_node[:size], entry_target[:size], entry_length[:size]


@jit
def _bucket_row(  # noqa: PLR0917 (compiled kernels take their arrays positionally)
    up: _Csr,
    down: _Csr,
    buckets: tuple[NDArray[np.int64], NDArray[np.int32], NDArray[np.float64]],
    target_count: int,
    nodes: NDArray[np.int64],
    offsets_m: NDArray[np.float64],
) -> NDArray[np.float64]:
    """The origin's forward upward search, scanning the bucket of every settled node: length per target."""
    bucket_indptr, bucket_target, bucket_length_m = buckets
    n = up[0].shape[0] - 1
    dist = np.full(n, np.inf)
    touched = np.empty(n, dtype=np.int64)
    settled = np.empty(n, dtype=np.int64)
    keys = np.empty(up[1].shape[0] + MAX_ENDPOINTS, dtype=np.float64)
    values = np.empty(up[1].shape[0] + MAX_ENDPOINTS, dtype=np.int64)
    kept, _ = _upward_space(up, down, nodes, offsets_m, dist, touched, keys, values, settled)
    row = np.full(target_count, np.inf)
    for i in range(kept):
        node = settled[i]
        key = dist[node]
        for e in range(bucket_indptr[node], bucket_indptr[node + 1]):
            length = key + bucket_length_m[e]
            target = bucket_target[e]
            row[target] = min(row[target], length)
    return row


def _endpoints(
    nodes: ArrayLike, offsets_m: ArrayLike, node_count: int
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Check and normalise endpoint arrays to 2-D (row, endpoint), -1 nodes and non-finite offsets dropped.

    Raises
    ------
    ValueError
        If the shapes differ, a row has more than ``MAX_ENDPOINTS`` endpoints, a node is out of range or an
        offset is negative.
    """
    node = np.asarray(nodes, dtype=np.int64)
    offset = np.asarray(offsets_m, dtype=np.float64)
    if node.ndim == 1 and offset.ndim == 1:
        node, offset = node[:, None], offset[:, None]
    if node.ndim != 2 or node.shape != offset.shape:
        raise ValueError(f"endpoint nodes {node.shape} and offsets {offset.shape} must have one shape (rows, k)")
    if node.shape[1] > MAX_ENDPOINTS:
        raise ValueError(f"at most {MAX_ENDPOINTS} endpoints per row, got {node.shape[1]}")
    if node.size and (int(node.max()) >= node_count or int(node.min()) < -1):
        raise ValueError(f"endpoint nodes must be -1 (none) or in 0..{node_count - 1}")
    if np.any(offset < 0):
        raise ValueError("endpoint offsets must be non-negative")
    node = np.where(np.isfinite(offset), node, -1)
    offset = np.where(node >= 0, offset, np.inf)
    return np.ascontiguousarray(node), np.ascontiguousarray(offset)


@dataclass(frozen=True, eq=False)
class PlaceBuckets:
    """The backward search spaces of a fixed set of targets, as buckets per node in CSR arrays.

    The bucket of node ``v`` is ``bucket_target[bucket_indptr[v]:bucket_indptr[v + 1]]`` with the lengths
    ``bucket_length_m`` from ``v`` to each of those targets (through the hierarchy, target offset included).
    Build with :meth:`build`; query with :meth:`lengths_from_anchor`. Queries allocate their own scratch
    arrays, so one instance serves any number of threads.
    """

    index: WalkIndex
    target_count: int
    bucket_indptr: NDArray[np.int64]
    bucket_target: NDArray[np.int32]
    bucket_length_m: NDArray[np.float64]

    @classmethod
    def build(cls, index: WalkIndex, targets_node: ArrayLike, targets_offset: ArrayLike) -> PlaceBuckets:
        """Run each target's backward upward search once and file its search space in buckets.

        Parameters
        ----------
        index
            The walk graph's contraction hierarchy.
        targets_node
            Shape ``(targets, k)``: the nodes each target is reached from (-1: none), e.g. both ends of the
            street a place is snapped to; a 1-D array means one node per target.
        targets_offset
            Same shape: the length still to walk from each node to the target (inf or a -1 node: none).

        Raises
        ------
        ValueError
            If the arrays' shapes differ, ``k`` exceeds ``MAX_ENDPOINTS``, a node is out of range or an offset
            is negative.
        """
        node, offset = _endpoints(targets_node, targets_offset, index.node_count)
        up = (index.up_indptr, index.up_head, index.up_length_m)
        down = (index.down_indptr, index.down_tail, index.down_length_m)
        entry_node, entry_target, entry_length = _bucket_entries(up, down, node, offset)
        order = np.argsort(entry_node, kind="stable")
        counts = np.bincount(entry_node, minlength=index.node_count)
        indptr = np.zeros(index.node_count + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        return cls(
            index=index,
            target_count=int(node.shape[0]),
            bucket_indptr=indptr,
            bucket_target=np.ascontiguousarray(entry_target[order], dtype=np.int32),
            bucket_length_m=np.ascontiguousarray(entry_length[order], dtype=np.float64),
        )

    @property
    def entry_count(self) -> int:
        """Number of (node, target, length) entries over all buckets."""
        return int(self.bucket_target.shape[0])

    @property
    def nbytes(self) -> int:
        """Memory the bucket arrays take."""
        return int(self.bucket_indptr.nbytes + self.bucket_target.nbytes + self.bucket_length_m.nbytes)

    def lengths_from_anchor(self, nodes: ArrayLike, offsets_m: ArrayLike) -> NDArray[np.float64]:
        """Shortest walk from an origin to every target, in metres (inf where none).

        Parameters
        ----------
        nodes
            The nodes the origin starts from (-1: none), e.g. both ends of its snapped street.
        offsets_m
            The length already walked to reach each of them.

        Raises
        ------
        ValueError
            If the shapes differ, there are more than ``MAX_ENDPOINTS`` nodes, a node is out of range or an
            offset is negative.
        """
        node, offset = _endpoints(np.ravel(nodes)[None, :], np.ravel(offsets_m)[None, :], self.index.node_count)
        index = self.index
        up = (index.up_indptr, index.up_head, index.up_length_m)
        down = (index.down_indptr, index.down_tail, index.down_length_m)
        buckets = (self.bucket_indptr, self.bucket_target, self.bucket_length_m)
        return _bucket_row(up, down, buckets, self.target_count, node[0], offset[0])


__all__ = ["PlaceBuckets"]
