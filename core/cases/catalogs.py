"""A tenant's case vocabulary: case types, deadline rules, risk rules, the ladder, tier nodes.

Each comes from core and the tenant's enabled plugins through the tenant's hook proxy, and
depends on nothing but the tenant's configuration and enabled plugins: it is built once per
tenant snapshot (:meth:`core.tenancy.TenantContext.derived`, keyed by tenant id and
config_version) instead of on every intake and transition. Callers get a fresh copy of the
mutable containers. Tier nodes are rows, but rows that only an applied configuration writes
(``tenant apply`` and the admin pages bump config_version when the tree changes), so intake
looks each node code up once per snapshot too. The plugin veto and the risk reassessment
every change of a case goes through live here too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from core import escalation, risk, sla
from core.cases.errors import TransitionRefused
from core.casetypes import CaseType
from core.db import TenantIsolationError, TenantSession, tenant_sql
from core.models import Case
from core.tenancy import TenantContext
from core.workflow import TRANSITIONS, Actor


def case_types(tenant: TenantContext) -> dict[str, CaseType]:
    """Case types of core and the tenant's enabled plugins, by code."""
    return dict(tenant.derived("case_types", lambda: _case_types(tenant)))


def _case_types(tenant: TenantContext) -> dict[str, CaseType]:
    merged: dict[str, CaseType] = {}
    for types in tenant.hooks.onedoor_case_types():
        for case_type in types or []:
            merged.setdefault(case_type.code, case_type)
    return merged


def deadline_rules(tenant: TenantContext) -> dict[str, sla.DeadlineRule]:
    """Deadline rules of core, the ladder's rungs and enabled plugins, with overrides."""
    return dict(tenant.derived("deadline_rules", lambda: sla.tenant_rules(
        tenant, plugin_deadline_rules(tenant))))


def plugin_deadline_rules(tenant: TenantContext) -> list[sla.DeadlineRule]:
    """The deadline rules the tenant's enabled plugins (and core's essentials) declare."""
    return [r for batch in tenant.hooks.onedoor_deadline_rules(tenant=tenant) for r in batch or []]


def risk_rules(tenant: TenantContext) -> list[risk.RiskRule]:
    """Risk rules from core and the tenant's enabled plugins."""
    return list(tenant.derived("risk_rules", lambda: [
        r for batch in tenant.hooks.onedoor_risk_rules() for r in batch or []]))


def ladder(tenant: TenantContext) -> tuple[escalation.Rung, ...]:
    """The tenant's escalation ladder (default "1+2+3"), with the tier above it as top rung."""
    return tenant.derived("ladder", lambda: escalation.ladder_of(tenant.config))


class NodeRef(NamedTuple):
    """What intake needs of a tier node: its id, code, materialized path and level code."""

    id: int
    code: str
    path: str
    level: str


_NODE_BY_CODE = (
    "SELECT n.id, n.code, n.path, l.code AS level FROM tier_nodes n "
    "JOIN tier_levels l ON l.tenant_id = n.tenant_id AND l.id = n.level_id "
    "WHERE n.tenant_id = :tenant_id AND n.code = :code"
)
#: Node codes remembered per snapshot; past this the memo starts over (a city has thousands).
NODE_MEMO_SIZE = 20_000


def tier_node(session: TenantSession, tenant: TenantContext, code: str) -> NodeRef | None:
    """The tenant's tier node ``code`` (None when it has none), read once per snapshot.

    An unknown code is not remembered: a node added by the next apply comes with a new
    snapshot anyway, and a typo should not take memory.
    """
    if session.tenant_id != tenant.id:
        raise TenantIsolationError(
            f"tier node of tenant {tenant.id} asked through a session of {session.tenant_id}")
    # The snapshot's memo of this function alone, filled as codes are asked for (derived
    # values are otherwise never changed after they are built).
    memo: dict[str, NodeRef] = tenant.derived("tier_nodes", dict)
    node = memo.get(code)
    if node is None:
        row = tenant_sql(session, _NODE_BY_CODE, {"code": code}).first()
        if row is None:
            return None
        if len(memo) >= NODE_MEMO_SIZE:
            memo.clear()
        node = memo[code] = NodeRef(*row)
    return node


def assess_risk(session: TenantSession, tenant: TenantContext, case: Case) -> None:
    """Grade ``case`` again with core's and the tenant's plugins' risk rules."""
    config = tenant.derived("risk_config", lambda: risk.frozen_risk_config(
        tenant.config.get("risk") or {}))
    assessment = risk.assess(session, case, risk_rules(tenant), config)
    risk.apply_assessment(case, assessment)


def check_vetoes(tenant: TenantContext, case: Case | None, name: str, actor: Actor,
                 payload: Mapping[str, Any]) -> None:
    """Ask the tenant's plugins whether transition ``name`` may happen; refuse with reasons."""
    reasons = [
        # Keep a plugin's core.messages.Message as it is: interfaces translate it.
        reason if isinstance(reason, str) else str(reason)
        for batch in tenant.hooks.onedoor_validate_transition(
            tenant=tenant, case=case, transition=TRANSITIONS[name], actor=actor,
            payload=dict(payload))
        for reason in batch or []
    ]
    if reasons:
        raise TransitionRefused(reasons)
