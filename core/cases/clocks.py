"""Deadline clocks a person changes: extension with approval (延期审批), pause and resume.

The lifecycle starts and stops clocks by itself (:mod:`core.sla`); these are the three steps a
person takes on one clock of a case, each one unit of work with exactly one audit event:

- **extend** — a statute lets a period be extended with someone's approval (劳动争议调解仲裁法
  Art. 43: the award period of 45 days, +15 with the commission chair's approval). Only leaders
  and the tenant administrator approve; the extension is capped by the rule's
  ``max_extension``, given before the period runs out, and the reason is recorded.
- **pause** / **resume** — time that does not count (an appraisal, a test: 市场监督管理投诉举报
  处理暂行办法 Art. 20; 医疗纠纷预防和处理条例 Art. 38) stops the clock; resuming pushes the
  due moment out by the time lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from core import audit, sla
from core.authz import PERMISSIONS
from core.cases.catalogs import deadline_rules
from core.cases.errors import CaseInvalid, TransitionRefused, flatten_messages
from core.cases.lookup import get_case
from core.db import TenantSession
from core.messages import Message, msg
from core.models import Case, Deadline, TierNode
from core.tenancy import TenantContext
from core.workflow import Actor

#: Who approves an extension: a leader of the case's tier (the commission chair, the agency
#: head) or the tenant administrator recording it.
EXTEND_ROLES = PERMISSIONS["deadline.extend"]
#: Who pauses and resumes a clock: whoever handles the case.
PAUSE_ROLES = PERMISSIONS["deadline.pause"]


class ExtensionSchema(Schema):
    """An approved extension of one clock: which, by how much, and why."""

    rule = fields.String(required=True, validate=validate.Length(min=1, max=64))
    days = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class PauseSchema(Schema):
    """Stopping or restarting one clock, and why (e.g. 司法鉴定 under way)."""

    rule = fields.String(required=True, validate=validate.Length(min=1, max=64))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


def _load(schema: Schema, data: Mapping[str, Any]) -> dict[str, Any]:
    try:
        loaded = schema.load(dict(data))
    except ValidationError as exc:
        raise CaseInvalid(flatten_messages(exc.messages)) from exc
    if not loaded["reason"].strip():
        raise CaseInvalid({"reason": [msg("say why")]})
    return loaded


def _case_for(session: TenantSession, code: str, actor: Actor,
              roles: frozenset[str]) -> Case:
    case = get_case(session, code)
    node_path = session.get(TierNode, case.node_id).path
    if not actor.covers(node_path):
        raise TransitionRefused(["scope"])
    if not actor.roles & roles:
        raise TransitionRefused(["role"])
    return case


def _open_clock(session: TenantSession, case: Case, rule_name: str) -> Deadline:
    clock = sla.open_clock(session, case, rule_name)
    if clock is not None:
        return clock
    raise CaseInvalid({"rule": [msg("this case has no open deadline %(rule)s", rule=rule_name)]})


def _more_allowed(left: int, unit: str) -> Message:
    if unit == "working_days":
        return msg("at most %(left)s more working days may be granted", left=left)
    if unit == "hours":
        return msg("at most %(left)s more hours may be granted", left=left)
    if unit == "minutes":
        return msg("at most %(left)s more minutes may be granted", left=left)
    return msg("at most %(left)s more days may be granted", left=left)


def extendable(tenant: TenantContext, clock: Deadline, now: datetime) -> int:
    """How much ``clock`` may still be extended now, in its rule's unit (0: not at all)."""
    rule = deadline_rules(tenant).get(clock.rule)
    if rule is None or clock.state not in (sla.RUNNING, sla.PAUSED):
        return 0
    if clock.state == sla.RUNNING and sla.from_db(clock.due_at) < now:
        return 0
    return sla.extension_left(clock, rule)


def extend_clock(session: TenantSession, tenant: TenantContext, code: str, actor: Actor,
                 data: Mapping[str, Any], *, now: datetime | None = None) -> Deadline:
    """Extend one clock of case ``code`` with the actor's approval (``deadline.extended``).

    ``data``: ``rule`` (the clock's rule name), ``days`` (how much, in the rule's unit — days
    or working days for every statutory extension) and ``reason``. Refused, naming the field,
    when the rule allows no extension, the clock has run out, or ``days`` exceeds what is left.
    """
    now = now or datetime.now(UTC)
    loaded = _load(ExtensionSchema(), data)
    case = _case_for(session, code, actor, EXTEND_ROLES)
    clock = _open_clock(session, case, loaded["rule"])
    rules = deadline_rules(tenant)
    rule = rules.get(clock.rule)
    if rule is None or rule.max_extension == 0:
        raise CaseInvalid({"rule": [msg("the rules allow no extension of this deadline")]})
    if sla.extension_left(clock, rule) == 0:
        raise CaseInvalid({"days": [msg("the whole extension the rules allow has already been "
                                        "granted")]})
    left = extendable(tenant, clock, now)
    if left == 0:
        raise CaseInvalid({"rule": [msg("this deadline has already passed; it can no longer be "
                                        "extended")]})
    if loaded["days"] > left:
        raise CaseInvalid({"days": [_more_allowed(left, rule.unit)]})
    before = sla.from_db(clock.due_at)
    sla.extend(session, case, clock.rule, loaded["days"], now, sla.calendar_for(tenant),
               rules=rules)
    audit.record(session, actor=actor.name, action="deadline.extended", object_type="case",
                 object_id=case.code,
                 data={"rule": clock.rule, "by": loaded["days"], "unit": rule.unit,
                       "extended_by": clock.extended_by, "max_extension": rule.max_extension,
                       "due_before": before.isoformat(),
                       "due_after": sla.from_db(clock.due_at).isoformat(),
                       "reason": loaded["reason"].strip()})
    return clock


def pause_clock(session: TenantSession, tenant: TenantContext, code: str, actor: Actor,
                data: Mapping[str, Any], *, now: datetime | None = None) -> Deadline:
    """Stop one running clock of case ``code`` from counting (``deadline.paused``)."""
    now = now or datetime.now(UTC)
    loaded = _load(PauseSchema(), data)
    case = _case_for(session, code, actor, PAUSE_ROLES)
    clock = _open_clock(session, case, loaded["rule"])
    if clock.state != sla.RUNNING:
        raise CaseInvalid({"rule": [msg("only a running deadline can be paused")]})
    sla.pause(session, case, clock.rule, now)
    audit.record(session, actor=actor.name, action="deadline.paused", object_type="case",
                 object_id=case.code,
                 data={"rule": clock.rule, "reason": loaded["reason"].strip()})
    return clock


def resume_clock(session: TenantSession, tenant: TenantContext, code: str, actor: Actor,
                 data: Mapping[str, Any], *, now: datetime | None = None) -> Deadline:
    """Let a paused clock of case ``code`` count again, due later by the time lost
    (``deadline.resumed``)."""
    now = now or datetime.now(UTC)
    loaded = _load(PauseSchema(), data)
    case = _case_for(session, code, actor, PAUSE_ROLES)
    clock = _open_clock(session, case, loaded["rule"])
    if clock.state != sla.PAUSED:
        raise CaseInvalid({"rule": [msg("this deadline is not paused")]})
    sla.resume(session, case, clock.rule, now, sla.calendar_for(tenant),
               rules=deadline_rules(tenant))
    audit.record(session, actor=actor.name, action="deadline.resumed", object_type="case",
                 object_id=case.code,
                 data={"rule": clock.rule, "reason": loaded["reason"].strip(),
                       "due_after": sla.from_db(clock.due_at).isoformat()})
    return clock
