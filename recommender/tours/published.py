"""Published figures on cikm16 (Chen, Ong & Xie, CIKM 2016, leave-one-out, their subset of queries)."""

from __future__ import annotations

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

BASELINES = frozenset({"Random", "PoiPopularity"})


def best_published(city: str, table: dict[str, dict[str, float]]) -> tuple[str, float]:
    """The best published recommender (baselines excluded) of a table for a city code, and its figure.

    Raises
    ------
    KeyError
        If the city has no published figure.
    """
    method = max((name for name in table if name not in BASELINES), key=lambda name: table[name][city])
    return method, table[method][city]
