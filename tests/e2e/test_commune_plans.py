"""Events and commune stories in plans on the real Hanoi bundle (issue 17).

A plan on the 6th day of the first lunar month of 2027 (11 February, by the Vietnamese calendar) for a heritage lover
travelling by bus goes to the Cổ Loa festival; the same plan a week later does not. A ``commune-stories`` day visits
several communes' signature places and tells each story in the visit's reasons.
"""

from __future__ import annotations

import datetime as dt

import pytest

from api.city import current_spec
from api.settings import get_settings
from recommender.city import City, build_city, load_city
from recommender.communes.lunar import LunarDay, lunar_to_solar
from recommender.communes.stories import default_stories
from recommender.locate import Location
from recommender.messages import Language, localise
from recommender.scoring import Interests
from recommender.trip import TravelMode, TripRequest, plan_trip
from routing.city_router import CityRouter

pytestmark = pytest.mark.slow
HOAN_KIEM = Location(21.0287, 105.8524)  # the lake's east shore
CO_LOA_DAY = lunar_to_solar(LunarDay(2027, 1, 6))


@pytest.fixture(scope="module")
def hanoi() -> tuple[City, CityRouter]:
    """The real Hanoi city (the bundle of the current inputs) and its router."""
    settings = get_settings()
    city = load_city(build_city(current_spec(settings), settings.bundle_dir))
    return city, CityRouter(city.bundle)


def _heritage_by_bus(date: dt.date, *, interests: tuple[str, ...] = ("heritage",), **fields: object) -> TripRequest:
    return TripRequest(
        start=HOAN_KIEM,
        date=date,
        window_start_s=8 * 3600,
        window_end_s=19 * 3600,
        interests=Interests.parse(list(interests)),
        mode=TravelMode.BUS,
        **fields,  # type: ignore[arg-type]
    )


def test_the_sixth_day_of_the_first_lunar_month_2027_is_11_february() -> None:
    assert dt.date(2027, 2, 11) == CO_LOA_DAY


def test_a_heritage_plan_on_the_co_loa_festival_day_goes_to_the_festival(hanoi: tuple[City, CityRouter]) -> None:
    itinerary = plan_trip(*hanoi, _heritage_by_bus(CO_LOA_DAY))
    events = [event for event in itinerary.events if event["id"] == "co-loa-festival"]
    assert len(events) == 1
    assert events[0]["date"] == "2027-02-11"
    visit = next(visit for visit in itinerary.visits if visit.place.id == "co-loa-citadel")
    assert visit.start_s >= 8 * 3600
    assert visit.end_s <= 17 * 3600
    assert any("Cổ Loa Festival" in reason for reason in visit.reasons)
    payload = itinerary.to_dict()
    assert [event["id"] for event in payload["events"]].count("co-loa-festival") == 1


def test_the_same_plan_a_week_later_does_not(hanoi: tuple[City, CityRouter]) -> None:
    itinerary = plan_trip(*hanoi, _heritage_by_bus(CO_LOA_DAY + dt.timedelta(days=7)))
    assert all(event["id"] != "co-loa-festival" for event in itinerary.events)
    for visit in itinerary.visits:
        assert not any("Festival" in reason for reason in visit.reasons)


def test_a_commune_stories_day_tells_three_communes_stories(hanoi: tuple[City, CityRouter]) -> None:
    itinerary = plan_trip(
        *hanoi,
        _heritage_by_bus(dt.date(2027, 3, 2), interests=("heritage", "craft_village"), theme="commune-stories"),
    )
    stories = default_stories()
    told: set[str] = set()
    for visit in itinerary.visits:
        unit = visit.place.ward
        story = stories.get(unit)
        if story is None or visit.kind != "visit":
            continue
        assert visit.place.id in story.place_ids
        english = [str(reason) for reason in visit.reasons]
        assert any(story.history_en in reason for reason in english)
        vietnamese = localise(visit.to_dict(), Language.VI)["why"]["reasons"]
        assert any(story.history_vi in reason for reason in vietnamese)
        told.add(unit)
    assert len(told) >= 3, told
