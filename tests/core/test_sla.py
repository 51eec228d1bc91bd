"""Deadline clocks: rules, due moments, events, pauses and recomputation (the periodic sweep
is tests/core/test_sweep.py).

Dates are 2026 (see tests/core/test_calendar.py for the holiday facts): Mid-Autumn 25–27
September and National Day 1–7 October are holidays, Sunday 20 September and Saturday
10 October adjusted working days. Moments are Shanghai wall-clock time unless said otherwise.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from core import sla
from core.calendar import WorkCalendar
from core.db import Database
from core.escalation import DEFAULT_LADDER, ladder_from_config
from core.models import (
    Case,
    Deadline,
    TierNode,
)
from tests.factories import make_tenant

SH = ZoneInfo("Asia/Shanghai")
RULES = sla.DEFAULT_RULES
CALENDAR = WorkCalendar()


def at(text: str) -> datetime:
    """A Shanghai wall-clock moment."""
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def utc(moment: datetime | None) -> datetime | None:
    """A stored timestamp made comparable (SQLite returns naive UTC)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def new_case(session, *, risk: str = "blue", status: str = "registered") -> Case:
    """A bare case row on the deepest node of the tenant's tree."""
    node = session.scalar(select(TierNode.id).order_by(TierNode.depth.desc()).limit(1))
    case = Case(code=f"T-{uuid.uuid4().hex[:10]}", case_type="consumer_complaint",
                category="consumer", channel="walk_in", title="退货纠纷", location_node_id=node,
                node_id=node, status=status, registered_by="test", risk=risk)
    session.add(case)
    session.flush()
    return case


def clocks(session, case_id: int) -> dict[str, Deadline]:
    """The case's clocks by rule (the latest of each rule)."""
    rows = session.scalars(select(Deadline).where(Deadline.case_id == case_id)
                           .order_by(Deadline.id))
    return {row.rule: row for row in rows}


# --- rules ---------------------------------------------------------------------------------------


def test_default_rules_follow_the_design_table_with_sources():
    expected = {
        "petition_register": (15, "days"), "petition_handle": (60, "days"),
        "judicial_confirmation_apply": (30, "days"), "court_delegated_mediation": (30, "days"),
        "labor_mediation": (15, "days"), "labor_arbitration_accept": (5, "days"),
        "labor_arbitration_award": (45, "days"), "consumer_accept": (7, "working_days"),
        "consumer_mediation": (45, "working_days"), "tourism_accept": (5, "working_days"),
        "tourism_mediation": (60, "days"), "banking_complaint": (15, "days"),
        "medical_mediation": (30, "working_days"), "hotline_accept": (1, "working_days"),
        "hotline_accept_danger": (15, "minutes"), "hotline_accept_utilities": (30, "minutes"),
        "general_accept": (1, "working_days"), "general_mediation": (30, "days"),
    }
    assert {name: (r.amount, r.unit) for name, r in RULES.items()} == expected
    assert all(rule.source for rule in RULES.values())
    assert "Art. 22" in RULES["petition_register"].source
    assert "Art. 34" in RULES["petition_handle"].source
    assert "Art. 33" in RULES["judicial_confirmation_apply"].source
    assert "Art. 27" in RULES["court_delegated_mediation"].source
    assert "Art. 14" in RULES["labor_mediation"].source
    assert "Art. 29" in RULES["labor_arbitration_accept"].source
    assert "Art. 43" in RULES["labor_arbitration_award"].source
    assert "Art. 14" in RULES["consumer_accept"].source
    assert "Art. 21" in RULES["consumer_mediation"].source
    assert "Art. 38" in RULES["medical_mediation"].source
    assert "tenant practice" in RULES["general_accept"].source
    assert "local practice" in RULES["general_mediation"].source
    for name, rule in RULES.items():
        if name.endswith("_accept") or name.startswith("hotline_accept"):
            assert rule.starts_on == "registered" and "accepted" in rule.stops_on, name
        assert "escalated" not in rule.stops_on, name  # climbing a tier never resets the law


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"name": "Labor"}, "name must match"),
        ({"name": "x" * 65}, "name must match"),
        ({"amount": 0}, "amount must be an integer"),
        ({"amount": True}, "amount must be an integer"),
        ({"unit": "weeks"}, "unit must be one of"),
        ({"starts_on": "filed"}, "starts_on: unknown case status 'filed'"),
        ({"stops_on": frozenset({"accepted", "done"})}, "stops_on: unknown case status 'done'"),
        ({"stops_on": "accepted"}, "stops_on must be a set"),
        ({"stops_on": frozenset()}, "at least one"),
        ({"max_extension": -1}, "max_extension must be an integer ≥ 0"),
        ({"max_extension": 1.5}, "max_extension must be an integer ≥ 0"),
    ],
)
def test_bad_rules_are_refused_naming_the_field(kwargs, words):
    fields = {"name": "x", "amount": 1, "unit": "days", "starts_on": "registered",
              "stops_on": frozenset({"accepted"})} | kwargs
    with pytest.raises(sla.DeadlineRuleError, match=words):
        sla.DeadlineRule(**fields)


