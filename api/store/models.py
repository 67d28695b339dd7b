"""SQL tables: accounts, refresh tokens, saved itineraries, feedback events, operator API keys and their lines."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


def new_id() -> str:
    """A random id (UUID4 text), the same on SQLite and PostgreSQL."""
    return str(uuid.uuid4())


def utcnow() -> dt.datetime:
    """Now, timezone-aware UTC."""
    return dt.datetime.now(tz=dt.UTC)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC timestamp on every database.

    PostgreSQL keeps the offset (``timestamptz``); SQLite keeps text without one, so a value is converted to UTC
    before it is written and read back as UTC: every timestamp the API answers carries an offset (RFC 3339).
    A naive value written is taken as UTC (what this code always wrote).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        """The value in UTC (a naive one is taken as UTC already)."""
        del dialect
        if value is None or value.tzinfo is None:
            return value
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        """UTC, whether the database kept the offset (PostgreSQL) or not (SQLite stores UTC without one)."""
        del dialect
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


PLAN_CHECKED = "checked"
PLAN_LEGACY = "legacy"
PLAN_UNCHECKED = "unchecked"


class Base(DeclarativeBase):
    """Declarative base of every table (every timestamp column is a :class:`UtcDateTime`)."""


class User(Base):
    """An account: an anonymous app install (``email`` None) or an email + password user."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    device_name: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class RefreshToken(Base):
    """A refresh token handed out (by its JWT id): used once, then revoked and replaced; revoked on logout."""

    __tablename__ = "refresh_tokens"

    jti: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(36), ForeignKey("users.id", ondelete="CASCADE"), index=True)
    issued_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class SavedItinerary(Base):
    """A plan a user kept; ``idempotency_key`` makes repeated saves of one request a single row."""

    __tablename__ = "itineraries"
    __table_args__ = (
        UniqueConstraint("owner_id", "idempotency_key", name="uq_itineraries_owner_idempotency_key"),
        Index("ix_itineraries_owner_created", "owner_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(String(36), ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str] = mapped_column(String(2000), default="")
    body: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)
    """The plan, as its typed model dumps it (only the fields it was given); loaded when read, not for listings."""
    request: Mapped[dict[str, Any] | None] = mapped_column(JSON, deferred=True)
    """The plan request it answers (``PlanRequest``), which an edit re-times the days with; None if not saved."""
    plan_format: Mapped[str] = mapped_column(String(16), default=PLAN_CHECKED, server_default=PLAN_UNCHECKED)
    """``checked`` (validated when saved), ``legacy`` (an old plan that the model refuses, kept as it was) or
    ``unchecked`` (saved before plans were typed; checked, and marked, on first read)."""
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """What a listing shows (title aside): dates, visit count, first place, thumbnail line; None until computed."""
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    idempotency_fingerprint: Mapped[str | None] = mapped_column(String(64))
    """SHA-256 of the save that made the row (:func:`api.store.repositories.save_fingerprint`): a repeat with the
    key is compared with it, not with the row, which ``PATCH`` may have changed since. None: saved with no key, or
    with a key before fingerprints were kept and edited since (its first body is unknown)."""
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class FeedbackEvent(Base):
    """A visit, like, rating or skip sent by the app; the client's ``event_id`` makes retries harmless.

    The key is (account, ``event_id``): two accounts may use the same id, a retry by one account is stored once.
    """

    __tablename__ = "feedback_events"
    __table_args__ = (PrimaryKeyConstraint("user_id", "event_id", name="pk_feedback_events_user_event"),)

    user_id: Mapped[str] = mapped_column(String(36), ForeignKey("users.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    place_id: Mapped[str] = mapped_column(String(100), index=True)
    itinerary_id: Mapped[str | None] = mapped_column(String(36))
    rating: Mapped[int | None] = mapped_column(Integer)
    occurred_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class ApiKey(Base):
    """An operator's API key (only its SHA-256 is stored)."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100))
    key_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class OperatorLine(Base):
    """A bus line an operator proposed: the request, the proposal (summary and evaluation), its GeoJSON and GTFS."""

    __tablename__ = "operator_lines"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    api_key_id: Mapped[str] = mapped_column(String(36), ForeignKey("api_keys.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    bundle: Mapped[str] = mapped_column(String(200))
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    proposal: Mapped[dict[str, Any]] = mapped_column(JSON)
    geojson: Mapped[dict[str, Any]] = mapped_column(JSON)
    gtfs_zip: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
