"""GET /v1/routes to sights out of reach of streets or buses (real Hanoi bundle): an access object on each end and
an explicit status, in English and Vietnamese; never a walk of hours."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from recommender.city import City
from routing.journeys.access import MAX_WALK_M, TAXI_LAST_LEG_MAX_M
from tests.api.conftest import local_settings

pytestmark = pytest.mark.slow
FAR_SIGHTS = ["perfume-pagoda", "thay-pagoda", "uoc-le-gio-cha-village"]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, city: City) -> Iterator[TestClient]:
    settings = local_settings(tmp_path_factory.mktemp("route-access"))
    with TestClient(create_app(city=city, settings=settings)) as test_client:
        yield test_client


@pytest.mark.parametrize("sight", FAR_SIGHTS)
@pytest.mark.parametrize("mode", ["walk", "bus"])
def test_far_sights_answer_how_to_get_there(client: TestClient, sight: str, mode: str) -> None:
    response = client.get("/v1/routes", params={"from": "hoan-kiem-lake", "to": sight, "mode": mode})
    assert response.status_code == 200, response.text
    body = response.json()
    to = body["access"]["to"]
    assert to["place_id"] == sight
    assert to["street"] == "none"
    assert to["nearest_stop"]["name"]
    assert body["access"]["from"]["street"] == "main"
    assert body["message"]
    if mode == "walk":
        assert body["status"] == "no_walk_route"
        assert body["route"] is None
        assert body["geojson"]["features"] == []
        return
    assert body["status"] in {"needs_taxi", "no_public_transport"}
    if body["status"] == "no_public_transport":
        assert body["suggestion"] == "taxi"
        assert body["taxi"]["estimated"] is True
        assert to["nearest_stop"]["distance_m"] > TAXI_LAST_LEG_MAX_M
        return
    route = body["route"]
    walk = route["walk_only"]
    assert walk is None or walk["walk_m"] <= MAX_WALK_M
    modes = {leg["mode"] for journey in route["journeys"] for leg in journey["legs"]}
    assert {"bus", "taxi"} <= modes
    taxi_properties = [
        feature["properties"] for feature in body["geojson"]["features"] if feature["properties"]["mode"] == "taxi"
    ]
    assert {feature["properties"]["journey"] for feature in body["geojson"]["features"]} <= {
        *range(len(route["journeys"])),
        None,
    }
    assert taxi_properties
    assert all(p["estimated"] for p in taxi_properties)


def test_messages_follow_the_language(client: TestClient) -> None:
    params = {"from": "hoan-kiem-lake", "to": "thay-pagoda", "mode": "bus"}
    english = client.get("/v1/routes", params={**params, "lang": "en"}).json()
    vietnamese = client.get("/v1/routes", params={**params, "lang": "vi"}).json()
    assert english["status"] == vietnamese["status"]
    assert english["message"] != vietnamese["message"]
    assert "taxi" in english["message"]
    assert "xe ôm" in vietnamese["message"]
    assert vietnamese["to_label"] == "Chùa Thầy"


def test_ordinary_routes_say_ok_with_access(client: TestClient) -> None:
    body = client.get("/v1/routes", params={"from": "hoan-kiem-lake", "to": "temple-of-literature"}).json()
    assert body["status"] == "ok"
    assert body["message"] == ""
    assert body["route"]["length_m"] > 1_000
    stop = body["access"]["to"]["nearest_stop"]
    assert stop["leg"] == "walk"
    assert stop["estimated"] is False
    island = client.get("/v1/routes", params={"from": "hoan-kiem-lake", "to": "bat-trang-ceramic-village"}).json()
    assert island["status"] == "no_walk_route"
    assert island["access"]["to"]["street"] == "island"
    assert island["suggestion"] == "bus"


def test_points_outside_the_city_are_still_refused(client: TestClient) -> None:
    response = client.get("/v1/routes", params={"from": "20.6170,105.7480", "to": "hoan-kiem-lake", "mode": "bus"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "from"
