"""``heritage communes``: per ward and commune, whether it has a verified story and how far its signature place is.

For operators and researchers: one row per unit of 2025 (126), with the story status, the signature place and the
public-transport time to it from Hoàn Kiếm Lake at 09:00 (the router's own journey, as ``GET /v1/routes`` answers).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from api.city import open_city
from cli.console import err_console, print_json
from cli.errors import domain_errors
from recommender.communes.access import getting_there
from recommender.communes.stories import communes as all_communes
from recommender.communes.stories import default_stories
from recommender.wards import default_wards
from routing.city_router import CityRouter


def communes(
    bundle: Annotated[
        Path | None, typer.Option(help="A bundle directory; default: the current inputs' bundle.")
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print JSON (one object per unit) instead of a table.")
    ] = False,
) -> None:
    """Coverage of the 126 wards and communes: verified story or not, and the bus time from Hoàn Kiếm at 09:00."""
    rows: list[dict[str, object]] = []
    with domain_errors():
        city = open_city(bundle)
        router = CityRouter(city.bundle)
        for commune in all_communes(default_wards(), default_stories()):
            story = commune.story
            places = [p for p in (story.place_ids if story else ()) if p in city.catalogue]
            access = getting_there(router, city.catalogue, places[0]).to_dict() if places else None
            rows.append(
                {
                    "id": commune.ward.id,
                    "name": commune.ward.name,
                    "kind": commune.ward.kind,
                    "status": commune.status,
                    "verified_story": commune.status == "verified",
                    "signature_place": places[0] if places else None,
                    "transit_from_hoan_kiem": access,
                }
            )
    if json_output:
        print_json(rows)
        return
    table = Table(
        title=f"{sum(bool(row['verified_story']) for row in rows)} of {len(rows)} units with a verified story"
    )
    for column in ("unit", "story", "signature place", "from Hoàn Kiếm 09:00"):
        table.add_column(column)
    for row in rows:
        transit = row["transit_from_hoan_kiem"]
        time = "-" if not isinstance(transit, dict) else f"{transit['duration_min'] or '-'} min ({transit['status']})"
        table.add_row(str(row["name"]), str(row["status"]), str(row["signature_place"] or "-"), time)
    err_console.print(table)
