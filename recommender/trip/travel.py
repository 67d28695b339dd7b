"""Travel times between a trip's nodes (start, end, candidate places), per period of the day.

Place-to-place times come from the bundle's precomputed matrices; the traveller's own start and end (a
hotel) get their rows from one-to-many searches on request. A walk longer than the per-leg maximum is not
allowed: the leg then takes the bus where the bundle's bus time is a real bus journey (faster than
walking), and is impossible otherwise. Outside bus service hours only walking is possible.

Two approximations, both corrected when the plan's legs are expanded and re-timed: the bus times of a
period are those of its representative departure, and the time from a place to a traveller's own end
point is taken as the time from that point to the place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from recommender.locate import Location
from recommender.trip.request import TravelMode
from recommender.trip.value import (
    BOARDING_COST_S,
    BUS_LEG_WALK_M,
    BUS_TRANSFER_WALK_M,
    WALK_MODE_LONGEST_WALK_M,
    heat_share,
    walk_reluctance,
)
from routing import CityRouter, RoutingError

FloatArray = NDArray[np.float64]

UNREACHABLE_S = 1.0e6
"""Travel time of a leg that cannot be made: longer than any day, so no plan uses it."""
_FASTER_BY_S = 1.0
"""A bus time counts as a real bus journey when it beats walking by at least this."""
BUS_MARGIN: Final[float] = 1.1
BUS_MARGIN_S: Final[float] = 180.0
"""A bus leg is planned at 1.1 x its matrix time + 3 min: the matrices hold the time for one representative
departure per period, and a departure at another moment may wait longer for its bus."""
SLOWER_BUS_FACTOR: Final[float] = 1.3
"""A hop too long to walk, served by buses that are slower than walking at that time of day, is planned at 1.3 x the
walking time + 3 min (the matrices keep only "no faster than walking"; the leg is routed at its real time when the
day is expanded). Before, such hops (a hotel in Cát Linh to Trấn Quốc at midday: 2.8 km on foot, 50 min by bus)
could not be made at all, and sights a few kilometres apart dropped out of plans."""


@dataclass(frozen=True)
class PeriodMatrices:
    """Node-to-node seconds per period (``period_start_s[p]`` onwards) and node-to-node walking metres.

    ``leg_walk_m`` is the walking each leg is expected to take as planned: the street walk where the leg is walked
    in the busiest period of the day, an estimate of the walks to and from the stops where it takes the bus.
    """

    seconds: FloatArray  # (periods, n, n)
    period_start_s: FloatArray  # (periods,)
    walk_m: FloatArray  # (n, n), inf where no street walk
    leg_walk_m: FloatArray  # (n, n), finite


@dataclass(frozen=True)
class EndpointRows:
    """Times and walks from the start to every catalogue place, and from every place to the end."""

    walk_from_start_m: FloatArray
    walk_to_end_m: FloatArray
    bus_from_start_s: dict[str, FloatArray]
    bus_to_end_s: dict[str, FloatArray]
    start_to_end_walk_m: float
    start_to_end_bus_s: dict[str, float]


def endpoint_rows(
    router: CityRouter, start: Location, end: Location, *, mode: TravelMode, periods: dict[str, int]
) -> EndpointRows:
    """One-to-many rows for the trip's start and end (the matrix row when the point is a catalogue place).

    Raises
    ------
    routing.errors.RoutingError
        If a point is outside the area or too far from any street (the error names the point).
    """
    walk_from = _walk_row(router, start)
    walk_to = walk_from if end == start else _walk_row(router, end)
    bus_from: dict[str, FloatArray] = {}
    bus_to: dict[str, FloatArray] = {}
    if mode is TravelMode.BUS:
        for name, depart_s in periods.items():
            bus_from[name] = _bus_row(router, start, name, depart_s)
            bus_to[name] = bus_from[name] if end == start else _bus_row(router, end, name, depart_s, column=True)
    between_walk = _point_to_point_walk_m(router, start, end, walk_from)
    between_bus = (
        {name: _point_to_point_bus_s(router, start, end, depart_s, between_walk) for name, depart_s in periods.items()}
        if mode is TravelMode.BUS
        else {}
    )
    return EndpointRows(walk_from, walk_to, bus_from, bus_to, between_walk, between_bus)


def _walk_row(router: CityRouter, point: Location) -> FloatArray:
    matrices = router.bundle.matrices
    if point.place is not None and point.place.id in matrices.place_ids:
        index = matrices.index(point.place.id)
        row = np.where(np.isfinite(matrices.walk_m[index]), matrices.walk_m[index], np.inf).astype(np.float64)
        row[index] = 0.0  # already there, even at a place off the street network
        return row
    seconds = router.travel_times.one_to_many(point.lat, point.lon, mode="walk")
    metres = np.asarray(seconds, dtype=np.float64) * matrices.speed_mps
    return np.where(np.isfinite(metres), metres, np.inf)


def _bus_row(router: CityRouter, point: Location, period: str, depart_s: int, *, column: bool = False) -> FloatArray:
    matrices = router.bundle.matrices
    if point.place is not None and point.place.id in matrices.place_ids:
        index = matrices.index(point.place.id)
        table = matrices.bus_s[period]
        found = table[:, index] if column else table[index]
        row: FloatArray = np.where(np.isfinite(found), found, np.inf).astype(np.float64)
        row[index] = 0.0
        return row
    seconds = np.asarray(
        router.travel_times.one_to_many(point.lat, point.lon, mode="bus", depart_s=depart_s), dtype=np.float64
    )
    return np.where(np.isfinite(seconds), seconds, np.inf)


def _point_to_point_walk_m(router: CityRouter, start: Location, end: Location, walk_from: FloatArray) -> float:
    if end == start:
        return 0.0
    matrices = router.bundle.matrices
    if end.place is not None and end.place.id in matrices.place_ids:
        return float(walk_from[matrices.index(end.place.id)])
    try:
        journey = router.walk.route(start.lat, start.lon, end.lat, end.lon)
    except RoutingError:  # no walk between the two points
        return float("inf")
    return journey.length_m + journey.snap_from_m + journey.snap_to_m


def _point_to_point_bus_s(router: CityRouter, start: Location, end: Location, depart_s: int, walk_m: float) -> float:
    walk_s = walk_m / router.bundle.matrices.speed_mps
    if end == start:
        return 0.0
    try:
        plan = router.bus_route((start.lat, start.lon), (end.lat, end.lon), depart_s=depart_s)
    except RoutingError:  # no bus: walking (or nothing) remains
        return walk_s
    return min(walk_s, float(plan.best.arrive_s - depart_s))


def node_matrices(
    router: CityRouter,
    place_rows: NDArray[np.int64],
    rows: EndpointRows,
    *,
    mode: TravelMode,
    max_walk_leg_m: float,
    buffer_s: float,
    rain: bool = False,
    window_s: tuple[float, float] = (0.0, 86_400.0),
) -> PeriodMatrices:
    """Matrices over nodes ``[start, end, places...]`` (``place_rows``: each place's row in the bundle matrices).

    In bus mode each hop takes the bus when the bus beats the walk as it is felt
    (:func:`recommender.trip.value.walk_reluctance`: long, midday or rainy walks feel longer), and is timed as
    the mode it takes. The buffer (the pace's slack) is added to every leg between different nodes.
    """
    matrices = router.bundle.matrices
    speed = matrices.speed_mps
    count = place_rows.size + 2
    walk_m = np.full((count, count), np.inf)
    block = matrices.walk_m[np.ix_(place_rows, place_rows)].astype(np.float64)
    walk_m[2:, 2:] = np.where(np.isfinite(block), block, np.inf)
    walk_m[0, 2:] = rows.walk_from_start_m[place_rows]
    walk_m[2:, 1] = rows.walk_to_end_m[place_rows]
    walk_m[0, 1] = rows.start_to_end_walk_m
    walk_m[1, 0] = rows.start_to_end_walk_m
    walk_m[2:, 0] = rows.walk_from_start_m[place_rows]
    walk_m[1, 2:] = rows.walk_to_end_m[place_rows]
    np.fill_diagonal(walk_m, 0.0)
    walk_s = walk_m / speed
    allowed = walk_m <= max_walk_leg_m

    walk_allowed_s = np.where(allowed, walk_s, np.inf)
    if mode is TravelMode.WALK:
        seconds = _finish(walk_allowed_s, buffer_s)[None, :, :]
        return PeriodMatrices(seconds, np.zeros(1), walk_m, np.where(np.isfinite(walk_m), walk_m, 0.0))
    periods = router.periods
    layers = [_finish(walk_allowed_s, buffer_s)]
    starts = [0.0]
    bus_walk_m = _bus_leg_walk_m(router, place_rows)
    leg_walk_m: FloatArray | None = None
    tables = [_bus_table(matrices.bus_s[period.name], place_rows, rows, period.name) for period in periods]
    # The bundle's bus times are never slower than walking; only a strictly faster one is a real bus.
    faster = [table < walk_s - _FASTER_BY_S for table in tables]
    # A hop too long to walk whose bus is faster than walking at some time of the day is served by buses; when
    # they are slower than the walk (their stops lie off the way), the bus is still how the traveller goes.
    served = np.logical_or.reduce(faster) & ~allowed & np.isfinite(walk_s)
    for period, bus, is_faster in zip(periods, tables, faster, strict=True):
        real_bus = np.where(is_faster, bus * BUS_MARGIN + BUS_MARGIN_S, np.inf)
        if not period.timed_at_end:  # full daytime service; in the evening a slower bus may be no bus at all
            real_bus = np.where(served & ~is_faster, walk_s * SLOWER_BUS_FACTOR + BUS_MARGIN_S, real_bus)
        factor = walk_reluctance(
            np.where(allowed, walk_m, 0.0), heat_share=heat_share(period.start_s, period.end_s), rain=rain
        )
        walk_wins = np.isfinite(walk_allowed_s) & (walk_allowed_s * factor <= real_bus + BOARDING_COST_S)
        # Where no bus serves a hop, a longer walk (up to the walking mode's longest hop) is all there is.
        no_bus_walk_s = np.where(np.isinf(real_bus) & (walk_m <= WALK_MODE_LONGEST_WALK_M), walk_s, np.inf)
        layers.append(_finish(np.where(walk_wins, walk_allowed_s, np.fmin(real_bus, no_bus_walk_s)), buffer_s))
        starts.append(float(period.start_s))
        if period.end_s <= window_s[0] or period.start_s >= window_s[1]:
            continue
        # The solver has one walking matrix: a hop walked in one period of the day's window and ridden in another
        # counts the longer. A hop this period cannot make at all counts nothing here.
        by_bus = ~walk_wins & np.isfinite(real_bus)
        walked = walk_wins | (~by_bus & np.isfinite(no_bus_walk_s))
        period_walk_m = np.where(by_bus, bus_walk_m, np.where(walked, walk_m, 0.0))
        leg_walk_m = period_walk_m if leg_walk_m is None else np.maximum(leg_walk_m, period_walk_m)
    layers.append(layers[0])
    starts.append(float(periods[-1].end_s))
    if leg_walk_m is None:
        leg_walk_m = np.where(allowed, walk_m, bus_walk_m)
    np.fill_diagonal(leg_walk_m, 0.0)
    return PeriodMatrices(np.stack(layers), np.asarray(starts), walk_m, leg_walk_m)


def _bus_table(
    table: NDArray[np.floating[Any]], place_rows: NDArray[np.int64], rows: EndpointRows, period: str
) -> FloatArray:
    """One period's bus seconds over nodes ``[start, end, places...]`` (inf where none)."""
    count = place_rows.size + 2
    bus = np.full((count, count), np.inf)
    block = table[np.ix_(place_rows, place_rows)].astype(np.float64)
    bus[2:, 2:] = np.where(np.isfinite(block), block, np.inf)
    bus[0, 2:] = rows.bus_from_start_s[period][place_rows]
    bus[2:, 1] = rows.bus_to_end_s[period][place_rows]
    bus[2:, 0] = rows.bus_from_start_s[period][place_rows]
    bus[1, 2:] = rows.bus_to_end_s[period][place_rows]
    bus[0, 1] = bus[1, 0] = rows.start_to_end_bus_s.get(period, np.inf)
    return bus


def _bus_leg_walk_m(router: CityRouter, place_rows: NDArray[np.int64]) -> FloatArray:
    """The walking a bus hop between two nodes is planned with, before it is routed.

    The walk from the first place to its nearest stop, plus the walk from the second place's nearest stop, plus
    ``BUS_TRANSFER_WALK_M``; the start and end count ``BUS_LEG_WALK_M / 2`` each (their nearest stop is not known
    until their rows are routed). A hop between places close to stops walks little; one out to a village walks more.
    """
    nearest = router.travel_times.nearest_stop_walk_m()[place_rows]
    access = np.concatenate(([BUS_LEG_WALK_M / 2] * 2, np.where(np.isfinite(nearest), nearest, BUS_LEG_WALK_M / 2)))
    return np.asarray(access[:, None] + access[None, :] + BUS_TRANSFER_WALK_M, dtype=np.float64)


def _finish(seconds: FloatArray, buffer_s: float) -> FloatArray:
    """Add the buffer off the diagonal and make impossible legs a finite 'longer than any day'."""
    out = np.where(np.isfinite(seconds), seconds + buffer_s, UNREACHABLE_S)
    np.fill_diagonal(out, 0.0)
    return out
