"""Compare settings of the day's weights (``recommender/trip/value.py``) on the persona suite and on random first-time
visitors the suite does not hold, in one process with one bundle.

The random visitors are seeded: a start at one of the suite's hotels or a central sight, a date in the next 200 days,
a window from 08:00-09:30 to 16:30-18:30, heritage 0.6-1 plus one or two other interests, bus (3 in 4) or walk, one
to three days. Per setting and set: signature sights in all, the share of visits matching one of the traveller's
interests, visits and walking per day, and (for the suite) the issue-11 criteria that fail.

Usage: ``python -m bench.plan_weights '[{}, {"SIGHTING_SHARE": 0.5, "PROMINENCE_POWER": 1.0}]' [--random 40]
[--seed 7]``; ``{}`` is the shipped setting.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
from typing import Any

import numpy as np

from bench import plan_quality
from bench.plan_quality_runner import plan_personas, warm_up

Json = dict[str, Any]
CENTRAL_STARTS = (
    "hoan-kiem-lake",
    "temple-of-literature",
    "dong-xuan-market",
    "hanoi-opera-house",
    "st-josephs-cathedral",
    "long-bien-bridge",
    "hoa-lo-prison",
    "west-lake",
)
OTHER_INTERESTS = (
    "museum",
    "cuisine",
    "spiritual",
    "architecture",
    "craft_village",
    "nature",
    "performing_arts",
    "market",
)


def random_visitors(suite: Json, count: int, seed: int) -> Json:
    """A copy of ``suite`` whose personas are ``count`` random first-time visitors."""
    rng = random.Random(seed)
    starts = [f"hotel:{key}" for key in suite["hotels"]] + list(CENTRAL_STARTS)
    personas = []
    for index in range(count):
        date = dt.date(2026, 12, 8) + dt.timedelta(days=rng.randrange(0, 200))
        opens = rng.choice(["08:00", "08:30", "09:00", "09:30"])
        window = f"{opens}-{rng.choice(['16:30', '17:00', '17:30', '18:00', '18:30'])}"
        interests = {"heritage": round(rng.uniform(0.6, 1.0), 2)}
        for name in rng.sample(OTHER_INTERESTS, rng.randint(1, 2)):
            interests[name] = round(rng.uniform(0.3, 0.9), 2)
        request = {
            "start": rng.choice(starts),
            "date": date.isoformat(),
            "window": window,
            "interests": interests,
            "mode": rng.choice(["bus", "bus", "bus", "walk"]),
            "days": rng.choice([1, 1, 1, 2, 3]),
            "weekday": date.strftime("%A"),
        }
        personas.append({"id": f"random-{seed}-{index}", "group": "random", "first_time": True, "request": request})
    return {**suite, "personas": personas}


def interest_fit(city: Any, suite: Json, planned: list[Json]) -> float:
    """Mean over visits of the traveller's best interest weight among the place's categories."""
    categories = {place.id: {category.value for category in place.categories} for place in city.catalogue}
    fits = [
        max([persona["request"]["interests"].get(name, 0.0) for name in categories.get(visit["place_id"], ())] or [0.0])
        for persona, row in zip(suite["personas"], planned, strict=True)
        if row["itinerary"] and persona.get("group") != "edge"
        for day in row["itinerary"]["days"]
        for visit in day["visits"]
        if visit["kind"] == "visit"
    ]
    return round(float(np.mean(fits)), 3) if fits else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("settings", help="JSON list of {constant: value} settings of recommender/trip/value.py")
    parser.add_argument("--random", type=int, default=40, help="random first-time visitors")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    from api.city import current_spec
    from api.settings import get_settings
    from recommender.city import build_city, load_city
    from recommender.trip import value
    from routing.city_router import CityRouter

    settings = get_settings()
    city = load_city(build_city(current_spec(settings), settings.bundle_dir))
    router = CityRouter(city.bundle)
    suite = plan_quality.load_suite()
    sets = {"suite": suite, "random": random_visitors(suite, args.random, args.seed)}
    measures = {name: plan_quality.Measure(city, router, members) for name, members in sets.items()}
    warm_up(city, router, suite)
    configs: list[Json] = json.loads(args.settings)
    shipped = {name: getattr(value, name) for config in configs for name in config}
    for config in configs:
        for name, number in {**shipped, **config}.items():
            setattr(value, name, number)
        for name, members in sets.items():
            planned = plan_personas(city, router, members, repeat=1)
            rows = plan_quality.measure_rows(measures[name], members, planned)
            summary = plan_quality.overall(rows, planned, members)
            line: Json = {
                "setting": config,
                "set": name,
                "signature_sights": sum(row.get("signature_sights") or 0 for row in rows if row["error"] is None),
                "interest_fit": interest_fit(city, members, planned),
                "visits_per_day": summary["visits_per_day"],
                "walk_km_per_day": summary["walk_km_per_day"],
            }
            if name == "suite":
                criteria = plan_quality.criteria(rows, summary, members)
                line["failing"] = [item["criterion"] for item in criteria if item["pass"] is False]
            print(json.dumps(line, ensure_ascii=False), flush=True)
    for name, number in shipped.items():
        setattr(value, name, number)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
