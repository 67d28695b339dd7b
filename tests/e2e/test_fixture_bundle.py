"""End to end on the small fixture: build a bundle, load it, query it through the CLI and the API."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from cli.main import app as cli_app
from recommender.city import City, build_city, build_spec, load_city
from routing.build.bundle import BuildOptions
from routing.errors import BundleError
from tests.conftest import CATALOGUE, TRANSIT, VAN_MIEU_OSM


@pytest.fixture(scope="module")
def fixture_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bundles")
    spec = build_spec(VAN_MIEU_OSM, TRANSIT, CATALOGUE, options=BuildOptions(city="vanmieu"))
    return build_city(spec, out)


@pytest.fixture(scope="module")
def city(fixture_bundle: Path) -> City:
    return load_city(fixture_bundle)


def test_bundle_is_named_by_its_inputs(fixture_bundle: Path) -> None:
    spec = build_spec(VAN_MIEU_OSM, TRANSIT, CATALOGUE, options=BuildOptions(city="vanmieu"))
    assert fixture_bundle.name.startswith("vanmieu-")
    assert build_city(spec, fixture_bundle.parent) == fixture_bundle  # reused, not rebuilt
    other = build_spec(VAN_MIEU_OSM, TRANSIT, CATALOGUE, options=BuildOptions(city="vanmieu", max_snap_m=100))
    from recommender.city import expected_bundle_path

    assert expected_bundle_path(other, fixture_bundle.parent) != fixture_bundle
    assert not [p for p in fixture_bundle.parent.iterdir() if p.name.startswith(".")]


def test_walk_graph_covers_the_temple_area(city: City) -> None:
    walk = city.bundle.walk
    assert walk.node_count > 500
    assert 21.01 < walk.node_lat.min() < walk.node_lat.max() < 21.04
    summary = city.bundle.manifest.summary
    assert summary["walk_graph"]["largest_component_share"] > 0.9


def test_places_are_snapped_or_marked_off_network(city: City) -> None:
    temple = city.bundle.place_access["temple-of-literature"]
    assert temple["off_network"] is False
    assert temple["snap_distance_m"] <= city.bundle.manifest.options["max_snap_m"]
    co_loa = city.bundle.place_access["co-loa-citadel"]
    assert co_loa["off_network"] is True
    assert co_loa["access_stops"], "Cổ Loa must be reachable by bus"
    assert all(stop["estimated"] is True for stop in co_loa["access_stops"])
    stop_ids = {stop.stop_id for stop in city.bundle.bus.stops}
    assert {stop["stop_id"] for stop in co_loa["access_stops"]} <= stop_ids
    for record in city.bundle.place_access.values():
        assert record["off_network"] or record["snap_distance_m"] <= city.bundle.manifest.options["max_snap_m"]


def test_info_json(fixture_bundle: Path) -> None:
    result = CliRunner().invoke(cli_app, ["info", "--bundle", str(fixture_bundle), "--json"])
    assert result.exit_code == 0, result.output
    info = orjson.loads(result.stdout)
    assert info["name"] == fixture_bundle.name
    assert info["walk_graph"]["nodes"] > 500
    assert info["places"]["count"] >= 250
    assert info["places"]["by_category"]["craft_village"] >= 15
    assert {item["role"] for item in info["inputs"]} == {"osm", "transit", "catalogue"}


def test_api_serves_health_and_places(city: City) -> None:
    with TestClient(create_app(city=city)) as client:
        health = client.get("/health")
        assert health.status_code == 200
        assert health.json()["bundle"] == city.bundle.name
        found = client.get("/v1/places", params={"q": "van mieu", "lang": "vi"}).json()
        assert found["items"][0]["id"] == "temple-of-literature"
        assert "OpenStreetMap" in found["attribution"]
        crafts = client.get("/v1/places", params={"category": "craft_village", "limit": 100}).json()
        assert crafts["count"] >= 15
        one = client.get("/v1/places/co-loa-citadel").json()
        assert one["off_network"] is True
        missing = client.get("/v1/places/temple-of-literatur")
        assert missing.status_code == 404
        assert missing.headers["content-type"] == "application/problem+json"
        assert "temple-of-literature" in missing.json()["detail"]
        bad = client.get("/v1/places", params={"category": "karaoke"})
        assert bad.status_code == 422
        assert bad.json()["errors"][0]["field"] == "query.category"


def test_altered_bundle_is_refused(fixture_bundle: Path, tmp_path: Path) -> None:
    copy = tmp_path / fixture_bundle.name
    shutil.copytree(fixture_bundle, copy)
    with (copy / "places.json").open("ab") as handle:
        handle.write(b" ")
    with pytest.raises(BundleError, match=r"places\.json does not match"):
        load_city(copy)
    shutil.copy2(fixture_bundle / "places.json", copy / "places.json")
    load_city(copy)
    (copy / "walk_graph.npz").unlink()
    with pytest.raises(BundleError, match=r"walk_graph\.npz is missing"):
        load_city(copy)
    with pytest.raises(BundleError, match="not a city bundle"):
        load_city(tmp_path)
