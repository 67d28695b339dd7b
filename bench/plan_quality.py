"""Itinerary quality on the Hanoi bundle, measured the way a traveller judges a day (issue 11), against a baseline.

The persona suite (``bench/personas.json``: first-time visitors, multi-day trips, families, rain, evenings, food, craft
villages, art and cultural-industry centres, nightlife, relaxed and packed pace, walk and bus, starts at hotels of the
OSM extract in several wards and at catalogue places) is planned with the current planner in this process and with the
planner of a baseline commit (default ``8f9df68``, the tip of main when issue 11's work began) in a child process on a
temporary ``git worktree`` of that commit, with its own bundle cached under ``bundles/baseline-<commit>/``. Both sets of
itineraries are measured here from their JSON form (``Itinerary.to_dict()``), with the current catalogue and router.

Per persona and overall: the share of Hanoi's ten signature sights a first-time visitor gets; walking km per day against
the pace's budget (relaxed 4.5, normal 7, packed 10 km, or the persona's own ``max_walk_day_m``); walk legs over 1.5 km
in bus mode, and how many of them had a bus journey (``router.bus_route`` at the leg's departure, one that walks less
than the leg); days without a lunch (window covers 11:30-13:30) or dinner (18:00-20:00), and how many of those have a
warning naming the meal; part-of duplicates (a place and a place it is part of in one trip, from the catalogue's
``part_of``); places repeated across days; runs of three or more consecutive visits sharing their first category (meals
left out) and consecutive food/drink stops with the same categories; time at places over the day window; JSON bytes per
day; latency (p50/p95 of the whole ``plan_trip`` call, ``--repeat`` calls per persona after a warm-up plan); visits per
day; whether evening bus days end with a bus leg. Then one pass/fail line per "Done when" criterion of the issue.

Usage: ``python -m bench.plan_quality [--bundle DIR] [--baseline REF | --no-baseline] [--repeat 3] [--json]``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import itertools
import json
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from bench.measure import ROOT, baseline_run, git, percentiles_ms
from bench.plan_quality_runner import plan_personas, warm_up
from routing import parse_clock

Json = dict[str, Any]

PERSONAS = Path(__file__).resolve().parent / "personas.json"
RUNNER = Path(__file__).resolve().parent / "plan_quality_runner.py"
CATALOGUE_CSV = ROOT / "data" / "places" / "catalogue.csv"
DEFAULT_BASELINE = "8f9df68"

SIGNATURE_SIGHTS = (
    "temple-of-literature",
    "ho-chi-minh-mausoleum",
    "hoa-lo-prison",
    "imperial-citadel-thang-long",
    "one-pillar-pagoda",
    "ngoc-son-temple",
    "tran-quoc-pagoda",
    "vietnam-museum-of-ethnology",
    "st-josephs-cathedral",
    "long-bien-bridge",
)
"""Hanoi's ten signature sights (issue 11): a metric of this benchmark only, never an input of the planner."""
WALK_BUDGET_KM = {"relaxed": 4.5, "normal": 7.0, "packed": 10.0}
LONG_WALK_M = 1500.0
MEALS = {"lunch": (11 * 3600 + 1800, 13 * 3600 + 1800), "dinner": (18 * 3600, 20 * 3600)}
MAX_BYTES_PER_DAY = 25_000
EVENING_FROM_S = 15 * 3600
FOOD_CATEGORIES = frozenset({"cuisine", "nightlife"})


# -- the suite ----------------------------------------------------------------------------------------------------


def load_suite(path: Path = PERSONAS) -> Json:
    """The persona file; refuses a persona whose stated weekday is not its date's.

    Raises
    ------
    ValueError
        For a wrong weekday or a repeated persona id.
    """
    suite: Json = json.loads(path.read_text(encoding="utf-8"))
    ids = [persona["id"] for persona in suite["personas"]]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{path}: repeated persona ids {sorted(i for i, n in Counter(ids).items() if n > 1)}")
    for persona in suite["personas"]:
        request = persona["request"]
        weekday = dt.date.fromisoformat(request["date"]).strftime("%A")
        if request.get("weekday") != weekday:
            raise ValueError(f"{persona['id']}: {request['date']} is a {weekday}, not a {request.get('weekday')}")
    return suite


