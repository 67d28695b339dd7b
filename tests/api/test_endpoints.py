"""The /v1 endpoints on the real Hanoi bundle: places, routes, isochrones, plans, bundle, probes and conventions."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import numpy as np
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.schemas import ATTRIBUTION
from recommender.city import City
from tests.api.conftest import ClientFactory, local_settings, sign_in

pytestmark = pytest.mark.slow
PROBLEM = "application/problem+json"
PLAN = {"start": "21.0313,105.8516", "date": "2026-11-24", "window": "09:00-17:00", "interests": {"heritage": 1.0}}


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory, city: City) -> Iterator[TestClient]:
    """One app for the read-only tests of this module."""
    settings = local_settings(tmp_path_factory.mktemp("endpoints"), cors_origins=["https://app.example"])
    with TestClient(create_app(city=city, settings=settings)) as client:
        yield client


def test_places_filter_by_category_text_distance_box_and_opening_time(shared: TestClient) -> None:
    crafts = shared.get("/v1/places", params={"category": "craft_village", "limit": 200}).json()
    assert crafts["total"] == crafts["count"] > 0
    assert all("craft_village" in p["categories"] for p in crafts["items"])
    assert crafts["attribution"] == ATTRIBUTION
    pho = shared.get("/v1/places", params={"q": "pho"}).json()
    assert pho["items"]
    near = shared.get("/v1/places", params={"near": "21.0287,105.8524", "radius_m": 500, "limit": 200}).json()
    assert "hoan-kiem-lake" in {p["id"] for p in near["items"]}
    assert "temple-of-literature" not in {p["id"] for p in near["items"]}
    box = shared.get("/v1/places", params={"bbox": "105.83,21.02,105.84,21.035", "limit": 200}).json()
    assert all(105.83 <= p["lon"] <= 105.84 and 21.02 <= p["lat"] <= 21.035 for p in box["items"])
    at_night = shared.get("/v1/places", params={"open_at": "2026-11-24T03:00:00+07:00", "limit": 200}).json()
    by_day = shared.get("/v1/places", params={"open_at": "2026-11-24T10:00:00+07:00", "limit": 200}).json()
    assert at_night["total"] < by_day["total"]
    assert "temple-of-literature" in {p["id"] for p in by_day["items"]}
    assert "temple-of-literature" not in {p["id"] for p in at_night["items"]}


def test_places_pages_with_a_cursor_cover_everything_once(shared: TestClient) -> None:
    seen: list[str] = []
    params: dict[str, str | int] = {"limit": 100}
    while True:
        page = shared.get("/v1/places", params=params).json()
        seen += [p["id"] for p in page["items"]]
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert len(seen) == len(set(seen)) == page["total"]
    bad = shared.get("/v1/places", params={"cursor": "garbage!"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "cursor"


def test_names_follow_lang_and_accept_language(shared: TestClient) -> None:
    assert shared.get("/v1/places/temple-of-literature").json()["name"] == "Temple of Literature"
    vi = shared.get("/v1/places/temple-of-literature", params={"lang": "vi"}).json()
    assert vi["name"] == "Văn Miếu – Quốc Tử Giám"
    header = shared.get("/v1/places/temple-of-literature", headers={"Accept-Language": "vi-VN,vi;q=0.9,en;q=0.5"})
    assert header.json()["name"] == "Văn Miếu – Quốc Tử Giám"
    unknown = shared.get("/v1/places/temple-of-literatur")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith(PROBLEM)


def test_reads_carry_an_etag_and_answer_304(shared: TestClient) -> None:
    first = shared.get("/v1/places/hoan-kiem-lake")
    etag = first.headers["etag"]
    again = shared.get("/v1/places/hoan-kiem-lake", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert shared.get("/v1/places/hoan-kiem-lake", headers={"If-None-Match": '"other"'}).status_code == 200


def test_walk_and_bus_routes_with_geojson_are_cached(shared: TestClient) -> None:
    params = {"from": "hoan-kiem-lake", "to": "temple-of-literature"}
    walk = shared.get("/v1/routes", params=params)
    assert walk.status_code == 200
    body = walk.json()
    assert body["mode"] == "walk"
    assert body["from_label"] == "Hoàn Kiếm Lake"
    assert body["route"]["length_m"] > 1000
    assert body["geojson"]["features"][0]["geometry"]["type"] == "LineString"
    assert body["attribution"] == ATTRIBUTION
    assert shared.get("/v1/routes", params=params).headers["x-cache"] == "hit"
    by_name = shared.get("/v1/routes", params={"from": "Hồ Hoàn Kiếm", "to": "temple-of-literature"})
    assert by_name.headers["x-cache"] == "hit"  # the same places, however they were named
    bus = shared.get("/v1/routes", params={**params, "to": "21.0377,105.7855", "mode": "bus", "depart": "08:30"})
    assert bus.status_code == 200
    assert bus.json()["route"]["journeys"]


def test_routes_refuse_points_outside_the_city_and_bad_times(shared: TestClient) -> None:
    outside = shared.get("/v1/routes", params={"from": "10.7769,106.7009", "to": "hoan-kiem-lake"})
    assert outside.status_code == 422
    assert outside.json()["errors"][0]["field"] == "from"
    bad_time = shared.get(
        "/v1/routes", params={"from": "hoan-kiem-lake", "to": "temple-of-literature", "depart": "25:00"}
    )
    assert bad_time.status_code == 422
    assert bad_time.json()["errors"][0]["field"] == "depart"


def test_isochrones_list_places_and_an_area(shared: TestClient) -> None:
    response = shared.get("/v1/isochrones", params={"at": "hoan-kiem-lake", "minutes": 10})
    assert response.status_code == 200
    body = response.json()
    assert body["places"]
    assert all(place["duration_s"] <= 600 for place in body["places"])
    assert body["area"]["geometry"]["type"] in {"Polygon", "MultiPolygon"}


def test_a_plan_has_days_legs_with_polylines_and_is_cached(shared: TestClient) -> None:
    response = shared.post("/v1/plans", json=PLAN)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["itinerary"]["days"][0]["visits"]
    assert body["itinerary"]["geometry"] == "polyline"
    assert "geojson" not in body  # each leg part carries its line, once
    assert shared.post("/v1/plans", json=PLAN).headers["x-cache"] == "hit"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"window": "05:00-23:00"}, "window"),
        ({"days": 8}, "days"),
        ({"interests": {"karaoke-marathon": 1.0}}, "interests"),
        ({"interests": {"heritage": 3}}, "interests"),
        ({"start": "48.8566,2.3522"}, "start"),
        ({"date": "24/11/2026"}, "date"),
    ],
)
def test_plan_requests_out_of_bounds_name_the_field(shared: TestClient, change: dict[str, object], field: str) -> None:
    response = shared.post("/v1/plans", json=PLAN | change)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["errors"][0]["field"] == field


def test_the_bundle_pack_has_places_and_matrices_with_an_etag(shared: TestClient, city: City) -> None:
    response = shared.get("/v1/bundle", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    pack = response.json()
    matrices = pack["matrices"]
    size = len(matrices["place_ids"])
    walk = np.frombuffer(base64.b64decode(matrices["walk_m"]["base64"]), dtype="<f4").reshape(size, size)
    expected = city.bundle.matrices.walk_m
    np.testing.assert_array_equal(walk, expected)
    assert len(pack["places"]) == size
    assert shared.get("/v1/bundle", headers={"If-None-Match": response.headers["etag"]}).status_code == 304


def test_probes_metrics_request_ids_gzip_and_cors(shared: TestClient) -> None:
    health = shared.get("/health").json()
    assert health["status"] == "ok"
    assert health["cache"] == "in-process"
    assert shared.get("/ready").json()["ready"] is True
    echoed = shared.get("/health", headers={"X-Request-ID": "trace-123"})
    assert echoed.headers["x-request-id"] == "trace-123"
    assert len(shared.get("/health").headers["x-request-id"]) == 32
    metrics = shared.get("/metrics").text
    assert 'heritage_http_requests_total{method="GET",route="/health",status="200"}' in metrics
    raw = shared.get("/v1/places", params={"limit": 50}, headers={"Accept-Encoding": "gzip"})
    assert raw.headers["content-encoding"] == "gzip"
    assert raw.json()["count"] == 50  # the client decoded the gzip body
    preflight = shared.options(
        "/v1/places",
        headers={"Origin": "https://app.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.headers["access-control-allow-origin"] == "https://app.example"
    assert (
        "access-control-allow-origin"
        not in shared.options(
            "/v1/places", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
        ).headers
    )


def test_the_openapi_document_is_3_1_with_examples(shared: TestClient) -> None:
    document = shared.get("/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    paths = set(document["paths"])
    assert {
        "/v1/places",
        "/v1/places/{place_id}",
        "/v1/routes",
        "/v1/isochrones",
        "/v1/plans",
        "/v1/auth/device",
        "/v1/auth/register",
        "/v1/auth/login",
        "/v1/auth/refresh",
        "/v1/itineraries",
        "/v1/itineraries/{itinerary_id}",
        "/v1/me/itineraries",
        "/v1/feedback",
        "/v1/bundle",
        "/health",
        "/ready",
        "/metrics",
    } <= paths
    assert document["components"]["schemas"]["PlanRequest"]["examples"]


def test_feedback_batches_are_acknowledged_and_resending_is_harmless(make_client: ClientFactory) -> None:
    with make_client() as client:
        headers = sign_in(client)
        events = [
            {
                "event_id": f"evt-{i:05d}",
                "kind": kind,
                "place_id": "hoan-kiem-lake",
                "occurred_at": "2026-11-24T10:00:00Z",
            }
            for i, kind in enumerate(["visit", "like", "skip"])
        ]
        events.append({**events[0], "event_id": "evt-rating", "kind": "rating", "rating": 5})
        first = client.post("/v1/feedback", json={"events": events}, headers=headers)
        assert first.status_code == 200
        assert sorted(first.json()["acknowledged"]) == sorted(e["event_id"] for e in events)
        again = client.post("/v1/feedback", json={"events": events}, headers=headers)
        assert again.status_code == 200
        assert client.post("/v1/feedback", json={"events": events}).status_code == 401
