"""Deadline clocks (期限): rules, due dates, pauses and recomputation.

A :class:`DeadlineRule` says how long something may take ("accept a consumer complaint within
7 working days") and which lifecycle events start and stop its clock. A clock is a
:class:`core.models.Deadline` row on a case; ``cases.due_at`` is the earliest open clock, kept
up to date here so queues and the sweep can use an index.

Clock states::

    running ──pause──▶ paused ──resume──▶ running
    running ──sweep (due_at < now)──▶ breached      (core.sweep)
    running / paused ──stop event──▶ met      (on time)
    running / breached ──stop event──▶ late   (stopped after its due moment)
    any open ──withdrawn / merged──▶ stopped  (the obligation disappeared with the case)

"Open" means running, paused or breached; ``met_at`` is set when a clock leaves those states.
A clock is never stopped by the very event that started it (the cases service starts the next
escalation rung's clock and then reports ``escalated``, which stops the previous rung's).

Paused time is credited in ``paused_seconds`` on the clock's own scale, so that the due moment
can always be recomputed from ``started_at`` alone when the calendar changes: elapsed seconds for
hour and minute rules, whole days (×86 400) for calendar-day rules, and the working days lost
(×86 400) for working-day rules.

The periodic sweep that marks missed clocks and sends reminders and urges lives in
:mod:`core.sweep`; it uses :func:`recompute` from here.

No Flask here; the database work happens through the caller's session.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Integer, any_, bindparam, func, select, update
from sqlalchemy import event as sa_event
from sqlalchemy.dialects.postgresql import ARRAY

from core.calendar import DEFAULT_TIMEZONE, WorkCalendar
from core.db import TenantSession
from core.models import Case, Deadline
from core.models.tenant import utcnow
from core.workflow import Status

UNITS = ("days", "working_days", "hours", "minutes")
DAY_UNITS = frozenset({"days", "working_days"})
RULE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
STATUS_VALUES = frozenset(s.value for s in Status)
_DAY = 86_400

# Clock states (deadlines.state, at most 12 characters).
RUNNING = "running"
PAUSED = "paused"
BREACHED = "breached"
MET = "met"
LATE = "late"
STOPPED = "stopped"
OPEN_CLOCK_STATES = (RUNNING, PAUSED, BREACHED)
#: States counted in ``cases.due_at``: a paused clock has no due moment until it resumes.
DUE_CLOCK_STATES = (RUNNING, BREACHED)

#: Events after which a clock's obligation no longer exists (rather than being fulfilled).
CANCELLING_EVENTS = frozenset({Status.WITHDRAWN.value, Status.MERGED.value})
#: A decision on acceptance, either way.
ACCEPT_STOPS = frozenset({"accepted", "not_accepted", "withdrawn", "merged"})
#: The matter left mediation: settled, sent down a legal route, closed or gone. Escalation is
#: deliberately absent: climbing a tier must not reset a statutory clock (it would make passing
#: the case upwards a way to escape the deadline); each rung has its own clock for that.
HANDLE_STOPS = frozenset({"resolved", "referred", "closed", "withdrawn", "merged"})
#: An escalation rung's clock also stops when the case climbs to the next rung.
RUNG_STOPS = HANDLE_STOPS | {"escalated"}
_RUNG_NAME = re.compile(r"^rung_\d+$")
_STARTED = "onedoor.sla.started"  # session.info key: clocks started in this session
#: Clocks whose rule is no longer known (a plugin disabled since) stop on these, never run forever.
FALLBACK_STOPS = HANDLE_STOPS | {"not_accepted"}



class DeadlineRuleError(ValueError):
    """A deadline rule or a tenant's ``[deadlines]`` override is malformed (names the field)."""


class UnknownDeadlineRule(LookupError):
    """A rule name that the rules in use do not define."""


class ClockError(LookupError):
    """A clock to pause or resume does not exist or is not in the state the operation needs."""


def _str_status(value: Any, where: str) -> str:
    text = str(value.value if isinstance(value, Status) else value)
    if text not in STATUS_VALUES:
        raise DeadlineRuleError(f"{where}: unknown case status {text!r}")
    return text


