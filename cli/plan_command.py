"""``heritage plan``: a personalised day (or multi-day) itinerary, as JSON and optionally as a map."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from api.city import city_router, open_city
from cli.console import err_console, fail, print_json
from cli.errors import domain_errors
from cli.maps import self_contained_map_html
from recommender.locate import resolve_location
from recommender.messages import Language, Message, Name, render
from recommender.preference import PreferenceModel
from recommender.scoring import Context, Interests, Weather
from recommender.trip import MAX_DAYS, Itinerary, Pace, TravelMode, TripRequest, parse_window, plan_trip
from recommender.trip.itinerary import GeometryFormat, clock
from routing import CITY_TZ

if TYPE_CHECKING:
    pass


def plan(
    start: Annotated[str, typer.Option(help='Where each day starts: "lat,lon", a place id or a place name.')],
    end: Annotated[str | None, typer.Option(help="Where each day ends (default: the start).")] = None,
    date: Annotated[
        str | None, typer.Option(help="First day, YYYY-MM-DD (default: today); opening hours are for that date.")
    ] = None,
    window: Annotated[str, typer.Option(help="Daily window HH:MM-HH:MM.")] = "09:00-17:00",
    interests: Annotated[
        str,
        typer.Option(help="Comma-separated categories, each optionally weighted: cuisine:0.8,craft_village:0.5."),
    ] = "heritage",
    mode: Annotated[TravelMode, typer.Option(help="walk, or bus (bus and walk).")] = TravelMode.BUS,
    days: Annotated[int, typer.Option(help=f"Number of days, 1 to {MAX_DAYS}, from the same start.")] = 1,
    pace: Annotated[Pace, typer.Option(help="relaxed, normal or packed: visit lengths and slack.")] = Pace.NORMAL,
    must: Annotated[str, typer.Option(help="Comma-separated place ids to include.")] = "",
    avoid: Annotated[str, typer.Option(help="Comma-separated place ids to leave out.")] = "",
    max_walk_leg: Annotated[
        float | None,
        typer.Option(help="Longest walk between two stops, metres (default: 1,200-1,500 by bus, 2,500 on foot)."),
    ] = None,
    max_walk_day: Annotated[
        float | None,
        typer.Option(
            help="Walking budget per day, metres (default by pace: relaxed 4,500, normal 7,000, packed 10,000)."
        ),
    ] = None,
    meals: Annotated[bool, typer.Option(help="Plan lunch and dinner breaks.")] = True,
    weather: Annotated[Weather, typer.Option(help="clear or rain (rain favours indoor places).")] = Weather.CLEAR,
    children: Annotated[bool, typer.Option(help="Travelling with children (favours family-friendly places).")] = False,
    liked: Annotated[str, typer.Option(help="Comma-separated place ids the traveller liked before.")] = "",
    model: Annotated[
        Path | None,
        typer.Option(
            help="A learnt preference model (best_model.npz of `heritage experiment`); default: hand-set mix."
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the search.")] = 0,
    time_limit: Annotated[float, typer.Option(min=0.01, help="Search time per day of the plan, seconds.")] = 0.5,
    bundle: Annotated[Path | None, typer.Option(help="A bundle directory (default: current).")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the itinerary as JSON.")] = False,
    geometry: Annotated[
        GeometryFormat,
        typer.Option(help="Leg lines in the JSON: encoded polylines (precision 5) or GeoJSON LineStrings."),
    ] = GeometryFormat.POLYLINE,
    map_path: Annotated[
        Path | None, typer.Option("--map", help="Also write a map of the plan to this HTML file (folium).")
    ] = None,
    lang: Annotated[Language, typer.Option(help="Language of names, reasons and warnings: en or vi.")] = Language.EN,
) -> None:
    """Plan the best visits for the traveller's interests under opening hours, meals and the day window."""
    first_day = _parse_date(date)
    with domain_errors():
        window_start_s, window_end_s = parse_window(window)
        city = open_city(bundle)
        request = TripRequest(
            start=resolve_location(start, city.catalogue),
            end=resolve_location(end, city.catalogue) if end else None,
            date=first_day,
            window_start_s=window_start_s,
            window_end_s=window_end_s,
            interests=Interests.parse(_weights(interests)),
            mode=mode,
            days=days,
            pace=pace,
            must_visit=_ids(must),
            avoid=_ids(avoid),
            max_walk_leg_m=max_walk_leg,
            max_walk_day_m=max_walk_day,
            meals=meals,
            liked=_ids(liked),
            context=Context(weather=weather, with_children=children),
            seed=seed,
            time_limit_s=time_limit,
        )
        preference = PreferenceModel.load(model, city.catalogue) if model is not None else None
        itinerary = plan_trip(city, city_router(city), request, model=preference)
    if map_path is not None:
        _write_map(itinerary, map_path)
    if json_output:
        print_json(itinerary.to_dict(geometry=geometry, lang=lang))
    else:
        _print_summary(itinerary, lang)


