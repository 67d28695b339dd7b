"""The default Hanoi bundle meets the foundation issue's contract (built once, reused between runs)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cli.main import app as cli_app
from recommender.city import City
from tests.conftest import NAMED_PLACES

pytestmark = pytest.mark.slow


def test_places(city: City) -> None:
    assert len(city.catalogue) >= 250
    for place_id in NAMED_PLACES:
        city.catalogue.get(place_id)
    counts = city.catalogue.count_by_category()
    assert counts["craft_village"] >= 15
    assert counts["ci_centre"] >= 12
    assert counts["cuisine"] >= 80


def test_bus_routes(city: City) -> None:
    usable = [
        route
        for route in city.bundle.bus.routes
        if len(route.stop_ids) >= 3 and any(h is not None for h in route.headway_s.values())
    ]
    assert len(usable) >= 150
    assert city.bundle.manifest.summary["bus"]["routes"] == len(city.bundle.bus.routes)


def test_every_place_and_stop_snapped_or_off_network(city: City) -> None:
    max_snap_m = city.bundle.manifest.options["max_snap_m"]
    for records in (city.bundle.place_access, city.bundle.stop_access):
        for record in records.values():
            assert record["off_network"] or 0 <= record["snap_distance_m"] <= max_snap_m
    assert len(city.bundle.stop_access) == len(city.bundle.bus.stops)
    co_loa = city.bundle.place_access["co-loa-citadel"]
    assert co_loa["off_network"]
    assert co_loa["access_stops"]
    assert city.bundle.place_access["temple-of-literature"]["off_network"] is False


def test_walk_graph_is_connected_enough(city: City) -> None:
    assert city.bundle.manifest.summary["walk_graph"]["largest_component_share"] >= 0.95
    assert city.bundle.walk.node_count > 50_000


def test_info_reports_the_same(city: City) -> None:
    import orjson

    result = CliRunner().invoke(cli_app, ["info", "--bundle", str(city.bundle.path), "--json"])
    assert result.exit_code == 0, result.output
    info = orjson.loads(result.stdout)
    assert info["places"]["count"] == len(city.catalogue)
    assert info["walk_graph"]["largest_component_share"] >= 0.95
    assert sum(info["places"]["by_category"].values()) >= len(city.catalogue)
