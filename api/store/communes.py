"""Commune editors: roles bound to one ward or commune, revisions of stories and events, and the change log.

An editor proposes a revision of their unit's story or of one of its events; it stays ``pending`` until a moderator
approves it (then it is live: the unit's answers show it) or rejects it. Every proposal and decision is logged
(who, when, what). Another unit's revisions are never found for an editor (a 404 without telling whether they exist).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any, Final, Literal

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from api.store.models import Base, UtcDateTime, new_id, utcnow

Role = Literal["editor", "moderator"]
RevisionKind = Literal["story", "event"]
PENDING: Final[str] = "pending"
APPROVED: Final[str] = "approved"
REJECTED: Final[str] = "rejected"


class CommuneRole(Base):
    """An account's role: the editor of one ward or commune, or a moderator (of every unit)."""

    __tablename__ = "commune_roles"

    user_id: Mapped[str] = mapped_column(String(36), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    unit_id: Mapped[str | None] = mapped_column(String(100))
    """The unit an editor is bound to; None for a moderator."""
    granted_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class CommuneRevision(Base):
    """A proposed story or event of one unit: the body as the editor sent it (validated), its status and decision."""

    __tablename__ = "commune_revisions"
    __table_args__ = (
        UniqueConstraint("author_id", "idempotency_key", name="uq_commune_revisions_author_key"),
        Index("ix_commune_revisions_unit_created", "unit_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    unit_id: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[str | None] = mapped_column(String(100))
    """The event id for an event revision; None for a story."""
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    author_id: Mapped[str] = mapped_column(String(36), ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    decided_by: Mapped[str | None] = mapped_column(String(36))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class CommuneChange(Base):
    """One line of the change log: who did what to which unit's revision, and when."""

    __tablename__ = "commune_changes"
    __table_args__ = (Index("ix_commune_changes_unit_at", "unit_id", "at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    actor_id: Mapped[str] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(String(16))
    unit_id: Mapped[str] = mapped_column(String(100))
    revision_id: Mapped[str] = mapped_column(String(36))
    what: Mapped[str] = mapped_column(String(300))


def role_of(session: Session, user_id: str) -> CommuneRole | None:
    """The account's role, or None (a traveller)."""
    return session.get(CommuneRole, user_id)


def grant(session: Session, *, user_id: str, role: Role, unit_id: str | None) -> CommuneRole:
    """Make the account an editor of ``unit_id`` or a moderator (replacing any role it had); committed."""
    row = session.get(CommuneRole, user_id) or CommuneRole(user_id=user_id)
    row.role, row.unit_id, row.granted_at = role, unit_id if role == "editor" else None, utcnow()
    session.add(row)
    session.commit()
    return row


def fingerprint(kind: str, target_id: str | None, body: dict[str, Any]) -> str:
    """SHA-256 of a proposal's canonical JSON: equal for equal proposals, whatever the key order."""
    canonical = json.dumps({"kind": kind, "target": target_id, "body": body}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def propose(
    session: Session,
    *,
    author_id: str,
    unit_id: str,
    kind: RevisionKind,
    target_id: str | None,
    body: dict[str, Any],
    idempotency_key: str | None,
) -> tuple[CommuneRevision, bool]:
    """Store a pending revision and log it; a repeat with the author's idempotency key returns the first one.

    Returns
    -------
    (revision, created)
    """
    if idempotency_key is not None:
        query = select(CommuneRevision).where(
            CommuneRevision.author_id == author_id, CommuneRevision.idempotency_key == idempotency_key
        )
        existing = session.scalars(query).first()
        if existing is not None:
            return existing, False
    row = CommuneRevision(
        unit_id=unit_id,
        kind=kind,
        target_id=target_id,
        body=body,
        author_id=author_id,
        status=PENDING,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint(kind, target_id, body),
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    _log(session, actor_id=author_id, action="propose", row=row)
    session.commit()
    return row, True


def decide(session: Session, row: CommuneRevision, *, moderator_id: str, approve: bool) -> CommuneRevision:
    """Approve (live from now on) or reject a pending revision, and log the decision; committed."""
    row.status = APPROVED if approve else REJECTED
    row.decided_by, row.decided_at = moderator_id, utcnow()
    _log(session, actor_id=moderator_id, action="approve" if approve else "reject", row=row)
    session.commit()
    return row


def revision(session: Session, revision_id: str) -> CommuneRevision | None:
    """The revision with this id, or None."""
    return session.get(CommuneRevision, revision_id)


def revisions(session: Session, unit_id: str) -> list[CommuneRevision]:
    """A unit's revisions, newest first."""
    query = select(CommuneRevision).where(CommuneRevision.unit_id == unit_id)
    return list(session.scalars(query.order_by(CommuneRevision.created_at.desc(), CommuneRevision.id)))


def live(session: Session, unit_id: str) -> tuple[dict[str, Any] | None, dict[str, dict[str, Any]]]:
    """The unit's live edits: the newest approved story (or None) and the newest approved body of each event."""
    query = select(CommuneRevision).where(CommuneRevision.unit_id == unit_id, CommuneRevision.status == APPROVED)
    story: dict[str, Any] | None = None
    events: dict[str, dict[str, Any]] = {}
    for row in session.scalars(query.order_by(CommuneRevision.decided_at, CommuneRevision.id)):
        if row.kind == "story":
            story = row.body
        elif row.target_id is not None:
            events[row.target_id] = row.body
    return story, events


def live_stories(session: Session) -> dict[str, dict[str, Any]]:
    """The newest approved story of every unit that has one, by unit id."""
    query = select(CommuneRevision).where(CommuneRevision.kind == "story", CommuneRevision.status == APPROVED)
    return {
        row.unit_id: row.body for row in session.scalars(query.order_by(CommuneRevision.decided_at, CommuneRevision.id))
    }


def changes(session: Session, unit_id: str) -> list[CommuneChange]:
    """The unit's change log, oldest first."""
    query = select(CommuneChange).where(CommuneChange.unit_id == unit_id)
    return list(session.scalars(query.order_by(CommuneChange.at, CommuneChange.id)))


def _log(session: Session, *, actor_id: str, action: str, row: CommuneRevision) -> None:
    what = f"{action} {row.kind}" + (f" {row.target_id}" if row.target_id else "") + f" of {row.unit_id}"
    session.add(
        CommuneChange(actor_id=actor_id, action=action, unit_id=row.unit_id, revision_id=row.id, what=what, at=utcnow())
    )
