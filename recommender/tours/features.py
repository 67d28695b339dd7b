"""Features of one step of a tour: going from POI ``a`` to candidate ``c`` on a tour from ``s`` to ``e``.

Every count-based feature is a function of sums over trajectories (:class:`~recommender.tours.counts.Counts`), first
gathered at the rows' indices (:func:`gather`, linear in the counts, so left-out trajectories are subtracted after
gathering, exactly) and then transformed (:func:`step_features`). The features describe the candidate (popularity,
visits, mean visit time, category), the step (transition frequency from ``a``, category transition, distance and
detour), the query (co-visits and order with the start and the end, distance to them), the candidate's neighbourhood
(as PoiRank's features, Chen, Ong & Xie 2016: which of a few k-means clusters of the POIs' coordinates it lies in,
and whether that is the start's or the end's) and, for the last inner POI, the step into the end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from recommender.tours.counts import Counts

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

TRANSITION_PRIOR_WEIGHT = 5.0
"""Pseudo-count of the popularity prior in the smoothed transition probabilities."""

NEIGHBOURHOODS = 5
"""Clusters of POI coordinates, as the neighbourhoods of PoiRank (``BIN_CLUSTER = 5`` in the paper's code)."""


@dataclass(frozen=True, slots=True)
class StepRows:
    """Candidate steps, one per row: from ``source`` to ``candidate`` on a tour from ``start`` to ``end``.

    ``remaining`` is the number of inner POIs still to choose after the candidate (0 for the last inner POI).
    """

    source: IntArray
    candidate: IntArray
    start: IntArray
    end: IntArray
    remaining: IntArray

    def __len__(self) -> int:
        return len(self.source)


def gather(counts: Counts, rows: StepRows, category_of_poi: IntArray) -> dict[str, FloatArray]:
    """The counts each row's features need (linear in ``counts``)."""
    a, c, s, e = rows.source, rows.candidate, rows.start, rows.end
    out_degree = counts.transitions.sum(axis=1)
    category_out = counts.category_transitions.sum(axis=1)
    category_a, category_c = category_of_poi[a], category_of_poi[c]
    return {
        "transitions_ac": counts.transitions[a, c],
        "out_a": out_degree[a],
        "transitions_ce": counts.transitions[c, e],
        "out_c": out_degree[c],
        "category_transitions": counts.category_transitions[category_a, category_c],
        "category_out": category_out[category_a],
        "visits_c": counts.visits[c],
        "visits_e": counts.visits[e],
        "visits_s": counts.visits[s],
        "visits_total": np.full(len(a), counts.visits.sum()),
        "duration_c": counts.duration_s[c],
        "co_visits_ce": counts.co_visits[c, e],
        "co_visits_sc": counts.co_visits[s, c],
        "co_visits_ac": counts.co_visits[a, c],
        "precedes_ce": counts.precedes[c, e],
        "precedes_sc": counts.precedes[s, c],
        "precedes_ac": counts.precedes[a, c],
        "precedes_se": counts.precedes[s, e],
        "precedes_ae": counts.precedes[a, e],
        "between_sce": counts.between[s, c, e],
        "between_ace": counts.between[a, c, e],
        "tours_se": counts.tours[s, e],
        "tour_visits_sec": counts.tour_visits[s, e, c],
    }


def poi_neighbourhoods(lat: FloatArray, lon: FloatArray, *, n_neighbourhoods: int = NEIGHBOURHOODS) -> IntArray:
    """The neighbourhood of every POI: k-means clusters of the coordinates (deterministic: fixed seed, 10 starts).

    The clusters depend on the POIs' coordinates only, never on trajectories, so they are the same for every query.
    With fewer POIs than neighbourhoods, every POI is its own neighbourhood.
    """
    from sklearn.cluster import KMeans  # noqa: PLC0415  (heavy import, only the benchmark needs it)

    n_pois = len(lat)
    if n_pois <= n_neighbourhoods:
        return np.arange(n_pois, dtype=np.int64)
    kilometres_per_degree = 111.2
    points = np.column_stack([lat, lon * np.cos(np.radians(np.mean(lat)))]) * kilometres_per_degree
    labels = KMeans(n_clusters=n_neighbourhoods, n_init=10, random_state=0).fit_predict(points)
    return np.asarray(labels, dtype=np.int64)


def subtract(gathered: dict[str, FloatArray], other: dict[str, FloatArray]) -> dict[str, FloatArray]:
    """Gathered counts minus others gathered at the same rows."""
    return {name: values - other[name] for name, values in gathered.items()}


def step_features(
    raw: dict[str, FloatArray],
    popularity_c: FloatArray,
    rows: StepRows,
    *,
    distance_km: FloatArray,
    category_of_poi: IntArray,
    n_categories: int,
    neighbourhood_of_poi: IntArray | None = None,
) -> FloatArray:
    """The feature matrix of the rows (one row per step, one column per feature).

    Parameters
    ----------
    raw
        Counts gathered at the rows (:func:`gather`), with any left-out trajectories already subtracted.
    popularity_c
        The number of distinct users who visited each row's candidate.
    rows
        The steps.
    distance_km
        POI-to-POI distances.
    category_of_poi
        The category index of every POI.
    n_categories
        The number of categories (one indicator column each).
    neighbourhood_of_poi
        The neighbourhood of every POI (:func:`poi_neighbourhoods`): one indicator column per neighbourhood, and
        whether the candidate shares the start's and the end's; None for no neighbourhood features.
    """
    a, c, s, e = rows.source, rows.candidate, rows.start, rows.end
    n_pois = distance_km.shape[0]
    visits_total = raw["visits_total"]
    prior_c = (raw["visits_c"] + 1.0) / (visits_total + n_pois)
    prior_e = (raw["visits_e"] + 1.0) / (visits_total + n_pois)
    weight = TRANSITION_PRIOR_WEIGHT
    transition_ac = np.log((raw["transitions_ac"] + weight * prior_c) / (raw["out_a"] + weight))
    transition_ce = np.log((raw["transitions_ce"] + weight * prior_e) / (raw["out_c"] + weight))
    category_transition = np.log((raw["category_transitions"] + 1.0) / (raw["category_out"] + n_categories))
    mean_duration_min = raw["duration_c"] / np.maximum(raw["visits_c"], 1.0) / 60.0
    last = (rows.remaining == 0).astype(np.float64)
    distance_ac = distance_km[a, c]
    distance_ce = distance_km[c, e]
    distance_sc = distance_km[s, c]
    detour = distance_ac + distance_ce - distance_km[a, e]
    category_a, category_c = category_of_poi[a], category_of_poi[c]
    columns = [
        transition_ac,
        np.log1p(raw["transitions_ac"]),
        category_transition,
        np.log1p(popularity_c),
        np.log1p(raw["visits_c"]),
        np.log1p(mean_duration_min),
        distance_ac,
        np.log(distance_ac + 0.05),
        distance_ce,
        distance_sc,
        detour / (rows.remaining + 1.0),
        np.log((raw["co_visits_ce"] + 0.5) / (raw["visits_e"] + 1.0)),
        np.log((raw["co_visits_sc"] + 0.5) / (raw["visits_s"] + 1.0)),
        np.log((raw["precedes_ce"] + 0.5) / (raw["co_visits_ce"] + 1.0)),
        np.log((raw["precedes_sc"] + 0.5) / (raw["co_visits_sc"] + 1.0)),
        np.log((raw["precedes_ac"] + 0.5) / (raw["co_visits_ac"] + 1.0)),
        np.log((raw["between_sce"] + 0.5) / (raw["precedes_se"] + 1.0)),
        np.log((raw["between_ace"] + 0.5) / (raw["precedes_ae"] + 1.0)),
        np.log((raw["tour_visits_sec"] + 0.5) / (raw["tours_se"] + 1.0)),
        np.log1p(raw["tour_visits_sec"]),
        last * transition_ce,
        last * np.log1p(raw["transitions_ce"]),
        last * distance_ce,
        (category_c == category_a).astype(np.float64),
        (category_c == category_of_poi[e]).astype(np.float64),
        (category_c == category_of_poi[s]).astype(np.float64),
    ]
    indicators = (category_c[:, None] == np.arange(n_categories)[None, :]).astype(np.float64)
    if neighbourhood_of_poi is None:
        return np.column_stack([*columns, indicators])
    neighbourhood_c = neighbourhood_of_poi[c]
    n_neighbourhoods = int(neighbourhood_of_poi.max()) + 1
    neighbourhoods = (neighbourhood_c[:, None] == np.arange(n_neighbourhoods)[None, :]).astype(np.float64)
    same_as_start = (neighbourhood_c == neighbourhood_of_poi[s]).astype(np.float64)
    same_as_end = (neighbourhood_c == neighbourhood_of_poi[e]).astype(np.float64)
    return np.column_stack([*columns, indicators, neighbourhoods, same_as_start, same_as_end])
