"""``heritage bench ...``: the benchmark programs of ``bench/`` behind the one command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.city import open_city
from cli.console import fail, print_json
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
