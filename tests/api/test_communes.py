"""/v1/communes and /v1/events on the real Hanoi bundle (issue 17): 126 units, sourced stories, the bus from the
centre, events by dates and ward, and bad input answered as problem+json naming the field."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.slow


def test_the_list_has_the_126_units_and_every_story_cites_sources(client: TestClient) -> None:
    answer = client.get("/v1/communes")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert len(body["communes"]) == 126
    assert sum(body["counts"].values()) == 126
    verified = [unit for unit in body["communes"] if unit["status"] == "verified"]
    assert body["counts"]["verified"] == len(verified) >= 10
    for unit in verified:
        assert unit["place_ids"], unit["id"]
        one = client.get(f"/v1/communes/{unit['id']}").json()
        assert one["story"]["sources"], unit["id"]
        assert all(source.startswith("http") for source in one["story"]["sources"])
        assert {place["ward"] for place in one["places"]} == {unit["id"]}


def test_a_commune_tells_its_story_events_and_the_bus_from_hoan_kiem(client: TestClient) -> None:
    body = client.get("/v1/communes/xa-dong-anh", params={"lang": "vi"}).json()
    assert body["status"] == "verified"
    assert "Cổ Loa" in body["product"]
    assert body["items"][0]["place_id"] == "co-loa-citadel"
    assert any(event["id"] == "co-loa-festival" for event in body["events"])
    getting = body["getting_there"]
    assert getting["from_place"] == "hoan-kiem-lake"
    assert getting["depart"] == "09:00"
    assert getting["duration_min"] > 20
    assert getting["lines"]


def test_a_unit_without_a_story_says_none_yet(client: TestClient) -> None:
    listed = client.get("/v1/communes").json()["communes"]
    none_yet = next(unit for unit in listed if unit["status"] == "none yet")
    body = client.get(f"/v1/communes/{none_yet['id']}").json()
    assert body["story"] is None
    assert body["items"] == []
    assert body["getting_there"] is None


def test_an_unknown_commune_is_a_404_problem(client: TestClient) -> None:
    answer = client.get("/v1/communes/xa-khong-co")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["type"].endswith("/commune-not-found")


def test_events_by_dates_and_ward(client: TestClient) -> None:
    body = client.get("/v1/events", params={"from": "2027-02-11", "to": "2027-02-11"}).json()
    ids = {event["id"] for event in body["events"]}
    assert {"co-loa-festival", "soc-temple-festival", "perfume-pagoda-festival"} <= ids
    body = client.get("/v1/events", params={"from": "2027-02-11", "to": "2027-02-11", "ward": "xa-dong-anh"}).json()
    assert [event["id"] for event in body["events"]] == ["co-loa-festival"]
    assert body["events"][0]["lunar_start"] == "06/01"
    week_later = client.get("/v1/events", params={"from": "2027-02-18", "to": "2027-02-18", "ward": "Đông Anh"})
    assert week_later.json()["events"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2027-02-11", "to": "2027-02-01"}, "to"),
        ({"from": "2027-02-11", "to": "2027-02-12", "ward": "nowhere-at-all"}, "ward"),
        ({"from": "2027-02-30", "to": "2027-03-01"}, "from"),
    ],
)
def test_bad_event_queries_name_the_field(client: TestClient, params: dict[str, str], field: str) -> None:
    answer = client.get("/v1/events", params=params)
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert field in answer.text


def test_a_commune_stories_plan_tells_the_stories_in_vietnamese(client: TestClient) -> None:
    body = {
        "start": "hoan-kiem-lake",
        "date": "2027-03-02",
        "window": "08:00-19:00",
        "interests": {"heritage": 1.0, "craft_village": 1.0},
        "theme": "commune-stories",
    }
    answer = client.post("/v1/plans", json=body, params={"lang": "vi"})
    assert answer.status_code == 200, answer.text
    stories = {
        unit["id"]: client.get(f"/v1/communes/{unit['id']}", params={"lang": "vi"}).json()["story"]
        for unit in client.get("/v1/communes").json()["communes"]
        if unit["status"] == "verified"
    }
    told = set()
    for day in answer.json()["itinerary"]["days"]:
        for visit in day["visits"]:
            place = client.get(f"/v1/places/{visit['place_id']}").json()
            story = stories.get(place["ward"])
            if story is not None and visit["kind"] == "visit":
                assert any(story["history_vi"] in reason for reason in visit["why"]["reasons"])
                told.add(place["ward"])
    assert len(told) >= 3, told


def test_an_unknown_theme_is_refused_naming_the_field(client: TestClient) -> None:
    answer = client.post("/v1/plans", json={"start": "hoan-kiem-lake", "date": "2027-03-02", "theme": "ghosts"})
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert "theme" in answer.text
