"""``POST /v1/plans`` in both line formats, and a three-day plan small enough to save."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from recommender.trip.itinerary import decode_line
from tests.api.conftest import bus_day, sign_in

pytestmark = pytest.mark.slow
PLAN = bus_day(start="hoan-kiem-lake", date="2026-12-15", window="08:30-17:30")
PLAN["interests"] = {"heritage": 1.0, "cuisine": 0.6, "craft_village": 0.5}


def _parts(itinerary: dict[str, Any]) -> list[dict[str, Any]]:
    return [part for day in itinerary["days"] for leg in day["legs"] for part in leg["parts"]]


def test_plans_answer_polylines_by_default_and_geojson_on_request(client: TestClient) -> None:
    compact = client.post("/v1/plans", json=PLAN)
    full = client.post("/v1/plans", json=PLAN | {"geometry": "geojson"})
    assert compact.status_code == full.status_code == 200, compact.text + full.text
    assert full.headers["x-cache"] == "miss"  # each format is its own answer
    assert set(compact.json()) == {"itinerary", "attribution"}
    assert compact.json()["itinerary"]["geometry"] == "polyline"
    assert full.json()["itinerary"]["geometry"] == "geojson"
    polylines, lines = _parts(compact.json()["itinerary"]), _parts(full.json()["itinerary"])
    assert polylines
    assert lines
    for part in polylines:
        points = decode_line(part["geometry"])
        assert all(20.5 < lat < 21.5 and 105.0 < lon < 106.5 for lat, lon in points)
    for part in lines:
        assert part["geometry"]["type"] == "LineString"
        assert len(part["geometry"]["coordinates"]) >= 2
    assert len(compact.content) < len(full.content)
    bad = client.post("/v1/plans", json=PLAN | {"geometry": "kml"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "geometry"


def test_a_three_day_plan_is_small_and_can_be_saved(client: TestClient) -> None:
    response = client.post("/v1/plans", json=PLAN | {"days": 3})
    assert response.status_code == 200, response.text
    assert len(response.content) < 64 * 1024
    itinerary = response.json()["itinerary"]
    assert len(itinerary["days"]) == 3
    for day in itinerary["days"]:
        assert {"place_id", "kind", "start", "end", "categories"} <= set(day["visits"][0])
        assert {"mode", "walk_m", "rides"} <= set(day["legs"][0])
        assert "walk_km" in day["totals"]
    headers = sign_in(client)
    saved = client.post("/v1/itineraries", json={"title": "Three days", "plan": itinerary}, headers=headers)
    assert saved.status_code == 201, saved.text
    again = client.get(saved.headers["location"], headers=headers)
    assert again.json()["plan"] == itinerary
