"""What the API sends: marshmallow schemas of the public shape of cases and their parts.

Personal data leaves only masked (``330***********1234``, ``138****5678``); the plain value is
the answer of the audited reveal endpoint alone. Internal bookkeeping (``_``-prefixed details,
idempotency fingerprints, encrypted columns) never leaves.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from marshmallow import Schema, fields, validate

from core.cases import ATTEMPT_RESULTS, EVALUATION_CHANNELS, RATINGS
from core.messages import Message, translate
from core.workflow import TRANSITIONS, Status

STATUSES = [s.value for s in Status]


class UtcDateTime(fields.DateTime):
    """ISO 8601 with its offset, always: SQLite hands back naive UTC, which is made explicit."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


class DecimalText(fields.Decimal):
    """A decimal sent as a string (``"12.50"``, exact), and documented as one."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"type": "string", "format": "decimal", **kwargs.pop("metadata", {})}
        super().__init__(as_string=True, metadata=metadata, **kwargs)


RISKS = ["red", "orange", "yellow", "blue"]


class PartyOut(Schema):
    """A party as staff see it: ID number and phone masked."""

    id = fields.Integer()
    role = fields.String()
    kind = fields.String()
    name = fields.String(metadata={"description": "masked for a minor (protected)"})
    protected = fields.Function(lambda party: party.name_encrypted is not None,
                                metadata={"description": "a minor: the name is masked"})
    id_number = fields.String(attribute="id_masked", metadata={"description": "masked"})
    phone = fields.String(attribute="phone_masked", metadata={"description": "masked"})
    email = fields.String(attribute="email_masked", metadata={"description": "masked"})
    address = fields.String()


class DeadlineOut(Schema):
    """A running or finished deadline clock."""

    rule = fields.String()
    rule_name = fields.String(metadata={
        "description": "what pages call the rule, in the request's language (?lang=)"})
    state = fields.String(metadata={
        "description": "running, paused, breached (open), met, late or stopped"})
    started_at = UtcDateTime()
    due_at = UtcDateTime(allow_none=True)
    met_at = UtcDateTime(allow_none=True)
    paused_at = UtcDateTime(allow_none=True)
    extended_by = fields.Integer(metadata={
        "description": "approved extension (延期) in the rule's unit, included in due_at"})


class ExtensionIn(Schema):
    """An approved extension of one clock (延期审批): by how much, and why (audited)."""

    days = fields.Integer(required=True, strict=True, validate=validate.Range(min=1), metadata={
        "description": "in the rule's unit (days or working days for statutory extensions)"})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class ClockReasonIn(Schema):
    """Why a clock is paused (e.g. an appraisal under way) or resumed (audited)."""

    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class CaseOut(Schema):
    """A case (事件) by its one code for its whole life (一码管全程)."""

    code = fields.String()
    case_type = fields.String()
    category = fields.String()
    channel = fields.String()
    demand_type = fields.String()
    title = fields.String()
    description = fields.String()
    status = fields.String(validate=validate.OneOf(STATUSES))
    risk = fields.String(validate=validate.OneOf(RISKS))
    risk_reasons = fields.List(fields.Raw())
    location_node = fields.String(attribute="location_node_code")
    node = fields.String(attribute="node_code")
    address = fields.String()
    latitude = DecimalText(allow_none=True)
    longitude = DecimalText(allow_none=True)
    amount = DecimalText(allow_none=True)
    people_involved = fields.Integer()
    is_group = fields.Boolean()
    rung = fields.Integer()
    dispatch_count = fields.Integer()
    escalations = fields.Integer()
    due_at = UtcDateTime(allow_none=True)
    overdue = fields.Boolean()
    registered_at = UtcDateTime()
    registered_by = fields.String()
    accepted_at = UtcDateTime(allow_none=True)
    resolved_at = UtcDateTime(allow_none=True)
    closed_at = UtcDateTime(allow_none=True)
    version = fields.Integer()
    details = fields.Method("public_details")
    warnings = fields.Method("readable_warnings", metadata={
        "description": "warnings of statutory checks at intake, in the reader's language",
        "type": "array", "items": {"type": "object", "properties": {
            "field": {"type": "string"}, "rule": {"type": "string"},
            "detail": {"type": "string"}}}})
    parties = fields.List(fields.Nested(PartyOut))
    tracking_url = fields.String()

    def public_details(self, case: Any) -> dict[str, Any]:
        """The type's details without internal ``_`` keys."""
        details = case.get("details") if isinstance(case, dict) else case.details
        return {k: v for k, v in (details or {}).items() if not k.startswith("_")}

    def readable_warnings(self, case: Any) -> list[dict[str, str]]:
        """Each kept warning as field, rule and the message in the reader's language."""
        kept = case.get("warnings") if isinstance(case, dict) else case.warnings
        return [{"field": w["field"], "rule": w.get("rule", ""),
                 "detail": translate(Message(w["msgid"], w.get("params")))}
                for w in kept or []]


