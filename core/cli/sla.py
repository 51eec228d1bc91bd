"""``onedoor sla sweep``: run the periodic deadline sweep now, in this process.

The same work the ``core.tasks.sweep_all`` beat task does every 5 minutes, for operators (after a
calendar change, or on a deployment without a broker that prefers cron). Prints one line of
counts per tenant; bad input exits 2 naming the option.
"""

from __future__ import annotations

from datetime import UTC, datetime

import click
from sqlalchemy import select

from core.models import Tenant


@click.group("sla")
def command() -> None:
    """Deadlines (期限): the periodic sweep."""


def _parse_now(text: str | None) -> datetime | None:
    from core.cli import fail  # noqa: PLC0415 - core.cli imports this module

    if text is None:
        return None
    try:
        now = datetime.fromisoformat(text)
    except ValueError:
        fail(f"--now: expected ISO 8601 like 2026-10-09T18:00:00+08:00, got {text!r}")
    if now.tzinfo is None:
        fail(f"--now: give a UTC offset (e.g. {text}+08:00): tenants live in different zones")
    return now


@command.command("sweep")
@click.option("--tenant", "slug", metavar="SLUG", help="Sweep this tenant only (default: all "
              "enabled tenants).")
@click.option("--now", "now_text", metavar="ISO8601",
              help="Sweep as of this moment (with offset); default: the current time.")
@click.option("--batch-size", type=click.IntRange(min=1), default=5000, show_default=True,
              help="Clocks per transaction.")
def sweep_command(slug: str | None, now_text: str | None, batch_size: int) -> None:
    """Mark missed deadlines, issue reminders and urgings (催办), recompute after calendar
    changes; idempotent (a second run at the same --now changes nothing)."""
    from core.calendar import CalendarConfigError  # noqa: PLC0415 - keep `onedoor --help` fast
    from core.cli import fail, open_database  # noqa: PLC0415
    from core.plugins import PluginRegistry  # noqa: PLC0415
    from core.sla import DeadlineRuleError  # noqa: PLC0415

    now = _parse_now(now_text) or datetime.now(UTC)
    database = open_database()  # bad settings exit 2 here, before core.tasks reads them again
    from core.tasks import enabled_tenants, sweep_one  # noqa: PLC0415

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
        registry = PluginRegistry()
        problems = []
        for tenant in tenants:
            try:
                result = sweep_one(database, registry, tenant, now, batch_size=batch_size)
            except (CalendarConfigError, DeadlineRuleError) as exc:
                # One tenant's bad configuration must not keep the others' clocks from running.
                problems.append(f"{tenant.slug}: {exc}")
                click.echo(f"{tenant.slug}: not swept: {exc}", err=True)
                continue
            c = result.counts
            click.echo(
                f"{tenant.slug}: breached {c['breached']}, overdue cases {c['overdue_cases']}, "
                f"reminders {c['reminders']}, urges {c['urges']}, recomputed {c['recomputed']} "
                f"({c['batches']} batches, {sum(result.seconds.values()):.2f}s)"
            )
    finally:
        database.dispose()
    if problems:
        fail(f"{len(problems)} tenant(s) not swept: fix their configuration ({problems[0]})")
