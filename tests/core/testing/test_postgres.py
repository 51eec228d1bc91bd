"""Throw-away PostgreSQL databases: an unreachable server is named, a database is migrated for
an application role without owner rights or BYPASSRLS, and nothing is left behind."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, text

from core.testing.postgres import throwaway_database, unreachable
from tests.conftest import PG_ADMIN_URL

ROLE = f"onedoor_app_helper_{uuid.uuid4().hex[:8]}"  # surely new: this run creates it


def test_an_unreachable_server_says_why():
    problem = unreachable("postgresql+psycopg://postgres@127.0.0.1:1/postgres", timeout=1)

    assert problem is not None and problem.startswith("OperationalError")


@pytest.mark.postgres
def test_a_throwaway_database_is_migrated_for_a_plain_role_and_dropped(pg_urls, registry):
    # pg_urls: skipped without a server (failed under CI=true), like every PostgreSQL test.
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with throwaway_database(registry, app_role=ROLE, admin_url=PG_ADMIN_URL,
                                prefix="onedoor_helper", drop_created_role=True) as database:
            assert database.name.startswith("onedoor_helper_")
            app = create_engine(database.app_url)
            try:
                with app.connect() as conn:
                    user, owns = conn.execute(text(
                        "SELECT current_user, tableowner = current_user FROM pg_tables "
                        "WHERE tablename = 'cases'")).one()
                    bypass = conn.scalar(text(
                        "SELECT rolbypassrls OR rolsuper FROM pg_roles WHERE rolname = :r"),
                        {"r": ROLE})
            finally:
                app.dispose()
            assert (user, owns, bypass) == (ROLE, False, False)
        with admin.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM pg_database WHERE datname = :n"),
                               {"n": database.name}) == 0
            assert conn.scalar(text("SELECT count(*) FROM pg_roles WHERE rolname = :r"),
                               {"r": ROLE}) == 0
    finally:
        admin.dispose()
