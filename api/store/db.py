"""Engines and migrations: SQLite (WAL) by default, PostgreSQL (psycopg 3) by URL.

Every database wait is bounded (:class:`DatabaseTimeouts`, from the settings). On PostgreSQL a checkout (one
transaction: waiting for a pooled connection, its pre-ping, a reconnection, every statement and the commit) has one
budget, the statement timeout, counted from the moment the pool is asked: a server that does not answer at all (hung,
its host stalled, a network partition) makes a write fail with 503 within the statement timeout instead of waiting
for the outage to end. PostgreSQL's own ``statement_timeout`` still cancels a running statement on a live server.
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import PoolProxiedConnection, QueuePool

from api.settings import Settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
ANSWER_MARGIN_S = 0.2
"""Kept out of a checkout's budget (at most half of it) for the app to answer 503 within the statement timeout."""
MIN_CONNECT_S = 2
"""libpq's shortest ``connect_timeout``: a checkout's pre-ping leaves this (and a little more) for a reconnection."""


def _default(name: str) -> Any:
    return Settings.model_fields[name].default


@dataclass(frozen=True)
class DatabaseTimeouts:
    """The bounds of every database wait (defaults: the settings' defaults, documented in docs/API.md)."""

    connect_s: int = _default("db_connect_timeout_s")
    """Connecting, including the server's start-up answer (libpq ``connect_timeout``; at least 2 s)."""
    statement_s: float = _default("db_statement_timeout_s")
    """Longest statement (PostgreSQL ``statement_timeout``); a whole checkout's budget on the client, less a margin."""
    pool_s: float = _default("db_pool_timeout_s")
    """Longest wait for a pooled connection when all are in use (never more than ``statement_s``)."""
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


@dataclass
class _Checkout:
    """The budget of one checkout while the pool hands out a connection (pool wait, pre-ping, reconnection)."""

    started: float
    budget_s: float

    def left_s(self) -> float:
        return self.budget_s - (time.monotonic() - self.started)

    def ping_s(self, connect_s: float) -> float:
        """The pre-ping's bound: short enough to leave a reconnection its ``connect_timeout`` within the budget."""
        left = self.left_s()
        spare = left - MIN_CONNECT_S - 0.1
        return min(connect_s, spare if spare > 0 else left)

    def connect_timeout(self, connect_s: int) -> int:
        """A reconnection's ``connect_timeout``: the whole seconds left, at least libpq's 2 s, at most ``connect_s``."""
        left = self.left_s()
        if left <= 0:
            raise psycopg.OperationalError("the write's budget was spent before connecting")
        return max(MIN_CONNECT_S, min(connect_s, int(left)))


_checkout: ContextVar[_Checkout | None] = ContextVar("heritage_db_checkout", default=None)


def _gave_up(connection: psycopg.Connection[Any], what: str) -> psycopg.OperationalError:
    """Close ``connection`` (mid-protocol, unusable) and say why: the pool takes it as a disconnect, the API as 503."""
    connection.pgconn.finish()
    return psycopg.OperationalError(f"the database server did not answer within the write's budget ({what})")


class DeadlineConnection(psycopg.Connection[Any]):
    """A psycopg connection whose waits for the server share one budget, ``budget_left_s`` (None: unbounded).

    The pool sets the budget at checkout (the statement timeout less what the checkout took) and clears it at
    checkin; every wait (a statement, a commit, a ping) spends from it, time spent by the app between statements
    does not. Past it the connection is closed and :class:`psycopg.OperationalError` raised.
    """

    budget_left_s: float | None = None

    def wait(self, gen: Generator[Any, Any, Any], interval: float = 0.1, timeout: float | None = None) -> Any:
        """Consume ``gen`` as psycopg does, within the budget left unless the caller gives its own timeout."""
        if timeout is not None or self.budget_left_s is None:
            return super().wait(gen, interval, timeout)
        if self.budget_left_s <= 0:
            raise _gave_up(self, "spent before this statement")
        started = time.monotonic()
        try:
            return super().wait(gen, interval, self.budget_left_s)
        except psycopg.errors._WaitTimeout:  # psycopg's own wait-timeout signal
            raise _gave_up(self, f"{self.budget_left_s:g} s left") from None
        finally:
            if self.budget_left_s is not None:
                self.budget_left_s -= time.monotonic() - started


