"""Engines and migrations: SQLite (WAL) by default, PostgreSQL (psycopg 3) by URL.

Every database wait is bounded (:class:`DatabaseTimeouts`, from the settings): connecting, waiting for a pooled
connection, each statement and commit. PostgreSQL cancels a statement that runs too long itself
(``statement_timeout``); a server that does not answer at all (hung, its host stalled, a network partition) is given
up on by the client one second after that, and the connection is closed, so a request fails with 503 instead of
waiting for the outage to end.
"""

from __future__ import annotations

import fcntl
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from api.settings import Settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
CLIENT_MARGIN_S = 1.0
"""How long after the server's own statement timeout the client gives up on a server that does not answer."""


def _default(name: str) -> Any:
    return Settings.model_fields[name].default


@dataclass(frozen=True)
class DatabaseTimeouts:
    """The bounds of every database wait (defaults: the settings' defaults, documented in docs/API.md)."""

    connect_s: int = _default("db_connect_timeout_s")
    """Connecting, including the server's start-up answer (libpq ``connect_timeout``; at least 2 s)."""
    statement_s: float = _default("db_statement_timeout_s")
    """Longest statement (PostgreSQL ``statement_timeout``); the client waits this plus :data:`CLIENT_MARGIN_S`."""
    pool_s: float = _default("db_pool_timeout_s")
    """Longest wait for a pooled connection when all are in use."""
    pool_size: int = _default("db_pool_size")
    max_overflow: int = _default("db_max_overflow")
    sqlite_busy_s: float = _default("sqlite_busy_timeout_s")
    """How long a SQLite write waits for another writer's lock."""

    @classmethod
    def from_settings(cls, settings: Settings) -> DatabaseTimeouts:
        """The timeouts the settings name."""
        return cls(
            connect_s=settings.db_connect_timeout_s,
            statement_s=settings.db_statement_timeout_s,
            pool_s=settings.db_pool_timeout_s,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            sqlite_busy_s=settings.sqlite_busy_timeout_s,
        )


class DeadlineConnection(psycopg.Connection[Any]):
    """A psycopg connection that gives up on a server that does not answer within ``deadline_s``.

    Each wait for the server (a statement, a commit, a ping) is bounded; past it the connection is closed (it is
    mid-protocol, unusable) and :class:`psycopg.OperationalError` raised, which the pool takes as a disconnect and
    the API answers with 503 + Retry-After.
    """

    deadline_s: float | None = None

    def wait(self, gen: Generator[Any, Any, Any], interval: float = 0.1, timeout: float | None = None) -> Any:
        """Consume ``gen`` as psycopg does, within ``deadline_s`` unless the caller gives its own timeout."""
        if timeout is not None or self.deadline_s is None:
            return super().wait(gen, interval, timeout)
        try:
            return super().wait(gen, interval, self.deadline_s)
        except psycopg.errors._WaitTimeout:  # psycopg's own wait-timeout signal
            self.pgconn.finish()
            raise psycopg.OperationalError(
                f"the database server did not answer within {self.deadline_s:g} s; connection closed"
            ) from None


def make_engine(url: str, *, timeouts: DatabaseTimeouts | None = None) -> Engine:
    """An engine for ``url`` whose waits are bounded by ``timeouts`` (default: the settings' defaults).

    SQLite files get WAL, a busy timeout and foreign keys, their folder is created. PostgreSQL connections get
    ``connect_timeout``, a server-side ``statement_timeout`` and a client-side deadline (:class:`DeadlineConnection`),
    a pool timeout and a pre-ping bounded by the connect timeout.
    """
    limits = timeouts or DatabaseTimeouts()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        busy_ms = round(limits.sqlite_busy_s * 1000)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": limits.sqlite_busy_s})

        @event.listens_for(engine, "connect")
        def _pragmas(connection: Any, _record: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
            cursor.close()

        return engine
    engine = create_engine(
        url,
        pool_pre_ping=True,
        pool_size=limits.pool_size,
        max_overflow=limits.max_overflow,
        pool_timeout=limits.pool_s,
    )
    if engine.dialect.driver != "psycopg":
        return engine
    statement_ms = round(limits.statement_s * 1000)
    deadline_s = limits.statement_s + CLIENT_MARGIN_S

    @event.listens_for(engine, "do_connect")
    def _connect(_dialect: Any, _record: Any, cargs: Any, cparams: dict[str, Any]) -> Any:
        cparams["connect_timeout"] = limits.connect_s
        cparams["options"] = f"{cparams.get('options', '')} -c statement_timeout={statement_ms}".strip()
        connection = DeadlineConnection.connect(*cargs, **cparams)
        connection.deadline_s = deadline_s
        return connection

    ping: Any = engine.dialect.do_ping

    def bounded_ping(dbapi_connection: Any) -> bool:
        """The pre-ping, given up after the connect timeout (a hung server fails the checkout quickly)."""
        if not isinstance(dbapi_connection, DeadlineConnection):
            return bool(ping(dbapi_connection))
        kept = dbapi_connection.deadline_s
        dbapi_connection.deadline_s = float(limits.connect_s)
        try:
            return bool(ping(dbapi_connection))
        finally:
            dbapi_connection.deadline_s = kept

    engine.dialect.do_ping = bounded_ping  # type: ignore[method-assign]
    return engine


def alembic_config() -> Config:
    """The migration settings, built in code (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


MIGRATION_LOCK_ID = 4_242_017
"""PostgreSQL advisory lock taken while migrating, so that several workers starting at once migrate one by one."""


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (idempotent; run at start-up by every worker, one at a time)."""
    config = alembic_config()
    with _migration_lock(engine), engine.begin() as connection:
        raw = connection.connection.dbapi_connection
        kept = raw.deadline_s if isinstance(raw, DeadlineConnection) else None
        if engine.dialect.name == "postgresql":
            # A migration (or waiting for another worker's) may take longer than any request's statement.
            connection.execute(text("SET LOCAL statement_timeout = 0"))
            if isinstance(raw, DeadlineConnection):
                raw.deadline_s = None
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
        try:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        finally:
            if isinstance(raw, DeadlineConnection):
                raw.deadline_s = kept


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """For a SQLite file, an exclusive lock on ``<file>.migrate.lock`` (PostgreSQL uses an advisory lock)."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with Path(database + ".migrate.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to ``engine`` that keep objects readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)
