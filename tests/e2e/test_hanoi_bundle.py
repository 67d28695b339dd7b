"""The default Hanoi bundle meets the foundation issue's contract (built once, reused between runs)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from api.city import current_spec
from api.settings import get_settings
from cli.main import app as cli_app
from recommender.city import City, build_city, load_city

pytestmark = pytest.mark.slow

NAMED_PLACES = [
    "co-loa-citadel",
    "vong-green-rice-village",
    "hang-dau-water-tower",
    "gia-lam-locomotive-factory",
    "villa-46-hang-bai",
    "red-river-sandbank",
    "temple-of-literature",
    "hoan-kiem-lake",
    "ngoc-son-temple",
]


@pytest.fixture(scope="module")
def hanoi() -> City:
    settings = get_settings()
    return load_city(build_city(current_spec(settings), settings.bundle_dir))


def test_places(hanoi: City) -> None:
    assert len(hanoi.catalogue) >= 250
    for place_id in NAMED_PLACES:
        hanoi.catalogue.get(place_id)
    counts = hanoi.catalogue.count_by_category()
    assert counts["craft_village"] >= 15
    assert counts["ci_centre"] >= 12
    assert counts["cuisine"] >= 80


def test_bus_routes(hanoi: City) -> None:
    usable = [
        route
        for route in hanoi.bundle.bus.routes
        if len(route.stop_ids) >= 3 and any(h is not None for h in route.headway_s.values())
    ]
    assert len(usable) >= 150
    assert hanoi.bundle.manifest.summary["bus"]["routes"] == len(hanoi.bundle.bus.routes)


def test_every_place_and_stop_snapped_or_off_network(hanoi: City) -> None:
    max_snap_m = hanoi.bundle.manifest.options["max_snap_m"]
    for records in (hanoi.bundle.place_access, hanoi.bundle.stop_access):
        for record in records.values():
            assert record["off_network"] or 0 <= record["snap_distance_m"] <= max_snap_m
    assert len(hanoi.bundle.stop_access) == len(hanoi.bundle.bus.stops)
    co_loa = hanoi.bundle.place_access["co-loa-citadel"]
    assert co_loa["off_network"]
    assert co_loa["access_stops"]
    assert hanoi.bundle.place_access["temple-of-literature"]["off_network"] is False


def test_walk_graph_is_connected_enough(hanoi: City) -> None:
    assert hanoi.bundle.manifest.summary["walk_graph"]["largest_component_share"] >= 0.95
    assert hanoi.bundle.walk.node_count > 50_000


def test_info_reports_the_same(hanoi: City) -> None:
    import orjson

    result = CliRunner().invoke(cli_app, ["info", "--bundle", str(hanoi.bundle.path), "--json"])
    assert result.exit_code == 0, result.output
    info = orjson.loads(result.stdout)
    assert info["places"]["count"] == len(hanoi.catalogue)
    assert info["walk_graph"]["largest_component_share"] >= 0.95
    assert sum(info["places"]["by_category"].values()) >= len(hanoi.catalogue)
