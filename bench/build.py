"""Benchmark `heritage build` and bundle loading on the shipped extract and on 5x / 20x synthetic tilings.

Baselines, measured in the same run on the shipped extract:
- build: osmnx's own route for a local file, ``osmnx.graph_from_xml`` on the same data converted to XML
  (it reads XML only, and builds one graph where our build makes two plus the bus network);
- load: ``osmnx.load_graphml`` of the same walk graph, the usual way to persist an osmnx graph.

With ``--baseline REF`` it instead compares the current code with the code of commit ``REF`` on the shipped
extract, in the same run: each side builds from scratch (``--force``, a fresh temporary output directory) and
loads its own bundle in fresh processes, the two sides alternating for ``--repeat`` rounds (the first side
alternates too) so that the noise of a shared machine hits both. The baseline runs in a temporary git
worktree of ``REF`` with that commit's packages first on ``PYTHONPATH``, as :func:`bench.measure.baseline_run`
does, so it also reads that commit's transit data and catalogue; but one worktree serves the whole run, and
``--warmup`` untimed rounds come first, so that numba's kernel cache is warm on both sides (see
:func:`worktree`). Each build reports its stage times (the builder's progress stages, plus the time spent in
drive-graph distances between bus stops), and the JSON gives the ratios current / baseline of the medians:
build time, load time, bundle size and each stage.

Usage: ``python -m bench.build [--sizes 1,5,20] [--json]``, or
``python -m bench.build --baseline REF [--repeat 3] [--warmup 1] [--json]``. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.measure import ROOT, Measurement, git, run_measured
from bench.synthetic import tile_extract

SHIPPED = ROOT / "data" / "osm" / "hanoi-merged-2025.osm.pbf"
CACHE = ROOT / "bench" / "out"
LOAD_REPEATS = 3
DEFAULT_ROUNDS = 3
TOLERANCE = 0.10
"""Issue 12: build and load time stay within 10 % of the baseline's."""
OTHER_STAGE = "start-up, catalogue, input hashing, manifest (outside the stages)"
DRIVE_DISTANCES = "drive-graph distances between stops (within compiling the bus network)"

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