def test_tenant_overrides_apply_by_name():
    rules = sla.rules_with_overrides(RULES, {
        "consumer_accept": {"days": 10, "working_days": True},
        "labor_mediation": {"days": 20, "working_days": False},
        "medical_mediation": {"days": 25},  # no working_days key: keeps its kind
        "hotline_accept_danger": {"days": 1},  # a minutes rule becomes a calendar-day one
        "maritime_salvage": {"days": 3},  # a rule of a plugin this tenant has not enabled
    })
    assert (rules["consumer_accept"].amount, rules["consumer_accept"].unit) == (10, "working_days")
    assert (rules["labor_mediation"].amount, rules["labor_mediation"].unit) == (20, "days")
    assert rules["medical_mediation"].unit == "working_days"
    assert rules["hotline_accept_danger"].unit == "days"
    assert rules["consumer_accept"].stops_on == RULES["consumer_accept"].stops_on
    assert "maritime_salvage" not in rules
    assert RULES["consumer_accept"].amount == 7  # the defaults are not mutated
    assert sla.unknown_overrides(RULES, {"maritime_salvage": {"days": 3}}) == ["maritime_salvage"]


@pytest.mark.parametrize(
    ("override", "words"),
    [
        ({"days": 0}, "deadlines.labor_mediation.days: must be an integer"),
        ({"days": "15"}, "deadlines.labor_mediation.days"),
        ({"days": 15, "working_days": "yes"}, "deadlines.labor_mediation.working_days"),
        ({"days": 15, "hours": 2}, "deadlines.labor_mediation.hours: unknown key"),
        (15, "deadlines.labor_mediation: must be a table"),
    ],
)
def test_bad_overrides_name_the_field(override, words):
    with pytest.raises(sla.DeadlineRuleError, match=words):
        sla.rules_with_overrides(RULES, {"labor_mediation": override})


def test_tenant_rules_add_ladder_rungs_plugins_and_overrides():
    class Tenant_:
        config = {"escalation": {"ladder": [{"level": "village", "deadline_days": 3},
                                            {"level": "town", "deadline_days": 9}]},
                  "deadlines": {"rung_1": {"days": 12, "working_days": False}}}

    plugin = sla.DeadlineRule("maritime_salvage", 3, "days", "accepted", sla.HANDLE_STOPS)
    rules = sla.tenant_rules(Tenant_(), [plugin])
    assert rules["rung_0"].amount == 3 and rules["rung_1"].amount == 12
    assert "escalated" in rules["rung_0"].stops_on
    assert rules["maritime_salvage"] == plugin
    assert set(RULES) < set(rules)
    assert set(sla.rung_rules(DEFAULT_LADDER)) == {f"rung_{i}" for i in range(len(DEFAULT_LADDER))}


# --- due moments (pure) --------------------------------------------------------------------------


def rule(unit: str, amount: int, *, extend: bool = True) -> sla.DeadlineRule:
    return sla.DeadlineRule("t", amount, unit, "registered", frozenset({"accepted"}), extend)


