"""``POST /v1/plans`` in Vietnamese (``?lang=vi`` or Accept-Language) and in English by default; problems too."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from recommender.city import City

pytestmark = pytest.mark.slow
PLAN = {
    "start": "hoan-kiem-lake",
    "date": "2026-12-15",
    "window": "12:45-17:00",  # starts after lunchtime begins: the day has no lunch, and says why
    "interests": {"heritage": 1.0, "craft_village": 0.5},
    "mode": "walk",
}
BROWSER_VI = "vi-VN,vi;q=0.9,en;q=0.5"


def _visits(itinerary: dict[str, Any]) -> list[dict[str, Any]]:
    return [visit for day in itinerary["days"] for visit in day["visits"]]


def _plan(client: TestClient, *, query: str = "", headers: dict[str, str] | None = None) -> dict[str, Any]:
    response = client.post(f"/v1/plans{query}", json=PLAN, headers=headers or {})
    assert response.status_code == 200, response.text
    itinerary: dict[str, Any] = response.json()["itinerary"]
    return itinerary


def test_lang_vi_answers_names_reasons_and_warnings_in_vietnamese(client: TestClient, city: City) -> None:
    english = _plan(client)
    vietnamese = _plan(client, query="?lang=vi")
    visits = _visits(vietnamese)
    assert visits
    for visit in visits:
        place = city.catalogue.get(visit["place_id"])
        assert visit["name"] == visit["name_vi"] == place.name_vi
        assert all(inner["name"] == city.catalogue.get(inner["place_id"]).name_vi for inner in visit["includes"])
    assert vietnamese["days"][0]["start"]["name"] == city.catalogue.get("hoan-kiem-lake").name_vi
    # The same plan, word for word in the other language: every reason and warning is translated.
    english_reasons = [reason for visit in _visits(english) for reason in visit["why"]["reasons"]]
    reasons = [reason for visit in visits for reason in visit["why"]["reasons"]]
    assert len(reasons) == len(english_reasons)
    assert all(ours != theirs for ours, theirs in zip(reasons, english_reasons, strict=True))
    assert any("du khách" in reason or "sở thích" in reason for reason in reasons)
    assert not any("you asked for" in reason or "visitors" in reason for reason in reasons)
    assert english["warnings"] == [
        "day 1: no lunch: the window 12:45-17:00 does not cover lunch time (11:30-13:30)",
    ]
    assert vietnamese["warnings"] == [
        "Ngày 1 thiếu bữa trưa: khung giờ 12:45-17:00 không bao gồm giờ ăn trưa (11:30-13:30)",
    ]


def test_accept_language_chooses_vietnamese_and_lang_overrides_it(client: TestClient, city: City) -> None:
    by_query = _plan(client, query="?lang=vi")
    by_header = _plan(client, headers={"Accept-Language": BROWSER_VI})
    assert by_header == by_query
    assert _plan(client, headers={"Accept-Language": "en;q=0.3, vi;q=0.7"}) == by_query
    forced_english = _plan(client, query="?lang=en", headers={"Accept-Language": BROWSER_VI})
    assert forced_english == _plan(client)
    for visit in _visits(forced_english):
        assert visit["name"] == city.catalogue.get(visit["place_id"]).name_en


def test_english_stays_the_default(client: TestClient, city: City) -> None:
    for headers in ({}, {"Accept-Language": "fr-FR, de;q=0.8"}, {"Accept-Language": "*"}):
        itinerary = _plan(client, headers=headers)
        for visit in _visits(itinerary):
            place = city.catalogue.get(visit["place_id"])
            assert visit["name"] == place.name_en
            assert visit["name_vi"] == place.name_vi
        assert itinerary["warnings"][0].startswith("day 1: no lunch")
        reasons = [reason for visit in _visits(itinerary) for reason in visit["why"]["reasons"]]
        assert "heritage site you asked for" in reasons


def test_an_unsupported_lang_is_a_422_problem(client: TestClient) -> None:
    response = client.post("/v1/plans?lang=fr", json=PLAN)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["type"].endswith("/invalid-request")
    assert body["errors"][0]["field"].endswith("lang")


def test_problems_have_vietnamese_titles_with_the_same_types_and_fields(client: TestClient) -> None:
    english = client.post("/v1/plans", json=PLAN | {"start": "no-such-place"})
    vietnamese = client.post("/v1/plans?lang=vi", json=PLAN | {"start": "no-such-place"})
    assert english.status_code == vietnamese.status_code == 404
    assert english.json()["title"] == "Unknown place"
    assert vietnamese.json()["title"] == "Không tìm thấy địa điểm"
    assert vietnamese.json()["type"] == english.json()["type"]
    long_day = client.post("/v1/plans", json=PLAN | {"window": "05:00-22:00"}, headers={"Accept-Language": BROWSER_VI})
    assert long_day.status_code == 422
    assert long_day.json()["title"] == "Không thể lập lịch trình này"
    assert long_day.json()["type"].endswith("/trip-error")
    assert long_day.json()["errors"][0]["field"] == "window"
    no_start = {key: value for key, value in PLAN.items() if key != "start"}
    missing = client.post("/v1/plans?lang=vi", json=no_start)
    assert missing.status_code == 422
    body = missing.json()
    assert body["title"] == "Yêu cầu không hợp lệ"
    assert body["detail"] == "start: thiếu trường bắt buộc"
    assert body["errors"][0]["field"] == "start"
    assert client.post("/v1/plans", json=no_start).json()["detail"] == "start: Field required"
