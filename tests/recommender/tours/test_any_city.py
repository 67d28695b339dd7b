"""``heritage bench tours`` on any city whose ``poi-<X>.csv`` and ``traj-<X>.csv`` it is given (made-up cities here)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench.tours import main
from cli.main import app as cli_app
from recommender.tours import TourDataError, discover_cities, load_city, queries, resolve_city
from recommender.tours.benchmark import cities_to_run, run_tours_benchmark
from recommender.tours.data import unpaired_files
from recommender.tours.published import published_reference
from tests.recommender.tours.helpers import synthetic_city_files, write_city, write_synthetic_city


def run_cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli_app, ["bench", "tours", *args])
    return result.exit_code, result.stdout, result.stderr


def test_a_city_of_no_list_runs_with_no_published_figures(tmp_path: Path) -> None:
    data = write_synthetic_city(tmp_path / "data", "Foo")
    expected_queries = len(list(queries(load_city(data, "Foo"))))
    assert expected_queries >= 10
    predictions = tmp_path / "foo.jsonl"
    code, stdout, stderr = run_cli("--data", str(data), "--city", "Foo", "--predictions", str(predictions), "--json")
    assert code == 0, stderr
    record = json.loads(stdout)
    assert record["city"] == "Foo"
    assert record["city_name"] == "Foo"
    assert record["subset"] == "all"
    assert record["queries"] == record["all_trajectories"]["queries"] == expected_queries
    assert record["f1"] == record["all_trajectories"]["f1"]
    assert 0.0 <= record["f1_inner"] <= record["f1"] <= 1.0
    assert 0.0 <= record["pairs_f1"] <= 1.0
    assert record["published"] is None
    assert record["beats_published"] is None
    assert record["baseline"]["reproduces_published"] is None
    assert record["baseline"]["published_subset"]["queries"] == expected_queries
    lines = [json.loads(line) for line in predictions.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == expected_queries
    for line in lines:
        assert line["city"] == "Foo"
        assert len(line["predicted"]) == len(set(line["predicted"])) == line["length"]
        assert (line["predicted"][0], line["predicted"][-1]) == (line["start"], line["end"])


def test_all_is_every_city_with_both_files(tmp_path: Path) -> None:
    data = write_synthetic_city(tmp_path / "data", "Foo")
    write_synthetic_city(data, "Bar", seed=11, n_trajectories=30)
    (data / "poi-Baz.csv").write_text(synthetic_city_files()[0], encoding="utf-8")  # no traj-Baz.csv: not a city
    (data / "notes.csv").write_text("x\n", encoding="utf-8")
    assert discover_cities(data) == ("Bar", "Foo")
    assert unpaired_files(data) == ("poi-Baz.csv",)
    code, stdout, stderr = run_cli("--data", str(data), "--city", "all", "--json")
    assert code == 0, stderr
    assert "skipped poi-Baz.csv" in stderr
    lines = [json.loads(line) for line in stdout.splitlines()]
    assert [line.get("city") for line in lines[:2]] == ["Bar", "Foo"]
    assert lines[2]["summary"] is True
    assert lines[2]["cities"] == ["Bar", "Foo"]
    assert lines[2]["beats_published_f1_and_pairs_f1"] == []
    assert lines[2]["baseline_reproduces_published"] is None


def test_codes_and_known_names_are_matched_without_regard_to_case(tmp_path: Path) -> None:
    data = write_synthetic_city(tmp_path / "data", "Foo")
    write_synthetic_city(data, "Edin", n_trajectories=24)
    assert resolve_city("foo", data) == "Foo"
    assert resolve_city(" FOO ", data) == "Foo"
    assert resolve_city("edinburgh", data) == "Edin"
    assert cities_to_run(data, "Edinburgh,foo,Edin") == ["Edin", "Foo"]
    assert main(["--data", str(data), "--city", "Edinburgh"]) == 0
    (record,) = run_tours_benchmark(data, ["edin"])
    assert (record["city"], record["city_name"], record["published"]) == ("Edin", "Edinburgh", None)


def test_a_published_code_with_other_data_is_not_compared_with_the_paper(tmp_path: Path) -> None:
    data = write_city(tmp_path / "data", code="Glas")
    city = load_city(data, "Glasgow")
    assert city.name == "Glasgow"
    assert published_reference(city) is None
    (record,) = run_tours_benchmark(data, ["Glas"])
    assert record["subset"] == "all"
    assert record["published"] is None


def test_the_published_subset_needs_the_published_query_count(tmp_path: Path) -> None:
    # Osaka: 47 queries in the paper, none left out. A made-up Osak with 47 queries gets the paper's figures.
    folder = tmp_path / "data"
    for n_trajectories in range(60, 120):
        write_synthetic_city(folder, "Osak", n_trajectories=n_trajectories)
        if len(list(queries(load_city(folder, "Osak")))) == 47:
            break
    reference = published_reference(load_city(folder, "Osak"))
    assert reference is not None
    assert reference.left_out == frozenset()
    assert reference.best(reference.f1) == ("PoiRank", 0.745)
    write_synthetic_city(folder, "Osak", n_trajectories=40)
    assert published_reference(load_city(folder, "Osak")) is None


def test_a_city_with_a_single_query_is_answered_by_the_default_model(tmp_path: Path) -> None:
    trajectories = [("u1", 1, [1, 2, 3, 4]), ("u2", 2, [2, 3]), ("u3", 3, [5, 6]), ("u3", 4, [1])]
    data = write_city(tmp_path / "data", code="Solo", trajectories=trajectories)
    (record,) = run_tours_benchmark(data, ["Solo"])
    assert record["queries"] == 1
    assert 0.5 <= float(str(record["f1"])) <= 1.0


@pytest.mark.parametrize(
    ("setup", "city", "message"),
    [
        ("empty", "all", "no city (no poi-<X>.csv with its traj-<X>.csv)"),
        ("foo", "Nowhere", "unknown city 'Nowhere': no poi-Nowhere.csv and traj-Nowhere.csv in"),
        ("foo", "Nowhere", "cities there: Foo"),
        ("foo", "Toronto", "no poi-Toro.csv and traj-Toro.csv"),
        ("foo", "Foo,", "empty city name"),
        ("half", "Baz", "has poi-Baz.csv but no traj-Baz.csv"),
        ("corrupt", "Foo", "poi-Foo.csv:3: could not convert string to float"),
        ("short", "Foo", "traj-Foo.csv: no trajectory of 3 or more POIs, so no query to evaluate"),
        ("foo", "../data/Foo", "unknown city '../data/Foo'"),
    ],
)
def test_bad_city_or_file_is_one_precise_error(tmp_path: Path, setup: str, city: str, message: str) -> None:
    data = tmp_path / "data"
    data.mkdir()
    if setup in {"foo", "corrupt", "short"}:
        write_synthetic_city(data, "Foo")
    if setup == "half":
        (data / "poi-Baz.csv").write_text(synthetic_city_files()[0], encoding="utf-8")
    if setup == "corrupt":
        poi_text = synthetic_city_files()[0].splitlines()
        poi_text[2] = "2,Park,east,48.85"
        (data / "poi-Foo.csv").write_text("\n".join(poi_text) + "\n", encoding="utf-8")
    if setup == "short":
        write_city(data, code="Foo", trajectories=[("u1", 1, [1, 2]), ("u2", 2, [3])])
    code, stdout, stderr = run_cli("--data", str(data), "--city", city, "--json")
    assert code != 0
    assert message in " ".join(stderr.split()), stderr
    assert "Traceback" not in stderr
    assert stdout == ""
    assert main(["--data", str(data), "--city", city]) == 1


def test_resolve_city_without_the_folder(tmp_path: Path) -> None:
    with pytest.raises(TourDataError, match="no such data folder"):
        resolve_city("Foo", tmp_path / "nowhere")
    with pytest.raises(TourDataError, match="no such data folder"):
        cities_to_run(tmp_path / "nowhere", "all")
