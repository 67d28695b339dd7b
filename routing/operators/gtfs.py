"""A line as a GTFS feed (frequency-based), read back for our own RAPTOR, and checked with gtfs-kit.

The feed holds ``agency``, ``stops``, ``routes`` (one route, bus), ``calendar`` (every day of the validity
window), ``shapes`` (the road polyline of each direction), ``trips`` (one template trip per direction),
``stop_times`` (the template's times from 00:00:00, arrival = departure: the dwell is in the run times, as in
the bundle's timetable) and ``frequencies`` (``exact_times=1``: a trip every headway from the start of service
for as long as a departure is before its end).

:func:`read_gtfs_line` reads such a feed back into a :class:`~routing.operators.line.LineSchedule`, which
:func:`routing.operators.network.add_line` merges into the city's network for RAPTOR.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import math
import os
import tempfile
import warnings
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from routing.clock import CITY_TZ, format_clock, parse_clock
from routing.errors import RoutingError
from routing.geo import haversine_m
from routing.operators.line import LineDirection, LineSchedule, LineStop

AGENCY_TIMEZONE = CITY_TZ.key
SERVICE_ID = "daily"
VALIDITY_DAYS = 365


def _csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _shape_distances_km(shape: Sequence[tuple[float, float]]) -> list[float]:
    total = 0.0
    distances = [0.0]
    for (lat1, lon1), (lat2, lon2) in itertools.pairwise(shape):
        total += float(haversine_m(lat1, lon1, lat2, lon2))
        distances.append(total / 1000.0)
    return distances


def gtfs_tables(
    schedule: LineSchedule,
    *,
    start_date: dt.date,
    agency_name: str = "Hanoi heritage lines (proposal)",
    agency_url: str = "https://example.org/heritage-lines",
) -> dict[str, bytes]:
    """The feed's files (name -> CSV bytes). Distances in ``shape_dist_traveled`` are kilometres."""
    end_date = start_date + dt.timedelta(days=VALIDITY_DAYS - 1)
    route_id = schedule.line_id
    stops = schedule.stop_by_id()
    used = {stop_id for d in schedule.directions for stop_id in d.stop_ids}
    files = {
        "agency.txt": _csv(
            ("agency_id", "agency_name", "agency_url", "agency_timezone", "agency_lang"),
            [("operator", agency_name, agency_url, AGENCY_TIMEZONE, "vi")],
        ),
        "stops.txt": _csv(
            ("stop_id", "stop_name", "stop_lat", "stop_lon", "location_type"),
            [
                (s.stop_id, s.name, f"{s.lat:.7f}", f"{s.lon:.7f}", 0)
                for s in sorted(stops.values(), key=lambda s: s.stop_id)
                if s.stop_id in used
            ],
        ),
        "routes.txt": _csv(
            ("route_id", "agency_id", "route_short_name", "route_long_name", "route_type"),
            [(route_id, "operator", schedule.line_id.upper()[:12], schedule.name, 3)],
        ),
        "calendar.txt": _csv(
            (
                "service_id",
                "monday",
                "tuesday",
                "wednesday",
                "thursday",
                "friday",
                "saturday",
                "sunday",
                "start_date",
                "end_date",
            ),
            [(SERVICE_ID, 1, 1, 1, 1, 1, 1, 1, start_date.strftime("%Y%m%d"), end_date.strftime("%Y%m%d"))],
        ),
    }
    trips: list[tuple[Any, ...]] = []
    stop_times: list[tuple[Any, ...]] = []
    shapes: list[tuple[Any, ...]] = []
    frequencies: list[tuple[Any, ...]] = []
    for direction in schedule.directions:
        trip_id = f"{route_id}:{direction.direction}"
        shape_id = f"{route_id}:shape:{direction.direction}"
        trips.append((route_id, SERVICE_ID, trip_id, direction.direction, shape_id, _headsign(schedule, direction)))
        shape_km = _shape_distances_km(direction.shape)
        shapes.extend(
            (shape_id, f"{lat:.7f}", f"{lon:.7f}", sequence, f"{distance:.4f}")
            for sequence, ((lat, lon), distance) in enumerate(zip(direction.shape, shape_km, strict=True))
        )
        # Stops' distance along the shape: the road legs scaled onto the shape's own length.
        scale = shape_km[-1] / (direction.length_m / 1000.0) if direction.length_m > 0 else 0.0
        travelled = 0.0
        offsets = direction.offsets_s()
        for sequence, (stop_id, offset) in enumerate(zip(direction.stop_ids, offsets, strict=True)):
            if sequence:
                travelled += direction.leg_distance_m[sequence - 1] / 1000.0 * scale
            stop_times.append(
                (
                    trip_id,
                    format_clock(offset, seconds=True),
                    format_clock(offset, seconds=True),
                    stop_id,
                    sequence,
                    f"{min(travelled, shape_km[-1]):.4f}",
                )
            )
        frequencies.append(
            (
                trip_id,
                format_clock(schedule.start_s, seconds=True),
                format_clock(schedule.end_s, seconds=True),
                schedule.headway_s,
                1,
            )
        )
    files["trips.txt"] = _csv(("route_id", "service_id", "trip_id", "direction_id", "shape_id", "trip_headsign"), trips)
    files["stop_times.txt"] = _csv(
        ("trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence", "shape_dist_traveled"), stop_times
    )
    files["shapes.txt"] = _csv(
        ("shape_id", "shape_pt_lat", "shape_pt_lon", "shape_pt_sequence", "shape_dist_traveled"), shapes
    )
    files["frequencies.txt"] = _csv(("trip_id", "start_time", "end_time", "headway_secs", "exact_times"), frequencies)
    return files


