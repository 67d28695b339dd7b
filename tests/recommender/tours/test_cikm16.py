"""The harness on the real cikm16 data in ../shared (read in place, never copied; skipped when absent)."""

from __future__ import annotations

import pytest

from recommender.tours import PoiPopularity, TourQuery, evaluate, load_city, queries, summarise
from recommender.tours.benchmark import run_tours_benchmark
from recommender.tours.model import LearnedTourModel
from recommender.tours.published import PUBLISHED_F1, PUBLISHED_PAIRS_F1
from tests.recommender.tours.helpers import require_cikm16

SUBSET_QUERIES = {"Glas": 111, "Melb": 393, "Osak": 47, "Toro": 335}
ALL_QUERIES = {"Glas": 112, "Melb": 442, "Osak": 47, "Toro": 335}


@pytest.mark.parametrize("code", ["Glas", "Melb", "Osak", "Toro"])
def test_poi_popularity_reproduces_the_published_figures(code: str) -> None:
    city = load_city(require_cikm16(), code)
    results = evaluate(city, PoiPopularity(city))
    subset = summarise(results, published_subset=True)
    assert subset.queries == SUBSET_QUERIES[code]
    assert summarise(results, published_subset=False).queries == ALL_QUERIES[code]
    assert round(subset.f1, 3) == PUBLISHED_F1["PoiPopularity"][code]
    assert round(subset.pairs_f1, 3) == PUBLISHED_PAIRS_F1["PoiPopularity"][code]


def test_held_out_trajectory_does_not_reach_its_answer_on_real_data() -> None:
    city = load_city(require_cikm16(), "Osak")
    model = LearnedTourModel(city)
    for query in list(queries(city))[:6]:
        held = city.trajectories[query.held_out]
        others = [poi for poi in range(city.n_pois) if poi not in held.pois][: len(held.pois) - 2]
        scrambled = type(held)(
            traj_id=held.traj_id,
            user_id="nobody",
            pois=(held.pois[0], *others, held.pois[-1]),
            durations_s=tuple(1e5 for _ in held.pois),
        )
        trajectories = list(city.trajectories)
        trajectories[query.held_out] = scrambled
        changed = type(city)(
            code=city.code,
            poi_ids=city.poi_ids,
            categories=city.categories,
            category_of_poi=city.category_of_poi,
            lat=city.lat,
            lon=city.lon,
            trajectories=tuple(trajectories),
        )
        same_query = TourQuery(held_out=query.held_out, start=query.start, end=query.end, length=query.length)
        assert model.recommend(same_query) == LearnedTourModel(changed).recommend(same_query)


def test_benchmark_record_on_osaka() -> None:
    (record,) = run_tours_benchmark(require_cikm16(), ["Osaka"])
    assert record["city"] == "Osak"
    assert record["queries"] == 47
    baseline = record["baseline"]
    assert isinstance(baseline, dict)
    assert baseline["reproduces_published"] is True
    assert 0.0 < float(str(record["f1_inner"])) < float(str(record["f1"])) <= 1.0
    assert record["beats_published"] == {"f1": True, "pairs_f1": True}  # the neighbourhood features make the difference
