"""Build time: the catalogue's walk and bus matrices (:class:`~routing.bundle.matrices.PlaceMatrices`).

One scipy Dijkstra per place anchor (batched) for the walks and the access stops; one one-to-all RAPTOR run per
origin place and period (:func:`routing.journeys.rows.stop_arrivals`), from the same request-time rows
(:class:`~routing.journeys.rows.TravelTimes`) the API answers with, so the two cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from scipy.sparse.csgraph import dijkstra

from routing.bundle.matrices import Float32Array, PlaceMatrices
from routing.errors import RoutingError
from routing.journeys.planner import BusPlanner
from routing.journeys.rows import SOURCES_PER_BATCH, TravelTimes
from routing.transit.timetable import Int64Array


def place_matrices(times: TravelTimes, *, periods: Sequence[str] | None = None) -> PlaceMatrices:
    """Walk and per-period bus matrices for the whole catalogue.

    One scipy Dijkstra per place anchor (batched) for the walks and the access stops; one one-to-all RAPTOR
    run per origin place and period. ``periods`` limits the bus matrices to those periods (default: all).

    Raises
    ------
    RoutingError
        If ``periods`` names a period the bus network does not have.
    """
    count = len(times.place_ids)
    anchors = times.place_anchors
    walk_m = np.full((count, count), np.inf)
    access: list[tuple[Int64Array, Int64Array]] = list(times.place_access_stops)
    on_places = np.flatnonzero(~times.place_off)
    for start in range(0, on_places.size, SOURCES_PER_BATCH):
        batch = on_places[start : start + SOURCES_PER_BATCH]
        distance = dijkstra(times.matrix, directed=True, indices=anchors.node[batch].ravel())
        for row, place in enumerate(batch):
            node_m = np.minimum(
                distance[2 * row] + anchors.offset_m[place, 0], distance[2 * row + 1] + anchors.offset_m[place, 1]
            )
            walk_m[place] = times.place_lengths(node_m, anchors, int(place))
            access[place] = times.access_stops(node_m, float(times.place_lat[place]), float(times.place_lon[place]))
    np.fill_diagonal(walk_m, 0.0)
    walk_m = np.where(np.isfinite(walk_m), walk_m, np.nan)
    walk_s = walk_m / times.speed_mps
    estimated = np.full((count, count), np.inf)
    for place in range(count):
        estimated[place] = times.estimated_walk_s(
            float(times.place_lat[place]), float(times.place_lon[place]), origin_off=bool(times.place_off[place])
        )
    walk_or_estimate = np.fmin(walk_s, estimated)
    departures = times.period_departures()
    if periods is not None:
        unknown = sorted(set(periods) - set(departures))
        if unknown:
            raise RoutingError(f"unknown service periods {unknown}; the network has {sorted(departures)}")
        departures = {name: departures[name] for name in periods}
    bus_s: dict[str, Float32Array] = {}
    for name, depart in departures.items():
        table = np.full((count, count), np.inf)
        for place in range(count):
            stops, seconds = access[place]
            table[place] = times.bus_place_s(times.stop_arrivals(stops, seconds, depart), depart)
        table = np.fmin(table, walk_or_estimate)
        np.fill_diagonal(table, 0.0)
        bus_s[name] = np.where(np.isfinite(table), table, np.nan).astype(np.float32)
    return PlaceMatrices(
        place_ids=times.place_ids,
        walk_m=walk_m.astype(np.float32),
        bus_s=bus_s,
        depart_s=departures,
        speed_mps=times.speed_mps,
    )


def build_place_matrices(
    planner: BusPlanner,
    places: Sequence[Mapping[str, Any]],
    place_access: Mapping[str, Mapping[str, Any]],
    *,
    speed_mps: float | None = None,
    max_access_m: float = 1000.0,
) -> PlaceMatrices:
    """The catalogue's walk and bus matrices (see :func:`place_matrices`).

    Raises
    ------
    BundleError
        If a place has no access record or a malformed one.
    RoutingError
        If a parameter is out of range.
    """
    times = TravelTimes(planner, places, place_access, speed_mps=speed_mps, max_access_m=max_access_m)
    return place_matrices(times)
