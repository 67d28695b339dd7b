"""`heritage route` on the real Hanoi bundle: plausible walks and bus journeys, and one clear error per bad input."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

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
