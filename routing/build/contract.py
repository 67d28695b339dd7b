"""Node contraction: the compiled preprocessing that turns a street graph into a contraction hierarchy.

Nodes are contracted one by one, least important first (edge difference, contracted neighbours and
hierarchy depth, re-evaluated lazily when a node reaches the front of the queue). Contracting a node
``v`` adds a shortcut ``u -> w`` for each pair of remaining neighbours unless a local *witness* search
finds a path from ``u`` to ``w`` avoiding ``v`` that is no longer. A witness search that gives up early
only costs an unneeded shortcut, never correctness.

The remaining graph is kept as one contiguous block of (neighbour, arc, length) entries per node and
direction, in a shared pool (a full block moves to the end of the pool with twice the room), so a witness
search reads memory in order. A shortcut that is shorter than an existing arc between the same nodes
replaces it (the old arc is retired and dropped from the result); every shortcut's two children are
therefore arcs with smaller ids, and unpacking a shortcut always terminates.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from routing.compiled import jit
from routing.graph.frozen import FrozenGraph
from routing.walk.index import WalkIndex, graph_checksum
from routing.walk.search import heap_pop, heap_push

DEFAULT_SETTLE_LIMIT = 100
"""Nodes a witness search may settle while contracting: more gives fewer shortcuts but a slower build."""

# Columns of the arc table.
_TAIL = 0
_HEAD = 1
_FIRST = 2
_SECOND = 3
_EDGE = 4
_DEAD = 5
_ARC_COLUMNS = 6

# Columns of the per-node block table: start, size and capacity of the out-block, then of the in-block.
_OUT = 0
_IN = 3

_WITNESS_HEAP = 1 << 14
"""Capacity of a witness search's heap; a search that fills it gives up (costing a shortcut at most)."""


@jit
def _append_entry(  # noqa: PLR0917 (compiled kernels take their arrays positionally)
    blocks: NDArray[np.int64],
    node: int,
    side: int,
    neighbour: int,
    arc: int,
    length_m: float,
    pool: NDArray[np.int64],
    pool_length_m: NDArray[np.float64],
    pool_used: int,
) -> tuple[NDArray[np.int64], NDArray[np.float64], int]:
    """Append an entry to one of ``node``'s blocks, moving the block when full; returns the pool."""
    start = blocks[node, side]
    size = blocks[node, side + 1]
    capacity = blocks[node, side + 2]
    if size == capacity:
        capacity = 2 * capacity + 2
        if pool_used + capacity > pool.shape[0]:
            grown_size = 2 * pool.shape[0] + capacity
            grown = np.empty((grown_size, 2), dtype=np.int64)
            grown_length = np.empty(grown_size, dtype=np.float64)
            grown[:pool_used] = pool[:pool_used]
            grown_length[:pool_used] = pool_length_m[:pool_used]
            pool, pool_length_m = grown, grown_length
        pool[pool_used : pool_used + size] = pool[start : start + size]
        pool_length_m[pool_used : pool_used + size] = pool_length_m[start : start + size]
        start = pool_used
        pool_used += capacity
        blocks[node, side] = start
        blocks[node, side + 2] = capacity
    pool[start + size, 0] = neighbour
    pool[start + size, 1] = arc
    pool_length_m[start + size] = length_m
    blocks[node, side + 1] = size + 1
    return pool, pool_length_m, pool_used


@jit
def _remove_entry(  # noqa: PLR0917 (compiled kernels take their arrays positionally)
    blocks: NDArray[np.int64],
    node: int,
    side: int,
    neighbour: int,
    pool: NDArray[np.int64],
    pool_length_m: NDArray[np.float64],
) -> None:
    """Remove the entry for ``neighbour`` from one of ``node``'s blocks (swapping in the last entry)."""
    start = blocks[node, side]
    size = blocks[node, side + 1]
    for k in range(start, start + size):
        if pool[k, 0] == neighbour:
            last = start + size - 1
            pool[k, 0] = pool[last, 0]
            pool[k, 1] = pool[last, 1]
            pool_length_m[k] = pool_length_m[last]
            blocks[node, side + 1] = size - 1
            return


