"""Compiled query kernels: the contraction-hierarchy search, path unpacking and a one-to-all Dijkstra.

Every kernel is a numba ``njit`` function over plain arrays, compiled once and cached on disk. The query
kernels write into a caller-owned :class:`Workspace` (distances at infinity, parents at -1) and restore
every entry they touched before returning, so one workspace serves any number of queries; a workspace
must not be shared by two threads at once (the kernels release the GIL).

Kernels trust their inputs (numba does not check bounds): :class:`routing.walk.index.WalkIndex`
validates the arrays once when it is built or loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
from numpy.typing import NDArray

from routing.compiled import jit

# ---------------------------------------------------------------------------------------------------
# A binary min-heap of (key, value) pairs in two caller-owned arrays of fixed capacity; stale entries
# (a key larger than the node's current distance) are skipped by the callers.


@jit
def heap_push(keys: NDArray[np.float64], values: NDArray[np.int64], size: int, key: float, value: int) -> int:
    """Push one pair and return the new size; the caller guarantees ``size < keys.shape[0]``."""
    position = size
    while position > 0:
        parent = (position - 1) >> 1
        if keys[parent] <= key:
            break
        keys[position] = keys[parent]
        values[position] = values[parent]
        position = parent
    keys[position] = key
    values[position] = value
    return size + 1


@jit
def heap_pop(keys: NDArray[np.float64], values: NDArray[np.int64], size: int) -> tuple[float, int, int]:
    """Remove the smallest pair; returns its key, its value and the new size (``size`` must be > 0)."""
    top_key = keys[0]
    top_value = values[0]
    size -= 1
    if size > 0:
        key = keys[size]
        value = values[size]
        position = 0
        while True:
            child = 2 * position + 1
            if child >= size:
                break
            if child + 1 < size and keys[child + 1] < keys[child]:
                child += 1
            if keys[child] >= key:
                break
            keys[position] = keys[child]
            values[position] = values[child]
            position = child
        keys[position] = key
        values[position] = value
    return top_key, top_value, size


# ---------------------------------------------------------------------------------------------------
# Contraction-hierarchy queries.

Hierarchy: TypeAlias = tuple[
    NDArray[np.int64],  # up_indptr
    NDArray[np.int32],  # up_head
    NDArray[np.float64],  # up_length_m
    NDArray[np.int32],  # up_arc
    NDArray[np.int64],  # down_indptr
    NDArray[np.int32],  # down_tail
    NDArray[np.float64],  # down_length_m
    NDArray[np.int32],  # down_arc
    NDArray[np.int32],  # arc_tail
    NDArray[np.int32],  # arc_head
    NDArray[np.int32],  # arc_first
    NDArray[np.int32],  # arc_second
    NDArray[np.int32],  # arc_edge
]
"""The arrays of a :class:`routing.walk.index.WalkIndex`, in the order of its ``hierarchy`` property."""

Endpoints: TypeAlias = tuple[NDArray[np.int64], NDArray[np.float64]]
"""Nodes where a search starts (or ends) and the length already walked to (or still to walk from) each."""

Scratch: TypeAlias = tuple[
    NDArray[np.float64],  # dist_forward
    NDArray[np.float64],  # dist_backward
    NDArray[np.int64],  # parent_forward
    NDArray[np.int64],  # parent_backward
    NDArray[np.int64],  # touched_forward
    NDArray[np.int64],  # touched_backward
    NDArray[np.float64],  # heap_keys_forward
    NDArray[np.int64],  # heap_values_forward
    NDArray[np.float64],  # heap_keys_backward
    NDArray[np.int64],  # heap_values_backward
    NDArray[np.int64],  # stack
    NDArray[np.int64],  # path
]

MAX_ENDPOINTS = 16
"""Most start (or end) nodes one query may have: the workspace's heaps have that much spare room."""


@dataclass(frozen=True, eq=False)
class Workspace:
    """Scratch arrays for one thread's queries, sized for one graph and its index.

    Distances start at infinity and parents at -1; every kernel restores the entries it touched.
    """

    arrays: Scratch

    @classmethod
    def allocate(cls, node_count: int, arc_count: int, edge_count: int) -> Workspace:
        """Arrays large enough for any query on a graph of these sizes.

        Each arc is relaxed at most once per direction, which bounds the heaps; a shortcut's children
        have smaller ids, which bounds the unpacking stack; a shortest path has no repeated edge.
        """
        heap = arc_count + MAX_ENDPOINTS
        return cls(
            (
                np.full(node_count, np.inf),
                np.full(node_count, np.inf),
                np.full(node_count, -1, dtype=np.int64),
                np.full(node_count, -1, dtype=np.int64),
                np.empty(node_count, dtype=np.int64),
                np.empty(node_count, dtype=np.int64),
                np.empty(heap, dtype=np.float64),
                np.empty(heap, dtype=np.int64),
                np.empty(heap, dtype=np.float64),
                np.empty(heap, dtype=np.int64),
                np.empty(arc_count + 1, dtype=np.int64),
                np.empty(edge_count + 1, dtype=np.int64),
            )
        )

    @property
    def path(self) -> NDArray[np.int64]:
        """Where :func:`ch_path` writes the route's edges."""
        return self.arrays[11]


