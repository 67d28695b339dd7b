"""Isochrones on the hand-made street line and bus routes of the planner tests."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely

from routing.errors import NoServiceError, OutsideAreaError, RoutingError, TooFarFromStreetError
from routing.geo import haversine_m
from routing.journeys.isochrone import Isochrone, isochrone
from routing.journeys.rows import TravelTimes
from tests.routing.journeys.test_raptor_planner import (
    LAT,
    NORTH,
    WEST,
    tiny_planner,
)
from tests.routing.journeys.test_rows import ACCESS, PLACES, SPEED

EDGE_M = float(haversine_m(*WEST[0], *WEST[1]))  # ~520 m between street nodes
METRES_PER_DEGREE_LON = EDGE_M / (WEST[1][1] - WEST[0][1])


@pytest.fixture(scope="module")
def times() -> TravelTimes:
    return TravelTimes(tiny_planner(), PLACES, ACCESS, speed_mps=SPEED)


def along_street(metres: float) -> shapely.Point:
    """The point ``metres`` east of W0 on the street (x = lon, y = lat)."""
    return shapely.Point(WEST[0][1] + metres / METRES_PER_DEGREE_LON, LAT)


def test_walk_isochrone_follows_the_street(times: TravelTimes) -> None:
    iso = isochrone(times, *WEST[0], minutes=10)  # 750 m
    assert iso.polygon.contains(along_street(0))
    assert iso.polygon.contains(along_street(EDGE_M))  # W1, 520 m
    assert iso.polygon.contains(along_street(720))  # the partial edge at the frontier
    assert not iso.polygon.contains(along_street(850))
    assert not iso.polygon.contains(along_street(2 * EDGE_M))
    assert not iso.polygon.contains(shapely.Point(WEST[0][1] + 0.002, LAT + 0.002))  # 220 m off the street
    assert [place for place, _ in iso.places] == ["p0", "p1"]
    reach = times.one_to_many(*WEST[0])
    for place, seconds in iso.places:
        assert seconds == pytest.approx(reach[times.place_ids.index(place)])
        assert seconds <= 600


def test_bus_isochrone_reaches_beyond_walking(times: TravelTimes) -> None:
    depart = 13 * 3600
    walk = isochrone(times, *WEST[0], minutes=20)  # 1500 m on foot
    bus = isochrone(times, *WEST[0], minutes=20, mode="bus", depart_s=depart)
    w3 = along_street(3 * EDGE_M)
    assert not walk.polygon.contains(w3)
    assert bus.polygon.contains(w3)  # route 01: W0 -> W3 within 10 min wait + 2 min ride
    assert bus.polygon.contains(along_street(3 * EDGE_M + 250))
    assert bus.polygon.contains(along_street(6 * EDGE_M))  # W6 by 13:14 at the latest, 6 min left
    assert bus.polygon.contains(shapely.Point(WEST[6][1], LAT + 0.0027))  # 300 m up the branch
    assert not bus.polygon.contains(shapely.Point(WEST[6][1], LAT + 0.0063))  # 700 m up the branch
    assert bus.polygon.contains(walk.polygon.buffer(-1e-5))
    row = times.one_to_many(*WEST[0], mode="bus", depart_s=depart)
    expected = {times.place_ids[i] for i in np.flatnonzero(row <= 1200)}
    assert {place for place, _ in bus.places} == expected


def test_geojson(times: TravelTimes) -> None:
    iso = isochrone(times, *NORTH[3], minutes=5)
    feature = iso.to_geojson()
    assert feature["type"] == "Feature"
    assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
    lon, lat = feature["geometry"]["coordinates"][0][0]
    assert abs(lat - NORTH[3][0]) < 0.01
    assert abs(lon - NORTH[3][1]) < 0.01
    assert feature["properties"] == {"mode": "walk", "minutes": 5.0, "depart_s": None, "place_count": 1}
    assert isinstance(iso, Isochrone)


@pytest.mark.parametrize(
    ("point", "kwargs", "error"),
    [
        ((0.0, 0.0), {"minutes": 10}, OutsideAreaError),
        ((math.nan, 105.8), {"minutes": 10}, OutsideAreaError),
        ((21.018, 105.83), {"minutes": 10}, TooFarFromStreetError),
        (WEST[0], {"minutes": 0}, RoutingError),
        (WEST[0], {"minutes": math.inf}, RoutingError),
        (WEST[0], {"minutes": 10, "mode": "bus"}, RoutingError),
        (WEST[0], {"minutes": 10, "mode": "bus", "depart_s": 23 * 3600}, NoServiceError),
        (WEST[0], {"minutes": 10, "buffer_m": -1.0}, RoutingError),
    ],
)
def test_bad_requests(times: TravelTimes, point: tuple[float, float], kwargs: dict[str, object], error: type) -> None:
    with pytest.raises(error):
        isochrone(times, *point, **kwargs)  # type: ignore[arg-type]
