"""Visit statistics of a city's trajectories, computed once and corrected exactly for left-out trajectories.

Every statistic is a sum over trajectories, so the statistics of "all trajectories but these" are the totals minus
the left-out trajectories' own contributions: exact, and far cheaper than recounting for each of the hundreds of
leave-one-out queries. The one statistic that is not a plain sum, the number of distinct users who visited a POI, is
kept as a user-by-POI count of trajectories from which it is derived.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from recommender.tours.data import TourCity, Trajectory

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Counts:
    """Sums over a set of trajectories (each visit of a POI, each ordered pair of POIs in one trajectory).

    Attributes
    ----------
    visits
        ``visits[p]``: trajectories that visit ``p``.
    duration_s
        ``duration_s[p]``: total time spent at ``p``, seconds.
    transitions
        ``transitions[a, b]``: trajectories that go from ``a`` straight to ``b``.
    co_visits
        ``co_visits[a, b]``: trajectories that visit both ``a`` and ``b`` (``a != b``).
    precedes
        ``precedes[a, b]``: trajectories that visit ``a`` before ``b`` (adjacent or not).
    category_transitions
        ``category_transitions[x, y]``: steps from a POI of category ``x`` straight to one of category ``y``.
    between
        ``between[a, b, c]``: trajectories that visit ``a``, then ``b``, then ``c`` (adjacent or not).
    tours
        ``tours[s, e]``: trajectories of at least 3 POIs from ``s`` to ``e``.
    tour_visits
        ``tour_visits[s, e, c]``: trajectories of at least 3 POIs from ``s`` to ``e`` that visit ``c`` in between.
    """

    visits: FloatArray
    duration_s: FloatArray
    transitions: FloatArray
    co_visits: FloatArray
    precedes: FloatArray
    category_transitions: FloatArray
    between: FloatArray
    tours: FloatArray
    tour_visits: FloatArray

    def minus(self, other: Counts) -> Counts:
        """These counts with ``other``'s subtracted."""
        return Counts(
            visits=self.visits - other.visits,
            duration_s=self.duration_s - other.duration_s,
            transitions=self.transitions - other.transitions,
            co_visits=self.co_visits - other.co_visits,
            precedes=self.precedes - other.precedes,
            category_transitions=self.category_transitions - other.category_transitions,
            between=self.between - other.between,
            tours=self.tours - other.tours,
            tour_visits=self.tour_visits - other.tour_visits,
        )


def empty_counts(n_pois: int, n_categories: int) -> Counts:
    """All-zero counts for a city of ``n_pois`` POIs in ``n_categories`` categories."""
    return Counts(
        visits=np.zeros(n_pois),
        duration_s=np.zeros(n_pois),
        transitions=np.zeros((n_pois, n_pois)),
        co_visits=np.zeros((n_pois, n_pois)),
        precedes=np.zeros((n_pois, n_pois)),
        category_transitions=np.zeros((n_categories, n_categories)),
        between=np.zeros((n_pois, n_pois, n_pois)),
        tours=np.zeros((n_pois, n_pois)),
        tour_visits=np.zeros((n_pois, n_pois, n_pois)),
    )


def add_trajectory(counts: Counts, trajectory: Trajectory, category_of_poi: IntArray) -> None:
    """Add one trajectory's contribution to ``counts`` in place."""
    pois = np.asarray(trajectory.pois, dtype=np.int64)
    np.add.at(counts.visits, pois, 1.0)
    np.add.at(counts.duration_s, pois, np.asarray(trajectory.durations_s, dtype=np.float64))
    if len(pois) < 2:
        return
    np.add.at(counts.transitions, (pois[:-1], pois[1:]), 1.0)
    categories = category_of_poi[pois]
    np.add.at(counts.category_transitions, (categories[:-1], categories[1:]), 1.0)
    first, second = np.triu_indices(len(pois), k=1)
    np.add.at(counts.precedes, (pois[first], pois[second]), 1.0)
    np.add.at(counts.co_visits, (pois[first], pois[second]), 1.0)
    np.add.at(counts.co_visits, (pois[second], pois[first]), 1.0)
    if len(pois) < 3:  # no triple
        return
    first, second, third = (
        np.asarray(column) for column in zip(*itertools.combinations(range(len(pois)), 3), strict=True)
    )
    np.add.at(counts.between, (pois[first], pois[second], pois[third]), 1.0)
    counts.tours[pois[0], pois[-1]] += 1.0
    np.add.at(counts.tour_visits, (pois[0], pois[-1], pois[1:-1]), 1.0)


def count_trajectories(city: TourCity, trajectories: Iterable[Trajectory]) -> Counts:
    """The counts of ``trajectories`` (from scratch; the reference for the subtraction shortcut)."""
    counts = empty_counts(city.n_pois, len(city.categories))
    for trajectory in trajectories:
        add_trajectory(counts, trajectory, city.category_of_poi)
    return counts


class CityCounts:
    """The counts of all of a city's trajectories, and the counts without any few of them.

    Parameters
    ----------
    city
        The city.
    """

    def __init__(self, city: TourCity) -> None:
        self.city = city
        self.total = count_trajectories(city, city.trajectories)
        users = sorted({trajectory.user_id for trajectory in city.trajectories})
        user_index = {user: index for index, user in enumerate(users)}
        self.user_of_trajectory: IntArray = np.asarray(
            [user_index[trajectory.user_id] for trajectory in city.trajectories], dtype=np.int64
        )
        self.user_visits: IntArray = np.zeros((len(users), city.n_pois), dtype=np.int64)
        for user, trajectory in zip(self.user_of_trajectory, city.trajectories, strict=True):
            self.user_visits[user, list(trajectory.pois)] += 1

    def contribution(self, trajectory_index: int) -> Counts:
        """One trajectory's own contribution to the totals."""
        return count_trajectories(self.city, [self.city.trajectories[trajectory_index]])

    def without(self, trajectory_index: int) -> Counts:
        """The counts of every trajectory except one (exactly what recounting them would give)."""
        return self.total.minus(self.contribution(trajectory_index))

    def membership(self, trajectory_index: int) -> FloatArray:
        """``1.0`` at the POIs the trajectory visits, else ``0.0``."""
        member = np.zeros(self.city.n_pois)
        member[list(self.city.trajectories[trajectory_index].pois)] = 1.0
        return member

    def popularity_without(self, trajectory_index: int) -> FloatArray:
        """The number of distinct users who visited each POI in every trajectory except one."""
        user = self.user_of_trajectory[trajectory_index]
        remaining = self.user_visits[user] - self.membership(trajectory_index)
        users_per_poi = (self.user_visits > 0).sum(axis=0).astype(np.float64)
        lost = (self.user_visits[user] > 0) & (remaining == 0)
        popularity: FloatArray = users_per_poi - lost.astype(np.float64)
        return popularity
