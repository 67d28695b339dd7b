from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from recommender.planner import MalformedInstanceError, read_instance, read_toptw, read_ttdp
from recommender.planner.optw_io import truncated_distances
from tests.recommender.test_planner_helpers import INSTANCES


@pytest.fixture
def instances() -> Path:
    if not INSTANCES.is_dir():
        pytest.skip("../shared/benchmarks absent")
    return INSTANCES


def test_reads_solomon_c101(instances: Path) -> None:
    problem = read_instance(instances / "c101.txt")
    assert problem.n_nodes == 101
    assert problem.n_routes == 1
    assert (problem.day_start_s[0], problem.day_end_s[0]) == (0.0, 1236.0)
    assert problem.start_node == problem.end_node == 0
    assert (problem.score[1], problem.service_s[1], problem.windows(1, 0)) == (10.0, 90.0, [(912.0, 967.0)])
    assert problem.windows(100, 0) == [(647.0, 726.0)]
    # Depot (40, 50) to vertex 1 (45, 68): sqrt(25 + 324) = 18.68..., truncated to one decimal.
    assert problem.travel_s[0, 1] == 18.6
    assert problem.travel_s[1, 0] == 18.6
    assert not problem.mandatory.any()
    assert not problem.forbidden.any()
    assert read_toptw(instances / "c101.txt", n_routes=3).n_routes == 3


def test_reads_cordeau_pr01_with_two_decimals(instances: Path) -> None:
    problem = read_instance(instances / "pr01.txt")
    assert problem.n_nodes == 49
    assert problem.day_end_s[0] == 1000.0
    assert (problem.score[1], problem.service_s[1], problem.windows(1, 0)) == (12.0, 2.0, [(354.0, 509.0)])
    assert problem.windows(48, 0) == [(98.0, 233.0)]  # a list of four entries before the window
    expected = math.floor(math.hypot(-10.442 + 29.730, 19.999 - 64.136) * 100) / 100
    assert problem.travel_s[0, 1] == expected == 48.16


def test_reads_gavalas_t101_with_weekday_hours(instances: Path) -> None:
    problem = read_instance(instances / "t101.txt")
    assert problem.n_nodes == 102
    assert problem.n_routes == 1
    assert (problem.day_start_s[0], problem.day_end_s[0]) == (510.0, 1210.0)
    assert (problem.score[2], problem.service_s[2]) == (27.0, 64.0)
    # The one tour starts on weekday 5: node 2 is open 510-990, node 26 is closed, node 4 opens at 540.
    assert problem.windows(2, 0) == [(510.0, 990.0)]
    assert problem.windows(26, 0) == []
    assert problem.windows(4, 0) == [(540.0, 990.0)]
    expected = math.floor(math.hypot(43 - 12.22, 78 - 88.27) * 100) / 100
    assert problem.travel_s[0, 1] == expected


def test_reads_several_tours_from_their_start_day(instances: Path) -> None:
    problem = read_ttdp(instances / "t103.txt")  # M = 2 tours from weekday 6: days 6 then 0
    assert problem.n_routes == 2
    assert problem.windows(1, 0) == []  # node 1: closed on weekday 6, open 510-1020 on weekday 0
    assert problem.windows(1, 1) == [(510.0, 1020.0)]
    assert problem.windows(8, 0) == [(510.0, 930.0)]
    assert problem.windows(8, 1) == []


def test_truncation_is_exact_on_round_values() -> None:
    distances = truncated_distances(np.array([0.0, 3.0, 0.3]), np.array([0.0, 4.0, 0.4]), 2)
    assert distances[0, 1] == 5.0
    assert distances[0, 2] == 0.5
    assert truncated_distances(np.array([0.0, 1.0]), np.array([0.0, 1.0]), 1)[0, 1] == 1.4


@pytest.mark.parametrize(
    ("line_number", "replacement", "message"),
    [
        (4, "  1 45.00 68.00 90.00 10.00 1 1 1 912\n", r"expected 10 fields for a list of 1, got 9"),
        (5, "  2 45.00 70.00 ninety 30.00 1 1 1 825 870\n", r"non-numeric field"),
        (6, "  7 42.00 66.00 10.00 10.00 1 1 1 65 146\n", r"expected vertex number 3, got 7"),
        (1, "4 10 abc 1\n", r"non-numeric field in header"),
        (4, "  1 45.00 68.00 90.00 10.00 1 1 1 967 912\n", r"window closes \(912\) before it opens \(967\)"),
    ],
)
def test_malformed_toptw_names_file_and_line(
    instances: Path, tmp_path: Path, line_number: int, replacement: str, message: str
) -> None:
    path = tmp_path / "c101.txt"
    lines = (instances / "c101.txt").read_text().splitlines(keepends=True)
    lines[line_number - 1] = replacement
    path.write_text("".join(lines))
    with pytest.raises(MalformedInstanceError, match=message) as error:
        read_instance(path)
    assert error.value.path == str(path)
    assert error.value.line == line_number
    assert str(error.value).startswith(f"{path}:{line_number}: ")


def test_truncated_file_reports_point_count(instances: Path, tmp_path: Path) -> None:
    path = tmp_path / "c101.txt"
    path.write_text("".join((instances / "c101.txt").read_text().splitlines(keepends=True)[:50]))
    with pytest.raises(MalformedInstanceError, match=r"c101.txt:50: header announces 100 points, found 47"):
        read_instance(path)


def test_malformed_ttdp_names_file_and_line(instances: Path, tmp_path: Path) -> None:
    path = tmp_path / "t101.txt"
    shutil.copy(instances / "t101.txt", path)
    lines = path.read_text().splitlines(keepends=True)
    lines[4] = "3 6.39 52.21 2 8 9 0 1439 0 1439\n"
    path.write_text("".join(lines))
    with pytest.raises(MalformedInstanceError, match=r"t101.txt:5: expected at least 21 fields"):
        read_instance(path)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_text("\n")
    with pytest.raises(MalformedInstanceError, match=r"empty.txt:1: expected a header line"):
        read_instance(path)
