"""``onedoor indicators refresh``: bring the indicator rollup the dashboard reads up to date.

The periodic sweep (``core.tasks``) refreshes a tenant's rollup when it is older than
:data:`core.rollups.REFRESH_EVERY`; operators run this from cron on a deployment without a
broker. By default the refresh is incremental: only the months of cases changed since the
previous one are rebuilt (a change of indicator settings or of the tier tree makes it full by
itself). ``--full`` rebuilds every month: after cases were written or deleted in SQL by hand (a
bulk load, a repair) without stamping ``cases.changed_at``. Prints one line per tenant; bad
input exits 2 naming the option.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import click
from sqlalchemy import select

from core.models import Tenant


def _built(result: Any) -> str:
    """What was rebuilt: "full (why), N months" or "incremental, N months (the first few)"."""
    months = result.months
    shown = ", ".join(months[:3]) + (", …" if len(months) > 3 else "")
    if result.mode == "full":
        return f"full ({result.reason}), {len(months)} months"
    return f"incremental, {len(months)} months" + (f" ({shown})" if months else "")


@click.group("indicators")
def command() -> None:
    """Indicators (考核指标): the precomputed rollup of the dashboard."""


@command.command("refresh")
@click.option("--tenant", "slug", metavar="SLUG",
              help="Refresh this tenant only (default: all enabled tenants).")
@click.option("--full", is_flag=True,
              help="Rebuild every month (default: only the months of cases changed since the "
                   "previous refresh).")
def refresh_command(slug: str | None, full: bool) -> None:
    """Refresh each tenant's indicator rollup from its cases (set-based, idempotent; the
    dashboard then shows "figures as of" this moment)."""
    from core import rollups  # noqa: PLC0415 - keep `onedoor --help` fast
    from core.cli import fail, open_database  # noqa: PLC0415
    from core.indicators import IndicatorError  # noqa: PLC0415
    from core.plugins import PluginRegistry  # noqa: PLC0415
    from core.tenancy import TenantDirectory  # noqa: PLC0415

    database = open_database()
    from core.tasks import enabled_tenants  # noqa: PLC0415

    problems = []
    try:
        if slug is None:
            tenants = enabled_tenants(database)
        else:
            with database.transaction() as session:
                tenant = session.scalar(select(Tenant).where(Tenant.slug == slug))
            if tenant is None:
                fail(f"--tenant: no tenant {slug!r}")
            if not tenant.enabled:
                fail(f"--tenant: tenant {slug!r} is disabled")
            tenants = [tenant]
        directory = TenantDirectory(database, PluginRegistry())
        for row in tenants:
            context = directory.get(row.slug)
            try:
                with database.transaction(row.id) as session:
                    result = rollups.refresh(session, context, now=datetime.now(UTC),
                                             actor="system:cli", full=full)
            except IndicatorError as exc:
                # One tenant's bad setting must not keep the others' figures from refreshing.
                problems.append(f"{row.slug}: {exc} ({exc.field})")
                click.echo(f"{row.slug}: not refreshed: {exc} (setting {exc.field})", err=True)
                continue
            click.echo(f"{row.slug}: {result.cases} cases, {result.rows} rows, "
                       f"as of {result.as_of.isoformat(timespec='seconds')} "
                       f"({result.seconds:.2f}s); {_built(result)}")
    finally:
        database.dispose()
    if problems:
        fail(f"{len(problems)} tenant(s) not refreshed: fix their settings ({problems[0]})")
