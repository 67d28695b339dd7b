"""``design_line``: plan the stops, search the candidate lines, and return the best with its alternatives.

Objectives: ``visitors`` (door to door between the theme's sites, each pair weighted by the product of the
two sites' popularity) or ``residents`` (from each ward's or commune's population, given as weighted
origins, to the theme's sites weighted by popularity). Both are scored by :mod:`routing.operators.scoring`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Literal, Unpack

from routing.bundle.load import CityBundle
from routing.operators.design import DesignedLine, DesignOptions, LineAsk, Site, plan_stops
from routing.operators.errors import LineDesignError
from routing.operators.scoring import LineScorer, Origin, spread_departures
from routing.operators.search import Candidate, search_lines

Objective = Literal["visitors", "residents"]
SEARCH_DEPARTURES = 3


def design_line(
    bundle: CityBundle,
    sites: Sequence[Site],
    *,
    options: DesignOptions | None = None,
    objective: Objective = "visitors",
    residents: Sequence[Origin] = (),
    **ask: Unpack[LineAsk],
) -> DesignedLine:
    """The line with the most benefit per vehicle-hour under the fleet cap, and the Pareto alternatives.

    Parameters
    ----------
    bundle
        The city (drive graph, today's network, walk graph, places and their access records).
    sites
        Every place the line may serve (plain records; ``popularity`` weights them).
    options, ask
        As :func:`~routing.operators.design.plan_stops` (``interests``, ``place_ids``, ``start``, ``end``);
        ``options.max_stops`` bounds the stops considered.
    objective
        ``visitors`` or ``residents``.
    residents
        The weighted origins of the residents objective (wards and communes).

    Raises
    ------
    LineDesignError
        For a request that cannot make a line (its ``field`` names the request field), including a fleet cap
        no candidate fits and a residents objective without origins.
    """
    options = options or DesignOptions()
    if objective == "residents" and not residents:
        raise LineDesignError("objective", "the residents objective needs the wards' populations")
    plan = plan_stops(
        bundle.drive,
        bundle.bus,
        sites,
        options=dataclasses.replace(options, cluster_m=options.pool_cluster_m),
        spread=False,
        **ask,
    )
    popularity = {site.place_id: site.popularity for site in sites}
    records = {str(p["id"]): p for p in bundle.places}
    destinations = [records[site.place_id] for site in plan.sites if site.place_id in records]
    weights = [popularity[str(d["id"])] for d in destinations]
    if objective == "visitors":
        origins = [
            Origin(str(d["id"]), str(d.get("name_en") or d["id"]), float(d["lat"]), float(d["lon"]), w, str(d["id"]))
            for d, w in zip(destinations, weights, strict=True)
        ]
    else:
        origins = list(residents)
    first = min(max(10 * 3600, options.start_s), options.end_s - options.headway_s)
    scorer = LineScorer(
        bundle,
        plan.stops,
        origins,
        destinations,
        weights,
        departures_s=spread_departures(int(options.headway_s), first_s=first, count=SEARCH_DEPARTURES),
    )
    result = search_lines(
        bundle.drive,
        bundle.bus,
        plan,
        scorer,
        options,
        weights=[plan.weight(i, popularity) for i in range(len(plan.stops))],
    )
    best = result.best
    served = {place_id for stop in best.schedule.stops for place_id in stop.sites}
    return DesignedLine(
        schedule=best.schedule,
        metrics=best.metrics,
        sites=tuple(site for site in plan.sites if site.place_id in served),
        options=options,
        skipped_sites=tuple(site for site, _ in plan.skipped),
        skipped_reasons=tuple((site.place_id, why) for site, why in plan.skipped),
        alternatives=tuple(
            _alternative(c, chosen=c is best, pareto=c in result.pareto)
            for c in sorted(
                {id(c): c for c in (*result.pareto, best)}.values(),
                key=lambda c: (c.metrics.fleet_size, c.score.benefit_min),
            )
        ),
        search={
            "objective": objective,
            "candidate_stops": len(plan.stops),
            "lines_scored": result.scored,
            "over_fleet_cap": result.over_fleet,
            "time_s": round(result.time_s, 2),
            "departures_per_score": SEARCH_DEPARTURES,
            "origins": len(scorer.origins),
            "origins_off_network": [o.origin_id for o in scorer.skipped_origins],
            "best_benefit_min": round(best.score.benefit_min, 3),
            "best_benefit_per_vehicle_hour": round(best.benefit_per_vehicle_hour, 5),
        },
    )


def _alternative(candidate: Candidate, *, chosen: bool, pareto: bool) -> dict[str, object]:
    metrics, score = candidate.metrics, candidate.score
    return {
        "chosen": chosen,
        "pareto": pareto,
        "kind": "loop" if candidate.loop else "line",
        "stops": [stop.name for stop in candidate.schedule.stops],
        "sites": sorted({p for stop in candidate.schedule.stops for p in stop.sites}),
        "fleet_size": metrics.fleet_size,
        "round_trip_min": round(metrics.round_trip_s / 60, 1),
        "vehicle_hours_per_day": round(metrics.vehicle_hours_per_day, 1),
        "vehicle_km_per_day": round(metrics.vehicle_km_per_day, 1),
        "benefit_min": round(score.benefit_min, 3),
        "touched_mean_saving_min": round(score.touched_mean_min, 2),
        "benefit_per_vehicle_hour": round(candidate.benefit_per_vehicle_hour, 5),
    }


__all__ = ["Objective", "design_line"]