@jit
def _settle(  # noqa: PLR0917 (compiled kernels take their arrays positionally)
    key: float,
    node: int,
    best: float,
    meet: int,
    climb: tuple[NDArray[np.int64], NDArray[np.int32], NDArray[np.float64], NDArray[np.int32]],
    stall: tuple[NDArray[np.int64], NDArray[np.int32], NDArray[np.float64]],
    side: tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.int64], NDArray[np.float64], NDArray[np.int64]],
    other_dist: NDArray[np.float64],
    counts: tuple[int, int],
) -> tuple[float, int, int, int]:
    """Settle ``node`` at ``key`` in one direction of the search.

    Checks the meeting with the other direction, stalls the node if a higher node reaches it more
    cheaply, otherwise relaxes its arcs. ``climb`` is the CSR graph this direction climbs (pointers,
    far ends, lengths, arc ids), ``stall`` the opposite CSR graph, ``side`` this direction's distances,
    parents, touched list and heap, ``counts`` its touched count and heap size. Returns the best length,
    the meeting node and the new counts.
    """
    indptr, far, length_m, arc = climb
    stall_indptr, stall_far, stall_length_m = stall
    dist, parent, touched, keys, values = side
    count, size = counts
    if other_dist[node] < np.inf and key + other_dist[node] < best:
        best = key + other_dist[node]
        meet = node
    for a in range(stall_indptr[node], stall_indptr[node + 1]):
        if dist[stall_far[a]] + stall_length_m[a] < key:
            return best, meet, count, size
    for a in range(indptr[node], indptr[node + 1]):
        other = far[a]
        length = key + length_m[a]
        if length < dist[other]:
            if dist[other] == np.inf:
                touched[count] = other
                count += 1
            dist[other] = length
            parent[other] = arc[a]
            size = heap_push(keys, values, size, length, other)
    return best, meet, count, size


@jit
def _start(  # noqa: PLR0917 (compiled kernels take their arrays positionally)
    endpoints: Endpoints,
    dist: NDArray[np.float64],
    parent: NDArray[np.int64],
    touched: NDArray[np.int64],
    keys: NDArray[np.float64],
    values: NDArray[np.int64],
) -> int:
    """Seed one direction with its endpoints; returns how many nodes it touched (= its heap size)."""
    nodes, offsets_m = endpoints
    count = 0
    for i in range(nodes.shape[0]):
        node = nodes[i]
        if offsets_m[i] < dist[node]:
            if dist[node] == np.inf:
                touched[count] = node
                count += 1
            dist[node] = offsets_m[i]
            parent[node] = -1
    size = 0
    for i in range(count):
        size = heap_push(keys, values, size, dist[touched[i]], touched[i])
    return count


@jit
def _ch_search(
    hierarchy: Hierarchy, sources: Endpoints, targets: Endpoints, scratch: Scratch
) -> tuple[float, int, int, int]:
    """Bidirectional upward Dijkstra with stall-on-demand, from several sources to several targets.

    The forward search climbs ``up`` arcs from the sources (each starting at its offset), the backward
    search climbs ``down`` arcs (stored at their head) from the targets; a direction stops once its
    smallest key reaches the best meeting length. Returns the best length (inf if none), the meeting
    node (-1 if none) and how many nodes each direction touched (the caller resets them).
    """
    up_indptr, up_head, up_length_m, up_arc, down_indptr, down_tail, down_length_m, down_arc = hierarchy[:8]
    dist_f, dist_b, parent_f, parent_b, touched_f, touched_b, keys_f, values_f, keys_b, values_b = scratch[:10]
    up = (up_indptr, up_head, up_length_m, up_arc)
    down = (down_indptr, down_tail, down_length_m, down_arc)
    forward_side = (dist_f, parent_f, touched_f, keys_f, values_f)
    backward_side = (dist_b, parent_b, touched_b, keys_b, values_b)
    count_f = _start(sources, dist_f, parent_f, touched_f, keys_f, values_f)
    count_b = _start(targets, dist_b, parent_b, touched_b, keys_b, values_b)
    size_f = count_f
    size_b = count_b
    best = np.inf
    meet = -1
    while size_f > 0 or size_b > 0:
        if size_f > 0 and (size_b == 0 or keys_f[0] <= keys_b[0]):
            key, node, size_f = heap_pop(keys_f, values_f, size_f)
            if key > dist_f[node]:
                continue
            if key >= best:
                size_f = 0
                continue
            best, meet, count_f, size_f = _settle(
                key, node, best, meet, up, down[:3], forward_side, dist_b, (count_f, size_f)
            )
        else:
            key, node, size_b = heap_pop(keys_b, values_b, size_b)
            if key > dist_b[node]:
                continue
            if key >= best:
                size_b = 0
                continue
            best, meet, count_b, size_b = _settle(
                key, node, best, meet, down, up[:3], backward_side, dist_f, (count_b, size_b)
            )
    return best, meet, count_f, count_b


