"""Walk and bus query speed on the default bundle against a networkx baseline, in one run.

``heritage bench routing --json`` (or ``python -m bench.routing --json``) prints one JSON object: walking
p50/p95 per query for 1,000 random place pairs and 1,000 random coordinate pairs against
``networkx.shortest_path`` (Dijkstra, weight = length) on the same graph and pairs, the length agreement,
bus p50/p95, the place-matrix figures when the matrix module is present, and the resident memory.
"""

from __future__ import annotations

from typing import Any

import psutil

from bench.routing_bus import bench_bus
from bench.routing_walk import bench_walk, run_command_line
from routing.bundle.load import CityBundle


def bench_routing(
    bundle: CityBundle, *, pairs: int = 1000, seed: int = 0, nx_pairs: int | None = 200
) -> dict[str, Any]:
    """Every routing figure the issue asks for, measured in this process."""
    result: dict[str, Any] = {"bundle": bundle.name, "pairs": pairs, "seed": seed}
    result["walk"] = bench_walk(bundle, pairs=pairs, seed=seed, nx_pairs=nx_pairs)
    result["bus"] = bench_bus(bundle, pairs=pairs, seed=seed)
    try:
        from bench.routing_matrix import bench_matrix
    except ImportError:  # the matrix module lands separately
        result["matrix"] = None
    else:
        result["matrix"] = bench_matrix(bundle)
    result["resident_memory_mib"] = round(psutil.Process().memory_info().rss / 2**20, 1)
    return result


def main() -> None:
    run_command_line(__doc__, bench_routing)


if __name__ == "__main__":
    main()
