"""``heritage places``: search the place catalogue."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from api.settings import get_settings
from cli.console import err_console, fail, print_json
from cli.errors import domain_errors
from recommender.catalogue import load_catalogue
from recommender.taxonomy import Category


def places(
    query: Annotated[
        str | None, typer.Option(help="Text to look for in names, districts and dishes (accents optional).")
    ] = None,
    category: Annotated[str | None, typer.Option(help=f"One of: {', '.join(c.value for c in Category)}.")] = None,
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
        found = catalogue.search(query, category=chosen, limit=limit)
    if json_output:
        print_json([place.model_dump(mode="json") for place in found])
        return
    table = Table(title=f"{len(found)} places")
    for column in ("id", "name", "categories", "district", "opening hours"):
        table.add_column(column)
    for place in found:
        table.add_row(
            place.id,
            f"{place.name_en} / {place.name_vi}",
            ", ".join(str(c) for c in place.categories),
            str(place.district),
            place.opening_hours,
        )
    err_console.print(table)