@jit
def _find_entry(blocks: NDArray[np.int64], node: int, side: int, neighbour: int, pool: NDArray[np.int64]) -> int:
    """Pool position of ``neighbour`` in one of ``node``'s blocks, or -1."""
    start = blocks[node, side]
    for k in range(start, start + blocks[node, side + 1]):
        if pool[k, 0] == neighbour:
            return k
    return -1


@jit
def _witness_search(  # noqa: PLR0917 (compiled kernels take their arrays positionally)
    source: int,
    skip: int,
    bound_m: float,
    settle_limit: int,
    blocks: NDArray[np.int64],
    pool: NDArray[np.int64],
    pool_length_m: NDArray[np.float64],
    is_target: NDArray[np.bool_],
    targets: int,
    dist: NDArray[np.float64],
    touched: NDArray[np.int64],
    keys: NDArray[np.float64],
    values: NDArray[np.int64],
) -> int:
    """Dijkstra from ``source`` in the remaining graph without ``skip``, up to ``bound_m`` and a budget.

    It stops early once the ``targets`` nodes flagged in ``is_target`` are settled. Leaves the lengths in
    ``dist`` and returns how many nodes it touched (listed in ``touched``; the caller resets them).
    """
    count = 1
    dist[source] = 0.0
    touched[0] = source
    size = heap_push(keys, values, 0, 0.0, source)
    settled = 0
    capacity = keys.shape[0]
    while size > 0:
        key, node, size = heap_pop(keys, values, size)
        if key > dist[node]:
            continue
        if key > bound_m or settled >= settle_limit:
            break
        settled += 1
        if is_target[node]:
            targets -= 1
            if targets == 0:
                break
        start = blocks[node, _OUT]
        for k in range(start, start + blocks[node, _OUT + 1]):
            other = pool[k, 0]
            if other == skip:
                continue
            length = key + pool_length_m[k]
            if length < dist[other]:
                if size == capacity:
                    return count
                if dist[other] == np.inf:
                    touched[count] = other
                    count += 1
                dist[other] = length
                size = heap_push(keys, values, size, length, other)
    return count


@jit
def _find_shortcuts(  # noqa: PLR0917 (compiled kernels take their arrays positionally)
    node: int,
    settle_limit: int,
    blocks: NDArray[np.int64],
    pool: NDArray[np.int64],
    pool_length_m: NDArray[np.float64],
    is_target: NDArray[np.bool_],
    dist: NDArray[np.float64],
    touched: NDArray[np.int64],
    keys: NDArray[np.float64],
    values: NDArray[np.int64],
    pending: NDArray[np.int64],
    pending_length_m: NDArray[np.float64],
) -> tuple[int, int, NDArray[np.int64], NDArray[np.float64]]:
    """Find the shortcuts contracting ``node`` would need, writing them to ``pending``.

    Each pending row is (in-arc, out-arc) with the shortcut's length in ``pending_length_m``. Returns the
    number of shortcuts, the number of arcs the node has to remaining neighbours, and the pending arrays
    (they grow when needed).
    """
    out_start = blocks[node, _OUT]
    out_count = blocks[node, _OUT + 1]
    in_start = blocks[node, _IN]
    in_count = blocks[node, _IN + 1]
    max_out_m = 0.0
    for k in range(out_start, out_start + out_count):
        max_out_m = max(max_out_m, pool_length_m[k])
    shortcuts = 0
    for i in range(in_start, in_start + in_count):
        source = pool[i, 0]
        in_length = pool_length_m[i]
        targets = 0
        for k in range(out_start, out_start + out_count):
            if pool[k, 0] != source:
                is_target[pool[k, 0]] = True
                targets += 1
        if targets == 0:
            continue
        touched_count = _witness_search(
            source,
            node,
            in_length + max_out_m,
            settle_limit,
            blocks,
            pool,
            pool_length_m,
            is_target,
            targets,
            dist,
            touched,
            keys,
            values,
        )
        for k in range(out_start, out_start + out_count):
            target = pool[k, 0]
            is_target[target] = False
            if target == source:
                continue
            via_m = in_length + pool_length_m[k]
            if dist[target] <= via_m:
                continue
            if shortcuts == pending.shape[0]:
                grown = np.empty((2 * shortcuts + 16, 2), dtype=np.int64)
                grown_length = np.empty(2 * shortcuts + 16, dtype=np.float64)
                grown[:shortcuts] = pending[:shortcuts]
                grown_length[:shortcuts] = pending_length_m[:shortcuts]
                pending, pending_length_m = grown, grown_length
            pending[shortcuts, 0] = pool[i, 1]
            pending[shortcuts, 1] = pool[k, 1]
            pending_length_m[shortcuts] = via_m
            shortcuts += 1
        for j in range(touched_count):
            dist[touched[j]] = np.inf
    return shortcuts, in_count + out_count, pending, pending_length_m


