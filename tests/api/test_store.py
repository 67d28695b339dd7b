"""The SQL store on SQLite and on the real PostgreSQL server: migrations, constraints, repositories, concurrency."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.exc import IntegrityError

from api.store import repositories
from api.store.db import (
    ANSWER_MARGIN_S,
    DatabaseTimeouts,
    DeadlineConnection,
    alembic_config,
    make_engine,
    migrate,
    session_factory,
)
from api.store.models import Base, FeedbackEvent, SavedItinerary
from tests.api.conftest import ClientFactory, fresh_postgres_database, sign_in

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()

NOW = dt.datetime(2026, 11, 24, 3, 0, tzinfo=dt.UTC)


def _event(event_id: str, kind: str = "like") -> dict[str, object]:
    return {"event_id": event_id, "kind": kind, "place_id": "temple-of-literature", "occurred_at": NOW}


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """The test database, migrated to the head revision; disposed afterwards."""
    engine = make_engine(database_url)
    migrate(engine)
    yield engine
    engine.dispose()


def test_migrations_create_every_table_and_run_twice(engine: Engine) -> None:
    migrate(engine)
    tables = set(inspect(engine).get_table_names())
    expected = {"users", "refresh_tokens", "itineraries", "feedback_events", "api_keys", "operator_lines"}
    assert expected | {"alembic_version"} <= tables
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == HEAD
        if engine.dialect.name == "sqlite":
            assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"


def test_one_idempotency_key_makes_one_itinerary_and_the_constraint_holds(engine: Engine) -> None:
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


def test_two_accounts_may_use_the_same_event_id(engine: Engine) -> None:
    with session_factory(engine)() as session:
        first, second = repositories.create_user(session), repositories.create_user(session)
        assert repositories.record_feedback(session, first.id, [_event("rating-0001", "rating")]) == ["rating-0001"]
        assert repositories.record_feedback(session, second.id, [_event("rating-0001")]) == ["rating-0001"]
        assert repositories.count_feedback(session, user_id=first.id) == 1
        assert repositories.count_feedback(session, user_id=second.id) == 1
        kinds = {row[0]: row[1] for row in session.execute(select(FeedbackEvent.user_id, FeedbackEvent.kind))}
        assert kinds == {first.id: "rating", second.id: "like"}


def test_feedback_is_deduplicated_by_event_id(engine: Engine) -> None:
    with session_factory(engine)() as session:
        user = repositories.create_user(session)
        assert repositories.record_feedback(session, user.id, [_event("e-1"), _event("e-2")]) == ["e-1", "e-2"]
        assert repositories.record_feedback(session, user.id, [_event("e-2"), _event("e-3", "skip")]) == ["e-2", "e-3"]
        assert repositories.count_feedback(session, user_id=user.id) == 3
        kinds = {row[0]: row[1] for row in session.execute(select(FeedbackEvent.event_id, FeedbackEvent.kind))}
        assert kinds == {"e-1": "like", "e-2": "like", "e-3": "skip"}


def test_a_batch_keeps_fields_that_only_later_events_carry(engine: Engine) -> None:
    with session_factory(engine)() as session:
        user = repositories.create_user(session)
        rated = {**_event("e-2", "rating"), "rating": 4}
        repositories.record_feedback(session, user.id, [_event("e-1"), rated])
        ratings = {row[0]: row[1] for row in session.execute(select(FeedbackEvent.event_id, FeedbackEvent.rating))}
        assert ratings == {"e-1": None, "e-2": 4}


def test_listing_pages_newest_first_without_gaps(engine: Engine) -> None:
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


def test_twenty_concurrent_saves_with_one_idempotency_key_make_one_itinerary(
    database_url: str, make_client: ClientFactory
) -> None:
    with make_client(database_url=database_url) as client:
        headers = sign_in(client)
        key = {"Idempotency-Key": f"save-{uuid.uuid4()}"}
        body = {"title": "Old Quarter day", "plan": {"days": []}}
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


def test_operator_api_keys_are_stored_hashed_and_can_be_revoked(engine: Engine) -> None:
    with session_factory(engine)() as session:
        row, secret = repositories.create_api_key(session, name="Hanoi bus operator", scopes=["lines:design"])
        assert secret not in row.key_sha256
        found = repositories.api_key_for(session, secret)
        assert found is not None
        assert found.id == row.id
        assert repositories.api_key_for(session, secret + "x") is None
        repositories.revoke_api_key(session, row)
        assert repositories.api_key_for(session, secret) is None


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


def _migrate_to(engine: Engine, revision: str) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def test_the_migration_keys_feedback_per_account_and_keeps_old_rows(
    database_url: str, make_client: ClientFactory
) -> None:
    """A 0003 database with rows: every feedback event and itinerary survives; old plans stay readable."""
    engine = make_engine(database_url)
    _migrate_to(engine, "0003")
    stamp = "2026-11-24 03:00:00+00:00"
    with engine.begin() as connection:
        for user_id in ("u-old", "u-new"):
            connection.execute(
                text("INSERT INTO users (id, created_at) VALUES (:id, :at)"), {"id": user_id, "at": stamp}
            )
        connection.execute(
            text(
                "INSERT INTO feedback_events (event_id, user_id, kind, place_id, rating, occurred_at, received_at) "
                "VALUES ('rating-0001', 'u-old', 'rating', 'temple-of-literature', 5, :at, :at)"
            ),
            {"at": stamp},
        )
        for item_id, body in (("it-legacy", '{"foo": 1}'), ("it-empty", '{"days": []}')):
            connection.execute(
                text(
                    "INSERT INTO itineraries (id, owner_id, title, notes, body, created_at, updated_at) "
                    "VALUES (:id, 'u-old', 'Old day', '', :body, :at, :at)"
                ),
                {"id": item_id, "body": body, "at": stamp},
            )
    migrate(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == HEAD
    with session_factory(engine)() as session:
        # The old event is kept; another account's event with the same id is now stored too.
        assert repositories.record_feedback(session, "u-new", [_event("rating-0001")]) == ["rating-0001"]
        owners = sorted(session.scalars(select(FeedbackEvent.user_id).where(FeedbackEvent.event_id == "rating-0001")))
        assert owners == ["u-new", "u-old"]
        rows = {row.id: row for row in session.scalars(select(SavedItinerary))}
        assert {item: row.plan_format for item, row in rows.items()} == {
            "it-legacy": "unchecked",
            "it-empty": "unchecked",
        }
        assert rows["it-legacy"].body == {"foo": 1}
        assert rows["it-legacy"].created_at == dt.datetime(2026, 11, 24, 3, 0, tzinfo=dt.UTC)
    engine.dispose()


def test_the_migration_fingerprints_keyed_saves_never_edited(database_url: str) -> None:
    """0005: a keyed row never edited gets its save's fingerprint (a repeat is compared with it); an edited one none."""
    engine = make_engine(database_url)
    _migrate_to(engine, "0004")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO users (id, created_at) VALUES ('u-1', '2026-12-01 03:00:00+00:00')"))
        for item_id, edited in (("it-kept", "2026-12-01 03:00:00+00:00"), ("it-edited", "2026-12-02 03:00:00+00:00")):
            connection.execute(
                text(
                    "INSERT INTO itineraries (id, owner_id, title, notes, body, idempotency_key, plan_format, "
                    "created_at, updated_at) VALUES (:id, 'u-1', 'Day', 'n', :body, :id, 'checked', "
                    "'2026-12-01 03:00:00+00:00', :edited)"
                ),
                {"id": item_id, "body": '{"days": []}', "edited": edited},
            )
    migrate(engine)
    with session_factory(engine)() as session:
        rows = {row.id: row for row in session.scalars(select(SavedItinerary))}
        save = {"title": "Day", "notes": "n", "body": {"days": []}, "request": None}
        assert rows["it-kept"].idempotency_fingerprint == repositories.save_fingerprint(**save)
        assert repositories.same_save(rows["it-kept"], **save)
        assert not repositories.same_save(rows["it-kept"], **{**save, "title": "Other"})
        assert rows["it-edited"].idempotency_fingerprint is None
    engine.dispose()


