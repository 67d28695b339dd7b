"""`heritage communes --json` on the real bundle: 126 units, story coverage and the bus from Hoàn Kiếm at 09:00."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from api.city import current_spec
from api.settings import get_settings
from cli.main import app as cli_app
from recommender.city import build_city
from recommender.communes.stories import default_stories

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bundle() -> Path:
    settings = get_settings()
    return build_city(current_spec(settings), settings.bundle_dir)


def test_communes_json_covers_the_126_units(bundle: Path) -> None:
    result = CliRunner().invoke(cli_app, ["communes", "--bundle", str(bundle), "--json"])
    assert result.exit_code == 0, result.stderr
    rows = orjson.loads(result.stdout)
    assert len(rows) == 126
    assert len({row["id"] for row in rows}) == 126
    verified = {row["id"] for row in rows if row["verified_story"]}
    assert verified == {unit for unit, story in default_stories().items() if story.status == "verified"}
    for row in rows:
        transit = row["transit_from_hoan_kiem"]
        if row["id"] not in verified:
            assert transit is None
            continue
        assert transit["from_place"] == "hoan-kiem-lake"
        assert transit["depart"] == "09:00"
        assert transit["place_id"] == row["signature_place"]
        if transit["status"] == "ok":
            assert transit["duration_min"] > 0
            assert transit["lines"]
    co_loa = next(row for row in rows if row["id"] == "xa-dong-anh")
    assert co_loa["signature_place"] == "co-loa-citadel"
    assert co_loa["transit_from_hoan_kiem"]["status"] == "ok"


def test_an_unknown_bundle_is_one_line_and_exit_1(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli_app, ["communes", "--bundle", str(tmp_path / "nothing"), "--json"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