def test_calendar_days_start_the_next_day_and_end_at_midnight():
    assert sla.compute_due(at("2026-11-02 10:00"), rule("days", 15), CALENDAR) == \
        at("2026-11-17 23:59:59")


def test_calendar_days_ending_on_a_holiday_extend_to_the_next_working_day():
    start = at("2026-09-16 10:00")  # +15 days = 1 October, National Day
    assert sla.compute_due(start, rule("days", 15), CALENDAR) == at("2026-10-08 23:59:59")
    assert sla.compute_due(start, rule("days", 15, extend=False), CALENDAR) == \
        at("2026-10-01 23:59:59")
    # An ordinary weekend extends too (Saturday 21 November → Monday 23 November)…
    assert sla.compute_due(at("2026-11-06 09:00"), rule("days", 15), CALENDAR) == \
        at("2026-11-23 23:59:59")
    # …but an adjusted working Saturday (10 October) is a working day: no extension.
    assert sla.compute_due(at("2026-09-25 09:00"), rule("days", 15), CALENDAR) == \
        at("2026-10-10 23:59:59")


def test_working_days_across_national_day():
    # 9-29, 9-30, (1–7 Oct off), 10-08, 10-09, 10-10 (调休 Saturday), 10-12, 10-13
    assert sla.compute_due(at("2026-09-28 10:00"), RULES["consumer_accept"], CALENDAR) == \
        at("2026-10-13 23:59:59")
    assert sla.compute_due(at("2026-09-30 09:00"), RULES["consumer_mediation"], CALENDAR) == \
        at("2026-12-08 23:59:59")


def test_working_days_started_on_a_holiday_or_after_hours():
    assert sla.compute_due(at("2026-10-03 15:00"), RULES["hotline_accept"], CALENDAR) == \
        at("2026-10-08 23:59:59")
    assert sla.compute_due(at("2026-11-13 22:00"), RULES["hotline_accept"], CALENDAR) == \
        at("2026-11-16 23:59:59")


def test_hours_and_minutes_are_plain_elapsed_time():
    assert sla.compute_due(at("2026-09-30 23:30"), rule("hours", 2), CALENDAR) == \
        at("2026-10-01 01:30")
    assert sla.compute_due(at("2026-10-01 03:00"), RULES["hotline_accept_danger"], CALENDAR) \
        == at("2026-10-01 03:15")


def test_the_start_day_is_the_tenants_local_day():
    start = datetime(2026, 9, 27, 20, 0, tzinfo=UTC)  # 28 September 04:00 in Shanghai
    due = sla.compute_due(start, RULES["consumer_accept"], CALENDAR)
    assert due == at("2026-10-13 23:59:59") and due.tzinfo == SH
    with pytest.raises(ValueError, match="timezone-aware"):
        sla.compute_due(datetime(2026, 9, 28, 10), RULES["consumer_accept"], CALENDAR)


def test_paused_credit_is_counted_on_the_rules_own_scale():
    working = RULES["consumer_accept"]
    assert sla.paused_credit(working, at("2026-11-03 10:00"), at("2026-11-06 10:00"),
                             CALENDAR) == 3 * 86_400
    # 9-30 and 10-08 are the working days lost across the holiday.
    assert sla.paused_credit(working, at("2026-09-30 10:00"), at("2026-10-09 10:00"),
                             CALENDAR) == 2 * 86_400
    assert sla.paused_credit(rule("days", 15), at("2026-11-03 15:00"), at("2026-11-05 09:00"),
                             CALENDAR) == 2 * 86_400
    assert sla.paused_credit(rule("minutes", 30), at("2026-11-03 10:10"),
                             at("2026-11-03 10:25"), CALENDAR) == 900
    assert sla.compute_due(at("2026-11-02 10:00"), working, CALENDAR,
                           paused_seconds=3 * 86_400) == at("2026-11-16 23:59:59")


# --- clocks on a case ----------------------------------------------------------------------------


