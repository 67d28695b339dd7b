from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from recommender.tours import (
    PoiPopularity,
    TourCity,
    TourDataError,
    TourQuery,
    TourRecommender,
    evaluate,
    load_city,
    queries,
    summarise,
)
from recommender.tours.counts import CityCounts, count_trajectories
from recommender.tours.model import LearnedTourModel
from recommender.tours.protocol import check_answer
from tests.recommender.tours.helpers import TRAJECTORIES, write_city


@pytest.fixture
def city_dir(tmp_path: Path) -> Path:
    return write_city(tmp_path / "data")


def test_queries_are_trajectories_of_three_or_more(city_dir: Path) -> None:
    city = load_city(city_dir, "Toro")
    found = list(queries(city))
    expected = [index for index, (_, _, pois) in enumerate(TRAJECTORIES) if len(pois) >= 3]
    assert [query.held_out for query in found] == expected
    first = found[0]
    assert (city.poi_ids[first.start], city.poi_ids[first.end], first.length) == (1, 4, 4)


def test_subtracted_counts_equal_recounted(city_dir: Path) -> None:
    city = load_city(city_dir, "Toro")
    counts = CityCounts(city)
    for held_out in range(len(city.trajectories)):
        others = [trajectory for index, trajectory in enumerate(city.trajectories) if index != held_out]
        recounted = count_trajectories(city, others)
        without = counts.without(held_out)
        for name in ("visits", "duration_s", "transitions", "co_visits", "precedes", "category_transitions"):
            np.testing.assert_array_equal(getattr(without, name), getattr(recounted, name), err_msg=name)
        users = {(trajectory.user_id, poi) for trajectory in others for poi in trajectory.pois}
        popularity = [sum(1 for _, poi in users if poi == p) for p in range(city.n_pois)]
        np.testing.assert_array_equal(counts.popularity_without(held_out), popularity)


def _changed(trajectories: list[tuple[str, int, list[int]]], traj_id: int) -> list[tuple[str, int, list[int]]]:
    """The same trajectories except that ``traj_id`` keeps its start, end and length but changes its inner POIs."""
    changed = []
    for user, tid, pois in trajectories:
        if tid == traj_id:
            inner = [poi for poi in (6, 5, 2, 3) if poi not in {pois[0], pois[-1]}][: len(pois) - 2]
            changed.append(("someone-else", tid, [pois[0], *inner, pois[-1]]))
        else:
            changed.append((user, tid, pois))
    return changed


def learned_with_sub_tours(city: TourCity) -> LearnedTourModel:
    return LearnedTourModel(city, sub_tours=4, min_risk=False)


@pytest.mark.parametrize("recommender", [PoiPopularity, LearnedTourModel, learned_with_sub_tours])
@pytest.mark.parametrize("traj_id", [1, 5, 8, 10])
def test_held_out_trajectory_does_not_reach_its_answer(
    tmp_path: Path, recommender: Callable[[TourCity], TourRecommender], traj_id: int
) -> None:
    original = load_city(write_city(tmp_path / "a"), "Toro")
    changed = load_city(write_city(tmp_path / "b", trajectories=_changed(TRAJECTORIES, traj_id)), "Toro")
    held_out = next(index for index, trajectory in enumerate(original.trajectories) if trajectory.traj_id == traj_id)
    assert original.trajectories[held_out].pois != changed.trajectories[held_out].pois
    trajectory = original.trajectories[held_out]
    query = TourQuery(held_out=held_out, start=trajectory.pois[0], end=trajectory.pois[-1], length=len(trajectory.pois))
    assert recommender(original).recommend(query) == recommender(changed).recommend(query)


@pytest.mark.parametrize("recommender", [PoiPopularity, LearnedTourModel])
def test_every_answer_is_a_valid_tour(city_dir: Path, recommender: type) -> None:
    city = load_city(city_dir, "Toro")
    results = evaluate(city, recommender(city))
    assert len(results) == 8
    for result in results:
        assert len(result.predicted) == result.length
        assert len(set(result.predicted)) == result.length
        assert (result.predicted[0], result.predicted[-1]) == (result.start, result.end)
    summary = summarise(results, published_subset=False)
    assert summary.queries == 8
    assert 0.0 <= summary.f1_inner <= summary.f1 <= 1.0


def test_invalid_answers_are_rejected() -> None:
    query = TourQuery(held_out=0, start=0, end=3, length=4)
    check_answer(query, [0, 1, 2, 3], 6)
    for bad in ([0, 1, 3], [0, 1, 1, 3], [0, 1, 9, 3], [1, 0, 2, 3]):
        with pytest.raises(TourDataError, match="invalid answer"):
            check_answer(query, bad, 6)
