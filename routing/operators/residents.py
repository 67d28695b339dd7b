"""Residents' access to a theme's sites before and after a line: per ward or commune, ranked by access gained.

Units are ranked by thresholds gained, then residents x minutes saved to the nearest site, then residents x
the mean minutes saved over all the theme's sites (``mean_site_saving_min``).

Each ward or commune is one weighted origin (its population; units without a population figure are weighted
by area and flagged ``population_estimated``). Its time to the theme is the door-to-door time to the nearest
of the sites (mean over departures spread over one headway), computed with the scoring's RAPTOR on today's
network and with the line. A unit *gains access within T* when that time goes from more than T minutes to T
or less; the residents gaining are the unit's population.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from routing.bundle.load import CityBundle
from routing.operators.line import LineSchedule
from routing.operators.scoring import LineScorer, Origin, spread_departures

THRESHOLDS_MIN = (30, 45, 60)


def resident_access(
    bundle: CityBundle,
    schedule: LineSchedule,
    wards: Sequence[Origin],
    destinations: Sequence[Mapping[str, Any]],
    *,
    departures: int = 3,
    first_s: int = 10 * 3600,
) -> dict[str, Any]:
    """Per-unit nearest-site times before/after, residents gaining access within 30/45/60 min, ranked units.

    Raises
    ------
    RoutingError
        If no ward lies on the walk network or no destination is given.
    """
    scorer = LineScorer(
        bundle,
        schedule.stops,
        wards,
        destinations,
        [1.0] * len(destinations),
        departures_s=spread_departures(schedule.headway_s, first_s=first_s, count=departures),
    )
    score = scorer.score(schedule)
    before = np.nanmin(np.where(np.isfinite(scorer.before_s), scorer.before_s, np.inf), axis=1) / 60
    after = np.nanmin(np.where(np.isfinite(score.after_s), score.after_s, np.inf), axis=1) / 60
    # The mean over the sites: how much nearer the theme as a whole comes (the nearest site often does not move).
    reachable = np.isfinite(scorer.before_s) & np.isfinite(score.after_s)
    mean_saving = (
        np.where(reachable, scorer.before_s - score.after_s, 0.0).sum(axis=1)
        / np.maximum(reachable.sum(axis=1), 1)
        / 60
    )
    rows: list[dict[str, Any]] = []
    gains_of: dict[str, list[int]] = {}
    for origin, b, a, m in zip(scorer.origins, before.tolist(), after.tolist(), mean_saving.tolist(), strict=True):
        gains = [t for t in THRESHOLDS_MIN if b > t >= a]
        gains_of[origin.origin_id] = gains
        rows.append(
            {
                "ward_id": origin.origin_id,
                "name": origin.name,
                "population": round(origin.weight),
                "population_estimated": origin.weight_estimated,
                "nearest_site_before_min": round(b, 1) if np.isfinite(b) else None,
                "nearest_site_after_min": round(a, 1) if np.isfinite(a) else None,
                "saving_min": round(b - a, 1) if np.isfinite(b) and np.isfinite(a) else 0.0,
                "mean_site_saving_min": round(m, 2),
                "gains_access_within_min": gains,
            }
        )
    population = {o.origin_id: o.weight for o in scorer.origins}
    saving = {
        o.origin_id: (b - a if np.isfinite(b - a) else 0.0, m)
        for o, b, a, m in zip(scorer.origins, before, after, mean_saving, strict=True)
    }

    def rank(row: dict[str, Any]) -> tuple[float, float, float, str]:
        ward = row["ward_id"]
        nearest, mean = saving[ward]
        return (-len(gains_of[ward]), -nearest * population[ward], -mean * population[ward], ward)

    rows.sort(key=rank)
    return {
        "units": len(rows),
        "units_off_network": [o.origin_id for o in scorer.skipped_origins],
        "population_estimated_units": sum(1 for o in scorer.origins if o.weight_estimated),
        "residents_gaining_access": {
            str(t): round(sum(population[w] for w, gains in gains_of.items() if t in gains)) for t in THRESHOLDS_MIN
        },
        "residents_within": {
            str(t): {
                "before": round(sum(o.weight for o, b in zip(scorer.origins, before, strict=True) if b <= t)),
                "after": round(sum(o.weight for o, a in zip(scorer.origins, after, strict=True) if a <= t)),
            }
            for t in THRESHOLDS_MIN
        },
        "wards": rows,
        "method": "one point per unit (a point inside its polygon); time to the nearest theme site; "
        "units without a population figure weighted by area at the median density of the others",
    }
