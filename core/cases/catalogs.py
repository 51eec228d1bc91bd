"""A tenant's case vocabulary: case types, deadline rules, risk rules and the ladder.

Each comes from core and the tenant's enabled plugins through the tenant's hook proxy, and
depends on nothing but the tenant's configuration and enabled plugins: it is built once per
tenant snapshot (:meth:`core.tenancy.TenantContext.derived`, keyed by tenant id and
config_version) instead of on every intake and transition. Callers get a fresh copy of the
mutable containers. The plugin veto and the risk reassessment every change of a case goes
through live here too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core import escalation, risk, sla
from core.cases.errors import TransitionRefused
from core.casetypes import CaseType
from core.db import TenantSession
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


def assess_risk(session: TenantSession, tenant: TenantContext, case: Case) -> None:
    """Grade ``case`` again with core's and the tenant's plugins' risk rules."""
    assessment = risk.assess(session, case, risk_rules(tenant), tenant.config.get("risk") or {})
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
