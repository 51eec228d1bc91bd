"""Shared fixtures: settings for tests, migrated SQLite and PostgreSQL databases, apps, tenants.

PostgreSQL tests use the server on 127.0.0.1:5432. Without one they skip with a message saying
so; under ``CI=true`` they fail instead, because CI must exercise row-level security for real.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

os.environ["ONEDOOR_ENV"] = "testing"
_KEEP = {"ONEDOOR_ENV", "ONEDOOR_TEST_PG_ADMIN_URL"}
for _name in [n for n in os.environ if n.startswith("ONEDOOR_") and n not in _KEEP]:
    del os.environ[_name]  # a developer's own settings must not leak into the tests

from core.app import create_app  # noqa: E402
from core.db import Database  # noqa: E402
from core.migrate import upgrade  # noqa: E402
from core.plugins import PluginRegistry  # noqa: E402
from core.settings import load_settings  # noqa: E402

PG_ADMIN_URL = os.environ.get(
    "ONEDOOR_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
APP_ROLE = "onedoor_app_test"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that reaches PostgreSQL, so `-m postgres` / `-m "not postgres"` split."""
    for item in items:
        if {"pg_urls", "pg_url"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session")
def registry() -> PluginRegistry:
    """Every plugin installed through the ``onedoor.plugins`` entry points."""
    return PluginRegistry()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory, registry: PluginRegistry) -> Path:
    """A migrated SQLite file that each test copies (migrating once keeps the suite fast)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    upgrade(f"sqlite:///{path}", registry)
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A fresh, migrated SQLite database for one test."""
    path = tmp_path / "onedoor.sqlite3"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


def _pg_reachable() -> str | None:
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "no server here"
        return f"{type(exc).__name__}: {exc}".splitlines()[0]


@pytest.fixture(scope="session")
def pg_urls(registry: PluginRegistry) -> Iterator[dict[str, str]]:
    """A fresh PostgreSQL database, migrated as the owner, plus the application role's URL.

    The application role neither owns the tables nor has BYPASSRLS, so row-level security
    applies to it exactly as in production.
    """
    problem = _pg_reachable()
    if problem is not None:
        message = f"PostgreSQL at 127.0.0.1:5432 is not reachable ({problem})"
        if IN_CI:
            pytest.fail(f"{message}; CI=true requires it", pytrace=False)
        pytest.skip(f"{message}; PostgreSQL tests skipped")
    name = f"onedoor_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
        exists = conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": APP_ROLE})
        if not exists:
            conn.execute(text(f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS"))
    owner_url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    app_url = make_url(owner_url).set(username=APP_ROLE).render_as_string(hide_password=False)
    upgrade(owner_url, registry, app_role=APP_ROLE)
    try:
        yield {"owner": owner_url, "app": app_url, "name": name}
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def pg_url(pg_urls: dict[str, str]) -> Iterator[str]:
    """The application role's URL on an emptied PostgreSQL test database."""
    engine = create_engine(pg_urls["owner"])
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE tenants RESTART IDENTITY CASCADE"))
    engine.dispose()
    yield pg_urls["app"]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each backend in turn: a migrated SQLite file, then PostgreSQL as the application role."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """A :class:`Database` on each backend in turn."""
    db = Database(database_url)
    yield db
    db.dispose()


@pytest.fixture
def make_app(registry: PluginRegistry):
    """Factory: ``make_app(url)`` builds an app on an already migrated database."""
    apps = []

    def factory(url: str, **overrides):
        app = create_app(load_settings(), registry=registry, database_url=url, **overrides)
        app.config["TESTING"] = True
        apps.append(app)
        return app

    yield factory
    for app in apps:
        app.extensions["onedoor"].database.dispose()


@pytest.fixture
def app(make_app, sqlite_url: str):
    """An app on a fresh SQLite database with no tenants."""
    return make_app(sqlite_url)
