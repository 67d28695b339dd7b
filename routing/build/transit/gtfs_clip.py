"""Reader for ``gtfs-central-clip/``: the central part of the World Bank feed that still has ``stop_times.txt``.

It is the only source of scheduled run times and departure times. Measured on the file: 2,447 trips of 63 routes, all
of them midday trips (``<route>_MD_<n>``); a route's trips all have the *same* stop-to-stop run times (the standard
deviation across trips of every leg is 0 s), and depart at a constant interval (300 s ... 2,700 s). The extra column
``departure_buffer`` is 0 on every row and is ignored; ``shapes.txt`` only repeats the stop coordinates, so it carries
no road geometry and is not read.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from routing.build.transit.feed_io import parse_clock_s, parse_int, parse_lat_lon, read_csv
from routing.build.transit.gtfs_worldbank import STOP_ID_PATTERN
from routing.errors import InputDataError

CLIP_DIR = "gtfs-central-clip"
TRIP_ID_PATTERN = re.compile(r"^(?P<route>.+)_(?P<period>AM|MD|PM)_(?P<n>[0-9]+)$")


@dataclass(frozen=True, slots=True)
class ClipLeg:
    """A scheduled stop-to-stop run between consecutive stops ``S<n>`` -> ``S<n+1>`` of a route in one period."""

    route_id: str
    period: str
    from_stop_id: str
    from_seq: int
    to_stop_id: str
    from_lat: float
    from_lon: float
    to_lat: float
    to_lon: float
    run_time_s: float
    trips: int


@dataclass(frozen=True, slots=True)
class ClipService:
    """Departures of one route in one period at the stop where its trips enter the clip."""

    route_id: str
    period: str
    first_seq: int
    departures_s: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class ClipFeed:
    """What the compiler learns from the central clip."""

    legs: tuple[ClipLeg, ...]
    services: tuple[ClipService, ...]
    trips: int
    skipped_legs: int


def read_clip(transit_dir: Path) -> ClipFeed:
    """Read the clip's stops and stop times into unique legs and per-route departures.

    Legs between non-consecutive stop numbers (the clip cut a stop out) and legs with a run time <= 0 s are skipped
    and counted in ``skipped_legs``.

    Raises
    ------
    InputDataError
        If a file is missing, a trip id is not ``<route>_<AM|MD|PM>_<n>``, a stop id is not ``<route>_S<n>`` or not in
        ``stops.txt``, or a time or coordinate does not parse.
    """
    base = transit_dir / CLIP_DIR
    stops_path = base / "stops.txt"
    stops: dict[str, tuple[float, float]] = {}
    for row, record in read_csv(stops_path, ("stop_id", "stop_lat", "stop_lon")):
        if STOP_ID_PATTERN.match(record["stop_id"]) is None:
            raise InputDataError(
                stops_path, f"stop_id {record['stop_id']!r} is not of the form <route_id>_S<n>", row=row
            )
        stops[record["stop_id"]] = parse_lat_lon(stops_path, row, record, "stop_lat", "stop_lon")

    times_path = base / "stop_times.txt"
    columns = ("trip_id", "stop_id", "arrival_time", "departure_time", "stop_sequence")
    trips: dict[str, list[tuple[int, int, str, int, int]]] = {}
    for row, record in read_csv(times_path, columns):
        trip_id = record["trip_id"]
        trip = TRIP_ID_PATTERN.match(trip_id)
        if trip is None:
            raise InputDataError(times_path, f"trip_id {trip_id!r} is not of the form <route>_<AM|MD|PM>_<n>", row=row)
        stop_id = record["stop_id"]
        stop = STOP_ID_PATTERN.match(stop_id)
        if stop is None:
            raise InputDataError(times_path, f"stop_id {stop_id!r} is not of the form <route_id>_S<n>", row=row)
        if stop["route"] != trip["route"]:
            raise InputDataError(
                times_path, f"stop {stop_id!r} does not belong to the route of trip {trip_id!r}", row=row
            )
        if stop_id not in stops:
            raise InputDataError(times_path, f"stop_id {stop_id!r} is not in stops.txt", row=row)
        arrival = parse_clock_s(times_path, row, "arrival_time", record["arrival_time"])
        departure = parse_clock_s(times_path, row, "departure_time", record["departure_time"])
        sequence = parse_int(times_path, row, "stop_sequence", record["stop_sequence"])
        trips.setdefault(trip_id, []).append((sequence, int(stop["seq"]), stop_id, arrival, departure))

    run_times: dict[tuple[str, str, str, str], list[int]] = {}
    first_stops: dict[tuple[str, str], list[tuple[int, int]]] = {}
    skipped = 0
    for trip_id in sorted(trips):
        match = TRIP_ID_PATTERN.match(trip_id)
        assert match is not None  # checked while reading
        route_id, period = match["route"], match["period"].lower()
        calls = sorted(trips[trip_id])
        first_stops.setdefault((route_id, period), []).append((calls[0][1], calls[0][4]))
        for (_, seq_a, stop_a, _, depart), (_, seq_b, stop_b, arrive, _) in itertools.pairwise(calls):
            if seq_b != seq_a + 1 or arrive - depart <= 0:
                skipped += 1
                continue
            run_times.setdefault((route_id, period, stop_a, stop_b), []).append(arrive - depart)

    legs = tuple(
        ClipLeg(
            route_id=route_id,
            period=period,
            from_stop_id=stop_a,
            from_seq=int(stop_a.rpartition("_S")[2]),
            to_stop_id=stop_b,
            from_lat=stops[stop_a][0],
            from_lon=stops[stop_a][1],
            to_lat=stops[stop_b][0],
            to_lon=stops[stop_b][1],
            run_time_s=float(statistics.median(values)),
            trips=len(values),
        )
        for (route_id, period, stop_a, stop_b), values in sorted(run_times.items())
    )
    services = []
    for (route_id, period), firsts in sorted(first_stops.items()):
        first_seq = Counter(seq for seq, _ in firsts).most_common(1)[0][0]
        departures = tuple(sorted(time for seq, time in firsts if seq == first_seq))
        services.append(ClipService(route_id, period, first_seq, departures))
    return ClipFeed(legs=legs, services=tuple(services), trips=len(trips), skipped_legs=skipped)
