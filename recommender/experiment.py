"""Research experiments: a seeded grid or random search over model settings on one dataset, with a results folder.

A config is a TOML file::

    [experiment]
    name = "hanoi-als"
    dataset = "hanoi-synthetic"      # or "hanoi-log" (a JSONL feedback log exported from the store) or "cikm16"
    search = "grid"                  # or "random", with trials = N
    metric = "ndcg_at_10_learnt"     # what "best" means (higher is better)
    seed = 0

    [dataset]                        # hanoi-synthetic: users, seed; hanoi-log: path, interests (JSON);
    users = 600                      # cikm16: path, cities = ["Toro", "Osak"]

    [parameters]                     # each a list of values (grid) or [low, high] with "random"
    factors = [8, 16, 32]
    alpha = [1.0, 10.0, 40.0]

Parameters of the Hanoi datasets: ``factors``, ``regularization``, ``alpha``, ``iterations`` (implicit ALS),
``inverse_regularization`` (the blend's logistic regression), ``neighbourhood_shrinkage``. Of cikm16:
``l2`` and ``sub_tours`` (:class:`recommender.tours.model.LearnedTourModel`).

:func:`run_experiment` returns every run's parameters and metrics; :func:`write_results` writes the folder
(the config, ``runs.jsonl``, ``runs.csv``, ``best.json``, the best Hanoi model, PNG plots). The CLI command
``heritage experiment`` drives both with a progress bar; notebooks import them directly.
"""

from __future__ import annotations

import csv
import itertools
import json
import shutil
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np

from recommender.catalogue import Catalogue
from recommender.collaborative import ALSSettings
from recommender.errors import RecommenderError
from recommender.evaluation import evaluate_ranking
from recommender.experiment_plots import plot_results
from recommender.feedback.events import FeedbackEvent, read_events
from recommender.feedback.synthetic import SyntheticSettings, synthetic_events
from recommender.preference import PreferenceModel, PreferenceSettings
from recommender.tours.benchmark import cities_to_run, run_tours_benchmark

DATASETS: Final[tuple[str, ...]] = ("hanoi-synthetic", "hanoi-log", "cikm16")
HANOI_PARAMETERS: Final[dict[str, type]] = {
    "factors": int,
    "regularization": float,
    "alpha": float,
    "iterations": int,
    "inverse_regularization": float,
    "neighbourhood_shrinkage": float,
}
CIKM_PARAMETERS: Final[dict[str, type]] = {"l2": float, "sub_tours": int}
ProgressFn = Callable[[int, int, dict[str, Any]], None]


class ExperimentConfigError(RecommenderError):
    """The experiment config is missing, not TOML, or names an unknown dataset, search or parameter."""


@dataclass(frozen=True)
class ExperimentConfig:
    """A parsed config (see the module docstring)."""

    name: str
    dataset: str
    search: str
    metric: str
    seed: int
    trials: int
    dataset_options: dict[str, Any]
    parameters: dict[str, list[Any]]
    source: str = field(repr=False, default="")


@dataclass(frozen=True)
class ExperimentResult:
    """Every run (parameters, metrics, seconds) and the best one by the config's metric."""

    config: ExperimentConfig
    runs: list[dict[str, Any]]
    best: dict[str, Any]


