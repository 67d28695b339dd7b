"""``heritage route``: a walk or a bus journey between two places or coordinates."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from api.city import city_router, open_city
from cli.console import err_console, fail, print_json
from cli.errors import EXIT_BAD_INPUT, domain_errors
from recommender.locate import resolve_location
from routing import DAY_S, ClockError, parse_clock


class Mode(StrEnum):
    """How the traveller moves."""

    WALK = "walk"
    BUS = "bus"


def parse_depart(text: str) -> int:
    """``"HH:MM"`` -> seconds after midnight (exits with a usage error when malformed)."""
    try:
        return parse_clock(text, what="--depart", latest_s=DAY_S - 60)
    except ClockError as exc:
        fail(str(exc), code=2)


def route(
    from_: Annotated[str, typer.Option("--from", help='Start: "lat,lon", a place id or a place name.')],
    to: Annotated[str, typer.Option("--to", help='End: "lat,lon", a place id or a place name.')],
    mode: Annotated[Mode, typer.Option(help="walk, or bus (bus + walk, RAPTOR).")] = Mode.WALK,
    depart: Annotated[str, typer.Option(help="Departure time HH:MM (bus mode).")] = "09:00",
    bundle: Annotated[
        Path | None, typer.Option(help="A bundle directory; default: the current inputs' bundle.")
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON (with GeoJSON geometry).")] = False,
) -> None:
    """Find the shortest walk, or the Pareto-optimal bus journeys (arrival time vs rides), from A to B.

    The answer says how each end meets the streets and the buses ("access") and what kind of answer it is
    ("status"). A walk longer than 8 km is not offered; a place out of reach of public transport answers
    "no_public_transport" (taxi only) with its nearest stop. Exit status 1 when no route is offered (the JSON
    answer, with --json, still says why and how to get there).
    """
    depart_s = parse_depart(depart)
    with domain_errors():
        city = open_city(bundle)
        start = resolve_location(from_, city.catalogue)
        end = resolve_location(to, city.catalogue)
        router = city_router(city)
        answer = router.route(
            (start.lat, start.lon),
            (end.lat, end.lon),
            mode=mode.value,
            depart_s=depart_s,
            from_place=start.place.id if start.place else None,
            to_place=end.place.id if end.place else None,
        )
        payload = {"mode": mode.value, "from": start.label, "to": end.label, **answer.to_dict()}
    if json_output:
        print_json(payload)
    if not answer.offered:
        message = answer.message()
        if answer.suggestion == "bus" and mode is Mode.WALK:
            message = message.removesuffix(".") + " (use --mode bus)."
        fail(message, code=EXIT_BAD_INPUT)
    if answer.walk is not None:
        summary = f"walk {answer.walk.length_m:,.0f} m, {answer.walk.duration_s / 60:.0f} min"
    else:
        plan = answer.plan
        assert plan is not None
        summary = f"{len(plan.journeys)} bus journeys; bus beats walking: {plan.bus_beats_walking}"
    if answer.message():
        summary += f". {answer.message()}"
    if not json_output:
        err_console.print(f"{start.label} → {end.label}: {summary}")
