"""The PoiPopularity baseline of Chen, Ong & Xie (CIKM 2016)."""

from __future__ import annotations

import numpy as np

from recommender.tours.counts import CityCounts
from recommender.tours.data import TourCity
from recommender.tours.protocol import TourQuery


class PoiPopularity:
    """Rank POIs by the number of distinct users who visited them in the training trajectories.

    The answer is ``[start] + the L-2 most popular other POIs + [end]``; ties go to the lower ``poiID``.

    Parameters
    ----------
    city
        The city whose queries will be answered.
    """

    def __init__(self, city: TourCity) -> None:
        self.city = city
        self.counts = CityCounts(city)
        self._poi_ids = np.asarray(city.poi_ids)

    def recommend(self, query: TourQuery) -> list[int]:
        """The start, the ``length - 2`` most popular other POIs and the end."""
        popularity = self.counts.popularity_without(query.held_out)
        order = np.lexsort((self._poi_ids, -popularity))
        inner = [int(poi) for poi in order if poi not in {query.start, query.end}][: query.length - 2]
        return [query.start, *inner, query.end]
