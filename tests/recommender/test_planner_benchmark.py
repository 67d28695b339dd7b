from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bench.optw import main
from recommender.planner import MalformedInstanceError, run_optw_benchmark
from recommender.planner.benchmark import instance_set, read_best_known
from tests.recommender.test_planner_helpers import BEST_KNOWN, INSTANCES


@pytest.fixture
def two_instances(tmp_path: Path) -> Path:
    if not INSTANCES.is_dir():
        pytest.skip("../shared/benchmarks absent")
    directory = tmp_path / "instances"
    directory.mkdir()
    for name in ("pr01", "t101"):
        shutil.copy(INSTANCES / f"{name}.txt", directory)
    shutil.copy(BEST_KNOWN, tmp_path / "best_known_m1.csv")
    return directory


def test_benchmark_records_and_summary(two_instances: Path) -> None:
    records = list(run_optw_benchmark(two_instances, time_limit_s=0.1, seed=0, best_known_csv=BEST_KNOWN))
    assert [record.get("instance") for record in records[:2]] == ["pr01", "t101"]
    pr01, t101, summary = records
    assert set(pr01) >= {"instance", "score", "time_s", "route", "best_known", "gap_pct", "feasible", "m"}
    assert pr01["feasible"] is True
    assert pr01["best_known"] == 308
    assert pr01["route"] == pr01["routes"][0]  # type: ignore[index]
    assert 0 not in pr01["route"]  # type: ignore[operator]
    assert "best_known" not in t101
    assert summary["summary"] is True
    assert summary["with_best_known"] == 1
    assert summary["all_feasible"] is True
    sets = summary["sets"]
    assert isinstance(sets, dict)
    assert set(sets) == {"pr01-10", "t1"}


def test_bench_cli_prints_json_lines(two_instances: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--instances", str(two_instances), "--time-limit", "0.05", "--only", "pr01", "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line.get("instance") for line in lines] == ["pr01", None]
    assert lines[0]["best_known"] == 308  # found beside the instances directory
    assert lines[1]["summary"] is True


def test_bench_cli_table(two_instances: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--instances", str(two_instances), "--time-limit", "0.05", "--only", "t101"]) == 0
    assert "t101" in capsys.readouterr().out


def test_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no instance"):
        list(run_optw_benchmark(tmp_path, time_limit_s=0.1))


def test_best_known_file_errors(tmp_path: Path) -> None:
    bad_header = tmp_path / "a.csv"
    bad_header.write_text("name,score\nc101,320\n")
    with pytest.raises(MalformedInstanceError, match=r"a.csv:1: expected the columns"):
        read_best_known(bad_header)
    bad_value = tmp_path / "b.csv"
    bad_value.write_text("instance,bks\nc101,320\nc102,lots\n")
    with pytest.raises(MalformedInstanceError, match=r"b.csv:3: bks is not a number"):
        read_best_known(bad_value)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("c101", "c1"),
        ("rc208", "rc2"),
        ("r112", "r1"),
        ("pr05", "pr01-10"),
        ("pr17", "pr11-20"),
        ("t250", "t2"),
        ("x", "other"),
    ],
)
def test_instance_sets(name: str, expected: str) -> None:
    assert instance_set(name) == expected