_STAGED_BUILD_SNIPPET = """
import json, sys, time
import numpy
import routing.build.bundle as builder
from cli.main import app

stages_file, args = sys.argv[1], sys.argv[2:]
marks = []
drive_s = [0.0]
drive_pairs = [0]
compile_into = builder._compile_into

def timed_compile(spec, directory, report):
    def record(stage, fraction):
        marks.append((stage, time.perf_counter()))
        report(stage, fraction)
    try:
        return compile_into(spec, directory, record)
    finally:
        marks.append(("end", time.perf_counter()))

builder._compile_into = timed_compile
road_distance_function = getattr(builder, "_road_distance_function", None)
if road_distance_function is not None:
    def timed_road_distance_function(*a, **k):
        start = time.perf_counter()
        function = road_distance_function(*a, **k)
        drive_s[0] += time.perf_counter() - start
        def leg_distance_m(*b, **l):
            start = time.perf_counter()
            drive_pairs[0] += numpy.asarray(b[0] if b else l["pairs"]).reshape(-1, 4).shape[0]
            try:
                return function(*b, **l)
            finally:
                drive_s[0] += time.perf_counter() - start
        return leg_distance_m
    builder._road_distance_function = timed_road_distance_function
try:
    app(["build", *args], standalone_mode=False)
finally:
    stages = {}
    for (stage, at), (_next, until) in zip(marks, marks[1:]):
        stages[stage] = stages.get(stage, 0.0) + until - at
    if road_distance_function is not None:
        stages["__drive_distances__"] = drive_s[0]
        stages["__drive_pairs__"] = drive_pairs[0]
    with open(stages_file, "w") as handle:
        json.dump(stages, handle)
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


def staged_build(out: Path, *, tree: Path | None = None) -> dict[str, Any]:
    """Build the shipped extract from scratch into the empty directory ``out`` with the current code, or with the
    code of the worktree ``tree``; then load the bundle ``LOAD_REPEATS`` times in fresh processes with that code.

    Returns build wall time, peak RSS, stage times (seconds by stage), bundle size and load times.
    """
    out.mkdir(parents=True)
    stages_file = out.parent / f"{out.name}-stages.json"
    build_args = ["--osm", str(SHIPPED), "--out", str(out), "--force", "--json", "--quiet"]
    # -P: the child's sys.path must not start with the current directory (this checkout), or a baseline child
    # would import the current packages instead of the worktree's.
    command = ["-P", "-c", _STAGED_BUILD_SNIPPET, str(stages_file), *build_args]
    build = _run(command, tree)
    bundle = Path(json.loads(build.stdout)["path"])
    if bundle.parent.resolve() != out.resolve():
        raise RuntimeError(f"the build wrote {bundle}, not under {out}: it did not really build")
    stages: dict[str, float] = json.loads(stages_file.read_text())
    if "__drive_distances__" in stages:
        stages[DRIVE_DISTANCES] = stages.pop("__drive_distances__")
    drive_pairs = stages.pop("__drive_pairs__", None)
    stages[OTHER_STAGE] = build.wall_s - sum(v for k, v in stages.items() if k != DRIVE_DISTANCES)
    loads = [float(_run(["-P", "-c", _LOAD_SNIPPET, str(bundle)], tree).stdout) for _ in range(LOAD_REPEATS)]
    return {
        "build_s": build.wall_s,
        "build_peak_rss_mib": build.peak_rss_mib,
        "stages_s": stages,
        "bundle_mib": sum(p.stat().st_size for p in bundle.iterdir()) / 2**20,
        "bundle_name": bundle.name,
        "drive_distance_pairs": drive_pairs,
        "load_s": loads,
    }


def _run(args: list[str], tree: Path | None) -> Measurement:
    """``python args...`` with the current code, or with the code of the worktree ``tree`` first on the path."""
    if tree is None:
        return run_measured(args)
    return run_measured(args, env={"PYTHONPATH": str(tree), "HERITAGE_BUNDLE_DIR": str(tree / "bundles")})


@contextmanager
def worktree(ref: str) -> Iterator[tuple[str, Path]]:
    """A temporary git worktree of ``ref`` for the whole comparison: (short commit, its path); removed afterwards.

    Unlike :func:`bench.measure.baseline_run`, which makes a fresh worktree for each run, this keeps one, so that
    numba's on-disk cache of compiled kernels (``cache=True``, kept in ``__pycache__`` beside the sources) is
    warm after the first build there, as it is in this checkout: a fresh worktree compiles every kernel inside the
    timed build (the contraction and the drive-graph distances, about +15 s on the shipped extract).
    """
    commit = git("rev-parse", "--short", f"{ref}^{{commit}}")
    tree = Path(tempfile.mkdtemp(prefix=f"baseline-{commit}-"))
    git("worktree", "add", "--detach", str(tree), commit)
    try:
        yield commit, tree
    finally:
        git("worktree", "remove", "--force", str(tree))


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _ratio(current: float, baseline: float) -> float | None:
    return round(current / baseline, 3) if baseline > 0 else None


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians over rounds of one side's :func:`staged_build` results (every load of every round pooled)."""
    stage_names = list(dict.fromkeys(name for run in runs for name in run["stages_s"]))
    return {
        "rounds": len(runs),
        "build_s_median": round(_median([run["build_s"] for run in runs]), 2),
        "build_s_all": [round(run["build_s"], 2) for run in runs],
        "build_peak_rss_mib_median": round(_median([run["build_peak_rss_mib"] for run in runs])),
        "load_s_median": round(_median([load for run in runs for load in run["load_s"]]), 3),
        "load_s_all": [round(load, 3) for run in runs for load in run["load_s"]],
        "bundle_mib": round(_median([run["bundle_mib"] for run in runs]), 2),
        "bundle_name": runs[-1]["bundle_name"] if runs else None,
        "drive_distance_pairs": runs[-1].get("drive_distance_pairs") if runs else None,
        "stages_s_median": {
            name: round(_median([run["stages_s"][name] for run in runs if name in run["stages_s"]]), 2)
            for name in stage_names
        },
    }


