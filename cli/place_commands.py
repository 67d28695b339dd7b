"""``heritage places``: search the place catalogue."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from api.settings import get_settings
from cli.console import err_console, fail, print_json
from cli.errors import domain_errors
from recommender.catalogue import Place, load_catalogue
from recommender.taxonomy import Category


def _place_json(place: Place) -> dict[str, object]:
    """The catalogue record plus the ward's name and OSM relation and whether default plans may pick the place."""
    unit = place.ward_unit
    return {
        **place.model_dump(mode="json"),
        "ward_name": unit.name,
        "ward_osm_relation": unit.osm_relation,
        "plannable": place.plannable,
    }


def places(
    query: Annotated[
        str | None, typer.Option(help="Text to look for in names, districts and dishes (accents optional).")
    ] = None,
    category: Annotated[str | None, typer.Option(help=f"One of: {', '.join(c.value for c in Category)}.")] = None,
    ward: Annotated[
        str | None,
        typer.Option(help="2025 ward or commune: id (phuong-hoan-kiem), name (Hoàn Kiếm) or OSM relation id."),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many places.")] = 50,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Search the catalogue by text and category, most relevant and popular first."""
    chosen: Category | None = None
    if category is not None:
        try:
            chosen = Category(category)
        except ValueError:
            fail(f"unknown category {category!r}; choose one of: {', '.join(c.value for c in Category)}", code=2)
    with domain_errors():
        catalogue = load_catalogue(get_settings().resolved_catalogue_path())
        found = catalogue.search(query, category=chosen, ward=ward, limit=limit)
    if json_output:
        print_json([_place_json(place) for place in found])
        return
    table = Table(title=f"{len(found)} places")
    for column in ("id", "name", "categories", "ward or commune", "opening hours"):
        table.add_column(column)
    for place in found:
        table.add_row(
            place.id,
            f"{place.name_en} / {place.name_vi}",
            ", ".join(str(c) for c in place.categories),
            place.ward_unit.name,
            place.opening_hours if place.visiting == "regular" else f"{place.visiting}: {place.how_to_visit_en}",
        )
    err_console.print(table)
