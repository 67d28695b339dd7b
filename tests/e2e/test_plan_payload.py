"""Plan answers on the real Hanoi bundle stay small: lines once per leg part, polylines that decode to the routes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from cli.main import app as cli_app
from recommender.city import City
from recommender.locate import resolve_location
from recommender.scoring import Interests
from recommender.trip import Itinerary, TravelMode, TripRequest, plan_trip
from recommender.trip.itinerary import GeometryFormat, decode_line, leg_parts
from routing.city_router import CityRouter

pytestmark = pytest.mark.slow
MAX_PLAN_BYTES = 64 * 1024
MAX_DAY_BYTES = 25 * 1024


@pytest.fixture(scope="module")
def router(city: City) -> CityRouter:
    return CityRouter(city.bundle)


@pytest.fixture(scope="module")
def three_days(city: City, router: CityRouter) -> Itinerary:
    """The README's kind of request over three days: heritage, food and craft villages by bus."""
    request = TripRequest(
        start=resolve_location("hoan-kiem-lake", city.catalogue),
        date=dt.date(2026, 12, 15),
        window_start_s=8.5 * 3600,
        window_end_s=17.5 * 3600,
        interests=Interests.parse({"heritage": 1.0, "cuisine": 0.6, "craft_village": 0.5}),
        mode=TravelMode.BUS,
        days=3,
    )
    return plan_trip(city, router, request)


def _assert_close(decoded: list[tuple[float, float]], points: list[tuple[float, float]]) -> None:
    assert len(decoded) == len(points)
    for (lat, lon), (want_lat, want_lon) in zip(decoded, points, strict=True):
        assert abs(lat - want_lat) <= 1e-5
        assert abs(lon - want_lon) <= 1e-5


def test_a_walk_polyline_decodes_to_the_routers_line(city: City, router: CityRouter) -> None:
    lake, temple = city.catalogue.get("hoan-kiem-lake"), city.catalogue.get("temple-of-literature")
    journey = router.walk_route((lake.lat, lake.lon), (temple.lat, temple.lon), from_place=lake.id, to_place=temple.id)
    (part,) = leg_parts(journey.to_dict())
    assert len(journey.coordinates) > 10
    _assert_close(decode_line(part["geometry"]), list(journey.coordinates))


def test_every_leg_part_of_a_plan_carries_its_line_once(three_days: Itinerary) -> None:
    payload = three_days.to_dict()
    assert payload["geometry"] == "polyline"
    rides = 0
    for day, day_json in zip(three_days.days, payload["days"], strict=True):
        assert len(day_json["legs"]) == len(day_json["visits"]) + 1
        for leg, leg_json in zip(day.legs, day_json["legs"], strict=True):
            assert {"mode", "walk_m", "rides"} <= set(leg_json)
            assert "journey" not in leg_json
            journey_parts = leg.journey.get("legs", [leg.journey] if leg.journey else [])
            assert len(leg_json["parts"]) == len(journey_parts)
            for part, source in zip(leg_json["parts"], journey_parts, strict=True):
                assert part["mode"] == source["mode"]
                _assert_close(decode_line(part["geometry"]), [(lat, lon) for lat, lon in source["coordinates"]])
                rides += part["mode"] == "bus"
    assert rides == sum(day.rides for day in three_days.days)
    assert b"coordinates" not in orjson.dumps(payload)


def test_a_three_day_plan_is_well_under_64_kb_and_each_day_under_25_kb(three_days: Itinerary) -> None:
    payload = three_days.to_dict()
    assert len(orjson.dumps(payload)) < MAX_PLAN_BYTES
    for day in payload["days"]:
        assert len(orjson.dumps(day)) <= MAX_DAY_BYTES
    full = three_days.to_dict(geometry=GeometryFormat.GEOJSON)
    assert len(orjson.dumps(full)) > len(orjson.dumps(payload))  # the lines are the bulk of GeoJSON answers


def test_geojson_on_request_gives_linestrings(three_days: Itinerary) -> None:
    payload = three_days.to_dict(geometry=GeometryFormat.GEOJSON)
    assert payload["geometry"] == "geojson"
    lines = [part["geometry"] for day in payload["days"] for leg in day["legs"] for part in leg["parts"]]
    assert lines
    for line in lines:
        assert line["type"] == "LineString"
        assert len(line["coordinates"]) >= 2
        lon, lat = line["coordinates"][0]
        assert 105.0 < lon < 106.5
        assert 20.5 < lat < 21.5


def test_the_cli_prints_polylines_or_geojson(bundle_path: Path) -> None:
    args = ["plan", "--bundle", str(bundle_path), "--start", "hoan-kiem-lake", "--date", "2026-12-15", "--json"]
    for geometry, kind in (("polyline", str), ("geojson", dict)):
        result = CliRunner().invoke(cli_app, [*args, "--geometry", geometry])
        assert result.exit_code == 0, result.stderr
        payload = orjson.loads(result.stdout)
        assert payload["geometry"] == geometry
        parts = [part for leg in payload["days"][0]["legs"] for part in leg["parts"]]
        assert parts
        assert all(isinstance(part["geometry"], kind) for part in parts)
