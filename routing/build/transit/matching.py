"""Matching OSM relations to World Bank route-directions: same line, same direction.

Line refs are compared after :func:`normalise_line_ref` (``"01"`` = ``"1"``, ``"BRT01"`` = ``"BRT1"``,
``"09A"`` = ``"9A"``; a letter suffix is part of the line: ``"09A"`` is not ``"09"``).

Direction is decided by where the stops stand, not by the listed order (which is unreliable in the OSM data): with
right-hand traffic each direction has its own platforms, and once the World Bank coordinates are shifted onto the
OSM frame (``stops.py``) an OSM relation's stops lie a median 7 - 45 m from the World Bank stops of the same
direction and 70 - 150 m from those of the opposite one. A pair (relation, route) is a candidate when

* the median distance from the relation's stops to the route's nearest stops is at most ``MAX_MEDIAN_M``,
* at least ``MIN_NEAR_SHARE`` of the relation's stops are within ``NEAR_M`` of one (lines re-routed in part between
  2018 and 2022 share 50 - 60 % of their stops; variants of the same number elsewhere in the city share < 30 %),
* and the relation is on this direction's side: its median distance is at most ``DIRECTION_RATIO`` times that to
  the line's other World Bank route(s), or at most ``MAX_MEDIAN_SINGLE_M`` (a line with one World Bank route, or
  stops shared by both directions, like BRT01's median stations, where position cannot tell the directions apart:
  the one-to-one pairing then gives each relation one direction, and ``merge.py`` orders its stops along it).

Within a line, relations and routes are paired one to one, most pairs first, then the smallest total median
distance (ties by id).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from routing.transit.model import JsonValue

FloatArray = NDArray[np.float64]

MAX_MEDIAN_M = 50.0
MAX_MEDIAN_SINGLE_M = 30.0
NEAR_M = 50.0
MIN_NEAR_SHARE = 0.4
DIRECTION_RATIO = 0.7

_REF = re.compile(r"^([A-Z]*)0*([0-9]+)([A-Z]*)$")


def normalise_line_ref(ref: str) -> str:
    """Canonical form of a public line number: upper case, no blanks, no leading zeros in the number.

    >>> normalise_line_ref("01"), normalise_line_ref("BRT01"), normalise_line_ref("09a"), normalise_line_ref("CNG03")
    ('1', 'BRT1', '9A', 'CNG3')
    """
    compact = re.sub(r"\s+", "", ref).upper()
    match = _REF.match(compact)
    if match is None:
        return compact
    return f"{match[1]}{int(match[2])}{match[3]}"


@dataclass(frozen=True, slots=True)
class RouteMatch:
    """An OSM relation and a World Bank route found to be the same route-direction."""

    relation_id: int
    route_id: str
    median_distance_m: float
    near_share: float


def _score(relation_xy: FloatArray, route_xy: FloatArray) -> tuple[float, float]:
    nearest = np.min(
        np.hypot(relation_xy[:, None, 0] - route_xy[None, :, 0], relation_xy[:, None, 1] - route_xy[None, :, 1]), axis=1
    )
    return float(np.median(nearest)), float((nearest <= NEAR_M).mean())


def match_routes(
    relations: Mapping[int, tuple[str, FloatArray]],
    routes: Mapping[str, tuple[str, FloatArray]],
) -> tuple[list[RouteMatch], dict[str, JsonValue]]:
    """Pair OSM relations with World Bank routes of the same line and direction.

    Parameters
    ----------
    relations
        relation id -> (normalised line ref, stop positions in metres, shape (n, 2)).
    routes
        World Bank route id -> (normalised line ref, stop positions in metres in the same frame).

    Returns
    -------
    matches, report
        Matches sorted by route id, and counts (lines in both sources, candidate pairs, matches).
    """
    relation_lines: dict[str, list[int]] = {}
    for relation_id, (line, _) in sorted(relations.items()):
        relation_lines.setdefault(line, []).append(relation_id)
    route_lines: dict[str, list[str]] = {}
    for route_id, (line, _) in sorted(routes.items()):
        route_lines.setdefault(line, []).append(route_id)

    matches: list[RouteMatch] = []
    candidates_total = 0
    shared = sorted(set(relation_lines) & set(route_lines))
    for line in shared:
        candidates: dict[tuple[int, str], tuple[float, float]] = {}
        for relation_id in relation_lines[line]:
            scores = {
                route_id: _score(relations[relation_id][1], routes[route_id][1])
                for route_id in route_lines[line]
                if len(relations[relation_id][1]) and len(routes[route_id][1])
            }
            for route_id, (median, share) in scores.items():
                others = [scores[other][0] for other in scores if other != route_id]
                limit = (
                    max(MAX_MEDIAN_SINGLE_M, min(MAX_MEDIAN_M, DIRECTION_RATIO * min(others)))
                    if others
                    else MAX_MEDIAN_SINGLE_M
                )
                if median <= limit and share >= MIN_NEAR_SHARE:
                    candidates[(relation_id, route_id)] = (median, share)
        candidates_total += len(candidates)
        best = _best_assignment(relation_lines[line], route_lines[line], candidates)
        matches.extend(
            RouteMatch(rel, route, round(candidates[(rel, route)][0], 2), round(candidates[(rel, route)][1], 3))
            for rel, route in best
        )
    matches.sort(key=lambda match: match.route_id)
    osm_only_lines: list[JsonValue] = []
    osm_only_lines.extend(sorted(set(relation_lines) - set(route_lines)))
    report: dict[str, JsonValue] = {
        "lines_in_both": len(shared),
        "lines_osm_only": osm_only_lines,
        "lines_gtfs_only": len(set(route_lines) - set(relation_lines)),
        "candidate_pairs": candidates_total,
        "matched_pairs": len(matches),
        "median_distance_m_of_matches": round(float(np.median([m.median_distance_m for m in matches])), 2)
        if matches
        else None,
    }
    return matches, report


def _best_assignment(
    relation_ids: list[int], route_ids: list[str], candidates: Mapping[tuple[int, str], tuple[float, float]]
) -> list[tuple[int, str]]:
    """One-to-one pairing with the most pairs, then the smallest total median distance; ties by id order."""
    best: list[tuple[int, str]] = []
    best_key = (0, 0.0)
    slots: list[str | None] = [*route_ids, *([None] * len(relation_ids))]
    for assignment in itertools.permutations(slots, len(relation_ids)):
        pairs = [
            (rel, route)
            for rel, route in zip(relation_ids, assignment, strict=True)
            if route is not None and (rel, route) in candidates
        ]
        if len(pairs) != sum(route is not None for route in assignment):
            continue
        key = (-len(pairs), sum(candidates[pair][0] for pair in pairs))
        if not best or key < best_key:
            best, best_key = pairs, key
    return best
