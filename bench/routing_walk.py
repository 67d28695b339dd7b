"""Benchmark the walking router against networkx Dijkstra on the Hanoi bundle, in the same run.

Queries: ``pairs`` random pairs of distinct on-network catalogue places and ``pairs`` random pairs of
coordinates drawn uniformly in the bundle's bbox (kept when a street lies within the snap distance),
seeded. Ours: a full ``WalkRouter.route`` call per pair (validation, snapping both points, the
contraction-hierarchy search, unpacking and the journey with steps and geometry); ``path_between`` on the
same snapped points (the search and unpacking alone: what networkx does); ``route_nodes`` (length only,
node to node). Baseline: ``networkx.shortest_path(graph,
s, t, weight="length")`` (Dijkstra) on the same walk graph thawed to networkx, with each pair's two
snapped points spliced in as extra nodes, so both answer exactly the same question; networkx node to
node for the ``route_nodes`` comparison.

networkx takes around 0.1 s per query, so by default it runs on a seeded subset of ``nx_pairs`` pairs of
each kind (the output says so); every pair's length is still checked against scipy's compiled Dijkstra
on the same graph and splice. ``--nx-pairs all`` runs networkx on every pair (a few minutes).

Usage: ``python -m bench.routing_walk [--bundle DIR] [--pairs 1000] [--seed 0] [--nx-pairs 200|all] --json``.
Prints one JSON object.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable
from typing import Any

import networkx as nx
import numpy as np
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra

from bench.measure import (
    open_bundle,
    percentiles_ms,
    print_report,
    routing_arguments,
    saved_and_loaded,
)
from routing.build.contract import build_walk_index
from routing.bundle.load import CityBundle
from routing.errors import NoRouteError
from routing.graph.shortest import simple_csr
from routing.streets import DEFAULT_MAX_SNAP_M
from routing.walk import Anchor, WalkIndex, WalkRouter

TARGET_P50_MS = 2.0
TARGET_SPEEDUP = 50.0
TARGET_REL_DIFF = 1e-3
ROUTING_OPTIONS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("--pairs", {"type": int, "default": 1000}),
    ("--nx-pairs", {"default": "200", "help": "pairs of each kind sent to networkx, or 'all'"}),
)
"""The command-line options of the walking benchmark (and of ``bench.routing``, which runs it)."""

Pair = tuple[float, float, float, float]
"""from_lat, from_lon, to_lat, to_lon"""


def _prepare(bundle: CityBundle) -> tuple[WalkRouter, dict[str, Any]]:
    """Build the index (as the bundle build does), save and load it, build the router (as serving does)."""
    graph = bundle.walk
    build_walk_index(graph)  # the first call compiles the kernels (cached on disk afterwards)
    started = time.perf_counter()
    index = build_walk_index(graph)
    build_s = time.perf_counter() - started
    index, size_bytes, load_s = saved_and_loaded(index.save, WalkIndex.load, "walk_index.npz")
    started = time.perf_counter()
    router = WalkRouter(graph, index, bbox=bundle.manifest.bbox)
    router_s = time.perf_counter() - started
    return router, {
        "graph_nodes": graph.node_count,
        "graph_edges": graph.edge_count,
        "build_s": round(build_s, 3),
        "arcs": index.arc_count,
        "shortcuts": index.shortcut_count,
        "npz_bytes": size_bytes,
        "load_s": round(load_s, 4),
        "router_init_s": round(router_s, 3),
    }


def _place_points(bundle: CityBundle, pairs: int, rng: np.random.Generator) -> list[Pair]:
    places = [p for p in bundle.places if not bundle.place_access[str(p["id"])]["off_network"]]
    result: list[Pair] = []
    while len(result) < pairs:
        i, j = rng.integers(0, len(places), 2)
        if i != j:
            a, b = places[int(i)], places[int(j)]
            result.append((float(a["lat"]), float(a["lon"]), float(b["lat"]), float(b["lon"])))
    return result


def _coordinate_points(router: WalkRouter, bbox: tuple[float, ...], pairs: int, rng: np.random.Generator) -> list[Pair]:
    """Uniform points in the bbox with a street within the snap distance, paired in draw order."""
    south, west, north, east = bbox
    kept: list[tuple[float, float]] = []
    while len(kept) < 2 * pairs:
        lat = rng.uniform(south, north, 4096)
        lon = rng.uniform(west, east, 4096)
        on_network = router.snapper.snap(lat, lon, max_distance_m=DEFAULT_MAX_SNAP_M).on_network
        kept.extend(zip(lat[on_network].tolist(), lon[on_network].tolist(), strict=True))
    return [(kept[2 * i][0], kept[2 * i][1], kept[2 * i + 1][0], kept[2 * i + 1][1]) for i in range(pairs)]


class _Spliced:
    """The walk graph in networkx with a pair's two snapped points spliced in as nodes ``s`` and ``t``."""

    def __init__(self, router: WalkRouter) -> None:
        self.graph = router.graph.to_networkx()
        self.osmid = router.graph.node_osmid
        self.tail = router.graph.tail()

    def links(self, start: Anchor, end: Anchor) -> list[tuple[Any, Any, float]]:
        osmid = self.osmid
        links: list[tuple[Any, Any, float]] = []
        for node, offset in zip(*start.leave(), strict=True):
            links.append(("s", int(osmid[node]), float(offset)))
        for node, offset in zip(*end.arrive(), strict=True):
            links.append((int(osmid[node]), "t", float(offset)))
        if start.edge == end.edge:
            if end.fraction >= start.fraction:
                links.append(("s", "t", (end.fraction - start.fraction) * start.length_m))
            elif start.reverse >= 0:
                links.append(("s", "t", (start.fraction - end.fraction) * start.reverse_length_m))
        return links

    def shortest(self, start: Anchor, end: Anchor) -> tuple[float, float]:
        """networkx's answer (length, seconds taken by ``shortest_path``) for the pair."""
        links = self.links(start, end)
        self.graph.add_edges_from((u, v, {"length": length}) for u, v, length in links)
        try:
            started = time.perf_counter()
            try:
                path = nx.shortest_path(self.graph, "s", "t", weight="length")
            except nx.NetworkXNoPath:
                return math.inf, time.perf_counter() - started
            elapsed = time.perf_counter() - started
            return float(nx.path_weight(self.graph, path, "length")), elapsed
        finally:
            self.graph.remove_nodes_from(["s", "t"])


