"""Leg distances from a drive-graph function, and the fallbacks when it has no answer."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest
from numpy.typing import NDArray

from routing.build.transit import compile_bus_network
from routing.errors import RoutingError
from routing.geo import haversine_m
from routing.transit import BusNetwork

TRANSIT_DIR = Path(__file__).resolve().parents[4] / "data" / "transit"


def _straight(pairs: NDArray[np.float64]) -> NDArray[np.float64]:
    return haversine_m(pairs[:, 0], pairs[:, 1], pairs[:, 2], pairs[:, 3])


class Leg(NamedTuple):
    """One leg of a compiled route, with the straight line between its two stops."""

    route_id: str
    straight_m: float
    distance_m: float
    estimated: bool
    run_time_s: float


def network_legs(network: BusNetwork) -> list[Leg]:
    """Every leg of every route, in network order (also the compile test's legs)."""
    stops = network.stop_by_id()
    rows = []
    for route in network.routes:
        for (a, b), distance, estimated, run_time in zip(
            zip(route.stop_ids, route.stop_ids[1:], strict=False),
            route.leg_distance_m,
            route.leg_distance_estimated,
            route.leg_run_time_s,
            strict=True,
        ):
            straight = float(haversine_m(stops[a].lat, stops[a].lon, stops[b].lat, stops[b].lon))
            rows.append(Leg(route.route_id, straight, distance, estimated, run_time))
    return rows


def test_drive_graph_distances_are_used_for_every_leg() -> None:
    calls: list[int] = []

    def road(pairs: NDArray[np.float64]) -> NDArray[np.float64]:
        assert pairs.ndim == 2
        assert pairs.shape[1] == 4
        calls.append(len(pairs))
        return 1.2 * _straight(pairs)

    network = compile_bus_network(TRANSIT_DIR, leg_distance_m=road)
    assert len(calls) == 1  # one vectorised call for all legs
    legs = network_legs(network)
    assert calls[0] == len(legs)
    for _, straight, distance, estimated, _ in legs:
        assert not estimated
        assert distance == pytest.approx(1.2 * straight, abs=0.06)
    sources = network.report["leg_distance_sources"]
    assert sources == {
        "drive_graph": len(legs),
        "osm_route_distance": 0,
        "great_circle_detour": 0,
        "great_circle_rail": 0,
    }
    # Run times follow the speed model on the distances used.
    model = network.speed_model
    route = next(r for r in network.routes if r.route_id == "01:1")
    expected = model.run_times_s(np.array(route.leg_distance_m), "md", route_id="01:1")
    assert np.allclose(route.leg_run_time_s, expected, atol=0.051)


def test_missing_drive_distances_fall_back_and_are_flagged() -> None:
    def road(pairs: NDArray[np.float64]) -> NDArray[np.float64]:
        result = 1.2 * _straight(pairs)
        result[1::2] = np.nan  # no road path for every other leg
        return result

    network = compile_bus_network(TRANSIT_DIR, leg_distance_m=road)
    legs = network_legs(network)
    sources = network.report["leg_distance_sources"]
    assert isinstance(sources, dict)
    assert sources["drive_graph"] == (len(legs) + 1) // 2
    assert sources["osm_route_distance"] + sources["great_circle_detour"] == len(legs) // 2
    detour = network.speed_model.detour_factor
    for index, (_, straight, distance, estimated, _) in enumerate(legs):
        if index % 2 == 0:
            assert not estimated
            assert distance == pytest.approx(1.2 * straight, abs=0.06)
        elif estimated:
            assert distance == pytest.approx(detour * straight, abs=0.06)
        else:  # the OSM relation's own distance: never shorter than the straight line, at most twice it
            assert straight - 0.06 <= distance <= 2.0 * straight + 0.06
    assert sum(leg.estimated for leg in legs) == sources["great_circle_detour"]


def test_road_distance_shorter_than_the_straight_line_is_raised_to_it() -> None:
    network = compile_bus_network(TRANSIT_DIR, leg_distance_m=lambda pairs: np.zeros(len(pairs)))
    for _, straight, distance, estimated, _ in network_legs(network):
        assert not estimated
        assert distance == pytest.approx(straight, abs=0.06)
        assert distance > 0


def test_infinite_distance_counts_as_no_path() -> None:
    network = compile_bus_network(TRANSIT_DIR, leg_distance_m=lambda pairs: np.full(len(pairs), np.inf))
    sources = network.report["leg_distance_sources"]
    assert isinstance(sources, dict)
    assert sources["drive_graph"] == 0
    assert sources["great_circle_detour"] > 0


def test_wrong_shape_is_an_error() -> None:
    with pytest.raises(RoutingError, match="leg_distance_m returned shape"):
        compile_bus_network(TRANSIT_DIR, leg_distance_m=lambda pairs: np.zeros((len(pairs), 2)))
