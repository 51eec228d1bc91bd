"""``onedoor plugins``: installed plugins, their versions and hooks, and who enables them.

Which tenants enable a plugin is tenant data (``tenant_plugins``), protected by row-level
security on PostgreSQL. There is no platform bypass, so the listing reads the ``tenants`` table
(not tenant-scoped) and then opens one tenant-bound transaction per tenant, exactly as a request
of that tenant would.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path
from typing import Any

import click
from sqlalchemy import inspect, select
from sqlalchemy.exc import SQLAlchemyError

from core.db import Database
from core.migrate import resolve_url
from core.models import Tenant, TenantPlugin
from core.plugins import PluginRegistry
from core.settings import SettingsError, load_settings

NOT_MIGRATED = "(database not migrated)"
ALL_TENANTS = "all tenants"


@dataclass
class Enablement:
    """Who enables what, as read from one database (``state`` says whether it could be read)."""

    state: str = "ok"
    detail: str = ""
    #: Every tenant's slug, with its enabled flag.
    tenants: dict[str, bool] = field(default_factory=dict)
    #: Plugin name → slugs of the tenants that enable it (installed or not).
    by_plugin: dict[str, list[str]] = field(default_factory=dict)


def read_enablement(database: Database) -> Enablement:
    """Read every tenant's enabled plugins, one tenant-bound transaction per tenant."""
    url = database.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        # Connecting would create an empty file; a listing should leave no trace.
        if not Path(url.database).exists():
            return Enablement(state="not_migrated")
    try:
        inspector = inspect(database.engine)
        if not (inspector.has_table(Tenant.__tablename__)
                and inspector.has_table(TenantPlugin.__tablename__)):
            return Enablement(state="not_migrated")
        with database.engine.connect() as conn:
            tenants = conn.execute(
                select(Tenant.id, Tenant.slug, Tenant.enabled).order_by(Tenant.slug)
            ).all()
        result = Enablement(tenants={t.slug: t.enabled for t in tenants})
        for tenant in tenants:
            with database.transaction(tenant.id) as session:
                for name in session.scalars(select(TenantPlugin.plugin)):
                    result.by_plugin.setdefault(name, []).append(tenant.slug)
    except SQLAlchemyError as exc:
        message = str(exc.orig if getattr(exc, "orig", None) else exc).strip().splitlines()
        return Enablement(state="unavailable", detail=message[0] if message else type(exc).__name__)
    return result


def describe(registry: PluginRegistry, enablement: Enablement) -> dict[str, Any]:
    """The listing as plain data (what ``--format json`` prints)."""
    readable = enablement.state == "ok"
    plugins = []
    for name in sorted(registry.infos):
        info = registry.infos[name]
        if not readable:
            tenants = None
        elif info.essential:
            tenants = sorted(enablement.tenants)
        else:
            tenants = sorted(enablement.by_plugin.get(name, []))
        plugins.append({
            "name": name,
            "version": info.version,
            "distribution": info.distribution,
            "essential": info.essential,
            "names": info.names,
            "hooks": registry.hook_names(name),
            "all_tenants": info.essential,
            "tenants": tenants,
        })
    # A tenant may name a plugin that has since been uninstalled: it silently gets nothing,
    # which an operator should hear about.
    not_installed = {
        name: sorted(slugs) for name, slugs in sorted(enablement.by_plugin.items())
        if name not in registry.infos
    }
    return {
        "database": enablement.state,
        "database_detail": enablement.detail,
        "disabled_tenants": sorted(s for s, on in enablement.tenants.items() if not on),
        "plugins": plugins,
        "not_installed": not_installed,
    }


def render_table(listing: dict[str, Any]) -> str:
    """A plain-text table; hooks and tenants take one line each so that columns stay narrow."""
    disabled = set(listing["disabled_tenants"])
    header = ("PLUGIN", "VERSION", "ESSENTIAL", "HOOKS", "TENANTS")
    rows: list[tuple[str, ...]] = []
    for plugin in listing["plugins"]:
        if plugin["tenants"] is None:
            tenants = [NOT_MIGRATED if listing["database"] == "not_migrated"
                       else "(database unavailable)"]
        elif plugin["all_tenants"]:
            tenants = [ALL_TENANTS]
        else:
            tenants = [f"{s} (tenant disabled)" if s in disabled else s
                       for s in plugin["tenants"]] or ["-"]
        first = (plugin["name"], plugin["version"], "yes" if plugin["essential"] else "no")
        for i, (hook, tenant) in enumerate(zip_longest(plugin["hooks"] or ["-"], tenants,
                                                        fillvalue="")):
            rows.append((*(first if i == 0 else ("", "", "")), hook, tenant))
    widths = [max(len(r[c]) for r in [header, *rows]) for c in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip()
             for r in [header, *rows]]
    if listing["database"] == "unavailable":
        lines.append(f"database unavailable: {listing['database_detail']}")
    for name, slugs in listing["not_installed"].items():
        lines.append(f"warning: plugin {name} is enabled by {', '.join(slugs)} "
                     "but not installed")
    return "\n".join(lines)


@click.group("plugins")
def command() -> None:
    """Installed plugins and the tenants that enable them."""


@command.command("list")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Plain-text table, or JSON for scripts.")
def list_plugins(output: str) -> None:
    """Show each installed plugin: version, essential or not, hooks, enabling tenants."""
    from core.cli import fail  # noqa: PLC0415 - core.cli imports this module

    try:
        settings = load_settings()
    except SettingsError as exc:
        fail(str(exc))
    registry = PluginRegistry()
    database = Database(resolve_url(settings, settings.database_url))
    try:
        listing = describe(registry, read_enablement(database))
    finally:
        database.dispose()
    if output == "json":
        click.echo(json.dumps(listing, ensure_ascii=False, indent=2))
    else:
        click.echo(render_table(listing))