@jit
def _reset(scratch: Scratch, count_f: int, count_b: int) -> None:
    """Put back infinity and -1 wherever the last search wrote."""
    dist_f, dist_b, parent_f, parent_b, touched_f, touched_b = scratch[:6]
    for i in range(count_f):
        dist_f[touched_f[i]] = np.inf
        parent_f[touched_f[i]] = -1
    for i in range(count_b):
        dist_b[touched_b[i]] = np.inf
        parent_b[touched_b[i]] = -1


@jit
def _unpack(arc: int, hierarchy: Hierarchy, stack: NDArray[np.int64], path: NDArray[np.int64], length: int) -> int:
    """Append the original edges of ``arc`` (a shortcut or an edge) to ``path``; returns the new length.

    Children of a shortcut have smaller ids, so the stack never holds more than ``arc + 1`` items;
    returns -1 if ``path`` would overflow (impossible for a shortest path, which repeats no edge).
    """
    arc_first, arc_second, arc_edge = hierarchy[10:13]
    top = 1
    stack[0] = arc
    while top > 0:
        top -= 1
        current = stack[top]
        edge = arc_edge[current]
        if edge >= 0:
            if length >= path.shape[0]:
                return -1
            path[length] = edge
            length += 1
        else:
            stack[top] = arc_second[current]
            stack[top + 1] = arc_first[current]
            top += 2
    return length


@jit
def ch_length(hierarchy: Hierarchy, sources: Endpoints, targets: Endpoints, scratch: Scratch) -> float:
    """Shortest length from any source (plus its offset) to any target (plus its offset); inf if none."""
    best, _, count_f, count_b = _ch_search(hierarchy, sources, targets, scratch)
    _reset(scratch, count_f, count_b)
    return best


@jit
def ch_path(
    hierarchy: Hierarchy, sources: Endpoints, targets: Endpoints, scratch: Scratch
) -> tuple[float, int, int, int]:
    """Like :func:`ch_length`, and also write the route's original edges, in order, into the scratch path.

    Returns the length (inf if none), the number of edges written (-1 on overflow), and the source and
    target nodes the route starts and ends at (-1 if none).
    """
    arc_tail, arc_head = hierarchy[8:10]
    parent_f, parent_b = scratch[2:4]
    stack, path = scratch[10:12]
    best, meet, count_f, count_b = _ch_search(hierarchy, sources, targets, scratch)
    length = 0
    first_node = -1
    last_node = -1
    if meet >= 0:
        # The arcs from a source up to the meeting node, collected backwards, then unpacked in order.
        arcs_up = 0
        node = meet
        while parent_f[node] >= 0:
            arcs_up += 1
            node = arc_tail[parent_f[node]]
        first_node = node
        collected = np.empty(arcs_up, dtype=np.int64)
        node = meet
        for i in range(arcs_up - 1, -1, -1):
            collected[i] = parent_f[node]
            node = arc_tail[parent_f[node]]
        for i in range(arcs_up):
            length = _unpack(collected[i], hierarchy, stack, path, length)
            if length < 0:
                break
        node = meet
        while length >= 0 and parent_b[node] >= 0:
            length = _unpack(parent_b[node], hierarchy, stack, path, length)
            node = arc_head[parent_b[node]]
        last_node = node
    _reset(scratch, count_f, count_b)
    return best, length, first_node, last_node


# ---------------------------------------------------------------------------------------------------
# One-to-all lengths on the original graph.


@jit
def dijkstra_lengths(
    graph: tuple[NDArray[np.int64], NDArray[np.int32], NDArray[np.float64]], sources: Endpoints, limit_m: float
) -> NDArray[np.float64]:
    """Shortest length from the nearest source (plus its offset) to every node; inf beyond ``limit_m``.

    ``graph`` is a CSR graph: pointers, heads, lengths.
    """
    indptr, head, length_m = graph
    nodes, offsets_m = sources
    n = indptr.shape[0] - 1
    dist = np.full(n, np.inf)
    done = np.zeros(n, dtype=np.bool_)
    # Each edge is relaxed at most once (from its settled tail): that bounds the pushes.
    keys = np.empty(head.shape[0] + nodes.shape[0] + 1, dtype=np.float64)
    values = np.empty(head.shape[0] + nodes.shape[0] + 1, dtype=np.int64)
    size = 0
    for i in range(nodes.shape[0]):
        node = nodes[i]
        if offsets_m[i] <= limit_m and offsets_m[i] < dist[node]:
            dist[node] = offsets_m[i]
            size = heap_push(keys, values, size, offsets_m[i], node)
    while size > 0:
        key, node, size = heap_pop(keys, values, size)
        if done[node]:
            continue
        done[node] = True
        for e in range(indptr[node], indptr[node + 1]):
            other = head[e]
            length = key + length_m[e]
            if length < dist[other] and length <= limit_m:
                dist[other] = length
                size = heap_push(keys, values, size, length, other)
    return dist
