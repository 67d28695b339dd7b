"""Itineraries keep the fingerprint of the save their Idempotency-Key made.

A repeat of a save with its key was compared with the row, which a ``PATCH`` may have changed since: after an edit
any body was replayed. ``idempotency_fingerprint`` is the SHA-256 of the save's canonical JSON (as
``api.store.repositories.save_fingerprint`` computes it); rows with a key that were never edited get theirs here,
rows edited since keep none (their first body is unknown).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

ITINERARIES = sa.table(
    "itineraries",
    sa.column("id", sa.String),
    sa.column("title", sa.String),
    sa.column("notes", sa.String),
    sa.column("body", sa.JSON),
    sa.column("request", sa.JSON),
    sa.column("idempotency_key", sa.String),
    sa.column("idempotency_fingerprint", sa.String),
    sa.column("created_at", sa.DateTime),
    sa.column("updated_at", sa.DateTime),
)


def _fingerprint(title: str, notes: str, body: object, request: object) -> str:
    save = {"title": title, "notes": notes, "plan": body, "request": request}
    canonical = json.dumps(save, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def upgrade() -> None:
    """Add the column and fill it for keyed rows never edited."""
    with op.batch_alter_table("itineraries") as batch:
        batch.add_column(sa.Column("idempotency_fingerprint", sa.String(64), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(ITINERARIES.c.id, ITINERARIES.c.title, ITINERARIES.c.notes, ITINERARIES.c.body, ITINERARIES.c.request)
        .where(ITINERARIES.c.idempotency_key.is_not(None))
        .where(ITINERARIES.c.updated_at == ITINERARIES.c.created_at)
    ).all()
    for row in rows:
        fingerprint = _fingerprint(row.title, row.notes or "", row.body, row.request)
        connection.execute(
            sa.update(ITINERARIES).where(ITINERARIES.c.id == row.id).values(idempotency_fingerprint=fingerprint)
        )


def downgrade() -> None:
    """Drop the column."""
    with op.batch_alter_table("itineraries") as batch:
        batch.drop_column("idempotency_fingerprint")
