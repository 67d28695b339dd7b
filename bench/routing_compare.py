"""Walk and bus query figures of this tree against an earlier commit, in one run, on the same bundle and pairs.

Each side runs ``bench.routing_walk.bench_walk`` and ``bench.routing_bus.bench_bus`` in its own child process
(the baseline from a temporary ``git worktree`` of ``--base``), alternating ``--rounds`` times so that a slower
stretch of a shared machine falls on both; the report gives each round and the ratio of the medians
(this tree / baseline) of the walk and bus query p50 and p95.

Usage: ``python -m bench.routing_compare --base REV [--bundle DIR] [--pairs 1000] [--rounds 2] --json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path
from typing import Any

from bench.measure import ROOT, baseline_run, bundle_argument, git, run_measured

CHILD = """
import json, sys
from pathlib import Path
from bench.measure import open_bundle
from bench.routing_bus import bench_bus
from bench.routing_walk import bench_walk
bundle = open_bundle(Path(sys.argv[1]) if sys.argv[1] else None)
pairs = int(sys.argv[2])
print(json.dumps({
    "walk": bench_walk(bundle, pairs=pairs, seed=0, nx_pairs=10),
    "bus": bench_bus(bundle, pairs=pairs, seed=0),
}))
"""
FIGURES = {
    "walk_route": ("walk", "overall", "ours_route"),
    "walk_search": ("walk", "overall", "ours_path_between"),
    "bus_cold_cache": ("bus", "query", "cold_cache"),
    "bus_warm_cache": ("bus", "query", "warm_cache"),
    "bus_search_only": ("bus", "query", "search_only"),
}
"""Where each compared figure sits in the children's JSON (percentile dictionaries)."""


def _figure(result: dict[str, Any], path: tuple[str, ...]) -> dict[str, float]:
    node: Any = result
    for key in path:
        node = node[key]
    return {"p50_ms": float(node["p50_ms"]), "p95_ms": float(node["p95_ms"])}


def compare(base: str, bundle: Path | None, *, pairs: int, rounds: int) -> dict[str, Any]:
    """Run both sides ``rounds`` times (baseline first) and compare the medians of their figures."""
    args = ["-c", CHILD, str(bundle or ""), str(pairs)]
    runs: dict[str, list[dict[str, dict[str, float]]]] = {"baseline": [], "this_tree": []}
    for _ in range(rounds):
        _, _, measured = baseline_run(base, args)
        runs["baseline"].append({name: _figure(json.loads(measured.stdout), p) for name, p in FIGURES.items()})
        current = run_measured(args, env={"PYTHONPATH": str(ROOT)})
        runs["this_tree"].append({name: _figure(json.loads(current.stdout), p) for name, p in FIGURES.items()})
    ratios: dict[str, dict[str, float]] = {}
    for name in FIGURES:
        ratios[name] = {}
        for stat in ("p50_ms", "p95_ms"):
            ours = statistics.median(run[name][stat] for run in runs["this_tree"])
            theirs = statistics.median(run[name][stat] for run in runs["baseline"])
            ratios[name][stat] = round(ours / theirs, 3) if theirs else float("nan")
    return {
        "bench": "routing_compare",
        "base": git("rev-parse", "--short", f"{base}^{{commit}}"),
        "this_tree": git("rev-parse", "--short", "HEAD"),
        "pairs": pairs,
        "rounds": runs,
        "ratio_this_over_base": ratios,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    bundle_argument(parser)
    parser.add_argument("--base", required=True, help="the commit to compare against")
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    print(json.dumps(compare(args.base, args.bundle, pairs=args.pairs, rounds=args.rounds), indent=2))


if __name__ == "__main__":
    main()
