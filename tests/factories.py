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


def add_case_rows(database: Database, tenant_id: int) -> int:
    """One case with a row in every case-related table, written directly through the ORM.

    For tests about isolation and storage; lifecycle tests go through ``core.cases`` instead.
    """
    from datetime import UTC, datetime, timedelta  # noqa: PLC0415

    from core.models import (  # noqa: PLC0415
        Assignment,
        Case,
        CaseSequence,
        Deadline,
        Evaluation,
        MediationAttempt,
        Party,
        Referral,
        SupervisionNotice,
    )

    now = datetime.now(UTC)
    with database.transaction(tenant_id) as session:
        node = session.scalar(select(TierNode).order_by(TierNode.depth.desc()).limit(1))
        department = session.scalar(select(Department).limit(1))
        session.add(CaseSequence(year=now.year, last=1))
        case = Case(
            code=f"T{tenant_id}-{now.year}-000001-X", case_type="general_dispute",
            category="neighbor", channel="walk_in", title="邻里噪音纠纷",
            location_node_id=node.id, node_id=node.id, status="in_mediation",
            registered_by="test", due_at=now + timedelta(days=3),
        )
        case.parties.append(Party(role="applicant", name="张三", id_masked="110***********002X",
                                  phone_masked="138****5678", tenant_id=tenant_id))
        session.add(case)
        session.flush()
        deadline = Deadline(case_id=case.id, rule="mediation", started_at=now,
                            due_at=now + timedelta(days=30))
        session.add_all([
            Assignment(case_id=case.id, department_id=department.id, node_id=node.id,
                       assigned_by="test"),
            MediationAttempt(case_id=case.id, rung=0, node_id=node.id, mediator="李调解",
                             result="failed"),
            Referral(case_id=case.id, route="litigation"),
            Evaluation(case_id=case.id, rating="satisfied", channel="callback",
                       recorded_by="test"),
            deadline,
        ])
        session.flush()
        session.add(SupervisionNotice(case_id=case.id, kind="urge", issued_by="test",
                                      deadline_id=deadline.id))
        return case.id
