"""What a new line changes: door-to-door bus + walk times between sites with today's network and with the line.

For the evaluated places (by default every heritage place and CI centre), every ordered pair's door-to-door time
(walks, waits and rides; or walking, when faster) is computed on both networks with one one-to-all RAPTOR run
per origin and departure (``TravelTimes``, as the bundle's place matrices are built), never
one query per pair. Each pair's time is the mean over several departures spread over an hour of service, so a
line's waits count as a rider meets them (not only at the minute a bus leaves).

A pair is *improved* when the line saves at least ``improved_s`` (60 s). Sites served: catalogue places within
``serve_walk_m`` (400 m) on foot of a stop of the line.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from routing.build.matrices import place_matrices
from routing.bundle.load import CityBundle
from routing.errors import RoutingError
from routing.journeys.planner import BusPlanner
from routing.journeys.rows import TravelTimes
from routing.operators.line import LineSchedule
from routing.operators.network import ExtendedNetwork, add_line
from routing.transit.model import BusNetwork

PAIR_CATEGORIES = ("heritage", "ci_centre")
DEPARTURE_COUNT = 6
IMPROVED_S = 60.0
SERVE_WALK_M = 400.0


class _FixedDepartures(TravelTimes):
    """Travel times whose "periods" are given departure times (one bus matrix per departure)."""

    departures: dict[str, int]

    def period_departures(self) -> dict[str, int]:
        return dict(self.departures)


@dataclass(frozen=True)
class LineEvaluation:
    """Before/after door-to-door times between the evaluated places, summarised and per site."""

    place_ids: tuple[str, ...]
    place_names: tuple[str, ...]
    before_s: NDArray[np.float64]
    after_s: NDArray[np.float64]
    departures_s: tuple[int, ...]
    served: dict[str, list[dict[str, Any]]]
    improved_s: float
    timings_s: dict[str, float]

    def pair_mask(self) -> NDArray[np.bool_]:
        """Pairs compared: distinct places, both times known."""
        mask = np.isfinite(self.before_s) & np.isfinite(self.after_s)
        np.fill_diagonal(mask, val=False)
        return mask

    def summary(self) -> dict[str, Any]:
        """Mean, median, share of pairs improved (times in minutes)."""
        mask = self.pair_mask()
        before, after = self.before_s[mask], self.after_s[mask]
        saving = before - after
        count = len(self.place_ids)
        if not mask.any():
            return {"pairs": count * (count - 1), "pairs_compared": 0}
        return {
            "places": count,
            "pairs": count * (count - 1),
            "pairs_compared": int(mask.sum()),
            "departures": [f"{t // 3600:02d}:{t % 3600 // 60:02d}" for t in self.departures_s],
            "mean_before_min": round(float(before.mean()) / 60, 2),
            "mean_after_min": round(float(after.mean()) / 60, 2),
            "median_before_min": round(float(np.median(before)) / 60, 2),
            "median_after_min": round(float(np.median(after)) / 60, 2),
            "mean_saving_min": round(float(saving.mean()) / 60, 2),
            "max_saving_min": round(float(saving.max()) / 60, 2),
            "median_saving_min": round(float(np.median(saving)) / 60, 2),
            "share_improved": round(float((saving >= self.improved_s).mean()), 4),
            "improved_means_saving_at_least_s": self.improved_s,
            **self.touched_summary(),
        }

    def touched_mask(self) -> NDArray[np.bool_]:
        """Pairs the line touches: both places served (within the walk of a stop of the line)."""
        served = np.array([place_id in self.served for place_id in self.place_ids], dtype=bool)
        mask: NDArray[np.bool_] = self.pair_mask() & served[:, None] & served[None, :]
        return mask

    def touched_summary(self) -> dict[str, Any]:
        """Minutes saved and share improved over the pairs the line touches."""
        mask = self.touched_mask()
        if not mask.any():
            return {"touched_pairs": 0}
        saving = (self.before_s - self.after_s)[mask]
        return {
            "touched_pairs": int(mask.sum()),
            "touched_mean_saving_min": round(float(saving.mean()) / 60, 2),
            "touched_median_saving_min": round(float(np.median(saving)) / 60, 2),
            "touched_share_improved": round(float((saving >= self.improved_s).mean()), 4),
        }

    def savings_histogram(self, *, edges_min: Sequence[float] = (-5, 0, 1, 2, 5, 10, 15, 20, 30, 60)) -> dict[str, Any]:
        """Counts of pairs by minutes saved (all pairs and touched pairs), for the page's chart."""
        saving = (self.before_s - self.after_s) / 60
        bins = [-np.inf, *edges_min, np.inf]
        return {
            "edges_min": list(edges_min),
            "all": np.histogram(saving[self.pair_mask()], bins=bins)[0].tolist(),
            "touched": np.histogram(saving[self.touched_mask()], bins=bins)[0].tolist(),
        }

    def per_site(self) -> list[dict[str, Any]]:
        """Each place's mean time to and from the others, before and after, and its pairs improved."""
        mask = self.pair_mask()
        saving = np.where(mask, self.before_s - self.after_s, np.nan)
        rows = []
        for i, (place_id, name) in enumerate(zip(self.place_ids, self.place_names, strict=True)):
            both = np.concatenate((mask[i], mask[:, i]))
            if not both.any():
                continue
            before = np.concatenate((self.before_s[i], self.before_s[:, i]))[both]
            after = np.concatenate((self.after_s[i], self.after_s[:, i]))[both]
            gains = np.concatenate((saving[i], saving[:, i]))[both]
            rows.append(
                {
                    "place_id": place_id,
                    "name": name,
                    "served": place_id in self.served,
                    "mean_before_min": round(float(before.mean()) / 60, 2),
                    "mean_after_min": round(float(after.mean()) / 60, 2),
                    "mean_saving_min": round(float(gains.mean()) / 60, 2),
                    "pairs_improved": int((gains >= self.improved_s).sum()),
                }
            )
        return rows

    def top_sites(self, count: int = 5) -> list[dict[str, Any]]:
        """The ``count`` sites that gain most (largest mean saving)."""
        return sorted(self.per_site(), key=lambda row: (-row["mean_saving_min"], row["place_id"]))[:count]

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form: summary, sites served, top five, per site."""
        return {
            "summary": self.summary(),
            "sites_served": [{"place_id": place_id, "stops": stops} for place_id, stops in sorted(self.served.items())],
            "top_sites": self.top_sites(),
            "savings_histogram": self.savings_histogram(),
            "per_site": self.per_site(),
            "timings_s": {key: round(value, 3) for key, value in self.timings_s.items()},
        }


def default_departures(schedule: LineSchedule, bus: BusNetwork, *, count: int = DEPARTURE_COUNT) -> list[int]:
    """``count`` departures spread over one hour, from 10:00 if the line and the network both run then.

    Otherwise the hour starts where the line's service and a network period overlap (the middle of the line's
    hours as a last resort).
    """
    step = 3600 // count
    start = 10 * 3600
    spans = [(max(p.start_s, schedule.start_s), min(p.end_s, schedule.end_s)) for p in bus.periods]
    spans = [(a, b) for a, b in spans if b - a >= 3600]
    if spans and not any(a <= start and start + 3600 <= b for a, b in spans):
        start = spans[0][0]
    elif not spans:
        start = (schedule.start_s + schedule.end_s) // 2
    return [start + k * step for k in range(count)]


def evaluate_line(
    bundle: CityBundle,
    schedule: LineSchedule,
    *,
    categories: Sequence[str] = PAIR_CATEGORIES,
    place_ids: Sequence[str] = (),
    departures_s: Sequence[int] | None = None,
    planner: BusPlanner | None = None,
    improved_s: float = IMPROVED_S,
    serve_walk_m: float = SERVE_WALK_M,
    extended: ExtendedNetwork | None = None,
) -> LineEvaluation:
    """Door-to-door times between the evaluated places before and after adding the line.

    Parameters
    ----------
    bundle
        The city: today's network, the walk graph, the places (``id``, ``lat``, ``lon``, ``categories``) and
        their access records.
    schedule
        The line.
    categories, place_ids
        Places in any of these categories, and these places, are evaluated (every ordered pair).
    departures_s
        Departure times averaged over (default :func:`default_departures`).
    planner
        Today's planner if the caller has one (saves building it).
    improved_s
        Least saving that counts a pair as improved.
    serve_walk_m
        Walk that makes a place served by a stop.
    extended
        The network with the line already added (saves rebuilding it).

    Returns
    -------
    LineEvaluation

    Raises
    ------
    RoutingError
        If fewer than two places are in ``categories`` or a departure is outside every service period.
    """
    bus, timetable, transfers, walk = bundle.bus, bundle.timetable, bundle.transfers, bundle.walk
    stop_access, places, place_access = bundle.stop_access, bundle.places, bundle.place_access
    clock = time.perf_counter()
    timings: dict[str, float] = {}
    wanted = set(categories)
    explicit = set(place_ids)
    chosen = [p for p in places if wanted & set(p.get("categories", ())) or str(p["id"]) in explicit]
    if len(chosen) < 2:
        raise RoutingError(f"fewer than two places in the categories {sorted(wanted)} or given to evaluate")
    departures = list(departures_s) if departures_s is not None else default_departures(schedule, bus)
    if not departures or any(not (isinstance(t, int) and 0 <= t < 86_400) for t in departures):
        raise RoutingError(f"departures must be whole seconds within one day, got {departures}")
    names = {f"d{k}": int(t) for k, t in enumerate(departures)}

    before_planner = planner or BusPlanner(bus, timetable, transfers, walk, stop_access)
    timings["before_planner"] = time.perf_counter() - clock
    clock = time.perf_counter()
    network = extended or add_line(bus, timetable, walk, stop_access, schedule)
    after_planner = BusPlanner(network.bus, network.timetable, network.transfers, walk, network.stop_access)
    timings["after_network"] = time.perf_counter() - clock

    results: list[NDArray[np.float64]] = []
    for label, current in (("before", before_planner), ("after", after_planner)):
        clock = time.perf_counter()
        if any(current.service_starts_s(t) is None for t in departures):
            raise RoutingError(f"no bus service at one of the departures {departures}")
        times = _FixedDepartures(current, chosen, place_access)
        times.departures = names
        matrices = place_matrices(times)
        stack = np.stack([np.asarray(m, dtype=np.float64) for m in matrices.bus_s.values()])
        # A pair unreachable at any departure has no mean: NaN propagates.
        results.append(stack.mean(axis=0))
        timings[f"{label}_matrices"] = time.perf_counter() - clock

    clock = time.perf_counter()
    served = served_sites(after_planner, places, place_access, network.route_ids, serve_walk_m=serve_walk_m)
    timings["served_sites"] = time.perf_counter() - clock
    return LineEvaluation(
        place_ids=tuple(str(p["id"]) for p in chosen),
        place_names=tuple(str(p.get("name_en") or p.get("name") or p["id"]) for p in chosen),
        before_s=results[0],
        after_s=results[1],
        departures_s=tuple(departures),
        served=served,
        improved_s=improved_s,
        timings_s=timings,
    )


def served_sites(
    planner: BusPlanner,
    places: Sequence[Mapping[str, Any]],
    place_access: Mapping[str, Mapping[str, Any]],
    route_ids: Sequence[str],
    *,
    serve_walk_m: float = SERVE_WALK_M,
) -> dict[str, list[dict[str, Any]]]:
    """Places within ``serve_walk_m`` on foot of a stop of the given routes: place id -> [{stop_id, walk_m}].

    Walks are on the walk graph (off-network places: their estimated access walks), as the bus planner's
    egress walks are.
    """
    if not (math.isfinite(serve_walk_m) and serve_walk_m > 0):
        raise RoutingError(f"serve_walk_m must be a positive number, got {serve_walk_m}")
    timetable = planner.timetable
    wanted = {timetable.route_ids.index(route) for route in route_ids}
    pos_route = timetable.pos_route()
    line_stops = set(timetable.pos_stop[np.isin(pos_route, list(wanted))].tolist())
    times = TravelTimes(planner, places, place_access, max_access_m=serve_walk_m)
    stop, place, walk_s = times.egress_stop, times.egress_place, times.egress_walk_s
    served: dict[str, list[dict[str, Any]]] = {}
    for s, p, w in zip(stop.tolist(), place.tolist(), walk_s.tolist(), strict=True):
        walk_m = w * times.speed_mps
        if s in line_stops and walk_m <= serve_walk_m + times.speed_mps:  # + one second of ceil() rounding
            walk_m = min(walk_m, serve_walk_m)
            served.setdefault(times.place_ids[p], []).append(
                {"stop_id": timetable.stop_ids[s], "walk_m": round(walk_m)}
            )
    for entries in served.values():
        entries.sort(key=lambda e: (e["walk_m"], e["stop_id"]))
    return served