@dataclass(frozen=True)
class DeadlineRule:
    """How long something may take, and which lifecycle events start and stop its clock.

    ``unit`` is ``days`` (calendar days: the period starts the day after the event and ends at
    the end of the last day, moved to the next working day when it falls on a holiday and
    ``extend_past_holiday``), ``working_days``, ``hours`` or ``minutes`` (plain elapsed time,
    running through nights and holidays). ``starts_on`` is a case status (the event entering
    it); ``stops_on`` the statuses that stop it. ``source`` cites the rule's legal basis, or
    says that it is local practice. ``names`` are what pages call the rule (``{"zh_Hans":
    "劳动争议调解期限", "zh_Hant": …, "en": …}``). ``max_extension`` is how far, in the rule's
    own unit, the period may be extended with approval (延期审批) — set from the statute that
    allows it (劳动争议调解仲裁法 Art. 43: "+15 days"), 0 when the period cannot be extended.
    """

    name: str
    amount: int
    unit: str
    starts_on: str
    stops_on: frozenset[str]
    extend_past_holiday: bool = True
    source: str = ""
    names: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)
    max_extension: int = 0

    def display_name(self, locale: str) -> str:
        """The rule's name in ``locale``, else in zh_Hans, else its code."""
        return self.names.get(locale) or self.names.get("zh_Hans") or self.name

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not RULE_NAME.match(self.name):
            raise DeadlineRuleError(
                f"deadline rule {self.name!r}: name must match {RULE_NAME.pattern}"
            )
        where = f"deadline rule {self.name!r}"
        if isinstance(self.amount, bool) or not isinstance(self.amount, int) or self.amount < 1:
            raise DeadlineRuleError(f"{where}: amount must be an integer ≥ 1, got {self.amount!r}")
        if self.unit not in UNITS:
            raise DeadlineRuleError(
                f"{where}: unit must be one of {', '.join(UNITS)}, got {self.unit!r}"
            )
        object.__setattr__(self, "starts_on", _str_status(self.starts_on, f"{where}: starts_on"))
        if isinstance(self.stops_on, str) or not isinstance(self.stops_on, Iterable):
            raise DeadlineRuleError(f"{where}: stops_on must be a set of case statuses")
        object.__setattr__(
            self,
            "stops_on",
            frozenset(_str_status(s, f"{where}: stops_on") for s in self.stops_on),
        )
        if not self.stops_on:
            raise DeadlineRuleError(f"{where}: stops_on needs at least one status")
        if (isinstance(self.max_extension, bool) or not isinstance(self.max_extension, int)
                or self.max_extension < 0):
            raise DeadlineRuleError(
                f"{where}: max_extension must be an integer ≥ 0, got {self.max_extension!r}"
            )

    def describe(self) -> str:
        """``15 working_days`` — for messages and audit data."""
        return f"{self.amount} {self.unit}"


def _rule(
    name: str,
    amount: int,
    unit: str,
    starts_on: str,
    stops_on: frozenset[str],
    source: str,
    *,
    extend: bool = True,
    max_extension: int = 0,
) -> DeadlineRule:
    return DeadlineRule(name, amount, unit, starts_on, stops_on, extend, source,
                        names=_CORE_NAMES[name], max_extension=max_extension)


def _names(hans: str, hant: str, en: str) -> dict[str, str]:
    return {"zh_Hans": hans, "zh_Hant": hant, "en": en}


#: What pages call core's rules (the clock's purpose, not its statute: that is ``source``).
_CORE_NAMES: dict[str, dict[str, str]] = {
    "petition_register": _names("信访登记受理期限", "信訪登記受理期限",
                               "Petition registration and acceptance"),
    "petition_handle": _names("信访事项办理期限", "信訪事項辦理期限",
                             "Petition handling"),
    "judicial_confirmation_apply": _names("司法确认申请期限", "司法確認申請期限",
                                         "Applying for judicial confirmation"),
    "court_delegated_mediation": _names("法院委派调解期限", "法院委派調解期限",
                                       "Court-delegated mediation"),
    "labor_mediation": _names("劳动争议调解期限", "勞動爭議調解期限",
                             "Labor dispute mediation"),
    "labor_arbitration_accept": _names("劳动仲裁受理期限", "勞動仲裁受理期限",
                                      "Labor arbitration acceptance"),
    "labor_arbitration_award": _names("劳动仲裁裁决期限", "勞動仲裁裁決期限",
                                     "Labor arbitration award"),
    "consumer_accept": _names("消费投诉受理期限", "消費投訴受理期限",
                             "Consumer complaint acceptance"),
    "consumer_mediation": _names("消费投诉调解期限", "消費投訴調解期限",
                                "Consumer complaint mediation"),
    "tourism_accept": _names("旅游投诉受理期限", "旅遊投訴受理期限",
                            "Tourism complaint acceptance"),
    "tourism_mediation": _names("旅游投诉调解期限", "旅遊投訴調解期限",
                               "Tourism complaint mediation"),
    "banking_complaint": _names("银行保险投诉处理期限", "銀行保險投訴處理期限",
                               "Banking and insurance complaint handling"),
    "medical_mediation": _names("医疗纠纷调解期限", "醫療糾紛調解期限",
                               "Medical dispute mediation"),
    "hotline_accept": _names("热线工单受理期限", "熱線工單受理期限",
                            "Hotline order acceptance"),
    "hotline_accept_danger": _names("热线紧急工单受理期限（危及生命财产）",
                                   "熱線緊急工單受理期限（危及生命財產）",
                                   "Hotline acceptance: danger to life or property"),
    "hotline_accept_utilities": _names("热线停水停电停气受理期限", "熱線停水停電停氣受理期限",
                                      "Hotline acceptance: utility outage"),
    "general_accept": _names("受理期限", "受理期限",
                            "Acceptance"),
    "general_mediation": _names("调解办理期限", "調解辦理期限",
                               "Mediation and handling"),
}


