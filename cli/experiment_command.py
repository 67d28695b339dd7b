"""``heritage experiment CONFIG.toml``: a seeded grid or random search over recommender settings, with plots."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from api.settings import get_settings
from cli.console import err_console, print_json
from cli.errors import domain_errors
from recommender.catalogue import load_catalogue


def experiment(
    config: Annotated[Path, typer.Argument(help="The experiment's TOML config (see docs/experiments/).")],
    out: Annotated[
        Path | None, typer.Option(help="Results folder to create (default: results/<name>-<time>); never overwritten.")
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the runs and the best one as JSON.")] = False,
) -> None:
    """Run a grid or random search over model settings on a dataset; write metrics, the best model and plots.

    Datasets: hanoi-synthetic (a SYNTHETIC feedback log), hanoi-log (a log exported from the store), cikm16
    (Flickr tour cities: every poi-<X>.csv + traj-<X>.csv of its folder, or its `cities`). Seeded: the same
    config gives the same results.
    """
    from recommender.experiment import load_config, run_experiment, write_results  # matplotlib: only when used

    with domain_errors():
        parsed = load_config(config)
        catalogue = load_catalogue(get_settings().resolved_catalogue_path())
        stamp = dt.datetime.now(tz=dt.UTC).strftime("%Y%m%d-%H%M%S")
        target = out or Path("results") / f"{parsed.name}-{stamp}"
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[last]}"),
            console=err_console,
        ) as progress:
            task = progress.add_task(f"{parsed.name} ({parsed.dataset})", total=None, last="")

            def on_progress(done: int, total: int, run: dict[str, Any]) -> None:
                value = run["metrics"].get(parsed.metric)
                progress.update(task, completed=done, total=total, last=f"{parsed.metric}={value}")

            result = run_experiment(parsed, catalogue, on_progress=on_progress)
        folder = write_results(result, target, catalogue=catalogue)
    err_console.print(
        f"best {parsed.metric} = {result.best['metrics'][parsed.metric]} with {result.best['parameters']}"
    )
    err_console.print(f"results in {folder}")
    if json_output:
        print_json({"best": result.best, "runs": result.runs, "folder": str(folder)})
