"""Build tenants and their trees directly, for tests that are not about tenant.toml."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.db import Database
from core.models import (
    Center,
    CenterWindow,
    Department,
    Stationing,
    StationingMode,
    Tenant,
    TenantPlugin,
    TierNode,
)
from core.tiers import NodeRow, plan_tree, sync_levels, sync_tree

LEVELS = ("city", "county", "town", "village")


def make_tenant(
    database: Database,
    slug: str,
    *,
    plugins: dict[str, dict[str, Any]] | None = None,
    levels: tuple[str, ...] = LEVELS,
    nodes: list[NodeRow] | None = None,
    enabled: bool = True,
) -> int:
    """Create tenant ``slug`` with a small tree, one center, a window and a stationing."""
    with database.transaction() as session:
        tenant = Tenant(
            slug=slug,
            enabled=enabled,
            case_code_prefix=slug[:2].upper(),
            config={"names": {"zh_Hans": f"{slug}市", "en": slug.title()}},
        )
        session.add(tenant)
        session.flush()
        tenant_id = tenant.id
    with database.transaction(tenant_id) as session:
        for name, settings in (plugins or {}).items():
            session.add(TenantPlugin(plugin=name, settings=settings))
        level_rows = sync_levels(session, [{"code": c, "names": {"en": c}} for c in levels])
        rows = nodes or [
            NodeRow(code=f"{slug}-root", level=levels[0], name=f"{slug} city"),
            NodeRow(code=f"{slug}-c1", level=levels[1], name="county 1", parent=f"{slug}-root"),
            NodeRow(code=f"{slug}-t1", level=levels[2], name="town 1", parent=f"{slug}-c1"),
        ]
        sync_tree(session, plan_tree(rows, {c: i for i, c in enumerate(levels)}), level_rows)
        root = session.scalar(select(TierNode).where(TierNode.code == rows[0].code))
        department = Department(code="court", names={"zh_Hans": "人民法院"})
        center = Center(code=f"{slug}-center", node_id=root.id, names={"zh_Hans": f"{slug}中心"})
        session.add_all([department, center])
        session.flush()
        session.add(CenterWindow(center_id=center.id, window_type="general_intake"))
        session.add(Stationing(center_id=center.id, department_id=department.id,
                               mode=StationingMode.RESIDENT, schedule={"days": ["mon"]}))
    return tenant_id
