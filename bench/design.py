"""Benchmark the heritage bus line design and its before/after evaluation on the Hanoi bundle.

* design: ``design_line`` for ``--interests heritage,ci_centre`` (sites, stops, OR-Tools order, road paths);
* evaluation: ``evaluate_line`` over every ordered pair of heritage places and CI centres, door to door, today's
  network and with the line, averaged over six departures (one one-to-all RAPTOR run per origin and departure,
  both networks), including building the network with the line (timetable, transfers, planner);
* baseline in the same run: the same evaluation done naively, one ``BusPlanner.plan`` per pair, departure and
  network, on a random sample of pairs; its time per pair is extrapolated to all pairs for the ratio, and its
  door-to-door times are compared with the fast evaluation's on the sampled pairs.

Usage: ``python -m bench.design [--bundle DIR] [--sample 40] [--seed 0] --json``. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import numpy as np

from bench.measure import bundle_argument, open_bundle
from routing.bundle.load import CityBundle
from routing.errors import RoutingError
from routing.operators import Site, add_line, design_line, evaluate_line
from routing.operators.evaluate import PAIR_CATEGORIES, LineEvaluation
from routing.raptor import BusPlanner


def _naive(
    bundle: CityBundle, planner: BusPlanner, evaluation: LineEvaluation, pairs: list[tuple[int, int]]
) -> tuple[float, list[float]]:
    """Seconds spent and mean door-to-door seconds per pair, one ``plan`` call per pair and departure."""
    places = {str(p["id"]): p for p in bundle.places}
    means: list[float] = []
    started = time.perf_counter()
    for origin, destination in pairs:
        a = places[evaluation.place_ids[origin]]
        b = places[evaluation.place_ids[destination]]
        access = [bundle.place_access[str(p["id"])] for p in (a, b)]
        lists = [planner.access_list(r["access_stops"]) if r["off_network"] else None for r in access]
        times: list[float] = []
        for depart in evaluation.departures_s:
            try:
                plan = planner.plan(
                    float(a["lat"]),
                    float(a["lon"]),
                    float(b["lat"]),
                    float(b["lon"]),
                    depart_s=depart,
                    from_access=lists[0],
                    to_access=lists[1],
                )
                times.append(float(plan.best.arrive_s - depart))
            except RoutingError:
                times.append(float("nan"))
        means.append(float(np.mean(times)))
    return time.perf_counter() - started, means


def bench_design(bundle: CityBundle, *, sample: int = 40, seed: int = 0) -> dict[str, Any]:
    """Time the design, the fast evaluation and the naive baseline; returns the report."""
    sites = [Site.from_record(record) for record in bundle.places]
    started = time.perf_counter()
    line = design_line(bundle.drive, bundle.bus, sites, interests=PAIR_CATEGORIES)
    design_s = time.perf_counter() - started

    started = time.perf_counter()
    evaluation = evaluate_line(bundle, line.schedule)
    evaluation_s = time.perf_counter() - started
    count = len(evaluation.place_ids)
    pair_count = count * (count - 1)

    rng = np.random.default_rng(seed)
    all_pairs = [(i, j) for i in range(count) for j in range(count) if i != j]
    chosen = rng.choice(len(all_pairs), size=min(sample, len(all_pairs)), replace=False)
    pairs = [all_pairs[int(k)] for k in chosen]
    started = time.perf_counter()
    before_planner = BusPlanner(bundle.bus, bundle.timetable, bundle.transfers, bundle.walk, bundle.stop_access)
    extended = add_line(bundle.bus, bundle.timetable, bundle.walk, bundle.stop_access, line.schedule)
    after_planner = BusPlanner(extended.bus, extended.timetable, extended.transfers, bundle.walk, extended.stop_access)
    naive_setup_s = time.perf_counter() - started
    before_s, before_means = _naive(bundle, before_planner, evaluation, pairs)
    after_s, after_means = _naive(bundle, after_planner, evaluation, pairs)
    per_pair_s = (before_s + after_s) / len(pairs)
    naive_total_s = naive_setup_s + per_pair_s * pair_count

    fast_before = np.array([evaluation.before_s[i, j] for i, j in pairs])
    fast_after = np.array([evaluation.after_s[i, j] for i, j in pairs])
    difference = np.abs(np.concatenate((fast_before - before_means, fast_after - after_means)))
    difference = difference[np.isfinite(difference)]
    metrics = line.metrics
    return {
        "bundle": bundle.name,
        "line": {
            "kind": line.schedule.kind,
            "stops": len(line.schedule.stops),
            "sites_designed_for": len(line.sites),
            "sites_served_400m": len(evaluation.served),
            "round_trip_min": round(metrics.round_trip_s / 60, 1),
            "fleet_size_15min": metrics.fleet_size,
            "vehicle_km_per_day": round(metrics.vehicle_km_per_day, 1),
            "vehicle_hours_per_day": round(metrics.vehicle_hours_per_day, 1),
        },
        "design_s": round(design_s, 3),
        "evaluation": {
            "places": count,
            "pairs": pair_count,
            "departures_per_pair": len(evaluation.departures_s),
            "time_s": round(evaluation_s, 3),
            "parts_s": {key: round(value, 3) for key, value in evaluation.timings_s.items()},
            "summary": evaluation.summary(),
        },
        "baseline_plan_per_pair": {
            "sampled_pairs": len(pairs),
            "setup_s": round(naive_setup_s, 3),
            "time_s": round(before_s + after_s, 3),
            "per_pair_s": round(per_pair_s, 4),
            "extrapolated_all_pairs_s": round(naive_total_s, 1),
            "speedup": round(naive_total_s / evaluation_s, 1),
            "median_abs_difference_s": round(float(np.median(difference)), 1) if difference.size else None,
            "p90_abs_difference_s": round(float(np.percentile(difference, 90)), 1) if difference.size else None,
        },
        "within_60_s": evaluation_s <= 60.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    bundle_argument(parser)
    parser.add_argument("--sample", type=int, default=40, help="pairs timed with the naive baseline")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    bundle = open_bundle(args.bundle)
    print(json.dumps(bench_design(bundle, sample=args.sample, seed=args.seed), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
