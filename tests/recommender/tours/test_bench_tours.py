"""``python -m bench.tours`` and ``heritage bench tours`` on a hand-made city: output, predictions, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench.tours import main
from cli.main import app as cli_app
from recommender.tours.benchmark import write_predictions
from recommender.tours.errors import TourOutputError
from tests.recommender.tours.helpers import write_city


def run_cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli_app, ["bench", "tours", *args])
    return result.exit_code, result.stdout, result.stderr


def test_cli_prints_figures_and_writes_predictions(tmp_path: Path) -> None:
    data = write_city(tmp_path / "data")
    predictions = tmp_path / "out.jsonl"
    code, stdout, _ = run_cli("--data", str(data), "--city", "Toro", "--predictions", str(predictions), "--json")
    assert code == 0
    record = json.loads(stdout)
    for key in ("city", "queries", "f1", "pairs_f1", "f1_inner", "time_s", "f1_std", "pairs_f1_std", "f1_inner_std"):
        assert key in record
    assert record["city"] == "Toro"
    assert record["queries"] == 8
    assert record["all_trajectories"]["queries"] == 8
    assert record["baseline"]["method"] == "PoiPopularity"
    assert record["subset"] == "all"  # a made-up Toro is not the paper's data: nothing to compare with
    assert record["published"] is None
    lines = [json.loads(line) for line in predictions.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 8
    assert set(lines[0]) == {"city", "trajID", "start", "end", "length", "predicted"}
    assert lines[0]["trajID"] == 1
    assert lines[0]["predicted"][0] == 1
    assert lines[0]["predicted"][-1] == 4
    assert len(lines[0]["predicted"]) == lines[0]["length"] == 4
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []


def test_bench_module_runs_several_cities_with_a_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_city(tmp_path / "data", code="Osak")
    write_city(data, code="Glas")
    assert main(["--data", str(data), "--city", "Osak,Glasgow", "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line.get("city") for line in lines[:2]] == ["Osak", "Glas"]
    assert lines[2]["summary"] is True
    assert main(["--data", str(data), "--city", "Osak"]) == 0
    assert "Osaka" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        ("none", ["--data", "{tmp}/missing", "--city", "Toro"], "no such folder"),
        ("city", ["--data", "{tmp}/data", "--city", "Hanoi"], "unknown city"),
        ("city", ["--data", "{tmp}/data", "--city", "Melb"], "no poi-Melb.csv and traj-Melb.csv in"),
        ("corrupt", ["--data", "{tmp}/data", "--city", "Toro"], "missing column"),
        ("city", ["--data", "{tmp}/data", "--city", "Toro", "--predictions", "{tmp}/no/dir/p.jsonl"], "no such folder"),
    ],
)
def test_bad_input_is_one_clear_error(tmp_path: Path, setup: str, args: list[str], message: str) -> None:
    if setup in {"city", "corrupt"}:
        write_city(tmp_path / "data")
    if setup == "corrupt":
        (tmp_path / "data" / "traj-Toro.csv").write_text("userID,trajID\nu,1\n", encoding="utf-8")
    filled = [arg.replace("{tmp}", str(tmp_path)) for arg in args]
    code, stdout, stderr = run_cli(*filled, "--json")
    assert code != 0
    assert message in stderr
    assert "Traceback" not in stderr
    assert stdout == ""
    assert main(filled) == 1


def test_no_predictions_file_when_a_city_fails(tmp_path: Path) -> None:
    data = write_city(tmp_path / "data")
    predictions = tmp_path / "p.jsonl"
    code, _, stderr = run_cli("--data", str(data), "--city", "Toro,Melb", "--predictions", str(predictions))
    assert code != 0
    assert "traj-Melb.csv" in stderr or "poi-Melb.csv" in stderr
    assert list(tmp_path.iterdir()) == [data]


def test_write_predictions_is_atomic(tmp_path: Path) -> None:
    target = tmp_path / "p.jsonl"
    target.write_text("old\n", encoding="utf-8")

    def records() -> object:
        yield {"trajID": 1}
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        write_predictions(target, records())  # type: ignore[arg-type]
    assert target.read_text(encoding="utf-8") == "old\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["p.jsonl"]
    with pytest.raises(TourOutputError, match="is a folder"):
        write_predictions(tmp_path, [])
