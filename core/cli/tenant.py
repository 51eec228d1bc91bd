"""``onedoor tenant validate|apply|export``: tenant configuration as code.

Bad input exits with status 2 after printing every problem as ``FILE:LINE: field: message``;
nothing is applied then. See docs/tenant-config.md for the keys of ``tenant.toml``.
"""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import click

from core.db import Database
from core.plugins import PluginRegistry
from core.tenancy import TenantNotFound
from core.tenantconfig import ConfigErrors, TenantConfig, apply, export, load, render, resolve_path


def _fail(message: str) -> NoReturn:
    from core.cli import fail  # noqa: PLC0415 - core.cli imports this module

    fail(message)


def _load(path: str, registry: PluginRegistry) -> TenantConfig:
    try:
        return load(path, registry)
    except ConfigErrors as exc:
        for error in exc.errors:
            click.echo(str(error), err=True)
        problems = "1 problem" if len(exc) == 1 else f"{len(exc)} problems"
        _fail(f"{resolve_path(path)}: {problems}; nothing applied")


def _database() -> Database:
    """The application database from settings, refusing one that was never migrated."""
    from core.cli import open_database  # noqa: PLC0415

    return open_database()


@click.group("tenant")
def command() -> None:
    """Tenant configuration as code: validate, apply and export tenant.toml."""


@command.command("validate")
@click.argument("path")
def validate(path: str) -> None:
    """Check PATH (a tenant.toml or its folder) without touching the database."""
    config = _load(path, PluginRegistry())
    click.echo(f"{resolve_path(path)}: ok ({config.summary()})")


@command.command("apply")
@click.argument("path")
@click.option("--dry-run", is_flag=True, help="Print the changes and write nothing.")
def apply_command(path: str, dry_run: bool) -> None:
    """Create or update the tenant declared in PATH, in one transaction."""
    registry = PluginRegistry()
    config = _load(path, registry)
    database = _database()
    try:
        result = apply(database, registry, config, dry_run=dry_run, actor="cli")
    except ConfigErrors as exc:
        for error in exc.errors:
            click.echo(str(error), err=True)
        _fail(f"{config.path}: the database refused the change; nothing applied")
    finally:
        database.dispose()
    for line in result.changes:
        click.echo(line)
    if dry_run:
        click.echo(f"{config.slug}: dry run, {len(result.changes)} change(s) would be applied; "
                   "nothing written")
    elif not result.changed:
        click.echo(f"{config.slug}: already up to date (config version {result.config_version})")
    else:
        verb = "created" if result.created else "updated"
        click.echo(f"{config.slug}: {verb}, {len(result.changes)} change(s) "
                   f"(config version {result.config_version})")


@command.command("export")
@click.argument("slug")
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write tenant.toml (and logo.svg, nodes.csv) into.")
def export_command(slug: str, output: Path | None) -> None:
    """Write tenant SLUG's configuration as tenant.toml (to stdout without --output)."""
    registry = PluginRegistry()
    database = _database()
    try:
        if output is None:
            exported = render(database, registry, slug)
            click.echo(exported.toml, nl=False)
            if exported.files:
                click.echo(f"note: {', '.join(sorted(exported.files))} not written; "
                           "use --output DIR to write them", err=True)
        else:
            path = export(database, registry, slug, output)
            click.echo(f"{slug}: exported to {path}")
    except TenantNotFound:
        _fail(f"no tenant {slug!r} in this database")
    finally:
        database.dispose()
