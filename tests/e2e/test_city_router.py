"""CityRouter on the real bundle: one-to-many rows from a hotel and isochrones, as the API will use them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from shapely.geometry import Point

from routing.bundle.load import load_bundle
from routing.city_router import CityRouter
from routing.journeys.isochrone import isochrone

pytestmark = pytest.mark.slow
HOTEL = (21.0313, 105.8516)  # Hàng Bạc, in the Old Quarter


@pytest.fixture(scope="module")
def router(bundle_path: Path) -> CityRouter:
    return CityRouter(load_bundle(bundle_path))


def test_rows_from_a_hotel_agree_with_the_stored_matrix_scale(router: CityRouter) -> None:
    walk = router.travel_times.one_to_many(*HOTEL, mode="walk")
    bus = router.travel_times.one_to_many(*HOTEL, mode="bus", depart_s=9 * 3600)
    assert walk.shape == bus.shape == (len(router.bundle.places),)
    ids = [str(p["id"]) for p in router.bundle.places]
    lake = ids.index("hoan-kiem-lake")
    assert 60 < walk[lake] < 15 * 60  # a few hundred metres away
    finite = np.isfinite(walk) & np.isfinite(bus)
    assert finite.sum() > 200
    assert np.all(bus[finite] <= walk[finite] + 1.0)  # the bus row never loses to walking
    co_loa = ids.index("co-loa-citadel")
    assert np.isnan(walk[co_loa]) or np.isinf(walk[co_loa])
    assert np.isfinite(bus[co_loa])


def test_isochrone_from_a_hotel(router: CityRouter) -> None:
    area = isochrone(router.travel_times, *HOTEL, minutes=15, mode="walk")
    reached = {place_id for place_id, _ in area.places}
    assert "hoan-kiem-lake" in reached
    assert "co-loa-citadel" not in reached
    assert area.polygon.contains(Point(HOTEL[1], HOTEL[0]))
    assert area.to_geojson()["geometry"]["type"] in {"Polygon", "MultiPolygon"}
