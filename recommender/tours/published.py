"""Published figures on cikm16 (Chen, Ong & Xie, CIKM 2016, leave-one-out, their subset of queries).

These are reference numbers from the paper, keyed by the code of the city they were measured on; they are never
settings of a model. A city of the data folder is compared with them only when its data is the published data
(:func:`published_reference`); any other city, or a city of the same code with other data, reports none.
"""

from __future__ import annotations

from dataclasses import dataclass

from recommender.tours.data import TourCity
from recommender.tours.protocol import MIN_QUERY_LENGTH

PUBLISHED_F1: dict[str, dict[str, float]] = {
    "Random": {"Glas": 0.632, "Melb": 0.558, "Osak": 0.621, "Toro": 0.621},
    "PersTour": {"Glas": 0.801, "Melb": 0.483, "Osak": 0.686, "Toro": 0.720},
    "PoiPopularity": {"Glas": 0.745, "Melb": 0.620, "Osak": 0.663, "Toro": 0.678},
    "PoiRank": {"Glas": 0.768, "Melb": 0.637, "Osak": 0.745, "Toro": 0.754},
    "Rank+MarkovPath": {"Glas": 0.762, "Melb": 0.639, "Osak": 0.732, "Toro": 0.751},
}
"""Published F1 (points, start and end included) per method and city."""

PUBLISHED_PAIRS_F1: dict[str, dict[str, float]] = {
    "PersTour": {"Glas": 0.643, "Melb": 0.216, "Osak": 0.468, "Toro": 0.504},
    "PoiPopularity": {"Glas": 0.507, "Melb": 0.316, "Osak": 0.365, "Toro": 0.384},
    "PoiRank": {"Glas": 0.548, "Melb": 0.339, "Osak": 0.511, "Toro": 0.518},
    "Rank+Markov": {"Glas": 0.545, "Melb": 0.351, "Osak": 0.486, "Toro": 0.512},
}
"""Published pairs-F1 per method and city."""

UNANSWERED_BY_PERSTOUR: dict[str, frozenset[int]] = {
    "Glas": frozenset({683}),
    "Melb": frozenset(
        {14, 394, 395, 724, 835, 1149, 1191, 1203, 1685, 1935, 1936, 1938, 2042, 2144, 2519, 2526, 2691, 2904}
        | {2907, 2908, 2909, 3729, 3735, 3736, 3767, 3771, 3772, 3774, 3775, 3844, 3869, 4199, 4202, 4203, 4204}
        | {4205, 4206, 4209, 4210, 4211, 4212, 4213, 4214, 4245, 4436, 4726, 4890, 4907, 4915}
    ),
    "Osak": frozenset(),
    "Toro": frozenset(),
}
"""trajIDs left out of the published means (PersTour's solver timed out on them; PROTOCOL.md, "published subset")."""

PUBLISHED_QUERIES: dict[str, int] = {"Glas": 112, "Melb": 442, "Osak": 47, "Toro": 335}
"""Queries (trajectories of at least 3 POIs) of the published data, before the subset is taken (PROTOCOL.md)."""

BASELINES = frozenset({"Random", "PoiPopularity"})


@dataclass(frozen=True, slots=True)
class PublishedReference:
    """What the paper reports for one city: the trajectories its means leave out, and its figures."""

    code: str
    left_out: frozenset[int]
    f1: dict[str, float]
    pairs_f1: dict[str, float]

    def best(self, table: dict[str, float]) -> tuple[str, float]:
        """The best published recommender of ``self.f1`` or ``self.pairs_f1`` (baselines excluded) and its figure."""
        method = max((name for name in table if name not in BASELINES), key=table.__getitem__)
        return method, table[method]


def published_reference(city: TourCity) -> PublishedReference | None:
    """The paper's subset and figures for this city, or None when the paper has none for its data.

    A city gets them when the paper reports its code *and* its data is the published data: the same number of queries
    (trajectories of at least 3 POIs) and every left-out trajID among them. A researcher's own city, or other data
    under a published code, is compared with nothing and its published subset is all its queries.
    """
    code = city.code
    if code not in PUBLISHED_QUERIES:
        return None
    query_ids = {trajectory.traj_id for trajectory in city.trajectories if len(trajectory.pois) >= MIN_QUERY_LENGTH}
    left_out = UNANSWERED_BY_PERSTOUR.get(code, frozenset())
    if len(query_ids) != PUBLISHED_QUERIES[code] or not left_out <= query_ids:
        return None
    return PublishedReference(
        code=code,
        left_out=left_out,
        f1={method: figures[code] for method, figures in PUBLISHED_F1.items() if code in figures},
        pairs_f1={method: figures[code] for method, figures in PUBLISHED_PAIRS_F1.items() if code in figures},
    )


def best_published(city: str, table: dict[str, dict[str, float]]) -> tuple[str, float] | None:
    """The best published recommender (baselines excluded) of a table for a city code and its figure; None if none."""
    candidates = [name for name in table if name not in BASELINES and city in table[name]]
    if not candidates:
        return None
    method = max(candidates, key=lambda name: table[name][city])
    return method, table[method][city]
