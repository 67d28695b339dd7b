"""Our tour recommender: a learnt step score (conditional logit over query-aware features) and an exact decoder.

For a query held out of the city, the model is trained on the inner steps of every other trajectory of at least 3
POIs: at each step the traveller, coming from ``a`` on a tour from ``s`` to ``e``, picks the next POI among those not
yet visited. Each training step's features are computed from the counts of all trajectories except the held-out one
*and the step's own trajectory* (so the model learns how much the counts say about an unseen tour, which is what they
are at query time). The tour recommended is then chosen among the best paths of the asked length, found by an exact
search and a beam, as the one with the highest expected F1 + pairs-F1 under the model (:mod:`.decode`).

Everything about the held-out trajectory is subtracted from precomputed totals, never recounted, so one query costs
one small model fit; nothing of the held-out trajectory reaches its own answer.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from threadpoolctl import threadpool_limits

from recommender.tours.choice import ChoiceModel, fit_choice_model
from recommender.tours.counts import CityCounts
from recommender.tours.data import TourCity
from recommender.tours.decode import best_tour, min_risk_tour
from recommender.tours.features import NEIGHBOURHOODS, StepRows, gather, poi_neighbourhoods, step_features, subtract
from recommender.tours.protocol import MIN_QUERY_LENGTH, TourQuery

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class LearnedTourModel:
    """Learnt step scores plus exact decoding, retrained for every leave-one-out query.

    Parameters
    ----------
    city
        The city whose queries will be answered.
    l2
        L2 penalty of the step model.
    normalise
        Score a step by its log-probability among all next POIs from ``a`` (True) or by its raw utility (False).
    sub_tours
        Also learn from every stretch of 3 to ``sub_tours`` consecutive POIs of a longer training trajectory, as if it
        were a tour of its own (0: whole trajectories only).
    min_risk
        Answer the tour with the highest expected F1 + pairs-F1 among the best ones (True), or the single
        highest-scoring tour (False); see :mod:`.decode`.
    neighbourhoods
        The number of neighbourhoods (k-means clusters of the POIs' coordinates) for the neighbourhood features;
        0 for none.
    """

    def __init__(
        self,
        city: TourCity,
        *,
        l2: float = 1.0,
        normalise: bool = True,
        sub_tours: int = 0,
        min_risk: bool = True,
        neighbourhoods: int = NEIGHBOURHOODS,
    ) -> None:
        self.city = city
        self.min_risk = min_risk
        self.sub_tours = sub_tours
        self.l2 = l2
        self.normalise = normalise
        self.counts = CityCounts(city)
        self.distance_km = city.distance_km()
        self.neighbourhood_of_poi = (
            poi_neighbourhoods(city.lat, city.lon, n_neighbourhoods=neighbourhoods) if neighbourhoods > 0 else None
        )
        self._build_training_rows()

    def _build_training_rows(self) -> None:
        city = self.city
        n_pois = city.n_pois
        source: list[IntArray] = []
        candidate: list[IntArray] = []
        start: list[int] = []
        end: list[int] = []
        remaining: list[int] = []
        trajectory_of_step: list[int] = []
        step_sizes: list[int] = []
        chosen_offset: list[int] = []
        own_gathered: list[dict[str, FloatArray]] = []
        for index, trajectory in enumerate(city.trajectories):
            if len(trajectory.pois) < MIN_QUERY_LENGTH:
                continue
            first_step, first_row = len(step_sizes), sum(step_sizes)
            for pois in self._training_tours(trajectory.pois):
                for position in range(1, len(pois) - 1):
                    allowed = np.setdiff1d(np.arange(n_pois), [*pois[:position], pois[-1]])
                    source.append(np.full(len(allowed), pois[position - 1], dtype=np.int64))
                    candidate.append(allowed.astype(np.int64))
                    start.extend([pois[0]] * len(allowed))
                    end.extend([pois[-1]] * len(allowed))
                    remaining.extend([len(pois) - 2 - position] * len(allowed))
                    trajectory_of_step.append(index)
                    step_sizes.append(len(allowed))
                    chosen_offset.append(int(np.searchsorted(allowed, pois[position])))
            rows = StepRows(
                source=np.concatenate(source[first_step:]),
                candidate=np.concatenate(candidate[first_step:]),
                start=np.asarray(start[first_row:], dtype=np.int64),
                end=np.asarray(end[first_row:], dtype=np.int64),
                remaining=np.asarray(remaining[first_row:], dtype=np.int64),
            )
            own_gathered.append(gather(self.counts.contribution(index), rows, city.category_of_poi))
        if not step_sizes:  # no trajectory of 3 or more POIs: nothing to learn from, nothing to answer
            source, candidate, own_gathered = [np.empty(0, dtype=np.int64)], [np.empty(0, dtype=np.int64)], []
        self.rows = StepRows(
            source=np.concatenate(source),
            candidate=np.concatenate(candidate),
            start=np.asarray(start, dtype=np.int64),
            end=np.asarray(end, dtype=np.int64),
            remaining=np.asarray(remaining, dtype=np.int64),
        )
        sizes = np.asarray(step_sizes, dtype=np.int64)
        self.step_starts = (np.cumsum(sizes) - sizes).astype(np.int64)
        self.step_trajectory = np.asarray(trajectory_of_step, dtype=np.int64)
        self.chosen = self.step_starts + np.asarray(chosen_offset, dtype=np.int64)
        self.row_trajectory = np.repeat(self.step_trajectory, sizes)
        # Counts of all trajectories but the row's own, gathered at the rows.
        total = gather(self.counts.total, self.rows, city.category_of_poi)
        own = {
            name: np.concatenate([part[name] for part in own_gathered] or [values]) for name, values in total.items()
        }
        self.gathered_without_own = subtract(total, own)
        # For popularity without the row's own trajectory (and later the held-out one).
        users = self.counts.user_of_trajectory[self.row_trajectory]
        self.row_user = users
        self.row_user_visits = self.counts.user_visits[users, self.rows.candidate].astype(np.float64)
        member = np.zeros(len(self.rows))
        for index in np.unique(self.step_trajectory):
            in_rows = self.row_trajectory == index
            member[in_rows] = self.counts.membership(int(index))[self.rows.candidate[in_rows]]
        self.row_member = member
        self.users_per_poi = (self.counts.user_visits > 0).sum(axis=0).astype(np.float64)

    def _training_tours(self, pois: tuple[int, ...]) -> list[tuple[int, ...]]:
        """The tour itself and, with ``sub_tours``, its stretches of 3 to ``sub_tours`` POIs as further examples."""
        tours = [pois]
        for length in range(MIN_QUERY_LENGTH, min(self.sub_tours, len(pois) - 1) + 1):
            tours.extend(pois[first : first + length] for first in range(len(pois) - length + 1))
        return tours

    def fit(self, held_out: int) -> ChoiceModel:
        """The step model trained without trajectory ``held_out`` (an index into ``city.trajectories``).

        When no other trajectory has an inner step to learn from (a city with a single query), the model is the
        default one: every weight 0, so every next POI is equally likely and the decoder breaks the ties.
        """
        keep_step = self.step_trajectory != held_out
        keep_row = self.row_trajectory != held_out
        rows = StepRows(
            source=self.rows.source[keep_row],
            candidate=self.rows.candidate[keep_row],
            start=self.rows.start[keep_row],
            end=self.rows.end[keep_row],
            remaining=self.rows.remaining[keep_row],
        )
        held = gather(self.counts.contribution(held_out), rows, self.city.category_of_poi)
        raw = subtract({name: values[keep_row] for name, values in self.gathered_without_own.items()}, held)
        popularity = self._training_popularity(held_out, keep_row, rows.candidate)
        features = self._features(raw, popularity, rows)
        if not keep_step.any():
            width = features.shape[1]
            return ChoiceModel(weights=np.zeros(width), mean=np.zeros(width), scale=np.ones(width))
        new_row_number = np.cumsum(keep_row) - 1
        step_starts = new_row_number[self.step_starts[keep_step]]
        chosen = new_row_number[self.chosen[keep_step]]
        return fit_choice_model(features, step_starts, chosen, l2=self.l2)

    def _features(self, raw: dict[str, FloatArray], popularity: FloatArray, rows: StepRows) -> FloatArray:
        """The step features of ``rows`` in this city (one definition for training and for answering)."""
        return step_features(
            raw,
            popularity,
            rows,
            distance_km=self.distance_km,
            category_of_poi=self.city.category_of_poi,
            n_categories=len(self.city.categories),
            neighbourhood_of_poi=self.neighbourhood_of_poi,
        )

    def _training_popularity(self, held_out: int, keep_row: npt.NDArray[np.bool_], candidate: IntArray) -> FloatArray:
        held_user = self.counts.user_of_trajectory[held_out]
        held_member = self.counts.membership(held_out)[candidate]
        held_user_visits = self.counts.user_visits[held_user, candidate].astype(np.float64)
        same_user = self.row_user[keep_row] == held_user
        own_visits = self.row_user_visits[keep_row]
        own_left = own_visits - self.row_member[keep_row] - same_user * held_member
        lost_own = (own_visits > 0) & (own_left == 0)
        lost_held = ~same_user & (held_user_visits > 0) & (held_user_visits - held_member == 0)
        popularity: FloatArray = self.users_per_poi[candidate] - lost_own - lost_held
        return popularity

    def step_scores(self, query: TourQuery, model: ChoiceModel) -> FloatArray:
        """``scores[i, a, c]`` of going from ``a`` to ``c`` as the ``i``-th inner POI, without the held-out data."""
        n_pois = self.city.n_pois
        n_inner = query.length - 2
        position, source, candidate = np.meshgrid(
            np.arange(n_inner), np.arange(n_pois), np.arange(n_pois), indexing="ij"
        )
        rows = StepRows(
            source=source.ravel(),
            candidate=candidate.ravel(),
            start=np.full(source.size, query.start, dtype=np.int64),
            end=np.full(source.size, query.end, dtype=np.int64),
            remaining=(n_inner - 1 - position).ravel(),
        )
        counts = self.counts.without(query.held_out)
        raw = gather(counts, rows, self.city.category_of_poi)
        popularity = self.counts.popularity_without(query.held_out)[rows.candidate]
        features = self._features(raw, popularity, rows)
        scores = model.score(features).reshape(n_inner, n_pois, n_pois)
        scores[:, np.arange(n_pois), np.arange(n_pois)] = -np.inf
        scores[:, :, [query.start, query.end]] = -np.inf
        if self.normalise:
            top = np.max(scores, axis=2, keepdims=True)
            scores = scores - top - np.log(np.sum(np.exp(scores - top), axis=2, keepdims=True))
        return scores

    def recommend(self, query: TourQuery) -> list[int]:
        """The best tour of ``query.length`` POIs from ``query.start`` to ``query.end``."""
        with threadpool_limits(limits=1):  # small matrices: BLAS threads only contend (4x slower on 2 cores)
            model = self.fit(query.held_out)
            decode = min_risk_tour if self.min_risk else best_tour
            return decode(self.step_scores(query, model), start=query.start, end=query.end).pois
