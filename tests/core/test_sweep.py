"""The periodic deadline sweep: breached clocks, overdue cases, reminders and urges, batches,
tenants kept apart, recomputation after a calendar change, and ``onedoor sla sweep``.

Dates as in tests/core/test_sla.py (2026, with its holidays); moments are Shanghai time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from core import audit, sla
from core.calendar import CalendarConfigError
from core.cli.sla import command as sla_cli
from core.db import Database
from core.models import (
    Assignment,
    AuditEvent,
    Case,
    Deadline,
    Department,
    SupervisionNotice,
    Tenant,
)
from core.sweep import sweep
from tests.core.test_sla import CALENDAR, RULES, at, clocks, due_of, new_case, utc
from tests.factories import make_tenant

# --- the sweep -----------------------------------------------------------------------------------

NOW = at("2026-11-13 20:00")  # Friday evening, after hours
MONDAY = at("2026-11-16 08:30")


def sweep_world(database: Database, slug: str) -> tuple[int, dict[str, int]]:
    """A tenant with four clocks relative to NOW: missed, due soon, due later, missed+red."""
    tenant_id = make_tenant(database, slug)
    version = CALENDAR.version
    dues = {"missed": at("2026-11-12 23:59:59"), "soon": at("2026-11-14 10:00"),
            "later": at("2026-11-25 23:59:59"), "red": at("2026-11-13 12:00")}
    ids = {}
    with database.transaction(tenant_id) as session:
        for name, due in dues.items():
            case = new_case(session, risk="red" if name == "red" else "blue",
                            status="in_mediation")
            # Stored in UTC: SQLite's DateTime keeps the wall-clock time and drops the offset.
            due = due.astimezone(UTC)
            session.add(Deadline(case_id=case.id, rule="general_mediation",
                                 started_at=due - timedelta(days=30), due_at=due,
                                 calendar_version=version))
            case.due_at = due
            ids[name] = case.id
        # The missed case has a lead department (主办): its urge is addressed to it.
        court = session.scalar(select(Department.id).where(Department.code == "court"))
        session.add(Assignment(case_id=ids["missed"], department_id=court,
                               node_id=session.get(Case, ids["missed"]).node_id,
                               assigned_by="test", role="lead"))
    return tenant_id, ids


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_sweep_marks_reminds_and_urges_once(database):
    tenant_id, ids = sweep_world(database, "alpha")
    result = sweep(database, tenant_id, NOW)
    assert result.counts == {"recomputed": 0, "breached": 2, "overdue_cases": 2,
                             "reminders": 1, "urges": 2, "batches": 1}
    with database.transaction(tenant_id) as session:
        cases = {name: session.get(Case, case_id) for name, case_id in ids.items()}
        assert {n for n, c in cases.items() if c.overdue} == {"missed", "red"}
        state = {name: clocks(session, case_id)["general_mediation"]
                 for name, case_id in ids.items()}
        assert {n: c.state for n, c in state.items()} == {
            "missed": "breached", "soon": "running", "later": "running", "red": "breached"}
        assert utc(state["soon"].reminded_at) == NOW and state["soon"].urged_at is None
        assert utc(state["missed"].urged_at) == NOW and state["missed"].reminded_at is None
        assert state["later"].reminded_at is None and state["later"].urged_at is None
        notices = session.scalars(select(SupervisionNotice).order_by(SupervisionNotice.id)).all()
        by_case = {(n.case_id, n.kind): n for n in notices}
        assert len(notices) == 3 and set(by_case) == {
            (ids["soon"], "reminder"), (ids["missed"], "urge"), (ids["red"], "urge")}
        assert all(n.issued_by == "system:sweep" and n.deadline_id for n in notices)
        assert all(n.to_node_id == cases["missed"].node_id for n in notices)
        assert by_case[(ids["missed"], "urge")].to_department_id is not None
        assert by_case[(ids["red"], "urge")].to_department_id is None
        assert by_case[(ids["missed"], "urge")].body == "general_mediation"
        # After hours: held until Monday morning — except for the red-risk case.
        assert utc(by_case[(ids["soon"], "reminder")].deliver_after) == MONDAY
        assert utc(by_case[(ids["missed"], "urge")].deliver_after) == MONDAY
        assert utc(by_case[(ids["red"], "urge")].deliver_after) == NOW
        events = session.scalars(select(AuditEvent)).all()
        assert [(e.actor, e.action) for e in events] == [("system:sweep", "sla.swept")]
        assert events[0].data["breached"] == 2 and events[0].data["urges"] == 2
        assert sorted(events[0].data["case_ids"]) == sorted(
            [ids["missed"], ids["soon"], ids["red"]])
        assert audit.verify_chain(session).ok

    again = sweep(database, tenant_id, NOW)
    assert not again.changed
    assert again.counts == dict.fromkeys(
        ("recomputed", "breached", "overdue_cases", "reminders", "urges", "batches"), 0)
    with database.transaction(tenant_id) as session:
        assert count(session, SupervisionNotice) == 3
        assert count(session, AuditEvent) == 1

    # Saturday evening: the clock that was due soon is missed now; it is urged, not reminded
    # again, and delivery waits for Monday.
    later = sweep(database, tenant_id, NOW + timedelta(days=1))
    assert (later.counts["breached"], later.counts["urges"], later.counts["reminders"]) == (
        1, 1, 0)
    with database.transaction(tenant_id) as session:
        assert count(session, SupervisionNotice) == 4
        urge = session.scalar(select(SupervisionNotice).where(
            SupervisionNotice.case_id == ids["soon"], SupervisionNotice.kind == "urge"))
        assert utc(urge.deliver_after) == MONDAY
        assert audit.verify_chain(session).ok


def test_sweep_in_small_batches_gives_the_same_result(database):
    tenant_id, _ids = sweep_world(database, "alpha")
    result = sweep(database, tenant_id, NOW, batch_size=1)
    assert {k: v for k, v in result.counts.items() if k != "batches"} == {
        "recomputed": 0, "breached": 2, "overdue_cases": 2, "reminders": 1, "urges": 2}
    with database.transaction(tenant_id) as session:
        assert count(session, SupervisionNotice) == 3
        assert count(session, AuditEvent) == result.counts["batches"] >= 2
        assert audit.verify_chain(session).ok
    assert not sweep(database, tenant_id, NOW, batch_size=1).changed


def test_sweep_of_one_tenant_never_touches_another(database):
    a, _ = sweep_world(database, "alpha")
    b, b_ids = sweep_world(database, "beta")
    swept_a = sweep(database, a, NOW)
    assert swept_a.counts["breached"] == 2
    with database.transaction(b) as session:
        assert {d.state for d in session.scalars(select(Deadline))} == {"running"}
        assert not any(session.get(Case, case_id).overdue for case_id in b_ids.values())
        assert count(session, SupervisionNotice) == 0
        assert count(session, AuditEvent) == 0
    # B's own sweep finds all of its work still to do.
    assert sweep(database, b, NOW).counts == swept_a.counts


def test_sweep_recomputes_after_the_tenant_calendar_changes(database):
    tenant_id = make_tenant(database, "alpha")
    with database.transaction(tenant_id) as session:
        case = new_case(session)
        sla.on_event(session, case, "registered", at("2026-09-28 10:00"), CALENDAR, RULES,
                     ("consumer_accept",))
        case_id = case.id
    with database.transaction() as session:
        tenant = session.get(Tenant, tenant_id)
        tenant.config = {**tenant.config, "calendar": {"holidays": ["2026-10-13"],
                                                       "workdays": [],
                                                       "working_hours": ["08:30-17:30"]}}
    first = sweep(database, tenant_id, at("2026-10-09 12:00"))
    assert first.counts["recomputed"] == 1
    assert utc(due_of(database, tenant_id, case_id)) == at("2026-10-14 23:59:59")
    assert sweep(database, tenant_id, at("2026-10-09 12:00")).counts["recomputed"] == 0

    with database.transaction() as session:
        tenant = session.get(Tenant, tenant_id)
        tenant.config = {**tenant.config, "calendar": {"holidays": ["13 October"]}}
    with pytest.raises(CalendarConfigError, match=r"calendar.holidays\[0\]"):
        sweep(database, tenant_id, at("2026-10-09 12:00"))


def test_the_full_check_urges_a_breached_clock_left_without_its_urge(database):
    tenant_id = make_tenant(database, "alpha")
    with database.transaction(tenant_id) as session:
        case = new_case(session, status="in_mediation")
        # Breached by something other than the sweep (a data import, an older release).
        session.add(Deadline(case_id=case.id, rule="general_mediation", state="breached",
                             started_at=(NOW - timedelta(days=40)).astimezone(UTC),
                             due_at=(NOW - timedelta(days=10)).astimezone(UTC),
                             calendar_version=CALENDAR.version))
    first = sweep(database, tenant_id, NOW)
    assert (first.counts["breached"], first.counts["urges"]) == (0, 1)
    assert not sweep(database, tenant_id, NOW, full_check_every=timedelta(0)).changed


def test_the_full_check_runs_hourly_unless_the_calendar_changes(database):
    tenant_id = make_tenant(database, "alpha")
    assert not sweep(database, tenant_id, at("2026-09-28 12:00")).changed
    with database.transaction(tenant_id) as session:
        case = new_case(session)
        sla.on_event(session, case, "registered", at("2026-09-28 10:00"), CALENDAR, RULES,
                     ("consumer_accept",))
        clocks(session, case.id)["consumer_accept"].calendar_version = 1  # computed long ago
    # Checked a moment ago with this calendar: the scan of all open clocks is not repeated…
    assert sweep(database, tenant_id, at("2026-09-28 12:00")).counts["recomputed"] == 0
    # …until the hour is up (here: at once), or the tenant's calendar changes.
    forced = sweep(database, tenant_id, at("2026-09-28 12:00"),
                       full_check_every=timedelta(0))
    assert forced.counts["recomputed"] == 1


def test_sweep_refuses_naive_moments_and_bad_batch_sizes(database):
    tenant_id = make_tenant(database, "alpha")
    with pytest.raises(ValueError, match="timezone-aware"):
        sweep(database, tenant_id, datetime(2026, 11, 13, 20, 0))
    with pytest.raises(ValueError, match="batch_size"):
        sweep(database, tenant_id, NOW, batch_size=0)


# --- onedoor sla sweep ----------------------------------------------------------------------------


def test_cli_sweeps_every_tenant_and_names_bad_options(sqlite_url: str):
    database = Database(sqlite_url)
    try:
        sweep_world(database, "alpha")
        sweep_world(database, "beta")
    finally:
        database.dispose()
    runner = CliRunner()
    env = {"ONEDOOR_DATABASE_URL": sqlite_url}
    now = NOW.isoformat()
    result = runner.invoke(sla_cli, ["sweep", "--now", now], env=env)
    assert result.exit_code == 0, result.output
    assert "alpha: breached 2, overdue cases 2, reminders 1, urges 2" in result.output
    assert "beta: breached 2" in result.output
    result = runner.invoke(sla_cli, ["sweep", "--now", now, "--tenant", "alpha"], env=env)
    assert result.exit_code == 0 and "alpha: breached 0" in result.output
    assert "beta" not in result.output

    for args, words in ((["--tenant", "gamma"], "--tenant: no tenant 'gamma'"),
                        (["--now", "2026-11-13T20:00"], "--now: give a UTC offset"),
                        (["--now", "Friday"], "--now: expected ISO 8601"),
                        (["--batch-size", "0"], "--batch-size")):
        result = runner.invoke(sla_cli, ["sweep", *args], env=env)
        assert result.exit_code == 2, (args, result.output)
        assert words in result.stderr
