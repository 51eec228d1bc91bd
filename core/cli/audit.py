"""``onedoor audit verify``: recompute every tenant's hash chain and report the first break."""

from __future__ import annotations

import sys

import click
from sqlalchemy import select

from core import audit
from core.models import Tenant

EXIT_BROKEN = 1


@click.group("audit")
def command() -> None:
    """The tamper-evident audit trail."""


@command.command("verify")
@click.option("--tenant", "slug", default=None, help="Only this tenant (slug).")
def verify(slug: str | None) -> None:
    """Verify the audit chain of one or every tenant; exit 1 when any chain is broken.

    Each tenant's chain is read through that tenant's own session (row-level security applies),
    one tenant at a time: there is no cross-tenant bypass, even for verification.
    """
    from core.cli import fail, open_database  # noqa: PLC0415

    database = open_database()
    try:
        with database.engine.connect() as conn:
            query = select(Tenant.id, Tenant.slug).order_by(Tenant.slug)
            if slug:
                query = query.where(Tenant.slug == slug)
            tenants = conn.execute(query).all()
        if slug and not tenants:
            fail(f"--tenant: no tenant {slug!r} in this database")
        broken = 0
        for tenant_id, tenant_slug in tenants:
            with database.transaction(tenant_id) as session:
                report = audit.verify_chain(session)
            if report.ok:
                click.echo(f"{tenant_slug}: ok ({report.events} events)")
            else:
                broken += 1
                click.echo(f"{tenant_slug}: BROKEN at event {report.broken_at} "
                           f"(after {report.events - 1} good events)")
    finally:
        database.dispose()
    if broken:
        sys.exit(EXIT_BROKEN)
