"""The ``heritage`` command: build the city bundle, inspect it, search places, serve the API."""

from __future__ import annotations

import typer

from cli.bench_commands import bench_app
from cli.bundle_commands import build, info
from cli.place_commands import places
from cli.route_command import route
from cli.serve_command import serve

app = typer.Typer(
    name="heritage",
    help="Walking and bus itineraries through Hanoi's heritage sites, craft villages, food and CI centres.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command()(build)
app.command()(info)
app.command()(places)
app.command()(route)
app.command()(serve)
app.add_typer(bench_app, name="bench")

if __name__ == "__main__":
    app()
