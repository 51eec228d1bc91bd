"""Mediation attempts, follow-up evaluations (回访评价) and audited reveals of personal data."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import func, select, update

from core import audit, pii, sla, supervision
from core.cases.errors import CaseInvalid, CaseNotFound, TransitionRefused, flatten_messages
from core.cases.lookup import get_case
from core.db import TenantSession
from core.messages import msg
from core.models import Case, Evaluation, MediationAttempt, Party, TierNode
from core.models.tenant import utcnow
from core.tenancy import TenantContext
from core.workflow import Actor, Status

RATINGS = ("satisfied", "basically_satisfied", "unsatisfied")
EVALUATION_CHANNELS = ("online", "on_site", "callback")
ATTEMPT_RESULTS = ("succeeded", "failed", "partial")


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
            raise ValidationError({"leader_name": [msg("name the leader who took part")]})


def record_attempt(session: TenantSession, tenant: TenantContext, code: str, actor: Actor,
                   data: Mapping[str, Any], *, now: datetime | None = None) -> MediationAttempt:
    """Record a mediation attempt on the case's current rung (case must be in mediation)."""
    now = now or datetime.now(UTC)
    try:
        loaded = AttemptSchema().load(dict(data))
    except ValidationError as exc:
        raise CaseInvalid(flatten_messages(exc.messages)) from exc
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
    touch_case(session, case)
    audit.record(session, actor=actor.name, action="case.attempt_recorded", object_type="case",
                 object_id=case.code, data={"rung": attempt.rung, "result": attempt.result,
                                            "leader_involved": attempt.leader_involved})
    return attempt


def touch_case(session: TenantSession, case: Case) -> None:
    """Stamp ``case.changed_at`` for a change of a child row the indicator rollup counts.

    A mediation attempt or an evaluation changes the case's figures without changing its row;
    the rollup's incremental refresh finds changed cases by ``changed_at`` (:mod:`core.rollups`).
    A set-based UPDATE of that one column: the optimistic-lock version does not move, so a
    client holding the case's version may still take a transition after recording an attempt.
    """
    session.execute(update(Case).where(Case.id == case.id).values(changed_at=utcnow()),
                    execution_options={"synchronize_session": False})
    session.expire(case, ["changed_at"])


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
        raise CaseInvalid(flatten_messages(exc.messages)) from exc
    case = get_case(session, code)
    if case.status not in (Status.CLOSED.value, Status.ARCHIVED.value):
        raise TransitionRefused([f"state:{case.status}"])
    # One evaluation per channel per closure: a reopened and re-closed case is asked again.
    already = session.scalar(select(func.count()).select_from(Evaluation).where(
        Evaluation.case_id == case.id, Evaluation.channel == loaded["channel"],
        Evaluation.evaluated_at >= case.closed_at))
    if already:
        raise CaseInvalid({"channel": [
            msg("this case was already evaluated through this channel")]})
    evaluation = Evaluation(case_id=case.id, rating=loaded["rating"], channel=loaded["channel"],
                            comment=loaded["comment"], evaluated_at=now,
                            recorded_by=actor.name)
    session.add(evaluation)
    session.flush()
    touch_case(session, case)
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
REVEALABLE = {"id_number": "id_encrypted", "phone": "phone_encrypted",
              "email": "email_encrypted", "name": "name_encrypted"}


def reveal_party(session: TenantSession, tenant: TenantContext, party_id: int, field: str,
                 actor: Actor, *, vault: pii.Vault, reason: str,
                 now: datetime | None = None) -> str:
    """Decrypt one personal-data field of a party for ``actor``, recording who saw what and why.

    Masked values are what everyone sees; this is the only way to the plain text, and it always
    leaves an audit event (``party.revealed``) in the same transaction.
    """
    if field not in REVEALABLE:
        raise CaseInvalid({"field": [msg("one of %(choices)s",
                                          choices=", ".join(REVEALABLE))]})
    if not reason or not reason.strip():
        raise CaseInvalid({"reason": [msg("say why the plain value is needed")]})
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
        raise CaseInvalid({"field": [msg("this party has no %(field)s", field=field)]})
    value = vault.decrypt(token, context=f"{tenant.id}:party.{field}")
    audit.record(session, actor=actor.name, action="party.revealed", object_type="case",
                 object_id=case.code, data={"party": party.id, "field": field,
                                            "reason": reason.strip()[:200]})
    return value
