"""Repositories: the only code that writes SQL. Each function takes a session and commits what it acknowledges."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.store.models import (
    PLAN_CHECKED,
    ApiKey,
    FeedbackEvent,
    OperatorLine,
    RefreshToken,
    SavedItinerary,
    User,
    utcnow,
)


class EmailTakenError(Exception):
    """An account with this email exists already."""


# --- users -------------------------------------------------------------------------------------------------------


def create_user(
    session: Session, *, email: str | None = None, password_hash: str | None = None, device_name: str | None = None
) -> User:
    """Insert an account (anonymous when ``email`` is None).

    Raises
    ------
    EmailTakenError
        If ``email`` belongs to another account.
    """
    user = User(email=email, password_hash=password_hash, device_name=device_name)
    session.add(user)
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise EmailTakenError(email or "") from exc
    return user


def upgrade_user(session: Session, user: User, *, email: str, password_hash: str) -> User:
    """Give an anonymous account an email and password (its itineraries and feedback stay).

    Raises
    ------
    EmailTakenError
        If ``email`` belongs to another account.
    """
    user.email = email
    user.password_hash = password_hash
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise EmailTakenError(email) from exc
    return user


def get_user(session: Session, user_id: str) -> User | None:
    """The account with this id, or None."""
    return session.get(User, user_id)


def user_by_email(session: Session, email: str) -> User | None:
    """The account with this email, or None."""
    return session.scalars(select(User).where(User.email == email)).first()


# --- refresh tokens ----------------------------------------------------------------------------------------------


class RefreshOutcome(StrEnum):
    """What presenting a refresh token did."""

    USED = "used"
    """It was live; it is now revoked (the caller issues its successor)."""
    REUSED = "reused"
    """It had been used or revoked before: a copy may be in other hands."""
    UNKNOWN = "unknown"
    """No such token was issued to this account, or it has expired."""


def store_refresh_token(session: Session, user_id: str, token_id: str, expires_at: dt.datetime) -> None:
    """Record a refresh token handed out to ``user_id``."""
    session.add(RefreshToken(jti=token_id, user_id=user_id, issued_at=utcnow(), expires_at=expires_at))
    session.commit()


def use_refresh_token(session: Session, user_id: str, token_id: str) -> RefreshOutcome:
    """Revoke a live refresh token in one conditional UPDATE, so two concurrent uses cannot both succeed."""
    now = utcnow()
    result = session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.jti == token_id,
            RefreshToken.user_id == user_id,
            RefreshToken.revoked_at.is_(None),
            RefreshToken.expires_at > now,
        )
        .values(revoked_at=now)
    )
    session.commit()
    if getattr(result, "rowcount", 0) == 1:
        return RefreshOutcome.USED
    row = session.get(RefreshToken, token_id)
    if row is not None and row.user_id == user_id and row.revoked_at is not None:
        return RefreshOutcome.REUSED
    return RefreshOutcome.UNKNOWN


def revoke_refresh_tokens(session: Session, user_id: str, *, token_id: str | None = None) -> int:
    """Revoke one of the account's refresh tokens (``token_id``) or all of them; returns how many were live."""
    query = update(RefreshToken).where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
    if token_id is not None:
        query = query.where(RefreshToken.jti == token_id)
    result = session.execute(query.values(revoked_at=utcnow()))
    session.commit()
    return int(getattr(result, "rowcount", 0))


# --- itineraries -------------------------------------------------------------------------------------------------


