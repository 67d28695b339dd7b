"""The snap distance is a query-time setting, and a bundle that cannot be read is a 503, never a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from recommender.city import City
from routing import CityRouter
from tests.api.conftest import ClientFactory

POINT_120_M = "21.04741,105.8157"
"""A point in West Lake about 120 m from the nearest walkable street (measured below)."""


def test_the_point_is_about_120_m_from_a_street(city: City) -> None:
    lat, lon = map(float, POINT_120_M.split(","))
    snapped = CityRouter(city.bundle).snapper.index.snap(lat, lon, max_distance_m=1_000.0)
    assert 110.0 <= float(snapped.distance_m[0]) <= 130.0


def test_a_point_beyond_the_set_snap_distance_is_a_problem_naming_the_field(make_client: ClientFactory) -> None:
    with make_client(max_snap_m=50) as client:
        response = client.get("/v1/routes", params={"from": POINT_120_M, "to": "hoan-kiem-lake"})
        place_to_place = client.get("/v1/routes", params={"from": "hoan-kiem-lake", "to": "temple-of-literature"})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["type"].endswith("/too-far-from-street")
    assert [error["field"] for error in body["errors"]] == ["from"]
    assert "the maximum snap distance is 50 m" in body["detail"]
    # Catalogue places keep the bundle's snap distance: their records were decided with it.
    assert place_to_place.status_code == 200, place_to_place.text
    assert place_to_place.json()["status"] == "ok"


@pytest.mark.parametrize(
    ("method", "path", "query", "body", "field"),
    [
        ("GET", "/v1/routes", {"from": POINT_120_M, "to": "hoan-kiem-lake", "mode": "bus"}, None, "from"),
        ("GET", "/v1/routes", {"from": "hoan-kiem-lake", "to": POINT_120_M, "mode": "bus"}, None, "to"),
        ("GET", "/v1/isochrones", {"at": POINT_120_M, "minutes": 15}, None, "at"),
        ("GET", "/v1/isochrones", {"at": POINT_120_M, "minutes": 15, "mode": "bus"}, None, "at"),
        (
            "POST",
            "/v1/plans",
            None,
            {"start": POINT_120_M, "date": "2026-12-08", "interests": {"heritage": 1}},
            "start",
        ),
    ],
)
def test_every_entry_point_that_snaps_a_point_applies_the_set_distance(  # noqa: PLR0917 - the cases
    make_client: ClientFactory, method: str, path: str, query: dict[str, Any] | None, body: Any, field: str
) -> None:
    """Bus routes, isochrones and plans refuse the point like walk routes, naming the field that holds it."""
    with make_client(max_snap_m=50) as client:
        response = client.request(method, path, params=query, json=body)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["type"].endswith("/too-far-from-street")
    assert [error["field"] for error in problem["errors"]] == [field]
    assert "the maximum snap distance is 50 m" in problem["detail"]


def test_the_bundle_snap_distance_reaches_the_same_point(client: TestClient) -> None:
    response = client.get("/v1/routes", params={"from": POINT_120_M, "to": "hoan-kiem-lake"})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "ok"


def test_an_unreadable_bundle_is_a_503_without_paths(city: City, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(city.bundle.path, bundle)
    walk_index = bundle / "walk_index.npz"
    walk_index.write_bytes(walk_index.read_bytes()[:1_000])
    settings = Settings(sqlite_path=tmp_path / "api.sqlite3", database_url=None, redis_url=None, log_json=True)
    with TestClient(create_app(bundle_path=bundle, settings=settings)) as client:
        ready = client.get("/ready")
        places = client.get("/v1/places")
    assert ready.status_code == 503
    assert ready.json()["ready"] is False
    assert ready.json()["bundle"] == "unavailable"
    assert places.status_code == 503
    problem = places.json()
    assert problem["type"].endswith("/service-unavailable")
    assert places.headers["retry-after"] == "5"
    assert str(tmp_path) not in places.text
    assert "walk_index" not in places.text