#: DESIGN.md's table; sources from reference/domain_rules.md §1 (article numbers checked there).
DEFAULT_RULES: dict[str, DeadlineRule] = {
    r.name: r
    for r in (
        _rule("petition_register", 15, "days", "registered", ACCEPT_STOPS,
              "信访工作条例 (2022) Art. 22: register and forward, assign or inform within 15 days"),
        _rule("petition_handle", 60, "days", "accepted", HANDLE_STOPS,
              "信访工作条例 (2022) Art. 34: 申诉求决类 within 60 days of acceptance "
              "(+30 with the agency head's approval)", max_extension=30),
        _rule("judicial_confirmation_apply", 30, "days", "resolved",
              frozenset({"referred", "closed", "withdrawn", "merged"}),
              "人民调解法 Art. 33: both parties apply within 30 days of the agreement "
              "taking effect"),
        _rule("court_delegated_mediation", 30, "days", "accepted", HANDLE_STOPS,
              "最高人民法院关于人民法院特邀调解的规定 (法释〔2016〕14号) Art. 27: "
              "委派调解 within 30 days, extendable if the parties agree"),
        _rule("labor_mediation", 15, "days", "accepted", HANDLE_STOPS,
              "劳动争议调解仲裁法 Art. 14: no agreement within 15 days of the application → "
              "arbitration may be sought"),
        _rule("labor_arbitration_accept", 5, "days", "registered", ACCEPT_STOPS,
              "劳动争议调解仲裁法 Art. 29: decide acceptance within 5 days of receipt"),
        _rule("labor_arbitration_award", 45, "days", "accepted", HANDLE_STOPS,
              "劳动争议调解仲裁法 Art. 43: award within 45 days of acceptance "
              "(+15 with the commission director's approval)", max_extension=15),
        _rule("consumer_accept", 7, "working_days", "registered", ACCEPT_STOPS,
              "市场监督管理投诉举报处理暂行办法 (总局令第20号) Art. 14: decide acceptance "
              "within 7 working days"),
        _rule("consumer_mediation", 45, "working_days", "accepted", HANDLE_STOPS,
              "市场监督管理投诉举报处理暂行办法 Art. 21: mediation ends after 45 working days "
              "of acceptance; testing and appraisal time not counted (Art. 20)"),
        _rule("tourism_accept", 5, "working_days", "registered", ACCEPT_STOPS,
              "旅游投诉处理办法 (国家旅游局令第32号): accept within 5 working days "
              "(as restated by official guides; article not verified)"),
        _rule("tourism_mediation", 60, "days", "accepted", HANDLE_STOPS,
              "旅游投诉处理办法 (国家旅游局令第32号): mediation within 60 days of acceptance "
              "(as restated by official guides; article not verified)"),
        _rule("banking_complaint", 15, "days", "registered", HANDLE_STOPS | {"not_accepted"},
              "银行业保险业消费投诉处理管理办法 (2020): decide within 15 days of receipt "
              "(complex 30, with approval 60)", max_extension=45),
        _rule("medical_mediation", 30, "working_days", "accepted", HANDLE_STOPS,
              "医疗纠纷预防和处理条例 (2018) Art. 38: people's mediation within 30 working "
              "days; appraisal time not counted"),
        _rule("hotline_accept", 1, "working_days", "registered", ACCEPT_STOPS,
              "天津市12345热线实施细则 (2024-12-30): ordinary orders accepted within "
              "1 working day (local rule, used as the default)"),
        _rule("hotline_accept_danger", 15, "minutes", "registered", ACCEPT_STOPS,
              "天津市12345热线实施细则 (2024-12-30): danger to life or property, 15 minutes, "
              "also on non-working days", extend=False),
        _rule("hotline_accept_utilities", 30, "minutes", "registered", ACCEPT_STOPS,
              "天津市12345热线实施细则 (2024-12-30): water, power, gas or heating outage, "
              "30 minutes, also on non-working days", extend=False),
        _rule("general_accept", 1, "working_days", "registered", ACCEPT_STOPS,
              "tenant practice, no statute: decide acceptance by the next working day"),
        # Starts on assignment, not acceptance: the handling department's clock, and a reopened
        # case (closed → reopened → assigned) gets a fresh one.
        _rule("general_mediation", 30, "days", "assigned", HANDLE_STOPS,
              "common local practice, no statute: many centers settle within 30 days "
              "(cf. 特邀调解规定 Art. 27)"),
    )
}


