"""The itinerary's JSON form without a bundle: lines sent once per leg part, polyline by default, GeoJSON on request."""

from __future__ import annotations

import datetime as dt

import pytest

from recommender.catalogue import DEFAULT_CATALOGUE_PATH, load_catalogue
from recommender.scoring import Context, Interests, score_place
from recommender.trip.itinerary import (
    DayPlan,
    GeometryFormat,
    Itinerary,
    PlannedLeg,
    PlannedVisit,
    decode_line,
    encode_line,
    leg_parts,
    with_geometry,
)
from routing.journeys.journey import BusLeg, Journey, WalkLeg
from routing.walk.journey import WalkJourney, WalkStep

# An Old Quarter walk with points a few metres apart, given to 7 decimals as the routers compute them.
WALK_POINTS = (
    (21.0287813, 105.8515034),
    (21.0287392, 105.8514991),
    (21.0285281, 105.8514774),
    (21.0283342, 105.8514583),
    (21.0280791, 105.8514522),
    (21.0277661, 105.8515153),
)
RIDE_POINTS = ((21.0277661, 105.8515153), (21.0261002, 105.8523804), (21.0249461, 105.8548836))
EGRESS_POINTS = ((21.0249461, 105.8548836), (21.0250463, 105.8548831))


def _walk() -> WalkJourney:
    steps = (WalkStep(street="Phố Hàng Khay", length_m=120.44, duration_s=96.35, instruction="Walk 120 m along X"),)
    return WalkJourney(
        length_m=120.44, duration_s=96.35, coordinates=WALK_POINTS, steps=steps, snap_from_m=3.0, snap_to_m=1.0
    )


def _bus() -> Journey:
    access = WalkLeg("access", "Hotel", "Stop A", None, "A", 32400, 32520, 100.0, WALK_POINTS, estimated=False)
    ride = BusLeg(
        route_id="09",
        ref="09",
        route_name="Bus 09",
        board_stop_id="A",
        board_stop_name="Stop A",
        alight_stop_id="B",
        alight_stop_name="Stop B",
        depart_s=32700,
        arrive_s=33300,
        wait_s=180,
        stop_ids=("A", "M", "B"),
        stop_names=("Stop A", "Middle", "Stop B"),
        length_m=2345.67,
        coordinates=RIDE_POINTS,
        on_road=True,
    )
    egress = WalkLeg("egress", "Stop B", "Museum", "B", None, 33300, 33400, 11.0, EGRESS_POINTS, estimated=False)
    return Journey(legs=(access, ride, egress), depart_s=32400, arrive_s=33400)


def _close(decoded: list[tuple[float, float]], expected: tuple[tuple[float, float], ...]) -> None:
    assert len(decoded) == len(expected)
    for (lat, lon), (want_lat, want_lon) in zip(decoded, expected, strict=True):
        assert abs(lat - want_lat) <= 1e-5
        assert abs(lon - want_lon) <= 1e-5


def test_a_walk_is_one_part_with_its_polyline_and_instructions() -> None:
    (part,) = leg_parts(_walk().to_dict())
    assert part["mode"] == "walk"
    assert isinstance(part["geometry"], str)
    _close(decode_line(part["geometry"]), WALK_POINTS)
    assert part["steps"] == ["Walk 120 m along X"]
    assert part["length_m"] == 120.4
    assert "coordinates" not in part


def test_a_bus_journey_has_a_part_per_walk_and_ride_each_with_its_own_line() -> None:
    parts = leg_parts(_bus().to_dict())
    assert [part["mode"] for part in parts] == ["walk", "bus", "walk"]
    for part, points in zip(parts, (WALK_POINTS, RIDE_POINTS, EGRESS_POINTS), strict=True):
        _close(decode_line(part["geometry"]), points)
    ride = parts[1]
    assert (ride["ref"], ride["board_stop_name"], ride["alight_stop_name"]) == ("09", "Stop A", "Stop B")
    assert (ride["depart"], ride["arrive"], ride["wait_s"], ride["stops_passed"]) == ("09:05", "09:15", 180, 2)
    assert "stop_ids" not in ride
    assert leg_parts({}) == []


