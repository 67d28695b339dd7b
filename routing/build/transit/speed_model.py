"""Calibration: road detour factor and the bus run-time model.

Detour factor
-------------
``routeDistance.txt`` gives a router's driving distance between consecutive stops. Over its 2,807 pairs the road
distance is 1.18x the straight line in total, but the tail is mostly artefacts (a stop routed against its platform
side, with a U-turn; see ``compile.py``). Keeping the pairs of 50 m or more with a ratio in [0.98, 2] leaves 2,690
pairs whose ratio of sums is 1.118 (median pair 1.03: most legs run along one straight street, a few turn corners).
That ratio of sums is the factor applied to straight-line distances that nobody measured.

Run-time model
--------------
Fitted on the central clip (``gtfs-central-clip``): its 306 distinct consecutive-stop legs (2,447 trips, all midday)
with their scheduled run times, distances estimated as great circle x detour factor (the clip's ``shapes.txt`` only
repeats the stop coordinates, so there is no road geometry to measure along). Measured on that data:

* every trip of a route has exactly the same run time on a leg, so there is no time-of-day signal in the feed;
  and as the clip holds only midday trips, AM and PM reuse the midday parameters (``fit["fitted_on"]``);
* within one route, run time is almost exactly proportional to distance (many routes fit ``t = d / v`` with
  residuals < 2 s), but the speed ``v`` differs between routes (2.6 ... 5.9 m/s on straight-line distance), which
  is what limits any city-wide model to R^2 ~0.36 per leg;
* a robust line ``t = dwell_s + d / speed_mps`` (Theil-Sen: the median of pairwise slopes, deterministic, insensitive
  to the few legs whose run time includes a long detour) gives dwell ~29 s and ~5.6 m/s (about 15 km/h over a 500 m
  leg), R^2 0.39, median absolute error ~17 s per leg (median leg 120 s) and ~11 % on the clipped run of a route
  (3+ legs); ordinary least squares and a zero-dwell median speed do no better (MedAE 19 s and 17 s);
* the clip routes' own speeds are real but carry over only partly to the rest of a route. Learnt on the first half of
  a route's clipped legs and tested on the second half (24 routes with 6+ legs), the full per-route factor (median
  scheduled / modelled time) cuts the median run error from 10 % to 8 % but raises the mean from 12 % to 15 % and the
  90th percentile from 22 % to 27 %; shrunk half-way to 1 it is better on all three (``fit["holdout"]``: median
  10 -> 9 %, mean 12 -> 10 %, 90th percentile 23 -> 20 %). So ``route_factor = 1 + ROUTE_FACTOR_SHRINK * (median
  ratio - 1)`` for the 47 clip routes with 3+ legs, and 1 for every other route. With it the clipped runs are
  reproduced within a median 7 % (90th percentile 11 %).

Legs with a run time <= 0 s, shorter than 20 m, or implying a speed outside 0.5...30 m/s are dropped before fitting.

Metro and train
---------------
Rail lines do not share the road, so the bus model does not apply. Their run time is ``RAIL_DWELL_S + distance_m /
RAIL_SPEED_MPS`` on the straight line between stations (the elevated line 2A runs nearly straight between its
stations). The constants are set so that line 2A (13.0 km, 12 stations, 11 legs) takes about 23 minutes end to
end, the figure published for its opening in November 2021: 11 x 30 s dwell + 13,000 m / 12.4 m/s = 1,378 s. The
extract holds only 3 of its 12 stations, so no timetable checks this; it is an assumption stated in docs/DATA.md.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

from routing.build.transit.gtfs_clip import ClipLeg
from routing.geo import haversine_m
from routing.transit.model import JsonValue, SpeedModel

FloatArray = NDArray[np.float64]

DEFAULT_DETOUR_FACTOR = 1.3
"""Used only when fewer than ``MIN_DETOUR_PAIRS`` route distances are usable (a typical urban road/straight ratio)."""
MIN_DETOUR_PAIRS = 30
MIN_DETOUR_LEG_M = 50.0
DETOUR_RATIO_RANGE = (0.98, 2.0)

MIN_FIT_LEGS = 30
MIN_LEG_M = 20.0
SPEED_RANGE_MPS = (0.5, 30.0)
ROUTE_FACTOR_MIN_LEGS = 3
ROUTE_FACTOR_RANGE = (0.5, 2.0)
ROUTE_FACTOR_SHRINK = 0.5
HOLDOUT_MIN_LEGS = 6
RAIL_DWELL_S = 30.0
RAIL_SPEED_MPS = 12.4
RAIL_MODEL = "rail: run_time_s = 30 + straight_distance_m / 12.4 (published 2A end-to-end time, ~23 min)"
MODEL_FORM = "run_time_s = (dwell_s[period] + distance_m / speed_mps[period]) * route_factor.get(route_id, 1)"


def calibrate_detour_factor(straight_m: FloatArray, road_m: FloatArray) -> tuple[float, dict[str, JsonValue]]:
    """Road / straight-line distance ratio (ratio of sums over plausible pairs).

    Returns
    -------
    factor, report
        The factor (``DEFAULT_DETOUR_FACTOR`` when too few pairs are usable) and how it was obtained.
    """
    straight = np.asarray(straight_m, dtype=np.float64)
    road = np.asarray(road_m, dtype=np.float64)
    ratio = np.divide(road, straight, out=np.full_like(road, np.nan), where=straight > 0)
    usable = (straight >= MIN_DETOUR_LEG_M) & (ratio >= DETOUR_RATIO_RANGE[0]) & (ratio <= DETOUR_RATIO_RANGE[1])
    count = int(usable.sum())
    report: dict[str, JsonValue] = {"pairs": len(straight), "pairs_used": count}
    if count < MIN_DETOUR_PAIRS:
        report["method"] = "default (too few usable route distances)"
        return DEFAULT_DETOUR_FACTOR, report
    factor = round(float(road[usable].sum() / straight[usable].sum()), 4)
    report.update(
        {
            "method": "ratio of sums of routeDistance.txt / great circle, pairs >= 50 m with ratio in [0.98, 2]",
            "median_ratio": round(float(np.median(ratio[usable])), 4),
            "all_pairs_ratio_of_sums": round(float(road[straight > 0].sum() / straight[straight > 0].sum()), 4),
            "factor": factor,
        }
    )
    return factor, report


def rail_run_times_s(distance_m: FloatArray) -> FloatArray:
    """Run times of metro / train legs (see "Metro and train" in the module docstring)."""
    return np.asarray(RAIL_DWELL_S + np.asarray(distance_m, dtype=np.float64) / RAIL_SPEED_MPS, dtype=np.float64)


def theil_sen(x: FloatArray, y: FloatArray) -> tuple[float, float]:
    """Theil-Sen line ``y = intercept + slope * x``: the median of pairwise slopes, then the median intercept.

    Returns
    -------
    intercept, slope
    """
    i, j = np.triu_indices(len(x), k=1)
    dx = x[j] - x[i]
    keep = dx != 0
    slope = float(np.median((y[j] - y[i])[keep] / dx[keep]))
    intercept = float(np.median(y - slope * x))
    return intercept, slope


def _errors(observed: FloatArray, predicted: FloatArray) -> dict[str, JsonValue]:
    error = predicted - observed
    total = float(((observed - observed.mean()) ** 2).sum())
    return {
        "r2": round(1.0 - float((error**2).sum()) / total, 4) if total > 0 else None,
        "median_abs_error_s": round(float(np.median(np.abs(error))), 2),
        "mean_abs_error_s": round(float(np.mean(np.abs(error))), 2),
        "median_abs_pct_error": round(float(np.median(np.abs(error) / observed)) * 100.0, 2),
        "median_error_s": round(float(np.median(error)), 2),
    }


def _run_errors(routes: NDArray[np.str_], observed: FloatArray, predicted: FloatArray) -> dict[str, JsonValue]:
    """Errors on each route's whole clipped run (sum over its legs), routes with 3+ legs."""
    errors = []
    for route in np.unique(routes):
        mask = routes == route
        if mask.sum() >= ROUTE_FACTOR_MIN_LEGS:
            errors.append((predicted[mask].sum() - observed[mask].sum()) / observed[mask].sum())
    if not errors:
        return {"runs": 0}
    values = np.abs(np.array(errors))
    return {
        "runs": len(errors),
        "median_abs_pct_error": round(float(np.median(values)) * 100.0, 2),
        "p90_abs_pct_error": round(float(np.percentile(values, 90)) * 100.0, 2),
    }


