"""Alembic environment: runs on the connection handed over by :mod:`core.migrate`."""

from alembic import context

import core.models  # noqa: F401 - registers every core table on Base.metadata
from core.db import Base

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