def test_geojson_on_request_is_a_linestring_in_lon_lat_order() -> None:
    parts = leg_parts(_bus().to_dict(), geometry=GeometryFormat.GEOJSON)
    line = parts[1]["geometry"]
    assert line["type"] == "LineString"
    assert line["coordinates"][0] == [105.851515, 21.027766]
    _close(decode_line(line), RIDE_POINTS)
    assert encode_line([(21.0, 105.8)], GeometryFormat.GEOJSON)["coordinates"] == [[105.8, 21.0], [105.8, 21.0]]


def _itinerary() -> Itinerary:
    catalogue = load_catalogue(DEFAULT_CATALOGUE_PATH)
    lake = catalogue.get("hoan-kiem-lake")
    inside = tuple(place for place in catalogue.places if place.part_of == lake.id)
    score = score_place(lake, Interests.parse({"heritage": 1.0}), Context())
    visit = PlannedVisit(lake, "visit", 32410.0, 33400.0, 36100.0, 36100.0, score, ("heritage",), contains=inside)
    walk, bus = _walk(), _bus()
    legs = (
        PlannedLeg("Hotel", lake.name_en, "bus", 32400.0, 33400.0, bus.walk_m, 1, False, bus.to_dict(), ()),
        PlannedLeg(lake.name_en, "Hotel", "walk", 36100.0, 36300.0, 124.4, 0, False, walk.to_dict(), ()),
    )
    day = DayPlan(
        day=0,
        date=dt.date(2026, 12, 15),
        start=(21.03131234, 105.85161234),
        end=(21.03131234, 105.85161234),
        start_name="Hotel",
        end_name="Hotel",
        depart_s=32400.0,
        arrive_s=36300.0,
        visits=(visit,),
        legs=legs,
    )
    return Itinerary(days=(day,), mode="bus", pace="normal", interests={"heritage": 1.0}, score=1.0, solve_s=0.1,
                     iterations=10)  # fmt: skip


def test_the_json_keeps_the_contract_and_drops_what_the_client_can_derive() -> None:
    payload = _itinerary().to_dict()
    assert payload["geometry"] == "polyline"
    day = payload["days"][0]
    (visit,) = day["visits"]
    assert {"place_id", "kind", "start", "end", "categories", "includes"} <= set(visit)
    assert not {"arrival", "departure", "start_s", "end_s", "wait_s"} & set(visit)
    assert visit["includes"], "the Turtle Tower stands in Hoàn Kiếm Lake"
    assert all(set(inner) == {"place_id", "name"} for inner in visit["includes"])
    assert day["start"] == {"name": "Hotel", "lat": 21.031312, "lon": 105.851612}
    for leg in day["legs"]:
        assert {"mode", "walk_m", "rides", "depart", "arrive", "parts"} <= set(leg)
        assert not {"journey", "from", "to", "depart_s"} & set(leg)
    assert day["totals"]["walk_km"] == pytest.approx(0.24, abs=0.01)
    assert "geojson" not in str(payload)


def test_with_geometry_rewrites_each_line_once_and_back() -> None:
    itinerary = _itinerary()
    full = itinerary.to_dict(geometry=GeometryFormat.GEOJSON)
    compact = with_geometry(full, GeometryFormat.POLYLINE)
    assert compact == itinerary.to_dict()
    assert full["geometry"] == "geojson"  # the input is left as it was
    assert full["days"][0]["legs"][0]["parts"][1]["geometry"]["type"] == "LineString"
    back = with_geometry(compact, GeometryFormat.GEOJSON)
    for leg in back["days"][0]["legs"]:
        for part in leg["parts"]:
            assert part["geometry"]["type"] == "LineString"
