"""The case service: intake, transitions, attempts, evaluations — what every interface calls.

Each public function is one unit of work inside the caller's transaction (the API, the web UI,
the CLI and tests open it with ``Database.transaction(tenant_id)``): it validates everything
first, then writes the case, its clocks, its risk and exactly one audit event, and calls the
tenant's plugin hooks. An error leaves nothing written, because the caller's transaction rolls
back. No Flask in here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm.exc import StaleDataError
from stdnum.cn import uscc

from core import audit, codes, escalation, pii, risk, routing, sla, supervision
from core.casetypes import CaseType
from core.categories import CHANNELS, DEMAND_TYPES, tenant_categories
from core.db import TenantSession
from core.models import (
    Assignment,
    Case,
    CaseSequence,
    Center,
    Department,
    Evaluation,
    MediationAttempt,
    Party,
    Referral,
    TierLevel,
    TierNode,
)
from core.tenancy import TenantContext
from core.workflow import TRANSITIONS, Actor, CaseState, Status, decide
from core.workflow import Referral as ReferralRoute

PARTY_ROLES = ("applicant", "respondent", "third_party")
PARTY_KINDS = ("person", "organization")
RATINGS = ("satisfied", "basically_satisfied", "unsatisfied")
EVALUATION_CHANNELS = ("online", "on_site", "callback")
ATTEMPT_RESULTS = ("succeeded", "failed", "partial")


# --- errors ------------------------------------------------------------------------------------


class CaseError(Exception):
    """Base of the service's errors; interfaces map them to 404/409/412/422."""


class CaseInvalid(CaseError):
    """Input failed validation; ``fields`` maps each field path to its messages."""

    def __init__(self, fields: Mapping[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items()))
        self.fields = dict(fields)


class CaseNotFound(CaseError):
    """No case of this tenant has this code."""


class CaseConflict(CaseError):
    """The case changed since the caller read it (stale version): reload and retry."""


class TransitionRefused(CaseError):
    """A guard, the ladder or a plugin refused the transition; ``reasons`` says why."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = list(reasons)


# --- input schemas -----------------------------------------------------------------------------


class PartySchema(Schema):
    """A party as given at intake; identity numbers are checked, then encrypted."""

    role = fields.String(required=True, validate=validate.OneOf(PARTY_ROLES))
    kind = fields.String(load_default="person", validate=validate.OneOf(PARTY_KINDS))
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    id_number = fields.String(load_default=None, allow_none=True)
    phone = fields.String(load_default=None, allow_none=True)
    address = fields.String(load_default="", validate=validate.Length(max=300))

    @validates_schema
    def _identity(self, data: dict[str, Any], **_kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}
        number = data.get("id_number")
        if number:
            try:
                if data.get("kind") == "organization":
                    data["id_number"] = uscc.validate(number)
                else:
                    data["id_number"] = pii.validate_id_number(number)
            except (pii.PIIError, ValueError) as exc:
                errors["id_number"] = [str(exc) if isinstance(exc, pii.PIIError)
                                       else "not a valid unified social credit code"]
        if data.get("phone"):
            try:
                data["phone"] = pii.validate_phone(data["phone"])
            except pii.PIIError as exc:
                errors["phone"] = [str(exc)]
        if errors:
            raise ValidationError(errors)


class IntakeSchema(Schema):
    """Registration (登记) of a case at a window, by phone, online or from a grid worker."""

    case_type = fields.String(required=True)
    category = fields.String(load_default=None)
    channel = fields.String(required=True, validate=validate.OneOf(list(CHANNELS)))
    demand_type = fields.String(load_default=None,
                                validate=validate.OneOf(list(DEMAND_TYPES)), allow_none=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(load_default="", validate=validate.Length(max=20000))
    location_node = fields.String(required=True)
    address = fields.String(load_default="", validate=validate.Length(max=300))
    latitude = fields.Decimal(load_default=None, allow_none=True,
                              validate=validate.Range(min=-90, max=90))
    longitude = fields.Decimal(load_default=None, allow_none=True,
                               validate=validate.Range(min=-180, max=180))
    amount = fields.Decimal(load_default=None, allow_none=True, places=2,
                            validate=validate.Range(min=0, max=Decimal("999999999999")))
    people_involved = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    is_group = fields.Boolean(load_default=None, allow_none=True)
    details = fields.Dict(load_default=dict)
    parties = fields.List(fields.Nested(PartySchema), required=True,
                          validate=validate.Length(min=1, max=50))
    intake_center = fields.String(load_default=None, allow_none=True)
    window_type = fields.String(load_default="", validate=validate.Length(max=64))
    idempotency_key = fields.String(load_default=None, allow_none=True,
                                    validate=validate.Length(min=1, max=80))

    @validates_schema
    def _has_applicant(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if not any(p.get("role") == "applicant" for p in data.get("parties", [])):
            raise ValidationError({"parties": ["at least one party must be the applicant"]})


def _flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages as ``{"parties.0.phone": [...]}``."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            flat.update(_flatten(value, path))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        flat[prefix or "_schema"] = list(messages)
    else:
        flat[prefix or "_schema"] = [str(messages)]
    return flat


# --- catalogs of the tenant ----------------------------------------------------------------------


def case_types(tenant: TenantContext) -> dict[str, CaseType]:
    """Case types of core and the tenant's enabled plugins, by code."""
    merged: dict[str, CaseType] = {}
    for types in tenant.hooks.onedoor_case_types():
        for case_type in types or []:
            merged.setdefault(case_type.code, case_type)
    return merged