def test_on_event_starts_and_stops_clocks(database: Database):
    tenant_id = make_tenant(database, "alpha")
    names = ("consumer_accept", "consumer_mediation")
    with database.transaction(tenant_id) as session:
        case = new_case(session)
        sla.on_event(session, case, "registered", at("2026-09-28 10:00"), CALENDAR, RULES, names)
        case_id = case.id
    with database.transaction(tenant_id) as session:
        case = session.get(Case, case_id)
        running = clocks(session, case_id)
        assert set(running) == {"consumer_accept"}
        accept = running["consumer_accept"]
        assert accept.state == "running" and accept.calendar_version == CALENDAR.version
        assert utc(accept.due_at) == at("2026-10-13 23:59:59")
        assert utc(case.due_at) == at("2026-10-13 23:59:59") and not case.overdue

        sla.on_event(session, case, "accepted", at("2026-09-30 09:00"), CALENDAR, RULES, names)
    with database.transaction(tenant_id) as session:
        case = session.get(Case, case_id)
        now = clocks(session, case_id)
        assert now["consumer_accept"].state == "met"
        assert utc(now["consumer_accept"].met_at) == at("2026-09-30 09:00")
        assert utc(now["consumer_mediation"].due_at) == at("2026-12-08 23:59:59")
        assert utc(case.due_at) == at("2026-12-08 23:59:59")
        # Returned by a department (退单) and accepted again: the statutory clock keeps running.
        sla.on_event(session, case, "accepted", at("2026-10-09 09:00"), CALENDAR, RULES, names)
        assert session.scalar(select(func.count()).select_from(Deadline).where(
            Deadline.case_id == case_id, Deadline.rule == "consumer_mediation")) == 1
        sla.on_event(session, case, "withdrawn", at("2026-10-12 09:00"), CALENDAR, RULES, names)
    with database.transaction(tenant_id) as session:
        case = session.get(Case, case_id)
        assert clocks(session, case_id)["consumer_mediation"].state == "stopped"
        assert case.due_at is None and not case.overdue


def test_a_clock_stopped_after_its_due_moment_is_late_and_the_case_overdue(database):
    tenant_id = make_tenant(database, "alpha")
    names = ("consumer_accept",)
    with database.transaction(tenant_id) as session:
        case = new_case(session)
        sla.on_event(session, case, "registered", at("2026-09-28 10:00"), CALENDAR, RULES, names)
        # An event that stops nothing, after the due moment: the case is overdue already,
        # before any sweep ran.
        sla.on_event(session, case, "in_mediation", at("2026-10-14 09:00"), CALENDAR, RULES,
                     names)
        assert case.overdue
        sla.on_event(session, case, "accepted", at("2026-10-14 10:00"), CALENDAR, RULES, names)
        assert clocks(session, case.id)["consumer_accept"].state == "late"
        assert not case.overdue and case.due_at is None


def test_on_event_refuses_a_rule_it_does_not_know(database):
    tenant_id = make_tenant(database, "alpha")
    with database.transaction(tenant_id) as session:
        case = new_case(session)
        with pytest.raises(sla.UnknownDeadlineRule, match="maritime_salvage"):
            sla.on_event(session, case, "registered", at("2026-09-28 10:00"), CALENDAR, RULES,
                         ("consumer_accept", "maritime_salvage"))


def test_escalation_starts_the_next_rung_clock_and_stops_the_previous(database):
    tenant_id = make_tenant(database, "alpha")
    names = ("general_accept", "general_mediation")
    rung = sla.rung_rules(DEFAULT_LADDER)
    with database.transaction(tenant_id) as session:
        case = new_case(session)
        sla.on_event(session, case, "registered", at("2026-11-02 09:00"), CALENDAR, RULES, names)
        sla.on_event(session, case, "accepted", at("2026-11-02 10:00"), CALENDAR, RULES, names)
        sla.start_clock(session, case, rung["rung_0"], at("2026-11-02 11:00"), CALENDAR)
        sla.on_event(session, case, "assigned", at("2026-11-02 11:00"), CALENDAR, RULES, names)
        # What core.cases does on escalation: start the new rung's clock (an ad-hoc rule, not
        # in the rules passed), then report the event at the same moment.
        escalated = at("2026-11-05 16:00")
        sla.start_clock(session, case, sla.DeadlineRule(
            "rung_1", 15, "days", "escalated",
            frozenset({"resolved", "referred", "closed", "withdrawn", "escalated"})),
            escalated, CALENDAR)
        sla.on_event(session, case, "escalated", escalated, CALENDAR, RULES, names)
        states = {name: clock.state for name, clock in clocks(session, case.id).items()}
        assert states == {"general_accept": "met", "general_mediation": "running",
                          "rung_0": "met", "rung_1": "running"}
        assert utc(clocks(session, case.id)["rung_1"].due_at) == at("2026-11-20 23:59:59")
        assert utc(case.due_at) == at("2026-11-20 23:59:59")  # earlier than mediation (12-02)
        # A second rung_1 start restarts it instead of running two.
        sla.start_clock(session, case, rung["rung_1"], at("2026-11-06 09:00"), CALENDAR)
        assert session.scalar(select(func.count()).select_from(Deadline).where(
            Deadline.rule == "rung_1", Deadline.state == "running")) == 1