def part_of_map(catalogue: Any, csv_path: Path = CATALOGUE_CSV) -> dict[str, str] | None:
    """``{place: its parent}`` from the loaded catalogue's ``part_of``, else the CSV's column (None: neither has it)."""
    found = {place.id: parent for place in catalogue.places if (parent := getattr(place, "part_of", None))}
    if found:
        return found
    with csv_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if "part_of" not in (reader.fieldnames or ()):
            return None
        return {row["id"]: row["part_of"].strip() for row in reader if (row.get("part_of") or "").strip()}


# -- measuring one itinerary ----------------------------------------------------------------------------------------


def _seconds(item: Json, name: str) -> float:
    """``item[name + "_s"]`` when present, else the ``HH:MM`` of ``item[name]``."""
    if f"{name}_s" in item:
        return float(item[f"{name}_s"])
    return float(parse_clock(str(item[name]), what=name, latest_s=None))


def _window(persona: Json) -> tuple[float, float]:
    start, end = persona["request"]["window"].split("-")
    return _seconds({"t": start}, "t"), _seconds({"t": end}, "t")


class Measure:
    """Measures itineraries (as JSON) with the current catalogue and router; one instance for both planners."""

    def __init__(self, city: Any, router: Any, suite: Json) -> None:
        self.router = router
        self.catalogue = city.catalogue
        self.hotels = suite["hotels"]
        self.part_of = part_of_map(city.catalogue)
        self._bus_cache: dict[tuple[Any, ...], bool] = {}

    def _point(self, stop: Json | None, place_id: str | None) -> tuple[float, float] | None:
        if place_id is not None:
            try:
                place = self.catalogue.get(place_id)
            except Exception:
                place = None
            if place is not None:
                return (place.lat, place.lon)
        if stop is not None and "lat" in stop and "lon" in stop:
            return (float(stop["lat"]), float(stop["lon"]))
        return None

    def bus_available(self, source: Json, target: Json, depart_s: float, walk_m: float) -> bool | None:
        """Whether the router has a bus journey that walks less than ``walk_m`` (None: an end has no point)."""
        origin = self._point(source.get("stop"), source.get("place_id"))
        destination = self._point(target.get("stop"), target.get("place_id"))
        if origin is None or destination is None:
            return None
        key = (origin, destination, int(depart_s) // 60, round(walk_m))
        if key not in self._bus_cache:
            from routing.errors import RoutingError

            try:
                plan = self.router.bus_route(
                    origin,
                    destination,
                    depart_s=int(depart_s),
                    from_place=source.get("place_id"),
                    to_place=target.get("place_id"),
                )
            except RoutingError:
                self._bus_cache[key] = False
            else:
                self._bus_cache[key] = any(j.rides >= 1 and j.walk_m < walk_m for j in plan.journeys)
        return self._bus_cache[key]

    def _ends(self, persona: Json, day: Json) -> tuple[Json, Json]:
        request = persona["request"]
        ends = []
        for name, text in (("start", request["start"]), ("end", request.get("end", request["start"]))):
            place_id = None if text.startswith("hotel:") else text
            stop = day.get(name) if isinstance(day.get(name), dict) else None
            if text.startswith("hotel:"):
                hotel = self.hotels[text.removeprefix("hotel:")]
                stop = {"lat": hotel["lat"], "lon": hotel["lon"]}
            ends.append({"place_id": place_id, "stop": stop})
        return ends[0], ends[1]

    def itinerary(self, persona: Json, answer: Json) -> Json:
        """The per-persona figures of one itinerary (see the module docstring)."""
        request = persona["request"]
        mode = request.get("mode", "bus")
        window_start_s, window_end_s = _window(persona)
        budget_km = float(request.get("max_walk_day_m", WALK_BUDGET_KM[request.get("pace", "normal")] * 1000)) / 1000
        warnings = [str(text) for text in answer.get("warnings", [])]
        days = answer["days"]
        visited: set[str] = set()
        days_of: dict[str, set[int]] = {}
        walk_km: list[float] = []
        over_budget = long_legs = long_legs_bus = long_legs_unchecked = 0
        meals_due = meals_missing = meals_warned = 0
        runs = food_pairs = visits = craft = 0
        at_places_s = 0.0
        dinners: list[bool] = []
        back_by_bus: list[bool] = []
        for number, day in enumerate(days, start=1):
            stops = day.get("visits", [])
            legs = day.get("legs", [])
            for visit in stops:
                visited.add(visit["place_id"])
                days_of.setdefault(visit["place_id"], set()).add(number)
                at_places_s += _seconds(visit, "end") - _seconds(visit, "start")
            plain = [visit for visit in stops if visit.get("kind", "visit") == "visit"]
            visits += len(plain)
            craft += sum("craft_village" in visit.get("categories", ()) for visit in plain)
            runs += _same_kind_runs(plain)
            food_pairs += _food_repeat_pairs(stops)
            km = float(day.get("totals", {}).get("walk_km", sum(float(leg.get("walk_m", 0)) for leg in legs) / 1000))
            walk_km.append(km)
            over_budget += mode == "bus" and km > budget_km + 1e-9
            kinds = {visit.get("kind") for visit in stops}
            dinners.append("dinner" in kinds)
            for meal, (meal_from_s, meal_to_s) in MEALS.items():
                if window_start_s <= meal_from_s and meal_to_s <= window_end_s:
                    meals_due += 1
                    if meal not in kinds:
                        meals_missing += 1
                        meals_warned += _warned(warnings, meal, number, len(days))
            if legs and window_start_s >= EVENING_FROM_S and mode == "bus":
                back_by_bus.append(legs[-1].get("mode") == "bus")
            if mode != "bus":
                continue
            start, end = self._ends(persona, day)
            hops = [start, *({"place_id": v["place_id"], "stop": v} for v in stops), end]
            for index, leg in enumerate(legs):
                if leg.get("mode") != "walk" or float(leg.get("walk_m", 0)) <= LONG_WALK_M:
                    continue
                long_legs += 1
                if len(legs) != len(hops) - 1:
                    long_legs_unchecked += 1
                    continue
                available = self.bus_available(
                    hops[index], hops[index + 1], _seconds(leg, "depart"), float(leg["walk_m"])
                )
                long_legs_bus += bool(available)
                long_legs_unchecked += available is None
        n_days = max(len(days), 1)
        signature = sorted(set(SIGNATURE_SIGHTS) & visited)
        duplicates = None
        if self.part_of is not None:
            duplicates = sum(1 for place in visited if _ancestors(place, self.part_of) & visited)
        return {
            "days": len(days),
            "visits": visits,
            "visits_per_day": round(visits / n_days, 2),
            "signature_sights": len(signature),
            "signature_share": round(len(signature) / len(SIGNATURE_SIGHTS), 2) if persona.get("first_time") else None,
            "craft_village_visits": craft,
            "walk_km_per_day": [round(km, 2) for km in walk_km],
            "walk_budget_km": budget_km,
            "bus_days_over_walk_budget": over_budget,
            "long_walk_legs": long_legs if mode == "bus" else None,
            "long_walk_legs_with_bus": long_legs_bus if mode == "bus" else None,
            "long_walk_legs_unchecked": long_legs_unchecked,
            "meals_due": meals_due,
            "meals_missing": meals_missing,
            "meals_missing_warned": meals_warned,
            "dinner_every_day": all(dinners) if dinners else False,
            "part_of_duplicates": duplicates,
            "repeated_across_days": sum(1 for days_seen in days_of.values() if len(days_seen) > 1),
            "same_kind_runs": runs,
            "food_repeat_pairs": food_pairs,
            "time_at_places_share": round(at_places_s / (n_days * (window_end_s - window_start_s)), 3),
            "evening_back_by_bus": all(back_by_bus) if back_by_bus else None,
            "warnings": len(warnings),
            "warning_texts": warnings,
        }


def _ancestors(place: str, part_of: dict[str, str]) -> set[str]:
    found: set[str] = set()
    while (parent := part_of.get(place)) is not None and parent not in found:
        found.add(parent)
        place = parent
    return found


def _same_kind_runs(visits: list[Json]) -> int:
    """Runs of three or more consecutive visits whose first category is the same."""
    firsts = [(visit.get("categories") or [""])[0] for visit in visits]
    runs, length = 0, 0
    for index, first in enumerate(firsts):
        length = length + 1 if index and first == firsts[index - 1] else 1
        runs += length == 3
    return runs


def _food_repeat_pairs(stops: list[Json]) -> int:
    """Consecutive food/drink stops (meals included) with the very same categories."""
    pairs = 0
    for before, after in itertools.pairwise(stops):
        first, second = set(before.get("categories", ())), set(after.get("categories", ()))
        pairs += first == second and bool(first) and first <= FOOD_CATEGORIES
    return pairs


def _warned(warnings: Iterable[str], meal: str, day: int, days: int) -> bool:
    """A warning names the meal (or meals) and, on a trip of several days, the day."""
    for text in warnings:
        lowered = text.lower()
        if (meal in lowered or "meal" in lowered) and (days == 1 or f"day {day}" in lowered):
            return True
    return False


# -- one planner over the suite ---------------------------------------------------------------------------------------


def measure_rows(measure: Measure, suite: Json, planned: list[Json]) -> list[Json]:
    """One row per persona: its planned answer's figures, latency, bytes per day, or its error."""
    by_id = {row["id"]: row for row in planned}
    rows = []
    for persona in suite["personas"]:
        result = by_id[persona["id"]]
        row: Json = {"id": persona["id"], "group": persona["group"], "mode": persona["request"].get("mode", "bus")}
        timings = result["latency_ms"]
        row["latency_ms_p50"] = round(float(np.median(timings)), 1) if timings else None
        if result["itinerary"] is None:
            row["error"] = f"{result['error']['type']}: {result['error']['message']}"
        else:
            row["error"] = None
            row.update(measure.itinerary(persona, result["itinerary"]))
            row["bytes_per_day"] = round(result["bytes"] / max(row["days"], 1))
        rows.append(row)
    return rows


def overall(rows: list[Json], planned: list[Json], suite: Json) -> Json:
    """The suite's figures: sums of counts, means of shares, latency percentiles over every timed call."""
    edge_ids = {persona["id"] for persona in suite["personas"] if persona["group"] == "edge"}
    ok = [row for row in rows if row["error"] is None and row["id"] not in edge_ids]
    one_day = {persona["id"] for persona in suite["personas"] if persona["request"].get("days", 1) == 1}
    timings = [t for row in planned if row["id"] not in edge_ids for t in row["latency_ms"]]
    one_day_timings = [t for row in planned if row["id"] in one_day - edge_ids for t in row["latency_ms"]]
    day_km = [km for row in ok for km in row["walk_km_per_day"]]
    bus_rows = [row for row in ok if row["mode"] == "bus"]
    total_days = sum(row["days"] for row in ok)
    duplicates = [row["part_of_duplicates"] for row in ok]

    def total(name: str, rows_: list[Json] = ok) -> int:
        return int(sum(row[name] or 0 for row in rows_))

    shares = [row["signature_share"] for row in ok if row["signature_share"] is not None]
    evening = [row["evening_back_by_bus"] for row in ok if row["evening_back_by_bus"] is not None]
    return {
        "personas": len(rows) - len(edge_ids),
        "planned": len(ok),
        "refused": [row["id"] for row in rows if row["error"] is not None and row["id"] not in edge_ids],
        "days": total_days,
        "visits_per_day": round(total("visits") / max(total_days, 1), 2),
        "signature_share_first_time": round(float(np.mean(shares)), 3) if shares else None,
        "walk_km_per_day": {
            "mean": round(float(np.mean(day_km)), 2) if day_km else 0.0,
            "max": round(max(day_km, default=0.0), 2),
        },
        "bus_days_over_walk_budget": total("bus_days_over_walk_budget"),
        "bus_days": sum(row["days"] for row in bus_rows),
        "long_walk_legs_bus_mode": total("long_walk_legs", bus_rows),
        "long_walk_legs_with_bus": total("long_walk_legs_with_bus", bus_rows),
        "long_walk_legs_unchecked": total("long_walk_legs_unchecked", bus_rows),
        "meals_due": total("meals_due"),
        "meals_missing": total("meals_missing"),
        "meals_missing_warned": total("meals_missing_warned"),
        "part_of_duplicates": None if any(d is None for d in duplicates) else int(sum(duplicates)),
        "repeated_across_days": total("repeated_across_days"),
        "same_kind_runs": total("same_kind_runs"),
        "food_repeat_pairs": total("food_repeat_pairs"),
        "time_at_places_share": round(float(np.mean([row["time_at_places_share"] for row in ok])), 3) if ok else None,
        "bytes_per_day": {
            "mean": round(float(np.mean([row["bytes_per_day"] for row in ok]))) if ok else 0,
            "max": max((row["bytes_per_day"] for row in ok), default=0),
        },
        "evening_bus_days_back_by_bus": f"{sum(evening)}/{len(evening)}",
        "latency": percentiles_ms(timings, digits=1),
        "latency_one_day": percentiles_ms(one_day_timings, digits=1),
    }


def criteria(rows: list[Json], summary: Json, suite: Json) -> list[Json]:
    """One line per "Done when" criterion of issue 11: ``pass`` true/false, or null when not measured here."""
    by_id = {row["id"]: row for row in rows}

    def row(persona: str) -> Json:
        return by_id.get(persona) or {"error": "not in the suite"}

    lines: list[Json] = []

    def add(name: str, passed: bool | None, detail: str) -> None:  # noqa: FBT001 - a table row, positional by design
        lines.append({"criterion": name, "pass": passed, "detail": detail})

    first = row("first-day-heritage")
    got = first.get("signature_sights", 0) if first["error"] is None else 0
    add("one-day heritage plan: >= 5 of the 10 signature sights", got >= 5, f"{got}/10")
    broad = row("three-day-broad")
    sights, craft = (
        (broad.get("signature_sights", 0), broad.get("craft_village_visits", 0)) if not broad["error"] else (0, 0)
    )
    add(
        "three-day broad plan: >= 8 signature sights and a craft village",
        sights >= 8 and craft >= 1,
        f"{sights}/10 sights, {craft} craft village visits",
    )
    duplicates = summary["part_of_duplicates"]
    add(
        "0 part-of duplicates",
        None if duplicates is None else duplicates == 0,
        "the catalogue has no part_of data yet: not measured" if duplicates is None else str(duplicates),
    )
    add("0 places repeated across days", summary["repeated_across_days"] == 0, str(summary["repeated_across_days"]))
    unwarned = summary["meals_missing"] - summary["meals_missing_warned"]
    add(
        "0 missing meals without a warning",
        unwarned == 0,
        f"{summary['meals_missing']} missing of {summary['meals_due']} due, {unwarned} without a warning",
    )
    over = summary["bus_days_over_walk_budget"]
    add(
        "bus-mode walking within the pace's budget every day",
        over == 0,
        f"{over} of {summary['bus_days']} bus days over",
    )
    avoidable = summary["long_walk_legs_with_bus"]
    add(
        "no walk leg > 1.5 km in bus mode where a bus journey exists",
        avoidable == 0 and summary["long_walk_legs_unchecked"] == 0,
        f"{summary['long_walk_legs_bus_mode']} such legs, {avoidable} with a bus journey, "
        f"{summary['long_walk_legs_unchecked']} unchecked",
    )
    most = summary["bytes_per_day"]["max"]
    add(f"at most {MAX_BYTES_PER_DAY // 1000} KB of JSON a day", most <= MAX_BYTES_PER_DAY, f"max {most} bytes/day")
    evening = row("evening-tay-ho")
    if evening["error"] is None:
        ok = evening["visits"] >= 4 and evening["dinner_every_day"] and bool(evening["evening_back_by_bus"])
        detail = (
            f"{evening['visits']} visits, dinner {evening['dinner_every_day']}, "
            f"back by bus {evening['evening_back_by_bus']}"
        )
    else:
        ok, detail = False, str(evening["error"])
    add("evening 15:00-22:30 bus day from Tây Hồ: >= 4 visits, a dinner, back by bus", ok, detail)
    edge = [r for r in rows if r["group"] == "edge"]
    named = [r["id"] for r in edge if r["error"] is not None or r.get("warnings", 0) > 0]
    add(
        "bad input -> a specific warning or error",
        len(named) == len(edge),
        f"{len(named)}/{len(edge)} edge personas name a constraint",
    )
    add("speed: one-day p50 <= 100 ms, p95 <= 300 ms over 200 random requests", None, "measured by bench/plan")
    add("OPTW benchmark figures unchanged", None, "measured by bench/optw")
    return lines


# -- the baseline -----------------------------------------------------------------------------------------------------


def baseline_plans(ref: str, *, repeat: int, personas: Path = PERSONAS) -> Json:
    """Plan the suite with the planner of commit ``ref``: a temporary worktree, its bundle cached under bundles/."""
    commit, tree, measured = baseline_run(
        ref, ["-P", str(RUNNER), "--personas", str(personas), "--repeat", str(repeat)]
    )
    result: Json = json.loads(measured.stdout)
    if not result["code"].startswith(str(tree)):
        raise RuntimeError(f"the baseline ran {result['code']}, not the worktree {tree}")
    result["commit"] = commit
    result["wall_s"] = round(measured.wall_s, 1)
    return result


# -- output -----------------------------------------------------------------------------------------------------------


def run(city: Any, *, baseline: str | None, repeat: int, personas: Path = PERSONAS) -> Json:
    """Plan and measure the suite with the current planner and, unless ``baseline`` is None, that commit's."""
    from routing.city_router import CityRouter

    suite = load_suite(personas)
    router = CityRouter(city.bundle)
    measure = Measure(city, router, suite)
    warm_up_s = warm_up(city, router, suite)
    planned = plan_personas(city, router, suite, repeat=repeat)
    rows = measure_rows(measure, suite, planned)
    summary = overall(rows, planned, suite)
    result: Json = {
        "bench": "plan_quality",
        "personas": len(suite["personas"]),
        "repeat": repeat,
        "signature_sights": list(SIGNATURE_SIGHTS),
        "part_of_data": measure.part_of is not None,
        "current": {"warm_up_s": round(warm_up_s, 2), "overall": summary, "criteria": criteria(rows, summary, suite)},
        "baseline": None,
        "rows": {"current": rows},
    }
    if baseline is not None:
        old = baseline_plans(baseline, repeat=repeat, personas=personas)
        old_rows = measure_rows(measure, suite, old["rows"])
        old_summary = overall(old_rows, old["rows"], suite)
        result["baseline"] = {
            "commit": old["commit"],
            "bundle": Path(old["bundle"]).name,
            "wall_s": old["wall_s"],
            "warm_up_s": round(old["warm_up_s"], 2),
            "overall": old_summary,
            "criteria": criteria(old_rows, old_summary, suite),
        }
        result["rows"]["baseline"] = old_rows
    return result


_COLUMNS = (
    ("visits/day", "visits_per_day"),
    ("sights", "signature_sights"),
    ("walk km/day", "walk_km_per_day"),
    (">1.5 km walks (bus)", "long_walk_legs"),
    ("no meal (warned)", "meals_missing"),
    ("part-of", "part_of_duplicates"),
    ("repeats", "repeated_across_days"),
    ("runs", "same_kind_runs"),
    ("food pairs", "food_repeat_pairs"),
    ("at places", "time_at_places_share"),
    ("KB/day", "bytes_per_day"),
    ("p50 ms", "latency_ms_p50"),
)


def _cell(row: Json | None, key: str) -> str:
    if row is None:
        return "-"
    if row["error"] is not None:
        return "error" if key == "visits_per_day" else ""
    value: Any = row.get(key)
    if key == "walk_km_per_day":
        return "/".join(f"{km:.1f}" for km in value)
    if key == "long_walk_legs":
        return "" if value is None else f"{value} ({row['long_walk_legs_with_bus']})"
    if key == "meals_missing":
        return f"{value} ({row['meals_missing_warned']})"
    if key == "bytes_per_day":
        return f"{value / 1000:.1f}"
    return "" if value is None else str(value)


def print_table(result: Json) -> None:
    """The result as rich tables: current | baseline per persona, the overall figures and the criteria."""
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(Console().width, 170))
    base_rows = {row["id"]: row for row in result["rows"].get("baseline", [])}
    table = Table(title="Plan quality per persona (a dim row: the baseline)")
    table.add_column("persona", no_wrap=True)
    for title, _ in _COLUMNS:
        table.add_column(title, justify="right")
    for row in result["rows"]["current"]:
        table.add_row(row["id"], *(_cell(row, key) for _, key in _COLUMNS))
        if row["id"] in base_rows:
            old = base_rows[row["id"]]
            table.add_row("", *(_cell(old, key) for _, key in _COLUMNS), style="dim")
    console.print(table)
    summary = Table(title="Overall")
    summary.add_column("figure")
    summary.add_column("current", justify="right")
    if result["baseline"]:
        summary.add_column(f"baseline {result['baseline']['commit']}", justify="right")
    for key, value in result["current"]["overall"].items():
        cells = [json.dumps(value, ensure_ascii=False)]
        if result["baseline"]:
            cells.append(json.dumps(result["baseline"]["overall"][key], ensure_ascii=False))
        summary.add_row(key, *cells)
    console.print(summary)
    checks = Table(title="Issue 11, Done when")
    checks.add_column("criterion")
    checks.add_column("current")
    if result["baseline"]:
        checks.add_column("baseline")
    marks = {True: "PASS", False: "FAIL", None: "n/a"}
    for index, line in enumerate(result["current"]["criteria"]):
        cells = [f"{marks[line['pass']]} {line['detail']}"]
        if result["baseline"]:
            old_line = result["baseline"]["criteria"][index]
            cells.append(f"{marks[old_line['pass']]} {old_line['detail']}")
        checks.add_row(line["criterion"], *cells)
    console.print(checks)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.plan_quality", description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=None, help="bundle directory (default: the current build)")
    parser.add_argument("--json", action="store_true", help="print JSON (default: tables)")
    parser.add_argument("--personas", type=Path, default=PERSONAS)
    parser.add_argument("--repeat", type=int, default=3, help="timed plans per persona")
    parser.add_argument("--baseline", default=DEFAULT_BASELINE, help="git commit of the baseline planner")
    parser.add_argument("--no-baseline", action="store_true", help="plan with the current planner only")
    args = parser.parse_args(argv)
    from api.city import default_bundle_path, open_city

    bundle = args.bundle or default_bundle_path()
    city = open_city(bundle)
    result = run(
        city, baseline=None if args.no_baseline else args.baseline, repeat=max(args.repeat, 1), personas=args.personas
    )
    result["bundle"] = bundle.name
    result["commit"] = git("rev-parse", "--short", "HEAD") + (
        " (and uncommitted changes)" if git("status", "--porcelain", "--untracked-files=no") else ""
    )
    if args.json:
        json.dump(result, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print_table(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
