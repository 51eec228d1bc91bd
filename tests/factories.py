"""Build tenants and their trees directly, for tests that are not about tenant.toml.

The tenant builder lives in :mod:`core.testing.tenants`, shared with plugin authors' fixtures.
"""

from __future__ import annotations

from sqlalchemy import select

from core.db import Database
from core.models import Department, TierNode
from core.testing.tenants import LEVELS, make_tenant

__all__ = ["LEVELS", "add_case_rows", "make_tenant"]


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
