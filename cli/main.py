"""The ``heritage`` command: build the city bundle, inspect it, search places, route, plan trips, serve the API."""

from __future__ import annotations

import typer

from cli.bench_commands import bench_app
from cli.bundle_commands import build, info
from cli.commune_commands import communes_app
from cli.design_line_command import design_line
from cli.experiment_command import experiment
from cli.feedback_commands import feedback_app
from cli.operator_commands import operator_key_app
from cli.place_commands import places
from cli.plan_command import plan
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
app.add_typer(communes_app, name="communes")
app.command()(route)
app.command()(plan)
app.command()(serve)
app.command()(experiment)
app.command("design-line")(design_line)
app.add_typer(bench_app, name="bench")
app.add_typer(operator_key_app, name="operator-key")
app.add_typer(feedback_app, name="feedback")

if __name__ == "__main__":
    app()
