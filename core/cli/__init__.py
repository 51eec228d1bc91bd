"""The ``onedoor`` command line: a Flask CLI group with OneDoor's own commands.

Each sub-module holds one command group; plugins add theirs through ``onedoor_cli_commands``.
Commands exit with status 2 and a message naming the file, line or field on bad input.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, NoReturn

import click
from flask.cli import FlaskGroup

from core import __version__

if TYPE_CHECKING:
    from core.db import Database

EXIT_BAD_INPUT = 2
#: Tables whose absence means `onedoor db upgrade` was never run.
CORE_TABLES = ("tenants", "tenant_plugins", "tier_levels", "tier_nodes", "departments",
               "centers", "center_windows", "stationings", "audit_events")


def _create_app():
    from core.app import create_app  # noqa: PLC0415 - keep `onedoor --help` fast

    return create_app()


def fail(message: str) -> NoReturn:
    """Print ``message`` to stderr and exit with status 2 (bad input, nothing applied)."""
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_BAD_INPUT)


def open_database(required_tables: tuple[str, ...] = CORE_TABLES) -> Database:
    """The application database from settings; exits 2 if unreachable or never migrated."""
    from sqlalchemy import inspect  # noqa: PLC0415 - keep `onedoor --help` fast
    from sqlalchemy.exc import OperationalError  # noqa: PLC0415

    from core.db import Database  # noqa: PLC0415
    from core.migrate import resolve_url  # noqa: PLC0415
    from core.settings import SettingsError, load_settings  # noqa: PLC0415

    try:
        settings = load_settings()
    except SettingsError as exc:
        fail(str(exc))
    database = Database(resolve_url(settings, settings.database_url))
    where = database.url.render_as_string()
    try:
        present = set(inspect(database.engine).get_table_names())
    except OperationalError as exc:
        fail(f"cannot reach the database {where}: {str(exc.orig).strip().splitlines()[0]}")
    missing = [table for table in required_tables if table not in present]
    if missing:
        database.dispose()
        fail(f"the database {where} lacks the OneDoor tables ({', '.join(missing)}): "
             "run `onedoor db upgrade` first")
    return database


def build_cli() -> click.Group:
    """The root group with core and plugin commands (plugins discovered from entry points)."""
    from core.cli import (  # noqa: PLC0415
        accounts,
        audit,
        db,
        demo,
        indicators,
        plugins,
        scaffold,
        sla,
        tenant,
    )

    group = FlaskGroup(
        name="onedoor",
        create_app=_create_app,
        add_version_option=False,
        help="OneDoor (一扇门): multi-tenant governance-center framework.",
    )
    group = click.version_option(__version__, prog_name="onedoor")(group)
    for module in (audit, db, demo, indicators, plugins, scaffold, sla, tenant):
        group.add_command(module.command)
    group.add_command(accounts.user_command)
    group.add_command(accounts.token_command)
    from core.plugins import PluginRegistry  # noqa: PLC0415

    for commands in PluginRegistry().collect("onedoor_cli_commands"):
        for command in commands or []:
            group.add_command(command)
    return group


def main() -> None:
    """Console-script entry point ``onedoor``."""
    build_cli()(prog_name="onedoor")
