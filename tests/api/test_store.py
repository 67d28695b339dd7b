"""The SQL store on SQLite and on the real PostgreSQL server: migrations, constraints, repositories, concurrency."""

from __future__ import annotations

import datetime as dt
import threading
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from api.store import repositories
from api.store.db import make_engine, migrate, session_factory
from api.store.models import Base, FeedbackEvent, SavedItinerary
from tests.api.conftest import ClientFactory, sign_in

NOW = dt.datetime(2026, 11, 24, 3, 0, tzinfo=dt.UTC)


def _event(event_id: str, kind: str = "like") -> dict[str, object]:
    return {"event_id": event_id, "kind": kind, "place_id": "temple-of-literature", "occurred_at": NOW}


def test_migrations_create_every_table_and_run_twice(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    migrate(engine)
    tables = set(inspect(engine).get_table_names())
    expected = {"users", "refresh_tokens", "itineraries", "feedback_events", "api_keys", "operator_lines"}
    assert expected | {"alembic_version"} <= tables
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0003"
        if engine.dialect.name == "sqlite":
            assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
    engine.dispose()


def test_one_idempotency_key_makes_one_itinerary_and_the_constraint_holds(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    sessions = session_factory(engine)
    with sessions() as session:
        owner = repositories.create_user(session)
        other = repositories.create_user(session)
        first, created = repositories.save_itinerary(
            session, owner_id=owner.id, title="Day 1", body={"days": []}, idempotency_key="k-1"
        )
        again, created_again = repositories.save_itinerary(
            session, owner_id=owner.id, title="Day 1 (retry)", body={"days": []}, idempotency_key="k-1"
        )
        assert created
        assert not created_again
        assert again.id == first.id
        # The same key from another owner is another itinerary.
        _, created_other = repositories.save_itinerary(
            session, owner_id=other.id, title="x", body={}, idempotency_key="k-1"
        )
        assert created_other
        # The UNIQUE constraint itself refuses a second row, whatever the code above does.
        session.add(SavedItinerary(owner_id=owner.id, title="dup", body={}, idempotency_key="k-1"))
        with pytest.raises(IntegrityError):
            session.commit()
        session.rollback()
        assert repositories.count_itineraries(session, owner.id) == 1
    engine.dispose()


def test_feedback_is_deduplicated_by_event_id(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    with session_factory(engine)() as session:
        user = repositories.create_user(session)
        assert repositories.record_feedback(session, user.id, [_event("e-1"), _event("e-2")]) == ["e-1", "e-2"]
        assert repositories.record_feedback(session, user.id, [_event("e-2"), _event("e-3", "skip")]) == ["e-2", "e-3"]
        assert repositories.count_feedback(session, user_id=user.id) == 3
        kinds = {row[0]: row[1] for row in session.execute(select(FeedbackEvent.event_id, FeedbackEvent.kind))}
        assert kinds == {"e-1": "like", "e-2": "like", "e-3": "skip"}
    engine.dispose()


def test_a_batch_keeps_fields_that_only_later_events_carry(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    with session_factory(engine)() as session:
        user = repositories.create_user(session)
        rated = {**_event("e-2", "rating"), "rating": 4}
        repositories.record_feedback(session, user.id, [_event("e-1"), rated])
        ratings = {row[0]: row[1] for row in session.execute(select(FeedbackEvent.event_id, FeedbackEvent.rating))}
        assert ratings == {"e-1": None, "e-2": 4}
    engine.dispose()


def test_listing_pages_newest_first_without_gaps(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    with session_factory(engine)() as session:
        user = repositories.create_user(session)
        saved = [repositories.save_itinerary(session, owner_id=user.id, title=f"t{i}", body={})[0].id for i in range(7)]
        seen: list[str] = []
        after = None
        while True:
            page = repositories.list_itineraries(session, user.id, limit=3, after=after)
            seen += [row.id for row in page.items]
            if page.after is None:
                break
            after = page.after
        assert sorted(seen) == sorted(saved)
        assert len(seen) == len(set(seen))
    engine.dispose()


def test_twenty_concurrent_saves_with_one_idempotency_key_make_one_itinerary(
    database_url: str, make_client: ClientFactory
) -> None:
    with make_client(database_url=database_url) as client:
        headers = sign_in(client)
        key = {"Idempotency-Key": f"save-{uuid.uuid4()}"}
        body = {"title": "Old Quarter day", "plan": {"days": [{"visits": ["hoan-kiem-lake"]}]}}
        barrier = threading.Barrier(20)
        results: list[tuple[int, str]] = []
        lock = threading.Lock()

        def save() -> None:
            barrier.wait()
            response = client.post("/v1/itineraries", json=body, headers=headers | key)
            with lock:
                results.append((response.status_code, response.json().get("id", response.text)))

        threads = [threading.Thread(target=save) for _ in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        statuses = sorted(status for status, _ in results)
        assert statuses.count(201) == 1, results
        assert statuses.count(200) == 19, results
        assert len({item_id for _, item_id in results}) == 1
        listing = client.get("/v1/me/itineraries", headers=headers).json()
        assert len(listing["items"]) == 1


def test_the_migrations_match_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []


def test_operator_api_keys_are_stored_hashed_and_can_be_revoked(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    with session_factory(engine)() as session:
        row, secret = repositories.create_api_key(session, name="Hanoi bus operator", scopes=["lines:design"])
        assert secret not in row.key_sha256
        found = repositories.api_key_for(session, secret)
        assert found is not None
        assert found.id == row.id
        assert repositories.api_key_for(session, secret + "x") is None
        repositories.revoke_api_key(session, row)
        assert repositories.api_key_for(session, secret) is None
    engine.dispose()


def test_workers_starting_together_migrate_one_at_a_time(database_url: str) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def start_worker() -> None:
        engine = make_engine(database_url)
        barrier.wait()
        try:
            migrate(engine)
        except BaseException as exc:
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=start_worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
