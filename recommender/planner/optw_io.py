"""Read the standard orienteering benchmark instances into a :class:`~recommender.planner.problem.Problem`.

Two formats (see ``TOPTW_format.txt`` and ``format_description_TTDP.txt`` beside the instances):

* TOPTW (Solomon c/r/rc, Cordeau pr; Righini & Salani, Montemanni & Gambardella): one time window per node, the
  depot's closing time is the time budget, the number of routes is not in the file (``n_routes``, default 1).
  Travel time is the Euclidean distance truncated to one decimal for Solomon's instances and two for Cordeau's.
* TTDP (Gavalas et al. t1xx/t2xx): ``M`` tours starting on weekday ``SD``, opening hours per weekday; tour ``d``
  uses weekday ``(SD + d) % 7``. Travel time is truncated to two decimals. A weekday whose opening and closing
  hours are both 0 is a closed day.

Node ``i`` of the file is node ``i`` of the problem; node 0 (the depot or hotel) starts and ends every route.

Every reader raises :class:`MalformedInstanceError` (naming the file and line) for a line with too few, too many or
non-numeric fields, vertex numbers out of order or a point count that disagrees with the header, and ``OSError``
when the file cannot be read.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from recommender.planner.errors import MalformedInstanceError
from recommender.planner.problem import FloatArray, Problem

_TTDP_HEADER_FIELDS = 16
_TOPTW_HEADER_FIELDS = 4
_TTDP_HEADER = (_TTDP_HEADER_FIELDS, "header 'k M SD N C B E1..E10'")
_TOPTW_HEADER = (_TOPTW_HEADER_FIELDS, "header 'k v N t'")
_TTDP_POINT_FIELDS = 21
_WEEKDAYS = 7


def read_instance(path: Path | str, *, n_routes: int | None = None) -> Problem:
    """Read a TOPTW or TTDP instance, telling the formats apart by their first line.

    ``n_routes`` sets the number of routes of a TOPTW instance (default 1); a TTDP instance has its own.

    Raises
    ------
    MalformedInstanceError
        If the file does not follow either format (the message names the file and line).
    OSError
        If the file cannot be read.
    """
    lines = _lines(Path(path))
    if lines and len(lines[0][1]) >= _TTDP_HEADER_FIELDS:
        return read_ttdp(path)
    return read_toptw(path, n_routes=1 if n_routes is None else n_routes)


def read_toptw(path: Path | str, *, n_routes: int = 1, decimals: int | None = None) -> Problem:
    """Read a Solomon or Cordeau TOPTW instance.

    ``decimals`` is the truncation of travel times; by default 2 for Cordeau's instances (name starting ``pr``) and
    1 for Solomon's. Raises as the module says.
    """
    path = Path(path)
    lines, header_line, header = _headed(path, 3, "a header line, a second line and the depot", _TOPTW_HEADER)
    name = str(path)
    n_points = _integer(name, header_line, header[2], "N")
    rows: list[list[float]] = []
    for line_number, fields in lines[2:]:
        values = _numbers(name, line_number, fields, 9, "point 'i x y d S f a list O C'")
        list_length = _integer(name, line_number, fields[6], "a")
        if len(fields) != 9 + list_length:
            raise MalformedInstanceError(
                name, line_number, f"expected {9 + list_length} fields for a list of {list_length}, got {len(fields)}"
            )
        _check_vertex(name, line_number, values[0], len(rows))
        rows.append([values[1], values[2], values[3], values[4], values[-2], values[-1]])
    if len(rows) != n_points + 1:
        raise MalformedInstanceError(name, lines[-1][0], f"header announces {n_points} points, found {len(rows) - 1}")
    data = np.asarray(rows)
    digits = decimals if decimals is not None else (2 if path.name.lower().startswith("pr") else 1)
    opens, closes = data[:, 4].copy(), data[:, 5].copy()
    _check_windows(name, lines[2:], opens, closes)
    return Problem.from_windows(
        score=data[:, 3],
        service_s=data[:, 2],
        travel_s=truncated_distances(data[:, 0], data[:, 1], digits),
        windows=[[(float(a), float(b))] for a, b in zip(opens, closes, strict=True)],
        days=[(float(opens[0]), float(closes[0]))] * n_routes,
        start_node=0,
    )


def read_ttdp(path: Path | str) -> Problem:
    """Read a Gavalas et al. TTDP instance (opening hours per weekday, several tours); raises as the module says."""
    path = Path(path)
    lines, header_line, header = _headed(path, 2, "a header line and the start point", _TTDP_HEADER)
    name = str(path)
    tours = _integer(name, header_line, header[1], "M")
    start_day = _integer(name, header_line, header[2], "SD")
    n_points = _integer(name, header_line, header[3], "N")
    if tours < 1 or not 0 <= start_day < _WEEKDAYS:
        raise MalformedInstanceError(name, header_line, f"M must be >= 1 and SD in 0..6, got M={tours} SD={start_day}")
    depot_line, depot_fields = lines[1]
    depot = _numbers(name, depot_line, depot_fields, 7, "start point 'i x y d S O C'")
    _check_vertex(name, depot_line, depot[0], 0)
    coordinates = [(depot[1], depot[2])]
    service, score = [depot[3]], [depot[4]]
    hours: list[list[float]] = [[depot[5], depot[6]] * _WEEKDAYS]
    for line_number, fields in lines[2:]:
        values = _numbers(name, line_number, fields, _TTDP_POINT_FIELDS, "point 'i x y d S t open/close x7 b'")
        if len(fields) != _TTDP_POINT_FIELDS:
            raise MalformedInstanceError(name, line_number, f"expected {_TTDP_POINT_FIELDS} fields, got {len(fields)}")
        _check_vertex(name, line_number, values[0], len(coordinates))
        coordinates.append((values[1], values[2]))
        service.append(values[3])
        score.append(values[4])
        hours.append(values[6:20])
    if len(coordinates) != n_points + 1:
        raise MalformedInstanceError(
            name, lines[-1][0], f"header announces {n_points} points, found {len(coordinates) - 1}"
        )
    xy = np.asarray(coordinates)
    table = np.asarray(hours)
    weekdays = [(start_day + tour) % _WEEKDAYS for tour in range(tours)]
    calendars = [[_day_windows(row, weekday) for row in table] for weekday in weekdays]
    return Problem.from_windows(
        score=score,
        service_s=service,
        travel_s=truncated_distances(xy[:, 0], xy[:, 1], 2),
        windows=None,
        windows_by_day=calendars,
        days=[(depot[5], depot[6])] * tours,
        start_node=0,
    )


def truncated_distances(x: FloatArray, y: FloatArray, decimals: int) -> FloatArray:
    """Euclidean distances truncated (rounded down) to ``decimals`` decimals, as the benchmark literature does.

    A relative 1e-9 guard keeps an exact value such as 5.0 from truncating to 4.9 through rounding error.
    """
    scale = 10.0**decimals
    distance = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
    return np.floor(distance * scale * (1 + 1e-12) + 1e-9) / scale


def _day_windows(row: FloatArray, weekday: int) -> list[tuple[float, float]]:
    open_s, close_s = float(row[2 * weekday]), float(row[2 * weekday + 1])
    return [] if open_s == 0 and close_s == 0 else [(open_s, close_s)]


def _lines(path: Path) -> list[tuple[int, list[str]]]:
    with path.open(encoding="utf-8") as handle:
        return [(number, line.split()) for number, line in enumerate(handle, start=1) if line.strip()]


def _at_least(path: Path, count: int, expected: str) -> list[tuple[int, list[str]]]:
    """The file's non-blank lines (number, fields), at least `count` of them (`expected` says what they are)."""
    lines = _lines(path)
    if len(lines) < count:
        raise MalformedInstanceError(str(path), len(lines) + 1, f"expected {expected}")
    return lines