def _headsign(schedule: LineSchedule, direction: LineDirection) -> str:
    stops = schedule.stop_by_id()
    if schedule.kind == "loop":
        return f"{schedule.name} (loop)"
    return stops[direction.stop_ids[-1]].name


def write_gtfs(schedule: LineSchedule, path: Path, *, start_date: dt.date) -> Path:
    """Write the feed as a zip, atomically (a temporary file in the same directory, then renamed).

    Raises
    ------
    RoutingError
        If the directory does not exist or cannot be written.
    """
    path = Path(path)
    payload = io.BytesIO()
    with zipfile.ZipFile(payload, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in gtfs_tables(schedule, start_date=start_date).items():
            archive.writestr(name, content)
    write_atomically(path, payload.getvalue())
    return path


def write_atomically(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` through a temporary file renamed into place (no partial file on failure).

    Raises
    ------
    RoutingError
        If the file cannot be written.
    """
    directory = path.parent if str(path.parent) else Path()
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}-", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise RoutingError(f"cannot write {path}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        Path(temporary).chmod(0o644)
        Path(temporary).replace(path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise RoutingError(f"cannot write {path}: {exc.strerror or exc}") from exc


def validate_gtfs(path: Path) -> list[dict[str, Any]]:
    """gtfs-kit's validation of a feed: a list of ``{type, message, table, rows}`` (``type`` error or warning).

    Raises
    ------
    RoutingError
        If gtfs-kit cannot read the feed at all.
    """
    import gtfs_kit  # noqa: PLC0415 (pandas and geopandas: only when validating)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pandas deprecations inside gtfs-kit, not problems of the feed
            feed = gtfs_kit.read_feed(Path(path), dist_units="km")
            problems = feed.validate(as_df=False, include_warnings=True)
    except Exception as exc:  # gtfs-kit raises whatever pandas raises on a broken file
        raise RoutingError(f"gtfs-kit cannot read {path}: {exc}") from exc
    return [
        {"type": str(kind), "message": str(message), "table": str(table), "rows": [int(r) for r in rows]}
        for kind, message, table, rows in problems
    ]


def read_gtfs_line(path: Path, *, line_id: str | None = None) -> LineSchedule:
    """Read a frequency-based one-route feed (as :func:`write_gtfs` writes) back into a schedule.

    Leg distances are measured along the shape between the stops' ``shape_dist_traveled`` (the straight line
    when the feed has none); run times come from the stop times.

    Raises
    ------
    RoutingError
        If the file is not such a feed (a missing table or column, several routes, trips without frequencies,
        frequencies that differ between directions, times out of order).
    """
    try:
        with zipfile.ZipFile(Path(path)) as archive:
            tables = {
                name: list(csv.DictReader(io.TextIOWrapper(archive.open(f"{name}.txt"), encoding="utf-8-sig")))
                for name in ("stops", "routes", "trips", "stop_times", "frequencies")
            }
    except (OSError, KeyError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
        raise RoutingError(
            f"{path}: not a GTFS zip with stops, routes, trips, stop_times and frequencies ({exc})"
        ) from exc
    try:
        return _schedule_from_tables(tables, line_id)
    except (KeyError, ValueError, IndexError) as exc:
        raise RoutingError(f"{path}: malformed GTFS ({exc.__class__.__name__}: {exc})") from exc


def _schedule_from_tables(tables: dict[str, list[dict[str, str]]], line_id: str | None) -> LineSchedule:
    routes = tables["routes"]
    if len(routes) != 1:
        raise RoutingError(f"expected one route, the feed has {len(routes)}")
    route = routes[0]
    stops = {
        row["stop_id"]: LineStop(
            row["stop_id"],
            row.get("stop_name") or row["stop_id"],
            float(row["stop_lat"]),
            float(row["stop_lon"]),
            is_new=True,
        )
        for row in tables["stops"]
    }
    times: dict[str, list[tuple[int, str, int, float | None]]] = defaultdict(list)
    for row in tables["stop_times"]:
        distance = row.get("shape_dist_traveled") or ""
        times[row["trip_id"]].append(
            (
                int(row["stop_sequence"]),
                row["stop_id"],
                parse_clock(row["arrival_time"], seconds=True, latest_s=None),
                float(distance) if distance else None,
            )
        )
    frequencies = {row["trip_id"]: row for row in tables["frequencies"]}
    directions: list[LineDirection] = []
    service: set[tuple[int, int, int]] = set()
    for trip in sorted(tables["trips"], key=lambda row: int(row.get("direction_id") or 0)):
        trip_id = trip["trip_id"]
        if trip_id not in frequencies:
            raise RoutingError(f"trip {trip_id} has no frequencies row")
        frequency = frequencies[trip_id]
        start, end = (
            parse_clock(frequency["start_time"], seconds=True, latest_s=None),
            parse_clock(frequency["end_time"], seconds=True, latest_s=None),
        )
        service.add((int(frequency["headway_secs"]), start, end))
        calls = sorted(times[trip_id])
        if len(calls) < 2:
            raise RoutingError(f"trip {trip_id} has fewer than two stop times")
        base = calls[0][2]
        offsets = [arrive - base for _, _, arrive, _ in calls]
        if any(b < a for a, b in itertools.pairwise(offsets)):
            raise RoutingError(f"trip {trip_id}: stop times go back in time")
        legs: list[float] = []
        for (_, a_id, _, a_km), (_, b_id, _, b_km) in itertools.pairwise(calls):
            if a_km is not None and b_km is not None:
                legs.append(round((b_km - a_km) * 1000.0, 1))
            else:
                a, b = stops[a_id], stops[b_id]
                legs.append(round(float(haversine_m(a.lat, a.lon, b.lat, b.lon)), 1))
        directions.append(
            LineDirection(
                direction=int(trip.get("direction_id") or len(directions)),
                stop_ids=tuple(stop_id for _, stop_id, _, _ in calls),
                leg_distance_m=tuple(legs),
                leg_run_time_s=tuple(float(b - a) for a, b in itertools.pairwise(offsets)),
                shape=(),
            )
        )
    if len(service) != 1:
        raise RoutingError("the directions run on different frequencies; one service span is expected")
    headway, start, end = service.pop()
    if not math.isfinite(headway) or headway <= 0:
        raise RoutingError(f"headway_secs must be positive, got {headway}")
    return LineSchedule(
        line_id=line_id or route["route_id"],
        name=route.get("route_long_name") or route.get("route_short_name") or route["route_id"],
        stops=tuple(stops.values()),
        directions=tuple(directions),
        headway_s=headway,
        start_s=start,
        end_s=end,
    )
