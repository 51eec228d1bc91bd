"""Words for the workbench's codes in the reader's language: actions, routes, ratings, risk.

Status names come from :func:`core.messages.status_name`; vocabularies with names per locale
(categories, channels, risk levels, case types) come from their terms. These functions are
called while a page renders, so gettext sees the request's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from babel.lists import format_list
from babel.units import format_unit
from flask_babel import gettext, ngettext

from core.categories import CHANNELS, DEMAND_TYPES, RISK_LEVELS
from core.messages import status_name
from core.web import current_locale


def choice_names(field: Any) -> dict[str, dict[str, str]]:
    """A details field's ``metadata["choices"]``: its values' names per locale, by value.

    The convention for plugin details schemas (docs/plugins.md, onedoor_case_types):
    ``fields.String(validate=OneOf([...]), metadata={"names": {...}, "choices": {"wage_arrears":
    {"zh_Hans": "拖欠工资", "zh_Hant": "拖欠工資", "en": "Wage arrears"}, ...}})``.
    """
    choices = (getattr(field, "metadata", None) or {}).get("choices") or {}
    return {str(k): dict(v) for k, v in choices.items() if isinstance(v, dict)}


def choice_label(field: Any, value: Any, locale: str) -> str:
    """What a form or a page shows for ``value`` of a details field: its name, else itself."""
    names = choice_names(field).get(str(value)) or {}
    return names.get(locale) or names.get("zh_Hans") or str(value)


def duration(delta: timedelta, locale: str | None = None) -> str:
    """A length of time in the reader's language, to the hour or minute: "3天4小时", "3 days, 4
    hours", "45 minutes" (CLDR's units, so no word of it is in our catalogs).

    A day or more shows days and hours; less, hours and minutes. Negative lengths are shown as
    their size (the caller says "overdue").
    """
    locale = locale or current_locale()
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        parts = [("duration-day", days), ("duration-hour", hours)]
    elif hours:
        parts = [("duration-hour", hours), ("duration-minute", minutes)]
    else:
        parts = [("duration-minute", minutes)]
    words = [format_unit(n, unit, locale=locale) for unit, n in parts if n or len(parts) == 1]
    return format_list(words, style="unit", locale=locale)


def time_left(due: datetime | None, now: datetime) -> str:
    """"3天4小时后到期" / "overdue by 2 days" for a clock due at ``due`` ("" without one)."""
    if due is None:
        return ""
    if due >= now:
        return gettext("due in %(time)s", time=duration(due - now))
    return gettext("overdue by %(time)s", time=duration(now - due))


def action_name(name: str) -> str:
    """A transition (or the workbench's attempt / evaluate forms) as a button label."""
    names = {
        "accept": gettext("Accept"),
        "reject": gettext("Do not accept"),
        "assign": gettext("Assign to a department"),
        "return": gettext("Return the case"),
        "start_mediation": gettext("Start mediation"),
        "attempt": gettext("Record a mediation attempt"),
        "resolve": gettext("Resolve"),
        "fail_mediation": gettext("Mediation failed"),
        "escalate": gettext("Escalate to the tier above"),
        "refer": gettext("Refer to another route"),
        "close": gettext("Close"),
        "archive": gettext("Archive"),
        "withdraw": gettext("Withdraw"),
        "merge": gettext("Merge into another case"),
        "reopen": gettext("Reopen"),
        "evaluate": gettext("Record an evaluation"),
        "extend_clock": gettext("Extend a deadline (approved)"),
        "pause_clock": gettext("Pause a deadline"),
        "resume_clock": gettext("Resume a deadline"),
    }
    return names.get(name, name)


def rule_amount(amount: int, unit: str) -> str:
    """An amount in a deadline rule's unit: "15天", "15 working days", "30 minutes"."""
    if unit == "working_days":
        return ngettext("%(num)s working day", "%(num)s working days", amount)
    cldr = {"days": "duration-day", "hours": "duration-hour", "minutes": "duration-minute"}
    return format_unit(amount, cldr.get(unit, "duration-day"), locale=current_locale())


def event_words(action: str, data: dict[str, Any], rules: Mapping[str, Any] | None = None) -> str:
    """An audit event of a case as a sentence (the timeline).

    ``rules``: the deadline rules by name as the page names them (the case page's, with the
    rungs named after their tier levels), for the events of a clock."""
    if action == "case.registered":
        return gettext("Registered (risk: %(risk)s).", risk=risk_name(data.get("risk", "")))
    if action == "case.attempt_recorded":
        return gettext("Mediation attempt recorded: %(result)s.",
                       result=attempt_result(data.get("result", "")))
    if action == "case.evaluated":
        return gettext("Evaluation recorded: %(rating)s.",
                       rating=rating_name(data.get("rating", "")))
    if action == "party.revealed":
        return gettext("Personal data of a party was revealed (%(field)s): %(reason)s",
                       field=reveal_field(data.get("field", "")), reason=data.get("reason", ""))
    if action.startswith("deadline."):
        found = (rules or {}).get(str(data.get("rule", "")))
        rule = found.display_name(current_locale()) if found else str(data.get("rule", ""))
        unit = found.unit if found else "days"
        reason = data.get("reason", "")
        if action == "deadline.extended":
            return gettext("Deadline %(rule)s extended by %(amount)s with approval. Reason: "
                           "%(reason)s", rule=rule, reason=reason,
                           amount=rule_amount(int(data.get("by") or 0), unit))
        if action == "deadline.paused":
            return gettext("Deadline %(rule)s paused. Reason: %(reason)s", rule=rule,
                           reason=reason)
        if action == "deadline.resumed":
            return gettext("Deadline %(rule)s resumed. Reason: %(reason)s", rule=rule,
                           reason=reason)
    if action.startswith("case."):
        words = gettext("%(action)s: from %(source)s to %(target)s.",
                        action=action_name(action[5:]),
                        source=status_name(str(data.get("from", ""))),
                        target=status_name(str(data.get("to", ""))))
        if data.get("reason"):
            words += " " + gettext("Reason: %(reason)s", reason=data["reason"])
        return words
    return action


def risk_name(code: str) -> str:
    """A risk level, e.g. 红色（重大）."""
    term = RISK_LEVELS.get(code)
    return term.name(current_locale()) if term else code


def channel_name(code: str) -> str:
    """An intake channel."""
    term = CHANNELS.get(code)
    return term.name(current_locale()) if term else code


def demand_name(code: str) -> str:
    """A demand type."""
    term = DEMAND_TYPES.get(code)
    return term.name(current_locale()) if term else code


def route_name(code: str) -> str:
    """A referral route."""
    names = {
        "arbitration": gettext("Arbitration"),
        "litigation": gettext("Litigation"),
        "administrative": gettext("Administrative route"),
        "petition": gettext("Petition"),
        "judicial_confirmation": gettext("Judicial confirmation"),
    }
    return names.get(code, code)


def rating_name(code: str) -> str:
    """A satisfaction rating."""
    names = {"satisfied": gettext("Satisfied"),
             "basically_satisfied": gettext("Basically satisfied"),
             "unsatisfied": gettext("Unsatisfied")}
    return names.get(code, code)


def evaluation_channel(code: str) -> str:
    """How an evaluation was collected."""
    names = {"online": gettext("Online"), "on_site": gettext("On site"),
             "callback": gettext("Callback")}
    return names.get(code, code)


def attempt_result(code: str) -> str:
    """The result of a mediation attempt."""
    names = {"succeeded": gettext("succeeded"), "failed": gettext("failed"),
             "partial": gettext("partly succeeded")}
    return names.get(code, code)


def reveal_field(code: str) -> str:
    """A revealable personal-data field."""
    names = {"id_number": gettext("ID number"), "phone": gettext("Phone"),
             "email": gettext("E-mail"), "name": gettext("Name")}
    return names.get(code, code)


def party_role(code: str) -> str:
    """A party's role."""
    names = {"applicant": gettext("Applicant"), "respondent": gettext("Respondent"),
             "third_party": gettext("Third party")}
    return names.get(code, code)


def deadline_state(code: str) -> str:
    """The state of a clock."""
    names = {"running": gettext("running"), "met": gettext("met in time"),
             "paused": gettext("paused"), "breached": gettext("overdue"),
             "late": gettext("met late"), "stopped": gettext("stopped")}
    return names.get(code, code)


TEMPLATE_HELPERS = {
    "action_name": action_name, "event_words": event_words, "risk_name": risk_name,
    "channel_name": channel_name, "demand_name": demand_name, "route_name": route_name,
    "rating_name": rating_name, "evaluation_channel": evaluation_channel,
    "attempt_result": attempt_result, "reveal_field": reveal_field, "party_role": party_role,
    "deadline_state": deadline_state, "status_name": status_name, "duration": duration,
    "time_left": time_left, "rule_amount": rule_amount,
}
