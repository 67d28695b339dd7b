"""`heritage route` to sights out of reach of streets or buses, on the real Hanoi bundle: how to get there, never a
walk of hours (issue 12: Perfume Pagoda, Thầy Pagoda, Ước Lễ; Bát Tràng and Kim Lan on street islands)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from cli.main import app as cli_app
from routing.journeys.access import MAX_WALK_M, TAXI_LAST_LEG_MAX_M, WALK_LAST_LEG_MAX_M

pytestmark = pytest.mark.slow
FAR_SIGHTS = ["perfume-pagoda", "thay-pagoda", "uoc-le-gio-cha-village"]
ISLAND_SIGHTS = ["bat-trang-ceramic-village", "kim-lan-pottery-village"]


def run(bundle_path: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    result = CliRunner().invoke(cli_app, ["route", "--bundle", str(bundle_path), *args, "--json"])
    return result.exit_code, orjson.loads(result.stdout), result.stderr


def assert_no_long_walk(payload: dict[str, Any]) -> None:
    walk = payload.get("walk_only")
    assert walk is None or walk["walk_m"] <= MAX_WALK_M
    for journey in payload.get("journeys", []):
        for leg in journey["legs"]:
            if leg["mode"] == "walk" and leg["estimated"] and leg["kind"] in {"access", "egress"}:
                assert leg["length_m"] <= WALK_LAST_LEG_MAX_M + 1.0


@pytest.mark.parametrize("sight", FAR_SIGHTS)
def test_bus_to_a_far_sight_says_how_to_get_there(bundle_path: Path, sight: str) -> None:
    code, payload, stderr = run(bundle_path, "--from", "hoan-kiem-lake", "--to", sight, "--mode", "bus")
    assert payload["status"] in {"needs_taxi", "no_public_transport", "ok"}, payload["message"]
    assert_no_long_walk(payload)
    to = payload["access"]["to"]
    assert to["place_id"] == sight
    assert to["street"] == "none"
    stop = to["nearest_stop"]
    assert stop["stop_id"]
    assert stop["name"]
    assert stop["estimated"] is True
    if payload["status"] == "no_public_transport":
        assert code == 1
        assert stop["distance_m"] > TAXI_LAST_LEG_MAX_M
        assert payload["suggestion"] == "taxi"
        assert payload["taxi"]["estimated"] is True
        assert "No public transport" in " ".join(stderr.split())
        return
    assert code == 0, stderr
    assert payload["journeys"]
    if payload["status"] == "needs_taxi":
        assert to["last_leg"]["mode"] == "taxi"
        assert WALK_LAST_LEG_MAX_M < to["last_leg"]["length_m"] <= TAXI_LAST_LEG_MAX_M
        best = min(payload["journeys"], key=lambda journey: journey["arrive_s"])
        last = best["legs"][-1]
        assert last["mode"] == "taxi"
        assert last["estimated"] is True
        assert last["options"] == ["taxi", "xe_om"]
        assert "taxi or xe ôm" in payload["message"]


@pytest.mark.parametrize("sight", FAR_SIGHTS)
def test_walk_to_a_far_sight_is_not_offered(bundle_path: Path, sight: str) -> None:
    code, payload, stderr = run(bundle_path, "--from", "hoan-kiem-lake", "--to", sight)
    assert code == 1
    assert payload["status"] == "no_walk_route"
    assert "length_m" not in payload
    assert payload["suggestion"] in {"bus", "taxi"}
    assert payload["access"]["to"]["nearest_stop"]["distance_m"] > 0
    assert "No walking route" in " ".join(stderr.split())


@pytest.mark.parametrize("sight", ISLAND_SIGHTS)
def test_street_islands_walk_answer_and_bus_journey(bundle_path: Path, sight: str) -> None:
    code, payload, _ = run(bundle_path, "--from", "hoan-kiem-lake", "--to", sight)
    assert code == 1
    assert payload["status"] == "no_walk_route"
    assert payload["access"]["to"]["street"] == "island"
    assert payload["suggestion"] == "bus"
    code, payload, stderr = run(bundle_path, "--from", "hoan-kiem-lake", "--to", sight, "--mode", "bus")
    assert code == 0, stderr
    assert payload["status"] == "ok"
    assert payload["journeys"]
    assert_no_long_walk(payload)


def test_a_long_city_walk_is_too_far(bundle_path: Path) -> None:
    code, payload, stderr = run(bundle_path, "--from", "hoan-kiem-lake", "--to", "co-loa-citadel", "--mode", "bus")
    assert code == 0, stderr
    assert_no_long_walk(payload)
    # Hồ Tây's far shore to Hà Đông: both on the main street network, well over 8 km apart
    code, payload, _ = run(bundle_path, "--from", "21.0700,105.8180", "--to", "20.9700,105.7750")
    assert code == 1
    assert payload["status"] == "too_far_to_walk"
    assert payload["distance_m"] > MAX_WALK_M
    assert payload["suggestion"] == "bus"
    assert payload["access"]["from"]["street"] == "main"