def _parse_date(text: str | None) -> dt.date:
    if text is None:
        return dt.datetime.now(tz=CITY_TZ).date()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(f"--date {text!r} is not a date as YYYY-MM-DD", code=2)


def _weights(text: str) -> dict[str, float]:
    weights: dict[str, float] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, weight = item.partition(":")
        try:
            weights[name] = float(weight) if weight else 1.0
        except ValueError:
            fail(f"--interests: weight {weight!r} of {name!r} is not a number (write cuisine:0.8)", code=2)
    if not weights:
        fail("--interests: give at least one interest, e.g. heritage or cuisine:0.8,craft_village:0.5", code=2)
    return weights


def _ids(text: str) -> tuple[str, ...]:
    return tuple(filter(None, (part.strip() for part in text.split(","))))


def _write_map(itinerary: Itinerary, path: Path) -> None:
    """Write the map next to its destination first, then rename: no half-written page is ever left.

    The page is self-contained (Leaflet and jQuery inlined, see `self_contained_map_html`): it opens offline, where
    only the OpenStreetMap tiles are missing.
    """
    from recommender.trip.map import itinerary_map

    directory = path.resolve().parent
    if not directory.is_dir():
        fail(f"--map {path}: folder {directory} does not exist")
    try:
        page = self_contained_map_html(itinerary_map(itinerary))
    except ValueError as exc:
        fail(f"--map {path}: {exc}")
    handle, temporary = tempfile.mkstemp(prefix=".plan-map-", suffix=".html", dir=directory)
    os.close(handle)
    try:
        Path(temporary).write_text(page, encoding="utf-8")
        Path(temporary).chmod(0o644)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    err_console.print(f"map written to {path}")


def _print_summary(itinerary: Itinerary, lang: Language = Language.EN) -> None:
    for day in itinerary.days:
        heading = Message("summary.day", day=day.day + 1, date=day.date, start=day.start_name).render(lang)
        err_console.print(f"[bold]{escape(heading)}[/bold]")
        for leg, visit in zip(day.legs, day.visits, strict=False):
            name = Name(visit.place.name_en, visit.place.name_vi).render(lang)
            kind = Message(f"kind.{visit.kind}").render(lang)
            err_console.print(
                f"  {clock(leg.depart_s)} {leg.mode:4} → {clock(visit.start_s)}–{clock(visit.end_s)} "
                f"{escape(name)} ({kind})"
            )
        back = Message("summary.back", end=day.end_name, time=clock(day.arrive_s), walk_km=day.walk_m / 1000)
        err_console.print(f"  {escape(back.render(lang))}")
    label = Message("summary.warning").render(lang)
    for warning in itinerary.warnings:
        err_console.print(f"[yellow]{label}[/yellow] {escape(render(warning, lang))}")