def rules_with_overrides(
    rules: Mapping[str, DeadlineRule], overrides: Mapping[str, Any] | None
) -> dict[str, DeadlineRule]:
    """``rules`` with a tenant's ``[deadlines.<name>]`` overrides applied by name.

    An override is ``{"days": N}`` with an optional ``"working_days": bool``; the tenant
    loader always stores ``working_days`` (false by default), so an override decides between
    calendar and working days. Without the key a day rule keeps its kind, and an hour or minute
    rule becomes a calendar-day rule. Overrides naming a rule that is not in ``rules`` (a
    plugin the tenant has not enabled) are ignored; :func:`unknown_overrides` lists them.
    Raises :class:`DeadlineRuleError` naming ``deadlines.<name>.<field>`` on a bad value.
    """
    result = dict(rules)
    for name, override in (overrides or {}).items():
        rule = result.get(name)
        if rule is None:
            continue
        where = f"deadlines.{name}"
        if not isinstance(override, Mapping):
            raise DeadlineRuleError(f"{where}: must be a table like {{days = 15}}")
        unknown = sorted(set(override) - {"days", "working_days"})
        if unknown:
            raise DeadlineRuleError(f"{where}.{unknown[0]}: unknown key (days, working_days)")
        days = override.get("days")
        if isinstance(days, bool) or not isinstance(days, int) or days < 1:
            raise DeadlineRuleError(f"{where}.days: must be an integer ≥ 1, got {days!r}")
        if "working_days" in override:
            working = override["working_days"]
            if not isinstance(working, bool):
                raise DeadlineRuleError(
                    f"{where}.working_days: must be true or false, got {working!r}"
                )
            unit = "working_days" if working else "days"
        else:
            unit = rule.unit if rule.unit in DAY_UNITS else "days"
        result[name] = replace(rule, amount=days, unit=unit)
    return result


def unknown_overrides(
    rules: Mapping[str, DeadlineRule], overrides: Mapping[str, Any] | None
) -> list[str]:
    """Names in ``overrides`` that no rule in ``rules`` has (likely a typo or a stale name)."""
    return sorted(set(overrides or {}) - set(rules))


def rung_rules(
    ladder: Sequence[Any], level_names: Mapping[str, Mapping[str, str]] | None = None
) -> dict[str, DeadlineRule]:
    """One ``rung_<index>`` calendar-day rule per escalation rung (``deadline_days``).

    The cases service starts these with :func:`start_clock` when a case enters a rung; they
    are listed here so that :func:`recompute` and :func:`resume` know them too. Each is named
    after its rung (村（社区）调解员调解期限), or, for a rung without names of its own (the top
    rung, or a tenant's ladder step), after its tier level from ``level_names`` (level code →
    names) with the rung's number, since a level may hold several rungs.
    """
    rules = {}
    for index, rung in enumerate(ladder):
        name = f"rung_{index}"
        rules[name] = DeadlineRule(
            name, int(rung.deadline_days), "days",
            starts_on="assigned" if index == 0 else "escalated", stops_on=RUNG_STOPS,
            source="tenant escalation ladder ([escalation] deadline_days)",
            names=rung_rule_names(index, rung, (level_names or {}).get(rung.level)),
        )
    return rules


def rung_rule_names(
    index: int, rung: Any, level_names: Mapping[str, str] | None = None
) -> dict[str, str]:
    """What pages call the clock of ladder rung ``index`` (0-based), in each language."""
    own = getattr(rung, "names", None) or {}
    if own:
        return {
            "zh_Hans": f"{own.get('zh_Hans') or rung.level}调解期限",
            "zh_Hant": f"{own.get('zh_Hant') or own.get('zh_Hans') or rung.level}調解期限",
            "en": f"Mediation deadline: {own.get('en') or own.get('zh_Hans') or rung.level}",
        }
    level = level_names or {}
    number = index + 1
    return {
        "zh_Hans": f"第{number}级（{level.get('zh_Hans') or rung.level}）调解期限",
        "zh_Hant": f"第{number}級（{level.get('zh_Hant') or level.get('zh_Hans') or rung.level}）"
                   "調解期限",
        "en": f"Mediation deadline: rung {number} "
              f"({level.get('en') or level.get('zh_Hans') or rung.level})",
    }


def tenant_rules(
    tenant: Any,
    plugin_rules: Iterable[DeadlineRule] = (),
    level_names: Mapping[str, Mapping[str, str]] | None = None,
) -> dict[str, DeadlineRule]:
    """Every rule a tenant's clocks can name: core, escalation rungs, plugins, with overrides.

    ``tenant`` is a :class:`core.models.Tenant` or a :class:`core.tenancy.TenantContext`;
    ``plugin_rules`` come from the ``onedoor_deadline_rules`` hook of the tenant's enabled
    plugins (a plugin may redefine a core rule by name); ``level_names`` (tier level code →
    names) name the rungs that have no names of their own.
    """
    from core.escalation import ladder_of  # noqa: PLC0415 - sla stays importable alone

    config = tenant.config or {}
    rules = dict(DEFAULT_RULES)
    rules.update(rung_rules(ladder_of(config), level_names))
    for rule in plugin_rules:
        rules[rule.name] = rule
    return rules_with_overrides(rules, config.get("deadlines") or {})


