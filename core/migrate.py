"""Schema migrations: core's Alembic revisions plus every installed plugin's.

Migrations run as the owner of the tables (``migration_database_url``); afterwards the
application role, if configured, is granted data access to every table.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection

from core import rls
from core.plugins import PluginRegistry
from core.settings import Settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: Connection, registry: PluginRegistry) -> Config:
    """An Alembic config whose version locations include every installed plugin's."""
    cfg = Config(str(MIGRATIONS_DIR / "alembic.ini"))
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    locations = [str(MIGRATIONS_DIR / "versions")]
    for dirs in registry.collect("onedoor_migration_dirs"):
        locations.extend(str(Path(d)) for d in dirs or [])
    cfg.set_main_option("version_locations", " ".join(locations))
    cfg.set_main_option("path_separator", "space")
    cfg.attributes["connection"] = connection
    return cfg


def upgrade(url: str, registry: PluginRegistry, *, app_role: str = "",
            revision: str = "heads") -> None:
    """Bring the schema at ``url`` to ``revision`` (default: every branch's head)."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection, registry), revision)
            if app_role and connection.dialect.name == "postgresql":
                rls.grant_app_role(connection, app_role)
    finally:
        engine.dispose()


def upgrade_from_settings(settings: Settings, registry: PluginRegistry) -> None:
    """:func:`upgrade` the database named by ``settings`` (instance-relative SQLite resolved)."""
    upgrade(resolve_url(settings, settings.owner_database_url), registry,
            app_role=settings.app_role)


def resolve_url(settings: Settings, url: str) -> str:
    """Make a relative ``sqlite:///file`` URL point into the instance folder."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        instance = Path(settings.instance_path).resolve()
        instance.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{instance / url.removeprefix('sqlite:///')}"
    return url
