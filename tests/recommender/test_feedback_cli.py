"""`heritage feedback export` reads what the API stored; `heritage feedback synth` writes a synthetic log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.settings import get_settings
from api.store.db import make_engine, migrate, session_factory
from api.store.repositories import create_user, record_feedback
from cli.main import app as cli_app
from recommender.feedback import EventKind, read_events

EVENT = {"place_id": "temple-of-literature", "itinerary_id": None, "rating": None}


@pytest.fixture
def sqlite_store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    path = tmp_path / "store.sqlite3"
    monkeypatch.setenv("HERITAGE_SQLITE_PATH", str(path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("HERITAGE_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield f"sqlite:///{path}"
    get_settings.cache_clear()


def test_export_writes_the_stored_events_in_the_log_format(sqlite_store: str, tmp_path: Path) -> None:
    engine = make_engine(sqlite_store)
    migrate(engine)
    at = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC)
    with session_factory(engine)() as session:
        user = create_user(session, device_name="phone")
        record_feedback(
            session,
            user.id,
            [
                # as the API stores them: every field present (FeedbackEventIn.model_dump())
                {**EVENT, "event_id": "e1", "kind": "visit", "occurred_at": at},
                {**EVENT, "event_id": "e2", "kind": "rating", "rating": 5, "occurred_at": at},
            ],
        )
        user_id = user.id
    engine.dispose()
    out = tmp_path / "log.jsonl"
    result = CliRunner().invoke(cli_app, ["feedback", "export", "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    events = read_events(out)
    assert [(e.user_id, e.kind, e.value) for e in events] == [
        (user_id, EventKind.VISIT, 1.0),
        (user_id, EventKind.RATING, 5.0),
    ]
    assert not any(e.synthetic for e in events)


def test_synth_writes_a_marked_log_and_refuses_a_missing_folder(tmp_path: Path) -> None:
    out = tmp_path / "synthetic.jsonl"
    result = CliRunner().invoke(cli_app, ["feedback", "synth", "--users", "20", "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    events = read_events(out)
    assert events
    assert all(event.synthetic for event in events)
    result = CliRunner().invoke(cli_app, ["feedback", "synth", "--out", str(tmp_path / "no" / "log.jsonl")])
    assert result.exit_code == 1
    assert "does not exist" in result.stderr
