"""Days that start far out of town (recommender/trip/plan.py): no long ride each way for a lunch or a short sight.

The value model judges a stop against the best sights of the city. From a start out of town those sights are hours
away, yet nothing in the orienteering score charges for the ride: before, a day from Sơn Tây rode three hours to the
Temple of Literature for 45 minutes, or to a café for lunch, and back. The planner now plans such a day again without
the places too far for their visit, and says why the day has no lunch when no food place is near.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest

from recommender.city import City
from recommender.locate import resolve_location
from recommender.scoring import Interests
from recommender.trip import Itinerary, TravelMode, TripRequest, plan_trip
from recommender.trip.build import EXCURSION_RIDES, EXCURSION_S
from recommender.trip.travel import endpoint_rows
from routing.city_router import CityRouter

pytestmark = pytest.mark.slow

H = 3600
CENTRE = (21.0287, 105.8524)  # Hoàn Kiếm Lake
FAR_KM = 25.0
STARTS = 5


def _km(lat: float, lon: float) -> float:
    dy = math.radians(lat - CENTRE[0])
    dx = math.radians(lon - CENTRE[1]) * math.cos(math.radians(CENTRE[0]))
    return 6371.0 * math.hypot(dx, dy)


def _far_starts(city: City) -> list[str]:
    """Every so many of the plannable sights at least ``FAR_KM`` out, by id: starts no persona of the suite uses."""
    far = sorted(
        place.id
        for place in city.catalogue.places
        if place.plannable and _km(place.lat, place.lon) >= FAR_KM and place.visit_min >= 30
    )
    step = max(1, len(far) // STARTS)
    return far[::step][:STARTS]


def _plan(city: City, start: str, interests: dict[str, float]) -> Itinerary:
    request = TripRequest(
        start=resolve_location(start, city.catalogue),
        date=dt.date(2027, 3, 16),
        window_start_s=9 * H,
        window_end_s=17 * H,
        interests=Interests.parse(interests),
        mode=TravelMode.BUS,
        max_iterations=400,
    )
    return plan_trip(city, CityRouter(city.bundle), request)


def _excursions(itinerary: Itinerary) -> list[str]:
    """Days whose rides of ``EXCURSION_S`` or more take more than ``EXCURSION_RIDES`` times all their stops."""
    found = []
    for day in itinerary.days:
        rides = [leg.arrive_s - leg.depart_s for leg in day.legs]
        long_rides = sum(ride for ride in rides if ride >= EXCURSION_S)
        stops = sum(visit.end_s - visit.start_s for visit in day.visits)
        if long_rides > EXCURSION_RIDES * stops:
            found.append(
                f"day {day.day + 1}: {long_rides / 60:.0f} min of long rides for {stops / 60:.0f} min of stops"
            )
    return found


def test_the_far_starts_are_far(city: City) -> None:
    starts = _far_starts(city)
    assert len(starts) == STARTS
    assert all(_km(city.catalogue.get(start).lat, city.catalogue.get(start).lon) >= FAR_KM for start in starts)


@pytest.mark.parametrize("interests", [{"heritage": 1.0}, {"nature": 1.0, "spiritual": 0.6, "cuisine": 0.4}])
def test_a_day_from_out_of_town_is_not_mostly_riding(city: City, interests: dict[str, float]) -> None:
    for start in _far_starts(city):
        itinerary = _plan(city, start, interests)
        assert not _excursions(itinerary), (start, _excursions(itinerary))


def test_a_day_from_son_tay_sees_son_tay_and_says_why_it_has_no_lunch(city: City) -> None:
    """Sơn Tây's citadel and Đường Lâm lie beyond the street network, hours from every food place of the catalogue:
    the day visits what is near and tells the traveller to eat there or bring food."""
    itinerary = _plan(city, "son-tay-citadel", {"heritage": 1.0, "architecture": 0.8})
    day = itinerary.days[0]
    assert len(day.visits) >= 2
    assert all(_km(visit.place.lat, visit.place.lon) >= FAR_KM for visit in day.visits)
    assert not any(visit.kind == "lunch" for visit in day.visits)
    assert any("too far to go just to eat" in warning for warning in itinerary.warnings)


def test_a_start_at_a_place_is_already_there(city: City) -> None:
    """Even a place beyond the street network (no walk, no bus row to itself) is 0 s from a start at that place."""
    router = CityRouter(city.bundle)
    periods = router.travel_times.period_departures()
    for start in _far_starts(city):
        location = resolve_location(start, city.catalogue)
        rows = endpoint_rows(router, location, location, mode=TravelMode.BUS, periods=periods)
        index = city.bundle.matrices.index(start)
        assert rows.walk_from_start_m[index] == 0.0, start
        assert all(row[index] == 0.0 for row in rows.bus_from_start_s.values()), start
        assert all(row[index] == 0.0 for row in rows.bus_to_end_s.values()), start
