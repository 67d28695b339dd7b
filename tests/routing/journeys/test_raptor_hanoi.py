"""Bus journeys on the real Hanoi bundle from the Old Quarter (Hoàn Kiếm lake) at 09:00."""

from __future__ import annotations

from pathlib import Path

import pytest

from routing.bundle.load import CityBundle
from routing.errors import NoServiceError
from routing.journeys import BusLeg, BusPlan, BusPlanner, Journey, WalkLeg
from routing.transit import Timetable, Transfers, build_transfers

pytestmark = pytest.mark.slow

ORIGIN = "hoan-kiem-lake"
NINE = 9 * 3600


@pytest.fixture(scope="module")
def planner(hanoi_bundle: CityBundle, tmp_path_factory: pytest.TempPathFactory) -> BusPlanner:
    directory: Path = tmp_path_factory.mktemp("raptor")
    Timetable.from_network(hanoi_bundle.bus).save(directory / "timetable.npz")
    build_transfers(hanoi_bundle.bus, hanoi_bundle.walk, hanoi_bundle.stop_access).save(directory / "transfers.npz")
    return BusPlanner(
        hanoi_bundle.bus,
        Timetable.load(directory / "timetable.npz"),
        Transfers.load(directory / "transfers.npz"),
        hanoi_bundle.walk,
        hanoi_bundle.stop_access,
        drive=hanoi_bundle.drive,
    )


def plan_places(hanoi_bundle: CityBundle, planner: BusPlanner, origin: str, target: str, depart_s: int) -> BusPlan:
    places = {place["id"]: place for place in hanoi_bundle.places}
    ends = []
    for place_id in (origin, target):
        access = hanoi_bundle.place_access[place_id]
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


def check_journey(hanoi_bundle: CityBundle, journey: Journey, depart_s: int) -> None:
    refs = {route.ref for route in hanoi_bundle.bus.routes}
    stop_ids = {stop.stop_id for stop in hanoi_bundle.bus.stops}
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


def test_to_co_loa_ends_with_an_estimated_walk(hanoi_bundle: CityBundle, planner: BusPlanner) -> None:
    assert hanoi_bundle.place_access["co-loa-citadel"]["off_network"]
    plan = plan_places(hanoi_bundle, planner, ORIGIN, "co-loa-citadel", NINE)
    assert plan.bus_beats_walking
    assert plan.journeys
    for journey in plan.journeys:
        check_journey(hanoi_bundle, journey, NINE)
        last = journey.legs[-1]
        assert isinstance(last, WalkLeg)
        assert last.kind == "egress"
        assert last.estimated
        assert journey.to_dict()["legs"][-1]["estimated"] is True
    rides = [journey.rides for journey in plan.journeys]
    arrivals = [journey.arrive_s for journey in plan.journeys]
    assert rides == sorted(set(rides))
    assert arrivals == sorted(arrivals, reverse=True)


def test_to_bat_trang(hanoi_bundle: CityBundle, planner: BusPlanner) -> None:
    plan = plan_places(hanoi_bundle, planner, ORIGIN, "bat-trang-ceramic-village", NINE)
    assert plan.bus_beats_walking
    assert plan.journeys
    for journey in plan.journeys:
        check_journey(hanoi_bundle, journey, NINE)
    assert any("Bát Tràng" in leg.alight_stop_name for leg in plan.best.legs if isinstance(leg, BusLeg))


def test_to_temple_of_literature(hanoi_bundle: CityBundle, planner: BusPlanner) -> None:
    plan = plan_places(hanoi_bundle, planner, ORIGIN, "temple-of-literature", NINE)
    assert plan.journeys
    for journey in plan.journeys:
        check_journey(hanoi_bundle, journey, NINE)
    best = plan.best
    assert best.duration_s < 3600


def test_no_bus_at_night(hanoi_bundle: CityBundle, planner: BusPlanner) -> None:
    with pytest.raises(NoServiceError):
        plan_places(
            hanoi_bundle, planner, ORIGIN, "temple-of-literature", 23 * 3600 + 45 * 60
        )  # metro 2A runs to 23:00
