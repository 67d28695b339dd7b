"""The run-time model: fitted on the central clip, it must reproduce the clip's scheduled run times.

Tolerances. Inside one route the clip's run times are proportional to distance, but route speeds differ from 2.6 to
5.9 m/s, so no city-wide function of distance explains much more than ~40 % of the per-leg variance. What a router
needs is the time of a ride over several legs: there the model is within ~11 % (median over the clipped runs of 47
routes), and within ~7 % with the per-route factors. Per leg we accept a median absolute error of 20 s: a sixth of
the median leg (120 s), and less than the ~30 s one stop costs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from routing.build.transit import compile_bus_network
from routing.build.transit.gtfs_clip import ClipLeg, read_clip
from routing.build.transit.speed_model import calibrate_detour_factor, fit_speed_model, theil_sen
from routing.errors import RoutingError
from routing.geo import haversine_m
from routing.transit.model import SpeedModel

TRANSIT_DIR = Path(__file__).resolve().parents[4] / "data" / "transit"


@pytest.fixture(scope="module")
def model() -> SpeedModel:
    return compile_bus_network(TRANSIT_DIR).speed_model


def _network_id(route_id: str) -> str:
    line, _, direction = route_id.rpartition("_")
    return f"{line}:{direction}"


def test_reproduces_clip_run_times(model: SpeedModel) -> None:
    clip = read_clip(TRANSIT_DIR)
    legs = [leg for leg in clip.legs if leg.period == "md"]
    distance = (
        haversine_m(
            [leg.from_lat for leg in legs],
            [leg.from_lon for leg in legs],
            [leg.to_lat for leg in legs],
            [leg.to_lon for leg in legs],
        )
        * model.detour_factor
    )
    observed = np.array([leg.run_time_s for leg in legs])
    plain = model.run_times_s(distance, "md")
    factored = np.array(
        [
            model.run_time_s(float(d), "md", route_id=_network_id(leg.route_id))
            for d, leg in zip(distance, legs, strict=True)
        ]
    )
    assert np.median(np.abs(plain - observed)) <= 20.0
    assert np.median(np.abs(factored - observed)) <= 15.0
    assert abs(np.median(plain - observed)) <= 5.0  # unbiased

    runs_plain, runs_factored = [], []
    routes = np.array([leg.route_id for leg in legs])
    for route in np.unique(routes):
        mask = routes == route
        if mask.sum() >= 3:
            truth = observed[mask].sum()
            runs_plain.append(abs(plain[mask].sum() - truth) / truth)
            runs_factored.append(abs(factored[mask].sum() - truth) / truth)
    assert len(runs_plain) >= 40
    assert np.median(runs_plain) <= 0.12
    assert np.median(runs_factored) <= 0.08


def test_fit_report_matches_a_fresh_evaluation(model: SpeedModel) -> None:
    leg = model.fit["leg"]
    assert isinstance(leg, dict)
    assert leg["median_abs_error_s"] <= 20.0
    assert model.fit["fitted_on"] == {"am": "md", "md": "md", "pm": "md"}
    holdout = model.fit["holdout"]
    assert isinstance(holdout, dict)
    assert holdout["routes"] >= 20
    with_factor, without = holdout["with_factor"], holdout["without_factor"]
    assert isinstance(with_factor, dict)
    assert isinstance(without, dict)
    assert with_factor["mean_abs_pct_error"] <= without["mean_abs_pct_error"]


def test_parameters_are_physically_sensible(model: SpeedModel) -> None:
    for period in ("am", "md", "pm"):
        assert 0.0 <= model.dwell_s[period] <= 60.0
        assert 3.0 <= model.speed_mps[period] <= 9.0
    assert 1.0 < model.detour_factor < 1.3
    assert all(0.5 <= factor <= 2.0 for factor in model.route_factor.values())
    # 1 km of road at midday takes 2.5 - 6 minutes including one stop.
    assert 150.0 <= model.run_time_s(1000.0, "md") <= 360.0


def test_run_time_rejects_unknown_period_and_bad_distance(model: SpeedModel) -> None:
    with pytest.raises(RoutingError, match="unknown period"):
        model.run_time_s(500.0, "night")
    with pytest.raises(RoutingError):
        model.run_time_s(-1.0, "md")
    with pytest.raises(RoutingError):
        model.run_time_s(float("nan"), "md")


def test_route_factor_applies_only_to_its_route(model: SpeedModel) -> None:
    route_id, factor = next(iter(model.route_factor.items()))
    assert model.run_time_s(800.0, "md", route_id=route_id) == pytest.approx(factor * model.run_time_s(800.0, "md"))
    assert model.run_time_s(800.0, "md", route_id="no-such-route") == model.run_time_s(800.0, "md")


def test_theil_sen_ignores_outliers() -> None:
    x = np.linspace(100.0, 1000.0, 50)
    y = 30.0 + x / 5.0
    y[::10] += 400.0  # five wild legs
    intercept, slope = theil_sen(x, y)
    assert slope == pytest.approx(0.2, rel=1e-9)
    assert intercept == pytest.approx(30.0, abs=1e-6)


def _leg(index: int, distance_m: float, run_time_s: float, period: str = "md") -> ClipLeg:
    # Legs due north from the equator-ish origin: 1 degree of latitude ~ 111,195 m.
    lat = 21.0 + index * 0.05
    return ClipLeg(
        f"R{index % 4}_1",
        period,
        f"R_S{index}",
        f"R_S{index + 1}",
        index,
        lat,
        105.8,
        lat + distance_m / 111_195.0,
        105.8,
        run_time_s,
        1,
    )


def test_fit_recovers_a_known_model_and_reuses_it_for_periods_without_data() -> None:
    legs = [_leg(i, 200.0 + 15.0 * i, 20.0 + (200.0 + 15.0 * i) / 4.0) for i in range(60)]
    model = fit_speed_model(legs, periods=("am", "md", "pm"), detour_factor=1.0, route_key=lambda r: r)
    assert model.dwell_s["md"] == pytest.approx(20.0, abs=0.5)
    assert model.speed_mps["md"] == pytest.approx(4.0, rel=0.01)
    assert model.dwell_s["am"] == model.dwell_s["md"]
    assert model.fit["fitted_on"] == {"am": "md", "md": "md", "pm": "md"}
    assert all(f == pytest.approx(1.0, abs=0.01) for f in model.route_factor.values())


def test_fit_needs_enough_legs() -> None:
    with pytest.raises(ValueError, match="usable clip legs"):
        fit_speed_model(
            [_leg(i, 300.0, 80.0) for i in range(5)], periods=("md",), detour_factor=1.0, route_key=lambda r: r
        )


def test_detour_factor_uses_plausible_pairs_only() -> None:
    straight = np.array([100.0] * 40 + [100.0, 20.0])
    road = np.array([110.0] * 40 + [900.0, 60.0])  # a U-turn artefact and a too-short pair
    factor, report = calibrate_detour_factor(straight, road)
    assert factor == pytest.approx(1.1)
    assert report["pairs_used"] == 40
    factor, report = calibrate_detour_factor(straight[:5], road[:5])
    assert factor == 1.3
    assert "default" in str(report["method"])