def _budget_pool(budget_s: float) -> type[QueuePool]:
    """A queue pool whose checkouts each get ``budget_s`` for everything up to the checkin."""

    class BudgetPool(QueuePool):
        def connect(self) -> PoolProxiedConnection:
            """A connection, its budget started when it was asked for; a pool wait past it is a DBAPI error."""
            checkout = _Checkout(time.monotonic(), budget_s)
            token = _checkout.set(checkout)
            try:
                fairy = super().connect()
            except PoolTimeoutError as exc:
                raise psycopg.OperationalError(f"no pooled connection was free within {budget_s:g} s") from exc
            finally:
                _checkout.reset(token)
            raw = fairy.dbapi_connection
            if isinstance(raw, DeadlineConnection):
                raw.budget_left_s = checkout.left_s()
            return fairy

    return BudgetPool


def make_engine(url: str, *, timeouts: DatabaseTimeouts | None = None) -> Engine:
    """An engine for ``url`` whose waits are bounded by ``timeouts`` (default: the settings' defaults).

    SQLite files get WAL, a busy timeout and foreign keys, their folder is created. PostgreSQL connections get
    ``connect_timeout`` and a server-side ``statement_timeout``; each checkout gets the statement timeout as its
    client-side budget (:class:`DeadlineConnection`), which bounds the pool wait, the pre-ping and a reconnection
    as well.
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
    pool: dict[str, Any] = {"pool_size": limits.pool_size, "max_overflow": limits.max_overflow}
    pool["pool_timeout"] = min(limits.pool_s, limits.statement_s)
    if parsed.get_driver_name() == "psycopg":
        pool["poolclass"] = _budget_pool(max(limits.statement_s - ANSWER_MARGIN_S, limits.statement_s / 2))
    engine = create_engine(url, pool_pre_ping=True, **pool)
    if engine.dialect.driver != "psycopg":
        return engine
    statement_ms = round(limits.statement_s * 1000)

    @event.listens_for(engine, "do_connect")
    def _connect(_dialect: Any, _record: Any, cargs: Any, cparams: dict[str, Any]) -> Any:
        checkout = _checkout.get()
        cparams["connect_timeout"] = checkout.connect_timeout(limits.connect_s) if checkout else limits.connect_s
        cparams["options"] = f"{cparams.get('options', '')} -c statement_timeout={statement_ms}".strip()
        connection = DeadlineConnection.connect(*cargs, **cparams)
        connection.budget_left_s = checkout.left_s() if checkout else limits.statement_s
        return connection

    @event.listens_for(engine, "checkin")
    def _unbounded(dbapi_connection: Any, _record: Any) -> None:
        if isinstance(dbapi_connection, DeadlineConnection):
            dbapi_connection.budget_left_s = None

    ping: Any = engine.dialect.do_ping

    def bounded_ping(dbapi_connection: Any) -> bool:
        """The pre-ping, given up after the connect timeout or the checkout's budget, whichever is shorter."""
        if not isinstance(dbapi_connection, DeadlineConnection):
            return bool(ping(dbapi_connection))
        checkout = _checkout.get()
        dbapi_connection.budget_left_s = checkout.ping_s(limits.connect_s) if checkout else limits.connect_s
        try:
            return bool(ping(dbapi_connection))
        finally:
            dbapi_connection.budget_left_s = None

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
        kept = raw.budget_left_s if isinstance(raw, DeadlineConnection) else None
        if engine.dialect.name == "postgresql":
            # A migration (or waiting for another worker's) may take longer than any request's statement.
            connection.execute(text("SET LOCAL statement_timeout = 0"))
            if isinstance(raw, DeadlineConnection):
                raw.budget_left_s = None
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
        try:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        finally:
            if isinstance(raw, DeadlineConnection):
                raw.budget_left_s = kept


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
