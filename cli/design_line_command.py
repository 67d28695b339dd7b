"""``heritage design-line``: propose a heritage bus line, measure what it changes, export GTFS / GeoJSON / a map."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated

import orjson
import typer

from api.city import open_city
from cli.console import err_console, fail, print_json
from cli.errors import domain_errors
from cli.maps import self_contained_map_html
from routing import (
    CITY_TZ,
    ClockError,
    DesignOptions,
    LineDesignError,
    gtfs_tables,
    line_geojson,
    parse_span,
    write_atomically,
)

MAX_HEADWAY_MIN = 120
OPTION_OF_FIELD = {
    "place_ids": "--places",
    "interests": "--interests",
    "headway_min": "--headway",
    "max_fleet": "--max-fleet",
    "start": "--from",
    "end": "--to",
    "service_hours": "--hours",
    "objective": "--objective",
}
"""The option to change for each field a design error names."""


def parse_hours(text: str) -> tuple[int, int]:
    """``"06:00-20:00"`` -> (start, end) seconds after midnight (exits with a usage error when malformed)."""
    try:
        return parse_span(text, what="--hours")
    except ClockError as exc:
        fail(str(exc), code=2)


def _split(text: str) -> tuple[str, ...]:
    return tuple(filter(None, (part.strip() for part in text.split(","))))


def _check_output(path: Path | None, option: str) -> None:
    if path is not None and not path.resolve().parent.is_dir():
        fail(f"{option} {path}: folder {path.resolve().parent} does not exist", code=2)


def design_line(
    interests: Annotated[
        str, typer.Option(help="Comma-separated categories the line serves, e.g. heritage,ci_centre.")
    ] = "",
    headway: Annotated[float, typer.Option(help="Minutes between buses.")] = 15.0,
    places: Annotated[str, typer.Option("--places", help="Comma-separated place ids the line must serve.")] = "",
    from_: Annotated[
        str | None, typer.Option("--from", help='Start terminal: a place id or name, or "lat,lon".')
    ] = None,
    to: Annotated[str | None, typer.Option("--to", help="End terminal (makes a two-way line).")] = None,
    loop: Annotated[bool, typer.Option("--loop", help="Loops only (as --kind loop).")] = False,
    hours: Annotated[str, typer.Option(help="Service hours HH:MM-HH:MM.")] = "06:00-20:00",
    layover: Annotated[float, typer.Option(help="Layover at each terminal, minutes.")] = 5.0,
    max_stops: Annotated[int, typer.Option(min=2, help="Most candidate stops the search considers.")] = 16,
    max_fleet: Annotated[
        int | None, typer.Option("--max-fleet", help="Most buses the line may use (the search stays under it).")
    ] = None,
    objective: Annotated[
        str, typer.Option(help="visitors (site to site, by popularity) or residents (wards to sites).")
    ] = "visitors",
    search_time: Annotated[float, typer.Option(help="Seconds the line search may take.")] = 40.0,
    kind: Annotated[str, typer.Option(help="Line shapes the search tries: any, loop or line (two-way).")] = "any",
    vnd_per_vehicle_km: Annotated[
        float, typer.Option(help="Operating cost per vehicle-km, VND (estimated default: docs/DATA.md).")
    ] = DesignOptions.vnd_per_vehicle_km,
    vnd_per_vehicle_hour: Annotated[
        float, typer.Option(help="Operating cost per vehicle-hour, VND (estimated default: docs/DATA.md).")
    ] = DesignOptions.vnd_per_vehicle_hour,
    name: Annotated[str, typer.Option(help="The line's name.")] = "Heritage line",
    line_id: Annotated[str, typer.Option(help="The line's id (GTFS route_id, prefix of new stop ids).")] = "heritage",
    evaluate: Annotated[
        bool,
        typer.Option(help="Measure door-to-door times between the theme's places and from the wards, before/after."),
    ] = True,
    bundle: Annotated[Path | None, typer.Option(help="A bundle directory (default: current).")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the proposal as JSON.")] = False,
    gtfs: Annotated[Path | None, typer.Option("--gtfs", help="Write the line as a GTFS zip.")] = None,
    map_path: Annotated[
        Path | None, typer.Option("--map", help="Write a map of the line (HTML, self-contained).")
    ] = None,
    geojson: Annotated[Path | None, typer.Option("--geojson", help="Write the line and its stops as GeoJSON.")] = None,
) -> None:
    """Design a bus line worth running: most benefit per vehicle-hour under the fleet cap, alternatives, costs."""
    if not (0 < headway <= MAX_HEADWAY_MIN and headway * 60 == round(headway * 60)):
        fail(f"--headway {headway:g}: give minutes between buses, more than 0 and at most {MAX_HEADWAY_MIN}")
    if max_fleet is not None and max_fleet < 1:
        fail(f"--max-fleet {max_fleet}: give at least one bus")
    if kind not in ("any", "loop", "line"):
        fail(f"--kind {kind!r}: give any, loop or line")
    if objective not in ("visitors", "residents"):
        fail(f"--objective {objective!r}: give visitors or residents")
    if not (vnd_per_vehicle_km >= 0 and vnd_per_vehicle_hour >= 0 and search_time > 0):
        fail("--vnd-per-vehicle-km, --vnd-per-vehicle-hour must be >= 0 and --search-time > 0")
    if layover < 0:
        fail(f"--layover {layover:g}: give a number of minutes >= 0", code=2)
    if to is not None and from_ is None:
        fail("--to needs --from: a line runs between two terminals", code=2)
    if to is not None and loop:
        fail("--loop and --to exclude each other: a loop returns to its start", code=2)
    if not interests.strip() and not places.strip():
        fail("give --interests (e.g. heritage,ci_centre) and/or --places", code=2)
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,32}", line_id):
        fail(f"--line-id {line_id!r}: use 1-32 letters, digits, '-' or '_'", code=2)
    start_s, end_s = parse_hours(hours)
    for path, option in ((gtfs, "--gtfs"), (map_path, "--map"), (geojson, "--geojson")):
        _check_output(path, option)
    options = DesignOptions(
        headway_s=round(headway * 60),
        start_s=start_s,
        end_s=end_s,
        layover_s=layover * 60,
        max_stops=max_stops,
        line_id=line_id,
        name=name,
        max_fleet=max_fleet,
        kind="loop" if loop or kind == "loop" else "line" if kind == "line" else "any",
        search_time_s=search_time,
        vnd_per_vehicle_km=vnd_per_vehicle_km,
        vnd_per_vehicle_hour=vnd_per_vehicle_hour,
    )
    from recommender.operators import line_map, propose_line

    with domain_errors():
        city = open_city(bundle)
        try:
            proposal = propose_line(
                city,
                interests=_split(interests),
                place_ids=_split(places),
                start=from_,
                end=to,
                options=options,
                evaluate=evaluate,
                objective="residents" if objective == "residents" else "visitors",
            )
        except LineDesignError as exc:
            fail(f"{OPTION_OF_FIELD.get(exc.field, exc.field)}: {exc}")
        schedule = proposal.line.schedule
        served = proposal.evaluation.served if proposal.evaluation is not None else None
        # Everything is computed before anything is written: a failure leaves no partial file behind.
        outputs: list[tuple[Path, bytes]] = []
        if gtfs is not None:
            outputs.append((gtfs, _zip(gtfs_tables(schedule, start_date=dt.datetime.now(tz=CITY_TZ).date()))))
        if geojson is not None:
            outputs.append((geojson, orjson.dumps(line_geojson(schedule, served=served))))
        if map_path is not None:
            try:
                page = self_contained_map_html(line_map(proposal, city))
            except ValueError as exc:
                fail(f"--map {map_path}: {exc}")
            outputs.append((map_path, page.encode("utf-8")))
        for path, content in outputs:
            write_atomically(path, content)
            err_console.print(f"written {path}")
    payload = proposal.to_dict()
    if gtfs is not None:
        payload["gtfs"] = str(gtfs)
    if json_output:
        print_json(payload)
    else:
        _print_summary(payload)


def _zip(files: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _print_summary(payload: dict[str, object]) -> None:
    stops = payload["stops"]
    assert isinstance(stops, list)
    err_console.print(
        f"{payload['name']} ({payload['kind']}): {len(stops)} stops, round trip {payload['round_trip_min']} min, "
        f"{payload['fleet_size']} buses every {payload['headway_min']:g} min, "
        f"{payload['vehicle_km_per_day']} vehicle-km and {payload['vehicle_hours_per_day']} vehicle-hours a day"
    )
    for stop in stops:
        err_console.print(f"  {stop['order'] + 1:>2}. {stop['name']}" + ("  (new stop)" if stop["new"] else ""))
    evaluation = payload.get("evaluation")
    if isinstance(evaluation, dict):
        summary = evaluation["summary"]
        err_console.print(
            f"{payload.get('sites_served_count')} places within 400 m of a stop; all pairs: mean "
            f"{summary['mean_before_min']} -> {summary['mean_after_min']} min, "
            f"{summary['share_improved'] * 100:.1f} % of pairs faster; pairs the line touches "
            f"({summary.get('touched_pairs', 0)}): {summary.get('touched_mean_saving_min', 0)} min saved on average, "
            f"{summary.get('touched_share_improved', 0) * 100:.1f} % faster by a minute or more"
        )
    cost = payload.get("operating_cost")
    if isinstance(cost, dict):
        err_console.print(f"operating cost (estimated unit costs): {cost['vnd_per_day']:,} VND a day")
    residents = payload.get("residents")
    if isinstance(residents, dict):
        gains = residents["residents_gaining_access"]
        err_console.print(
            "residents gaining a site within 30/45/60 min: " + " / ".join(f"{gains[k]:,}" for k in ("30", "45", "60"))
        )
        for ward in residents["wards"][:5]:
            err_console.print(
                f"  {ward['name']} (pop. {ward['population']:,}{' est.' if ward['population_estimated'] else ''}): "
                f"{ward['nearest_site_before_min']} -> {ward['nearest_site_after_min']} min"
            )
