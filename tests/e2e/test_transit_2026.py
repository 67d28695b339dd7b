"""The 2026 network on the real bundle: the extract's lines (VinBus, metro 2A), their sources, readable stop names."""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from cli.main import app as cli_app
from routing.bundle.load import CityBundle, load_bundle
from routing.errors import RoutingError
from routing.journeys import BusPlanner
from routing.journeys.journey import BusLeg, Journey, WalkLeg

pytestmark = pytest.mark.slow

CAT_LINH = (21.02862, 105.82746)
"""A point beside Cát Linh station, the 2A terminal (the station node is at 21.02898, 105.82808)."""
THAI_HA = (21.01442, 105.82011)
"""A point beside Thái Hà station on line 2A."""
ID_LIKE = re.compile(r"(^Điểm dừng)|(^OSM \d+)|(\d+_\d+_S\d+)|(^(osm|gtfs):)")


@pytest.fixture(scope="module")
def bundle(bundle_path: Path) -> CityBundle:
    return load_bundle(bundle_path)


@pytest.fixture(scope="module")
def planner(bundle: CityBundle) -> BusPlanner:
    """The bus planner on the bundle's own timetable and transfers, bus legs drawn stop to stop (no drive graph)."""
    return BusPlanner(bundle.bus, bundle.timetable, bundle.transfers, bundle.walk, bundle.stop_access)


def route_cli(bundle_path: Path, *args: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli_app, ["route", "--bundle", str(bundle_path), *args, "--json"])
    assert result.exit_code == 0, result.stderr
    payload: dict[str, Any] = orjson.loads(result.stdout)
    return payload


def test_evening_bus_from_ta_hien_to_the_museum_of_ethnology(bundle_path: Path) -> None:
    payload = route_cli(
        bundle_path,
        "--from",
        "ta-hien-beer-street",
        "--to",
        "vietnam-museum-of-ethnology",
        "--mode",
        "bus",
        "--depart",
        "20:30",
    )
    assert payload["journeys"], payload
    rides = [leg for journey in payload["journeys"] for leg in journey["legs"] if leg["mode"] in ("bus", "metro")]
    assert rides
    for ride in rides:
        assert len(ride["stop_name_sources"]) == len(ride["stop_names"])
        assert set(ride["stop_name_sources"]) <= {"osm", "derived"}
        assert ride["board_stop_name_source"] in ("osm", "derived")


def test_cat_linh_to_thai_ha_rides_metro_2a(planner: BusPlanner) -> None:
    plan = planner.plan(*CAT_LINH, *THAI_HA, depart_s=9 * 3600)
    metro = [leg for j in plan.journeys for leg in j.legs if isinstance(leg, BusLeg) and leg.mode == "metro"]
    assert metro, [leg.to_dict()["mode"] for j in plan.journeys for leg in j.legs]
    ride = metro[0]
    assert ride.ref == "2A"
    assert ride.board_stop_name == "Cát Linh"
    assert ride.alight_stop_name == "Thái Hà"
    assert ride.to_dict()["mode"] == "metro"
    assert ride.stop_name_sources == ("osm", "osm", "osm")


def test_metro_uses_only_stations_of_the_extract(bundle: CityBundle) -> None:
    metro = [route for route in bundle.bus.routes if route.mode == "metro"]
    assert {route.ref for route in metro} == {"2A"}
    stops = bundle.bus.stop_by_id()
    names = {stops[stop_id].name for route in metro for stop_id in route.stop_ids}
    assert names == {"Cát Linh", "La Thành", "Thái Hà"}
    for route in metro:
        assert route.field_sources["stops"] == "osm-extract"
        assert route.service_hours_s == ((5 * 3600, 23 * 3600),)
        assert route.headway_s["md"] == 600.0  # interval 10; 6 at the peaks by the route master's condition
        assert route.headway_s["am"] == 360.0


