"""`heritage communes --json` on the real bundle: 126 units, story coverage and the bus from Hoàn Kiếm at 09:00."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from api.city import current_spec
from api.settings import get_settings
from api.store import communes as store
from api.store import repositories
from api.store.db import make_engine, migrate, session_factory
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
        assert transit["place_id"] == row["signature_place"]["id"]
        if transit["status"] == "ok":
            assert transit["duration_min"] > 0
            assert transit["lines"]
    co_loa = next(row for row in rows if row["id"] == "xa-dong-anh")
    assert co_loa["signature_place"]["id"] == "co-loa-citadel"
    assert co_loa["transit_from_hoan_kiem"]["status"] == "ok"


def test_an_unknown_bundle_is_one_line_and_exit_1(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli_app, ["communes", "--bundle", str(tmp_path / "nothing"), "--json"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_grant_makes_an_editor_of_one_unit_and_refuses_bad_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("DATABASE_URL", "HERITAGE_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HERITAGE_SQLITE_PATH", str(tmp_path / "store.sqlite3"))
    get_settings.cache_clear()
    engine = make_engine(get_settings().resolved_database_url)
    migrate(engine)
    with session_factory(engine)() as session:
        user = repositories.create_user(session, email="editor@example.org", password_hash="x")
        user_id = user.id
    runner = CliRunner()
    granted = runner.invoke(
        cli_app, ["communes", "grant", "--role", "editor", "--email", "editor@example.org", "--unit", "Bát Tràng"]
    )
    assert granted.exit_code == 0, granted.stderr
    with session_factory(engine)() as session:
        role = store.role_of(session, user_id)
        assert role is not None
        assert (role.role, role.unit_id) == ("editor", "xa-bat-trang")
    for args, message in (
        (["--role", "editor", "--email", "editor@example.org"], "--unit"),
        (["--role", "editor", "--email", "editor@example.org", "--unit", "Nowhere"], "--unit"),
        (["--role", "admin", "--email", "editor@example.org"], "--role"),
        (["--role", "moderator", "--email", "nobody@example.org"], "no account"),
    ):
        refused = runner.invoke(cli_app, ["communes", "grant", *args])
        assert refused.exit_code != 0
        assert message in refused.stderr
        assert "Traceback" not in refused.stderr
    with session_factory(engine)() as session:
        role = store.role_of(session, user_id)
        assert role is not None
        assert role.unit_id == "xa-bat-trang"  # the refused calls changed nothing
    engine.dispose()
    get_settings.cache_clear()
