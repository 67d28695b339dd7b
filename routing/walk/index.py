"""The walking router's precomputed query structure: a contraction hierarchy stored as flat arrays.

The bundle builder contracts the walk graph once (:mod:`routing.build.contract`, a few seconds for Hanoi);
the result is two CSR graphs, the *upward* arcs (to a more important node) stored at their tail and the
*downward* arcs stored at their head, plus the arc table that expands each shortcut into its two halves
and each original arc into its street-graph edge. The metric is length: durations are derived from the
route afterwards, so the route is the shortest by length.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from routing.bundle.npz import NpzRecord, load_npz, save_npz
from routing.errors import BundleError
from routing.graph.frozen import FrozenGraph
from routing.walk.search import Hierarchy

INDEX_FORMAT = 1
"""Bump when the arrays' meaning changes; :meth:`WalkIndex.load` refuses other formats."""

_DTYPES: dict[str, type[np.generic]] = {
    "rank": np.int32,
    "up_indptr": np.int64,
    "up_head": np.int32,
    "up_length_m": np.float64,
    "up_arc": np.int32,
    "down_indptr": np.int64,
    "down_tail": np.int32,
    "down_length_m": np.float64,
    "down_arc": np.int32,
    "arc_tail": np.int32,
    "arc_head": np.int32,
    "arc_first": np.int32,
    "arc_second": np.int32,
    "arc_edge": np.int32,
}
_SCALARS = ("node_count", "edge_count", "graph_checksum")


def graph_checksum(graph: FrozenGraph) -> int:
    """CRC-32 of the graph's topology and lengths: ties an index to the graph it was built from."""
    checksum = zlib.crc32(np.ascontiguousarray(graph.indptr).tobytes())
    checksum = zlib.crc32(np.ascontiguousarray(graph.head).tobytes(), checksum)
    return zlib.crc32(np.ascontiguousarray(graph.length_m).tobytes(), checksum)


@dataclass(frozen=True, eq=False)
class WalkIndex:
    """A contraction hierarchy over a :class:`~routing.graph.frozen.FrozenGraph`, in flat arrays.

    ``up_*`` is a CSR graph by tail node of the arcs that climb to a higher ``rank``; ``down_*`` is a CSR
    graph by *head* node of the arcs that come down from a higher rank (``down_tail`` is the higher end).
    ``up_arc``/``down_arc`` name each arc's row in the ``arc_*`` table, where a shortcut has two children
    (``arc_first`` then ``arc_second``, both with smaller ids) and an original arc names its graph edge in
    ``arc_edge`` (-1 for shortcuts).
    """

    node_count: int
    edge_count: int
    graph_checksum: int
    rank: NDArray[np.int32]
    up_indptr: NDArray[np.int64]
    up_head: NDArray[np.int32]
    up_length_m: NDArray[np.float64]
    up_arc: NDArray[np.int32]
    down_indptr: NDArray[np.int64]
    down_tail: NDArray[np.int32]
    down_length_m: NDArray[np.float64]
    down_arc: NDArray[np.int32]
    arc_tail: NDArray[np.int32]
    arc_head: NDArray[np.int32]
    arc_first: NDArray[np.int32]
    arc_second: NDArray[np.int32]
    arc_edge: NDArray[np.int32]

    @property
    def arc_count(self) -> int:
        """Number of arcs (original arcs plus shortcuts)."""
        return int(self.arc_tail.shape[0])

    @property
    def hierarchy(self) -> Hierarchy:
        """The arrays the query kernels of :mod:`routing.walk.search` take, in their order."""
        return (
            self.up_indptr,
            self.up_head,
            self.up_length_m,
            self.up_arc,
            self.down_indptr,
            self.down_tail,
            self.down_length_m,
            self.down_arc,
            self.arc_tail,
            self.arc_head,
            self.arc_first,
            self.arc_second,
            self.arc_edge,
        )

    @property
    def shortcut_count(self) -> int:
        """Number of shortcuts the contraction added."""
        return int(np.count_nonzero(self.arc_edge < 0))

    @property
    def nbytes(self) -> int:
        """Memory the arrays take."""
        return sum(int(getattr(self, name).nbytes) for name in _DTYPES)

    def matches(self, graph: FrozenGraph) -> bool:
        """Whether this index was built from ``graph`` (same sizes and checksum)."""
        return (
            self.node_count == graph.node_count
            and self.edge_count == graph.edge_count
            and self.graph_checksum == graph_checksum(graph)
        )

    def save(self, path: Path) -> None:
        """Write as one uncompressed ``.npz`` at exactly ``path`` (fast to load)."""
        arrays: dict[str, Any] = {name: getattr(self, name) for name in _DTYPES}
        arrays["format"] = np.int64(INDEX_FORMAT)
        for name in _SCALARS:
            arrays[name] = np.int64(getattr(self, name))
        save_npz(path, arrays)

    @classmethod
    def load(cls, path: Path) -> WalkIndex:
        """Read an index written by :meth:`save` and verify it.

        Raises
        ------
        BundleError
            If the file is missing, not an ``.npz``, of another format, lacks an array, or its arrays
            are inconsistent (the query kernels do not check bounds, so nothing unverified reaches them).
        """

        def build(record: NpzRecord) -> WalkIndex:
            values: dict[str, Any] = {name: record.integer(name) for name in _SCALARS}
            for name, dtype in _DTYPES.items():
                values[name] = record.array(name, dtype=dtype, ndim=1, exact=True)
            return cls(**values)

        return load_npz(path, what="walk index", file_format=INDEX_FORMAT, build=build)

    def check(self) -> None:
        """Verify every index the query kernels will follow is in range and consistent.

        Raises
        ------
        BundleError
            On any inconsistency: array lengths, CSR pointers, node or arc ids out of range, a shortcut
            whose children do not come before it, arcs filed under the wrong node, negative lengths.
        """
        problems = _problems(self)
        if problems:
            raise BundleError("inconsistent walk index: " + "; ".join(problems))