def _scipy_lengths(router: WalkRouter, anchors: list[tuple[Anchor, Anchor]]) -> NDArray[np.float64]:
    """Every pair's length with scipy's Dijkstra from each source node, combined with the offsets."""
    matrix = simple_csr(router.graph)
    result = np.full(len(anchors), np.inf)
    for chunk in range(0, len(anchors), 128):
        batch = anchors[chunk : chunk + 128]
        sources = sorted({int(node) for start, _ in batch for node in start.leave()[0]})
        row = {node: i for i, node in enumerate(sources)}
        distances = dijkstra(matrix, directed=True, indices=sources)
        for k, (start, end) in enumerate(batch):
            best = math.inf
            for s, s_offset in zip(*start.leave(), strict=True):
                for t, t_offset in zip(*end.arrive(), strict=True):
                    best = min(best, float(s_offset + distances[row[int(s)], int(t)] + t_offset))
            if start.edge == end.edge:
                if end.fraction >= start.fraction:
                    best = min(best, (end.fraction - start.fraction) * start.length_m)
                elif start.reverse >= 0:
                    best = min(best, (start.fraction - end.fraction) * start.reverse_length_m)
            result[chunk + k] = best
    return result


def _relative_difference(ours: NDArray[np.float64], reference: NDArray[np.float64]) -> tuple[float, int]:
    """Largest relative length difference where both are finite, and how many pairs disagree on reachability."""
    both = np.isfinite(ours) & np.isfinite(reference)
    mismatched = int(np.count_nonzero(np.isfinite(ours) != np.isfinite(reference)))
    if not both.any():
        return 0.0, mismatched
    difference = np.abs(ours[both] - reference[both]) / np.maximum(reference[both], 1.0)
    return float(difference.max()), mismatched