def _headed(
    path: Path, count: int, expected: str, header_fields: tuple[int, str]
) -> tuple[list[tuple[int, list[str]]], int, list[str]]:
    """The file's numbered lines (at least ``count``), its header line's number and its header's fields, checked."""
    lines = _at_least(path, count, expected)
    header_line, header = lines[0]
    minimum, what = header_fields
    _numbers(str(path), header_line, header, minimum, what)
    return lines, header_line, header


def _numbers(path: str, line: int, fields: list[str], minimum: int, what: str) -> list[float]:
    if len(fields) < minimum:
        raise MalformedInstanceError(path, line, f"expected at least {minimum} fields ({what}), got {len(fields)}")
    try:
        values = [float(field) for field in fields]
    except ValueError as exc:
        raise MalformedInstanceError(path, line, f"non-numeric field in {what}: {exc}") from exc
    if not all(math.isfinite(value) for value in values):
        raise MalformedInstanceError(path, line, f"non-finite number in {what}")
    return values


def _integer(path: str, line: int, field: str, what: str) -> int:
    value = float(field)
    if value != int(value) or value < 0:
        raise MalformedInstanceError(path, line, f"{what} must be a non-negative integer, got {field!r}")
    return int(value)


def _check_vertex(path: str, line: int, value: float, expected: int) -> None:
    if value != expected:
        raise MalformedInstanceError(path, line, f"expected vertex number {expected}, got {value:g}")


def _check_windows(path: str, lines: list[tuple[int, list[str]]], opens: FloatArray, closes: FloatArray) -> None:
    for (line_number, _), open_s, close_s in zip(lines, opens, closes, strict=True):
        if close_s < open_s:
            raise MalformedInstanceError(path, line_number, f"window closes ({close_s:g}) before it opens ({open_s:g})")
