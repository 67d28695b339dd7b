"""`heritage plan` on the real bundle: JSON itinerary, a map readable without our server, clear errors."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from cli.main import app as cli_app

pytestmark = pytest.mark.slow


def run(bundle_path: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli_app, ["plan", "--bundle", str(bundle_path), *args])
    return result.exit_code, result.stdout, result.stderr


def test_plan_json_and_map(bundle_path: Path, tmp_path: Path) -> None:
    map_path = tmp_path / "day.html"
    code, stdout, stderr = run(
        bundle_path,
        "--start", "Hoàn Kiếm Lake",
        "--date", "2026-11-24",
        "--interests", "cuisine:0.8,craft_village:0.5",
        "--json",
        "--map", str(map_path),
    )  # fmt: skip
    assert code == 0, stderr
    payload = orjson.loads(stdout)
    day = payload["days"][0]
    assert day["visits"]
    assert len(day["legs"]) == len(day["visits"]) + 1
    assert any(visit["kind"] == "lunch" for visit in day["visits"])
    assert all(visit["why"]["reasons"] for visit in day["visits"])
    assert {"walk_km", "bus_rides", "tickets_vnd"} <= set(payload["totals"])
    page = map_path.read_text(encoding="utf-8")
    assert "leaflet" in page.lower()
    assert day["visits"][0]["name"].split()[0] in page
    assert [p.name for p in tmp_path.iterdir()] == ["day.html"]  # no temporary file left behind


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--window", "17:00-09:00"], "before or when it starts"),
        (["--window", "09:00-09:05"], "shorter than the shortest visit"),
        (["--interests", "pagodaz"], "unknown interest"),
        (["--days", "9"], "1 to 7"),
        (["--date", "2026-11-23", "--must", "national-museum-of-vietnamese-history"], "not open"),
        (["--must", "nowhere-at-all"], "unknown place"),
        (["--date", "24/11/2026"], "YYYY-MM-DD"),
    ],
)
def test_bad_input_is_one_clear_error_and_no_map(
    bundle_path: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    map_path = tmp_path / "day.html"
    code, _, stderr = run(bundle_path, "--start", "hoan-kiem-lake", "--map", str(map_path), *args)
    assert code in {1, 2}
    assert message in " ".join(stderr.split())
    assert "Traceback" not in stderr
    assert not list(tmp_path.iterdir())


def test_a_learnt_model_scores_the_plan_and_meals_say_they_are_breaks(bundle_path: Path, tmp_path: Path) -> None:
    from recommender.catalogue import DEFAULT_CATALOGUE_PATH, load_catalogue
    from recommender.feedback import SyntheticSettings, synthetic_events
    from recommender.preference import PreferenceModel

    catalogue = load_catalogue(DEFAULT_CATALOGUE_PATH)
    log = synthetic_events(catalogue, SyntheticSettings(users=150, seed=1))
    model_path = tmp_path / "model.npz"
    PreferenceModel(catalogue).fit(log.events, log.interests).save(model_path)
    code, stdout, stderr = run(
        bundle_path,
        "--start", "hoan-kiem-lake",
        "--date", "2026-11-24",
        "--interests", "heritage",
        "--model", str(model_path),
        "--liked", "temple-of-literature",
        "--json",
    )  # fmt: skip
    assert code == 0, stderr
    visits = orjson.loads(stdout)["days"][0]["visits"]
    assert all("collaborative" in visit["why"] for visit in visits)
    lunch = [visit for visit in visits if visit["kind"] == "lunch"]
    assert lunch
    assert lunch[0]["why"]["reasons"] == ["a break for lunch at a food place on the way"]
