"""``heritage communes``: story coverage of the 126 wards and communes, and the roles of their editors.

``heritage communes --json`` gives, for operators and researchers, one row per unit of 2025 with the story status, the
signature place and the public-transport time to it from Hoàn Kiếm Lake at 09:00 (the router's own journey, as
``GET /v1/routes`` answers). ``heritage communes grant`` makes an account the editor of one unit, or a moderator.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from api.city import city_router, open_city
from cli.console import err_console, fail, print_json
from cli.errors import domain_errors
from recommender.communes.stories import default_stories
from recommender.operators import commune_coverage
from recommender.wards import default_wards

communes_app = typer.Typer(
    help="Story coverage of the 126 wards and communes (--json), and editor roles (grant).",
    invoke_without_command=True,
)


@communes_app.callback()
def communes(
    ctx: typer.Context,
    bundle: Annotated[
        Path | None, typer.Option(help="A bundle directory; default: the current inputs' bundle.")
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print JSON (one object per unit) instead of a table.")
    ] = False,
) -> None:
    """Coverage of the 126 wards and communes: verified story or not, and the bus time from Hoàn Kiếm at 09:00."""
    if ctx.invoked_subcommand is not None:
        return
    with domain_errors():
        city = open_city(bundle)
        rows = commune_coverage(city, city_router(city), default_stories())
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
        place = row["signature_place"]
        table.add_row(str(row["name"]), str(row["status"]), place["name"] if place else "-", time)
    err_console.print(table)


@communes_app.command("grant")
def grant(
    role: Annotated[str, typer.Option(help="editor (of one unit) or moderator (approves revisions of every unit).")],
    email: Annotated[str | None, typer.Option(help="The account's email.")] = None,
    user_id: Annotated[str | None, typer.Option(help="The account's id (an anonymous account has no email).")] = None,
    unit: Annotated[
        str | None, typer.Option(help="For an editor: the ward or commune id, name or OSM relation.")
    ] = None,
) -> None:
    """Make an account the editor of one ward or commune, or a moderator, in the store (replacing its role)."""
    from sqlalchemy.exc import SQLAlchemyError

    from api.settings import get_settings
    from api.store import communes as store
    from api.store import repositories
    from api.store.db import make_engine, migrate, session_factory
    from recommender.wards import UnknownWardError

    if role not in {"editor", "moderator"}:
        fail("--role: editor or moderator", code=2)
    if (email is None) == (user_id is None):
        fail("give either --email or --user-id", code=2)
    unit_id: str | None = None
    if role == "editor":
        if unit is None:
            fail("--unit: an editor is bound to one ward or commune", code=2)
        try:
            unit_id = default_wards().find(unit).id
        except UnknownWardError as exc:
            fail(f"--unit: {exc}", code=2)
    elif unit is not None:
        fail("--unit: a moderator is not bound to a unit", code=2)
    engine = make_engine(get_settings().resolved_database_url)
    try:
        migrate(engine)
        with session_factory(engine)() as session:
            user = repositories.user_by_email(session, email) if email else repositories.get_user(session, str(user_id))
            if user is None:
                fail(f"no account with {'email ' + repr(email) if email else 'id ' + repr(user_id)}")
            store.grant(session, user_id=user.id, role=role, unit_id=unit_id)  # type: ignore[arg-type]
    except SQLAlchemyError as exc:
        fail(f"cannot write the role to the store ({engine.url.render_as_string(hide_password=True)}): {exc}")
    finally:
        engine.dispose()
    err_console.print(f"account {user.id} is now {'the editor of ' + str(unit_id) if unit_id else 'a moderator'}")
