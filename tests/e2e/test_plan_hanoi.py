"""Trip plans on the real Hanoi bundle: opening hours and windows kept, personas differ, bad requests refused."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommender.city import City
from recommender.feedback import SyntheticSettings, synthetic_events
from recommender.locate import Location, resolve_location
from recommender.preference import PreferenceModel
from recommender.scoring import Context, Interests, PlaceScore, UnknownInterestError, score_places
from recommender.taxonomy import Category
from recommender.trip import (
    InvalidWindowError,
    Itinerary,
    MustVisitError,
    Pace,
    TooManyDaysError,
    TravelMode,
    TripRequest,
    WindowTooShortError,
    plan_trip,
)
from recommender.trip.hours import open_intervals
from routing.city_router import CityRouter

pytestmark = pytest.mark.slow
HOTEL = Location(21.0313, 105.8516)  # Hàng Bạc, in the Old Quarter
MONDAY = dt.date(2026, 11, 23)
TUESDAY = dt.date(2026, 11, 24)


@pytest.fixture(scope="module")
def router(city: City) -> CityRouter:
    return CityRouter(city.bundle)


def _request(**fields: object) -> TripRequest:
    values: dict[str, object] = {
        "start": HOTEL,
        "date": TUESDAY,
        "window_start_s": 9 * 3600,
        "window_end_s": 17 * 3600,
        "interests": Interests.parse(["heritage"]),
    }
    values.update(fields)
    return TripRequest(**values)  # type: ignore[arg-type]


def _check_hours_and_window(itinerary: Itinerary, request: TripRequest) -> None:
    """Independent check: every visit inside one opening interval of its date, every day inside the window."""
    seen: set[str] = set()
    for day in itinerary.days:
        assert day.date == request.date + dt.timedelta(days=day.day)
        if day.visits:
            assert day.depart_s >= request.window_start_s - 1e-6
            assert day.arrive_s <= request.window_end_s + 1e-6
        previous_end = day.depart_s
        for leg, visit in zip(day.legs, day.visits, strict=False):
            assert leg.depart_s >= previous_end - 1e-6
            assert visit.arrival_s >= leg.arrive_s - 1e-6
            assert visit.start_s >= visit.arrival_s - 1e-6
            intervals = open_intervals(visit.place.opening_hours, day.date)
            assert any(a - 1e-6 <= visit.start_s and visit.end_s <= b + 1e-6 for a, b in intervals), visit.place.id
            previous_end = visit.departure_s
            assert visit.place.id not in seen  # no place twice, over all days
            seen.add(visit.place.id)
            assert visit.place.id not in request.avoid


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    case=st.fixed_dictionaries(
        {
            "categories": st.lists(st.sampled_from(list(Category)), min_size=1, max_size=3, unique=True),
            "start_quarter": st.integers(7 * 4, 11 * 4),
            "length_quarters": st.integers(4 * 4, 12 * 4),
            "day_offset": st.integers(0, 13),
            "mode": st.sampled_from(list(TravelMode)),
            "pace": st.sampled_from(list(Pace)),
            "days": st.integers(1, 2),
        }
    )
)
def test_random_plans_keep_every_opening_hour_and_the_window(
    city: City, router: CityRouter, case: dict[str, Any]
) -> None:
    request = _request(
        interests=Interests.parse([category.value for category in case["categories"]]),
        window_start_s=case["start_quarter"] * 900,
        window_end_s=min(case["start_quarter"] + case["length_quarters"], 96) * 900,
        date=MONDAY + dt.timedelta(days=case["day_offset"]),
        mode=case["mode"],
        pace=case["pace"],
        days=case["days"],
    )
    itinerary = plan_trip(city, router, request)
    assert len(itinerary.days) == case["days"]
    assert itinerary.visits, "a day of several hours in Hanoi always has something open"
    _check_hours_and_window(itinerary, request)


PERSONAS = {
    "food lover": Interests.parse({"cuisine": 1.0, "market": 0.5}),
    "craft-village enthusiast": Interests.parse({"craft_village": 1.0}),
    "history buff": Interests.parse({"heritage": 1.0, "museum": 0.7}),
    "art and CI centres": Interests.parse({"ci_centre": 1.0, "performing_arts": 0.5}),
    "family with children": Interests.parse({"nature": 1.0, "museum": 0.6}),
}
PERSONA_CATEGORY = {
    "food lover": Category.CUISINE,
    "craft-village enthusiast": Category.CRAFT_VILLAGE,
    "history buff": Category.HERITAGE,
    "art and CI centres": Category.CI_CENTRE,
    "family with children": Category.NATURE,
}


def test_five_personas_get_visibly_different_plans(city: City, router: CityRouter) -> None:
    plans = {}
    for name, interests in PERSONAS.items():
        context = Context(with_children=name == "family with children")
        request = _request(interests=interests, context=context, window_end_s=20 * 3600)
        plans[name] = plan_trip(city, router, request)
        _check_hours_and_window(plans[name], request)
        kinds = [visit for visit in plans[name].visits if visit.kind == "visit"]
        matching = [visit for visit in kinds if PERSONA_CATEGORY[name] in visit.place.categories]
        # Two places of the persona's kind, or one that fills half a day (a craft village is a three-hour visit).
        hours = sum(visit.end_s - visit.start_s for visit in matching) / 3600
        assert len(matching) >= 2 or hours >= 2.5, (name, [visit.place.id for visit in kinds])
        assert any(visit.kind == "lunch" for visit in plans[name].visits)
    for first, second in itertools.combinations(plans, 2):
        a = {visit.place.id for visit in plans[first].visits if visit.kind == "visit"}
        b = {visit.place.id for visit in plans[second].visits if visit.kind == "visit"}
        assert len(a & b) / len(a | b) < 0.5, (first, second, sorted(a & b))
    family = [visit for visit in plans["family with children"].visits if visit.kind == "visit"]
    assert all(visit.place.family_friendly for visit in family[:3])


def _top(scores: list[PlaceScore], count: int) -> set[str]:
    return {score.place_id for score in sorted(scores, key=lambda score: -score.score)[:count]}


@pytest.fixture(scope="module")
def learnt(city: City) -> PreferenceModel:
    """The learnt blend, fitted on the SYNTHETIC feedback log (no real users yet)."""
    log = synthetic_events(city.catalogue, SyntheticSettings(users=300, seed=3))
    return PreferenceModel(city.catalogue).fit(log.events, log.interests)


def test_personas_get_different_top_20_places(city: City, learnt: PreferenceModel) -> None:
    """Hand-set scores and the learnt blend alike: any two personas share under half of their top 20."""
    for name, scorer in (
        ("hand-set", lambda interests: score_places(city.catalogue, interests)),
        ("learnt", learnt.place_scores),
    ):
        tops = {persona: _top(scorer(interests), 20) for persona, interests in PERSONAS.items()}
        for first, second in itertools.combinations(tops, 2):
            overlap = len(tops[first] & tops[second]) / 20
            assert overlap < 0.5, (name, first, second, sorted(tops[first] & tops[second]))


def test_liking_two_craft_villages_moves_craft_villages_up_in_the_next_plan(
    city: City, router: CityRouter, learnt: PreferenceModel
) -> None:
    villages = {place.id for place in city.catalogue.places if Category.CRAFT_VILLAGE in place.categories}
    interests = Interests.parse({"heritage": 0.8, "cuisine": 0.6, "craft_village": 0.3})
    liked = ("bat-trang-ceramic-village", "van-phuc-silk-village")

    def best_village_rank(scores: list[PlaceScore]) -> int:
        ranked = [score.place_id for score in sorted(scores, key=lambda score: -score.score)]
        return min(ranked.index(village) for village in villages)

    before_rank = best_village_rank(learnt.place_scores(interests))
    after_rank = best_village_rank(learnt.place_scores(interests, liked=liked))
    assert after_rank < before_rank
    assert after_rank < 5
    plans = {}
    for likes in ((), liked):
        request = _request(interests=interests, mode=TravelMode.BUS, window_end_s=18 * 3600, liked=likes)
        plans[likes] = plan_trip(city, router, request, model=learnt)
        _check_hours_and_window(plans[likes], request)
    in_plan = {likes: [v.place.id for v in plan.visits if v.place.id in villages] for likes, plan in plans.items()}
    assert len(in_plan[liked]) > len(in_plan[()]), in_plan


def test_a_plan_has_legs_with_geometry_totals_and_reasons(city: City, router: CityRouter) -> None:
    request = _request(interests=Interests.parse({"craft_village": 1.0, "heritage": 0.5}), mode=TravelMode.BUS)
    itinerary = plan_trip(city, router, request)
    day = itinerary.days[0]
    assert len(day.legs) == len(day.visits) + 1
    assert all(leg.features for leg in day.legs if leg.walk_m > 0)
    assert day.rides >= 1  # craft villages lie outside the centre: the bus takes the traveller there
    bus_legs = [leg for leg in day.legs if leg.mode == "bus"]
    assert any(part.get("ref") for leg in bus_legs for part in leg.journey["legs"] if part["mode"] == "bus")
    payload = itinerary.to_dict()
    assert payload["totals"]["bus_rides"] == day.rides
    assert payload["totals"]["walk_km"] > 0
    assert all(visit["why"]["reasons"] for visit in payload["days"][0]["visits"])
    assert itinerary.to_geojson()["features"]


def test_multi_day_plans_never_repeat_a_place_and_start_from_the_lodging(city: City, router: CityRouter) -> None:
    request = _request(days=3, interests=Interests.parse({"heritage": 1.0, "spiritual": 0.6}))
    itinerary = plan_trip(city, router, request)
    assert len(itinerary.days) == 3
    ids = [visit.place.id for visit in itinerary.visits]
    assert len(ids) == len(set(ids))
    assert all(day.start == (HOTEL.lat, HOTEL.lon) == day.end for day in itinerary.days)


def test_must_visit_and_avoid_are_honoured(city: City, router: CityRouter) -> None:
    request = _request(must_visit=("co-loa-citadel",), avoid=("temple-of-literature",), mode=TravelMode.BUS)
    ids = [visit.place.id for visit in plan_trip(city, router, request).visits]
    assert "co-loa-citadel" in ids
    assert "temple-of-literature" not in ids


def test_bad_requests_name_the_constraint(city: City, router: CityRouter) -> None:
    with pytest.raises(InvalidWindowError, match="before"):
        _request(window_start_s=17 * 3600, window_end_s=9 * 3600)
    with pytest.raises(WindowTooShortError, match="shorter than the shortest visit") as short:
        plan_trip(city, router, _request(window_start_s=9 * 3600, window_end_s=9 * 3600 + 300))
    assert short.value.field == "window"
    # The national history museum is closed on Mondays.
    with pytest.raises(MustVisitError, match="not open") as closed:
        plan_trip(city, router, _request(date=MONDAY, must_visit=("national-museum-of-vietnamese-history",)))
    assert "Tu-Su" in str(closed.value)
    assert closed.value.field == "must_visit"
    with pytest.raises(UnknownInterestError, match="craft_village"):
        Interests.parse(["craft villages!"])
    with pytest.raises(TooManyDaysError):
        _request(days=8)
    with pytest.raises(MustVisitError, match="both"):
        plan_trip(city, router, _request(must_visit=("co-loa-citadel",), avoid=("co-loa-citadel",)))
    with pytest.raises(Exception, match="did you mean"):
        plan_trip(city, router, _request(must_visit=("temple-of-literatur",)))


def test_a_place_name_resolves_as_the_start(city: City, router: CityRouter) -> None:
    start = resolve_location("Hoàn Kiếm Lake", city.catalogue)
    itinerary = plan_trip(city, router, _request(start=start))
    assert itinerary.days[0].start_name == "Hoàn Kiếm Lake"


def test_walking_limits_move_legs_to_the_bus_or_say_why_not(city: City, router: CityRouter) -> None:
    loose = plan_trip(city, router, _request(mode=TravelMode.BUS, interests=Interests.parse(["heritage"])))
    request = _request(mode=TravelMode.BUS, max_walk_leg_m=600.0, max_walk_day_m=3_000.0)
    tight = plan_trip(city, router, request)
    _check_hours_and_window(tight, request)
    walks = [leg.walk_m for leg in tight.days[0].legs if leg.mode == "walk"]
    assert all(walk_m <= 600.0 + 1.0 for walk_m in walks)
    assert tight.days[0].walk_m <= 3_000.0 or any("walks" in warning for warning in tight.warnings)
    assert tight.days[0].walk_m < loose.days[0].walk_m


def _at(city: City, place_id: str) -> Location:
    place = city.catalogue.get(place_id)
    return Location(place.lat, place.lon, place)


def test_a_place_inside_another_is_one_stop_that_says_what_it_includes(city: City, router: CityRouter) -> None:
    request = _request(start=_at(city, "hoan-kiem-lake"), must_visit=("hoan-kiem-lake", "temple-of-literature"))
    itinerary = plan_trip(city, router, request)
    ids = [visit.place.id for visit in itinerary.visits]
    assert "turtle-tower" not in ids
    assert "thien-quang-well" not in ids
    lake = next(visit for visit in itinerary.visits if visit.place.id == "hoan-kiem-lake")
    assert "turtle-tower" in [inner["place_id"] for inner in lake.to_dict()["includes"]]


def test_a_must_visit_that_takes_the_lunch_hours_says_so(city: City, router: CityRouter) -> None:
    request = _request(start=_at(city, "hoan-kiem-lake"), must_visit=("co-loa-citadel",))
    itinerary = plan_trip(city, router, request)
    assert "co-loa-citadel" in [visit.place.id for visit in itinerary.visits]
    if not any(visit.kind == "lunch" for visit in itinerary.visits):
        assert any("no lunch" in warning for warning in itinerary.warnings), itinerary.warnings


def test_a_window_that_cuts_lunch_time_short_says_so(city: City, router: CityRouter) -> None:
    request = _request(window_start_s=12 * 3600, window_end_s=13 * 3600, interests=Interests.parse(["cuisine"]))
    itinerary = plan_trip(city, router, request)
    if not any(visit.kind == "lunch" for visit in itinerary.visits):
        assert any("does not cover lunch time" in warning for warning in itinerary.warnings), itinerary.warnings


def test_a_walking_budget_that_reaches_nothing_is_named(city: City, router: CityRouter) -> None:
    request = _request(
        mode=TravelMode.WALK, max_walk_day_m=50.0, max_walk_leg_m=50.0, start=Location(21.0313, 105.8516)
    )
    itinerary = plan_trip(city, router, request)
    assert itinerary.visits == []
    assert any("no visits" in warning and "walking" in warning for warning in itinerary.warnings), itinerary.warnings


def test_each_pace_keeps_its_walking_budget_by_bus(city: City, router: CityRouter) -> None:
    for pace in Pace:
        request = _request(pace=pace, interests=Interests.parse({"heritage": 1.0, "cuisine": 0.5}))
        itinerary = plan_trip(city, router, request)
        for day in itinerary.days:
            over = day.walk_m > request.walk_budget_m
            assert not over or any("budget" in warning for warning in itinerary.warnings), (pace, day.walk_m)
