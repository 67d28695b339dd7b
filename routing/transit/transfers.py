"""Foot transfers between nearby bus stops, computed once when the bundle is built.

A transfer is a walk from one stop to another within ``max_transfer_m`` (400 m by default: a few minutes, what a
rider accepts to change buses). Between two stops on the walk network the length is the shortest walk: the stop's
snap distance and the part of its street edge to the edge's end node the stop was snapped to, the graph path
between the two nodes (scipy's Dijkstra from every snapped node, stopped at ``max_transfer_m``), and the same at
the other end; never less than the straight line. Stops are anchored to the walk graph's main strongly connected
component (:mod:`routing.streets.walknet`). When either stop lies off the walk network (outside the
extract, or farther from a street than the build's snap limit) the length is the straight line times
``detour_factor`` (1.3, a typical urban walk / straight-line ratio) and the transfer is flagged ``estimated``.

Transfers are directed (the walk graph has one-way footpaths) and sorted by target stop, then source stop, which is
the order the search relaxes them in. Walk times are whole seconds, rounded up.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from routing.bundle.npz import NpzRecord, load_npz, save_npz
from routing.errors import BundleError, RoutingError
from routing.geo import LocalProjection, haversine_m
from routing.graph.frozen import FrozenGraph
from routing.streets import DEFAULT_MAX_SNAP_M, DEFAULT_WALK_SPEED_MPS
from routing.streets.walknet import WalkNetwork
from routing.transit.model import BusNetwork

TRANSFERS_FORMAT = 1
DETOUR_FACTOR = 1.3
"""Walk / straight-line ratio for transfers involving a stop off the walk network."""
_SOURCES_PER_BATCH = 128


@dataclass(frozen=True, eq=False)
class Transfers:
    """Directed foot paths between stops (indexes in the order of ``BusNetwork.stops``).

    Attributes
    ----------
    stop_ids
        The network's stop ids, in index order.
    from_stop, to_stop
        ``(transfers,)`` stop indexes, sorted by ``to_stop`` then ``from_stop``.
    length_m
        Walking distance.
    walk_s
        Walking time in whole seconds (rounded up) at ``speed_mps``.
    estimated
        True when the length is the straight line times the detour factor (a stop off the walk network).
    max_transfer_m, speed_mps
        The settings the transfers were built with.
    """

    stop_ids: tuple[str, ...]
    from_stop: NDArray[np.int64]
    to_stop: NDArray[np.int64]
    length_m: NDArray[np.float64]
    walk_s: NDArray[np.int64]
    estimated: NDArray[np.bool_]
    max_transfer_m: float
    speed_mps: float

    @property
    def count(self) -> int:
        """Number of directed transfers."""
        return int(self.from_stop.shape[0])

    def summary(self) -> dict[str, float | int]:
        """Counts and lengths for reports."""
        return {
            "transfers": self.count,
            "estimated": int(self.estimated.sum()),
            "stops_with_transfers": int(np.unique(self.from_stop).size),
            "median_length_m": round(float(np.median(self.length_m)), 1) if self.count else 0.0,
            "max_transfer_m": self.max_transfer_m,
            "speed_mps": self.speed_mps,
        }

    def save(self, path: Path) -> None:
        """Write to one uncompressed ``.npz`` (no pickles)."""
        arrays = {
            "stop_ids": np.asarray(self.stop_ids, dtype=np.str_),
            "from_stop": self.from_stop,
            "to_stop": self.to_stop,
            "length_m": self.length_m,
            "walk_s": self.walk_s,
            "estimated": self.estimated,
            "settings": np.asarray([self.max_transfer_m, self.speed_mps], dtype=np.float64),
        }
        save_npz(path, arrays, file_format=TRANSFERS_FORMAT)

    @classmethod
    def load(cls, path: Path) -> Transfers:
        """Read transfers written by :meth:`save`; a bad file raises BundleError naming it."""

        def build(record: NpzRecord) -> Transfers:
            settings = record.array("settings", dtype=np.float64, ndim=1)
            return cls(
                stop_ids=record.strings("stop_ids"),
                from_stop=record.array("from_stop", dtype=np.int64),
                to_stop=record.array("to_stop", dtype=np.int64),
                length_m=record.array("length_m", dtype=np.float64),
                walk_s=record.array("walk_s", dtype=np.int64),
                estimated=record.array("estimated", dtype=np.bool_),
                max_transfer_m=float(settings[0]),
                speed_mps=float(settings[1]),
            )

        return load_npz(path, what="transfers", file_format=TRANSFERS_FORMAT, build=build)

    def check(self) -> None:
        """Verify the arrays are consistent.

        Raises
        ------
        BundleError
            If the arrays differ in length, a stop index is out of range, a transfer loops on its stop, a walk is
            negative, or the order is not (to_stop, from_stop).
        """
        n = self.count
        problems = []
        shapes = {a.shape for a in (self.to_stop, self.length_m, self.walk_s, self.estimated)}
        if shapes != {(n,)}:
            problems.append("transfer arrays differ in length")
        elif n:
            stops = len(self.stop_ids)
            ends = np.concatenate((self.from_stop, self.to_stop))
            if int(ends.min()) < 0 or int(ends.max()) >= stops:
                problems.append("a stop index is out of range")
            if np.any(self.from_stop == self.to_stop):
                problems.append("a transfer starts and ends at the same stop")
            if np.any(self.walk_s < 0) or not np.all(np.isfinite(self.length_m)) or np.any(self.length_m < 0):
                problems.append("a transfer has a negative or non-finite length or time")
            key = self.to_stop * max(stops, 1) + self.from_stop
            if np.any(np.diff(key) <= 0):
                problems.append("transfers are not sorted by (to_stop, from_stop) or repeat a pair")
        if problems:
            raise BundleError("inconsistent transfers: " + "; ".join(problems))


def build_transfers(
    bus: BusNetwork,
    walk: FrozenGraph,
    stop_access: Mapping[str, Mapping[str, Any]],
    *,
    max_transfer_m: float = 400.0,
    speed_mps: float = DEFAULT_WALK_SPEED_MPS,
    detour_factor: float = DETOUR_FACTOR,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    network: WalkNetwork | None = None,
) -> Transfers:
    """Foot paths between every pair of stops within ``max_transfer_m`` (see the module docstring).

    Parameters
    ----------
    bus
        The bus network (its stops, in index order).
    walk
        The walk graph the stops were snapped to.
    stop_access
        The bundle's per-stop access records (``off_network``, ``node``, ``edge``, ``fraction``,
        ``snap_distance_m``).
    max_transfer_m
        Longest transfer walk.
    speed_mps
        Walking speed.
    detour_factor
        Walk / straight-line ratio for stops off the walk network.
    max_snap_m
        Snap limit for stops re-snapped off an island of the walk graph (see :mod:`routing.streets.walknet`).
    network
        The walk graph already prepared (saves the preparation when the caller has one).

    Returns
    -------
    Transfers

    Raises
    ------
    RoutingError
        If a setting is not a positive finite number.
    BundleError
        If a stop lacks an access record or the record does not fit the walk graph.
    """
    for name, value in (("max_transfer_m", max_transfer_m), ("speed_mps", speed_mps), ("detour_factor", detour_factor)):
        if not math.isfinite(value) or value <= 0:
            raise RoutingError(f"{name} must be a finite number > 0, got {value}")
    stop_ids = tuple(stop.stop_id for stop in bus.stops)
    lat = np.asarray([stop.lat for stop in bus.stops], dtype=np.float64)
    lon = np.asarray([stop.lon for stop in bus.stops], dtype=np.float64)
    network = network or WalkNetwork(walk)
    anchor = network.stop_anchors(stop_ids, lat, lon, stop_access, max_snap_m=max_snap_m)
    node = anchor.node

    on_src, on_dst, on_length = _network_pairs(network.matrix, node, anchor.offset_m, max_transfer_m)
    straight = haversine_m(lat[on_src], lon[on_src], lat[on_dst], lon[on_dst])
    on_length = np.maximum(on_length, straight)

    off_src, off_dst, off_length = _estimated_pairs(lat, lon, node < 0, max_transfer_m, detour_factor)

    from_stop = np.concatenate((on_src, off_src))
    to_stop = np.concatenate((on_dst, off_dst))
    length_m = np.concatenate((on_length, off_length))
    estimated = np.concatenate((np.zeros(on_src.size, dtype=bool), np.ones(off_src.size, dtype=bool)))
    order = np.lexsort((from_stop, to_stop))
    length_m = np.round(length_m[order], 1)
    transfers = Transfers(
        stop_ids=stop_ids,
        from_stop=from_stop[order],
        to_stop=to_stop[order],
        length_m=length_m,
        walk_s=np.ceil(length_m / speed_mps).astype(np.int64),
        estimated=estimated[order],
        max_transfer_m=float(max_transfer_m),
        speed_mps=float(speed_mps),
    )
    transfers.check()
    return transfers


def _network_pairs(
    matrix: csr_matrix, node: NDArray[np.int64], offset: NDArray[np.float64], max_transfer_m: float
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """Stop pairs both on the walk network within ``max_transfer_m`` along it."""
    on = np.flatnonzero(node >= 0)
    if on.size < 2:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.copy(), np.zeros(0, dtype=np.float64)
    sources, source_row = np.unique(node[on], return_inverse=True)
    target_nodes = node[on]
    src_parts: list[NDArray[np.int64]] = []
    dst_parts: list[NDArray[np.int64]] = []
    length_parts: list[NDArray[np.float64]] = []
    for start in range(0, sources.size, _SOURCES_PER_BATCH):
        batch = sources[start : start + _SOURCES_PER_BATCH]
        distance = dijkstra(matrix, directed=True, indices=batch, limit=max_transfer_m)[:, target_nodes]
        # Rows of this batch's stops: each stop's source node row, its columns every on-network stop.
        in_batch = np.flatnonzero((source_row >= start) & (source_row < start + batch.size))
        total = offset[on[in_batch], None] + distance[source_row[in_batch] - start] + offset[None, on]
        rows, cols = np.nonzero(total <= max_transfer_m)
        src, dst = on[in_batch[rows]], on[cols]
        keep = src != dst
        src_parts.append(src[keep])
        dst_parts.append(dst[keep])
        length_parts.append(total[rows, cols][keep])
    return np.concatenate(src_parts), np.concatenate(dst_parts), np.concatenate(length_parts)


def _estimated_pairs(
    lat: NDArray[np.float64],
    lon: NDArray[np.float64],
    off_network: NDArray[np.bool_],
    max_transfer_m: float,
    detour_factor: float,
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """Stop pairs with at least one stop off the walk network, straight line x detour within the limit."""
    empty = np.zeros(0, dtype=np.int64)
    if not off_network.any() or lat.size < 2:
        return empty, empty.copy(), np.zeros(0, dtype=np.float64)
    projection = LocalProjection(float(np.mean(lat)), float(np.mean(lon)))
    x, y = projection.forward(lat, lon)
    # The projection is approximate: search a little wider, then measure on the sphere.
    pairs = cKDTree(np.column_stack((x, y))).query_pairs(max_transfer_m / detour_factor * 1.02, output_type="ndarray")
    if pairs.size == 0:
        return empty, empty.copy(), np.zeros(0, dtype=np.float64)
    first, second = pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)
    keep = off_network[first] | off_network[second]
    first, second = first[keep], second[keep]
    length = haversine_m(lat[first], lon[first], lat[second], lon[second]) * detour_factor
    within = length <= max_transfer_m
    first, second, length = first[within], second[within], length[within]
    return (
        np.concatenate((first, second)),
        np.concatenate((second, first)),
        np.concatenate((length, length)),
    )
