"""Operator line proposals.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the table of proposed lines."""
    op.create_table(
        "operator_lines",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("api_key_id", sa.String(36), sa.ForeignKey("api_keys.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("bundle", sa.String(200), nullable=False),
        sa.Column("request", sa.JSON, nullable=False),
        sa.Column("proposal", sa.JSON, nullable=False),
        sa.Column("geojson", sa.JSON, nullable=False),
        sa.Column("gtfs_zip", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_operator_lines_api_key_id", "operator_lines", ["api_key_id"])


def downgrade() -> None:
    """Drop the table of proposed lines."""
    op.drop_table("operator_lines")
