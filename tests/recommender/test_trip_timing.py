"""Re-timing a solved day against the real connections (recommender/trip/expand.py, travel.py): late buses, meals,
long hops served only by buses slower than walking."""

from __future__ import annotations

import datetime as dt

import pytest

from recommender.city import City
from recommender.locate import Location
from recommender.scoring import Interests
from recommender.trip import TravelMode, TripRequest, plan_trip
from recommender.trip.expand import MEAL_LATE_S, _earliest_start
from routing.city_router import CityRouter

H = 3600.0
LUNCH_AND_DINNER = [(11.5 * H, 12.5 * H), (18 * H, 19 * H)]


def test_a_visit_never_slips_into_a_later_window_than_planned() -> None:
    """A lunch reached two minutes late is not served at dinner time (the rest of the day would be lost)."""
    late = 12.5 * H + 120
    assert _earliest_start(LUNCH_AND_DINNER, late) == 18 * H  # without the plan: the next window
    assert _earliest_start(LUNCH_AND_DINNER, late, 12 * H) is None
    assert _earliest_start(LUNCH_AND_DINNER, late, 12 * H, late_s=MEAL_LATE_S) == late
    assert _earliest_start(LUNCH_AND_DINNER, 11 * H, 18 * H) == 11.5 * H  # an earlier window is fine
    assert _earliest_start(LUNCH_AND_DINNER, 12.5 * H + MEAL_LATE_S + 60, 12 * H, late_s=MEAL_LATE_S) is None


@pytest.mark.slow
def test_a_sight_too_far_to_walk_and_served_by_slow_buses_can_be_planned_at_midday(city: City) -> None:
    """From a hotel in Cát Linh, Trấn Quốc Pagoda is 2.8 km on foot and two buses away; at midday those buses are
    slower than walking. The plan still goes there by bus instead of finding the sight unreachable."""
    router = CityRouter(city.bundle)
    request = TripRequest(
        start=Location(21.02987, 105.82877),
        date=dt.date(2026, 12, 18),
        window_start_s=int(12 * H),
        window_end_s=int(16 * H),
        interests=Interests.parse({"heritage": 1.0}),
        mode=TravelMode.BUS,
        must_visit=("tran-quoc-pagoda",),
    )
    itinerary = plan_trip(city, router, request)
    visits = [visit.place.id for visit in itinerary.days[0].visits]
    assert "tran-quoc-pagoda" in visits
    assert all(leg.walk_m <= 2_500 for leg in itinerary.days[0].legs)
