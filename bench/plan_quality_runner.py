"""Plan every persona of ``bench/personas.json`` with whichever planner is on the import path; print the itineraries.

``bench/plan_quality.py`` calls :func:`plan_personas` in its own process for the current planner, and runs this file
as a child process (``python -P bench/plan_quality_runner.py``, ``PYTHONPATH`` at a checkout of the baseline commit,
``HERITAGE_BUNDLE_DIR`` at that checkout's bundle cache) for the baseline. So it imports only the standard library,
orjson and the public names the planner has had since 8f9df68, and :func:`trip_request` passes only the fields a
persona sets: a field added to ``TripRequest`` later keeps its default on both sides.

Output (``main``): one JSON object ``{"code", "bundle", "warm_up_s", "rows": [...]}``; a row per persona: ``id``,
``itinerary`` (``Itinerary.to_dict()``, or null), ``error`` (``{"type", "message"}`` or null), ``latency_ms`` (one
timing of the whole ``plan_trip`` call per repeat) and ``bytes`` (``len(orjson.dumps(itinerary.to_dict()))``).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Any

import orjson

from recommender.locate import Location, resolve_location
from recommender.scoring import Context, Interests, Weather
from recommender.trip import Pace, TravelMode, TripRequest, parse_window, plan_trip

Json = dict[str, Any]


def location(text: str, hotels: Json, catalogue: Any) -> Location:
    """``hotel:<key>`` -> the lodging's point (no place); anything else -> a catalogue place id or name."""
    if text.startswith("hotel:"):
        hotel = hotels[text.removeprefix("hotel:")]
        return Location(float(hotel["lat"]), float(hotel["lon"]))
    return resolve_location(text, catalogue)


def trip_request(request: Json, hotels: Json, catalogue: Any) -> TripRequest:
    """The ``TripRequest`` for a persona's ``request`` object, passing only the fields it sets."""
    window_start_s, window_end_s = parse_window(request["window"])
    fields: dict[str, Any] = {
        "start": location(request["start"], hotels, catalogue),
        "date": dt.date.fromisoformat(request["date"]),
        "window_start_s": window_start_s,
        "window_end_s": window_end_s,
        "interests": Interests.parse({name: float(weight) for name, weight in request["interests"].items()}),
    }
    if "end" in request:
        fields["end"] = location(request["end"], hotels, catalogue)
    if "mode" in request:
        fields["mode"] = TravelMode(request["mode"])
    if "pace" in request:
        fields["pace"] = Pace(request["pace"])
    for name in ("must_visit", "avoid"):
        if name in request:
            fields[name] = tuple(request[name])
    for name in ("days", "seed"):
        if name in request:
            fields[name] = int(request[name])
    for name in ("max_walk_leg_m", "max_walk_day_m"):
        if name in request:
            fields[name] = float(request[name])
    if "meals" in request:
        fields["meals"] = bool(request["meals"])
    if "weather" in request or "children" in request:
        fields["context"] = Context(
            weather=Weather(request.get("weather", "clear")), with_children=bool(request.get("children", False))
        )
    return TripRequest(**fields)


def plan_personas(city: Any, router: Any, suite: Json, *, repeat: int = 3) -> list[Json]:
    """Plan every persona ``repeat`` times (after one untimed warm-up plan); the rows described in the module doc."""
    personas, hotels = suite["personas"], suite["hotels"]
    rows: list[Json] = []
    for persona in personas:
        row: Json = {"id": persona["id"], "itinerary": None, "error": None, "latency_ms": [], "bytes": None}
        try:
            request = trip_request(persona["request"], hotels, city.catalogue)
            for _ in range(repeat):
                started = time.perf_counter()
                itinerary = plan_trip(city, router, request)
                row["latency_ms"].append(round((time.perf_counter() - started) * 1000, 2))
        except Exception as exc:
            row["error"] = {"type": type(exc).__name__, "message": str(exc)}
            row["latency_ms"] = []
        else:
            answer = itinerary.to_dict()
            row["itinerary"] = answer
            row["bytes"] = len(orjson.dumps(answer))
        rows.append(row)
    return rows


def warm_up(city: Any, router: Any, suite: Json) -> float:
    """Plan the first persona of each mode once, untimed: loads (or compiles) each mode's kernels and engines."""
    started = time.perf_counter()
    firsts = {persona["request"].get("mode", "bus"): persona for persona in reversed(suite["personas"])}
    for persona in firsts.values():
        with contextlib.suppress(Exception):  # its row reports the error; the warm-up only loads what plans use
            plan_trip(city, router, trip_request(persona["request"], suite["hotels"], city.catalogue))
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--personas", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    import recommender
    from api.city import current_spec
    from api.settings import get_settings
    from recommender.city import build_city, load_city
    from routing.city_router import CityRouter

    settings = get_settings()
    bundle = build_city(current_spec(settings), settings.bundle_dir)  # reused when it exists
    city = load_city(bundle)
    router = CityRouter(city.bundle)
    suite = json.loads(args.personas.read_text(encoding="utf-8"))
    warm_up_s = warm_up(city, router, suite)
    rows = plan_personas(city, router, suite, repeat=args.repeat)
    sys.stdout.buffer.write(
        orjson.dumps(
            {
                "code": str(Path(recommender.__file__).parent),
                "bundle": str(bundle),
                "warm_up_s": warm_up_s,
                "rows": rows,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