def load_config(path: Path) -> ExperimentConfig:
    """Read and check a TOML config.

    Raises
    ------
    ExperimentConfigError
        Naming the file and the key at fault.
    """
    try:
        source = Path(path).read_text(encoding="utf-8")
        raw = tomllib.loads(source)
    except OSError as exc:
        raise ExperimentConfigError(f"{path}: cannot read the config ({exc.strerror})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ExperimentConfigError(f"{path}: not valid TOML ({exc})") from exc
    return parse_config(raw, source=source, origin=str(path))


def parse_config(raw: Mapping[str, Any], *, source: str = "", origin: str = "<config>") -> ExperimentConfig:
    """Check a config already decoded from TOML.

    Raises
    ------
    ExperimentConfigError
        For an unknown dataset, search or parameter, or a parameter without values.
    """
    experiment = dict(raw.get("experiment", {}))
    dataset = str(experiment.get("dataset", "hanoi-synthetic"))
    if dataset not in DATASETS:
        raise ExperimentConfigError(f"{origin}: [experiment] dataset {dataset!r} is not one of {', '.join(DATASETS)}")
    search = str(experiment.get("search", "grid"))
    if search not in ("grid", "random"):
        raise ExperimentConfigError(f"{origin}: [experiment] search must be 'grid' or 'random', not {search!r}")
    known = CIKM_PARAMETERS if dataset == "cikm16" else HANOI_PARAMETERS
    parameters: dict[str, list[Any]] = {}
    for name, values in dict(raw.get("parameters", {})).items():
        if name not in known:
            raise ExperimentConfigError(
                f"{origin}: [parameters] {name!r} is not a parameter of {dataset} ({', '.join(known)})"
            )
        listed = values if isinstance(values, list) else [values]
        if not listed or (search == "random" and len(listed) != 2):
            raise ExperimentConfigError(
                f"{origin}: [parameters] {name} needs a list of values (grid) or [low, high] (random)"
            )
        parameters[name] = [known[name](value) for value in listed]
    default_metric = "f1_mean" if dataset == "cikm16" else "ndcg_at_10_learnt"
    return ExperimentConfig(
        name=str(experiment.get("name", Path(origin).stem)),
        dataset=dataset,
        search=search,
        metric=str(experiment.get("metric", default_metric)),
        seed=int(experiment.get("seed", 0)),
        trials=int(experiment.get("trials", 10)),
        dataset_options=dict(raw.get("dataset", {})),
        parameters=parameters,
        source=source,
    )


def parameter_sets(config: ExperimentConfig) -> list[dict[str, Any]]:
    """Every grid point, or ``trials`` seeded random draws (log-uniform for positive floats spanning a decade)."""
    names = sorted(config.parameters)
    if config.search == "grid":
        return [
            dict(zip(names, values, strict=True))
            for values in itertools.product(*(config.parameters[n] for n in names))
        ]
    rng = np.random.default_rng(config.seed)
    draws = []
    for _ in range(config.trials):
        point: dict[str, Any] = {}
        for name in names:
            low, high = config.parameters[name]
            if isinstance(low, int) and isinstance(high, int):
                point[name] = int(rng.integers(low, high + 1))
            elif low > 0 and high / low >= 10:
                point[name] = float(np.exp(rng.uniform(np.log(low), np.log(high))))
            else:
                point[name] = float(rng.uniform(low, high))
        draws.append(point)
    return draws


def run_experiment(
    config: ExperimentConfig, catalogue: Catalogue, *, on_progress: ProgressFn | None = None
) -> ExperimentResult:
    """Evaluate every parameter set; the best run maximises ``config.metric``.

    Raises
    ------
    ExperimentConfigError
        If the metric is not among the dataset's metrics.
    recommender.feedback.FeedbackError, recommender.tours.errors.TourDataError
        If the dataset files are missing or malformed.
    """
    evaluate = _evaluator(config, catalogue)
    points = parameter_sets(config)
    runs: list[dict[str, Any]] = []
    for index, parameters in enumerate(points):
        started = time.perf_counter()
        metrics = evaluate(parameters)
        runs.append(
            {
                "run": index,
                "parameters": parameters,
                "metrics": metrics,
                "time_s": round(time.perf_counter() - started, 3),
            }
        )
        if on_progress is not None:
            on_progress(index + 1, len(points), runs[-1])
    if config.metric not in runs[0]["metrics"]:
        raise ExperimentConfigError(f"metric {config.metric!r} is not one of {', '.join(sorted(runs[0]['metrics']))}")
    best = max(runs, key=lambda run: run["metrics"][config.metric])
    return ExperimentResult(config=config, runs=runs, best=best)


def _evaluator(config: ExperimentConfig, catalogue: Catalogue) -> Callable[[dict[str, Any]], dict[str, float]]:
    if config.dataset == "cikm16":
        return _cikm_evaluator(config)
    events, interests = hanoi_dataset(config, catalogue)

    def evaluate(parameters: dict[str, Any]) -> dict[str, float]:
        metrics = evaluate_ranking(catalogue, events, interests, settings=hanoi_settings(parameters), seed=config.seed)
        return metrics.flat()

    return evaluate


def hanoi_dataset(
    config: ExperimentConfig, catalogue: Catalogue
) -> tuple[list[FeedbackEvent], dict[str, dict[str, float]]]:
    """The events and declared interests of a Hanoi dataset (synthetic, or a log exported from the store)."""
    options = config.dataset_options
    if config.dataset == "hanoi-synthetic":
        log = synthetic_events(
            catalogue,
            SyntheticSettings(users=int(options.get("users", 600)), seed=int(options.get("seed", config.seed))),
        )
        return log.events, log.interests
    if "path" not in options:
        raise ExperimentConfigError("[dataset] path is required for hanoi-log (a JSONL feedback log)")
    interests: dict[str, dict[str, float]] = {}
    if "interests" in options:
        interests = json.loads(Path(str(options["interests"])).read_text(encoding="utf-8"))
    return read_events(Path(str(options["path"]))), interests


def hanoi_settings(parameters: Mapping[str, Any]) -> PreferenceSettings:
    """Preference-model settings from one parameter set (defaults for what it does not name)."""
    defaults_als, defaults = ALSSettings(), PreferenceSettings()
    return PreferenceSettings(
        als=ALSSettings(
            factors=int(parameters.get("factors", defaults_als.factors)),
            regularization=float(parameters.get("regularization", defaults_als.regularization)),
            alpha=float(parameters.get("alpha", defaults_als.alpha)),
            iterations=int(parameters.get("iterations", defaults_als.iterations)),
        ),
        inverse_regularization=float(parameters.get("inverse_regularization", defaults.inverse_regularization)),
        neighbourhood_shrinkage=float(parameters.get("neighbourhood_shrinkage", defaults.neighbourhood_shrinkage)),
    )


def _cikm_evaluator(config: ExperimentConfig) -> Callable[[dict[str, Any]], dict[str, float]]:
    options = config.dataset_options
    if "path" not in options:
        raise ExperimentConfigError("[dataset] path is required for cikm16 (the folder of poi-*.csv / traj-*.csv)")
    cities = cities_to_run(str(options["path"]), ",".join(options["cities"]) if "cities" in options else None)

    def evaluate(parameters: dict[str, Any]) -> dict[str, float]:
        metrics: dict[str, float] = {}
        per_metric: dict[str, list[float]] = {"f1": [], "pairs_f1": [], "f1_inner": []}
        for record in run_tours_benchmark(
            str(options["path"]),
            cities,
            l2=float(parameters.get("l2", 1.0)),
            sub_tours=int(parameters.get("sub_tours", 0)),
        ):
            for name, values in per_metric.items():
                figure = float(record[name])  # type: ignore[arg-type]
                metrics[f"{name}_{record['city']}"] = figure
                values.append(figure)
        for name, values in per_metric.items():
            metrics[f"{name}_mean"] = round(float(np.mean(values)), 4)
        return metrics

    return evaluate


# -- the results folder ------------------------------------------------------------------------------


def write_results(result: ExperimentResult, out_dir: Path, *, catalogue: Catalogue | None = None) -> Path:
    """Write the results folder atomically (built beside it, then renamed); returns its path.

    Holds ``config.toml``, ``runs.jsonl``, ``runs.csv``, ``best.json``, ``best_model.npz`` (Hanoi datasets, the
    best settings refitted on the whole dataset) and ``plots/*.png``.

    Raises
    ------
    ExperimentConfigError
        If ``out_dir`` exists already (results are never overwritten).
    """
    target = Path(out_dir)
    if target.exists():
        raise ExperimentConfigError(f"{target} exists already; choose another --out (results are never overwritten)")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        (staging / "config.toml").write_text(result.config.source, encoding="utf-8")
        with (staging / "runs.jsonl").open("w", encoding="utf-8") as out:
            for run in result.runs:
                out.write(json.dumps(run, ensure_ascii=False) + "\n")
        _write_csv(staging / "runs.csv", result.runs)
        (staging / "best.json").write_text(json.dumps(result.best, indent=2, ensure_ascii=False), encoding="utf-8")
        if catalogue is not None and result.config.dataset != "cikm16":
            events, interests = hanoi_dataset(result.config, catalogue)
            model = PreferenceModel(catalogue, hanoi_settings(result.best["parameters"])).fit(events, interests)
            model.save(staging / "best_model.npz")
        (staging / "plots").mkdir()
        plot_results(result, staging / "plots")
        staging.replace(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _write_csv(path: Path, runs: list[dict[str, Any]]) -> None:
    parameter_names = sorted({name for run in runs for name in run["parameters"]})
    metric_names = sorted({name for run in runs for name in run["metrics"]})
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["run", *parameter_names, *metric_names, "time_s"])
        for run in runs:
            writer.writerow(
                [
                    run["run"],
                    *(run["parameters"].get(name, "") for name in parameter_names),
                    *(run["metrics"].get(name, "") for name in metric_names),
                    run["time_s"],
                ]
            )


def iter_runs(result: ExperimentResult) -> Iterator[tuple[dict[str, Any], dict[str, float]]]:
    """(parameters, metrics) of every run, for notebooks."""
    for run in result.runs:
        yield run["parameters"], run["metrics"]