def test_pause_three_working_days_and_resume(database):
    tenant_id = make_tenant(database, "alpha")
    with database.transaction(tenant_id) as session:
        case = new_case(session)
        sla.on_event(session, case, "registered", at("2026-11-02 10:00"), CALENDAR, RULES,
                     ("consumer_accept",))
        assert utc(case.due_at) == at("2026-11-11 23:59:59")
        sla.pause(session, case, "consumer_accept", at("2026-11-03 10:00"))
        case_id = case.id
    with database.transaction(tenant_id) as session:
        case = session.get(Case, case_id)
        clock = clocks(session, case_id)["consumer_accept"]
        assert clock.state == "paused" and utc(clock.paused_at) == at("2026-11-03 10:00")
        assert case.due_at is None  # a paused clock has no due moment
        with pytest.raises(sla.ClockError, match="only a running deadline"):
            sla.pause(session, case, "consumer_accept", at("2026-11-04 10:00"))
        # Tuesday, Wednesday and Thursday were lost: due moves three working days out.
        sla.resume(session, case, "consumer_accept", at("2026-11-06 10:00"), CALENDAR,
                   rules=RULES)
    with database.transaction(tenant_id) as session:
        case = session.get(Case, case_id)
        clock = clocks(session, case_id)["consumer_accept"]
        assert clock.state == "running" and clock.paused_at is None
        assert clock.paused_seconds == 3 * 86_400
        assert utc(clock.due_at) == at("2026-11-16 23:59:59")
        assert utc(case.due_at) == at("2026-11-16 23:59:59")
        with pytest.raises(sla.ClockError, match="not paused"):
            sla.resume(session, case, "consumer_accept", at("2026-11-06 11:00"), CALENDAR,
                       rules=RULES)
        with pytest.raises(sla.ClockError, match="no open 'medical_mediation'"):
            sla.pause(session, case, "medical_mediation", at("2026-11-06 11:00"))


def test_pause_over_national_day_and_elapsed_pauses(database):
    tenant_id = make_tenant(database, "alpha")
    with database.transaction(tenant_id) as session:
        case = new_case(session)
        sla.on_event(session, case, "registered", at("2026-09-28 10:00"), CALENDAR, RULES,
                     ("consumer_accept", "hotline_accept_utilities"))
        sla.pause(session, case, "consumer_accept", at("2026-09-29 09:00"))
        sla.pause(session, case, "hotline_accept_utilities", at("2026-09-28 10:10"))
        sla.resume(session, case, "hotline_accept_utilities", at("2026-09-28 10:25"), CALENDAR,
                   rules=RULES)
        # 9-29, 9-30 and 10-08 lost; the holiday itself was never counted anyway.
        sla.resume(session, case, "consumer_accept", at("2026-10-09 09:00"), CALENDAR,
                   rules=RULES)
        found = clocks(session, case.id)
        assert utc(found["consumer_accept"].due_at) == at("2026-10-16 23:59:59")
        assert utc(found["hotline_accept_utilities"].due_at) == at("2026-09-28 10:45")
        assert found["hotline_accept_utilities"].paused_seconds == 900
        sla.pause(session, case, "consumer_accept", at("2026-10-09 10:00"))
        with pytest.raises(sla.UnknownDeadlineRule):
            sla.resume(session, case, "consumer_accept", at("2026-10-09 11:00"), CALENDAR,
                       rules={})