class CaseDetailOut(CaseOut):
    """A case with its clocks and the actions the viewer may take now."""

    deadlines = fields.List(fields.Nested(DeadlineOut))
    actions = fields.List(fields.String(), metadata={"description":
                          "transitions the viewer may take now"})


class CasePage(Schema):
    """One page of a case list; ``next_cursor`` is absent on the last page."""

    items = fields.List(fields.Nested(CaseOut))
    next_cursor = fields.String(allow_none=True)


class CaseFilters(Schema):
    """Query filters of the case list."""

    status = fields.List(fields.String(validate=validate.OneOf(STATUSES)))
    case_type = fields.String()
    category = fields.String()
    channel = fields.String()
    risk = fields.List(fields.String(validate=validate.OneOf(RISKS)))
    node = fields.String(metadata={"description": "tier node code: cases in its subtree"})
    overdue = fields.Boolean()
    registered_from = fields.AwareDateTime()
    registered_to = fields.AwareDateTime()
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = fields.String(validate=validate.Length(max=200))


class TransitionIn(Schema):
    """A move through the lifecycle; the payload fields each transition needs."""

    transition = fields.String(required=True, validate=validate.OneOf(sorted(TRANSITIONS)))
    reason = fields.String(validate=validate.Length(max=2000))
    statutory_route = fields.String(validate=validate.Length(max=500))
    department = fields.String(validate=validate.Length(max=64))
    assisting = fields.List(fields.String(validate=validate.Length(max=64)),
                            validate=validate.Length(max=20))
    outcome = fields.String(validate=validate.Length(max=2000))
    route = fields.String(validate=validate.Length(max=32))
    institution = fields.String(validate=validate.Length(max=200))
    into = fields.String(validate=validate.Length(max=40))
    jump = fields.Boolean()
    expected_version = fields.Integer(metadata={"description": "alternative to If-Match"})


class EventOut(Schema):
    """One entry of a case's timeline (its audit events)."""

    seq = fields.Integer()
    at = UtcDateTime()
    actor = fields.String()
    action = fields.String()
    data = fields.Dict()


class AttemptOut(Schema):
    """A mediation attempt (调解) on a rung of the ladder."""

    id = fields.Integer()
    rung = fields.Integer()
    node = fields.String(attribute="node_code")
    mediator = fields.String()
    held_at = UtcDateTime()
    leader_involved = fields.Boolean()
    leader_name = fields.String()
    result = fields.String(validate=validate.OneOf(ATTEMPT_RESULTS))
    notes = fields.String()


class AttemptIn(Schema):
    """A mediation attempt as the mediator records it."""

    mediator = fields.String(required=True, validate=validate.Length(min=1, max=120))
    held_at = fields.AwareDateTime(allow_none=True)
    leader_involved = fields.Boolean()
    leader_name = fields.String(validate=validate.Length(max=120))
    result = fields.String(required=True, validate=validate.OneOf(ATTEMPT_RESULTS))
    notes = fields.String(validate=validate.Length(max=20000))


class EvaluationOut(Schema):
    """A follow-up evaluation (回访评价)."""

    id = fields.Integer()
    rating = fields.String(validate=validate.OneOf(RATINGS))
    channel = fields.String(validate=validate.OneOf(EVALUATION_CHANNELS))
    comment = fields.String()
    evaluated_at = UtcDateTime()
    recorded_by = fields.String()


class EvaluationIn(Schema):
    """An evaluation after closure; ``review`` asks the leaders to look again when unsatisfied."""

    rating = fields.String(required=True, validate=validate.OneOf(RATINGS))
    channel = fields.String(required=True, validate=validate.OneOf(EVALUATION_CHANNELS))
    comment = fields.String(validate=validate.Length(max=2000))
    review = fields.Boolean()


class NoticeOut(Schema):
    """A supervision notice: reminder, urging, supervision, joint handling, 两函一单."""

    id = fields.Integer()
    kind = fields.String()
    number = fields.String()
    issued_by = fields.String()
    issued_at = UtcDateTime()
    deliver_after = UtcDateTime()
    delivered_at = UtcDateTime(allow_none=True)
    respond_by = UtcDateTime(allow_none=True)
    acknowledged_at = UtcDateTime(allow_none=True)
    body = fields.String()


class NoticeIn(Schema):
    """A notice a leader issues on a case."""

    kind = fields.String(required=True, validate=validate.Length(min=1, max=32))
    body = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    to_department = fields.String(validate=validate.Length(max=64))
    to_node = fields.String(validate=validate.Length(max=64))
    respond_by = fields.AwareDateTime()


class RevealIn(Schema):
    """Ask for one plain personal-data field, saying why (the reason is audited)."""

    field = fields.String(required=True, validate=validate.OneOf(
        ["id_number", "phone", "email", "name"]))
    reason = fields.String(required=True, validate=validate.Length(min=2, max=200))


class RevealOut(Schema):
    """The plain value (audited as ``party.revealed``)."""

    party = fields.Integer()
    field = fields.String()
    value = fields.String()
