"""Bus journeys on the real Hanoi bundle from the Old Quarter (Hoàn Kiếm lake) at 09:00."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.city import current_spec
from api.settings import get_settings
from recommender.city import build_city
from routing.bundle.load import CityBundle, load_bundle
from routing.errors import NoServiceError
from routing.journeys import BusLeg, BusPlan, BusPlanner, Journey, WalkLeg
from routing.transit import Timetable, Transfers, build_transfers

pytestmark = pytest.mark.slow

ORIGIN = "hoan-kiem-lake"
NINE = 9 * 3600


@pytest.fixture(scope="module")
def bundle() -> CityBundle:
    settings = get_settings()
    return load_bundle(build_city(current_spec(settings), settings.bundle_dir))


@pytest.fixture(scope="module")
def planner(bundle: CityBundle, tmp_path_factory: pytest.TempPathFactory) -> BusPlanner:
    directory: Path = tmp_path_factory.mktemp("raptor")
    Timetable.from_network(bundle.bus).save(directory / "timetable.npz")
    build_transfers(bundle.bus, bundle.walk, bundle.stop_access).save(directory / "transfers.npz")
    return BusPlanner(
        bundle.bus,
        Timetable.load(directory / "timetable.npz"),
        Transfers.load(directory / "transfers.npz"),
        bundle.walk,
        bundle.stop_access,
        drive=bundle.drive,
    )


def plan_places(bundle: CityBundle, planner: BusPlanner, origin: str, target: str, depart_s: int) -> BusPlan:
    places = {place["id"]: place for place in bundle.places}
    ends = []
    for place_id in (origin, target):
        access = bundle.place_access[place_id]
        ends.append(planner.access_list(access["access_stops"]) if access["off_network"] else None)
    return planner.plan(
        places[origin]["lat"],
        places[origin]["lon"],
        places[target]["lat"],
        places[target]["lon"],
        depart_s=depart_s,
        from_access=ends[0],
        to_access=ends[1],
    )


def check_journey(bundle: CityBundle, journey: Journey, depart_s: int) -> None:
    refs = {route.ref for route in bundle.bus.routes}
    stop_ids = {stop.stop_id for stop in bundle.bus.stops}
    assert journey.depart_s >= depart_s
    assert journey.arrive_s - depart_s < 4 * 3600
    clock = journey.depart_s
    for leg in journey.legs:
        assert leg.depart_s >= clock
        assert leg.arrive_s >= leg.depart_s
        assert len(leg.coordinates) >= 2
        for lat, lon in leg.coordinates:
            assert 20.5 < lat < 21.5
            assert 105.2 < lon < 106.2
        if isinstance(leg, BusLeg):
            assert leg.ref in refs
            assert leg.board_stop_id in stop_ids
            assert leg.alight_stop_id in stop_ids
            assert leg.board_stop_id != leg.alight_stop_id
            assert leg.board_stop_name
            assert leg.alight_stop_name
            assert leg.wait_s >= 0
            assert 0 < leg.ride_s < 3 * 3600
            assert leg.stops_passed >= 1
        else:
            assert isinstance(leg, WalkLeg)
            assert leg.length_m <= 1_500
        clock = leg.arrive_s
    assert clock == journey.arrive_s
    assert 1 <= journey.rides <= 4
    journey.to_dict()
    assert len(journey.to_geojson()["features"]) == len(journey.legs)


def test_to_co_loa_ends_with_an_estimated_walk(bundle: CityBundle, planner: BusPlanner) -> None:
    assert bundle.place_access["co-loa-citadel"]["off_network"]
    plan = plan_places(bundle, planner, ORIGIN, "co-loa-citadel", NINE)
    assert plan.bus_beats_walking
    assert plan.journeys
    for journey in plan.journeys:
        check_journey(bundle, journey, NINE)
        last = journey.legs[-1]
        assert isinstance(last, WalkLeg)
        assert last.kind == "egress"
        assert last.estimated
        assert journey.to_dict()["legs"][-1]["estimated"] is True
    rides = [journey.rides for journey in plan.journeys]
    arrivals = [journey.arrive_s for journey in plan.journeys]
    assert rides == sorted(set(rides))
    assert arrivals == sorted(arrivals, reverse=True)


def test_to_bat_trang(bundle: CityBundle, planner: BusPlanner) -> None:
    plan = plan_places(bundle, planner, ORIGIN, "bat-trang-ceramic-village", NINE)
    assert plan.bus_beats_walking
    assert plan.journeys
    for journey in plan.journeys:
        check_journey(bundle, journey, NINE)
    assert any("Bát Tràng" in leg.alight_stop_name for leg in plan.best.legs if isinstance(leg, BusLeg))


def test_to_temple_of_literature(bundle: CityBundle, planner: BusPlanner) -> None:
    plan = plan_places(bundle, planner, ORIGIN, "temple-of-literature", NINE)
    assert plan.journeys
    for journey in plan.journeys:
        check_journey(bundle, journey, NINE)
    best = plan.best
    assert best.duration_s < 3600


def test_no_bus_at_night(bundle: CityBundle, planner: BusPlanner) -> None:
    with pytest.raises(NoServiceError):
        plan_places(bundle, planner, ORIGIN, "temple-of-literature", 23 * 3600 + 45 * 60)  # metro 2A runs to 23:00
