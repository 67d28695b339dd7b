"""The leave-one-out evaluation protocol of ``../shared/benchmarks/tours/PROTOCOL.md``.

Every trajectory of at least 3 POIs is one query ``(start, end, length)``, answered by a recommender that may use
every other trajectory of the city and nothing of the held-out one, and scored against that trajectory only.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from recommender.tours.data import TourCity
from recommender.tours.errors import TourDataError
from recommender.tours.metrics import f1_inner, f1_points, pairs_f1

MIN_QUERY_LENGTH = 3
"""Trajectories with at least this many POIs are queries."""


@dataclass(frozen=True, slots=True)
class TourQuery:
    """One leave-one-out query: the held-out trajectory's index in the city and its start, end and length."""

    held_out: int
    start: int
    end: int
    length: int


class TourRecommender(Protocol):
    """Answers the queries of one city.

    ``recommend`` must return ``query.length`` distinct POIs (internal indices) from ``query.start`` to ``query.end``
    and must not depend on the held-out trajectory ``city.trajectories[query.held_out]`` in any way.
    """

    def recommend(self, query: TourQuery) -> list[int]:
        """The recommended tour, POIs in visit order."""
        ...


RecommenderFactory = Callable[[TourCity], TourRecommender]


@dataclass(frozen=True, slots=True)
class QueryResult:
    """One query's answer and scores."""

    traj_id: int
    start: int
    end: int
    length: int
    truth: tuple[int, ...]
    predicted: tuple[int, ...]
    f1: float
    pairs_f1: float
    f1_inner: float
    in_published_subset: bool


def queries(city: TourCity) -> Iterator[TourQuery]:
    """Every query of the city, in trajectory order."""
    for index, trajectory in enumerate(city.trajectories):
        if len(trajectory.pois) >= MIN_QUERY_LENGTH:
            yield TourQuery(
                held_out=index, start=trajectory.pois[0], end=trajectory.pois[-1], length=len(trajectory.pois)
            )


def check_answer(query: TourQuery, predicted: Sequence[int], n_pois: int) -> None:
    """Check that an answer is a valid tour for the query.

    Raises
    ------
    TourDataError
        If the answer has the wrong length, repeats a POI, names an unknown POI or misses the start or end.
    """
    problems = []
    if len(predicted) != query.length:
        problems.append(f"{len(predicted)} POIs instead of {query.length}")
    if len(set(predicted)) != len(predicted):
        problems.append("a POI twice")
    if any(not 0 <= poi < n_pois for poi in predicted):
        problems.append("an unknown POI")
    if predicted and (predicted[0] != query.start or predicted[-1] != query.end):
        problems.append("not from the start to the end")
    if problems:
        raise TourDataError(f"invalid answer {list(predicted)} to {query}: {', '.join(problems)}")


def evaluate(
    city: TourCity, recommender: TourRecommender, *, left_out: Collection[int] = frozenset()
) -> list[QueryResult]:
    """Answer and score every query of the city.

    Parameters
    ----------
    city
        The city.
    recommender
        Answers its queries.
    left_out
        trajIDs outside the published subset (:attr:`QueryResult.in_published_subset` is False for them); the paper's
        come from :func:`recommender.tours.published.published_reference`. By default none: every query is in it.

    Raises
    ------
    TourDataError
        If the recommender returns an invalid tour (see :func:`check_answer`).
    """
    left_out = frozenset(left_out)
    results = []
    for query in queries(city):
        trajectory = city.trajectories[query.held_out]
        predicted = list(recommender.recommend(query))
        check_answer(query, predicted, city.n_pois)
        results.append(
            QueryResult(
                traj_id=trajectory.traj_id,
                start=query.start,
                end=query.end,
                length=query.length,
                truth=trajectory.pois,
                predicted=tuple(predicted),
                f1=f1_points(trajectory.pois, predicted),
                pairs_f1=pairs_f1(trajectory.pois, predicted),
                f1_inner=f1_inner(trajectory.pois, predicted),
                in_published_subset=trajectory.traj_id not in left_out,
            )
        )
    return results


@dataclass(frozen=True, slots=True)
class Summary:
    """Means and (population) standard deviations over a set of queries."""

    queries: int
    f1: float
    f1_std: float
    pairs_f1: float
    pairs_f1_std: float
    f1_inner: float
    f1_inner_std: float

    def as_dict(self, *, digits: int = 6) -> dict[str, float | int]:
        """The figures rounded to ``digits``."""
        return {
            "queries": self.queries,
            "f1": round(self.f1, digits),
            "f1_std": round(self.f1_std, digits),
            "pairs_f1": round(self.pairs_f1, digits),
            "pairs_f1_std": round(self.pairs_f1_std, digits),
            "f1_inner": round(self.f1_inner, digits),
            "f1_inner_std": round(self.f1_inner_std, digits),
        }


def summarise(results: Sequence[QueryResult], *, published_subset: bool) -> Summary:
    """Mean and standard deviation over the queries (only those of the published subset when asked).

    Raises
    ------
    ValueError
        If there is no query to summarise.
    """
    chosen = [result for result in results if result.in_published_subset or not published_subset]
    if not chosen:
        raise ValueError("no query to summarise")

    def mean_std(values: list[float]) -> tuple[float, float]:
        return statistics.fmean(values), statistics.pstdev(values)

    f1, f1_std = mean_std([result.f1 for result in chosen])
    pairs, pairs_std = mean_std([result.pairs_f1 for result in chosen])
    inner, inner_std = mean_std([result.f1_inner for result in chosen])
    return Summary(len(chosen), f1, f1_std, pairs, pairs_std, inner, inner_std)
