"""Benchmark `heritage build` and bundle loading on the shipped extract and on 5x / 20x synthetic tilings.

Baselines, measured in the same run on the shipped extract:
- build: osmnx's own route for a local file, ``osmnx.graph_from_xml`` on the same data converted to XML
  (it reads XML only, and builds one graph where our build makes two plus the bus network);
- load: ``osmnx.load_graphml`` of the same walk graph, the usual way to persist an osmnx graph.

Usage: ``python -m bench.build [--sizes 1,5,20] [--json]``. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
from pathlib import Path
from typing import Any

from bench.measure import ROOT, run_measured
from bench.synthetic import tile_extract

SHIPPED = ROOT / "data" / "osm" / "hanoi-merged-2025.osm.pbf"
CACHE = ROOT / "bench" / "out"
LOAD_REPEATS = 3

_LOAD_SNIPPET = """
import sys, time
from pathlib import Path
start = time.perf_counter()
from recommender.city import load_city
imported = time.perf_counter()
load_city(Path(sys.argv[1]))
print(time.perf_counter() - imported)
"""

_GRAPHML_SNIPPET = """
import sys, time
import osmnx as ox
start = time.perf_counter()
ox.load_graphml(sys.argv[1])
print(time.perf_counter() - start)
"""

_XML_BASELINE_SNIPPET = """
import sys, time
import osmnx as ox
start = time.perf_counter()
graph = ox.graph_from_xml(sys.argv[1], bidirectional=True, retain_all=True, simplify=True)
print(time.perf_counter() - start)
"""

_SAVE_GRAPHML_SNIPPET = """
import sys
from pathlib import Path
import osmnx as ox
from routing.graph.frozen import FrozenGraph
graph = FrozenGraph.load(Path(sys.argv[1])).to_networkx()
graph.graph["crs"] = "epsg:4326"
ox.save_graphml(graph, sys.argv[2])
"""


def synthetic_input(copies: int) -> Path:
    """The shipped extract tiled ``copies`` times (cached under bench/out)."""
    if copies == 1:
        return SHIPPED
    CACHE.mkdir(parents=True, exist_ok=True)
    target = CACHE / f"hanoi-x{copies}.osm.pbf"
    if not target.exists():
        tile_extract(SHIPPED, target, copies)
    return target


def measure_build(osm: Path, out: Path) -> dict[str, Any]:
    """Build from scratch (``--force``) and load the result a few times."""
    build = run_measured(["-m", "cli.main", "build", "--osm", str(osm), "--out", str(out), "--force", "--json"])
    summary = json.loads(build.stdout)
    bundle = Path(summary["path"])
    loads = [float(run_measured(["-c", _LOAD_SNIPPET, str(bundle)]).stdout) for _ in range(LOAD_REPEATS)]
    size_mib = sum(p.stat().st_size for p in bundle.iterdir()) / 2**20
    return {
        "input": osm.name,
        "input_mib": round(osm.stat().st_size / 2**20, 1),
        "walk_nodes": summary["walk_graph"]["nodes"],
        "walk_edges": summary["walk_graph"]["edges"],
        "drive_edges": summary["drive_graph"]["edges"],
        "build_s": round(build.wall_s, 2),
        "build_peak_rss_mib": round(build.peak_rss_mib),
        "bundle_mib": round(size_mib, 1),
        "load_s_median": round(statistics.median(loads), 3),
        "bundle": bundle,
    }


def measure_baselines(walk_graph: Path, work: Path) -> dict[str, Any]:
    """osmnx's XML build of the shipped extract, and osmnx's GraphML load of the same walk graph."""
    xml = work / "hanoi.osm"
    run_measured(
        [
            "-c",
            "import osmium, sys\n"
            "with osmium.SimpleWriter(sys.argv[2]) as w:\n"
            "    for o in osmium.FileProcessor(sys.argv[1]):\n"
            "        w.add(o)\n",
            str(SHIPPED),
            str(xml),
        ]
    )
    xml_build = run_measured(["-c", _XML_BASELINE_SNIPPET, str(xml)])
    graphml = work / "walk.graphml"
    run_measured(["-c", _SAVE_GRAPHML_SNIPPET, str(walk_graph), str(graphml)])
    loads = [float(run_measured(["-c", _GRAPHML_SNIPPET, str(graphml)]).stdout) for _ in range(LOAD_REPEATS)]
    return {
        "osmnx_graph_from_xml_s": round(xml_build.wall_s, 2),
        "osmnx_graph_from_xml_peak_rss_mib": round(xml_build.peak_rss_mib),
        "osmnx_load_graphml_s_median": round(statistics.median(loads), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1,5,20", help="tiling factors to measure (1 = the shipped extract)")
    parser.add_argument("--json", action="store_true", help="accepted for symmetry; output is always JSON")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    work = Path(tempfile.mkdtemp(prefix="bench-build-"))
    try:
        runs = []
        for copies in sizes:
            run = measure_build(synthetic_input(copies), work / f"x{copies}")
            run["copies"] = copies
            runs.append(run)
        result: dict[str, Any] = {"runs": [{k: v for k, v in r.items() if k != "bundle"} for r in runs]}
        first = runs[0]
        if first["copies"] == 1:
            baseline = measure_baselines(first["bundle"] / "walk_graph.npz", work)
            result["baseline"] = baseline
            result["ratios"] = {
                "xml_build_over_our_build": round(baseline["osmnx_graph_from_xml_s"] / first["build_s"], 2),
                "graphml_load_over_bundle_load": round(
                    baseline["osmnx_load_graphml_s_median"] / first["load_s_median"], 2
                ),
            }
            for run in runs[1:]:
                run_growth = run["build_s"] / first["build_s"]
                result.setdefault("growth", []).append(
                    {
                        "copies": run["copies"],
                        "build_time_ratio": round(run_growth, 2),
                        "peak_rss_ratio": round(run["build_peak_rss_mib"] / first["build_peak_rss_mib"], 2),
                    }
                )
        print(json.dumps(result, indent=2))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
