"""``heritage feedback ...``: feedback logs for the recommender — exported from the store, or synthetic."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import select

from api.settings import get_settings
from cli.console import err_console, fail
from cli.errors import domain_errors
from recommender.catalogue import load_catalogue
from recommender.feedback import EventKind, FeedbackEvent, SyntheticSettings, synthetic_events, write_events

feedback_app = typer.Typer(help="Feedback logs (JSONL) for `heritage experiment` and the recommender.")


@feedback_app.command("export")
def export(
    out: Annotated[Path, typer.Option(help="The JSONL log to write (atomically).")],
) -> None:
    """Export every stored feedback event (DATABASE_URL, else the SQLite file) as a JSONL log."""
    from sqlalchemy.exc import SQLAlchemyError

    from api.store.db import make_engine, migrate, session_factory
    from api.store.models import FeedbackEvent as StoredEvent

    _check_folder(out)
    url = get_settings().resolved_database_url
    engine = make_engine(url)
    events = []
    try:
        migrate(engine)
        with session_factory(engine)() as session:
            query = select(StoredEvent).order_by(StoredEvent.occurred_at, StoredEvent.event_id)
            for row in session.scalars(query):
                kind = EventKind(row.kind)
                value = float(row.rating) if kind is EventKind.RATING and row.rating is not None else 1.0
                events.append(FeedbackEvent(row.user_id, row.place_id, kind, row.occurred_at, value))
    except SQLAlchemyError as exc:
        fail(f"cannot read feedback from the store ({engine.url.render_as_string(hide_password=True)}): {exc}")
    finally:
        engine.dispose()
    write_events(out, events)
    err_console.print(f"{len(events)} events written to {out}")


@feedback_app.command("synth")
def synth(
    out: Annotated[Path, typer.Option(help="The JSONL log to write (every event is marked synthetic).")],
    users: Annotated[int, typer.Option(min=1, help="Synthetic travellers.")] = 600,
    seed: Annotated[int, typer.Option(help="Seed of the generator.")] = 0,
    interests_out: Annotated[
        Path | None, typer.Option(help="Also write each traveller's declared interests (JSON).")
    ] = None,
) -> None:
    """Generate a SYNTHETIC Hanoi feedback log (personas visiting plausible days); not observed behaviour."""
    _check_folder(out)
    with domain_errors():
        catalogue = load_catalogue(get_settings().resolved_catalogue_path())
        log = synthetic_events(catalogue, SyntheticSettings(users=users, seed=seed))
        write_events(out, log.events)
    if interests_out is not None:
        _check_folder(interests_out)
        interests_out.write_text(json.dumps(log.interests, indent=1, ensure_ascii=False), encoding="utf-8")
    err_console.print(f"{len(log.events)} synthetic events from {users} travellers written to {out}")


def _check_folder(path: Path) -> None:
    if not path.resolve().parent.is_dir():
        fail(f"{path}: folder {path.resolve().parent} does not exist")
