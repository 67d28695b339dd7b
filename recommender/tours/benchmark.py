"""``heritage bench tours``: our model and the PoiPopularity baseline under the leave-one-out protocol, per city.

Used by ``python -m bench.tours`` and ``heritage bench tours``.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import orjson

from recommender.tours.baselines import PoiPopularity
from recommender.tours.data import CITY_CODES, TourCity, load_city, resolve_city
from recommender.tours.errors import TourDataError, TourOutputError
from recommender.tours.features import NEIGHBOURHOODS
from recommender.tours.model import LearnedTourModel
from recommender.tours.protocol import QueryResult, evaluate, summarise
from recommender.tours.published import PUBLISHED_F1, PUBLISHED_PAIRS_F1, best_published

Record = dict[str, object]

MODEL_NAME = "LearnedTourModel"


def cities_to_run(city: str | None) -> list[str]:
    """City codes for ``--city`` (``None`` or ``all``: the four).

    Raises
    ------
    TourDataError
        If the city is unknown.
    """
    if city is None or city.strip().lower() == "all":
        return list(CITY_CODES)
    return [resolve_city(part) for part in city.split(",")]


def run_tours_benchmark(
    data_dir: Path | str,
    cities: Sequence[str],
    *,
    l2: float = 1.0,
    sub_tours: int = 0,
    neighbourhoods: int = NEIGHBOURHOODS,
    predictions: list[Record] | None = None,
) -> Iterator[Record]:
    """Evaluate our model and PoiPopularity on each city; yield one record per city.

    A record has ``city``, ``queries``, ``f1``, ``pairs_f1``, ``f1_inner`` and their ``*_std`` (population standard
    deviation over queries) on the published subset of queries (comparable with the paper), ``time_s`` (loading,
    training and answering every query with our model, wall clock), ``all_trajectories`` (the same figures over every
    query), ``baseline`` (PoiPopularity, same run, both subsets, and whether it reproduces the published figures to 3
    decimals), ``published`` (the best published F1 and pairs-F1 with their methods) and ``beats_published``.

    Parameters
    ----------
    data_dir
        The cikm16 folder.
    cities
        City codes or names.
    l2
        L2 penalty of our step model.
    sub_tours
        Also train on stretches of 3 to ``sub_tours`` POIs of longer trajectories (see :class:`LearnedTourModel`).
    neighbourhoods
        Neighbourhoods (k-means clusters of the POIs' coordinates) for our model's neighbourhood features; 0 for none.
    predictions
        If given, one record per query of our model is appended: ``city``, ``trajID``, ``start``, ``end``,
        ``length`` and ``predicted`` (original ``poiID`` values in visit order).

    Raises
    ------
    TourDataError
        If the folder, a city or a file is missing or malformed.
    """
    for city_name in cities:
        started = time.perf_counter()
        city = load_city(data_dir, city_name)
        results = evaluate(city, LearnedTourModel(city, l2=l2, sub_tours=sub_tours, neighbourhoods=neighbourhoods))
        elapsed_s = time.perf_counter() - started
        baseline_started = time.perf_counter()
        baseline = evaluate(city, PoiPopularity(city))
        baseline_s = time.perf_counter() - baseline_started
        if predictions is not None:
            predictions.extend(_prediction_records(city, results))
        yield _city_record(
            city,
            results,
            baseline,
            elapsed_s=elapsed_s,
            baseline_s=baseline_s,
            settings={"l2": l2, "sub_tours": sub_tours, "neighbourhoods": neighbourhoods},
        )


def _city_record(
    city: TourCity,
    results: list[QueryResult],
    baseline: list[QueryResult],
    *,
    elapsed_s: float,
    baseline_s: float,
    settings: dict[str, float | int],
) -> Record:
    ours_summary = summarise(results, published_subset=True)
    base_summary = summarise(baseline, published_subset=True)
    ours = ours_summary.as_dict()
    ours_all = summarise(results, published_subset=False).as_dict()
    base = base_summary.as_dict()
    base_all = summarise(baseline, published_subset=False).as_dict()
    f1_method, f1_best = best_published(city.code, PUBLISHED_F1)
    pairs_method, pairs_best = best_published(city.code, PUBLISHED_PAIRS_F1)
    reproduces = (
        round(base_summary.f1, 3) == PUBLISHED_F1["PoiPopularity"][city.code]
        and round(base_summary.pairs_f1, 3) == PUBLISHED_PAIRS_F1["PoiPopularity"][city.code]
    )
    return {
        "city": city.code,
        "city_name": city.name,
        "model": MODEL_NAME,
        "settings": settings,
        "subset": "published",
        **ours,
        "time_s": round(elapsed_s, 3),
        "all_trajectories": ours_all,
        "baseline": {
            "method": "PoiPopularity",
            "published_subset": base,
            "all_trajectories": base_all,
            "reproduces_published": reproduces,
            "time_s": round(baseline_s, 3),
        },
        "published": {
            "best_f1": {"method": f1_method, "f1": f1_best},
            "best_pairs_f1": {"method": pairs_method, "pairs_f1": pairs_best},
            "PoiPopularity": {
                "f1": PUBLISHED_F1["PoiPopularity"][city.code],
                "pairs_f1": PUBLISHED_PAIRS_F1["PoiPopularity"][city.code],
            },
        },
        "beats_published": {
            "f1": round(ours_summary.f1, 3) > f1_best,
            "pairs_f1": round(ours_summary.pairs_f1, 3) > pairs_best,
        },
    }


def _prediction_records(city: TourCity, results: Iterable[QueryResult]) -> Iterator[Record]:
    for result in results:
        yield {
            "city": city.code,
            "trajID": result.traj_id,
            "start": city.poi_ids[result.start],
            "end": city.poi_ids[result.end],
            "length": result.length,
            "predicted": [city.poi_ids[poi] for poi in result.predicted],
        }


def summary_record(records: Sequence[Record]) -> Record:
    """A closing record over several cities: total time and in how many cities both published figures are beaten."""
    beaten = [
        record["city"]
        for record in records
        if isinstance(flags := record["beats_published"], dict) and flags["f1"] and flags["pairs_f1"]
    ]
    return {
        "summary": True,
        "cities": [record["city"] for record in records],
        "beats_published_f1_and_pairs_f1": beaten,
        "total_time_s": round(sum(float(str(record["time_s"])) for record in records), 3),
        "baseline_reproduces_published": all(
            isinstance(baseline := record["baseline"], dict) and baseline["reproduces_published"] for record in records
        ),
    }


def check_predictions_path(path: Path | str) -> Path:
    """The predictions path, checked before any work is done.

    Raises
    ------
    TourOutputError
        If its folder does not exist or the path is a folder.
    """
    target = Path(path)
    if target.is_dir():
        raise TourOutputError(f"--predictions {target}: is a folder")
    if not target.parent.is_dir():
        raise TourOutputError(f"--predictions {target}: no such folder {target.parent}")
    return target


def write_predictions(path: Path | str, records: Iterable[Record]) -> None:
    """Write JSON Lines atomically: a temporary file in the same folder, renamed over ``path`` when complete.

    Raises
    ------
    TourOutputError
        If the file cannot be written (no partial file is left behind).
    """
    target = check_predictions_path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            for record in records:
                stream.write(orjson.dumps(record) + b"\n")
        Path(temporary).replace(target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise TourOutputError(f"--predictions {target}: cannot write: {exc}") from exc
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


__all__ = [
    "TourDataError",
    "check_predictions_path",
    "cities_to_run",
    "run_tours_benchmark",
    "summary_record",
    "write_predictions",
]
