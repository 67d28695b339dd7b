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
from recommender.tours.data import TourCity, city_files, discover_cities, load_city, resolve_city
from recommender.tours.errors import TourDataError, TourOutputError
from recommender.tours.features import NEIGHBOURHOODS
from recommender.tours.model import LearnedTourModel
from recommender.tours.protocol import MIN_QUERY_LENGTH, QueryResult, evaluate, queries, summarise
from recommender.tours.published import PublishedReference, published_reference

Record = dict[str, object]

MODEL_NAME = "LearnedTourModel"


def cities_to_run(data_dir: Path | str, city: str | None = None) -> list[str]:
    """The city codes of ``--city`` in the data folder.

    ``None`` or ``all``: every city ``X`` whose ``poi-X.csv`` and ``traj-X.csv`` are in the folder, sorted by code.
    Otherwise a comma-separated list of codes as in the file names, or the full names that
    :data:`recommender.tours.data.CITY_NAMES` knows (case-insensitive; each city once, in the order given).

    Raises
    ------
    TourDataError
        If the folder does not exist, has no city, or a city asked for is not in it (the message names the files).
    """
    if city is None or city.strip().lower() == "all":
        found = list(discover_cities(data_dir))
        if not found:
            raise TourDataError(f"{data_dir}: no city (no poi-<X>.csv with its traj-<X>.csv)")
        return found
    codes = [resolve_city(part, data_dir) for part in city.split(",")]
    return list(dict.fromkeys(codes))


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

    Any city of the folder runs; nothing is looked up by its name but the paper's figures. A city the paper did not
    measure (or other data under a published code, see :func:`~recommender.tours.published.published_reference`) has
    ``"subset": "all"`` (its published subset is every query), and ``published``, ``beats_published`` and the
    baseline's ``reproduces_published`` are null. The model's settings are the arguments below, the same for every city.

    Parameters
    ----------
    data_dir
        The folder of ``poi-<X>.csv`` and ``traj-<X>.csv`` files (the cikm16 folder, or a researcher's own).
    cities
        City codes or names (see :func:`cities_to_run`).
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
        If the folder, a city or a file is missing or malformed, or a city has no trajectory of 3 or more POIs.
    """
    for city_name in cities:
        started = time.perf_counter()
        city = load_city(data_dir, city_name)
        if next(queries(city), None) is None:
            raise TourDataError(
                f"{city_files(data_dir, city.code)[1]}: no trajectory of {MIN_QUERY_LENGTH} or more POIs, "
                "so no query to evaluate"
            )
        reference = published_reference(city)
        left_out = reference.left_out if reference is not None else frozenset()
        model = LearnedTourModel(city, l2=l2, sub_tours=sub_tours, neighbourhoods=neighbourhoods)
        results = evaluate(city, model, left_out=left_out)
        elapsed_s = time.perf_counter() - started
        baseline_started = time.perf_counter()
        baseline = evaluate(city, PoiPopularity(city), left_out=left_out)
        baseline_s = time.perf_counter() - baseline_started
        if predictions is not None:
            predictions.extend(_prediction_records(city, results))
        yield _city_record(
            city,
            results,
            baseline,
            reference=reference,
            elapsed_s=elapsed_s,
            baseline_s=baseline_s,
            settings={"l2": l2, "sub_tours": sub_tours, "neighbourhoods": neighbourhoods},
        )


def _city_record(
    city: TourCity,
    results: list[QueryResult],
    baseline: list[QueryResult],
    *,
    reference: PublishedReference | None,
    elapsed_s: float,
    baseline_s: float,
    settings: dict[str, float | int],
) -> Record:
    ours_summary = summarise(results, published_subset=True)
    base_summary = summarise(baseline, published_subset=True)
    record: Record = {
        "city": city.code,
        "city_name": city.name,
        "model": MODEL_NAME,
        "settings": settings,
        "subset": "published" if reference is not None else "all",
        **ours_summary.as_dict(),
        "time_s": round(elapsed_s, 3),
        "all_trajectories": summarise(results, published_subset=False).as_dict(),
        "baseline": {
            "method": "PoiPopularity",
            "published_subset": base_summary.as_dict(),
            "all_trajectories": summarise(baseline, published_subset=False).as_dict(),
            "reproduces_published": None,
            "time_s": round(baseline_s, 3),
        },
        "published": None,
        "beats_published": None,
    }
    if reference is None:
        return record
    f1_method, f1_best = reference.best(reference.f1)
    pairs_method, pairs_best = reference.best(reference.pairs_f1)
    pop_f1, pop_pairs = reference.f1["PoiPopularity"], reference.pairs_f1["PoiPopularity"]
    baseline_record = record["baseline"]
    assert isinstance(baseline_record, dict)
    baseline_record["reproduces_published"] = (
        round(base_summary.f1, 3) == pop_f1 and round(base_summary.pairs_f1, 3) == pop_pairs
    )
    record["published"] = {
        "best_f1": {"method": f1_method, "f1": f1_best},
        "best_pairs_f1": {"method": pairs_method, "pairs_f1": pairs_best},
        "PoiPopularity": {"f1": pop_f1, "pairs_f1": pop_pairs},
    }
    record["beats_published"] = {
        "f1": round(ours_summary.f1, 3) > f1_best,
        "pairs_f1": round(ours_summary.pairs_f1, 3) > pairs_best,
    }
    return record


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
    """A closing record over several cities: total time and in how many cities both published figures are beaten.

    ``baseline_reproduces_published`` is over the cities with published figures; None when no city has any.
    """
    beaten = [
        record["city"]
        for record in records
        if isinstance(flags := record["beats_published"], dict) and flags["f1"] and flags["pairs_f1"]
    ]
    reproduced = [
        bool(baseline["reproduces_published"])
        for record in records
        if isinstance(baseline := record["baseline"], dict) and baseline["reproduces_published"] is not None
    ]
    return {
        "summary": True,
        "cities": [record["city"] for record in records],
        "beats_published_f1_and_pairs_f1": beaten,
        "total_time_s": round(sum(float(str(record["time_s"])) for record in records), 3),
        "baseline_reproduces_published": all(reproduced) if reproduced else None,
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
