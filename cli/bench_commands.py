"""``heritage bench ...``: the benchmark programs of ``bench/`` behind the one command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.city import open_city
from cli.console import print_json
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
