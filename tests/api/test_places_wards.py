"""/v1/places: the 2025 ward or commune of every place, the ward filter, and how to visit an events-only place."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from recommender.city import City

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, city: City) -> Iterator[TestClient]:
    folder: Path = tmp_path_factory.mktemp("wards")
    settings = Settings(sqlite_path=folder / "api.sqlite3", database_url=None, redis_url=None)
    with TestClient(create_app(city=city, settings=settings)) as test_client:
        yield test_client


def test_places_filter_by_ward_and_show_it(client: TestClient) -> None:
    for ward in ("xa-bat-trang", "Bát Tràng", "bat trang"):
        answer = client.get("/v1/places", params={"ward": ward})
        assert answer.status_code == 200, answer.text
        items = answer.json()["items"]
        assert items
        assert {item["ward"] for item in items} == {"xa-bat-trang"}
        assert {item["ward_name"] for item in items} == {"Xã Bát Tràng"}
    first = items[0]
    assert isinstance(first["ward_osm_relation"], int)
    assert "district" not in first
    assert first["former_district"] == "Gia Lâm"
    assert first["status"] in {"verified", "listed", "unverified"}


def test_unknown_ward_is_a_422_naming_the_field(client: TestClient) -> None:
    answer = client.get("/v1/places", params={"ward": "Atlantis"})
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert "ward" in answer.json()["detail"]


def test_events_only_place_says_how_to_visit(client: TestClient) -> None:
    english = client.get("/v1/places/gia-lam-locomotive-factory").json()
    assert english["visiting"] == "events-only"
    assert "Creative Design Festival" in english["how_to_visit"]
    vietnamese = client.get("/v1/places/gia-lam-locomotive-factory", params={"lang": "vi"}).json()
    assert "Sáng tạo" in vietnamese["how_to_visit"]
    assert client.get("/v1/places/hoan-kiem-lake").json()["how_to_visit"] is None
