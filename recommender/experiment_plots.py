"""PNG plots of an experiment: the metric against each parameter, and per-city bars against published baselines.

matplotlib's object interface (``Figure``) draws straight to files: no pyplot state, no display needed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from matplotlib.figure import Figure

from recommender.tours.published import PUBLISHED_F1, PUBLISHED_PAIRS_F1, best_published

if TYPE_CHECKING:
    from recommender.experiment import ExperimentResult


def plot_results(result: ExperimentResult, folder: Path) -> list[Path]:
    """Write the plots into ``folder``; returns their paths."""
    written = [_metric_against(result, name, folder) for name in sorted(result.config.parameters)]
    if result.config.dataset == "cikm16":
        written.append(_cities_against_published(result, folder))
    else:
        written.append(_methods_bar(result, folder))
    return written


def _metric_against(result: ExperimentResult, parameter: str, folder: Path) -> Path:
    metric = result.config.metric
    xs = [run["parameters"][parameter] for run in result.runs]
    ys = [run["metrics"][metric] for run in result.runs]
    figure = Figure(figsize=(6, 4))
    axes = figure.subplots()
    axes.scatter(xs, ys, alpha=0.7)
    best = result.best
    axes.scatter([best["parameters"][parameter]], [best["metrics"][metric]], color="crimson", label="best run")
    if all(isinstance(x, int | float) and x > 0 for x in xs) and max(xs) / min(xs) >= 20:
        axes.set_xscale("log")
    axes.set_xlabel(parameter)
    axes.set_ylabel(metric)
    axes.set_title(f"{result.config.name}: {metric} by {parameter}")
    axes.legend()
    figure.tight_layout()
    path = folder / f"{metric}_by_{parameter}.png"
    figure.savefig(path, dpi=110)
    return path


def _methods_bar(result: ExperimentResult, folder: Path) -> Path:
    """Hanoi datasets: the best run's NDCG per method (popularity, content, ALS, neighbourhood, learnt)."""
    metrics: dict[str, Any] = result.best["metrics"]
    names = [key for key in metrics if key.startswith("ndcg_at_")]
    figure = Figure(figsize=(7, 4))
    axes = figure.subplots()
    axes.bar([name.split("_", 3)[-1] for name in names], [metrics[name] for name in names], color="#1565c0")
    axes.set_ylabel(names[0].rsplit("_", 1)[0] if names else "ndcg")
    axes.set_title(
        f"{result.config.name}: best run, by method (synthetic data)"
        if result.config.dataset == "hanoi-synthetic"
        else f"{result.config.name}: best run, by method"
    )
    figure.tight_layout()
    path = folder / "methods.png"
    figure.savefig(path, dpi=110)
    return path


def _cities_against_published(result: ExperimentResult, folder: Path) -> Path:
    """cikm16: the best run's F1 and pairs-F1 per city beside the best published method's."""
    metrics: dict[str, Any] = result.best["metrics"]
    cities = sorted(
        key.removeprefix("f1_") for key in metrics if key.startswith("f1_") and key.count("_") == 1 and key != "f1_mean"
    )
    figure = Figure(figsize=(10, 4))
    panels = figure.subplots(1, 2)
    for axes, (name, table) in zip(panels, (("f1", PUBLISHED_F1), ("pairs_f1", PUBLISHED_PAIRS_F1)), strict=True):
        ours = [metrics.get(f"{name}_{city}", 0.0) for city in cities]
        published = [best[1] if (best := best_published(city, table)) else 0.0 for city in cities]  # 0: none
        positions = list(range(len(cities)))
        axes.bar([p - 0.2 for p in positions], ours, width=0.4, label="ours", color="#1565c0")
        axes.bar([p + 0.2 for p in positions], published, width=0.4, label="best published", color="#9e9e9e")
        axes.set_xticks(positions, cities)
        axes.set_title(name)
        axes.set_ylim(0, 1)
        axes.legend()
    figure.tight_layout()
    path = folder / "cities_vs_published.png"
    figure.savefig(path, dpi=110)
    return path