def _run_kind(
    router: WalkRouter, spliced: _Spliced, points: list[Pair], nx_subset: NDArray[np.int64]
) -> dict[str, Any]:
    route_ms: list[float] = []
    ours = np.full(len(points), np.inf)
    for i, (from_lat, from_lon, to_lat, to_lon) in enumerate(points):
        started = time.perf_counter()
        with contextlib.suppress(NoRouteError):
            ours[i] = router.route(from_lat, from_lon, to_lat, to_lon).length_m
        route_ms.append((time.perf_counter() - started) * 1000.0)
    anchors = [router.anchor_pair(*p) for p in points]
    search_ms: list[float] = []
    for start, end in anchors:
        started = time.perf_counter()
        with contextlib.suppress(NoRouteError):
            router.path_between(start, end)
        search_ms.append((time.perf_counter() - started) * 1000.0)
    nodes = [(int(start.head), int(end.tail)) for start, end in anchors]
    nodes_ms: list[float] = []
    ours_nodes = np.empty(len(points))
    for i, (s, t) in enumerate(nodes):
        started = time.perf_counter()
        ours_nodes[i] = router.route_nodes(s, t)
        nodes_ms.append((time.perf_counter() - started) * 1000.0)
    scipy_lengths = _scipy_lengths(router, anchors)
    nx_ms: list[float] = []
    nx_nodes_ms: list[float] = []
    nx_lengths = np.empty(nx_subset.size)
    nx_nodes = np.empty(nx_subset.size)
    osmid = router.graph.node_osmid
    for k, i in enumerate(nx_subset.tolist()):
        nx_lengths[k], elapsed = spliced.shortest(*anchors[i])
        nx_ms.append(elapsed * 1000.0)
        s, t = nodes[i]
        started = time.perf_counter()
        try:
            path = nx.shortest_path(spliced.graph, int(osmid[s]), int(osmid[t]), weight="length")
            nx_nodes_ms.append((time.perf_counter() - started) * 1000.0)
            nx_nodes[k] = nx.path_weight(spliced.graph, path, "length")
        except nx.NetworkXNoPath:
            nx_nodes_ms.append((time.perf_counter() - started) * 1000.0)
            nx_nodes[k] = math.inf
    diff_nx, mismatch_nx = _relative_difference(ours[nx_subset], nx_lengths)
    diff_nodes, mismatch_nodes = _relative_difference(ours_nodes[nx_subset], nx_nodes)
    diff_scipy, mismatch_scipy = _relative_difference(ours, scipy_lengths)
    ours_stats, search_stats, nodes_stats = (
        percentiles_ms(route_ms),
        percentiles_ms(search_ms),
        percentiles_ms(nodes_ms),
    )
    nx_stats, nx_nodes_stats = percentiles_ms(nx_ms), percentiles_ms(nx_nodes_ms)
    return {
        "pairs": len(points),
        "routed": int(np.isfinite(ours).sum()),
        "no_route": int(np.isinf(ours).sum()),
        "ours_route": ours_stats,
        "ours_path_between": search_stats,
        "ours_route_nodes": nodes_stats,
        "networkx_pairs": int(nx_subset.size),
        "networkx_shortest_path": nx_stats,
        "networkx_shortest_path_nodes": nx_nodes_stats,
        "speedup_p50_search": round(nx_stats["p50_ms"] / search_stats["p50_ms"], 1),
        "speedup_p50_route": round(nx_stats["p50_ms"] / ours_stats["p50_ms"], 1),
        "speedup_p50_nodes": round(nx_nodes_stats["p50_ms"] / nodes_stats["p50_ms"], 1),
        "max_rel_length_diff_vs_networkx": diff_nx,
        "max_rel_length_diff_vs_networkx_nodes": diff_nodes,
        "max_rel_length_diff_vs_scipy_all_pairs": diff_scipy,
        "reachability_mismatches": mismatch_nx + mismatch_nodes + mismatch_scipy,
        "_route_ms": route_ms,
        "_search_ms": search_ms,
        "_nx_ms": nx_ms,
    }


