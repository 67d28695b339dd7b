"""Feedback keyed per account; itineraries keep their request, a plan format and a listing summary.

* ``feedback_events``: the key was ``event_id`` alone, so a second account's event with an id another account had
  used was acknowledged and dropped. The table is rebuilt with the key (``user_id``, ``event_id``) and every row
  is copied (the old ids were unique, so none collide).
* ``itineraries``: ``request`` (the plan request, for re-timing edits), ``plan_format`` and ``summary``. Rows
  saved before are ``unchecked``: the API validates their plan on first read and marks the row ``checked`` or
  ``legacy`` (kept and served as it was stored, never rewritten).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _feedback_table(name: str, key: sa.PrimaryKeyConstraint) -> None:
    op.create_table(
        name,
        sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("place_id", sa.String(100), nullable=False),
        sa.Column("itinerary_id", sa.String(36)),
        sa.Column("rating", sa.Integer),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        key,
    )


FEEDBACK_COLUMNS = "user_id, event_id, kind, place_id, itinerary_id, rating, occurred_at, received_at"


def _rebuild_feedback(name: str, key: sa.PrimaryKeyConstraint, where: str = "") -> None:
    """Copy the feedback rows (``f``) that ``where`` keeps into ``name``, keyed by ``key``; it replaces the table."""
    _feedback_table(name, key)
    columns = FEEDBACK_COLUMNS
    op.execute(f"INSERT INTO {name} ({columns}) SELECT {columns} FROM feedback_events AS f {where}")  # noqa: S608
    op.drop_table("feedback_events")
    op.rename_table(name, "feedback_events")


def upgrade() -> None:
    """Rebuild the feedback table with the per-account key (rows copied); add the itinerary columns."""
    _rebuild_feedback(
        "feedback_events_v4",
        sa.PrimaryKeyConstraint("user_id", "event_id", name="pk_feedback_events_user_event"),
    )
    op.create_index("ix_feedback_events_place_id", "feedback_events", ["place_id"])
    with op.batch_alter_table("itineraries") as batch:
        batch.add_column(sa.Column("request", sa.JSON, nullable=True))
        batch.add_column(sa.Column("plan_format", sa.String(16), nullable=False, server_default="unchecked"))
        batch.add_column(sa.Column("summary", sa.JSON, nullable=True))


def downgrade() -> None:
    """Back to one key for all accounts: of events sharing an id, the earliest received is kept."""
    with op.batch_alter_table("itineraries") as batch:
        batch.drop_column("summary")
        batch.drop_column("plan_format")
        batch.drop_column("request")
    _rebuild_feedback(
        "feedback_events_v3",
        sa.PrimaryKeyConstraint("event_id", name="pk_feedback_events_event"),
        "WHERE NOT EXISTS (SELECT 1 FROM feedback_events AS g WHERE g.event_id = f.event_id "
        "AND (g.received_at < f.received_at OR (g.received_at = f.received_at AND g.user_id < f.user_id)))",
    )
    op.create_index("ix_feedback_events_user_id", "feedback_events", ["user_id"])
    op.create_index("ix_feedback_events_place_id", "feedback_events", ["place_id"])
