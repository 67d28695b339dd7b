"""`heritage design-line` on the real bundle: the Done-when line, its GTFS (gtfs-kit, back into RAPTOR), a map
that loads nothing from a CDN, bad input.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from cli.main import app as cli_app
from routing.bundle.load import CityBundle, load_bundle
from routing.journeys import BusLeg, BusPlanner
from routing.operators import add_line
from routing.operators.gtfs import read_gtfs_line, validate_gtfs

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bundle(bundle_path: Path) -> CityBundle:
    return load_bundle(bundle_path, verify_hashes=False)


def run(bundle_path: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli_app, ["design-line", "--bundle", str(bundle_path), *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def proposal(bundle_path: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    out = tmp_path_factory.mktemp("line")
    code, stdout, stderr = run(
        bundle_path,
        "--interests", "heritage,ci_centre",
        "--headway", "15",
        "--max-fleet", "6",
        "--search-time", "15",
        "--json",
        "--gtfs", str(out / "line.zip"),
        "--map", str(out / "line.html"),
        "--geojson", str(out / "line.geojson"),
    )  # fmt: skip
    assert code == 0, stderr
    return orjson.loads(stdout), out


def test_done_when_line(proposal: tuple[dict[str, Any], Path]) -> None:
    payload, _ = proposal
    # The service rule: with loops and two-way lines both searched, the line returned serves each pair both ways.
    assert payload["kind"] == "line"
    assert len(payload["directions"]) == 2
    assert payload["sites_served_count"] >= 5
    assert len(payload["stops"]) >= 4  # min_stops
    assert payload["fleet_size"] <= 6  # the cap
    assert all(stop["name"] for stop in payload["stops"])
    assert [stop["order"] for stop in payload["stops"]] == list(range(len(payload["stops"])))
    round_trip = payload["round_trip_min"]
    assert 10 < round_trip < 6 * 60  # feasible: runs within the service day, many times over
    assert payload["fleet_size"] * 15 >= round_trip
    assert (payload["fleet_size"] - 1) * 15 < round_trip
    assert payload["trips_per_day"] == 56 * len(payload["directions"])  # 06:00-20:00 every 15 min
    assert payload["vehicle_km_per_day"] > 0
    assert payload["vehicle_hours_per_day"] > 0
    evaluation = payload["evaluation"]
    summary = evaluation["summary"]
    assert summary["pairs"] == summary["places"] * (summary["places"] - 1)
    assert summary["pairs_compared"] >= 0.95 * summary["pairs"]
    assert summary["mean_after_min"] <= summary["mean_before_min"]
    assert summary["share_improved"] > 0
    assert len(evaluation["top_sites"]) == 5
    savings = [site["mean_saving_min"] for site in evaluation["top_sites"]]
    assert savings == sorted(savings, reverse=True)
    assert savings[0] > 0
    assert summary["touched_pairs"] > 0
    assert summary["touched_mean_saving_min"] > summary["mean_saving_min"]  # the line helps the pairs it serves most
    chosen = [a for a in payload["alternatives"] if a["chosen"]]
    assert len(chosen) == 1
    assert chosen[0]["fleet_size"] == payload["fleet_size"]
    assert payload["search"]["lines_scored"] >= len(payload["alternatives"])
    residents = payload["residents"]
    assert {"30", "45", "60"} == set(residents["residents_gaining_access"])
    assert all(ward["population"] > 0 and ward["name"] for ward in residents["wards"])


def test_craft_villages_reach_bat_trang(bundle_path: Path) -> None:
    """The craft-village theme through Bát Tràng: the walked last leg is stated, two more villages are on the line."""
    code, stdout, stderr = run(
        bundle_path,
        "--interests", "craft_village",
        "--places", "bat-trang-ceramic-village",
        "--headway", "30",
        "--search-time", "20",
        "--no-evaluate",
        "--json",
    )  # fmt: skip
    assert code == 0, stderr
    payload = orjson.loads(stdout)
    served = {site for stop in payload["stops"] for site in stop["sites"]}
    assert "bat-trang-ceramic-village" in served
    villages = served - {"bat-trang-ceramic-village", "bat-trang-ceramics-museum"}
    assert len(villages) >= 2
    walked = {site for leg in payload["walked_last_legs"] for site in leg["sites"]}
    assert "bat-trang-ceramic-village" in walked  # no road of the drive graph's main component within 250 m
    assert all(leg["walk_m"] > 250 for leg in payload["walked_last_legs"])
    assert {row["place_id"] for row in payload["skipped_reasons"]} == set(payload["skipped_sites"])


def test_outputs_written(proposal: tuple[dict[str, Any], Path]) -> None:
    payload, out = proposal
    page = (out / "line.html").read_text(encoding="utf-8")
    assert "leaflet" in page.lower()
    assert payload["name"] in page
    collection = orjson.loads((out / "line.geojson").read_bytes())
    kinds = [feature["properties"]["kind"] for feature in collection["features"]]
    assert kinds.count("route") == len(payload["directions"])  # one route feature per direction
    assert kinds.count("stop") == len(payload["stops"])
    assert sorted(path.name for path in out.iterdir()) == ["line.geojson", "line.html", "line.zip"]


def test_the_map_loads_no_script_or_stylesheet_from_elsewhere(proposal: tuple[dict[str, Any], Path]) -> None:
    """The --map page is self-contained (Leaflet and jQuery inlined): it opens offline, only the tiles missing."""
    _, out = proposal
    page = (out / "line.html").read_text(encoding="utf-8")
    assert not re.search(r"<script\b[^>]*\bsrc\s*=", page, re.IGNORECASE)
    assert not re.search(r"<link\b[^>]*\bhref\s*=", page, re.IGNORECASE)
    assert not re.search(r"cdn\.jsdelivr|cdnjs|unpkg|bootstrapcdn|code\.jquery", page)
    assert "Leaflet 1.9.3" in page  # inlined from the pinned XStatic package
    assert "tile.openstreetmap.org" in page  # the tiles still need the network


def test_gtfs_validates_and_loads_back_into_raptor(proposal: tuple[dict[str, Any], Path], bundle: CityBundle) -> None:
    payload, out = proposal
    gtfs = out / "line.zip"
    assert [problem for problem in validate_gtfs(gtfs) if problem["type"] == "error"] == []
    schedule = read_gtfs_line(gtfs)
    outbound = schedule.directions[0].stop_ids
    assert list(outbound[:-1] if payload["kind"] == "loop" else outbound) == [s["stop_id"] for s in payload["stops"]]
    extended = add_line(bundle.bus, bundle.timetable, bundle.walk, bundle.stop_access, schedule)
    planner = BusPlanner(
        extended.bus, extended.timetable, extended.transfers, bundle.walk, extended.stop_access, drive=bundle.drive
    )
    stops = payload["stops"]
    used = 0
    for first in range(len(stops)):  # from a stop to the stop halfway along the line
        a, b = stops[first], stops[(first + len(stops) // 2) % len(stops)]
        plan = planner.plan(a["lat"], a["lon"], b["lat"], b["lon"], depart_s=10 * 3600)
        legs = [leg for journey in plan.journeys for leg in journey.legs if isinstance(leg, BusLeg)]
        used += any(leg.route_id in extended.route_ids for leg in legs)
    assert used >= 2


def test_two_way_line_between_terminals(bundle_path: Path) -> None:
    code, stdout, stderr = run(
        bundle_path,
        "--places", "temple-of-literature,hanoi-opera-house,st-josephs-cathedral",
        "--from", "ho-chi-minh-mausoleum",
        "--to", "21.0245,105.8575",
        "--headway", "10",
        "--hours", "07:00-19:00",
        "--no-evaluate",
        "--json",
    )  # fmt: skip
    assert code == 0, stderr
    payload = orjson.loads(stdout)
    assert payload["kind"] == "line"
    assert len(payload["directions"]) == 2
    assert payload["trips_per_day"] == 2 * 72
    assert {"temple-of-literature", "hanoi-opera-house", "st-josephs-cathedral"} <= set(payload["designed_for"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--places", "no-such-place,temple-of-literature"), "no-such-place"),
        (("--interests", "heritage", "--from", "21.5,105.2", "--to", "temple-of-literature"), "off the drive network"),
        (("--interests", "castles"), "castles"),
        (("--places", "temple-of-literature"), "--places: give at least two distinct places"),
        (("--places", "bat-trang-ceramic-village,bat-trang-ceramics-museum"), "--places: the places give fewer"),
        (("--interests", "heritage", "--max-fleet", "1", "--headway", "5", "--search-time", "5"), "--max-fleet"),
        (("--interests", "heritage", "--headway", "0"), "--headway"),
        (("--interests", "heritage", "--headway", "121"), "--headway"),
    ],
)
def test_bad_input_needs_the_bundle(bundle_path: Path, tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    gtfs = tmp_path / "line.zip"
    code, _, stderr = run(
        bundle_path, *args, *(() if "--headway" in args else ("--headway", "15")), "--gtfs", str(gtfs)
    )
    assert code == 1
    assert message in stderr.replace("\n", " ")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--interests", "heritage", "--hours", "20:00-06:00"), "--hours"),
        (("--interests", "heritage", "--to", "temple-of-literature"), "--to needs --from"),
        ((), "--interests"),
        (("--interests", "heritage", "--gtfs", "/no/such/folder/line.zip"), "does not exist"),
    ],
)
def test_bad_input_fails_fast(bundle_path: Path, args: tuple[str, ...], message: str) -> None:
    code, _, stderr = run(bundle_path, *args)
    assert code == 2
    assert message in stderr.replace("\n", " ")
