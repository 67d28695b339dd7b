"""Access assessment and route answers on a hand-made street line: a far point gets a taxi leg or "taxi only".

The street line, stops and routes are those of ``test_raptor_planner`` (a 3.1 km street W0..W6 at 21.03 N, stops at
W0, W3 and W6, an off-network stop S6 1.6 km south served from W3, a two-node island). Around it: a temple 3.3 km
south of S6 (beyond walking distance, within taxi range) and a pagoda 25 km away (no public transport).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from routing import city_router as city_router_module
from routing.build.contract import build_walk_index
from routing.city_router import CityRouter
from routing.errors import OutsideAreaError, TooFarFromStreetError
from routing.geo import haversine_m
from routing.journeys import access as access_module
from routing.journeys.access import (
    MAX_WALK_M,
    TAXI_LAST_LEG_MAX_M,
    WALK_LAST_LEG_MAX_M,
    AccessAssessor,
)
from routing.streets.snap import MainComponentSnapper
from routing.walk import WalkRouter
from tests.routing.journeys.test_raptor_planner import (
    ISLAND,
    S6_POINT,
    WEST,
    street_graph,
    tiny_planner,
)

FAR_TEMPLE = (20.985, 105.815)  # 5 km south of S6's street-less village: bus to S6, then a taxi
REMOTE_PAGODA = (20.80, 105.815)  # 25 km from every stop: taxi only
NINE_AM = 9 * 3600
PLACES = {
    "far-temple": (FAR_TEMPLE, "Đền Xa", "Far Temple"),
    "remote-pagoda": (REMOTE_PAGODA, "Chùa Xa", "Remote Pagoda"),
    "street-shrine": (WEST[1], "Miếu Phố", "Street Shrine"),
}


@pytest.fixture(scope="module")
def router() -> CityRouter:
    walk = street_graph()
    planner = tiny_planner()
    place_access: dict[str, dict[str, Any]] = {
        "far-temple": {"off_network": True, "access_stops": []},
        "remote-pagoda": {"off_network": True, "access_stops": []},
        "street-shrine": {"off_network": False, "access_stops": []},
    }
    bbox = (20.7, 105.7, 21.1, 105.9)
    bundle = SimpleNamespace(
        places=[{"id": pid, "name_vi": vi, "name_en": en} for pid, (_, vi, en) in PLACES.items()],
        place_access=place_access,
        manifest=SimpleNamespace(bbox=bbox, options={}),
    )
    city = CityRouter(bundle)  # type: ignore[arg-type]
    city.__dict__["bus"] = planner
    city.__dict__["walk"] = WalkRouter(walk, build_walk_index(walk), snapper=MainComponentSnapper(walk), bbox=bbox)
    return city


def ask(router: CityRouter, start: Any, end: Any, mode: str) -> Any:
    """Route between two places (ids) or points."""
    points: list[tuple[float, float]] = []
    places: list[str | None] = []
    for end_ in (start, end):
        if isinstance(end_, str):
            points.append(PLACES[end_][0])
            places.append(end_)
        else:
            points.append(end_)
            places.append(None)
    return router.route(points[0], points[1], mode=mode, depart_s=NINE_AM, from_place=places[0], to_place=places[1])


def test_a_street_point_walks_to_its_stop(router: CityRouter) -> None:
    access = router.assess(WEST[1], destination=True)
    assert access.street == "main"
    assert access.snap_m is not None
    assert access.snap_m < 1.0
    assert access.nearest_stop is not None
    assert access.nearest_stop.stop_id == "osm:0"
    assert access.nearest_stop.leg == "walk"
    assert not access.nearest_stop.estimated
    assert access.public_transport
    assert access.last_leg == "walk"


def test_an_island_point_is_on_an_island(router: CityRouter) -> None:
    access = router.assess(ISLAND[0])
    assert access.street == "island"


def test_a_far_end_is_reached_by_bus_and_an_estimated_taxi(router: CityRouter) -> None:
    answer = ask(router, "street-shrine", "far-temple", "bus")
    assert answer.status == "needs_taxi"
    assert answer.offered
    body = answer.to_dict()
    to = body["access"]["to"]
    assert to["street"] == "none"
    assert to["nearest_stop"]["stop_id"] == "osm:6"
    expected_m = float(haversine_m(*FAR_TEMPLE, *S6_POINT)) * 1.3
    assert WALK_LAST_LEG_MAX_M < expected_m < TAXI_LAST_LEG_MAX_M
    assert to["last_leg"] == {"mode": "taxi", "length_m": pytest.approx(expected_m, abs=0.1), "estimated": True}
    journey = min(body["journeys"], key=lambda j: j["arrive_s"])
    last = journey["legs"][-1]
    assert last["mode"] == "taxi"
    assert last["estimated"] is True
    stop = router.bus.stops
    index = router.bus.stop_index(last["from_stop_id"])
    ride_m = float(haversine_m(*FAR_TEMPLE, stop.lat[index], stop.lon[index])) * 1.3
    assert WALK_LAST_LEG_MAX_M < ride_m < TAXI_LAST_LEG_MAX_M
    assert last["length_m"] == pytest.approx(ride_m, abs=0.1)
    assert journey["taxi_m"] == pytest.approx(ride_m, abs=0.1)
    assert last["duration_s"] == pytest.approx(600 + ride_m / (20_000 / 3600), abs=1.0)
    assert journey["walk_m"] < WALK_LAST_LEG_MAX_M
    assert body["walk_only"] is None  # a walk of about 6 km straight line is not beaten, but it is not offered
    assert "taxi or xe ôm" in answer.message("en")
    assert "taxi hoặc xe ôm" in answer.message("vi")
    taxi_features = [
        feature
        for collection in answer.features()
        for feature in collection["features"]
        if feature["properties"]["mode"] == "taxi"
    ]
    assert taxi_features


def test_a_remote_end_has_no_public_transport(router: CityRouter) -> None:
    answer = ask(router, "street-shrine", "remote-pagoda", "bus")
    assert answer.status == "no_public_transport"
    assert not answer.offered
    assert answer.suggestion == "taxi"
    assert answer.plan is None
    body = answer.to_dict("vi")
    assert "journeys" not in body
    to = body["access"]["to"]
    assert to["public_transport"] is False
    assert to["suggestion"] == "taxi"
    assert to["last_leg"] is None
    assert to["nearest_stop"]["distance_m"] > TAXI_LAST_LEG_MAX_M
    assert body["taxi"]["mode"] == "taxi"
    assert body["taxi"]["estimated"] is True
    assert body["taxi"]["length_m"] > 20_000
    assert body["message"].startswith("Không có phương tiện công cộng")
    assert answer.message("en").startswith("No public transport")


def test_walk_mode_names_how_an_off_street_place_is_reached(router: CityRouter) -> None:
    temple = ask(router, "street-shrine", "far-temple", "walk")
    assert temple.status == "no_walk_route"
    assert temple.suggestion == "bus"
    assert temple.walk is None
    pagoda = ask(router, "street-shrine", "remote-pagoda", "walk")
    assert pagoda.status == "no_walk_route"
    assert pagoda.suggestion == "taxi"
    assert pagoda.taxi is not None


def test_a_walk_beyond_the_limit_is_reported_not_offered(router: CityRouter, monkeypatch: pytest.MonkeyPatch) -> None:
    assert ask(router, WEST[0], WEST[6], "walk").status == "ok"
    monkeypatch.setattr(city_router_module, "MAX_WALK_M", 2_000.0)
    answer = ask(router, WEST[0], WEST[6], "walk")
    assert answer.status == "too_far_to_walk"
    assert answer.walk is None
    assert answer.distance_m == pytest.approx(float(haversine_m(*WEST[0], *WEST[6])), rel=0.01)
    assert answer.to_dict()["distance_m"] > 2_000
    assert MAX_WALK_M == 8_000.0


def test_walk_between_islands_is_no_walk_route(router: CityRouter) -> None:
    answer = ask(router, WEST[0], ISLAND[0], "walk")
    assert answer.status == "no_walk_route"
    assert answer.destination.street == "island"


def test_points_outside_the_area_or_off_street_keep_their_errors(router: CityRouter) -> None:
    with pytest.raises(OutsideAreaError):
        ask(router, WEST[0], (25.0, 105.85), "bus")
    with pytest.raises(TooFarFromStreetError):
        ask(router, WEST[0], FAR_TEMPLE, "walk")


@pytest.mark.parametrize("mode", ["walk", "bus"])
@pytest.mark.parametrize("point", [FAR_TEMPLE, REMOTE_PAGODA])
def test_a_point_beyond_the_snap_distance_is_refused_in_both_modes(
    router: CityRouter, mode: str, point: tuple[float, float]
) -> None:
    """A user's point is not a catalogue place: no estimated legs for it, the one too-far error naming its end."""
    with pytest.raises(TooFarFromStreetError, match="the maximum snap distance is 250 m") as to_end:
        ask(router, "street-shrine", point, mode)
    with pytest.raises(TooFarFromStreetError) as from_end:
        ask(router, point, "street-shrine", mode)
    assert (to_end.value.field, from_end.value.field) == ("to", "from")


def test_assessor_without_stops_within_reach_reports_the_nearest(router: CityRouter) -> None:
    assessor = AccessAssessor(router.bus, {})
    plan = assessor.assess(*REMOTE_PAGODA)
    assert plan.override == []
    assert plan.access.nearest_stop is not None
    assert not plan.access.public_transport


def test_a_street_point_beyond_walking_distance_takes_a_taxi_along_the_streets(
    router: CityRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(access_module, "WALK_LAST_LEG_MAX_M", 300.0)
    plan = AccessAssessor(router.bus, {}).assess(*WEST[1], destination=True)
    stop = plan.access.nearest_stop
    assert stop is not None
    assert stop.leg == "taxi"
    assert stop.estimated
    street_m = float(haversine_m(*WEST[0], *WEST[1]))
    assert stop.distance_m == pytest.approx(street_m, rel=0.01)  # along the street, not the straight line x 1.3
    assert plan.override is not None
    assert plan.taxi_m[stop.stop_id] == stop.distance_m
