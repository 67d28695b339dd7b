"""Benchmark place matrices, one-to-many rows and isochrones on the Hanoi bundle.

* whole catalogue matrices (``routing.build.matrices.place_matrices``: walk + bus for every service period), with
  the engine set-up (snapping the places, the stop-to-place egress table) timed separately;
* one-to-all-places rows from random points (a random catalogue place moved up to 300 m in a random direction,
  points off the streets skipped), walk and bus at random times inside the service periods;
* the same rows with the optional node-to-place row table (``TravelTimes(..., row_table=True)``);
* the same rows with contraction-hierarchy buckets (``TravelTimes(..., walk_index=bundle.walk_index)``), checked
  against the plain rows (largest relative difference reported), with the bucket build time and size;
* isochrones (15 min, walk and bus) from a subset of the same points;
* baseline in the same run: a bus row made of one ``BusPlanner.plan`` call per place, for a few points.

Usage: ``python -m bench.routing_matrix [--bundle DIR] [--points 100] [--seed 0] --json``. Prints one JSON object.
"""

from __future__ import annotations

import contextlib
import math
import time
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bench.measure import (
    open_bundle,
    percentiles_ms,
    print_report,
    routing_arguments,
    saved_and_loaded,
)
from routing.build.matrices import place_matrices
from routing.bundle.load import CityBundle
from routing.bundle.matrices import PlaceMatrices
from routing.errors import RoutingError
from routing.journeys import BusPlanner
from routing.journeys.isochrone import isochrone
from routing.journeys.rows import TravelTimes
from routing.walk.buckets import PlaceBuckets

SERVICE_START_S = 6 * 3600 + 1800
SERVICE_END_S = 19 * 3600


def _points(bundle: CityBundle, count: int, rng: np.random.Generator) -> list[tuple[float, float]]:
    places = bundle.places
    chosen = rng.integers(0, len(places), size=count)
    angle = rng.uniform(0, 2 * np.pi, size=count)
    distance_m = rng.uniform(0, 300, size=count)
    points = []
    for index, theta, metres in zip(chosen, angle, distance_m, strict=True):
        lat = float(places[index]["lat"]) + metres * np.sin(theta) / 111_000
        lon = float(places[index]["lon"]) + metres * np.cos(theta) / (111_000 * np.cos(np.radians(21.03)))
        points.append((lat, lon))
    return points


def buckets_nodes(times: TravelTimes) -> NDArray[np.int64]:
    """The places' anchor nodes as :meth:`PlaceBuckets.build` takes them (-1: off the network)."""
    return np.asarray(times.place_anchors.node, dtype=np.int64)


def buckets_offsets(times: TravelTimes) -> NDArray[np.float64]:
    """The places' anchor offsets, inf where a place has no anchor."""
    anchors = times.place_anchors
    return np.where(anchors.node >= 0, anchors.offset_m, np.inf)


def _max_relative(got: NDArray[np.float64], want: NDArray[np.float64]) -> float:
    """Largest relative difference between two rows; inf if they disagree on which places are reachable."""
    if not np.array_equal(np.isnan(got), np.isnan(want)):
        return math.inf
    finite = ~np.isnan(want)
    if not finite.any():
        return 0.0
    return float(np.max(np.abs(got[finite] - want[finite]) / np.maximum(np.abs(want[finite]), 1.0)))