def compare(
    current: list[dict[str, Any]], baseline: list[dict[str, Any]], *, tolerance: float = TOLERANCE
) -> dict[str, Any]:
    """Ratios current / baseline of the medians, whether build and load are within ``tolerance``, and the stages.

    ``grown_stages`` lists the stages whose median grew by more than ``tolerance`` and by more than 0.2 s (the
    smaller ones are noise at this resolution), largest growth in seconds first; ``build_time_ratio_by_round``
    pairs the rounds in order, to show how much a single pair of builds varies. The ratios of the minimums are
    the least disturbed by other jobs on a shared machine (noise only ever adds time).
    """
    now, then = summarise(current), summarise(baseline)
    build_ratio = _ratio(_median([r["build_s"] for r in current]), _median([r["build_s"] for r in baseline]))
    load_ratio = _ratio(
        _median([load for r in current for load in r["load_s"]]),
        _median([load for r in baseline for load in r["load_s"]]),
    )
    stage_ratios = {}
    grown = []
    for name in dict.fromkeys([*now["stages_s_median"], *then["stages_s_median"]]):
        a, b = now["stages_s_median"].get(name), then["stages_s_median"].get(name)
        if a is None or b is None:
            stage_ratios[name] = {"current_s": a, "baseline_s": b, "ratio": None}
            continue
        stage_ratios[name] = {"current_s": a, "baseline_s": b, "ratio": _ratio(a, b)}
        if a - b > 0.2 and a > b * (1 + tolerance):
            grown.append((a - b, name))
    return {
        "current": now,
        "baseline": then,
        "build_time_ratio": build_ratio,
        "load_time_ratio": load_ratio,
        "bundle_size_ratio": _ratio(
            _median([r["bundle_mib"] for r in current]), _median([r["bundle_mib"] for r in baseline])
        ),
        "build_time_ratio_of_minimums": _ratio(min(r["build_s"] for r in current), min(r["build_s"] for r in baseline)),
        "load_time_ratio_of_minimums": _ratio(
            min(load for r in current for load in r["load_s"]), min(load for r in baseline for load in r["load_s"])
        ),
        "peak_rss_ratio": _ratio(now["build_peak_rss_mib_median"], then["build_peak_rss_mib_median"]),
        "build_within_tolerance": build_ratio is not None and build_ratio <= 1 + tolerance,
        "load_within_tolerance": load_ratio is not None and load_ratio <= 1 + tolerance,
        "tolerance": tolerance,
        "build_time_ratio_by_round": [
            _ratio(a["build_s"], b["build_s"]) for a, b in zip(current, baseline, strict=False)
        ],
        "stages": stage_ratios,
        "grown_stages": [name for _, name in sorted(grown, reverse=True)],
    }


def compare_with(ref: str, rounds: int, *, warmup: int = 1) -> dict[str, Any]:
    """Interleaved current / ``ref`` builds and loads of the shipped extract, ``rounds`` each; see :func:`compare`.

    ``warmup`` untimed rounds come first (both sides), so that both have their numba kernels cached on disk; their
    build times are reported as ``warmup_build_s``.
    """
    if rounds < 1:
        raise ValueError("--repeat must be at least 1")
    current: list[dict[str, Any]] = []
    baseline: list[dict[str, Any]] = []
    warm: dict[str, list[float]] = {"current": [], "baseline": []}
    work = Path(tempfile.mkdtemp(prefix="bench-build-baseline-"))
    try:
        with worktree(ref) as (commit, tree):
            for round_ in range(-warmup, rounds):
                sides: list[Path | None] = [None, tree] if round_ % 2 == 0 else [tree, None]
                for side in sides:
                    name = "current" if side is None else "baseline"
                    out = work / f"{name}-{round_ + warmup}"
                    run = staged_build(out, tree=side)
                    shutil.rmtree(out, ignore_errors=True)
                    if round_ < 0:
                        warm[name].append(round(run["build_s"], 2))
                    else:
                        (current if side is None else baseline).append(run)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {
        "input": SHIPPED.name,
        "current_commit": git("rev-parse", "--short", "HEAD"),
        "baseline_commit": commit,
        "rounds": rounds,
        "loads_per_round": LOAD_REPEATS,
        "warmup_build_s": warm,
        **compare(current, baseline),
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1,5,20", help="tiling factors to measure (1 = the shipped extract)")
    parser.add_argument(
        "--baseline",
        default=None,
        metavar="REF",
        help="compare build and load time with this git commit's code on the shipped extract (instead of --sizes)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=DEFAULT_ROUNDS,
        help=f"with --baseline: interleaved rounds, one build and {LOAD_REPEATS} loads per side each (default 3)",
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=1,
        help="with --baseline: untimed rounds first, to fill numba's caches (default 1)",
    )
    parser.add_argument("--json", action="store_true", help="accepted for symmetry; output is always JSON")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.warmup < 0:
        parser.error("--warmup must be at least 0")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.baseline:
        print(json.dumps(compare_with(args.baseline, args.repeat, warmup=args.warmup), indent=2))
        return
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
