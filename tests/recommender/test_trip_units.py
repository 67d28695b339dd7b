"""The trip layer's pieces that need no bundle: opening hours per date, windows, interests, scores."""

from __future__ import annotations

import datetime as dt

import pytest

from recommender.catalogue import DEFAULT_CATALOGUE_PATH, load_catalogue
from recommender.locate import Location
from recommender.scoring import (
    Context,
    Interests,
    InvalidInterestWeightError,
    UnknownInterestError,
    Weather,
    score_place,
)
from recommender.taxonomy import Category
from recommender.trip import InvalidWindowError, TooManyDaysError, TripRequest, parse_window
from recommender.trip.build import is_meal_place, meal_windows
from recommender.trip.hours import open_intervals, visit_windows

MONDAY = dt.date(2026, 11, 23)
TUESDAY = dt.date(2026, 11, 24)
HERE = Location(21.03, 105.85)


def test_opening_hours_follow_the_weekday_and_the_lunch_closure() -> None:
    expression = "Tu-Su 08:00-12:00,13:30-17:00"
    assert open_intervals(expression, MONDAY) == ()
    assert open_intervals(expression, TUESDAY) == ((8 * 3600.0, 12 * 3600.0), (13.5 * 3600, 17 * 3600.0))


def test_an_interval_past_midnight_is_cut_at_the_end_of_the_day() -> None:
    assert open_intervals("Mo-Su 16:00-02:00", TUESDAY)[-1] == (16 * 3600.0, 86400.0)


def test_visit_windows_leave_time_to_finish_before_closing_and_stay_in_the_day() -> None:
    intervals = ((8 * 3600.0, 12 * 3600.0), (13.5 * 3600, 17 * 3600.0))
    windows = visit_windows(intervals, visit_s=3600.0, day=(9 * 3600.0, 16 * 3600.0))
    assert windows == [(9 * 3600.0, 11 * 3600.0), (13.5 * 3600, 15 * 3600.0)]
    assert visit_windows(intervals, visit_s=5 * 3600.0, day=(0.0, 86400.0)) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [("17:00-09:00", "ends"), ("09:00", "HH:MM-HH:MM"), ("9h-17h", "HH:MM"), ("05:00-23:00", "16 hours")],
)
def test_bad_windows_are_refused_with_the_reason(text: str, message: str) -> None:
    with pytest.raises(InvalidWindowError, match=message) as caught:
        parse_window(text)
    assert caught.value.field == "window"


def test_days_outside_one_to_seven_are_refused() -> None:
    with pytest.raises(TooManyDaysError, match="1 to 7") as caught:
        TripRequest(
            start=HERE,
            date=TUESDAY,
            window_start_s=9 * 3600,
            window_end_s=17 * 3600,
            interests=Interests.parse(["heritage"]),
            days=8,
        )
    assert caught.value.field == "days"


def test_unknown_interest_names_the_closest_categories() -> None:
    with pytest.raises(UnknownInterestError, match="craft_village"):
        Interests.parse({"craft_vilage": 0.5})
    for weight in (1.5, -0.2, float("nan"), float("inf")):
        with pytest.raises(InvalidInterestWeightError, match=r"weights run 0\.\.1"):
            Interests.parse({"cuisine": weight})
    assert Interests.parse(["food"]).weight(Category.CUISINE) == 1.0


def test_scores_follow_interests_and_context_and_say_why() -> None:
    catalogue = load_catalogue(DEFAULT_CATALOGUE_PATH)
    bat_trang = catalogue.get("bat-trang-ceramic-village")
    craft = score_place(bat_trang, Interests.parse({"craft_village": 1.0}), Context())
    food = score_place(bat_trang, Interests.parse({"cuisine": 1.0}), Context())
    assert craft.score > 3 * food.score
    assert craft.reasons[0] == "craft village you asked for"
    museum = catalogue.get("national-museum-of-vietnamese-history")
    dry = score_place(museum, Interests.parse(["museum"]), Context())
    wet = score_place(museum, Interests.parse(["museum"]), Context(weather=Weather.RAIN))
    assert wet.score > dry.score
    assert any("rainy" in reason for reason in wet.reasons)


def test_meal_places_are_restaurants_not_cafes() -> None:
    catalogue = load_catalogue(DEFAULT_CATALOGUE_PATH)
    meals = [place for place in catalogue.places if is_meal_place(place)]
    assert len(meals) > 50
    assert all(Category.CUISINE in place.categories for place in meals)
    assert not is_meal_place(catalogue.get("bat-trang-ceramic-village"))
    request = TripRequest(
        start=HERE,
        date=TUESDAY,
        window_start_s=9 * 3600,
        window_end_s=21 * 3600,
        interests=Interests.parse(["cuisine"]),
    )
    for open_s, close_s in meal_windows(request):
        # Two meals can never start in one window: the second would start a meal and a leg (its buffer at least)
        # after the first.
        assert close_s - open_s < request.pace.meal_s + request.pace.buffer_s
