"""``heritage bench ...``: the benchmark programs of ``bench/`` behind the one command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.city import open_city
from cli.console import err_console, fail, print_json
from cli.errors import domain_errors

bench_app = typer.Typer(help="Benchmarks that compare against a baseline in the same run (JSON output).")


@bench_app.command("routing")
def routing_benchmark(
    bundle: Annotated[Path | None, typer.Option(help="A bundle directory (default: current).")] = None,
    pairs: Annotated[int, typer.Option(min=10, help="Random pairs of each kind.")] = 1000,
    seed: Annotated[int, typer.Option(help="Seed for the random pairs.")] = 0,
    nx_pairs: Annotated[int, typer.Option(min=1, help="Pairs of each kind also timed with networkx.")] = 200,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON (the only format).")] = True,
) -> None:
    """Walk and bus query speed against networkx Dijkstra on the same graph and pairs, plus matrices and memory."""
    from bench.routing import bench_routing

    with domain_errors():
        city = open_city(bundle)
    print_json(bench_routing(city.bundle, pairs=pairs, seed=seed, nx_pairs=nx_pairs))


@bench_app.command("optw")
def optw_benchmark(
    instances: Annotated[Path, typer.Option(help="Folder of TOPTW / TTDP instance files.")],
    time_limit: Annotated[float, typer.Option(min=0.01, help="Seconds per instance.")] = 1.0,
    seed: Annotated[int, typer.Option(help="Seed of the search.")] = 0,
    best_known: Annotated[Path | None, typer.Option(help="best_known_m1.csv (default: beside the folder).")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="One JSON object per line (the only format).")] = True,
) -> None:
    """Solve every instance with one route: score, time and route per line, then a summary line."""
    import sys

    import orjson

    from recommender.planner import run_optw_benchmark

    if not instances.is_dir():
        fail(f"--instances {instances}: no such folder")
    with domain_errors():
        for record in run_optw_benchmark(instances, time_limit_s=time_limit, seed=seed, best_known_csv=best_known):
            sys.stdout.buffer.write(orjson.dumps(record) + b"\n")
            sys.stdout.flush()


@bench_app.command("tours")
def tours_benchmark(
    data: Annotated[Path, typer.Option(help="Folder of poi-<X>.csv and traj-<X>.csv files (cikm16 or your own).")],
    city: Annotated[
        str,
        typer.Option(
            help="City codes X as in the file names (or full names, e.g. Toronto for Toro), comma-separated, "
            "or all: every X with both files in --data."
        ),
    ] = "all",
    predictions: Annotated[Path | None, typer.Option(help="Write one JSON line per query here (atomically).")] = None,
    l2: Annotated[float, typer.Option(min=0.0, help="L2 penalty of the step model.")] = 1.0,
    sub_tours: Annotated[int, typer.Option(min=0, help="Also train on stretches of 3..N POIs (0: off).")] = 0,
    json_output: Annotated[bool, typer.Option("--json", help="One JSON object per line (the only format).")] = True,
) -> None:
    """Leave-one-out tour recommendation per city: F1, pairs-F1, inner F1 against PoiPopularity and the paper.

    Any city X whose poi-X.csv and traj-X.csv are in --data; one the paper did not measure reports no published figure.
    """
    import sys

    import orjson

    from recommender.tours.benchmark import (
        check_predictions_path,
        cities_to_run,
        run_tours_benchmark,
        summary_record,
        write_predictions,
    )
    from recommender.tours.data import unpaired_files

    if not data.is_dir():
        fail(f"--data {data}: no such folder")
    with domain_errors():
        cities = cities_to_run(data, city)
        if city.strip().lower() == "all" and (lonely := unpaired_files(data)):
            err_console.print(f"note: skipped {', '.join(lonely)} (each needs its poi-/traj- partner)", markup=False)
        if predictions is not None:
            check_predictions_path(predictions)
        collected: list[dict[str, object]] | None = [] if predictions is not None else None
        records = []
        for record in run_tours_benchmark(data, cities, l2=l2, sub_tours=sub_tours, predictions=collected):
            records.append(record)
            sys.stdout.buffer.write(orjson.dumps(record) + b"\n")
            sys.stdout.flush()
        if len(records) > 1:
            sys.stdout.buffer.write(orjson.dumps(summary_record(records)) + b"\n")
        if predictions is not None and collected is not None:
            write_predictions(predictions, collected)
