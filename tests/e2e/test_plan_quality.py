"""Issue 11's structural properties on a part of the persona suite (bench/plan_quality), real Hanoi bundle, no baseline.

No place and its parent in one trip, no place on two days, and every lunch or dinner a day should have but lacks named
in the warnings. The suite's figures and the baseline are bench/plan_quality's job.
"""

from __future__ import annotations

from typing import Any

import pytest

from bench.plan_quality import Measure, load_suite, measure_rows, part_of_map
from bench.plan_quality_runner import plan_personas
from recommender.city import City
from routing.city_router import CityRouter

pytestmark = pytest.mark.slow
PERSONAS = (
    "first-day-heritage",
    "three-day-broad",
    "evening-tay-ho",
    "rainy-family",
    "must-co-loa",
    "must-bat-trang",
    "nightlife-old-quarter",
    "first-two-days-monday",
)


@pytest.fixture(scope="module")
def rows(city: City) -> list[dict[str, Any]]:
    suite = load_suite()
    suite["personas"] = [persona for persona in suite["personas"] if persona["id"] in PERSONAS]
    router = CityRouter(city.bundle)
    planned = plan_personas(city, router, suite, repeat=1)
    return measure_rows(Measure(city, router, suite), suite, planned)


def test_the_suite_has_the_issues_named_cases() -> None:
    suite = load_suite()
    ids = {persona["id"] for persona in suite["personas"]}
    assert set(PERSONAS) <= ids
    assert sum(persona["group"] != "edge" for persona in suite["personas"]) >= 30


def test_every_persona_is_planned(rows: list[dict[str, Any]]) -> None:
    assert [row["id"] for row in rows if row["error"] is not None] == []


def test_no_place_listed_with_its_parent(city: City, rows: list[dict[str, Any]]) -> None:
    assert part_of_map(city.catalogue) is not None, "the catalogue has no part_of data"
    assert {row["id"]: row["part_of_duplicates"] for row in rows if row["part_of_duplicates"]} == {}


def test_no_place_on_two_days(rows: list[dict[str, Any]]) -> None:
    assert {row["id"]: row["repeated_across_days"] for row in rows if row.get("repeated_across_days")} == {}


def test_every_missing_meal_has_a_warning(rows: list[dict[str, Any]]) -> None:
    unwarned = {
        row["id"]: row["warning_texts"]
        for row in rows
        if row["error"] is None and row["meals_missing"] > row["meals_missing_warned"]
    }
    assert unwarned == {}


def test_bus_days_keep_the_walking_budget(rows: list[dict[str, Any]]) -> None:
    over = {
        row["id"]: (row["walk_km_per_day"], row["walk_budget_km"]) for row in rows if row["bus_days_over_walk_budget"]
    }
    assert over == {}


def test_no_long_walk_where_a_bus_runs(rows: list[dict[str, Any]]) -> None:
    assert {row["id"]: row["long_walk_legs_with_bus"] for row in rows if row["long_walk_legs_with_bus"]} == {}


def test_a_day_is_at_most_25_kb_of_json(rows: list[dict[str, Any]]) -> None:
    assert {row["id"]: row["bytes_per_day"] for row in rows if row["bytes_per_day"] > 25_000} == {}


def test_an_evening_from_tay_ho_has_dinner_and_the_bus_home(rows: list[dict[str, Any]]) -> None:
    evening = next(row for row in rows if row["id"] == "evening-tay-ho")
    assert evening["visits"] >= 4, evening
    assert evening["dinner_every_day"], evening
    assert evening["evening_back_by_bus"], evening


def test_a_first_time_tuesday_takes_in_five_signature_sights(rows: list[dict[str, Any]]) -> None:
    first = next(row for row in rows if row["id"] == "first-day-heritage")
    assert first["signature_sights"] >= 5, first


def test_three_broad_days_take_in_eight_signature_sights_and_a_craft_village(rows: list[dict[str, Any]]) -> None:
    broad = next(row for row in rows if row["id"] == "three-day-broad")
    assert broad["signature_sights"] >= 8, broad
    assert broad["craft_village_visits"] >= 1, broad
