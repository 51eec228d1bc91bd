"""The ``onedoor`` command line: a Flask CLI group with OneDoor's own commands.

Each sub-module holds one command group; plugins add theirs through ``onedoor_cli_commands``.
Commands exit with status 2 and a message naming the file, line or field on bad input.
"""

from __future__ import annotations

import sys

import click
from flask.cli import FlaskGroup

from core import __version__

EXIT_BAD_INPUT = 2


def _create_app():
    from core.app import create_app  # noqa: PLC0415 - keep `onedoor --help` fast

    return create_app()


def fail(message: str) -> None:
    """Print ``message`` to stderr and exit with status 2 (bad input, nothing applied)."""
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_BAD_INPUT)


def build_cli() -> click.Group:
    """The root group with core and plugin commands (plugins discovered from entry points)."""
    from core.cli import db, demo, plugins, tenant  # noqa: PLC0415

    group = FlaskGroup(
        name="onedoor",
        create_app=_create_app,
        add_version_option=False,
        help="OneDoor (一扇门): multi-tenant governance-center framework.",
    )
    group = click.version_option(__version__, prog_name="onedoor")(group)
    for module in (db, demo, plugins, tenant):
        group.add_command(module.command)
    from core.plugins import PluginRegistry  # noqa: PLC0415

    for commands in PluginRegistry().collect("onedoor_cli_commands"):
        for command in commands or []:
            group.add_command(command)
    return group


def main() -> None:
    """Console-script entry point ``onedoor``."""
    build_cli()(prog_name="onedoor")
