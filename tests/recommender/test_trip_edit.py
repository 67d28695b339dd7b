"""Re-timing an edited trip on the real Hanoi bundle: the planner's own expander, refusing what does not fit."""

from __future__ import annotations

import datetime as dt

import pytest

from recommender.city import City
from recommender.locate import Location
from recommender.scoring import Interests
from recommender.trip import Itinerary, TravelMode, TripError, TripRequest, plan_trip
from recommender.trip.edit import EditedVisit, VisitDoesNotFitError, retime_trip
from routing.city_router import CityRouter

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def router(city: City) -> CityRouter:
    return CityRouter(city.bundle)


@pytest.fixture(scope="module")
def request_() -> TripRequest:
    return TripRequest(
        start=Location(21.0313, 105.8516),
        date=dt.date(2026, 12, 8),
        window_start_s=9 * 3600,
        window_end_s=18 * 3600,
        interests=Interests.parse({"heritage": 1.0, "cuisine": 0.6}),
        mode=TravelMode.BUS,
        days=2,
    )


@pytest.fixture(scope="module")
def planned(city: City, router: CityRouter, request_: TripRequest) -> Itinerary:
    return plan_trip(city, router, request_)


def _as_planned(itinerary: Itinerary) -> list[list[EditedVisit]]:
    return [
        [
            EditedVisit(visit.place.id, meal=visit.kind != "visit", duration_s=visit.end_s - visit.start_s)
            for visit in day.visits
        ]
        for day in itinerary.days
    ]


def test_the_unchanged_visits_re_time_to_the_same_plan(
    city: City, router: CityRouter, request_: TripRequest, planned: Itinerary
) -> None:
    again = retime_trip(city, router, request_, _as_planned(planned))
    assert again.to_dict()["days"] == planned.to_dict()["days"]


def test_removing_a_visit_re_times_the_rest_of_the_day(
    city: City, router: CityRouter, request_: TripRequest, planned: Itinerary
) -> None:
    days = _as_planned(planned)
    removed = days[0].pop(1)
    edited = retime_trip(city, router, request_, days)
    day = edited.days[0]
    assert [visit.place.id for visit in day.visits] == [visit.place_id for visit in days[0]]
    assert removed.place_id not in {visit.place.id for visit in day.visits}
    assert len(day.legs) == len(day.visits) + 1
    before = planned.days[0].visits
    assert day.visits[1].start_s <= before[2].start_s
    assert edited.days[1].to_dict() == planned.days[1].to_dict()  # the other day is as it was


def test_a_chosen_time_is_kept_and_a_closed_time_names_the_visit(
    city: City, router: CityRouter, request_: TripRequest, planned: Itinerary
) -> None:
    days = _as_planned(planned)
    days[0] = [EditedVisit("hoan-kiem-lake", start_s=10.5 * 3600)]  # open 24/7
    edited = retime_trip(city, router, request_, days)
    assert edited.days[0].visits[0].start_s == 10.5 * 3600
    assert edited.days[0].visits[0].end_s == 10.5 * 3600 + 45 * 60  # its usual visit at a normal pace
    days[0].insert(0, EditedVisit("temple-of-literature", start_s=7 * 3600))
    with pytest.raises(VisitDoesNotFitError) as refused:
        retime_trip(city, router, request_, days)
    assert (refused.value.day, refused.value.position, refused.value.place_id) == (0, 0, "temple-of-literature")
    assert refused.value.field == "days.0.visits.0"


def test_a_visit_past_the_day_window_and_an_unknown_place_are_refused(
    city: City, router: CityRouter, request_: TripRequest, planned: Itinerary
) -> None:
    days = _as_planned(planned)
    days[0].append(EditedVisit("bat-trang-ceramic-village"))
    with pytest.raises(VisitDoesNotFitError) as late:
        retime_trip(city, router, request_, days)
    assert late.value.place_id == "bat-trang-ceramic-village"
    assert "no longer fits day 1" in str(late.value)
    with pytest.raises(VisitDoesNotFitError) as unknown:
        retime_trip(city, router, request_, [[EditedVisit("temple-of-literatur")], []])
    assert "temple-of-literature" in unknown.value.suggestions
    with pytest.raises(TripError, match="2 days"):
        retime_trip(city, router, request_, [[]])
