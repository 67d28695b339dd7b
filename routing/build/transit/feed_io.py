"""Strict readers for the transit files: every failure names the file and, where there is one, the row.

Row numbers are the physical line numbers of the file (the CSV header is line 1, the first record line 2).
"""

from __future__ import annotations

import ast
import csv
import math
from collections.abc import Iterator, Sequence
from pathlib import Path

from routing.clock import ClockError, parse_clock
from routing.errors import InputDataError

CsvRecord = tuple[int, dict[str, str]]


def require_file(path: Path) -> Path:
    """Return ``path`` if it is a readable file.

    Raises
    ------
    InputDataError
        If the file does not exist or is not a regular file.
    """
    if not path.is_file():
        raise InputDataError(path, "file not found")
    return path


def read_text(path: Path) -> str:
    """Read a UTF-8 text file (a byte-order mark is ignored).

    Raises
    ------
    InputDataError
        If the file is missing, unreadable or not valid UTF-8.
    """
    require_file(path)
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputDataError(path, f"not valid UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:
        raise InputDataError(path, f"cannot be read: {exc.strerror or exc}") from exc


def read_csv(path: Path, required_columns: Sequence[str]) -> Iterator[CsvRecord]:
    """Yield ``(row, record)`` for each record of a comma-separated file with a header.

    Blank lines are skipped. Values are stripped of surrounding whitespace.

    Raises
    ------
    InputDataError
        If the file is missing or unreadable, a required column is absent from the header,
        or a record has more fields than the header.
    """
    text = read_text(path)
    reader = csv.reader(text.splitlines())
    try:
        header = next(reader)
    except StopIteration:
        raise InputDataError(path, "empty file, expected a header row") from None
    except csv.Error as exc:
        raise InputDataError(path, f"malformed CSV header: {exc}", row=1) from exc
    columns = [name.strip() for name in header]
    missing = [name for name in required_columns if name not in columns]
    if missing:
        raise InputDataError(path, f"missing column(s) {', '.join(missing)} in header {columns}", row=1)
    width = len(columns)
    try:
        for values in reader:
            row = reader.line_num
            if not values or all(not value.strip() for value in values):
                continue
            if len(values) > width:
                raise InputDataError(path, f"{len(values)} fields but the header has {width}", row=row)
            padded = list(values) + [""] * (width - len(values))
            yield row, {name: value.strip() for name, value in zip(columns, padded, strict=True)}
    except csv.Error as exc:
        raise InputDataError(path, f"malformed CSV: {exc}", row=reader.line_num) from exc


def parse_float(path: Path, row: int, column: str, value: str) -> float:
    """Parse a finite float.

    Raises
    ------
    InputDataError
        If the value is empty, not a number, or not finite.
    """
    try:
        number = float(value)
    except ValueError:
        raise InputDataError(path, f"column {column!r}: {value!r} is not a number", row=row) from None
    if not math.isfinite(number):
        raise InputDataError(path, f"column {column!r}: {value!r} is not a finite number", row=row)
    return number


def parse_int(path: Path, row: int, column: str, value: str) -> int:
    """Parse a decimal integer.

    Raises
    ------
    InputDataError
        If the value is not a decimal integer.
    """
    try:
        return int(value)
    except ValueError:
        raise InputDataError(path, f"column {column!r}: {value!r} is not an integer", row=row) from None


def parse_lat_lon(
    path: Path, row: int, record: dict[str, str], lat_column: str, lon_column: str
) -> tuple[float, float]:
    """Parse a latitude/longitude pair in degrees.

    Raises
    ------
    InputDataError
        If either value is not a finite number or lies outside [-90, 90] / [-180, 180].
    """
    lat = parse_float(path, row, lat_column, record[lat_column])
    lon = parse_float(path, row, lon_column, record[lon_column])
    if not -90.0 <= lat <= 90.0:
        raise InputDataError(path, f"column {lat_column!r}: latitude {lat} out of range", row=row)
    if not -180.0 <= lon <= 180.0:
        raise InputDataError(path, f"column {lon_column!r}: longitude {lon} out of range", row=row)
    return lat, lon


def parse_clock_s(path: Path, row: int, column: str, value: str) -> int:
    """A GTFS time ``H:MM:SS`` (hours may exceed 23) in seconds, by :func:`routing.clock.parse_clock`.

    A malformed value raises InputDataError naming the file, the row and the column.
    """
    try:
        return parse_clock(value, what=f"column {column!r}:", seconds=True, latest_s=None)
    except ClockError as exc:
        raise InputDataError(path, str(exc), row=row) from exc


def read_literal(path: Path) -> object:
    """Read a file holding one Python literal (dict, list, ...) with :func:`ast.literal_eval`, never ``eval``.

    Raises
    ------
    InputDataError
        If the file is missing or its content is not a Python literal.
    """
    text = read_text(path)
    try:
        return ast.literal_eval(text.strip())
    except (SyntaxError, ValueError, TypeError, MemoryError, RecursionError) as exc:
        line = getattr(exc, "lineno", None)
        raise InputDataError(path, f"not a Python literal: {exc.__class__.__name__}: {exc}", row=line) from exc
