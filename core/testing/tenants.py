"""Build tenants, staff and cases directly, for tests that are not about ``tenant.toml``.

OneDoor's own tests and the fixtures for plugin authors (:mod:`core.testing.plugins`) share
these builders, so a plugin's tests set up tenants exactly as core's do.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from datetime import datetime
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
#: The password of every account these helpers create.
PASSWORD = "correct horse battery"
#: Every role a member of staff can have except the auditor's (who changes nothing).
STAFF_ROLES = ("tenant_admin", "leader", "dispatcher", "clerk", "mediator")


def make_tenant(
    database: Database,
    slug: str,
    *,
    plugins: dict[str, dict[str, Any]] | None = None,
    levels: tuple[str, ...] = LEVELS,
    nodes: list[NodeRow] | None = None,
    enabled: bool = True,
) -> int:
    """Create tenant ``slug`` with a small tree, one center, a window and a stationing.

    The tree is ``<slug>-root`` (city) › ``<slug>-c1`` (county) › ``<slug>-t1`` (town) unless
    ``nodes`` says otherwise; ``plugins`` maps the enabled plugins to their stored settings.
    Returns the tenant's id.
    """
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


def make_staff(database: Database, tenant_id: int, username: str,
               roles: Iterable[str] = STAFF_ROLES, password: str = PASSWORD) -> str:
    """Create user ``username`` of the tenant with ``roles`` at the root of its tree."""
    from core import accounts  # noqa: PLC0415 - argon2 only for tests that sign in

    with database.transaction(tenant_id) as session:
        user = accounts.create_user(session, username, password, actor="test")
        for role in roles:
            accounts.add_membership(session, user, role, actor="test")
    return username


def id_number(body: str) -> str:
    """A GB 11643 identity number: ``body`` (17 digits) and its check character."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


def intake_data(case_type: str | Any, location_node: str, *,
                details: Mapping[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
    """A valid intake of ``case_type`` at ``location_node``: two parties, the applicant with
    an identity number and a phone; ``details`` as given.

    ``case_type`` is a code or a :class:`core.casetypes.CaseType`. Given a type, its
    ``example`` is the default ``details`` and its ``example_intake`` (the parties, amount…
    its statutory checks need) is merged over the generic fields; ``overrides`` win over both.
    """
    example_intake: Mapping[str, Any] = {}
    if not isinstance(case_type, str):
        if details is None:
            details = case_type.example
        example_intake = case_type.example_intake
        case_type = case_type.code
    data: dict[str, Any] = {
        "case_type": case_type,
        "category": "other",
        "channel": "walk_in",
        "title": "楼上漏水引发邻里纠纷",
        "description": "多次协商未果，申请调解",
        "location_node": location_node,
        "parties": [
            {"role": "applicant", "name": "张三", "id_number": id_number("11010519491231002"),
             "phone": "13812345678"},
            {"role": "respondent", "name": "李四", "phone": "0518-85821234"},
        ],
    }
    data.update(copy.deepcopy(dict(example_intake)))
    if details:
        data["details"] = dict(details)
    data.update(overrides)
    return data


def register_case(database: Database, tenant: Any, data: Mapping[str, Any], *,
                  vault: Any, now: datetime | None = None) -> str:
    """Register ``data`` for ``tenant`` through the intake service as staff; the case code."""
    from core import cases  # noqa: PLC0415
    from core.workflow import ALL_STAFF, Actor  # noqa: PLC0415

    with database.transaction(tenant.id) as session:
        return cases.register(session, tenant, dict(data), Actor("test-clerk", ALL_STAFF),
                              vault=vault, now=now).case.code