def calendar_for(tenant: Any) -> WorkCalendar:
    """The tenant's working calendar from ``config["calendar"]`` and its time zone.

    Raises :class:`core.calendar.CalendarConfigError` naming the field if the stored calendar
    is malformed.
    """
    derived = getattr(tenant, "derived", None)
    if derived is not None:  # a TenantContext: parse its calendar once per snapshot
        return derived("calendar", lambda: _calendar_of(tenant))
    return _calendar_of(tenant)


def _calendar_of(tenant: Any) -> WorkCalendar:
    config = tenant.config or {}
    return WorkCalendar.from_config(
        config.get("calendar"), getattr(tenant, "timezone", None) or DEFAULT_TIMEZONE
    )


# --- due moments -------------------------------------------------------------------------------


def require_aware(moment: datetime, name: str = "now") -> datetime:
    """``moment`` itself, or ValueError naming ``name`` when it is not timezone-aware."""
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {moment!r}")
    return moment


def from_db(moment: datetime | None) -> datetime | None:
    """A stored timestamp as an aware UTC datetime (SQLite hands them back naive, in UTC)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def to_db(moment: datetime) -> datetime:
    """``moment`` in UTC, as timestamps are stored."""
    # Always store UTC: SQLite's DateTime drops the offset and keeps the wall-clock time.
    return moment.astimezone(UTC)


def compute_due(
    start: datetime, rule: DeadlineRule, calendar: WorkCalendar, *, paused_seconds: int = 0,
    extended_by: int = 0,
) -> datetime:
    """The moment a clock of ``rule`` started at ``start`` expires (pure).

    * ``days``: the period starts the day after ``start``; it expires at the end of day N. If
      that day is not a working day and ``extend_past_holiday``, it expires at the end of the
      next working day (民事诉讼法 Art. 85: a period whose last day is a holiday ends on the
      first day after it).
    * ``working_days``: the end of the N-th working day after the start day.
    * ``hours`` / ``minutes``: plain elapsed time.

    ``paused_seconds`` is the credit of paused time on the rule's own scale (see the module
    docstring): whole days are added to the count before the holiday extension, so recomputing
    from ``started_at`` is exact. ``extended_by`` is an approved extension in the rule's unit:
    the period is ``amount + extended_by`` long. The answer is aware, in the calendar's time
    zone.
    """
    require_aware(start, "start")
    amount = rule.amount + extended_by
    if rule.unit in ("hours", "minutes"):
        delta = timedelta(**{rule.unit: amount}) + timedelta(seconds=paused_seconds)
        return (start + delta).astimezone(calendar.tz)
    first = calendar.local_date(start)
    count = amount + paused_seconds // _DAY
    if rule.unit == "working_days":
        return calendar.end_of_day(calendar.add_workdays(first, count))
    last = first + timedelta(days=count)
    if rule.extend_past_holiday and not calendar.is_workday(last):
        last = calendar.next_workday(last)
    return calendar.end_of_day(last)


def paused_credit(
    rule: DeadlineRule, paused_at: datetime, resumed_at: datetime, calendar: WorkCalendar
) -> int:
    """Seconds of credit for a pause, on the rule's scale (see the module docstring).

    Day rules are credited per local day the clock stood still at its start: pausing on
    Tuesday and resuming on Friday credits Tuesday, Wednesday and Thursday (for a working-day
    rule, only those that are working days); pausing and resuming on the same day credits
    nothing.
    """
    if rule.unit not in DAY_UNITS:
        return max(0, int((resumed_at - paused_at).total_seconds()))
    first, last = calendar.local_date(paused_at), calendar.local_date(resumed_at)
    if rule.unit == "working_days":
        return calendar.workdays_between(first, last) * _DAY
    return max(0, (last - first).days) * _DAY


# --- clocks on one case (inside the caller's transaction) --------------------------------------


def _stops_of(name: str, rules: Mapping[str, DeadlineRule]) -> frozenset[str]:
    rule = rules.get(name)
    if rule is not None:
        return rule.stops_on
    return RUNG_STOPS if _RUNG_NAME.match(name) else FALLBACK_STOPS


def _open_clocks(session: TenantSession, case: Case) -> list[Deadline]:
    return list(
        session.scalars(
            select(Deadline)
            .where(Deadline.case_id == case.id, Deadline.state.in_(OPEN_CLOCK_STATES))
            .order_by(Deadline.id)
        )
    )


def _new_clock(
    session: TenantSession, case: Case, rule: DeadlineRule, now: datetime, calendar: WorkCalendar
) -> Deadline:
    clock = Deadline(
        case=case,  # fills case_id at the flush when the case itself is not flushed yet
        case_id=case.id,
        rule=rule.name,
        started_at=to_db(now),
        due_at=to_db(compute_due(now, rule, calendar)),
        state=RUNNING,
        paused_seconds=0,
        extended_by=0,
        calendar_version=calendar.version,
    )
    # Remember which event started the clock in this session, so that the same event reported
    # right after (start_clock for a rung, then on_event("escalated")) leaves it alone. Kept in
    # session.info, a strong reference: the identity map alone may drop a clean instance.
    session.info.setdefault(_STARTED, {}).setdefault((rule.starts_on, now), []).append(clock)
    session.add(clock)
    return clock


@sa_event.listens_for(TenantSession, "after_transaction_end")
def _forget_started(session: TenantSession, transaction: Any) -> None:
    # "Started by this event" only means something inside one unit of work.
    if transaction.parent is None:
        session.info.pop(_STARTED, None)


def _finish(clock: Deadline, event: str, now: datetime) -> None:
    if event in CANCELLING_EVENTS:
        clock.state = STOPPED
    elif clock.state == BREACHED or (
        clock.state == RUNNING and from_db(clock.due_at) < now
    ):
        clock.state = LATE
    else:
        clock.state = MET
    clock.met_at = to_db(now)
    clock.paused_at = None


def refresh_case(session: TenantSession, case: Case, now: datetime) -> None:
    """Set ``case.due_at`` (earliest running or breached clock) and ``case.overdue``.

    Only assigns when a value changes, so an unchanged case is not dirtied (and its optimistic
    lock version does not move).
    """
    rows = session.execute(
        select(Deadline.state, Deadline.due_at).where(
            Deadline.case_id == case.id, Deadline.state.in_(DUE_CLOCK_STATES)
        )
    ).all()
    _set_due(case, rows, now)


def _set_due(case: Case, rows: Iterable[tuple[str, datetime]], now: datetime) -> None:
    """:func:`refresh_case` from the case's due clocks' ``(state, due_at)`` already at hand."""
    rows = list(rows)
    dues = [from_db(due) for _state, due in rows]
    due_at = min(dues) if dues else None
    states = [state for state, _due in rows]
    overdue = any(s == BREACHED or d < now for s, d in zip(states, dues, strict=True))
    if from_db(case.due_at) != due_at:
        case.due_at = due_at
    if bool(case.overdue) != overdue:
        case.overdue = overdue


def _ensure_id(session: TenantSession, case: Case) -> None:
    if case.id is None:
        session.flush()


def on_event(
    session: TenantSession,
    case: Case,
    event: str,
    now: datetime,
    calendar: WorkCalendar,
    rules: Mapping[str, DeadlineRule],
    rule_names: Iterable[str],
) -> None:
    """React to ``case`` entering status ``event``: stop clocks, start clocks, refresh the case.

    Open clocks whose rule stops on ``event`` finish (``met``, ``late`` or, for withdrawn and
    merged, ``stopped``). Then each rule of ``rule_names`` (the case type's) whose ``starts_on``
    is ``event`` starts a clock, unless one of that rule is already open (a case returned by a
    department and dispatched again keeps its statutory clock). Finally ``case.due_at`` and
    ``case.overdue`` are refreshed. Runs in the caller's transaction; flushes, never commits.
    Raises :class:`UnknownDeadlineRule` if ``rule_names`` names a rule not in ``rules``.

    A case not yet flushed (being registered) has no clocks to look up: its new clocks and
    due date are only added to the session, and go into the database with the case's own
    INSERT at the caller's next flush — no query, no flush, no UPDATE of the case.
    """
    require_aware(now)
    event = str(event.value if isinstance(event, Status) else event)
    names = tuple(rule_names)
    missing = [name for name in names if name not in rules]
    if missing:
        raise UnknownDeadlineRule(
            f"case type names deadline rule {missing[0]!r}, which is not defined "
            f"(known: {', '.join(sorted(rules))})"
        )
    if case.id is None and case in session.new:
        started = [_new_clock(session, case, rules[name], now, calendar)
                   for name in dict.fromkeys(names) if rules[name].starts_on == event]
        _set_due(case, [(clock.state, clock.due_at) for clock in started], now)
        return
    _ensure_id(session, case)
    clocks = _open_clocks(session, case)
    just_started = {id(c) for c in session.info.get(_STARTED, {}).get((event, now), ())}
    for clock in clocks:
        if id(clock) in just_started:
            continue
        if event in _stops_of(clock.rule, rules):
            _finish(clock, event, now)
    still_open = {clock.rule for clock in clocks if clock.state in OPEN_CLOCK_STATES}
    for name in names:
        rule = rules[name]
        if rule.starts_on == event and name not in still_open:
            _new_clock(session, case, rule, now, calendar)
            still_open.add(name)
    session.flush()
    refresh_case(session, case, now)


def start_clock(
    session: TenantSession, case: Case, rule: DeadlineRule, now: datetime, calendar: WorkCalendar
) -> Deadline:
    """Start a clock of ``rule`` on ``case`` now (e.g. an escalation rung's), in the caller's
    transaction, and refresh the case's due moment.

    An open clock of the same rule is restarted: it is finished as ``stopped`` first, so a
    case never has two open clocks of one rule.
    """
    require_aware(now)
    _ensure_id(session, case)
    for clock in _open_clocks(session, case):
        if clock.rule == rule.name:
            clock.state = STOPPED
            clock.met_at = to_db(now)
            clock.paused_at = None
    clock = _new_clock(session, case, rule, now, calendar)
    session.flush()
    refresh_case(session, case, now)
    return clock


def open_clock(session: TenantSession, case: Case, rule_name: str) -> Deadline | None:
    """The open (running, paused or breached) clock of ``rule_name`` on ``case``, or None."""
    for clock in _open_clocks(session, case):
        if clock.rule == rule_name:
            return clock
    return None


def _open_clock(session: TenantSession, case: Case, rule_name: str) -> Deadline:
    clock = open_clock(session, case, rule_name)
    if clock is None:
        raise ClockError(f"case {case.code}: no open {rule_name!r} deadline")
    return clock


def pause(session: TenantSession, case: Case, rule_name: str, now: datetime) -> Deadline:
    """Stop the ``rule_name`` clock from counting (e.g. while an appraisal runs).

    Only a running clock can be paused (a breached one has already been missed). The case's
    due moment no longer includes it until :func:`resume`.
    """
    require_aware(now)
    clock = _open_clock(session, case, rule_name)
    if clock.state != RUNNING:
        raise ClockError(
            f"case {case.code}: the {rule_name!r} deadline is {clock.state}; "
            "only a running deadline can be paused"
        )
    clock.state = PAUSED
    clock.paused_at = to_db(now)
    session.flush()
    refresh_case(session, case, now)
    return clock


def resume(
    session: TenantSession,
    case: Case,
    rule_name: str,
    now: datetime,
    calendar: WorkCalendar,
    *,
    rules: Mapping[str, DeadlineRule],
) -> Deadline:
    """Let a paused clock count again, pushing its due moment out by the time lost.

    ``paused_seconds`` grows by the pause's credit (elapsed time for hour/minute rules, the
    days or working days lost for day rules) and ``due_at`` is recomputed from ``started_at``
    with the whole credit, under the current calendar. ``rules`` must be the tenant's rules
    (with overrides), as passed to :func:`on_event`: the clock's amount and unit come from it.
    """
    require_aware(now)
    clock = _open_clock(session, case, rule_name)
    if clock.state != PAUSED:
        raise ClockError(
            f"case {case.code}: the {rule_name!r} deadline is {clock.state}, not paused"
        )
    rule = rules.get(rule_name)
    if rule is None:
        raise UnknownDeadlineRule(f"deadline rule {rule_name!r} is not in the rules given")
    clock.paused_seconds = (clock.paused_seconds or 0) + paused_credit(
        rule, from_db(clock.paused_at), now, calendar
    )
    clock.due_at = to_db(
        compute_due(from_db(clock.started_at), rule, calendar,
                    paused_seconds=clock.paused_seconds, extended_by=clock.extended_by or 0)
    )
    clock.calendar_version = calendar.version
    clock.state = RUNNING
    clock.paused_at = None
    session.flush()
    refresh_case(session, case, now)
    return clock


def extension_left(clock: Deadline, rule: DeadlineRule) -> int:
    """How much more (in the rule's unit) the clock may still be extended: 0 when none."""
    return max(0, rule.max_extension - (clock.extended_by or 0))


def extend(
    session: TenantSession,
    case: Case,
    rule_name: str,
    amount: int,
    now: datetime,
    calendar: WorkCalendar,
    *,
    rules: Mapping[str, DeadlineRule],
) -> Deadline:
    """Extend an open clock by ``amount`` of its rule's unit (延期), within ``max_extension``.

    The extension is granted before the period runs out — a statute allows extending a period,
    not reviving a missed one — so a breached clock, or a running one already past due, is
    refused. Several extensions add up to at most the rule's ``max_extension``. ``due_at`` is
    recomputed from ``started_at`` with the pause credit and the whole extension, so a later
    calendar change or pause keeps the extension. Raises :class:`ClockError` (the caller turns
    it into a message naming the field).
    """
    require_aware(now)
    clock = _open_clock(session, case, rule_name)
    rule = rules.get(rule_name)
    if rule is None:
        raise UnknownDeadlineRule(f"deadline rule {rule_name!r} is not in the rules given")
    if clock.state == BREACHED or (clock.state == RUNNING and from_db(clock.due_at) < now):
        raise ClockError(f"case {case.code}: the {rule_name!r} deadline has already passed")
    left = extension_left(clock, rule)
    if isinstance(amount, bool) or not isinstance(amount, int) or not 1 <= amount <= left:
        raise ClockError(
            f"case {case.code}: the {rule_name!r} deadline may be extended by 1 to {left} "
            f"{rule.unit}, not {amount!r}"
        )
    clock.extended_by = (clock.extended_by or 0) + amount
    clock.due_at = to_db(
        compute_due(from_db(clock.started_at), rule, calendar,
                    paused_seconds=clock.paused_seconds or 0, extended_by=clock.extended_by)
    )
    clock.calendar_version = calendar.version
    session.flush()
    refresh_case(session, case, now)
    return clock


# --- recomputation after a calendar change -----------------------------------------------------


@dataclass(frozen=True)
class Recomputed:
    """What :func:`recompute` did: clocks restamped, clocks whose due moment moved, and rule
    names of stale clocks it could not recompute (not in the rules given; left stale)."""

    clocks: int = 0
    moved: int = 0
    unknown_rules: tuple[str, ...] = ()
    day_clocks: int = 0  # how many of ``clocks`` counted against ``limit``


def recompute(
    session: TenantSession,
    calendar: WorkCalendar,
    rules: Mapping[str, DeadlineRule],
    *,
    limit: int | None = None,
) -> Recomputed:
    """Recompute open clocks computed with another calendar version (running and paused).

    Hour and minute clocks do not depend on the calendar: one UPDATE restamps their version.
    Day clocks are read in id order, their due moments computed once per (rule, start day,
    credit) and written back with one executemany UPDATE; the cases whose clocks moved get
    their ``due_at`` refreshed with one set-based UPDATE. Breached clocks are left alone: a
    missed deadline that was already notified stays missed. ``limit`` caps the day clocks
    handled in this call (the sweep uses it to keep transactions short). Runs in the caller's
    transaction.
    """
    tenant_id = session.tenant_id
    if tenant_id is None:
        raise ValueError("recompute needs a tenant-bound session")
    version = calendar.version
    stale = (
        Deadline.tenant_id == tenant_id,
        Deadline.state.in_((RUNNING, PAUSED)),
        Deadline.calendar_version != version,
    )
    # One probe (no index covers calendar_version, so it reads the tenant's open clocks once):
    # in the usual case nothing is stale and nothing else runs.
    stale_rules = set(session.scalars(select(Deadline.rule).distinct().where(*stale)))
    if not stale_rules:
        return Recomputed()
    unknown = tuple(sorted(stale_rules - set(rules)))
    elapsed = sorted(n for n in stale_rules & set(rules) if rules[n].unit not in DAY_UNITS)
    restamped = 0
    if elapsed:
        restamped = session.execute(
            update(Deadline).where(*stale, Deadline.rule.in_(elapsed)).values(
                calendar_version=version
            ),
            execution_options={"synchronize_session": False},
        ).rowcount or 0
    day_rules = sorted(n for n in stale_rules & set(rules) if rules[n].unit in DAY_UNITS)
    if not day_rules:
        return Recomputed(restamped, 0, unknown, 0)
    query = (
        select(Deadline.id, Deadline.case_id, Deadline.rule, Deadline.started_at,
               Deadline.paused_seconds, Deadline.extended_by, Deadline.due_at)
        .where(*stale, Deadline.rule.in_(day_rules))
        .order_by(Deadline.id)
    )
    if limit is not None:
        query = query.limit(limit)
    rows = session.execute(query).all()
    memo: dict[tuple[str, Any, int, int], datetime] = {}
    updates, moved_cases, moved = [], set(), 0
    for clock_id, case_id, name, started_at, paused, extended, old_due in rows:
        start = from_db(started_at)
        # Clocks of one rule started on the same local day share their due moment: compute once.
        key = (name, calendar.local_date(start), paused or 0, extended or 0)
        due = memo.get(key)
        if due is None:
            due = memo[key] = to_db(
                compute_due(start, rules[name], calendar, paused_seconds=paused or 0,
                            extended_by=extended or 0)
            )
        updates.append({"id": clock_id, "due_at": due, "calendar_version": version})
        if due != from_db(old_due):
            moved += 1
            moved_cases.add(case_id)
    if updates:
        session.execute(update(Deadline), updates)
    if moved_cases:
        _refresh_due_set_based(session, tenant_id, sorted(moved_cases))
    return Recomputed(restamped + len(updates), moved, unknown, len(updates))


def _refresh_due_set_based(session: TenantSession, tenant_id: int, case_ids: list[int]) -> None:
    earliest = (
        select(func.min(Deadline.due_at))
        .where(Deadline.tenant_id == tenant_id, Deadline.case_id == Case.id,
               Deadline.state.in_(DUE_CLOCK_STATES))
        .correlate(Case)
        .scalar_subquery()
    )
    session.execute(
        update(Case)
        .where(Case.tenant_id == tenant_id, id_in(session, Case.id, case_ids))
        # changed_at as the ORM would stamp it: every write of a case row says when.
        .values(due_at=earliest, changed_at=utcnow()),
        execution_options={"synchronize_session": False},
    )
    # Loaded cases of this session would otherwise keep their old due_at.
    moved = set(case_ids)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Case) and obj.id in moved:
            session.expire(obj, ["due_at", "changed_at"])


def id_in(session: TenantSession, column: Any, ids: Sequence[int]) -> Any:
    """``column IN ids`` as ONE bound parameter, however many ids.

    An expanded ``IN (?, ?, …)`` of thousands of ids costs more to build and parse than the
    UPDATE it filters: PostgreSQL gets an integer array, SQLite a JSON array read by json_each.
    """
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam("ids", list(ids), type_=ARRAY(Integer), unique=True))
    values = func.json_each(bindparam("ids", json.dumps(list(ids)), unique=True))
    return column.in_(select(values.table_valued("value").c.value))
