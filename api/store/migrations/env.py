"""Alembic environment: the connection comes from ``api.store.db.migrate`` (or a URL for the alembic CLI)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

import api.store.communes  # noqa: F401 - the commune editors' tables
from api.store.models import Base

config = context.config
target_metadata = Base.metadata
connection = config.attributes.get("connection")
if connection is not None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite:///var/heritage.sqlite3")
    with engine.begin() as own_connection:
        context.configure(connection=own_connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