@jit
def _add_arc(  # noqa: PLR0917 (compiled kernels take their arrays positionally)
    arcs: NDArray[np.int64],
    arc_length_m: NDArray[np.float64],
    count: int,
    tail: int,
    head: int,
    length_m: float,
    first: int,
    second: int,
    edge: int,
) -> tuple[NDArray[np.int64], NDArray[np.float64], int]:
    """Append one row to the arc table (growing it when full)."""
    if count == arcs.shape[0]:
        grown = np.empty((2 * count + 16, _ARC_COLUMNS), dtype=np.int64)
        grown_length = np.empty(2 * count + 16, dtype=np.float64)
        grown[:count] = arcs[:count]
        grown_length[:count] = arc_length_m[:count]
        arcs, arc_length_m = grown, grown_length
    arcs[count, _TAIL] = tail
    arcs[count, _HEAD] = head
    arcs[count, _FIRST] = first
    arcs[count, _SECOND] = second
    arcs[count, _EDGE] = edge
    arcs[count, _DEAD] = 0
    arc_length_m[count] = length_m
    return arcs, arc_length_m, count + 1


@jit
def _priority(shortcuts: int, removed: int, deleted_neighbours: int, level: int) -> float:
    """Contraction priority: low for nodes whose removal adds few arcs, in a shallow, spread-out order."""
    return 2.0 * (shortcuts - removed) + deleted_neighbours + level


