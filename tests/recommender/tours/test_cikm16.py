"""The harness on the real cikm16 data in ../shared (read in place, never copied; skipped when absent)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from recommender.tours import PoiPopularity, TourQuery, evaluate, load_city, queries, summarise
from recommender.tours.benchmark import cities_to_run, run_tours_benchmark
from recommender.tours.model import LearnedTourModel
from recommender.tours.published import PUBLISHED_F1, PUBLISHED_PAIRS_F1, published_reference
from tests.recommender.tours.helpers import require_cikm16


def test_all_finds_the_four_cities_in_the_folder() -> None:
    assert cities_to_run(require_cikm16(), "all") == ["Glas", "Melb", "Osak", "Toro"]
    assert cities_to_run(require_cikm16(), "toronto,Glasgow") == ["Toro", "Glas"]


def test_the_published_data_is_recognised() -> None:
    for code, left_out in {"Glas": 1, "Melb": 49, "Osak": 0, "Toro": 0}.items():
        reference = published_reference(load_city(require_cikm16(), code))
        assert reference is not None, code
        assert len(reference.left_out) == left_out


def test_a_real_city_under_another_code_gives_the_same_figures(tmp_path: Path) -> None:
    """Nothing but the paper's figures is looked up by name: Osaka's files named Xyz score exactly as Osak."""
    data = require_cikm16()
    folder = tmp_path / "data"
    folder.mkdir()
    for kind in ("poi", "traj"):
        (folder / f"{kind}-Xyz.csv").symlink_to((data / f"{kind}-Osak.csv").resolve())
    (renamed,) = run_tours_benchmark(folder, ["Xyz"])
    (original,) = run_tours_benchmark(data, ["Osak"])
    assert renamed["published"] is None
    assert original["published"] is not None
    for key in ("queries", "f1", "pairs_f1", "f1_inner", "all_trajectories"):
        assert renamed[key] == original[key]


SUBSET_QUERIES = {"Glas": 111, "Melb": 393, "Osak": 47, "Toro": 335}
ALL_QUERIES = {"Glas": 112, "Melb": 442, "Osak": 47, "Toro": 335}


@pytest.mark.parametrize("code", ["Glas", "Melb", "Osak", "Toro"])
def test_poi_popularity_reproduces_the_published_figures(code: str) -> None:
    city = load_city(require_cikm16(), code)
    reference = published_reference(city)
    assert reference is not None
    results = evaluate(city, PoiPopularity(city), left_out=reference.left_out)
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
        scrambled = replace(
            held,
            user_id="nobody",
            pois=(held.pois[0], *others, held.pois[-1]),
            durations_s=tuple(1e5 for _ in held.pois),
        )
        trajectories = list(city.trajectories)
        trajectories[query.held_out] = scrambled
        changed = replace(city, trajectories=tuple(trajectories))
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