def bench_matrix(bundle: CityBundle, points: int = 100, seed: int = 0) -> dict[str, Any]:
    """Time the matrices, rows and isochrones; returns the report."""
    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    planner = BusPlanner(bundle.bus, bundle.timetable, bundle.transfers, bundle.walk, bundle.stop_access)
    planner_s = time.perf_counter() - started
    started = time.perf_counter()
    times = TravelTimes(planner, bundle.places, bundle.place_access)
    engine_s = time.perf_counter() - started
    started = time.perf_counter()
    place_matrices(times, periods=())
    walk_only_s = time.perf_counter() - started
    started = time.perf_counter()
    matrices = place_matrices(times)
    matrices_s = time.perf_counter() - started
    _, size, load_s = saved_and_loaded(matrices.save, PlaceMatrices.load, "matrices.npz")

    started = time.perf_counter()
    tabled = TravelTimes(planner, bundle.places, bundle.place_access, row_table=True)
    tabled_init_s = time.perf_counter() - started
    started = time.perf_counter()
    bucketed = TravelTimes(planner, bundle.places, bundle.place_access, walk_index=bundle.walk_index)
    bucketed_init_s = time.perf_counter() - started
    buckets = bucketed.buckets
    assert buckets is not None
    started = time.perf_counter()
    PlaceBuckets.build(bundle.walk_index, buckets_nodes(bucketed), buckets_offsets(bucketed))
    buckets_build_s = time.perf_counter() - started
    bucket_walk_ms: list[float] = []
    bucket_bus_ms: list[float] = []
    bucket_max_rel = 0.0
    table_walk_ms: list[float] = []
    table_bus_ms: list[float] = []
    walk_ms: list[float] = []
    bus_ms: list[float] = []
    iso_walk_ms: list[float] = []
    iso_bus_ms: list[float] = []
    skipped = 0
    usable: list[tuple[float, float, int]] = []
    for lat, lon in _points(bundle, points, rng):
        depart = int(rng.integers(SERVICE_START_S, SERVICE_END_S))
        try:
            started = time.perf_counter()
            times.one_to_many(lat, lon)
            walk_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            times.one_to_many(lat, lon, mode="bus", depart_s=depart)
            bus_ms.append((time.perf_counter() - started) * 1000)
        except RoutingError:
            skipped += 1
            continue
        started = time.perf_counter()
        tabled.one_to_many(lat, lon)
        table_walk_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        tabled_bus_row = tabled.one_to_many(lat, lon, mode="bus", depart_s=depart)
        table_bus_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        walk_row = bucketed.one_to_many(lat, lon)
        bucket_walk_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        bus_row = bucketed.one_to_many(lat, lon, mode="bus", depart_s=depart)
        bucket_bus_ms.append((time.perf_counter() - started) * 1000)
        for got, want in ((walk_row, times.one_to_many(lat, lon)), (bus_row, tabled_bus_row)):
            bucket_max_rel = max(bucket_max_rel, _max_relative(got, want))
        usable.append((lat, lon, depart))
    for lat, lon, depart in usable[:20]:
        started = time.perf_counter()
        isochrone(times, lat, lon, minutes=15)
        iso_walk_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        isochrone(times, lat, lon, minutes=15, mode="bus", depart_s=depart)
        iso_bus_ms.append((time.perf_counter() - started) * 1000)
    baseline_ms: list[float] = []
    for lat, lon, depart in usable[:3]:
        started = time.perf_counter()
        for place in bundle.places:
            access = bundle.place_access[place["id"]]
            to_access = planner.access_list(access["access_stops"]) if access.get("off_network") else None
            with contextlib.suppress(RoutingError):
                planner.plan(lat, lon, place["lat"], place["lon"], depart_s=depart, to_access=to_access)
        baseline_ms.append((time.perf_counter() - started) * 1000)
    walk_s = matrices.walk_s()
    return {
        "bundle": bundle.name,
        "places": len(matrices.place_ids),
        "planner_init_s": round(planner_s, 3),
        "engine_init_s": round(engine_s, 3),
        "matrices_build_s": round(matrices_s, 3),
        "matrices_walk_only_s": round(walk_only_s, 3),
        "matrices_bus_share_s": round(matrices_s - walk_only_s, 3),
        "matrices_npz_bytes": size,
        "matrices_load_s": round(load_s, 4),
        "walk_nan_share": round(float(np.isnan(matrices.walk_m).mean()), 4),
        "bus_nan_share": {name: round(float(np.isnan(t).mean()), 4) for name, t in matrices.bus_s.items()},
        "bus_faster_than_walk_share": {
            name: round(float(np.mean(t[~np.isnan(walk_s)] < walk_s[~np.isnan(walk_s)] - 1)), 4)
            for name, t in matrices.bus_s.items()
        },
        "row_walk": percentiles_ms(walk_ms, digits=2),
        "row_bus": percentiles_ms(bus_ms, digits=2),
        "row_points_skipped": skipped,
        "row_table_init_s": round(tabled_init_s, 3),
        "row_walk_with_row_table": percentiles_ms(table_walk_ms, digits=2),
        "row_bus_with_row_table": percentiles_ms(table_bus_ms, digits=2),
        "bucket_engine_init_s": round(bucketed_init_s, 3),
        "bucket_build_s": round(buckets_build_s, 4),
        "bucket_entries": buckets.entry_count,
        "bucket_bytes": buckets.nbytes,
        "row_walk_with_buckets": percentiles_ms(bucket_walk_ms, digits=2),
        "row_bus_with_buckets": percentiles_ms(bucket_bus_ms, digits=2),
        "row_with_buckets_max_relative_difference": float(f"{bucket_max_rel:.3g}"),
        "isochrone_walk_15min": percentiles_ms(iso_walk_ms, digits=2),
        "isochrone_bus_15min": percentiles_ms(iso_bus_ms, digits=2),
        "baseline_bus_row_via_plan": percentiles_ms(baseline_ms, digits=2),
    }


def main() -> None:
    args = routing_arguments(__doc__, ("--points", {"type": int, "default": 100}))
    print_report(bench_matrix(open_bundle(args.bundle), points=args.points, seed=args.seed))


if __name__ == "__main__":
    main()
