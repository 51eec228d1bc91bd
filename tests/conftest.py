"""Shared fixtures: settings for tests, migrated SQLite and PostgreSQL databases, apps, tenants.

PostgreSQL tests use the server on 127.0.0.1:5432. Without one they skip with a message saying
so; under ``CI=true`` they fail instead, because CI must exercise row-level security for real.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

os.environ["ONEDOOR_ENV"] = "testing"
_KEEP = {"ONEDOOR_ENV", "ONEDOOR_TEST_PG_ADMIN_URL"}
for _name in [n for n in os.environ if n.startswith("ONEDOOR_") and n not in _KEEP]:
    del os.environ[_name]  # a developer's own settings must not leak into the tests

from core.app import create_app  # noqa: E402
from core.db import Database  # noqa: E402
from core.plugins import PluginRegistry  # noqa: E402
from core.settings import load_settings  # noqa: E402
from core.testing.postgres import DEFAULT_ADMIN_URL, throwaway_database, unreachable  # noqa: E402

#: The fixtures OneDoor ships for plugin authors; the suite uses them too (the example plugin's
#: tests, the isolation tests of every plugin) and shares their registry and migrated template.
pytest_plugins = ["core.testing.plugins"]

PG_ADMIN_URL = os.environ.get("ONEDOOR_TEST_PG_ADMIN_URL", DEFAULT_ADMIN_URL)
APP_ROLE = "onedoor_app_test"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that reaches PostgreSQL, so `-m postgres` / `-m "not postgres"` split."""
    for item in items:
        if {"pg_urls", "pg_url"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session")
def registry(onedoor_registry: PluginRegistry) -> PluginRegistry:
    """Every plugin installed through the ``onedoor.plugins`` entry points."""
    return onedoor_registry


@pytest.fixture(scope="session")
def sqlite_template(onedoor_sqlite_template: Path) -> Path:
    """A migrated SQLite file that each test copies (migrating once keeps the suite fast)."""
    return onedoor_sqlite_template


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A fresh, migrated SQLite database for one test."""
    path = tmp_path / "onedoor.sqlite3"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def pg_urls(registry: PluginRegistry) -> Iterator[dict[str, str]]:
    """A fresh PostgreSQL database, migrated as the owner, plus the application role's URL.

    The application role neither owns the tables nor has BYPASSRLS, so row-level security
    applies to it exactly as in production (:func:`core.testing.postgres.throwaway_database`).
    """
    problem = unreachable(PG_ADMIN_URL)
    if problem is not None:
        message = f"PostgreSQL at 127.0.0.1:5432 is not reachable ({problem})"
        if IN_CI:
            pytest.fail(f"{message}; CI=true requires it", pytrace=False)
        pytest.skip(f"{message}; PostgreSQL tests skipped")
    with throwaway_database(registry, app_role=APP_ROLE, admin_url=PG_ADMIN_URL,
                            prefix="onedoor_test") as database:
        yield {"owner": database.owner_url, "app": database.app_url, "name": database.name}


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


@contextmanager
def redis_database(number: int, what: str) -> Iterator[Any]:
    """A client of Redis database ``number`` on 127.0.0.1:6379, flushed before and after.

    Skips ``what`` with a message without a server; fails instead under ``CI=true``.
    """
    import redis  # noqa: PLC0415

    client = redis.Redis.from_url(f"redis://127.0.0.1:6379/{number}", socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        message = f"Redis at 127.0.0.1:6379 is not reachable ({type(exc).__name__}: {exc})"
        if IN_CI:
            pytest.fail(f"{message}; CI=true requires it", pytrace=False)
        pytest.skip(f"{message}; {what} skipped")
    client.flushdb()
    try:
        yield client
    finally:
        client.flushdb()
        client.close()
