"""escalation ladders know the tier above their last step

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 07:30:00

A tenant's stored ``config["escalation"]`` gains ``above``: the tier level over the ladder's last
step, where a dispute goes once that step has failed (the district after the street). The
tenant loader derives it from now on; this fills it in for tenants applied before, and bumps
their ``config_version`` so running processes take the new ladder.
"""

from alembic import op
import sqlalchemy as sa

from core import escalation
from core.db import JSONType


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

tenants = sa.table(
    "tenants",
    sa.column("id", sa.Integer),
    sa.column("config", JSONType),
    sa.column("config_version", sa.Integer),
)
tier_levels = sa.table(
    "tier_levels",
    sa.column("tenant_id", sa.Integer),
    sa.column("code", sa.String),
    sa.column("rank", sa.Integer),
)


def _levels(bind, tenant_id: int) -> list[str]:
    if bind.dialect.name == "postgresql":  # tier_levels is under row-level security
        bind.execute(sa.text("SELECT set_config('app.tenant_id', :tid, true)"),
                     {"tid": str(tenant_id)})
    return list(bind.scalars(sa.select(tier_levels.c.code)
                             .where(tier_levels.c.tenant_id == tenant_id)
                             .order_by(tier_levels.c.rank)))


def upgrade() -> None:
    bind = op.get_bind()
    for tenant_id, config, version in bind.execute(
            sa.select(tenants.c.id, tenants.c.config, tenants.c.config_version)).all():
        table = dict((config or {}).get("escalation") or {})
        if "above" in table:
            continue
        table["above"] = escalation.level_above(_levels(bind, tenant_id), table.get("ladder") or [])
        bind.execute(tenants.update().where(tenants.c.id == tenant_id).values(
            config={**(config or {}), "escalation": table}, config_version=version + 1))


def downgrade() -> None:
    bind = op.get_bind()
    for tenant_id, config, version in bind.execute(
            sa.select(tenants.c.id, tenants.c.config, tenants.c.config_version)).all():
        table = dict((config or {}).get("escalation") or {})
        if table.pop("above", "absent") == "absent":
            continue
        bind.execute(tenants.update().where(tenants.c.id == tenant_id).values(
            config={**config, "escalation": table}, config_version=version + 1))
