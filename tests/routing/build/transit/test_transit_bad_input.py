"""Missing or corrupt transit files raise InputDataError naming the file and, where there is one, the row."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from routing.build.transit import compile_bus_network
from routing.errors import InputDataError, RoutingError

TRANSIT_DIR = Path(__file__).resolve().parents[4] / "data" / "transit"

REQUIRED_FILES = [
    "osm-bus-relations-2022/route_stop_sequence.csv",
    "osm-bus-relations-2022/routeDistance.txt",
    "osm-bus-stops/hanoi_bus_stops_osm.geojson",
    "gtfs-worldbank-2018/routes.txt",
    "gtfs-worldbank-2018/stops.txt",
    "gtfs-worldbank-2018/stops-enriched.txt",
    "gtfs-worldbank-2018/trips_am.txt",
    "gtfs-worldbank-2018/trips_md.txt",
    "gtfs-worldbank-2018/trips_pm.txt",
    "gtfs-central-clip/stops.txt",
    "gtfs-central-clip/stop_times.txt",
]


@pytest.fixture
def transit_copy(tmp_path: Path) -> Path:
    target = tmp_path / "transit"
    shutil.copytree(TRANSIT_DIR, target, ignore=shutil.ignore_patterns("walkingDistance.txt", "PROVENANCE.md"))
    return target


def _edit_line(path: Path, line_number: int, change: Callable[[str], str]) -> None:
    """Replace physical line ``line_number`` (1 = header) of a text file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[line_number - 1] = change(lines[line_number - 1])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _set_field(path: Path, line_number: int, column: str, value: str) -> None:
    header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    index = header.index(column)

    def change(line: str) -> str:
        fields = line.split(",")
        fields[index] = value
        return ",".join(fields)

    _edit_line(path, line_number, change)


def test_the_real_data_compiles(transit_copy: Path) -> None:
    assert len(compile_bus_network(transit_copy).routes) > 150


@pytest.mark.parametrize("relative", REQUIRED_FILES)
def test_missing_file_is_named(transit_copy: Path, relative: str) -> None:
    (transit_copy / relative).unlink()
    with pytest.raises(InputDataError, match="file not found") as caught:
        compile_bus_network(transit_copy)
    assert caught.value.path == transit_copy / relative
    assert relative.rsplit("/", 1)[1] in str(caught.value)
    assert isinstance(caught.value, RoutingError)


FIELD_CASES = [
    ("osm-bus-relations-2022/route_stop_sequence.csv", 7, "lat", "21.0x", r"column 'lat': '21.0x' is not a number"),
    ("gtfs-worldbank-2018/stops.txt", 3, "stop_lat", "121.0", "out of range"),
    ("gtfs-worldbank-2018/stops.txt", 10, "stop_id", "01_1_X9", r"'01_1_X9' is not of the form <route_id>_S<n>"),
    ("gtfs-worldbank-2018/stops.txt", 4, "stop_id", "999_1_S1", r"not in routes\.txt"),
    ("gtfs-worldbank-2018/stops.txt", 3, "stop_id", "01_1_S1", "listed twice"),
    ("gtfs-worldbank-2018/routes.txt", 2, "route_id", "01-1", "<line>_<direction>"),
    ("gtfs-worldbank-2018/trips_pm.txt", 5, "route_id", "nope_1", r"not in routes\.txt"),
    ("gtfs-central-clip/stop_times.txt", 12, "arrival_time", "10:7x:00", "is not a time"),
    ("gtfs-central-clip/stop_times.txt", 2, "trip_id", "01_1_NIGHT_1", r"<route>_<AM\|MD\|PM>_<n>"),
]
"""A field made bad: (file, row, column, value, what the error says)."""


@pytest.mark.parametrize("case", FIELD_CASES)
def test_a_bad_field_names_the_file_and_the_row(transit_copy: Path, case: tuple[str, int, str, str, str]) -> None:
    relative, row, column, value, message = case
    path = transit_copy / relative
    _set_field(path, row, column, value)
    with pytest.raises(InputDataError, match=message) as caught:
        compile_bus_network(transit_copy)
    assert (caught.value.path, caught.value.row) == (path, row)
    assert f"{path.name}, row {row}" in str(caught.value)


ROUTE_DISTANCE = "osm-bus-relations-2022/routeDistance.txt"


def _truncate(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8")[:5000], encoding="utf-8")


FILE_CASES = [
    pytest.param(
        "gtfs-worldbank-2018/trips_am.txt",
        lambda path: _edit_line(path, 6, lambda line: line + ",extra,fields"),
        "fields but the header has",
        6,
        id="row_with_extra_fields",
    ),
    pytest.param(
        "gtfs-central-clip/stop_times.txt",
        lambda path: _edit_line(path, 1, lambda line: line.replace("departure_time", "depart")),
        "missing column",
        1,
        id="missing_column",
    ),
    pytest.param("gtfs-worldbank-2018/routes.txt", lambda path: path.write_text(""), "empty file", None, id="empty"),
    pytest.param(
        ROUTE_DISTANCE,
        lambda path: path.write_text("__import__('os').system('echo pwned')"),
        "not a Python literal",
        None,
        id="route_distance_is_never_evaluated",
    ),
    pytest.param(ROUTE_DISTANCE, _truncate, "not a Python literal", None, id="truncated_route_distance"),
    pytest.param(
        ROUTE_DISTANCE,
        lambda path: path.write_text("{(1, 2): [-5.0, 1, [3]]}"),
        "does not start with a distance",
        None,
        id="route_distance_with_a_bad_entry",
    ),
    pytest.param(
        "osm-bus-stops/hanoi_bus_stops_osm.geojson",
        lambda path: path.write_text('{"type": "FeatureCollection", "features": ['),
        "not valid JSON",
        None,
        id="invalid_geojson",
    ),
    pytest.param(
        "gtfs-worldbank-2018/stops-enriched.txt",
        lambda path: path.write_bytes(b"stop_id,stop_name\n01_1_S1,B\xe9n\n"),
        "not valid UTF-8",
        None,
        id="not_utf8",
    ),
]
"""A file made bad as a whole or in one line: (file, how, what the error says, the row it names if any)."""


@pytest.mark.parametrize(("relative", "corrupt", "message", "row"), FILE_CASES)
def test_a_bad_file_is_named(
    transit_copy: Path, relative: str, corrupt: Callable[[Path], object], message: str, row: int | None
) -> None:
    path = transit_copy / relative
    corrupt(path)
    with pytest.raises(InputDataError, match=message) as caught:
        compile_bus_network(transit_copy)
    assert caught.value.path == path
    if row is not None:
        assert caught.value.row == row


def test_node_at_two_places(transit_copy: Path) -> None:
    path = transit_copy / "osm-bus-relations-2022" / "route_stop_sequence.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    first = lines[1].split(",")
    moved = [*first[:-2], str(float(first[-2]) + 0.01), first[-1]]
    moved[0] = "999"  # another relation listing the same node elsewhere
    path.write_text("\n".join([*lines, ",".join(moved)]) + "\n", encoding="utf-8")
    with pytest.raises(InputDataError, match="is at two places") as caught:
        compile_bus_network(transit_copy)
    assert caught.value.row == len(lines) + 1
