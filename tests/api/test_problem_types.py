"""One registry of problem types (issue 13, item 7): documented, mapped from every domain error, and helpful."""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

import recommender
import routing
from api.app import create_app
from api.errors import install_error_handlers
from api.errors.registry import PROBLEM_BASE, PROBLEM_TYPES, domain_slug
from recommender.city import City
from recommender.errors import RecommenderError
from routing.errors import NoRouteError, NoServiceError, OutsideAreaError, RoutingError, TooFarFromStreetError
from tests.api.conftest import local_settings

API_MD = Path(__file__).resolve().parents[2] / "docs" / "API.md"
PLAN = {"start": "hoan-kiem-lake", "date": "2026-11-24", "interests": {"heritage": 1.0}}
NOT_IMPORTED_BY_THE_SERVICE = ("recommender.experiment_plots",)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, city: City) -> Iterator[TestClient]:
    settings = local_settings(tmp_path_factory.mktemp("problems"))
    with TestClient(create_app(city=city, settings=settings)) as test_client:
        yield test_client


def _documented() -> dict[str, int]:
    text = API_MD.read_text(encoding="utf-8")
    section = text.split("## Problem types", 1)[1].split("\n## ", 1)[0]
    return {match[0]: int(match[1]) for match in re.findall(r"^\| `([a-z0-9-]+)` \| (\d{3}) \|", section, re.M)}


def test_every_problem_type_is_documented_with_its_status() -> None:
    assert _documented() == {slug: kind.status for slug, kind in PROBLEM_TYPES.items()}
    for kind in PROBLEM_TYPES.values():
        assert kind.uri.startswith(PROBLEM_BASE)
        assert (kind.title and kind.title_vi and kind.title != kind.title_vi) or kind.slug.startswith("http-")


def _subclasses(base: type[Exception]) -> set[type[Exception]]:
    found: set[type[Exception]] = set()
    stack = [base]
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                stack.append(sub)
    return found


def test_every_domain_error_maps_to_its_own_problem_type() -> None:
    for package in (recommender, routing):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if not module.name.startswith(NOT_IMPORTED_BY_THE_SERVICE):
                importlib.import_module(module.name)
    errors = _subclasses(RecommenderError) | _subclasses(RoutingError)
    assert len(errors) > 20
    generic = {"recommender-error", "routing-error", "internal"}
    unmapped = sorted(f"{e.__module__}.{e.__qualname__}" for e in errors if domain_slug(e) in generic)
    assert unmapped == []
    assert domain_slug(RecommenderError) == "recommender-error"
    assert domain_slug(RoutingError) == "routing-error"


@pytest.mark.parametrize(
    ("error", "slug", "status"),
    [
        (OutsideAreaError("(10.1, 106.7) lies outside the area"), "outside-area", 422),
        (TooFarFromStreetError("no street within 500 m"), "too-far-from-street", 422),
        (NoRouteError("no path"), "no-route", 422),
        (NoServiceError("no bus at 02:00"), "no-service", 422),
    ],
)
def test_routing_errors_have_their_type_and_no_class_name(error: RoutingError, slug: str, status: int) -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/fail")
    def fail() -> None:
        raise error

    response = TestClient(app).get("/fail", params={"lang": "vi"})
    assert response.status_code == status
    body = response.json()
    assert body["type"] == PROBLEM_BASE + slug
    assert body["title"] == PROBLEM_TYPES[slug].title_vi
    assert type(error).__name__ not in response.text
    assert "error" not in body


def test_an_unknown_field_is_refused_with_did_you_mean(client: TestClient) -> None:
    response = client.post("/v1/plans", json={**PLAN, "childern": True})
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == PROBLEM_BASE + "invalid-request"
    assert problem["errors"][0]["field"] == "childern"
    assert "did you mean 'children'" in problem["errors"][0]["detail"]
    far = client.post("/v1/plans", json={**PLAN, "zzzzzz": 1}).json()
    assert far["errors"][0]["detail"] == "unknown field 'zzzzzz'"


def test_malformed_json_names_the_body_and_the_position(client: TestClient) -> None:
    response = client.post(
        "/v1/plans", content=b'{"start": "hoan-kiem-lake",\n "date": }', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "body"
    assert error["pointer"] == ""
    assert "line 2, column 10" in error["detail"]
    assert "character 37" in error["detail"]


def test_a_mistyped_start_gets_the_same_suggestion_as_a_mistyped_must(client: TestClient) -> None:
    start = client.post("/v1/plans", json={**PLAN, "start": "Temple of Literture"})
    assert start.status_code == 404
    problem = start.json()
    assert problem["type"] == PROBLEM_BASE + "unknown-place"
    assert problem["suggestions"][0] == "temple-of-literature"
    assert problem["errors"][0]["field"] == "start"
    assert "did you mean 'temple-of-literature'" in problem["detail"]
    must = client.post("/v1/plans", json={**PLAN, "must": ["Temple of Literture"]}).json()
    assert "did you mean 'temple-of-literature'" in must["detail"]
    route = client.get("/v1/routes", params={"from": "hoan-kiem-lake", "to": "temple-of-literture"})
    assert route.status_code == 404
    assert route.json()["suggestions"][0] == "temple-of-literature"
    assert route.json()["errors"][0]["field"] == "to"


def test_a_must_visit_that_cannot_fit_names_the_place_and_clock_times(client: TestClient) -> None:
    body = {**PLAN, "window": "09:00-11:10", "mode": "walk", "must": ["temple-of-literature"]}
    response = client.post("/v1/plans", json=body)
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == PROBLEM_BASE + "trip-error"
    assert problem["errors"][0]["field"] == "must_visit"
    detail = problem["detail"]
    assert "Temple of Literature" in detail
    assert "11:10" in detail
    assert "node" not in detail
    assert not re.search(r"\d+\.\d", detail)  # no seconds after midnight


def test_a_window_with_room_for_nothing_warns(client: TestClient) -> None:
    response = client.post("/v1/plans", json={**PLAN, "window": "09:00-09:10"})
    assert response.status_code == 200
    itinerary = response.json()["itinerary"]
    assert itinerary["totals"]["visits"] == 0
    assert itinerary["warnings"]
    assert "09:00-09:10" in itinerary["warnings"][0]


def test_the_registration_error_does_not_show_the_pattern(client: TestClient) -> None:
    response = client.post("/v1/auth/register", json={"email": "not an email", "password": "correct horse battery"})
    assert response.status_code == 422
    problem = response.json()
    assert problem["errors"][0]["field"] == "email"
    assert "[^@" not in response.text
    assert "pattern" not in response.text


def test_a_point_outside_the_area_is_an_outside_area_problem_naming_the_field(client: TestClient) -> None:
    response = client.post("/v1/plans", json={**PLAN, "start": "10.7769,106.7009"})
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == PROBLEM_BASE + "outside-area"
    assert problem["errors"][0]["field"] == "start"
