"""Reader for the World Bank / Arup 2018 Hanoi bus GTFS (``gtfs-worldbank-2018/``), which has no stop_times.

Stop order comes from the stop ids, ``<route_id>_S<n>`` with ``route_id = <line>_<direction>``; service comes from the
number of trips of each route in ``trips_am.txt``, ``trips_md.txt`` and ``trips_pm.txt``. The same physical stop
appears once per route that serves it (7,670 stop ids at 3,146 distinct coordinates). ``stops-enriched.txt`` adds
reverse-geocoded street names (e.g. "Bến Đường Nguyễn Văn Cừ") for 6,495 of the stops; they are not official stop
names.

Coordinates are kept as published here; the compiler shifts them onto the OSM frame (``stops.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from routing.build.transit.feed_io import parse_lat_lon, read_csv
from routing.errors import InputDataError

WORLDBANK_DIR = "gtfs-worldbank-2018"
STOPS_FILE = "stops.txt"
ENRICHED_STOPS_FILE = "stops-enriched.txt"
ROUTES_FILE = "routes.txt"
PERIOD_NAMES = ("am", "md", "pm")
"""The World Bank feed's service periods, in day order; trips of period ``p`` are in ``trips_<p>.txt``."""

STOP_ID_PATTERN = re.compile(r"^(?P<route>.+)_S(?P<seq>[1-9][0-9]*)$")
ROUTE_ID_PATTERN = re.compile(r"^(?P<line>[A-Za-z0-9]+)_(?P<direction>[0-9]+)$")


@dataclass(frozen=True, slots=True)
class WbStop:
    """One stop id of the World Bank feed (one route's visit of a physical stop)."""

    stop_id: str
    seq: int
    lat: float
    lon: float
    street_name: str | None


@dataclass(frozen=True, slots=True)
class WbRoute:
    """One route-direction of the World Bank feed with its stops in order and its trips per period."""

    route_id: str
    line: str
    direction: int
    stops: tuple[WbStop, ...]
    trips: dict[str, int]


def split_route_id(route_id: str) -> tuple[str, int] | None:
    """Split ``"09A_2"`` into ``("09A", 2)``; None if the id is not of that form."""
    match = ROUTE_ID_PATTERN.match(route_id)
    if match is None:
        return None
    return match["line"], int(match["direction"])


def read_worldbank(transit_dir: Path) -> tuple[tuple[WbRoute, ...], dict[str, int]]:
    """Read the World Bank feed into route-directions ordered by route id.

    Returns
    -------
    routes
        Every route of ``routes.txt``; a route without stops has an empty ``stops`` tuple.
    report
        Counts worth reporting: ``stop_ids``, ``stops_with_street_name``, ``sequence_gaps`` (routes whose S-numbers
        skip a value; the order is still that of the numbers).

    Raises
    ------
    InputDataError
        If a file is missing or malformed: a stop id not of the form ``<route>_S<n>``, a route id not of the form
        ``<line>_<direction>``, a non-numeric coordinate, a stop or trip of a route that ``routes.txt`` does not list,
        or the same stop id twice.
    """
    base = transit_dir / WORLDBANK_DIR
    routes_path = base / ROUTES_FILE
    route_ids: list[str] = []
    for row, record in read_csv(routes_path, ("route_id",)):
        route_id = record["route_id"]
        if split_route_id(route_id) is None:
            raise InputDataError(routes_path, f"route_id {route_id!r} is not of the form <line>_<direction>", row=row)
        if route_id in route_ids:
            raise InputDataError(routes_path, f"route_id {route_id!r} listed twice", row=row)
        route_ids.append(route_id)
    known_routes = set(route_ids)

    street_names = _read_street_names(base / ENRICHED_STOPS_FILE)

    stops_path = base / STOPS_FILE
    stops_by_route: dict[str, dict[int, WbStop]] = {route_id: {} for route_id in route_ids}
    seen: set[str] = set()
    for row, record in read_csv(stops_path, ("stop_id", "stop_lat", "stop_lon")):
        stop_id = record["stop_id"]
        match = STOP_ID_PATTERN.match(stop_id)
        if match is None:
            raise InputDataError(stops_path, f"stop_id {stop_id!r} is not of the form <route_id>_S<n>", row=row)
        if stop_id in seen:
            raise InputDataError(stops_path, f"stop_id {stop_id!r} listed twice", row=row)
        seen.add(stop_id)
        route_id = match["route"]
        if route_id not in known_routes:
            raise InputDataError(
                stops_path, f"stop {stop_id!r} belongs to route {route_id!r}, not in {ROUTES_FILE}", row=row
            )
        lat, lon = parse_lat_lon(stops_path, row, record, "stop_lat", "stop_lon")
        seq = int(match["seq"])
        stops_by_route[route_id][seq] = WbStop(stop_id, seq, lat, lon, street_names.get(stop_id))

    trips: dict[str, dict[str, int]] = {route_id: dict.fromkeys(PERIOD_NAMES, 0) for route_id in route_ids}
    for period in PERIOD_NAMES:
        trips_path = base / f"trips_{period}.txt"
        trip_ids: set[str] = set()
        for row, record in read_csv(trips_path, ("route_id", "trip_id")):
            route_id = record["route_id"]
            if route_id not in known_routes:
                raise InputDataError(trips_path, f"trip of route {route_id!r}, not in {ROUTES_FILE}", row=row)
            if record["trip_id"] in trip_ids:
                raise InputDataError(trips_path, f"trip_id {record['trip_id']!r} listed twice", row=row)
            trip_ids.add(record["trip_id"])
            trips[route_id][period] += 1

    routes = []
    gaps = 0
    for route_id in sorted(route_ids):
        line, direction = split_route_id(route_id) or (route_id, 0)
        by_seq = stops_by_route[route_id]
        ordered = tuple(by_seq[seq] for seq in sorted(by_seq))
        if ordered and ordered[-1].seq != len(ordered):
            gaps += 1
        routes.append(WbRoute(route_id, line, direction, ordered, trips[route_id]))
    report = {
        "stop_ids": len(seen),
        "stops_with_street_name": sum(1 for stop_id in seen if stop_id in street_names),
        "sequence_gaps": gaps,
    }
    return tuple(routes), report


def _read_street_names(path: Path) -> dict[str, str]:
    """Stop id -> reverse-geocoded street name from ``stops-enriched.txt``.

    Raises
    ------
    InputDataError
        If the file is missing or lacks the ``stop_id`` / ``stop_name`` columns.
    """
    names: dict[str, str] = {}
    for _row, record in read_csv(path, ("stop_id", "stop_name")):
        name = record["stop_name"]
        if name and not name.startswith("STOP_"):
            names[record["stop_id"]] = name
    return names