def save_itinerary(
    session: Session,
    *,
    owner_id: str,
    title: str,
    body: dict[str, Any],
    notes: str = "",
    request: dict[str, Any] | None = None,
    summary: dict[str, Any] | None = None,
    idempotency_key: str | None = None,
) -> tuple[SavedItinerary, bool]:
    """Insert an itinerary (its plan checked by the caller); with an idempotency key, a repeat returns the first row.

    With a key the row keeps the save's :func:`save_fingerprint`, which :func:`same_save` compares repeats with.

    Returns
    -------
    (itinerary, created)
        ``created`` is False when the key had been used by this owner before.
    """
    if idempotency_key is not None:
        existing = _by_key(session, owner_id, idempotency_key)
        if existing is not None:
            return existing, False
    now = utcnow()
    row = SavedItinerary(
        owner_id=owner_id,
        title=title,
        notes=notes,
        body=body,
        request=request,
        plan_format=PLAN_CHECKED,
        summary=summary,
        idempotency_key=idempotency_key,
        idempotency_fingerprint=(
            save_fingerprint(title=title, notes=notes, body=body, request=request) if idempotency_key else None
        ),
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        # A concurrent save with the same key won the UNIQUE constraint: answer with its row.
        session.rollback()
        if idempotency_key is None:
            raise
        existing = _by_key(session, owner_id, idempotency_key)
        if existing is None:
            raise
        return existing, False
    return row, True


def save_fingerprint(*, title: str, notes: str, body: dict[str, Any], request: dict[str, Any] | None) -> str:
    """SHA-256 of a save's canonical JSON (sorted keys, no spaces): equal for equal saves, whatever the key order.

    Migration 0005 computes the same for rows saved before; keep the two in step.
    """
    save = {"title": title, "notes": notes, "plan": body, "request": request}
    canonical = json.dumps(save, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def same_save(
    row: SavedItinerary, *, title: str, notes: str, body: dict[str, Any], request: dict[str, Any] | None
) -> bool:
    """Whether a save with an Idempotency-Key already used asks for what the key's first save asked.

    Compared with the fingerprint of the first save, so an edit (``PATCH``) since changes nothing. A row saved
    before fingerprints were kept and edited since has none (its first body is unknown): any repeat is accepted.
    """
    if row.idempotency_fingerprint is None:
        return True
    return row.idempotency_fingerprint == save_fingerprint(title=title, notes=notes, body=body, request=request)


def _by_key(session: Session, owner_id: str, key: str) -> SavedItinerary | None:
    query = select(SavedItinerary).where(SavedItinerary.owner_id == owner_id, SavedItinerary.idempotency_key == key)
    return session.scalars(query).first()


def owned_itinerary(session: Session, itinerary_id: str, owner_id: str) -> SavedItinerary | None:
    """The itinerary if it exists and belongs to ``owner_id`` (else None: others' rows are invisible)."""
    row = session.get(SavedItinerary, itinerary_id)
    return row if row is not None and row.owner_id == owner_id else None


def itinerary_owners(session: Session, itinerary_ids: Sequence[str]) -> dict[str, str]:
    """The owner of each of these itineraries that exists (missing ids are left out)."""
    if not itinerary_ids:
        return {}
    query = select(SavedItinerary.id, SavedItinerary.owner_id).where(SavedItinerary.id.in_(set(itinerary_ids)))
    return {str(item_id): str(owner_id) for item_id, owner_id in session.execute(query)}


_EDITABLE = ("title", "notes", "body", "request", "summary", "plan_format")
"""Columns :func:`update_itinerary` may change."""


def update_itinerary(session: Session, row: SavedItinerary, changes: dict[str, Any]) -> SavedItinerary:
    """Apply ``changes`` (title, notes, body, request, summary, plan_format; None leaves a column) and commit.

    A new ``body`` without a ``plan_format`` is a checked plan.
    """
    unknown = set(changes) - set(_EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    values = {name: value for name, value in changes.items() if value is not None}
    if "body" in values:
        values.setdefault("plan_format", PLAN_CHECKED)
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_at = utcnow()
    session.commit()
    return row


def mark_plan_format(session: Session, row: SavedItinerary, plan_format: str, summary: dict[str, Any]) -> None:
    """Record what the first read of an unchecked (pre-typed) plan found, without touching ``updated_at``."""
    row.plan_format = plan_format
    row.summary = summary
    session.commit()


def delete_itinerary(session: Session, row: SavedItinerary) -> None:
    """Delete and commit."""
    session.delete(row)
    session.commit()


@dataclass(frozen=True)
class Page:
    """One page of a keyset-paginated listing; ``after`` continues it."""

    items: list[SavedItinerary]
    after: tuple[dt.datetime, str] | None


def list_itineraries(
    session: Session, owner_id: str, *, limit: int, after: tuple[dt.datetime, str] | None = None
) -> Page:
    """The owner's itineraries, newest first, ``limit`` at a time (keyset on created_at, id)."""
    query = select(SavedItinerary).where(SavedItinerary.owner_id == owner_id)
    if after is not None:
        created, last_id = after
        query = query.where(
            or_(
                SavedItinerary.created_at < created,
                and_(SavedItinerary.created_at == created, SavedItinerary.id < last_id),
            )
        )
    rows = list(
        session.scalars(query.order_by(SavedItinerary.created_at.desc(), SavedItinerary.id.desc()).limit(limit + 1))
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, (rows[-1].created_at, rows[-1].id) if more and rows else None)


def count_itineraries(session: Session, owner_id: str) -> int:
    """How many itineraries the owner has."""
    query = select(func.count()).select_from(SavedItinerary).where(SavedItinerary.owner_id == owner_id)
    return int(session.scalar(query) or 0)


# --- feedback ----------------------------------------------------------------------------------------------------


_FEEDBACK_OPTIONAL = ("itinerary_id", "rating")
"""Columns of a feedback event that the app may leave out."""


def record_feedback(session: Session, user_id: str, events: Sequence[dict[str, Any]]) -> list[str]:
    """Insert a batch in one transaction; events this account sent before (same ``event_id``) are not duplicated.

    The key is (account, ``event_id``): another account's event with the same id is another event.

    Returns
    -------
    list of str
        The ids of the batch now stored for this account (inserted now, or by an earlier batch), in batch
        order, read back after the commit succeeded.
    """
    if not events:
        return []
    now = utcnow()
    # A multi-row INSERT takes its columns from the first row: give every row the same keys, so a rating or an
    # itinerary id that only a later event carries is stored rather than dropped.
    optional = dict.fromkeys(_FEEDBACK_OPTIONAL)
    rows = [{**optional, **event, "user_id": user_id, "received_at": now} for event in events]
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(FeedbackEvent).values(rows).on_conflict_do_nothing(index_elements=["user_id", "event_id"])
    session.execute(statement)
    session.commit()
    ids = [str(event["event_id"]) for event in events]
    stored = set(
        session.scalars(
            select(FeedbackEvent.event_id).where(FeedbackEvent.user_id == user_id, FeedbackEvent.event_id.in_(ids))
        )
    )
    return [event_id for event_id in ids if event_id in stored]


def liked_place_ids(session: Session, user_id: str, *, limit: int = 50) -> list[str]:
    """The places a traveller liked or rated 4-5, most recent first, each once (at most ``limit``)."""
    query = (
        select(FeedbackEvent.place_id)
        .where(
            FeedbackEvent.user_id == user_id,
            or_(FeedbackEvent.kind == "like", and_(FeedbackEvent.kind == "rating", FeedbackEvent.rating >= 4)),
        )
        .order_by(FeedbackEvent.occurred_at.desc(), FeedbackEvent.event_id)
        .limit(4 * limit)
    )
    return list(dict.fromkeys(session.scalars(query)))[:limit]


def count_feedback(session: Session, *, user_id: str | None = None) -> int:
    """How many feedback events are stored (for one user when given)."""
    query = select(func.count()).select_from(FeedbackEvent)
    if user_id is not None:
        query = query.where(FeedbackEvent.user_id == user_id)
    return int(session.scalar(query) or 0)


# --- operator API keys -------------------------------------------------------------------------------------------


def create_api_key(session: Session, *, name: str, scopes: Sequence[str] = ()) -> tuple[ApiKey, str]:
    """A new operator key; returns the row and the secret, which is shown once and stored only as its SHA-256."""
    secret = "hk_" + secrets.token_urlsafe(32)
    row = ApiKey(name=name, key_sha256=hashlib.sha256(secret.encode()).hexdigest(), scopes=" ".join(scopes))
    session.add(row)
    session.commit()
    return row, secret


def api_key_for(session: Session, secret: str) -> ApiKey | None:
    """The live (not revoked) key with this secret, or None."""
    digest = hashlib.sha256(secret.encode()).hexdigest()
    row = session.scalars(select(ApiKey).where(ApiKey.key_sha256 == digest)).first()
    return row if row is not None and row.revoked_at is None else None


def revoke_api_key(session: Session, row: ApiKey) -> None:
    """Revoke a key (kept for the audit trail)."""
    row.revoked_at = utcnow()
    session.commit()


# --- operator lines ----------------------------------------------------------------------------------------------


def save_operator_line(
    session: Session,
    *,
    api_key_id: str,
    name: str,
    bundle: str,
    request: dict[str, Any],
    proposal: dict[str, Any],
    geojson: dict[str, Any],
    gtfs_zip: bytes,
) -> OperatorLine:
    """Insert a proposed line and commit."""
    row = OperatorLine(
        api_key_id=api_key_id,
        name=name,
        bundle=bundle,
        request=request,
        proposal=proposal,
        geojson=geojson,
        gtfs_zip=gtfs_zip,
    )
    session.add(row)
    session.commit()
    return row


def get_operator_line(session: Session, line_id: str, *, api_key_id: str | None = None) -> OperatorLine | None:
    """The proposed line with this id (made with the key ``api_key_id`` when given: others' lines are invisible)."""
    row = session.get(OperatorLine, line_id)
    if row is None or (api_key_id is not None and row.api_key_id != api_key_id):
        return None
    return row