def test_a_calendar_change_recomputes_affected_clocks_exactly(database):
    tenant_id = make_tenant(database, "alpha")
    with database.transaction(tenant_id) as session:
        early, late, urgent, paused, orphan = (new_case(session) for _ in range(5))
        for case, start in ((early, "2026-09-28 10:00"), (late, "2026-11-02 10:00"),
                            (paused, "2026-09-28 10:00")):
            sla.on_event(session, case, "registered", at(start), CALENDAR, RULES,
                         ("consumer_accept",))
        sla.on_event(session, urgent, "registered", at("2026-09-28 10:00"), CALENDAR, RULES,
                     ("hotline_accept_danger",))
        sla.pause(session, paused, "consumer_accept", at("2026-09-29 09:00"))
        sla.resume(session, paused, "consumer_accept", at("2026-10-09 09:00"), CALENDAR,
                   rules=RULES)
        session.add(Deadline(case_id=orphan.id, rule="maritime_salvage",
                             started_at=at("2026-09-28 10:00").astimezone(UTC),
                             due_at=at("2026-10-01 10:00").astimezone(UTC),
                             calendar_version=CALENDAR.version))
        ids = {"early": early.id, "late": late.id, "urgent": urgent.id, "paused": paused.id,
               "orphan": orphan.id}
    assert utc(due_of(database, tenant_id, ids["paused"])) == at("2026-10-16 23:59:59")

    # The city declares Tuesday 13 October a local holiday.
    changed = WorkCalendar.from_config({"holidays": ["2026-10-13"]})
    with database.transaction(tenant_id) as session:
        done = sla.recompute(session, changed, RULES)
    assert (done.clocks, done.moved) == (4, 2)
    assert done.unknown_rules == ("maritime_salvage",)
    with database.transaction(tenant_id) as session:
        found = {name: clocks(session, case_id) for name, case_id in ids.items()}
        assert utc(found["early"]["consumer_accept"].due_at) == at("2026-10-14 23:59:59")
        # 3 working days of credit on top of 7: 9-29 … 10-12, 10-14, 10-15, 10-16, 10-19
        assert utc(found["paused"]["consumer_accept"].due_at) == at("2026-10-19 23:59:59")
        assert utc(found["late"]["consumer_accept"].due_at) == at("2026-11-11 23:59:59")
        assert utc(found["urgent"]["hotline_accept_danger"].due_at) == at("2026-09-28 10:15")
        assert {c.calendar_version for f in found.values() for c in f.values()} == {
            changed.version, CALENDAR.version}  # only the unknown rule's clock is left stale
        assert found["orphan"]["maritime_salvage"].calendar_version == CALENDAR.version
        cases = {name: session.get(Case, case_id) for name, case_id in ids.items()}
        assert utc(cases["early"].due_at) == at("2026-10-14 23:59:59")
        assert utc(cases["paused"].due_at) == at("2026-10-19 23:59:59")
        again = sla.recompute(session, changed, RULES)
    assert (again.clocks, again.moved) == (0, 0)


# --- extension with approval (延期) ------------------------------------------------------------

AWARD = RULES["labor_arbitration_award"]  # 45 days, +15 with the commission chair's approval


def test_an_extension_lengthens_the_period_and_still_moves_off_a_weekend():
    start = at("2026-09-01 10:00")
    assert AWARD.max_extension == 15
    assert sla.compute_due(start, AWARD, CALENDAR) == at("2026-10-16 23:59:59")
    # 60 days end on Saturday 31 October: the period ends on Monday 2 November.
    assert sla.compute_due(start, AWARD, CALENDAR, extended_by=15) == at("2026-11-02 23:59:59")