def deadline_rules(tenant: TenantContext) -> dict[str, sla.DeadlineRule]:
    """Deadline rules of core, the ladder's rungs and enabled plugins, with overrides."""
    plugin_rules = [r for batch in tenant.hooks.onedoor_deadline_rules() for r in batch or []]
    return sla.tenant_rules(tenant, plugin_rules)


def risk_rules(tenant: TenantContext) -> list[risk.RiskRule]:
    """Risk rules from core and the tenant's enabled plugins."""
    return [r for batch in tenant.hooks.onedoor_risk_rules() for r in batch or []]


def ladder(tenant: TenantContext) -> tuple[escalation.Rung, ...]:
    """The tenant's escalation ladder (default "1+2+3")."""
    return escalation.ladder_from_config((tenant.config.get("escalation") or {}).get("ladder"))


# --- intake --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IntakeResult:
    """The registered case and whether this call created it (False: idempotent replay)."""

    case: Case
    created: bool


def _fingerprint(data: Mapping[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()


def register(
    session: TenantSession,
    tenant: TenantContext,
    data: Mapping[str, Any],
    actor: Actor,
    *,
    vault: pii.Vault,
    now: datetime | None = None,
) -> IntakeResult:
    """Register a case (登记): validate, give it its code, parties, clocks, risk and audit event.

    With an ``idempotency_key`` already used in this tenant, the existing case is returned
    (``created=False``) when the input is the same, and :class:`CaseInvalid` is raised naming
    ``idempotency_key`` when it differs — so a retried request creates exactly one case.
    """
    now = now or datetime.now(UTC)
    try:
        loaded = IntakeSchema().load(dict(data), unknown=EXCLUDE)
    except ValidationError as exc:
        raise CaseInvalid(_flatten(exc.messages)) from exc
    fingerprint = _fingerprint(data)
    if loaded["idempotency_key"]:
        existing = session.scalar(
            select(Case).where(Case.idempotency_key == loaded["idempotency_key"])
        )
        if existing is not None:
            if existing.details.get("_intake_fingerprint") != fingerprint:
                raise CaseInvalid({"idempotency_key": [
                    "this key was already used for a different request"]})
            return IntakeResult(existing, False)

    errors: dict[str, list[str]] = {}
    types = case_types(tenant)
    case_type = types.get(loaded["case_type"])
    if case_type is None:
        errors["case_type"] = [f"unknown case type for this tenant: {loaded['case_type']}"]
    details: dict[str, Any] = {}
    if case_type is not None:
        try:
            details = case_type.load_details(loaded["details"])
        except ValidationError as exc:
            errors.update(_flatten(exc.messages, "details"))
    category = loaded["category"] or (case_type.category if case_type else "other")
    if category not in tenant_categories(tenant.config):
        errors["category"] = [f"unknown category: {category}"]
    node = session.scalar(select(TierNode).where(TierNode.code == loaded["location_node"]))
    if node is None:
        errors["location_node"] = [f"unknown tier node: {loaded['location_node']}"]
    elif not actor.covers(node.path):
        errors["location_node"] = ["outside the tiers you work for"]
    center = None
    if loaded["intake_center"]:
        center = session.scalar(select(Center).where(Center.code == loaded["intake_center"]))
        if center is None:
            errors["intake_center"] = [f"unknown center: {loaded['intake_center']}"]
    if errors:
        raise CaseInvalid(errors)
    assert case_type is not None and node is not None  # for type checkers: errors raised above

    _check_hooks(tenant, None, "register", actor, loaded)
    responsible = center.node if center is not None else node
    level_code = responsible.level.code
    case = Case(
        code=_next_code(session, tenant, now),
        case_type=case_type.code,
        category=category,
        channel=loaded["channel"],
        demand_type=loaded["demand_type"] or case_type.demand_type,
        title=loaded["title"].strip(),
        description=loaded["description"],
        location_node_id=node.id,
        node_id=responsible.id,
        address=loaded["address"],
        latitude=loaded["latitude"],
        longitude=loaded["longitude"],
        amount=loaded["amount"],
        people_involved=loaded["people_involved"],
        is_group=bool(loaded["is_group"]) if loaded["is_group"] is not None else False,
        status=Status.REGISTERED.value,
        rung=escalation.starting_rung(ladder(tenant), level_code),
        details={**details, "_intake_fingerprint": fingerprint},
        idempotency_key=loaded["idempotency_key"],
        intake_center_id=center.id if center is not None else None,
        window_type=loaded["window_type"] or case_type.window,
        registered_by=actor.name,
        registered_at=now,
    )
    for party in loaded["parties"]:
        case.parties.append(_party(tenant, party, vault))
    session.add(case)
    session.flush()

    calendar = sla.calendar_for(tenant)
    rules = deadline_rules(tenant)
    sla.on_event(session, case, Status.REGISTERED.value, now, calendar, rules,
                 case_type.deadlines)
    _assess_risk(session, tenant, case)
    audit.record(session, actor=actor.name, action="case.registered", object_type="case",
                 object_id=case.code, data={"case_type": case.case_type, "channel": case.channel,
                                            "node": responsible.code, "risk": case.risk})
    tenant.hooks.onedoor_after_transition(
        tenant=tenant, case=case, transition=TRANSITIONS["register"], actor=actor,
        payload=dict(loaded), session=session,
    )
    return IntakeResult(case, True)


def _party(tenant: TenantContext, data: Mapping[str, Any], vault: pii.Vault) -> Party:
    party = Party(role=data["role"], kind=data["kind"], name=data["name"].strip(),
                  address=data["address"], tenant_id=tenant.id)
    if data.get("id_number"):
        number = data["id_number"]
        party.id_encrypted = vault.encrypt(number, context=f"{tenant.id}:party.id_number")
        party.id_index = vault.blind_index(number, tenant_id=tenant.id, kind="id_number")
        party.id_masked = pii.mask_id_number(number)
    if data.get("phone"):
        phone = data["phone"]
        party.phone_encrypted = vault.encrypt(phone, context=f"{tenant.id}:party.phone")
        party.phone_index = vault.blind_index(phone, tenant_id=tenant.id, kind="phone")
        party.phone_masked = pii.mask_phone(phone)
    return party


def _next_code(session: TenantSession, tenant: TenantContext, now: datetime) -> str:
    """Allocate the next number of the tenant's year atomically (upsert … RETURNING).

    The row lock taken by the upsert serializes concurrent intakes of one tenant; a rolled-back
    intake returns its number with its transaction, so numbers are dense in practice and unique
    always (a gap would be harmless: the code only has to be unique).
    """
    year = now.astimezone(sla.calendar_for(tenant).tz).year
    dialect = session.get_bind().dialect.name
    make_insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        make_insert(CaseSequence)
        .values(tenant_id=tenant.id, year=year, last=1)
        .on_conflict_do_update(
            index_elements=["tenant_id", "year"], set_={"last": CaseSequence.last + 1}
        )
        .returning(CaseSequence.last)
    )
    sequence = session.execute(statement).scalar_one()
    return codes.format_code(tenant.case_code_prefix, year, sequence)


def _assess_risk(session: TenantSession, tenant: TenantContext, case: Case) -> None:
    assessment = risk.assess(session, case, risk_rules(tenant), tenant.config.get("risk") or {})
    risk.apply_assessment(case, assessment)


def _check_hooks(tenant: TenantContext, case: Case | None, name: str, actor: Actor,
                 payload: Mapping[str, Any]) -> None:
    reasons = [
        str(reason)
        for batch in tenant.hooks.onedoor_validate_transition(
            tenant=tenant, case=case, transition=TRANSITIONS[name], actor=actor,
            payload=dict(payload))
        for reason in batch or []
    ]
    if reasons:
        raise TransitionRefused(reasons)


# --- reading -------------------------------------------------------------------------------------


def get_case(session: TenantSession, code: str) -> Case:
    """The tenant's case with this code (typos in the check character are told apart)."""
    try:
        parsed = codes.parse_code(code)
    except codes.CodeError as exc:
        raise CaseNotFound(str(exc)) from exc
    case = session.scalar(select(Case).where(Case.code == str(parsed)))
    if case is None:
        raise CaseNotFound(f"no case {parsed}")
    return case


def repeat_parties(session: TenantSession, case: Case) -> dict[int, list[str]]:
    """For each party of ``case``, the codes of the tenant's other cases with the same person.

    Matches on the blind index of the ID number or phone; plain values are never compared.
    """
    found: dict[int, list[str]] = {}
    for party in case.parties:
        indexes = [i for i in (party.id_index, party.phone_index) if i]
        if not indexes:
            continue
        rows = session.scalars(
            select(Case.code).join(Party, Party.case_id == Case.id)
            .where((Party.id_index.in_(indexes)) | (Party.phone_index.in_(indexes)),
                   Case.id != case.id)
            .distinct().order_by(Case.code)
        ).all()
        if rows:
            found[party.id] = list(rows)
    return found


# --- transitions ---------------------------------------------------------------------------------


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
    _check_hooks(tenant, case, name, actor, payload)

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
    _assess_risk(session, tenant, case)
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


def _apply_resolve(session, tenant, case, node, actor, payload, now):
    case.resolved_at = now


def _apply_close(session, tenant, case, node, actor, payload, now):
    case.closed_at = now


def _apply_reopen(session, tenant, case, node, actor, payload, now):
    case.reopened += 1
    case.closed_at = None
    case.resolved_at = None


_EFFECTS: dict[str, _Effect] = {
    "assign": _Effect(_check_assign, _apply_assign),
    "return": _Effect(_check_return, _apply_return),
    "escalate": _Effect(_check_escalate, _apply_escalate),
    "refer": _Effect(_check_refer, _apply_refer),
    "merge": _Effect(_check_merge, _apply_merge),
    "resolve": _Effect(_no_check, _apply_resolve),
    "close": _Effect(_no_check, _apply_close),
    "reopen": _Effect(_no_check, _apply_reopen),
}


# --- attempts and evaluations --------------------------------------------------------------------


class AttemptSchema(Schema):
    """A mediation session (调解) as recorded by the mediator."""

    mediator = fields.String(required=True, validate=validate.Length(min=1, max=120))
    held_at = fields.AwareDateTime(load_default=None, allow_none=True)
    leader_involved = fields.Boolean(load_default=False)
    leader_name = fields.String(load_default="", validate=validate.Length(max=120))
    result = fields.String(required=True, validate=validate.OneOf(ATTEMPT_RESULTS))
    notes = fields.String(load_default="", validate=validate.Length(max=20000))

    @validates_schema
    def _leader_named(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data.get("leader_involved") and not data.get("leader_name", "").strip():
            raise ValidationError({"leader_name": ["name the leader who took part"]})


def record_attempt(session: TenantSession, tenant: TenantContext, code: str, actor: Actor,
                   data: Mapping[str, Any], *, now: datetime | None = None) -> MediationAttempt:
    """Record a mediation attempt on the case's current rung (case must be in mediation)."""
    now = now or datetime.now(UTC)
    try:
        loaded = AttemptSchema().load(dict(data))
    except ValidationError as exc:
        raise CaseInvalid(_flatten(exc.messages)) from exc
    case = get_case(session, code)
    node = session.get(TierNode, case.node_id)
    if case.status != Status.IN_MEDIATION.value:
        raise TransitionRefused([f"state:{case.status}"])
    if not actor.covers(node.path) or not actor.roles & {"mediator", "leader",
                                                          "department_liaison", "dispatcher"}:
        raise TransitionRefused(["role" if actor.covers(node.path) else "scope"])
    attempt = MediationAttempt(case_id=case.id, rung=case.rung, node_id=case.node_id,
                               mediator=loaded["mediator"], held_at=loaded["held_at"] or now,
                               leader_involved=loaded["leader_involved"],
                               leader_name=loaded["leader_name"], result=loaded["result"],
                               notes=loaded["notes"])
    session.add(attempt)
    session.flush()
    audit.record(session, actor=actor.name, action="case.attempt_recorded", object_type="case",
                 object_id=case.code, data={"rung": attempt.rung, "result": attempt.result,
                                            "leader_involved": attempt.leader_involved})
    return attempt


class EvaluationSchema(Schema):
    """Follow-up (回访评价) after closure."""

    rating = fields.String(required=True, validate=validate.OneOf(RATINGS))
    channel = fields.String(required=True, validate=validate.OneOf(EVALUATION_CHANNELS))
    comment = fields.String(load_default="", validate=validate.Length(max=2000))
    review = fields.Boolean(load_default=False)


def evaluate(session: TenantSession, tenant: TenantContext, code: str, actor: Actor,
             data: Mapping[str, Any], *, now: datetime | None = None) -> Evaluation:
    """Record a satisfaction evaluation of a closed case (one per case and channel).

    An unsatisfied evaluation with ``review: true`` also opens a review: a supervision notice
    (督办) asking the leaders of the case's tier to look at it again. Reopening the case itself
    is the ``reopen`` transition, which a dispatcher or leader takes.
    """
    now = now or datetime.now(UTC)
    try:
        loaded = EvaluationSchema().load(dict(data))
    except ValidationError as exc:
        raise CaseInvalid(_flatten(exc.messages)) from exc
    case = get_case(session, code)
    if case.status not in (Status.CLOSED.value, Status.ARCHIVED.value):
        raise TransitionRefused([f"state:{case.status}"])
    # One evaluation per channel per closure: a reopened and re-closed case is asked again.
    already = session.scalar(select(func.count()).select_from(Evaluation).where(
        Evaluation.case_id == case.id, Evaluation.channel == loaded["channel"],
        Evaluation.evaluated_at >= case.closed_at))
    if already:
        raise CaseInvalid({"channel": ["this case was already evaluated through this channel"]})
    evaluation = Evaluation(case_id=case.id, rating=loaded["rating"], channel=loaded["channel"],
                            comment=loaded["comment"], evaluated_at=now,
                            recorded_by=actor.name)
    session.add(evaluation)
    session.flush()
    review = bool(loaded["review"]) and evaluation.rating == "unsatisfied"
    audit.record(session, actor=actor.name, action="case.evaluated", object_type="case",
                 object_id=case.code, data={"rating": evaluation.rating,
                                            "channel": evaluation.channel, "review": review})
    if review:
        supervision.issue_notice(
            session, case, "supervise", issued_by=actor.name,
            body=f"回访不满意，请复核。{evaluation.comment}".strip(), to_node_id=case.node_id,
            now=now, calendar=sla.calendar_for(tenant))
    return evaluation


REVEAL_ROLES = frozenset({"tenant_admin", "leader", "dispatcher", "clerk", "mediator"})
REVEALABLE = {"id_number": "id_encrypted", "phone": "phone_encrypted"}


def reveal_party(session: TenantSession, tenant: TenantContext, party_id: int, field: str,
                 actor: Actor, *, vault: pii.Vault, reason: str,
                 now: datetime | None = None) -> str:
    """Decrypt one personal-data field of a party for ``actor``, recording who saw what and why.

    Masked values are what everyone sees; this is the only way to the plain text, and it always
    leaves an audit event (``party.revealed``) in the same transaction.
    """
    if field not in REVEALABLE:
        raise CaseInvalid({"field": [f"one of {', '.join(REVEALABLE)}"]})
    if not reason or not reason.strip():
        raise CaseInvalid({"reason": ["say why the plain value is needed"]})
    party = session.get(Party, party_id)
    if party is None:
        raise CaseNotFound(f"no party {party_id}")
    case = session.get(Case, party.case_id)
    node = session.get(TierNode, case.node_id)
    if not actor.roles & REVEAL_ROLES:
        raise TransitionRefused(["role"])
    if not actor.covers(node.path):
        raise TransitionRefused(["scope"])
    token = getattr(party, REVEALABLE[field])
    if not token:
        raise CaseInvalid({"field": [f"this party has no {field}"]})
    value = vault.decrypt(token, context=f"{tenant.id}:party.{field}")
    audit.record(session, actor=actor.name, action="party.revealed", object_type="case",
                 object_id=case.code, data={"party": party.id, "field": field,
                                            "reason": reason.strip()[:200]})
    return value
