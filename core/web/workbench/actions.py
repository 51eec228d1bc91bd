"""The case page's action forms: which fields each action takes, and reading them back.

One endpoint takes every action (``POST /<tenant>/workbench/cases/<code>/act``): the form
names the ``transition`` (a lifecycle transition, or ``attempt`` / ``evaluate``, which are
not transitions but are forms of the same kind) and carries the case ``version`` it was
rendered with. Field names are prefixed with the action (``reject.reason``), so that the many
small forms of one page never share an element id and errors land on the right form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext

from core.messages import explain_reason, translate
from core.web.workbench import parse_local


@dataclass(frozen=True)
class Field:
    """One control of an action form: name (the payload key), kind, required or not."""

    name: str
    kind: str = "text"  # text, textarea, select:<options>, checkbox, datetime, integer
    required: bool = False


_REASON = Field("reason", "textarea", True)

#: The fields of each action form, in order.
FORMS: dict[str, tuple[Field, ...]] = {
    "accept": (),
    "reject": (_REASON, Field("statutory_route", "text", True)),
    "assign": (Field("department", "select:departments"),
               Field("assisting", "select:departments")),
    "return": (_REASON,),
    "start_mediation": (),
    "attempt": (Field("mediator", "text", True), Field("held_at", "datetime"),
                Field("leader_involved", "checkbox"), Field("leader_name"),
                Field("result", "select:results", True), Field("notes", "textarea")),
    "resolve": (Field("outcome", "textarea", True),),
    "fail_mediation": (_REASON,),
    "escalate": (_REASON, Field("jump", "checkbox")),
    "refer": (Field("route", "select:routes", True), Field("institution"),
              Field("note", "textarea")),
    "close": (),
    "archive": (),
    "withdraw": (_REASON,),
    "merge": (Field("into", "text", True),),
    "reopen": (_REASON,),
    "evaluate": (Field("rating", "select:ratings", True),
                 Field("channel", "select:channels", True), Field("comment", "textarea"),
                 Field("review", "checkbox")),
    "extend_clock": (Field("rule", "select:extendable", True), Field("days", "integer", True),
                     _REASON),
    "pause_clock": (Field("rule", "select:running", True), _REASON),
    "resume_clock": (Field("rule", "select:paused", True), _REASON),
}

#: Actions that are not lifecycle transitions (the case service has a function for each),
#: with the permission each needs.
SERVICE_ACTIONS = {"attempt": "case.attempt", "evaluate": "case.evaluate",
                   "extend_clock": "deadline.extend", "pause_clock": "deadline.pause",
                   "resume_clock": "deadline.pause"}


def field_label(name: str) -> str:
    """The label of an action field in the reader's language."""
    labels = {
        "reason": gettext("Reason"),
        "statutory_route": gettext("Statutory route the applicant is told"),
        "department": gettext("Lead department"),
        "assisting": gettext("Assisting department"),
        "mediator": gettext("Mediator"),
        "held_at": gettext("Held at"),
        "leader_involved": gettext("A leader took part"),
        "leader_name": gettext("Leader's name"),
        "result": gettext("Result"),
        "notes": gettext("Notes"),
        "outcome": gettext("Outcome"),
        "jump": gettext("Skip a tier (red risk only)"),
        "route": gettext("Route"),
        "institution": gettext("Institution"),
        "note": gettext("Note"),
        "into": gettext("Code of the case to merge into"),
        "rating": gettext("Rating"),
        "channel": gettext("Channel"),
        "comment": gettext("Comment"),
        "review": gettext("Ask the leaders for a review (unsatisfied only)"),
        "rule": gettext("Deadline"),
        "days": gettext("Extension, in the deadline's unit (days or working days)"),
    }
    return labels.get(name, name)


def read_payload(action: str, form: Mapping[str, str]) -> tuple[dict[str, Any],
                                                                 dict[str, list[str]]]:
    """The payload of ``action``'s form and the errors of fields that could not be read.

    Empty fields are left out (the service then says what is missing); checkboxes become
    booleans; a date and time is read in the tenant's zone.
    """
    payload: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for field in FORMS.get(action, ()):
        key = f"{action}.{field.name}"
        raw = (form.get(key) or "").strip()
        if field.kind == "checkbox":
            payload[field.name] = bool(raw)
        elif field.kind == "datetime":
            try:
                moment = parse_local(raw)
            except ValueError:
                errors[key] = [gettext("Give a date and time, e.g. 2026-05-01 09:30.")]
                continue
            if moment is not None:
                payload[field.name] = moment.isoformat()
        elif field.kind == "integer" and raw:
            try:
                payload[field.name] = int(raw)
            except ValueError:
                errors[key] = [gettext("Give a whole number, e.g. 15.")]
        elif raw:
            payload[field.name] = raw
    if action == "assign" and payload.get("assisting"):
        payload["assisting"] = [payload["assisting"]]
    return payload, errors


def refusal_errors(action: str, reasons: list[str]) -> tuple[dict[str, list[str]], list[str]]:
    """Refusal codes as field errors (``missing:reason`` on ``<action>.reason``) and the rest."""
    fields: dict[str, list[str]] = {}
    general: list[str] = []
    known = {f.name for f in FORMS.get(action, ())}
    for reason in reasons:
        head, _sep, rest = reason.partition(":")
        name = rest.split(" ", 1)[0]
        if head in ("missing", "invalid") and name in known:
            fields.setdefault(f"{action}.{name}", []).append(explain_reason(reason))
        else:
            general.append(explain_reason(reason))
    return fields, general


def invalid_errors(action: str, fields: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """:class:`core.cases.CaseInvalid` fields of ``action`` as form errors, translated."""
    return {f"{action}.{name}": [translate(m) for m in messages]
            for name, messages in fields.items()}