@pytest.mark.parametrize("ref", ["E02", "E07", "E08", "E09", "CNG03"])
def test_vinbus_lines_are_routable(bundle: CityBundle, planner: BusPlanner, ref: str) -> None:
    routes = [route for route in bundle.bus.routes if route.ref == ref]
    assert routes
    route = max(routes, key=lambda r: len(r.stop_ids))
    assert route.field_sources["stops"] == "osm-extract"
    stops = bundle.bus.stop_by_id()
    on_streets = [s for s in route.stop_ids if not bundle.stop_access[s]["off_network"]]
    assert len(on_streets) >= 6
    first, last = stops[on_streets[1]], stops[on_streets[len(on_streets) * 2 // 3]]
    plan = planner.plan(first.lat, first.lon, last.lat, last.lon, depart_s=10 * 3600, max_access_m=300)
    refs = {leg.ref for j in plan.journeys for leg in j.legs if isinstance(leg, BusLeg)}
    assert plan.journeys
    assert refs, "no ride"


def test_changed_terminals_and_headways_follow_the_newer_source(bundle: CityBundle) -> None:
    stops = bundle.bus.stop_by_id()
    route_90 = [r for r in bundle.bus.routes if r.ref == "90"]
    assert any("Hào Nam" in stops[r.stop_ids[0]].name for r in route_90)
    assert all("Kim Mã" not in stops[r.stop_ids[0]].name for r in route_90)
    route_50 = [r for r in bundle.bus.routes if r.ref == "50"]
    assert all(r.field_sources["stops"] == "osm-extract" for r in route_50)
    assert all("Mỹ Đình" not in stops[r.stop_ids[-1]].name for r in route_50)
    for route in (r for r in bundle.bus.routes if r.ref == "32"):
        assert route.headway_s["md"] == 1200.0
        assert route.field_sources["headway"] == "osm-extract"


def test_info_reports_counts_per_source_and_mode(bundle_path: Path) -> None:
    result = CliRunner().invoke(cli_app, ["info", "--bundle", str(bundle_path), "--json"])
    assert result.exit_code == 0, result.stderr
    transit = orjson.loads(result.stdout)["transit"]
    assert transit["routes_by_mode"]["metro"] == 2
    assert transit["lines_by_mode"]["metro"] == 1
    assert transit["route_fields_by_source"]["stops"]["osm-extract"] >= 20
    assert set(transit["stops_by_name_source"]) == {"osm", "derived"}
    assert 9684066 in transit["extract_relations_incomplete"]


def test_no_stop_is_named_by_an_id(bundle: CityBundle) -> None:
    bad = [stop for stop in bundle.bus.stops if not stop.name.strip() or ID_LIKE.search(stop.name)]
    assert not bad, bad[:5]
    assert {stop.name_source for stop in bundle.bus.stops} == {"osm", "derived"}


def _stop_names(journey: Journey) -> list[tuple[str, str | None]]:
    names: list[tuple[str, str | None]] = []
    for leg in journey.legs:
        if isinstance(leg, BusLeg):
            names += list(zip(leg.stop_names, leg.stop_name_sources, strict=True))
        elif isinstance(leg, WalkLeg):
            if leg.from_stop_id is not None:
                names.append((leg.from_name, leg.from_name_source))
            if leg.to_stop_id is not None:
                names.append((leg.to_name, leg.to_name_source))
    return names


def test_500_random_place_pairs_show_no_id_as_a_stop_name(bundle: CityBundle, planner: BusPlanner) -> None:
    places = sorted(bundle.places, key=lambda place: str(place["id"]))
    rng = random.Random(12)
    checked = 0
    for _ in range(500):
        origin, target = rng.sample(places, 2)
        for depart_s in (9 * 3600, 19 * 3600):
            try:
                plan = planner.plan(
                    float(origin["lat"]),
                    float(origin["lon"]),
                    float(target["lat"]),
                    float(target["lon"]),
                    depart_s=depart_s,
                )
            except RoutingError:  # no route, no service, off the streets: nothing to name
                continue
            for journey in plan.journeys:
                for name, source in _stop_names(journey):
                    checked += 1
                    assert name.strip(), (origin["id"], target["id"])
                    assert not ID_LIKE.search(name), (origin["id"], target["id"], name)
                    assert source in ("osm", "derived")
    assert checked > 5_000