def bench_walk(bundle: CityBundle, pairs: int = 1000, seed: int = 0, *, nx_pairs: int | None = 200) -> dict[str, Any]:
    """Time the walking router and networkx on the same pairs; check lengths; return a JSON-ready dict.

    ``nx_pairs`` pairs of each kind (a seeded subset) go to networkx; ``None`` sends every pair.
    """
    router, index_report = _prepare(bundle)
    rng = np.random.default_rng(seed)
    kinds = {
        "place_pairs": _place_points(bundle, pairs, rng),
        "coordinate_pairs": _coordinate_points(router, bundle.manifest.bbox, pairs, rng),
    }
    router.route(*kinds["place_pairs"][0])  # warm up: compile or load the kernels, build lazy indexes
    spliced = _Spliced(router)
    report: dict[str, Any] = {"index": index_report}
    all_route_ms: list[float] = []
    all_search_ms: list[float] = []
    all_nx_ms: list[float] = []
    for name, points in kinds.items():
        subset = np.arange(len(points)) if nx_pairs is None or nx_pairs >= len(points) else None
        if subset is None:
            subset = np.sort(np.random.default_rng(seed + 1).choice(len(points), size=nx_pairs, replace=False))
        result = _run_kind(router, spliced, points, subset)
        all_route_ms += result.pop("_route_ms")
        all_search_ms += result.pop("_search_ms")
        all_nx_ms += result.pop("_nx_ms")
        report[name] = result
    route, search, baseline = percentiles_ms(all_route_ms), percentiles_ms(all_search_ms), percentiles_ms(all_nx_ms)
    max_diff = max(
        max(report[k]["max_rel_length_diff_vs_networkx"], report[k]["max_rel_length_diff_vs_scipy_all_pairs"])
        for k in kinds
    )
    speedup_search = baseline["p50_ms"] / search["p50_ms"]
    speedup_route = baseline["p50_ms"] / route["p50_ms"]
    report["overall"] = {
        "queries": len(all_route_ms),
        "ours_route": route,
        "ours_path_between": search,
        "networkx_shortest_path": baseline,
        "speedup_p50_search": round(speedup_search, 1),
        "speedup_p50_route": round(speedup_route, 1),
        "max_rel_length_diff": max_diff,
        "targets_met": {
            f"route p50 <= {TARGET_P50_MS:g} ms": route["p50_ms"] <= TARGET_P50_MS,
            f"search speedup >= {TARGET_SPEEDUP:g}x": speedup_search >= TARGET_SPEEDUP,
            f"route speedup >= {TARGET_SPEEDUP:g}x": speedup_route >= TARGET_SPEEDUP,
            "lengths within 0.1 %": max_diff <= TARGET_REL_DIFF
            and all(report[k]["reachability_mismatches"] == 0 for k in kinds),
        },
    }
    report["notes"] = (
        "route = WalkRouter.route (validate, snap both points, CH search, unpack, journey with steps and geometry); "
        "path_between = the search alone between the two snapped points (CH search and unpacking into edges), "
        "the same work as networkx = shortest_path(weight='length') on the thawed walk graph with the two "
        "snapped points spliced in; route_nodes = length only, node to node, against networkx node to node. "
        + (
            "networkx ran on every pair."
            if nx_pairs is None or nx_pairs >= pairs
            else f"networkx ran on a seeded subset of {nx_pairs} pairs of each kind (about 0.1 s a query); "
            "all pairs' lengths were checked against scipy's Dijkstra on the same graph and splice."
        )
    )
    return report


def run_command_line(doc: str | None, bench: Callable[..., Any]) -> None:
    """Run ``bench`` (this walk benchmark, or ``bench.routing``'s whole one) with the command line's options."""
    args = routing_arguments(doc, *ROUTING_OPTIONS)
    nx_pairs = None if args.nx_pairs == "all" else int(args.nx_pairs)
    print_report(bench(open_bundle(args.bundle), pairs=args.pairs, seed=args.seed, nx_pairs=nx_pairs))


def main() -> None:
    run_command_line(__doc__, bench_walk)


if __name__ == "__main__":
    main()
