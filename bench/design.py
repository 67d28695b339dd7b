"""Benchmark line design on the Hanoi bundle: design time, and the designed line's benefit against two others.

In one run, for each case of ``CASES`` (heritage/CI at 15 min with at most 6 buses, default search and loops only;
heritage/CI at 30 min with at most 4 buses; craft villages at 30 min with and without Bát Tràng named; cuisine at
15 min with at most 6 buses; six named places at 20 min):

* **designed**: :func:`routing.operators.design_line` (candidate lines scored before/after by RAPTOR, a local
  search for the best benefit per vehicle-hour under the fleet cap), timed ``--runs`` times (p50 reported);
* **current proposal**: the design code at ``--baseline`` (default: the commit this work started from), run in a
  subprocess from a ``git archive`` of that commit on ``PYTHONPATH``, its line handed over as GTFS;
* **nearest neighbour**, two readings of "the same sites in the order a person would draw them" (same loop or
  two-way kind, same headway, from the first stop to the nearest unvisited): the designed line's own stops
  (``same_stops``), and as many stops as the designed line has taken from the theme's most popular sites
  (``popular_sites``: what a person drawing by hand would pick; the fairer baseline, since choosing the stops
  is most of the design).

All three lines are measured by the same :func:`routing.operators.evaluate_line` (every ordered pair of the
theme's places, door to door, six departures over an hour), here, in this process.

Usage: ``python -m bench.design [--bundle DIR] [--runs 3] [--baseline COMMIT] [--case NAME ...] --json``. Prints
one JSON object.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.measure import bundle_argument, open_bundle
from routing.bundle.load import CityBundle
from routing.operators import (
    DesignedLine,
    DesignOptions,
    LineSchedule,
    Site,
    design_line,
    evaluate_line,
    line_metrics,
    nearest_neighbour_order,
    plan_stops,
)
from routing.operators.design import route_schedule
from routing.operators.gtfs import read_gtfs_line

BASELINE_COMMIT = "4f8241c97a34d146a7cbbdf333854a47f52ee864"
"""The commit issue 16's work started from: its ``design_line`` is the current proposal."""
ROOT = Path(__file__).resolve().parent.parent
HERITAGE_CI = ("heritage", "ci_centre")
CASES: dict[str, dict[str, Any]] = {
    "heritage_ci": {"interests": HERITAGE_CI, "place_ids": (), "headway_s": 900, "max_fleet": 6},
    "heritage_ci_loops_only": {
        "interests": HERITAGE_CI,
        "place_ids": (),
        "headway_s": 900,
        "max_fleet": 6,
        "kind": "loop",
    },
    "heritage_ci_30min": {"interests": HERITAGE_CI, "place_ids": (), "headway_s": 1800, "max_fleet": 4},
    "craft_villages_bat_trang": {
        "interests": ("craft_village",),
        "place_ids": ("bat-trang-ceramic-village",),
        "headway_s": 1800,
        "max_fleet": None,
    },
    "craft_villages": {"interests": ("craft_village",), "place_ids": (), "headway_s": 1800, "max_fleet": None},
    "cuisine": {"interests": ("cuisine",), "place_ids": (), "headway_s": 900, "max_fleet": 6},
    "given_places": {
        "interests": (),
        "place_ids": (
            "temple-of-literature",
            "hoa-lo-prison",
            "tran-quoc-pagoda",
            "long-bien-bridge",
            "ho-chi-minh-mausoleum",
            "hanoi-opera-house",
        ),
        "headway_s": 1200,
        "max_fleet": None,
    },
}
_BASELINE_SCRIPT = """
import sys, datetime
from pathlib import Path
from routing.bundle.load import load_bundle
from routing.operators import DesignOptions, Site, design_line
from routing.operators.gtfs import write_gtfs
bundle = load_bundle(Path(sys.argv[1]), verify_hashes=False)
sites = [Site.from_record(r) for r in bundle.places]
interests = tuple(filter(None, sys.argv[3].split(",")))
places = tuple(filter(None, sys.argv[4].split(",")))
line = design_line(bundle.drive, bundle.bus, sites, interests=interests, place_ids=places,
                   options=DesignOptions(headway_s=int(sys.argv[5])))
write_gtfs(line.schedule, Path(sys.argv[2]), start_date=datetime.date(2026, 1, 1))
"""


def _baseline_line(bundle: CityBundle, commit: str, case: dict[str, Any], workdir: Path) -> dict[str, Any]:
    """The current proposal: the code at ``commit`` designs the line in a subprocess; read back from its GTFS."""
    source = workdir / "source"
    if not source.exists():
        source.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", commit, "routing"], check=True, capture_output=True
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(source, filter="data")
    out = workdir / f"baseline-{case['headway_s']}-{'-'.join(case['interests'])}.zip"
    started = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            _BASELINE_SCRIPT,
            str(bundle.path),
            str(out),
            ",".join(case["interests"]),
            ",".join(case["place_ids"]),
            str(case["headway_s"]),
        ],
        cwd=source,  # the archived code first on sys.path, not this checkout's
        env={**os.environ, "PYTHONPATH": str(source)},
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        return {"error": result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "failed"}
    return {"schedule": read_gtfs_line(out), "time_s": elapsed}