def _csr_problems(label: str, indptr: NDArray[np.int64], n: int, size: int) -> list[str]:
    if indptr.shape != (n + 1,) or int(indptr[0]) != 0 or int(indptr[-1]) != size:
        return [f"{label} pointers do not span its arcs"]
    if np.any(np.diff(indptr) < 0):
        return [f"{label} pointers decrease"]
    return []


def _problems(index: WalkIndex) -> list[str]:
    n, arcs = index.node_count, index.arc_count
    if index.rank.shape != (n,):
        return ["rank does not cover the nodes"]
    problems = _csr_problems("up", index.up_indptr, n, index.up_head.shape[0])
    problems += _csr_problems("down", index.down_indptr, n, index.down_tail.shape[0])
    if not index.up_head.shape == index.up_length_m.shape == index.up_arc.shape:
        problems.append("up arrays differ in length")
    if not index.down_tail.shape == index.down_length_m.shape == index.down_arc.shape:
        problems.append("down arrays differ in length")
    if not (
        index.arc_tail.shape == index.arc_head.shape == index.arc_first.shape == index.arc_second.shape
        and index.arc_edge.shape == index.arc_tail.shape
    ):
        problems.append("arc arrays differ in length")
    if problems:
        return problems
    for name in ("up_head", "down_tail", "arc_tail", "arc_head"):
        values = getattr(index, name)
        if values.size and (int(values.min()) < 0 or int(values.max()) >= n):
            problems.append(f"{name} outside the node range")
    for name in ("up_arc", "down_arc"):
        values = getattr(index, name)
        if values.size and (int(values.min()) < 0 or int(values.max()) >= arcs):
            problems.append(f"{name} outside the arc range")
    for name in ("up_length_m", "down_length_m"):
        values = getattr(index, name)
        if not np.all(np.isfinite(values)) or np.any(values < 0):
            problems.append(f"{name} has negative or non-finite lengths")
    if problems:
        return problems
    ids = np.arange(arcs)
    shortcut = index.arc_edge < 0
    if np.any(index.arc_edge >= index.edge_count):
        problems.append("arc_edge outside the edge range")
    for name in ("arc_first", "arc_second"):
        children = getattr(index, name)[shortcut]
        if np.any(children < 0) or np.any(children >= ids[shortcut]):
            problems.append(f"{name} of a shortcut does not come before it")
    up_tail = np.repeat(np.arange(n), np.diff(index.up_indptr))
    if np.any(index.arc_tail[index.up_arc] != up_tail) or np.any(index.arc_head[index.up_arc] != index.up_head):
        problems.append("up arcs filed under the wrong node")
    down_head = np.repeat(np.arange(n), np.diff(index.down_indptr))
    if np.any(index.arc_head[index.down_arc] != down_head) or np.any(index.arc_tail[index.down_arc] != index.down_tail):
        problems.append("down arcs filed under the wrong node")
    return problems


__all__ = ["INDEX_FORMAT", "WalkIndex", "graph_checksum"]