@jit
def contract(  # noqa: PLR0917 (compiled kernels take their arrays positionally)
    node_count: int,
    tail: NDArray[np.int64],
    head: NDArray[np.int64],
    length_m: NDArray[np.float64],
    edge: NDArray[np.int64],
    settle_limit: int,
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """Contract every node of a simple graph (no loops, no parallel arcs).

    Parameters
    ----------
    node_count
        Number of nodes.
    tail, head, length_m, edge
        The arcs and, for each, the original edge it stands for.
    settle_limit
        Nodes a witness search may settle before it gives up.

    Returns
    -------
    rank
        Contraction order of every node (0 first).
    arcs
        The kept arcs, one row each: tail, head, first child, second child, original edge (children -1
        for an original arc, edge -1 for a shortcut); children ids are smaller than their arc's.
    arc_length_m
        Length of each kept arc.
    """
    m = tail.shape[0]
    arcs = np.empty((2 * m + 16, _ARC_COLUMNS), dtype=np.int64)
    arc_length_m = np.empty(2 * m + 16, dtype=np.float64)
    count = 0
    # Blocks with room for twice the initial degree, laid out node after node.
    out_degree = np.zeros(node_count, dtype=np.int64)
    in_degree = np.zeros(node_count, dtype=np.int64)
    for i in range(m):
        out_degree[tail[i]] += 1
        in_degree[head[i]] += 1
    blocks = np.zeros((node_count, 6), dtype=np.int64)
    pool_used = 0
    for v in range(node_count):
        blocks[v, _OUT] = pool_used
        blocks[v, _OUT + 2] = 2 * out_degree[v] + 2
        pool_used += blocks[v, _OUT + 2]
        blocks[v, _IN] = pool_used
        blocks[v, _IN + 2] = 2 * in_degree[v] + 2
        pool_used += blocks[v, _IN + 2]
    pool = np.empty((2 * pool_used + 16, 2), dtype=np.int64)
    pool_length_m = np.empty(2 * pool_used + 16, dtype=np.float64)
    for i in range(m):
        arcs, arc_length_m, count = _add_arc(arcs, arc_length_m, count, tail[i], head[i], length_m[i], -1, -1, edge[i])
        pool, pool_length_m, pool_used = _append_entry(
            blocks, tail[i], _OUT, head[i], i, length_m[i], pool, pool_length_m, pool_used
        )
        pool, pool_length_m, pool_used = _append_entry(
            blocks, head[i], _IN, tail[i], i, length_m[i], pool, pool_length_m, pool_used
        )
    is_target = np.zeros(node_count, dtype=np.bool_)
    dist = np.full(node_count, np.inf)
    touched = np.empty(node_count, dtype=np.int64)
    keys = np.empty(_WITNESS_HEAP, dtype=np.float64)
    values = np.empty(_WITNESS_HEAP, dtype=np.int64)
    pending = np.empty((64, 2), dtype=np.int64)
    pending_length_m = np.empty(64, dtype=np.float64)
    deleted_neighbours = np.zeros(node_count, dtype=np.int64)
    level = np.zeros(node_count, dtype=np.int64)
    priority = np.zeros(node_count, dtype=np.float64)
    queue_keys = np.empty(2 * node_count + 16, dtype=np.float64)
    queue_values = np.empty(2 * node_count + 16, dtype=np.int64)
    queue_size = 0
    for v in range(node_count):
        shortcuts, removed, pending, pending_length_m = _find_shortcuts(
            v,
            settle_limit,
            blocks,
            pool,
            pool_length_m,
            is_target,
            dist,
            touched,
            keys,
            values,
            pending,
            pending_length_m,
        )
        priority[v] = _priority(shortcuts, removed, 0, 0)
        queue_size = heap_push(queue_keys, queue_values, queue_size, priority[v], v)
    rank = np.full(node_count, -1, dtype=np.int64)
    contracted = np.zeros(node_count, dtype=np.bool_)
    order = 0
    while queue_size > 0:
        key, v, queue_size = heap_pop(queue_keys, queue_values, queue_size)
        if contracted[v] or key != priority[v]:
            continue
        # Lazy update: re-evaluate, and put the node back if it is no longer the least important.
        shortcuts, removed, pending, pending_length_m = _find_shortcuts(
            v,
            settle_limit,
            blocks,
            pool,
            pool_length_m,
            is_target,
            dist,
            touched,
            keys,
            values,
            pending,
            pending_length_m,
        )
        fresh = _priority(shortcuts, removed, deleted_neighbours[v], level[v])
        if queue_size > 0 and fresh > queue_keys[0]:
            priority[v] = fresh
            if queue_size == queue_keys.shape[0]:
                grown_keys = np.empty(2 * queue_size, dtype=np.float64)
                grown_values = np.empty(2 * queue_size, dtype=np.int64)
                grown_keys[:queue_size] = queue_keys
                grown_values[:queue_size] = queue_values
                queue_keys, queue_values = grown_keys, grown_values
            queue_size = heap_push(queue_keys, queue_values, queue_size, fresh, v)
            continue
        contracted[v] = True
        rank[v] = order
        order += 1
        # Take the node out of its neighbours' blocks, then add its shortcuts.
        start = blocks[v, _OUT]
        for k in range(start, start + blocks[v, _OUT + 1]):
            other = pool[k, 0]
            _remove_entry(blocks, other, _IN, v, pool, pool_length_m)
            deleted_neighbours[other] += 1
            level[other] = max(level[other], level[v] + 1)
        start = blocks[v, _IN]
        for k in range(start, start + blocks[v, _IN + 1]):
            other = pool[k, 0]
            _remove_entry(blocks, other, _OUT, v, pool, pool_length_m)
            deleted_neighbours[other] += 1
            level[other] = max(level[other], level[v] + 1)
        for i in range(shortcuts):
            a_in = pending[i, 0]
            a_out = pending[i, 1]
            source = arcs[a_in, _TAIL]
            target = arcs[a_out, _HEAD]
            via_m = pending_length_m[i]
            existing = _find_entry(blocks, source, _OUT, target, pool)
            if existing >= 0 and pool_length_m[existing] <= via_m:
                continue
            arcs, arc_length_m, count = _add_arc(arcs, arc_length_m, count, source, target, via_m, a_in, a_out, -1)
            if existing >= 0:
                # Replace the longer arc in both blocks.
                arcs[pool[existing, 1], _DEAD] = 1
                pool[existing, 1] = count - 1
                pool_length_m[existing] = via_m
                mirror = _find_entry(blocks, target, _IN, source, pool)
                pool[mirror, 1] = count - 1
                pool_length_m[mirror] = via_m
            else:
                pool, pool_length_m, pool_used = _append_entry(
                    blocks, source, _OUT, target, count - 1, via_m, pool, pool_length_m, pool_used
                )
                pool, pool_length_m, pool_used = _append_entry(
                    blocks, target, _IN, source, count - 1, via_m, pool, pool_length_m, pool_used
                )
    # Keep the live arcs, renumbered in order (which keeps children before parents).
    new_id = np.full(count, -1, dtype=np.int64)
    live = 0
    for a in range(count):
        if arcs[a, _DEAD] == 0:
            new_id[a] = live
            live += 1
    table = np.empty((live, 5), dtype=np.int64)
    table_length_m = np.empty(live, dtype=np.float64)
    for a in range(count):
        b = new_id[a]
        if b < 0:
            continue
        table[b, 0] = arcs[a, _TAIL]
        table[b, 1] = arcs[a, _HEAD]
        table[b, 2] = new_id[arcs[a, _FIRST]] if arcs[a, _FIRST] >= 0 else -1
        table[b, 3] = new_id[arcs[a, _SECOND]] if arcs[a, _SECOND] >= 0 else -1
        table[b, 4] = arcs[a, _EDGE]
        table_length_m[b] = arc_length_m[a]
    return rank, table, table_length_m


def build_walk_index(graph: FrozenGraph, *, settle_limit: int = DEFAULT_SETTLE_LIMIT) -> WalkIndex:
    """Contract ``graph`` into a :class:`WalkIndex` (shortest by length).

    Self-loops are dropped and, of parallel edges, only the shortest is kept: neither is ever part of a
    shortest path.

    Parameters
    ----------
    graph
        The street graph (any directed graph with non-negative lengths).
    settle_limit
        Nodes a witness search may settle; it trades build time against the number of shortcuts.

    Raises
    ------
    ValueError
        If an edge length is negative or not finite.
    """
    if graph.edge_count and (not np.all(np.isfinite(graph.length_m)) or float(graph.length_m.min()) < 0):
        raise ValueError("edge lengths must be finite and non-negative")
    tail = graph.tail().astype(np.int64)
    head = graph.head.astype(np.int64)
    edge = np.arange(graph.edge_count, dtype=np.int64)
    keep = tail != head
    tail, head, edge = tail[keep], head[keep], edge[keep]
    length = graph.length_m[edge]
    order = np.lexsort((edge, length, head, tail))
    tail, head, edge, length = tail[order], head[order], edge[order], length[order]
    first = np.ones(tail.size, dtype=bool)
    first[1:] = (tail[1:] != tail[:-1]) | (head[1:] != head[:-1])
    tail, head, edge, length = tail[first], head[first], edge[first], length[first]
    rank, table, arc_length_m = contract(graph.node_count, tail, head, length, edge, settle_limit)
    arc_tail, arc_head = table[:, 0], table[:, 1]
    climbs = rank[arc_head] > rank[arc_tail]
    n = graph.node_count
    up = np.flatnonzero(climbs)
    up = up[np.argsort(arc_tail[up], kind="stable")]
    down = np.flatnonzero(~climbs)
    down = down[np.argsort(arc_head[down], kind="stable")]
    up_indptr = np.concatenate(([0], np.cumsum(np.bincount(arc_tail[up], minlength=n)))).astype(np.int64)
    down_indptr = np.concatenate(([0], np.cumsum(np.bincount(arc_head[down], minlength=n)))).astype(np.int64)
    index = WalkIndex(
        node_count=n,
        edge_count=graph.edge_count,
        graph_checksum=graph_checksum(graph),
        rank=rank.astype(np.int32),
        up_indptr=up_indptr,
        up_head=arc_head[up].astype(np.int32),
        up_length_m=arc_length_m[up],
        up_arc=up.astype(np.int32),
        down_indptr=down_indptr,
        down_tail=arc_tail[down].astype(np.int32),
        down_length_m=arc_length_m[down],
        down_arc=down.astype(np.int32),
        arc_tail=arc_tail.astype(np.int32),
        arc_head=arc_head.astype(np.int32),
        arc_first=table[:, 2].astype(np.int32),
        arc_second=table[:, 3].astype(np.int32),
        arc_edge=table[:, 4].astype(np.int32),
    )
    index.check()
    return index
