"""``onedoor db upgrade``: apply core and plugin migrations."""

from __future__ import annotations

import click

from core.migrate import upgrade_from_settings
from core.plugins import PluginRegistry
from core.settings import SettingsError, load_settings


@click.group("db")
def command() -> None:
    """Database schema."""


@command.command("upgrade")
def upgrade() -> None:
    """Migrate the database to the newest schema (core and every installed plugin)."""
    from core.cli import fail  # noqa: PLC0415

    try:
        settings = load_settings()
    except SettingsError as exc:
        fail(str(exc))
    upgrade_from_settings(settings, PluginRegistry())
    click.echo("database is up to date")
