"""Benchmark bus + walk journey planning (RAPTOR) on the Hanoi bundle.

Queries: random pairs of distinct catalogue places at random departure times inside the service periods; an
off-network place uses its bundle ``access_stops`` (estimated straight-line walks). Each query is a full
``BusPlanner.plan`` call: snapping, access/egress Dijkstra, RAPTOR, the walking comparison and every Pareto
journey's legs with geometry. The first pass starts with an empty road-geometry cache (as after a restart); the
second pass repeats the same queries with the cache filled (a server that has been up for a while). The RAPTOR
search alone (``routing.journeys.search.raptor`` on the same access/egress lists) is timed separately.

Preparation: expanding the timetable and building the transfers (both done once by ``heritage build``), loading
them from ``.npz``, and building the planner (done once when the server starts).

Usage: ``python -m bench.routing_bus [--bundle DIR] [--pairs 1000] [--seed 0] --json``. Prints one JSON object.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from bench.measure import (
    open_bundle,
    percentiles_ms,
    print_report,
    routing_arguments,
)
from routing.bundle.load import CityBundle
from routing.errors import RoutingError
from routing.journeys import BusPlanner, raptor
from routing.transit import Timetable, Transfers, build_transfers

SERVICE_START_S = 6 * 3600 + 1800


def _prepare(bundle: CityBundle) -> tuple[BusPlanner, dict[str, Any]]:
    started = time.perf_counter()
    timetable = Timetable.from_network(bundle.bus)
    timetable_s = time.perf_counter() - started
    started = time.perf_counter()
    transfers = build_transfers(bundle.bus, bundle.walk, bundle.stop_access)
    transfers_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as directory:
        timetable_path, transfers_path = Path(directory) / "timetable.npz", Path(directory) / "transfers.npz"
        timetable.save(timetable_path)
        transfers.save(transfers_path)
        sizes = {
            "timetable_npz_bytes": timetable_path.stat().st_size,
            "transfers_npz_bytes": transfers_path.stat().st_size,
        }
        started = time.perf_counter()
        timetable = Timetable.load(timetable_path)
        transfers = Transfers.load(transfers_path)
        load_s = time.perf_counter() - started
    started = time.perf_counter()
    planner = BusPlanner(bundle.bus, timetable, transfers, bundle.walk, bundle.stop_access, drive=bundle.drive)
    planner_s = time.perf_counter() - started
    report = {
        "timetable_build_s": round(timetable_s, 3),
        "transfers_build_s": round(transfers_s, 3),
        "load_npz_s": round(load_s, 4),
        "planner_init_s": round(planner_s, 3),
        **sizes,
        "timetable": timetable.summary(),
        "transfers": transfers.summary(),
    }
    return planner, report


def bench_bus(bundle: CityBundle, pairs: int = 1000, seed: int = 0) -> dict[str, Any]:
    """Time ``pairs`` bus queries between random places; return figures as a JSON-ready dict."""
    planner, preparation = _prepare(bundle)
    rng = np.random.default_rng(seed)
    places = [place for place in bundle.places if place["id"] in bundle.place_access]
    service_end_s = int(planner.timetable.period_end_s.max())
    queries = []
    for _ in range(pairs):
        first, second = rng.choice(len(places), size=2, replace=False)
        queries.append((places[int(first)], places[int(second)], int(rng.integers(SERVICE_START_S, service_end_s))))

    def ends(origin: dict[str, Any], target: dict[str, Any]) -> tuple[Any, Any]:
        found = []
        for place in (origin, target):
            access = bundle.place_access[place["id"]]
            found.append(planner.access_list(access["access_stops"]) if access["off_network"] else None)
        return found[0], found[1]

    passes: dict[str, Any] = {}
    outcomes: Counter[str] = Counter()
    rides: Counter[int] = Counter()
    front_sizes: list[int] = []
    for name in ("cold_cache", "warm_cache"):
        timings: list[float] = []
        for origin, target, depart_s in queries:
            from_access, to_access = ends(origin, target)
            started = time.perf_counter()
            try:
                plan = planner.plan(
                    origin["lat"],
                    origin["lon"],
                    target["lat"],
                    target["lon"],
                    depart_s=depart_s,
                    from_access=from_access,
                    to_access=to_access,
                )
            except RoutingError as exc:
                timings.append((time.perf_counter() - started) * 1000.0)
                if name == "cold_cache":
                    outcomes[type(exc).__name__] += 1
                continue
            timings.append((time.perf_counter() - started) * 1000.0)
            if name == "cold_cache":
                outcomes["bus_beats_walking" if plan.bus_beats_walking else "walking_as_fast"] += 1
                front_sizes.append(len(plan.journeys))
                if plan.bus_beats_walking:
                    rides[plan.best.rides] += 1
        passes[name] = percentiles_ms(timings, digits=2)
    passes["road_legs_cached"] = planner.roads.cached_legs
    passes["search_only"] = percentiles_ms(_search_times(planner, queries, ends), digits=2)
    return {
        "bench": "routing_bus",
        "bundle": bundle.name,
        "pairs": pairs,
        "seed": seed,
        "preparation": preparation,
        "query": passes,
        "outcomes": dict(sorted(outcomes.items())),
        "rides_of_fastest_bus_journey": {str(k): v for k, v in sorted(rides.items())},
        "mean_pareto_journeys": round(statistics.fmean(front_sizes), 2) if front_sizes else 0.0,
    }


def _search_times(planner: BusPlanner, queries: list[Any], ends: Any) -> list[float]:
    """RAPTOR alone on each query's access/egress lists (the ends resolved as the planner does)."""
    timings = []
    for origin, target, depart_s in queries:
        from_access, to_access = ends(origin, target)
        try:
            start = planner.end(origin["lat"], origin["lon"], access=from_access)
            end = planner.end(target["lat"], target["lon"], access=to_access, destination=True)
        except RoutingError:
            continue
        started = time.perf_counter()
        raptor(
            planner.index,
            depart_s,
            access_stops=start.stops,
            access_walk_s=start.walk_s,
            egress_stops=end.stops,
            egress_walk_s=end.walk_s,
        )
        timings.append((time.perf_counter() - started) * 1000.0)
    return timings


def main() -> None:
    args = routing_arguments(__doc__, ("--pairs", {"type": int, "default": 1000}))
    print_report(bench_bus(open_bundle(args.bundle), pairs=args.pairs, seed=args.seed))


if __name__ == "__main__":
    main()