def _shrunk_factor(observed: FloatArray, predicted: FloatArray) -> float:
    factor = 1.0 + ROUTE_FACTOR_SHRINK * (float(np.median(observed / predicted)) - 1.0)
    return float(np.clip(factor, *ROUTE_FACTOR_RANGE))


def _holdout(
    routes: NDArray[np.str_], seq: NDArray[np.int64], observed: FloatArray, predicted: FloatArray
) -> dict[str, JsonValue]:
    """Route factor learnt on the first half of each route's legs, run error on the second half."""
    plain: list[float] = []
    shrunk: list[float] = []
    for route in np.unique(routes):
        index = np.flatnonzero(routes == route)
        if len(index) < HOLDOUT_MIN_LEGS:
            continue
        index = index[np.argsort(seq[index], kind="stable")]
        first, second = index[: len(index) // 2], index[len(index) // 2 :]
        truth = observed[second].sum()
        plain.append(abs(predicted[second].sum() - truth) / truth)
        factor = _shrunk_factor(observed[first], predicted[first])
        shrunk.append(abs(factor * predicted[second].sum() - truth) / truth)
    if not plain:
        return {"routes": 0}

    def stats(values: list[float]) -> dict[str, JsonValue]:
        array = np.array(values) * 100.0
        return {
            "median_abs_pct_error": round(float(np.median(array)), 2),
            "mean_abs_pct_error": round(float(np.mean(array)), 2),
            "p90_abs_pct_error": round(float(np.percentile(array, 90)), 2),
        }

    return {"routes": len(plain), "without_factor": stats(plain), "with_factor": stats(shrunk)}


def fit_speed_model(
    legs: Sequence[ClipLeg],
    *,
    periods: Sequence[str],
    detour_factor: float,
    route_key: Callable[[str], str],
    reference_period: str = "md",
) -> SpeedModel:
    """Fit the run-time model on the clip's legs.

    Parameters
    ----------
    legs
        Distinct scheduled legs of the central clip.
    periods
        Every period the model must answer for; periods with fewer than ``MIN_FIT_LEGS`` usable legs reuse the
        parameters of ``reference_period`` (or of the period with most legs).
    detour_factor
        Road / straight-line ratio applied to the legs' great-circle distances.
    route_key
        Maps a World Bank route id (``"01_1"``) to the network's ``route_id`` (``"01:1"``) for ``route_factor``.
    reference_period
        The period whose parameters periods without enough legs reuse, and whose fit is reported.

    Returns
    -------
    SpeedModel

    Raises
    ------
    ValueError
        If no period has ``MIN_FIT_LEGS`` usable legs.
    """
    straight = haversine_m(
        [leg.from_lat for leg in legs],
        [leg.from_lon for leg in legs],
        [leg.to_lat for leg in legs],
        [leg.to_lon for leg in legs],
    )
    distance = straight * detour_factor
    observed = np.array([leg.run_time_s for leg in legs], dtype=np.float64)
    leg_period = np.array([leg.period for leg in legs], dtype=np.str_)
    leg_route = np.array([leg.route_id for leg in legs], dtype=np.str_)
    speed = np.divide(distance, observed, out=np.zeros_like(distance), where=observed > 0)
    usable = (observed > 0) & (distance >= MIN_LEG_M) & (speed >= SPEED_RANGE_MPS[0]) & (speed <= SPEED_RANGE_MPS[1])

    fitted: dict[str, tuple[float, float]] = {}
    counts = {period: int((usable & (leg_period == period)).sum()) for period in periods}
    for period in periods:
        mask = usable & (leg_period == period)
        if counts[period] < MIN_FIT_LEGS:
            continue
        intercept, slope = theil_sen(distance[mask], observed[mask])
        if slope <= 0 or intercept < 0:
            intercept, slope = 0.0, float(np.median(observed[mask] / distance[mask]))
        fitted[period] = (intercept, 1.0 / slope)
    if not fitted:
        raise ValueError(f"no period has {MIN_FIT_LEGS} usable clip legs to fit the speed model")
    source = reference_period if reference_period in fitted else max(fitted, key=lambda name: counts[name])
    fitted_on = {period: period if period in fitted else source for period in periods}
    dwell_s = {period: round(fitted[fitted_on[period]][0], 3) for period in periods}
    speed_mps = {period: round(fitted[fitted_on[period]][1], 4) for period in periods}

    mask = usable & (leg_period == source)
    d, t, r = distance[mask], observed[mask], leg_route[mask]
    predicted = dwell_s[source] + d / speed_mps[source]
    route_factor: dict[str, float] = {}
    for route in np.unique(r):
        in_route = r == route
        if in_route.sum() >= ROUTE_FACTOR_MIN_LEGS:
            route_factor[route_key(str(route))] = round(_shrunk_factor(t[in_route], predicted[in_route]), 4)
    with_factor = predicted * np.array([route_factor.get(route_key(str(route)), 1.0) for route in r])
    seq = np.array([leg.from_seq for leg in legs])[mask]

    fit: dict[str, JsonValue] = {
        "method": "Theil-Sen line of scheduled run time on distance (great circle x detour factor), per period",
        "data": "gtfs-central-clip stop_times: distinct consecutive-stop legs",
        "fitted_on": dict(fitted_on),
        "legs": len(legs),
        "legs_used": int(mask.sum()),
        "legs_dropped": int(len(legs) - usable.sum()),
        "routes": len(np.unique(r)),
        "leg": _errors(t, predicted),
        "leg_with_route_factor": _errors(t, with_factor),
        "run": _run_errors(r, t, predicted),
        "run_with_route_factor": _run_errors(r, t, with_factor),
        "holdout": _holdout(r, seq, t, predicted),
    }
    return SpeedModel(
        form=MODEL_FORM,
        dwell_s=dwell_s,
        speed_mps=speed_mps,
        route_factor=dict(sorted(route_factor.items())),
        detour_factor=round(detour_factor, 4),
        fit=fit,
    )
