"""Throw-away PostgreSQL databases, migrated as their owner, used through an application role.

Row-level security only means something when the application connects as a role that neither
owns the tables nor has BYPASSRLS, so :func:`throwaway_database` creates such a role (if it
does not exist yet) beside a fresh database, migrates the database to every head as the owner
(the admin URL's user) with that role granted what the application needs, and drops the
database afterwards. The tests (``tests/conftest.py``) and the benchmarks (``bench/_common.py``)
both get their PostgreSQL databases here; whether a missing server skips or fails is theirs
to decide, with :func:`unreachable` telling them why.

No pytest here: this module is plain code that any test runner or script can call.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from core.migrate import upgrade

if TYPE_CHECKING:
    from core.plugins import PluginRegistry

#: The local server the tests and benchmarks expect by default (trust authentication).
DEFAULT_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True)
class ThrowawayDatabase:
    """A migrated database: ``owner_url`` owns the tables, ``app_url`` is subject to RLS."""

    name: str
    owner_url: str
    app_url: str


def unreachable(admin_url: str = DEFAULT_ADMIN_URL, *, timeout: int = 3) -> str | None:
    """None when the server at ``admin_url`` answers within ``timeout`` seconds, else why not
    (one line, e.g. ``OperationalError: connection refused``)."""
    try:
        engine = create_engine(admin_url, connect_args={"connect_timeout": timeout})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "no server here"
        return f"{type(exc).__name__}: {exc}".splitlines()[0]


@contextmanager
def throwaway_database(
    registry: PluginRegistry,
    *,
    app_role: str,
    admin_url: str = DEFAULT_ADMIN_URL,
    prefix: str = "onedoor_tmp",
    drop_created_role: bool = False,
) -> Iterator[ThrowawayDatabase]:
    """A fresh database ``<prefix>_<random>`` migrated to every head of ``registry``'s plugins.

    ``app_role`` is created (LOGIN NOSUPERUSER NOBYPASSRLS, no password) unless it exists; the
    migration grants it what the application needs. The database is dropped on exit, also when
    the migration fails; the role too with ``drop_created_role`` if this call created it
    (leave it when several runs may share the role at once).
    """
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    created_role = False
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
            if not conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"),
                               {"r": app_role}):
                conn.execute(text(f"CREATE ROLE {app_role} LOGIN NOSUPERUSER NOBYPASSRLS"))
                created_role = True
        owner_url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        # The role has no password: the admin's must not be sent in its name.
        app_url = (make_url(owner_url).set(username=app_role, password=None)
                   .render_as_string(hide_password=False))
        try:
            upgrade(owner_url, registry, app_role=app_role)
            yield ThrowawayDatabase(name, owner_url, app_url)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                if created_role and drop_created_role:
                    conn.execute(text(f"DROP ROLE IF EXISTS {app_role}"))
    finally:
        admin.dispose()
