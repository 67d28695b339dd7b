"""``heritage operator-key ...``: API keys for bus operators (``X-API-Key`` on ``/v1/operators/*``)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from api.settings import get_settings
from cli.console import err_console, fail

operator_key_app = typer.Typer(help="Operator API keys for the /v1/operators endpoints and the /operators/ page.")


@operator_key_app.command("create")
def create(
    name: Annotated[str, typer.Option(help="Who the key is for, e.g. the operator's name (1-100 characters).")],
) -> None:
    """Create an operator key in the store (DATABASE_URL, else the SQLite file) and print it once on stdout."""
    from sqlalchemy.exc import SQLAlchemyError

    from api.store import repositories
    from api.store.db import make_engine, migrate, session_factory

    name = name.strip()
    if not 1 <= len(name) <= 100:
        fail("--name: give 1 to 100 characters", code=2)
    engine = make_engine(get_settings().resolved_database_url)
    try:
        migrate(engine)
        with session_factory(engine)() as session:
            row, secret = repositories.create_api_key(session, name=name, scopes=("operator",))
    except SQLAlchemyError as exc:
        fail(f"cannot write the key to the store ({engine.url.render_as_string(hide_password=True)}): {exc}")
    finally:
        engine.dispose()
    sys.stdout.write(secret + "\n")
    sys.stdout.flush()
    err_console.print(f"operator key {row.id} for {name!r} created; it is shown only this once (send it as X-API-Key)")
