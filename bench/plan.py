"""Benchmark ``heritage plan`` on the Hanoi bundle: random one-day bus-mode requests over the whole catalogue.

Each request: a random start (a catalogue place or a random point in central Hanoi), one to three random
interests with random weights, a random date in the next two months, a window starting between 07:00 and
10:00 and lasting 6 to 10 hours, a random pace; bus mode, every catalogue place a candidate. The timed
call is the whole of :func:`recommender.trip.plan_trip` (scoring, the start's one-to-many rows, the problem,
the search, routing and re-timing every leg), as a CLI or API request runs it.

Baseline in the same run: the same requests planned with a 10x longer search (``--reference-limit``) on a
subset; the ratio of scores says what the real-time budget gives up. Every plan is checked: each visit
starts inside one of its opening intervals for its date and ends before it closes, and every day stays in
its window.

With ``--baseline REF`` the same seeded requests are also planned by the code of commit ``REF`` (a temporary git
worktree with its own bundle, see :func:`bench.measure.baseline_run`), and the p50 ratio is reported.

Usage: ``python -m bench.plan [--bundle DIR] [--requests 200] [--seed 0] [--reference 30] [--baseline REF] --json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from typing import Any

import numpy as np

from api.city import default_bundle_path
from bench.measure import baseline_run, bundle_argument, percentiles_ms
from recommender.catalogue import Catalogue
from recommender.city import City, load_city
from recommender.locate import Location
from recommender.scoring import Interests
from recommender.taxonomy import Category
from recommender.trip import Itinerary, Pace, TravelMode, TripError, TripRequest, plan_trip
from recommender.trip.hours import open_intervals
from routing.city_router import CityRouter
from routing.errors import RoutingError

TARGET_P50_MS = 300.0
_CENTRE = (21.0285, 105.8542)
_FIRST_DATE = dt.date(2026, 12, 1)


def random_requests(catalogue: Catalogue, count: int, *, seed: int, time_limit_s: float) -> list[TripRequest]:
    """``count`` random one-day bus requests (see the module docstring), reproducible for a seed."""
    rng = np.random.default_rng(seed)
    categories = list(Category)
    places = catalogue.places
    requests = []
    for _ in range(count):
        if rng.random() < 0.5:
            place = places[int(rng.integers(len(places)))]
            start = Location(place.lat, place.lon, place)
        else:
            start = Location(_CENTRE[0] + rng.normal(0, 0.015), _CENTRE[1] + rng.normal(0, 0.015))
        chosen = rng.choice(len(categories), size=int(rng.integers(1, 4)), replace=False)
        interests = Interests.parse({categories[int(i)].value: round(float(rng.uniform(0.3, 1.0)), 2) for i in chosen})
        window_start = int(rng.integers(7 * 4, 10 * 4 + 1)) * 900
        window_end = window_start + int(rng.integers(6 * 4, 10 * 4 + 1)) * 900
        requests.append(
            TripRequest(
                start=start,
                date=_FIRST_DATE + dt.timedelta(days=int(rng.integers(0, 60))),
                window_start_s=window_start,
                window_end_s=window_end,
                interests=interests,
                mode=TravelMode.BUS,
                pace=list(Pace)[int(rng.integers(3))],
                seed=int(rng.integers(1 << 30)),
                time_limit_s=time_limit_s,
            )
        )
    return requests


def violations(itinerary: Itinerary, request: TripRequest) -> list[str]:
    """Opening-hour and day-window violations of a plan (empty when it keeps them all)."""
    found = []
    for day in itinerary.days:
        if day.visits and (day.depart_s < request.window_start_s - 1e-6 or day.arrive_s > request.window_end_s + 1e-6):
            found.append(f"day {day.day + 1} runs {day.depart_s:.0f}-{day.arrive_s:.0f} outside the window")
        for visit in day.visits:
            intervals = open_intervals(visit.place.opening_hours, day.date)
            if not any(
                open_s - 1e-6 <= visit.start_s and visit.end_s <= close_s + 1e-6 for open_s, close_s in intervals
            ):
                found.append(f"{visit.place.id} visited {visit.start_s:.0f}-{visit.end_s:.0f}, outside its hours")
    return found


def run(
    city: City, *, requests: int, seed: int, time_limit_s: float, reference: int, reference_limit_s: float
) -> dict[str, Any]:
    """Time every request, check every plan, and compare a subset with the longer reference search."""
    router = CityRouter(city.bundle)
    batch = random_requests(city.catalogue, requests, seed=seed, time_limit_s=time_limit_s)
    started = time.perf_counter()
    plan_trip(city, router, batch[0])  # compiles or loads the kernels, warms the routers
    warm_up_s = time.perf_counter() - started
    timings_ms: list[float] = []
    visits: list[int] = []
    rides: list[int] = []
    scores: list[float] = []
    refused: dict[str, int] = {}
    broken: list[str] = []
    for request in batch:
        started = time.perf_counter()
        try:
            itinerary = plan_trip(city, router, request)
        except (TripError, RoutingError) as exc:
            refused[type(exc).__name__] = refused.get(type(exc).__name__, 0) + 1
            continue
        timings_ms.append((time.perf_counter() - started) * 1000)
        visits.append(len(itinerary.visits))
        rides.append(sum(day.rides for day in itinerary.days))
        scores.append(itinerary.score)
        broken.extend(violations(itinerary, request))
    ratios = []
    for request in batch[:reference]:
        slow = TripRequest(**{**request.__dict__, "time_limit_s": reference_limit_s, "max_iterations": None})
        try:
            quick_score = plan_trip(city, router, request).score
            reference_score = plan_trip(city, router, slow).score
        except (TripError, RoutingError):
            continue
        if reference_score > 0:
            ratios.append(quick_score / reference_score)
    timing = percentiles_ms(timings_ms, digits=1)
    return {
        "bench": "plan",
        "requests": requests,
        "planned": len(timings_ms),
        "refused": refused,
        "candidates": len(city.catalogue.places),
        "mode": "bus",
        "time_limit_s": time_limit_s,
        "warm_up_s": round(warm_up_s, 2),
        "plan": timing,
        "visits_per_plan": {"mean": round(float(np.mean(visits)), 2) if visits else 0.0, "max": max(visits, default=0)},
        "bus_rides_per_plan": {"mean": round(float(np.mean(rides)), 2) if rides else 0.0},
        "opening_hour_or_window_violations": len(broken),
        "violation_examples": broken[:5],
        "reference": {
            "requests": len(ratios),
            "time_limit_s": reference_limit_s,
            "score_ratio_mean": round(float(np.mean(ratios)), 4) if ratios else None,
            "score_ratio_min": round(float(np.min(ratios)), 4) if ratios else None,
        },
        "targets_met": {
            f"p50 <= {TARGET_P50_MS:.0f} ms": timing["p50_ms"] <= TARGET_P50_MS,
            "no violations": not broken,
        },
    }


def baseline(ref: str, *, requests: int, seed: int, time_limit_s: float) -> dict[str, Any]:
    """The same benchmark (same seeded requests, no reference search) run by the code of commit ``ref``."""
    commit, _tree, measured = baseline_run(
        ref,
        [
            "-P",  # import the commit's code from the worktree, not this checkout's from the working directory
            "-m",
            "bench.plan",
            "--requests",
            str(requests),
            "--seed",
            str(seed),
            "--time-limit",
            str(time_limit_s),
            "--reference",
            "0",
        ],
    )
    result: dict[str, Any] = json.loads(measured.stdout)
    return {"commit": commit, "plan": result["plan"], "planned": result["planned"], "refused": result["refused"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.plan", description=__doc__.splitlines()[0])
    bundle_argument(parser)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-limit", type=float, default=0.5, help="search seconds per plan (the CLI default)")
    parser.add_argument("--reference", type=int, default=30, help="requests also planned with the longer search")
    parser.add_argument("--reference-limit", type=float, default=1.5, help="search seconds of the reference")
    parser.add_argument("--baseline", default=None, help="also run the benchmark on this git commit's planner")
    args = parser.parse_args(argv)
    city = load_city(args.bundle or default_bundle_path())
    result = run(
        city,
        requests=args.requests,
        seed=args.seed,
        time_limit_s=args.time_limit,
        reference=args.reference,
        reference_limit_s=args.reference_limit,
    )
    if args.baseline:
        old = baseline(args.baseline, requests=args.requests, seed=args.seed, time_limit_s=args.time_limit)
        result["baseline"] = old
        result["p50_ratio_to_baseline"] = round(result["plan"]["p50_ms"] / old["plan"]["p50_ms"], 2)
    json.dump(result, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
