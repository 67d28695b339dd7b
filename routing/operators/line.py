"""A bus line as an operator describes it: stops, directions with run times and road shapes, a headway.

:class:`LineSchedule` is what a journey planner needs (what the GTFS export writes and reads back, what the
evaluation adds to the city's timetable); :class:`LineMetrics` is what the operator pays for (round trip, fleet,
vehicle-km and vehicle-hours per day).

Conventions: a *loop* has one direction whose stop list ends where it starts (``s0 ... s(n-1) s0``); a *line*
has two directions, the second visiting the stops in reverse order (along its own road path: one-way streets).
Every trip of a direction leaves its first stop at ``start_s + k * headway_s`` for each ``k`` with that time
``< end_s`` (the period convention of :class:`~routing.journeys.Timetable`). Leg run times come from the city's
speed model and, like the bundle's, include the dwell at the stop they arrive at.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from routing.errors import RoutingError

LatLon = tuple[float, float]
LineKind = Literal["loop", "line"]


@dataclass(frozen=True)
class LineStop:
    """A stop of the line: an existing bus stop reused (``is_new`` False, its network id) or a new one."""

    stop_id: str
    name: str
    lat: float
    lon: float
    is_new: bool
    sites: tuple[str, ...] = ()
    walk_m: int = 0
    """Metres the riders of its sites walk on from the stop (a site off every usable road), 0 otherwise."""


@dataclass(frozen=True)
class LineDirection:
    """One direction: ordered stop ids, per-leg road distance and run time, the road polyline."""

    direction: int
    stop_ids: tuple[str, ...]
    leg_distance_m: tuple[float, ...]
    leg_run_time_s: tuple[float, ...]
    shape: tuple[LatLon, ...]

    def __post_init__(self) -> None:
        legs = len(self.stop_ids) - 1
        if legs < 1 or len(self.leg_distance_m) != legs or len(self.leg_run_time_s) != legs:
            raise RoutingError(f"direction {self.direction}: {len(self.stop_ids)} stops need {max(legs, 0)} legs")

    @property
    def length_m(self) -> float:
        """Road length from the first to the last stop."""
        return float(sum(self.leg_distance_m))

    @property
    def run_time_s(self) -> float:
        """Scheduled time from the first to the last stop (dwells included)."""
        return float(sum(self.leg_run_time_s))

    def offsets_s(self) -> list[int]:
        """Arrival (= departure) time at each stop after the trip leaves the first, whole seconds.

        Rounded once on the cumulative sum, as :meth:`routing.journeys.Timetable.from_network` does.
        """
        total = 0.0
        offsets = [0]
        for run in self.leg_run_time_s:
            total += run
            offsets.append(round(total))
        return offsets


@dataclass(frozen=True)
class LineSchedule:
    """Stops, directions and a frequency-based service span: everything a journey planner needs."""

    line_id: str
    name: str
    stops: tuple[LineStop, ...]
    directions: tuple[LineDirection, ...]
    headway_s: int
    start_s: int
    end_s: int

    def __post_init__(self) -> None:
        check_service(self.headway_s, self.start_s, self.end_s)
        known = {stop.stop_id for stop in self.stops}
        for direction in self.directions:
            missing = [stop_id for stop_id in direction.stop_ids if stop_id not in known]
            if missing:
                raise RoutingError(f"direction {direction.direction} names unknown stops {missing[:3]}")
        if not self.directions:
            raise RoutingError("a line needs at least one direction")

    @property
    def kind(self) -> LineKind:
        """``"loop"`` (one direction ending where it starts) or ``"line"``."""
        first = self.directions[0]
        return "loop" if len(self.directions) == 1 and first.stop_ids[0] == first.stop_ids[-1] else "line"

    def departures_s(self) -> list[int]:
        """Departures from the first stop of each direction over the day."""
        count = math.ceil((self.end_s - self.start_s) / self.headway_s)
        return [self.start_s + k * self.headway_s for k in range(count)]

    def stop_by_id(self) -> dict[str, LineStop]:
        """Stops keyed by id."""
        return {stop.stop_id: stop for stop in self.stops}


@dataclass(frozen=True)
class LineMetrics:
    """What running the line costs.

    ``round_trip_s``: every direction's run time plus a layover at each terminal (one for a loop, two for a
    line). ``fleet_size``: buses needed to keep the headway, ``ceil(round_trip_s / headway_s)``.
    ``vehicle_km_per_day``: trips x direction length. ``vehicle_hours_per_day``: trips x (run time + the layover
    that follows it), i.e. the time a bus is tied to the line.
    """

    round_trip_s: float
    layover_s: float
    dwell_s: float
    fleet_size: int
    trips_per_day: int
    vehicle_km_per_day: float
    vehicle_hours_per_day: float


def check_service(headway_s: float, start_s: float, end_s: float) -> None:
    """Check a headway and a service span.

    Raises
    ------
    RoutingError
        If the headway is not a positive finite number, the span is not inside one day or is empty, or the
        headway is longer than the span.
    """
    if not (math.isfinite(headway_s) and headway_s > 0):
        raise RoutingError(f"the headway must be a positive number of seconds, got {headway_s}")
    if not (0 <= start_s < end_s <= 86_400):
        raise RoutingError(f"service hours must run forward within one day, got {start_s} s to {end_s} s")
    if headway_s > end_s - start_s:
        raise RoutingError(f"a headway of {headway_s / 60:g} min is longer than the service span")


def fleet_size(round_trip_s: float, headway_s: float) -> int:
    """Buses needed to run a round trip of ``round_trip_s`` every ``headway_s`` seconds.

    Raises
    ------
    RoutingError
        If the headway is not positive or the round trip is negative or not finite.
    """
    if not (math.isfinite(headway_s) and headway_s > 0):
        raise RoutingError(f"the headway must be a positive number of seconds, got {headway_s}")
    if not (math.isfinite(round_trip_s) and round_trip_s >= 0):
        raise RoutingError(f"the round trip must be a finite number >= 0, got {round_trip_s}")
    return max(1, math.ceil(round_trip_s / headway_s - 1e-9))


def line_metrics(schedule: LineSchedule, *, layover_s: float, dwell_s: float) -> LineMetrics:
    """Round trip, fleet size, vehicle-km and vehicle-hours per day of a schedule.

    Raises
    ------
    RoutingError
        If the layover is negative or not finite.
    """
    if not (math.isfinite(layover_s) and layover_s >= 0):
        raise RoutingError(f"the layover must be a finite number >= 0, got {layover_s}")
    departures = len(schedule.departures_s())
    run_s = sum(direction.run_time_s for direction in schedule.directions)
    round_trip = run_s + layover_s * len(schedule.directions)
    return LineMetrics(
        round_trip_s=round_trip,
        layover_s=layover_s,
        dwell_s=dwell_s,
        fleet_size=fleet_size(round_trip, schedule.headway_s),
        trips_per_day=departures * len(schedule.directions),
        vehicle_km_per_day=departures * sum(d.length_m for d in schedule.directions) / 1000.0,
        vehicle_hours_per_day=departures * round_trip / 3600.0,
    )
