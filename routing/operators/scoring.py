"""Cheap before/after scoring of candidate lines, with the same one-to-all RAPTOR the evaluation uses.

A search tries dozens of lines, so each try must cost a fraction of a second:

* every candidate stop is added to the network once (:func:`~routing.operators.network.add_stops`): stops
  without routes change no journey, and the foot transfers and access walks are then shared by all candidates;
* the "before" times are computed once; a candidate only adds its routes to the timetable
  (:func:`~routing.operators.network.with_line`) and re-runs RAPTOR from the origins within ``max_access_m``
  of one of its stops (a journey that rides the line boards it on foot from the origin or after another bus;
  the second kind is left out of the search's estimate and counted by the final evaluation);
* departures are spread evenly over one headway, so the wait for the line counts as riders meet it.

Origins are weighted points (a site and its popularity for visitors, a ward and its population for
residents); destinations are catalogue places with weights. The benefit of a line is the weighted mean of
the minutes saved over every origin-destination pair (an origin is not its own destination).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from routing.bundle.load import CityBundle
from routing.errors import RoutingError, TooFarFromStreetError
from routing.geo import haversine_m
from routing.journeys.planner import BusPlanner
from routing.journeys.rows import TravelTimes, stop_arrivals
from routing.journeys.search import SearchIndex
from routing.operators.line import LineSchedule, LineStop
from routing.operators.network import ExtendedNetwork, add_stops, with_line

IMPROVED_S = 60.0


@dataclass(frozen=True)
class Origin:
    """A weighted point journeys start from: a site (visitors) or a ward's or commune's population (residents)."""

    origin_id: str
    name: str
    lat: float
    lon: float
    weight: float
    place_id: str | None = None
    """The catalogue place this origin is (its pair with itself is not counted)."""
    weight_estimated: bool = False
    """True where the weight is an estimate (a ward without a population figure, weighted by its area)."""


class _SwitchableTimes(TravelTimes):
    """Travel times whose RAPTOR index can be swapped for a candidate's (same stops, more routes)."""

    search_index: SearchIndex | None = None

    def stop_arrivals(self, access_stops: Any, access_walk_s: Any, depart_s: int) -> Any:
        return stop_arrivals(
            self.search_index or self.index,
            depart_s,
            access_stops=access_stops,
            access_walk_s=access_walk_s,
            max_rides=self.max_rides,
            change_s=self.min_change_s,
        )


@dataclass(frozen=True)
class Score:
    """A candidate's benefit: times in seconds (origins x destinations, mean over the departures)."""

    after_s: NDArray[np.float64]
    benefit_min: float
    """Weighted mean minutes saved over all pairs."""
    touched_pairs: int
    touched_mean_min: float
    """Mean minutes saved over the pairs whose origin was re-run (near a stop of the line)."""


class LineScorer:
    """Before/after door-to-door times from weighted origins to weighted destinations (see the module docstring).

    Raises
    ------
    RoutingError
        If fewer than one origin can be placed on the walk network or no destination is given.
    """

    def __init__(
        self,
        bundle: CityBundle,
        candidate_stops: Sequence[LineStop],
        origins: Sequence[Origin],
        destinations: Sequence[Mapping[str, Any]],
        destination_weights: Sequence[float],
        *,
        departures_s: Sequence[int],
        max_access_m: float = 1000.0,
    ) -> None:
        if not destinations:
            raise RoutingError("no destination to score the line on")
        self.canvas: ExtendedNetwork = add_stops(
            bundle.bus, bundle.timetable, bundle.walk, bundle.stop_access, candidate_stops
        )
        canvas = self.canvas
        planner = BusPlanner(canvas.bus, canvas.timetable, canvas.transfers, bundle.walk, canvas.stop_access)
        self.times = _SwitchableTimes(
            planner, destinations, bundle.place_access, max_access_m=max_access_m, walk_index=bundle.walk_index
        )
        self.max_access_m = max_access_m
        self.departures_s = tuple(int(t) for t in departures_s)
        self.destination_ids = tuple(str(d["id"]) for d in destinations)
        self.skipped_origins: list[Origin] = []
        kept: list[Origin] = []
        rows: list[NDArray[np.float64]] = []
        walk = bundle.walk
        for origin in origins:
            try:
                rows.append(self._row(origin))
            except TooFarFromStreetError:
                # a ward's inner point in fields: start from its nearest street node instead
                nearest = int(np.argmin(haversine_m(origin.lat, origin.lon, walk.node_lat, walk.node_lon)))
                origin = dataclasses.replace(  # noqa: PLW2901
                    origin, lat=float(walk.node_lat[nearest]), lon=float(walk.node_lon[nearest])
                )
                rows.append(self._row(origin))
            except RoutingError:
                self.skipped_origins.append(origin)  # outside the area the bundle covers
                continue
            kept.append(origin)
        if not kept:
            raise RoutingError("no origin of the objective lies on the walk network")
        self.origins = tuple(kept)
        self.before_s = np.vstack(rows)
        self.origin_lat = np.array([o.lat for o in kept])
        self.origin_lon = np.array([o.lon for o in kept])
        weights = np.outer([o.weight for o in kept], np.asarray(destination_weights, dtype=np.float64))
        position = {place_id: j for j, place_id in enumerate(self.destination_ids)}
        for i, origin in enumerate(kept):
            if origin.place_id in position:
                weights[i, position[origin.place_id]] = 0.0
        self.weights = np.where(np.isfinite(self.before_s), weights, 0.0)

    def _row(self, origin: Origin) -> NDArray[np.float64]:
        rows = [self.times.reach(origin.lat, origin.lon, mode="bus", depart_s=t).place_s for t in self.departures_s]
        return np.asarray(np.mean(rows, axis=0), dtype=np.float64)

    def touched(self, schedule: LineSchedule) -> NDArray[np.intp]:
        """Origins within ``max_access_m`` (straight line, a lower bound of the walk) of a stop of the line."""
        lat = np.array([s.lat for s in schedule.stops])
        lon = np.array([s.lon for s in schedule.stops])
        distance = haversine_m(self.origin_lat[:, None], self.origin_lon[:, None], lat[None, :], lon[None, :])
        return np.flatnonzero(distance.min(axis=1) <= self.max_access_m)

    def score(self, schedule: LineSchedule) -> Score:
        """The candidate's after times and benefit (its stops must be among the candidate stops)."""
        extended = with_line(self.canvas, schedule)
        self.times.search_index = SearchIndex.build(extended.timetable, extended.transfers)
        after = self.before_s.copy()
        rows = self.touched(schedule)
        try:
            for i in rows.tolist():
                after[i] = np.fmin(self._row(self.origins[i]), self.before_s[i])
        finally:
            self.times.search_index = None
        saving = np.nan_to_num(self.before_s - after, nan=0.0)
        total = float(self.weights.sum())
        benefit = float((saving * self.weights).sum() / total) / 60 if total > 0 else 0.0
        touched_weights = self.weights[rows]
        touched = touched_weights > 0
        touched_mean = float(saving[rows][touched].mean()) / 60 if touched.any() else 0.0
        return Score(
            after_s=after, benefit_min=benefit, touched_pairs=int(touched.sum()), touched_mean_min=touched_mean
        )


def spread_departures(headway_s: int, *, first_s: int = 10 * 3600, count: int = 3) -> list[int]:
    """``count`` departures spread evenly over one headway from ``first_s`` (whole seconds)."""
    if count < 1 or not math.isfinite(headway_s) or headway_s <= 0:
        raise RoutingError(f"need a positive headway and count, got {headway_s}, {count}")
    return [first_s + round(k * headway_s / count) for k in range(count)]
