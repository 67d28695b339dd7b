"""`heritage route` on the real Hanoi bundle: plausible walks and bus journeys, and one clear error per bad input."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from api.settings import get_settings
from cli.main import app as cli_app

pytestmark = pytest.mark.slow


def run(bundle_path: Path, *args: str) -> tuple[int, dict[str, object] | None, str]:
    result = CliRunner().invoke(cli_app, ["route", "--bundle", str(bundle_path), *args])
    payload = orjson.loads(result.stdout) if result.exit_code == 0 and "--json" in args else None
    return result.exit_code, payload, result.stderr


def test_walk_old_quarter_to_temple_of_literature(bundle_path: Path) -> None:
    code, payload, _ = run(bundle_path, "--from", "hoan-kiem-lake", "--to", "temple-of-literature", "--json")
    assert code == 0
    assert payload is not None
    assert 1_500 <= float(payload["length_m"]) <= 3_500  # type: ignore[arg-type]
    streets = {step["street"] for step in payload["steps"]}  # type: ignore[attr-defined]
    assert len(streets - {None}) >= 2


@pytest.mark.parametrize("target", ["co-loa-citadel", "bat-trang-ceramic-village", "temple-of-literature"])
def test_bus_from_the_old_quarter(bundle_path: Path, target: str) -> None:
    code, payload, stderr = run(bundle_path, "--from", "hoan-kiem-lake", "--to", target, "--mode", "bus", "--json")
    assert code == 0, stderr
    assert payload is not None
    journeys = payload["journeys"]
    assert journeys, payload
    bus_legs = [leg for leg in journeys[0]["legs"] if leg["mode"] == "bus"]  # type: ignore[index]
    assert bus_legs
    assert all(leg["ref"] and leg["board_stop_name"] and leg["alight_stop_name"] for leg in bus_legs)
    if target == "co-loa-citadel":
        assert journeys[0]["legs"][-1]["estimated"] is True  # type: ignore[index]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "25.0,105.85", "--to", "temple-of-literature"], "outside the area"),
        (["--from", "21.0500,105.7000", "--to", "temple-of-literature"], "from the nearest street"),
        (["--from", "nowhere-at-all", "--to", "temple-of-literature"], "unknown place"),
        (["--from", "hoan-kiem-lake", "--to", "temple-of-literature", "--mode", "bus", "--depart", "23:30"], "no bus"),
        (["--from", "hoan-kiem-lake", "--to", "co-loa-citadel"], "use --mode bus"),
        (["--from", "hoan-kiem-lake", "--to", "temple-of-literature", "--depart", "25:00"], "time of day"),
    ],
)
def test_bad_input_is_one_clear_error(bundle_path: Path, args: list[str], message: str) -> None:
    code, _, stderr = run(bundle_path, *args)
    assert code in {1, 2}
    assert message in " ".join(stderr.split())
    assert "Traceback" not in stderr


@pytest.mark.parametrize(
    "ends",
    [
        ("--from", "21.04741,105.8157", "--to", "hoan-kiem-lake"),
        ("--from", "21.04741,105.8157", "--to", "hoan-kiem-lake", "--mode", "bus"),
        ("--from", "hoan-kiem-lake", "--to", "21.04741,105.8157", "--mode", "bus"),
    ],
)
def test_the_snap_setting_refuses_a_point_at_query_time(
    bundle_path: Path, monkeypatch: pytest.MonkeyPatch, ends: tuple[str, ...]
) -> None:
    """``HERITAGE_MAX_SNAP_M=50``: a point about 120 m from any street is one line and exit 1, walking or by bus."""
    monkeypatch.setenv("HERITAGE_MAX_SNAP_M", "50")
    get_settings.cache_clear()
    try:
        code, _, stderr = run(bundle_path, *ends)
    finally:
        monkeypatch.delenv("HERITAGE_MAX_SNAP_M")
        get_settings.cache_clear()
    assert code == 1
    assert "the maximum snap distance is 50 m" in " ".join(stderr.split())
    assert len(stderr.strip().splitlines()) == 1, stderr
    assert "Traceback" not in stderr
    code, _, stderr = run(bundle_path, *ends)
    assert code == 0, stderr


@pytest.mark.parametrize("damage", ["truncated", "builder"])
def test_a_bad_bundle_is_one_line_naming_the_file(bundle_path: Path, tmp_path: Path, damage: str) -> None:
    copy = tmp_path / "bundle"
    shutil.copytree(bundle_path, copy)
    if damage == "truncated":
        target = copy / "walk_graph.npz"
        target.write_bytes(target.read_bytes()[:4_096])
        expected = "walk_graph.npz"
    else:
        manifest = orjson.loads((copy / "manifest.json").read_bytes())
        manifest["builder_version"] = "0.0.1"
        (copy / "manifest.json").write_bytes(orjson.dumps(manifest))
        expected = "built by builder 0.0.1"
    code, _, stderr = run(copy, "--from", "hoan-kiem-lake", "--to", "temple-of-literature")
    assert code == 1
    assert expected in " ".join(stderr.split())
    assert stderr.strip().startswith("error:")
    assert "Traceback" not in stderr
