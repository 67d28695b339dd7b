"""`heritage experiment`: configs, seeded searches, the results folder and its plots."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from cli.main import app as cli_app
from recommender.catalogue import DEFAULT_CATALOGUE_PATH, load_catalogue
from recommender.experiment import (
    ExperimentConfigError,
    load_config,
    parameter_sets,
    parse_config,
    run_experiment,
    write_results,
)

SMALL = """
[experiment]
name = "small"
dataset = "hanoi-synthetic"
search = "grid"
seed = 0
[dataset]
users = 150
[parameters]
factors = [4, 8]
alpha = [2.0, 10.0]
"""


def test_grid_and_random_searches_are_seeded() -> None:
    grid = parse_config({"experiment": {"search": "grid"}, "parameters": {"factors": [4, 8], "alpha": [1.0, 2.0, 3.0]}})
    assert len(parameter_sets(grid)) == 6
    random = parse_config(
        {"experiment": {"search": "random", "trials": 5, "seed": 7}, "parameters": {"alpha": [0.1, 100.0]}}
    )
    draws = parameter_sets(random)
    assert draws == parameter_sets(random)
    assert len(draws) == 5
    assert all(0.1 <= d["alpha"] <= 100.0 for d in draws)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"experiment": {"dataset": "mars"}}, "dataset 'mars'"),
        ({"experiment": {"search": "bayes"}}, "grid' or 'random"),
        ({"parameters": {"depth": [1, 2]}}, "'depth' is not a parameter"),
        ({"experiment": {"search": "random"}, "parameters": {"alpha": [1.0, 2.0, 3.0]}}, "[low, high]"),
    ],
)
def test_bad_configs_name_the_key(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ExperimentConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_config(raw)


def test_a_small_hanoi_experiment_writes_its_folder(tmp_path: Path) -> None:
    config_path = tmp_path / "small.toml"
    config_path.write_text(SMALL, encoding="utf-8")
    config = load_config(config_path)
    catalogue = load_catalogue(DEFAULT_CATALOGUE_PATH)
    seen: list[int] = []
    result = run_experiment(config, catalogue, on_progress=lambda done, total, run: seen.append(done))
    assert seen == [1, 2, 3, 4]
    again = run_experiment(config, catalogue)
    assert [run["metrics"] for run in again.runs] == [run["metrics"] for run in result.runs]  # seeded
    folder = write_results(result, tmp_path / "out", catalogue=catalogue)
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["best.json", "best_model.npz", "config.toml", "plots", "runs.csv", "runs.jsonl"]
    plots = sorted(p.name for p in (folder / "plots").iterdir())
    assert plots == ["methods.png", "ndcg_at_10_learnt_by_alpha.png", "ndcg_at_10_learnt_by_factors.png"]
    assert all((folder / "plots" / name).read_bytes()[:4] == b"\x89PNG" for name in plots)
    assert len((folder / "runs.csv").read_text().splitlines()) == 5
    with pytest.raises(ExperimentConfigError, match="never overwritten"):
        write_results(result, folder, catalogue=catalogue)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]  # no staging folder left


def test_the_cli_runs_a_config_and_fails_cleanly(tmp_path: Path) -> None:
    config_path = tmp_path / "small.toml"
    config_path.write_text(SMALL.replace("factors = [4, 8]", "factors = [4]"), encoding="utf-8")
    result = CliRunner().invoke(cli_app, ["experiment", str(config_path), "--out", str(tmp_path / "r"), "--json"])
    assert result.exit_code == 0, result.stderr
    payload = orjson.loads(result.stdout)
    assert len(payload["runs"]) == 2
    assert (tmp_path / "r" / "best.json").is_file()
    broken = tmp_path / "broken.toml"
    broken.write_text("[experiment\n", encoding="utf-8")
    result = CliRunner().invoke(cli_app, ["experiment", str(broken)])
    assert result.exit_code == 1
    assert "not valid TOML" in result.stderr


def test_a_cikm16_experiment_reports_per_city_and_plots_against_published(tmp_path: Path) -> None:
    from tests.recommender.tours.helpers import CIKM16, require_cikm16

    require_cikm16()
    config = parse_config(
        {
            "experiment": {"name": "osaka", "dataset": "cikm16"},
            "dataset": {"path": str(CIKM16), "cities": ["Osak"]},
            "parameters": {"l2": [1.0]},
        },
        source="[experiment]\n",
    )
    result = run_experiment(config, load_catalogue(DEFAULT_CATALOGUE_PATH))
    metrics = result.best["metrics"]
    assert {"f1_Osak", "pairs_f1_Osak", "f1_inner_Osak", "f1_mean"} <= set(metrics)
    assert 0.6 < metrics["f1_Osak"] < 0.9
    folder = write_results(result, tmp_path / "out")
    assert (folder / "plots" / "cities_vs_published.png").read_bytes()[:4] == b"\x89PNG"


def test_the_same_config_reproduces_the_results_folder(tmp_path: Path) -> None:
    """Twice from one config: the same metrics byte for byte, the same best model file; only timings differ."""
    config_path = tmp_path / "small.toml"
    config_path.write_text(SMALL.replace("factors = [4, 8]", "factors = [4]"), encoding="utf-8")
    folders = [tmp_path / "first", tmp_path / "second"]
    for folder in folders:
        result = CliRunner().invoke(cli_app, ["experiment", str(config_path), "--out", str(folder), "--json"])
        assert result.exit_code == 0, result.stderr

    def without_timings(folder: Path) -> list[bytes]:
        lines = (folder / "runs.jsonl").read_bytes().splitlines()
        return [orjson.dumps({k: v for k, v in orjson.loads(line).items() if k != "time_s"}) for line in lines]

    first, second = folders
    assert len(without_timings(first)) == 2
    assert without_timings(first) == without_timings(second)
    for name in ("config.toml", "best_model.npz"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
