"""``onedoor demo``: migrate, apply every tenant in ``tenants/``, and serve the demo.

On the embedded SQLite default this is the whole installation: one command after ``pip
install`` gives a running multi-tenant site at http://127.0.0.1:5000.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from core.migrate import resolve_url, upgrade_from_settings
from core.plugins import PluginRegistry
from core.settings import Settings, SettingsError, load_settings


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535),
              help="Port to listen on.")
@click.option("--reset", is_flag=True, help="Start from an empty database (deletes demo data).")
@click.option("--serve/--no-serve", default=True, show_default=True,
              help="Serve the site after loading (--no-serve only loads).")
@click.option("--cases", "case_count", default=60, show_default=True,
              type=click.IntRange(0, 100000), help="Synthetic cases per tenant (first load only).")
def command(host: str, port: int, reset: bool, serve: bool, case_count: int) -> None:
    """Load the demo tenants from tenants/, give each synthetic cases, and serve them."""
    from core.cli import fail  # noqa: PLC0415
    from core.demo import DEMO_PASSWORD, DEMO_STAFF, seed_cases, seed_staff  # noqa: PLC0415
    from core.pii import Vault  # noqa: PLC0415
    from core.sweep import sweep  # noqa: PLC0415
    from core.tenancy import TenantNotFound  # noqa: PLC0415
    from core.tenantconfig import ConfigErrors, apply, load  # noqa: PLC0415

    try:
        # The demo serves plain http on loopback: Secure cookies would never come back.
        settings = load_settings().with_overrides(session_cookie_secure=False)
    except SettingsError as exc:
        fail(str(exc))
    if reset:
        _reset(settings)
    registry = PluginRegistry()
    upgrade_from_settings(settings, registry)

    from core.app import create_app  # noqa: PLC0415

    app = create_app(settings, registry=registry)
    database = app.extensions["onedoor"].database
    files = sorted(settings.tenants_dir.glob("*/tenant.toml"))
    if not files:
        fail(f"{settings.tenants_dir}: no */tenant.toml to load")
    for path in files:
        try:
            result = apply(database, registry, load(path, registry), actor="cli:demo")
        except ConfigErrors as exc:
            fail(str(exc))
        state = "created" if result.created else ("updated" if result.changed else "unchanged")
        try:
            tenant = app.extensions["onedoor"].directory.get(path.parent.name)
        except TenantNotFound:  # a disabled tenant keeps its data but gets no demo cases
            seeded = 0
        else:
            seeded = seed_cases(database, tenant, vault=Vault(settings.pii_secret),
                                count=case_count)
            seed_staff(database, tenant)
            # Mark what is overdue now, as the periodic sweep of a running site would.
            sweep(database, tenant.id, datetime.now(UTC))
        click.echo(f"tenant {path.parent.name}: {state}"
                   + (f", {seeded} synthetic cases" if seeded else ""))
    base = f"http://{host}:{port}"
    for path in files:
        click.echo(f"  {base}/{path.parent.name}/")
    click.echo(f"demo staff accounts in every tenant ({', '.join(DEMO_STAFF)}), password "
               f"{DEMO_PASSWORD!r}: sign in at {base}/<tenant>/login (demo only)")
    if serve:
        click.echo(f"OneDoor demo on {base}/  (Ctrl+C to stop)")
        app.run(host=host, port=port, use_reloader=False, threaded=True)


def _reset(settings: Settings) -> None:
    url = resolve_url(settings, settings.owner_database_url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database:
            for suffix in ("", "-wal", "-shm"):
                Path(parsed.database + suffix).unlink(missing_ok=True)
        return
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            if conn.dialect.has_table(conn, "tenants"):
                conn.execute(text("TRUNCATE tenants RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()