def test_extensions_add_up_to_the_rules_limit_and_survive_pause_and_recompute(database):
    tenant_id = make_tenant(database, "alpha")
    with database.transaction(tenant_id) as session:
        case = new_case(session, status="accepted")
        sla.on_event(session, case, "accepted", at("2026-09-01 10:00"), CALENDAR, RULES,
                     ("labor_arbitration_award",))
        clock = sla.extend(session, case, "labor_arbitration_award", 10, at("2026-09-20 10:00"),
                           CALENDAR, rules=RULES)
        assert (clock.extended_by, utc(clock.due_at)) == (10, at("2026-10-26 23:59:59"))
        assert utc(case.due_at) == at("2026-10-26 23:59:59")
        with pytest.raises(sla.ClockError, match="by 1 to 5 days, not 6"):
            sla.extend(session, case, "labor_arbitration_award", 6, at("2026-09-21 10:00"),
                       CALENDAR, rules=RULES)
        with pytest.raises(sla.ClockError, match="not 0"):
            sla.extend(session, case, "labor_arbitration_award", 0, at("2026-09-21 10:00"),
                       CALENDAR, rules=RULES)
        sla.extend(session, case, "labor_arbitration_award", 5, at("2026-09-21 10:00"),
                   CALENDAR, rules=RULES)
        assert utc(clock.due_at) == at("2026-11-02 23:59:59")
        # A pause of two days (22–23 September) adds to the extension, never replaces it.
        sla.pause(session, case, "labor_arbitration_award", at("2026-09-22 10:00"))
        sla.resume(session, case, "labor_arbitration_award", at("2026-09-24 10:00"), CALENDAR,
                   rules=RULES)
        assert utc(clock.due_at) == at("2026-11-02 23:59:59")  # 62 days: Monday 2 November
        case_id = case.id
    # The city declares Monday 2 November a local holiday: the period ends on the 3rd.
    changed = WorkCalendar.from_config({"holidays": ["2026-11-02"]})
    with database.transaction(tenant_id) as session:
        assert sla.recompute(session, changed, RULES).moved == 1
        clock = clocks(session, case_id)["labor_arbitration_award"]
        assert (clock.extended_by, utc(clock.due_at)) == (15, at("2026-11-03 23:59:59"))


def test_a_missed_period_cannot_be_extended(database):
    tenant_id = make_tenant(database, "alpha")
    with database.transaction(tenant_id) as session:
        case = new_case(session, status="accepted")
        sla.on_event(session, case, "accepted", at("2026-09-01 10:00"), CALENDAR, RULES,
                     ("labor_arbitration_award",))
        with pytest.raises(sla.ClockError, match="already passed"):
            sla.extend(session, case, "labor_arbitration_award", 5, at("2026-10-17 09:00"),
                       CALENDAR, rules=RULES)
        assert clocks(session, case.id)["labor_arbitration_award"].extended_by == 0


def due_of(database: Database, tenant_id: int, case_id: int) -> datetime:
    with database.transaction(tenant_id) as session:
        return session.get(Case, case_id).due_at


def test_every_core_rule_has_a_name_in_each_language():
    for rule in RULES.values():
        assert {"zh_Hans", "zh_Hant", "en"} <= set(rule.names), rule.name
    assert RULES["petition_register"].display_name("zh_Hans") == "信访登记受理期限"
    assert RULES["petition_register"].display_name("fr") == "信访登记受理期限"


def test_a_rung_clock_is_named_after_its_rung_or_else_its_tier_level_and_number():
    named = sla.rung_rules(DEFAULT_LADDER)
    assert named["rung_0"].display_name("zh_Hans") == "村（社区）调解员调解期限"
    assert named["rung_0"].display_name("en") == "Mediation deadline: Village mediator"

    ladder = ladder_from_config([{"level": "community"}, {"level": "community"}], "street")
    levels = {"community": {"zh_Hans": "村社区", "zh_Hant": "村社區", "en": "Community"},
              "street": {"zh_Hans": "镇街道", "en": "Town / street"}}
    rules = sla.rung_rules(ladder, levels)
    assert rules["rung_1"].display_name("zh_Hans") == "第2级（村社区）调解期限"
    assert rules["rung_1"].display_name("zh_Hant") == "第2級（村社區）調解期限"
    assert rules["rung_2"].display_name("en") == "Mediation deadline: rung 3 (Town / street)"
    assert rules["rung_2"].display_name("zh_Hant") == "第3級（镇街道）調解期限"
