"""Moving a case through its lifecycle: guards, the ladder, routing, plugin vetoes, effects.

Each transition's extra checks and writes live in a small ``_Effect`` next to the state
machine's guards, so a rule reads as one place: what is checked, then what is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from core import audit, escalation, routing, sla
from core.cases.catalogs import assess_risk, case_types, check_vetoes, deadline_rules, ladder
from core.cases.errors import CaseConflict, CaseNotFound, TransitionRefused
from core.cases.lookup import get_case
from core.db import TenantSession
from core.models import (
    Assignment,
    Case,
    Department,
    MediationAttempt,
    Referral,
    TierLevel,
    TierNode,
)
from core.tenancy import TenantContext
from core.workflow import Actor, CaseState, Status, decide
from core.workflow import Referral as ReferralRoute


def transition(
    session: TenantSession,
    tenant: TenantContext,
    code: str,
    name: str,
    actor: Actor,
    payload: Mapping[str, Any] | None = None,
    *,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Case:
    """Move a case through its lifecycle: guards, ladder, plugin vetoes, effects, one event.

    ``expected_version`` is the version the caller saw (the API's ``If-Match``); a different
    current version raises :class:`CaseConflict` and nothing is written.
    """
    now = now or datetime.now(UTC)
    payload = dict(payload or {})
    case = get_case(session, code)
    if expected_version is not None and case.version != expected_version:
        raise CaseConflict(f"case {case.code} is at version {case.version}, "
                           f"not {expected_version}")
    node = session.get(TierNode, case.node_id)
    decision = decide(CaseState(Status(case.status), node.path, case.risk), name, actor, payload)
    reasons = list(decision.reasons)
    effect = _EFFECTS.get(name)
    target_node = node
    if not reasons and effect is not None:
        reasons, target_node = effect.check(session, tenant, case, node, actor, payload)
    if reasons:
        raise TransitionRefused(reasons)
    check_vetoes(tenant, case, name, actor, payload)

    before = case.status
    transition_ = decision.transition
    assert transition_ is not None
    if effect is not None:
        effect.apply(session, tenant, case, target_node, actor, payload, now)
    case.status = transition_.target.value
    try:
        session.flush()
    except StaleDataError as exc:
        # Another transaction moved the case after we read it: never a lost update.
        raise CaseConflict(f"case {case.code} was changed by someone else; reload it") from exc
    calendar = sla.calendar_for(tenant)
    rules = deadline_rules(tenant)
    case_type = case_types(tenant).get(case.case_type)
    sla.on_event(session, case, case.status, now, calendar, rules,
                 case_type.deadlines if case_type else ())
    assess_risk(session, tenant, case)
    audit.record(session, actor=actor.name, action=f"case.{name}", object_type="case",
                 object_id=case.code,
                 data={"from": before, "to": case.status, **_auditable(payload)})
    tenant.hooks.onedoor_after_transition(tenant=tenant, case=case, transition=transition_,
                                          actor=actor, payload=payload, session=session)
    session.flush()
    return case


def _auditable(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Payload values worth keeping in the audit trail (short scalars; never personal data)."""
    keep = ("reason", "statutory_route", "department", "assisting", "route", "institution",
            "outcome", "into", "jump", "routing")
    return {k: payload[k] for k in keep if k in payload}


@dataclass(frozen=True)
class _Effect:
    """Extra checks and writes of one transition beyond the state machine's."""

    check: Any
    apply: Any


def _no_check(session, tenant, case, node, actor, payload) -> tuple[list[str], Any]:
    """Transitions whose only guards are the state machine's."""
    return [], node


def _department(session: TenantSession, code: str | None) -> Department | None:
    return session.scalar(select(Department).where(Department.code == code)) if code else None


def suggest_route(
    session: TenantSession, tenant: TenantContext, case: Case
) -> routing.RoutingDecision | None:
    """Who should take ``case``: a plugin's ``onedoor_route_case`` first, then the catalog.

    The catalog entry is matched on the case type, category and the tier level of the node
    now responsible for the case (中心吹哨、部门报到: the center calls, departments report).
    """
    decision = tenant.hooks.onedoor_route_case(tenant=tenant, case=case, session=session)
    if decision is not None:
        return decision
    node = session.get(TierNode, case.node_id)
    return routing.match_dispatch(tenant.config.get("dispatch") or [],
                                  case_type=case.case_type, category=case.category,
                                  level=node.level.code)


def _check_assign(session, tenant, case, node, actor, payload):
    if not payload.get("department"):
        # No department named: take the routing suggestion (and say so in the audit trail).
        suggestion = suggest_route(session, tenant, case)
        if suggestion is None:
            return ["missing:department (no dispatch catalog entry matches this case)"], node
        payload["department"] = suggestion.lead
        payload.setdefault("assisting", list(suggestion.assisting))
        payload["routing"] = suggestion.reason
    reasons = []
    if _department(session, payload.get("department")) is None:
        reasons.append(f"unknown department: {payload.get('department')}")
    for code in payload.get("assisting") or []:
        if _department(session, code) is None:
            reasons.append(f"unknown assisting department: {code}")
    return reasons, node


def _apply_assign(session, tenant, case, node, actor, payload, now):
    for old in session.scalars(select(Assignment).where(Assignment.case_id == case.id,
                                                        Assignment.active.is_(True))):
        old.active = False
    designated = routing.must_designate(case.dispatch_count)
    lead = _department(session, payload["department"])
    session.add(Assignment(case_id=case.id, department_id=lead.id, node_id=case.node_id,
                           role="lead", assigned_by=actor.name, assigned_at=now,
                           designated=designated))
    for code in payload.get("assisting") or []:
        session.add(Assignment(case_id=case.id, department_id=_department(session, code).id,
                               node_id=case.node_id, role="assist", assigned_by=actor.name,
                               assigned_at=now, designated=designated))
    case.dispatch_count += 1


def _check_return(session, tenant, case, node, actor, payload):
    lead = session.scalar(select(Assignment).where(
        Assignment.case_id == case.id, Assignment.active.is_(True), Assignment.role == "lead"))
    if lead is None:
        return ["the case has no active assignment to return"], node
    if lead.designated:
        return ["the center designated this handler after three dispatches; "
                "it cannot be returned"], node
    return [], node


def _apply_return(session, tenant, case, node, actor, payload, now):
    for assignment in session.scalars(select(Assignment).where(
            Assignment.case_id == case.id, Assignment.active.is_(True))):
        assignment.active = False
        assignment.returned_at = now
        assignment.return_reason = str(payload["reason"])[:500]


def _attempt_summaries(session: TenantSession, case: Case) -> list[escalation.AttemptSummary]:
    return [
        escalation.AttemptSummary(a.rung, a.leader_involved, a.result == "succeeded")
        for a in session.scalars(select(MediationAttempt).where(
            MediationAttempt.case_id == case.id))
    ]


def _check_escalate(session, tenant, case, node, actor, payload):
    rungs = ladder(tenant)
    decision = escalation.decide_escalation(
        rungs, case.rung, _attempt_summaries(session, case), risk=case.risk,
        jump=bool(payload.get("jump")))
    if not decision.allowed:
        return [f"ladder:{r}" for r in decision.reasons], node
    target_level = rungs[decision.target_rung].level
    target = node
    if target_level != node.level.code:
        ancestors = session.scalars(
            select(TierNode).join(TierLevel, TierLevel.id == TierNode.level_id)
            .where(TierNode.code.in_(node.path.strip("/").split("/")[:-1]))
            .order_by(TierNode.depth.desc())
        ).all()
        target = next((a for a in ancestors if a.level.code == target_level), None)
        if target is None:
            return [f"ladder:no {target_level} above {node.code}"], node
    return [], target


def _apply_escalate(session, tenant, case, node, actor, payload, now):
    rungs = ladder(tenant)
    decision = escalation.decide_escalation(
        rungs, case.rung, _attempt_summaries(session, case), risk=case.risk,
        jump=bool(payload.get("jump")))
    case.rung = decision.target_rung
    case.node_id = node.id
    case.escalations += 1
    for assignment in session.scalars(select(Assignment).where(
            Assignment.case_id == case.id, Assignment.active.is_(True))):
        assignment.active = False
    sla.start_clock(session, case, deadline_rules(tenant)[f"rung_{case.rung}"], now,
                    sla.calendar_for(tenant))


def _check_refer(session, tenant, case, node, actor, payload):
    if payload.get("route") not in {r.value for r in ReferralRoute}:
        return [f"unknown referral route: {payload.get('route')}"], node
    return [], node


def _apply_refer(session, tenant, case, node, actor, payload, now):
    session.add(Referral(case_id=case.id, route=payload["route"],
                         institution=str(payload.get("institution", ""))[:200],
                         referred_at=now, note=str(payload.get("note", ""))))


def _check_merge(session, tenant, case, node, actor, payload):
    try:
        into = get_case(session, str(payload.get("into", "")))
    except CaseNotFound:
        return [f"unknown case to merge into: {payload.get('into')}"], node
    if into.id == case.id:
        return ["a case cannot be merged into itself"], node
    if into.status == Status.MERGED.value:
        return [f"{into.code} was itself merged; merge into the case it went to"], node
    return [], node


def _apply_merge(session, tenant, case, node, actor, payload, now):
    case.merged_into_id = get_case(session, str(payload["into"])).id


def _apply_accept(session, tenant, case, node, actor, payload, now):
    # Kept through reopen: acceptance is what "accepted" indicators count (core.indicators);
    # a closed case's status alone cannot say whether it was accepted or not accepted.
    case.accepted_at = now


def _apply_resolve(session, tenant, case, node, actor, payload, now):
    case.resolved_at = now


def _apply_close(session, tenant, case, node, actor, payload, now):
    case.closed_at = now


def _apply_reopen(session, tenant, case, node, actor, payload, now):
    case.reopened += 1
    case.closed_at = None
    case.resolved_at = None


_EFFECTS: dict[str, _Effect] = {
    "accept": _Effect(_no_check, _apply_accept),
    "assign": _Effect(_check_assign, _apply_assign),
    "return": _Effect(_check_return, _apply_return),
    "escalate": _Effect(_check_escalate, _apply_escalate),
    "refer": _Effect(_check_refer, _apply_refer),
    "merge": _Effect(_check_merge, _apply_merge),
    "resolve": _Effect(_no_check, _apply_resolve),
    "close": _Effect(_no_check, _apply_close),
    "reopen": _Effect(_no_check, _apply_reopen),
}