def test_timestamps_come_back_in_utc_with_their_offset(engine: Engine) -> None:
    hanoi = dt.timezone(dt.timedelta(hours=7))
    with session_factory(engine)() as session:
        user = repositories.create_user(session)
        event = _event("e-zone") | {"occurred_at": dt.datetime(2026, 11, 24, 10, 0, tzinfo=hanoi)}
        repositories.record_feedback(session, user.id, [event])
    with session_factory(engine)() as session:
        stored = session.scalars(select(FeedbackEvent.occurred_at)).one()
        assert stored == dt.datetime(2026, 11, 24, 3, 0, tzinfo=dt.UTC)
        assert stored.utcoffset() == dt.timedelta(0)


@pytest.mark.postgres
def test_a_checkout_gets_the_statement_timeout_as_its_budget(postgres_server: str) -> None:
    """Issue 14, finding 4: the pool wait is bounded by the statement timeout, and a checkout's budget (what every
    wait until the checkin spends from) starts below it; a returned connection has none. Configured values, no
    timings: bench/db_hang.py measures the times."""
    with fresh_postgres_database(postgres_server) as url:
        engine = make_engine(url, timeouts=DatabaseTimeouts(statement_s=2.0, pool_s=30.0))
        assert engine.pool.timeout() == 2.0
        with engine.connect() as connection:
            raw = connection.connection.dbapi_connection
            assert isinstance(raw, DeadlineConnection)
            assert raw.budget_left_s is not None
            assert 0 < raw.budget_left_s <= 2.0 - ANSWER_MARGIN_S
            assert connection.exec_driver_sql("SHOW statement_timeout").scalar() == "2s"
        assert raw.budget_left_s is None
        engine.dispose()
