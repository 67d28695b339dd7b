"""Commune editors (issue 17): roles bound to one ward or commune, revisions of stories and events, the change log.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the three tables."""
    op.create_table(
        "commune_roles",
        sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("unit_id", sa.String(100)),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "commune_revisions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("unit_id", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("target_id", sa.String(100)),
        sa.Column("body", sa.JSON, nullable=False),
        sa.Column("author_id", sa.String(36), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.String(36)),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("idempotency_key", sa.String(200)),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("author_id", "idempotency_key", name="uq_commune_revisions_author_key"),
    )
    op.create_index("ix_commune_revisions_unit_created", "commune_revisions", ["unit_id", "created_at"])
    op.create_table(
        "commune_changes",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.String(36), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("unit_id", sa.String(100), nullable=False),
        sa.Column("revision_id", sa.String(36), nullable=False),
        sa.Column("what", sa.String(300), nullable=False),
    )
    op.create_index("ix_commune_changes_unit_at", "commune_changes", ["unit_id", "at"])


def downgrade() -> None:
    """Drop them."""
    op.drop_index("ix_commune_changes_unit_at", "commune_changes")
    op.drop_table("commune_changes")
    op.drop_index("ix_commune_revisions_unit_created", "commune_revisions")
    op.drop_table("commune_revisions")
    op.drop_table("commune_roles")