def _nearest_neighbour(
    bundle: CityBundle, sites: list[Site], case: dict[str, Any], line: DesignedLine, *, popular: bool
) -> tuple[LineSchedule, Any]:
    """A line a person would draw, same kind and headway, nearest-neighbour order.

    ``popular=False``: the designed line's own stops. ``popular=True``: as many of the theme's candidate stops as
    the designed line has, the most popular first (explicit places kept), from the most popular one.
    """
    options = line.options
    plan = plan_stops(
        bundle.drive,
        bundle.bus,
        sites,
        interests=case["interests"],
        place_ids=case["place_ids"],
        options=DesignOptions(
            headway_s=options.headway_s, cluster_m=options.pool_cluster_m, pool_radius_m=options.pool_radius_m
        ),
        spread=False,
    )
    if popular:
        weight = {site.place_id: site.popularity for site in sites}
        ranked = sorted(range(len(plan.stops)), key=lambda i: (i not in plan.explicit, -plan.weight(i, weight), i))
        chosen = ranked[: len(line.schedule.stops)]
    else:
        index = {stop.stop_id: i for i, stop in enumerate(plan.stops)}
        chosen = [index[stop.stop_id] for stop in line.schedule.stops]
    order = nearest_neighbour_order(plan.distance_m, chosen)
    return route_schedule(bundle.drive, bundle.bus, plan, order, loop=line.schedule.kind == "loop", options=options)


def _measure(bundle: CityBundle, schedule: LineSchedule, case: dict[str, Any], fleet: int) -> dict[str, Any]:
    evaluation = evaluate_line(bundle, schedule, categories=case["interests"], place_ids=case["place_ids"])
    summary = evaluation.summary()
    keys = (
        "places",
        "pairs_compared",
        "mean_saving_min",
        "median_saving_min",
        "share_improved",
        "touched_pairs",
        "touched_mean_saving_min",
        "touched_median_saving_min",
        "touched_share_improved",
    )
    return {
        "stops": [stop.name for stop in schedule.stops],
        "kind": schedule.kind,
        "fleet_size": fleet,
        "sites_served_400m": len(evaluation.served),
        **{key: summary.get(key) for key in keys},
    }


def bench_design(
    bundle: CityBundle, *, runs: int = 3, baseline: str = BASELINE_COMMIT, cases: list[str] | None = None
) -> dict[str, Any]:
    """Design each case (all by default) ``runs`` times, measure the four lines; returns the report."""
    sites = [Site.from_record(record) for record in bundle.places]
    report: dict[str, Any] = {"bundle": bundle.name, "baseline_commit": baseline, "runs": runs, "cases": {}}
    with tempfile.TemporaryDirectory() as folder:
        for name in cases or list(CASES):
            case = CASES[name]
            options = DesignOptions(
                headway_s=case["headway_s"], max_fleet=case["max_fleet"], kind=case.get("kind", "any")
            )
            times: list[float] = []
            line: DesignedLine | None = None
            for _ in range(runs):
                started = time.perf_counter()
                line = design_line(
                    bundle, sites, interests=case["interests"], place_ids=case["place_ids"], options=options
                )
                times.append(time.perf_counter() - started)
            assert line is not None
            nn_schedule, nn_metrics = _nearest_neighbour(bundle, sites, case, line, popular=False)
            drawn_schedule, drawn_metrics = _nearest_neighbour(bundle, sites, case, line, popular=True)
            entry: dict[str, Any] = {
                "design_time_s": {"p50": round(statistics.median(times), 1), "runs": [round(t, 1) for t in times]},
                "lines_scored": line.search.get("lines_scored"),
                "designed": _measure(bundle, line.schedule, case, line.metrics.fleet_size),
                "nearest_neighbour_same_stops": _measure(bundle, nn_schedule, case, nn_metrics.fleet_size),
                "nearest_neighbour_popular_sites": _measure(bundle, drawn_schedule, case, drawn_metrics.fleet_size),
            }
            old = _baseline_line(bundle, baseline, case, Path(folder))
            if "schedule" in old:
                metrics = line_metrics(old["schedule"], layover_s=300.0, dwell_s=0.0)
                entry["current_proposal"] = {
                    "design_time_s": round(old["time_s"], 1),
                    **_measure(bundle, old["schedule"], case, metrics.fleet_size),
                }
            else:
                entry["current_proposal"] = old
            report["cases"][name] = entry
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    bundle_argument(parser)
    parser.add_argument("--runs", type=int, default=3, help="design runs per case (p50 of their times)")
    parser.add_argument("--baseline", default=BASELINE_COMMIT, help="commit whose design is the current proposal")
    parser.add_argument("--case", action="append", choices=list(CASES), help="run only this case (repeatable)")
    args = parser.parse_args()
    bundle = open_bundle(args.bundle)
    report = bench_design(bundle, runs=args.runs, baseline=args.baseline, cases=args.case)
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
