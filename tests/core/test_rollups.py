"""The indicator rollup gives exactly the figures core.indicators computes live.

Two worlds: the ten story cases of tests/core/test_indicators.py (known fates, every
indicator), and a few hundred generated cases of random fates, nodes, categories, months and
child rows (attempts, evaluations, referrals, clocks, lead assignments) over three years and
a tree where some cases are handled outside the subtree they are located in. For every scope
and for month-aligned periods (and periods ending today), the rollup's report and each
breakdown equal the live ones; periods the rollup does not cover are computed live.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from core import indicators, rollups
from core.db import Database
from core.models import (
    Assignment,
    AuditEvent,
    Case,
    Deadline,
    Department,
    Evaluation,
    IndicatorRefresh,
    IndicatorRollup,
    MediationAttempt,
    Referral,
    TierNode,
)
from core.plugins import PluginRegistry
from core.sweep import sweep
from core.tenancy import TenantDirectory
from core.tiers import NodeRow, move_node
from core.workflow import Status
from tests.core.test_indicators import LEVELS, NOW, Story, _with_settings, figures
from tests.core.test_indicators import world as world  # noqa: F401 - the story fixture
from tests.factories import make_tenant

ZONE = ZoneInfo("Asia/Shanghai")
#: Breakdowns whose groups get no median from the rollup (the dashboard shows none).
NO_MEDIAN = {"category", "channel", "level", "tier", "department", "window"}


def local(year: int, month: int, day: int = 1) -> datetime:
    return datetime(year, month, day, tzinfo=ZONE).astimezone(UTC)


def same(session, tenant, node_path=None, start=None, end=None) -> rollups.Source:
    """Assert the rollup's figures equal the live ones for one subtree and period."""
    source = rollups.source(session, tenant, node_path=node_path, start=start, end=end)
    live = indicators.compute(session, tenant, node_path=node_path, start=start, end=end)
    assert figures(source.compute()) == figures(live), (node_path, start, end)
    assert source.compute()["median_hours_to_resolve"].value == \
        live["median_hours_to_resolve"].value
    for by in indicators.BREAKDOWNS:
        got = source.breakdown(by)
        want = indicators.breakdown(session, tenant, by, node_path=node_path, start=start,
                                    end=end)
        assert [g.key for g in got.groups] == [g.key for g in want.groups], (by, node_path)
        for mine, theirs in zip(got.groups, want.groups, strict=True):
            assert dict(mine.names) == dict(theirs.names), (by, mine.key)
            expected = figures(theirs)
            if by in NO_MEDIAN and not source.live:
                expected["median_hours_to_resolve"] = (None, expected[
                    "median_hours_to_resolve"][1])
                assert mine["median_hours_to_resolve"].value is None
            assert figures(mine) == expected, (by, mine.key, node_path, start, end)
    return source


def refresh(database: Database, tenant, now: datetime = NOW) -> rollups.RefreshResult:
    with database.transaction(tenant.id) as session:
        return rollups.refresh(session, tenant, now=now)


PATHS = (None, "/C/", "/C/D1/", "/C/D1/T1/", "/C/D1/T2/", "/C/D1/T1/V1/")


def test_the_story_has_the_same_figures_from_the_rollup(world) -> None:
    database, _, tenant, *_ = world
    result = refresh(database, tenant)
    assert result.cases == 12 and result.rows > 0
    tomorrow = local(2026, 11, 3)
    with database.transaction(tenant.id) as session:
        for path in PATHS:
            for start, end in ((None, None), (local(2026, 11), tomorrow),
                               (local(2026, 1), tomorrow), (local(2026, 1), local(2027, 1)),
                               (local(2025, 11), local(2025, 12))):
                source = same(session, tenant, path, start, end)
                assert not source.live, (path, start, end, source.reason)
                assert source.as_of == NOW


def test_periods_inside_months_and_unknown_paths_are_computed_live(world) -> None:
    database, _, tenant, *_ = world
    refresh(database, tenant)
    with database.transaction(tenant.id) as session:
        # The story's cases are registered at 10:00 on 2 November 2026, two a year earlier.
        inside = same(session, tenant, None, local(2026, 11, 2) + timedelta(hours=1),
                      local(2026, 11, 3))
        assert inside.live and inside.reason == "the period starts inside a month"
        ends = same(session, tenant, "/C/", local(2026, 1), local(2026, 11, 2) + timedelta(
            hours=1))
        assert ends.live and ends.reason == "the period ends inside a month"
        assert same(session, tenant, "/C/D9/").live


def test_no_rollup_or_other_settings_mean_live_figures(world, registry) -> None:
    database, _, tenant, *_ = world
    with database.transaction(tenant.id) as session:
        assert same(session, tenant).reason == "no rollup yet"
    refresh(database, tenant)
    strict = _with_settings(database, registry, tenant, satisfaction_counts="satisfied")
    with database.transaction(tenant.id) as session:
        source = same(session, strict)
        assert source.live and source.reason == "rollup built under other settings"


def test_a_refresh_replaces_the_rows_and_stays_idempotent(world) -> None:
    database, _, tenant, other, *_ = world
    first = refresh(database, tenant)
    second = refresh(database, tenant, NOW + timedelta(hours=1))
    assert second.rows == first.rows
    with database.transaction(tenant.id) as session:
        assert session.query(IndicatorRollup).count() == first.rows
        assert session.query(IndicatorRefresh).one().as_of.replace(tzinfo=UTC) == \
            NOW + timedelta(hours=1)


def test_another_tenant_never_sees_this_tenants_rollup(world) -> None:
    database, _, tenant, other, *_ = world
    refresh(database, tenant)
    with database.transaction(other.id) as session:
        assert session.query(IndicatorRollup).count() == 0
        assert rollups.source(session, other).reason == "no rollup yet"
    refresh(database, other)
    with database.transaction(other.id) as session:
        report = rollups.compute(session, other)
        assert report["intake"].value == 3 and report["satisfaction_rate"].value == 0.0
    with database.transaction(tenant.id) as session:
        assert rollups.compute(session, tenant)["intake"].value == 10


def test_a_session_of_another_tenant_is_refused(world) -> None:
    database, _, tenant, other, *_ = world
    with database.transaction(other.id) as session:
        with pytest.raises(indicators.TenantIsolationError):
            rollups.refresh(session, tenant)


# --- generated cases ---------------------------------------------------------------------------

TREE = [
    NodeRow("C", "city", "市"),
    NodeRow("D1", "county", "县一", parent="C"),
    NodeRow("T1", "town", "镇一", parent="D1"),
    NodeRow("V1", "village", "村一", parent="T1"),
    NodeRow("V2", "village", "村二", parent="T1"),
    NodeRow("T2", "town", "镇二", parent="D1"),
    NodeRow("V3", "village", "村三", parent="T2"),
    NodeRow("D2", "county", "县二", parent="C"),
    NodeRow("T3", "town", "镇三", parent="D2"),
]
STATUSES = [s.value for s in Status]


def generate(database: Database, tenant_id: int, seed: int, count: int) -> None:
    """``count`` cases of random fates over three years, with random child rows."""
    rng = random.Random(seed)
    with database.transaction(tenant_id) as session:
        departments = [Department(code=f"g{i}", names={"zh_Hans": f"部门{i}"}) for i in range(3)]
        session.add_all(departments)
        session.flush()
        nodes = list(session.query(TierNode).order_by(TierNode.path))
        by_id = {n.id: n for n in nodes}
        first = datetime(2024, 1, 1, tzinfo=UTC)
        span = int((NOW - first).total_seconds())
        for i in range(count):
            if i % 17 == 0:  # exactly at a local month boundary
                registered = local(rng.choice((2024, 2025, 2026)), rng.randint(1, 11))
            else:
                registered = first + timedelta(seconds=rng.randrange(span),
                                               microseconds=rng.randrange(10**6))
            location = rng.choice(nodes)
            if rng.random() < 0.7:  # handled at the location or a node above it
                ancestors = [n for n in nodes if location.path.startswith(n.path)]
                node = rng.choice(ancestors)
            else:  # handled somewhere else (transferred across the tree)
                node = rng.choice(nodes)
            resolved_at = (registered + timedelta(seconds=rng.choice(
                (3600 * rng.randint(1, 300), rng.randrange(1, 10**6)))) if rng.random() < 0.6
                else None)
            case = Case(
                code=f"G-{seed}-{i}", case_type="general_dispute",
                category=rng.choice(("neighbor", "contract", "labor", "other")),
                channel=rng.choice(("walk_in", "online", "hotline_12345")),
                title="纠纷", location_node_id=location.id, node_id=by_id[node.id].id,
                status=rng.choice(STATUSES), registered_by="gen", registered_at=registered,
                accepted_at=registered + timedelta(hours=1) if rng.random() < 0.75 else None,
                resolved_at=resolved_at, overdue=rng.random() < 0.2,
                escalations=rng.choice((0, 0, 1, 2)), reopened=rng.choice((0, 0, 0, 1)),
                dispatch_count=rng.choice((0, 1, 1, 2)),
                window_type=rng.choice(("", "general_intake", "labor")),
            )
            session.add(case)
            session.flush()
            at = registered + timedelta(hours=2)
            for _ in range(rng.choice((0, 0, 1, 2, 3))):
                session.add(MediationAttempt(
                    case_id=case.id, rung=0, node_id=node.id, held_at=at,
                    mediator=rng.choice(("王", "李", "张", "赵")),
                    result=rng.choice(("succeeded", "failed", "failed"))))
            for _ in range(rng.choice((0, 0, 1, 2))):
                session.add(Evaluation(
                    case_id=case.id, channel="callback", recorded_by="gen", evaluated_at=at,
                    rating=rng.choice(("satisfied", "basically_satisfied", "unsatisfied",
                                       "unreachable"))))
            for _ in range(rng.choice((0, 0, 1, 2))):
                session.add(Referral(
                    case_id=case.id, route=rng.choice(("litigation", "litigation",
                                                       "arbitration", "petition")),
                    referred_at=at + timedelta(hours=rng.randint(0, 500))))
            for _ in range(rng.choice((0, 1, 2))):
                session.add(Deadline(
                    case_id=case.id, rule="general_mediation", started_at=registered,
                    due_at=registered + timedelta(days=30),
                    state=rng.choice(("running", "met", "late", "breached"))))
            for k in range(rng.choice((0, 1, 2))):
                session.add(Assignment(
                    case_id=case.id, department_id=rng.choice(departments).id, node_id=node.id,
                    role=rng.choice(("lead", "lead", "assist")), assigned_by="gen",
                    assigned_at=at + timedelta(minutes=k)))


@pytest.mark.parametrize("seed", [1, 2])
def test_generated_cases_have_the_same_figures_from_the_rollup(database: Database,
                                                              registry: PluginRegistry,
                                                              seed: int) -> None:
    tenant_id = make_tenant(database, f"gen{seed}", levels=LEVELS, nodes=TREE)
    make_tenant(database, "noise", levels=LEVELS, nodes=TREE)
    generate(database, tenant_id, seed, 300)
    tenant = TenantDirectory(database, registry).get(f"gen{seed}")
    refresh(database, tenant)
    rng = random.Random(seed)
    today = NOW.astimezone(ZONE).date()
    tomorrow = local(today.year, today.month, today.day) + timedelta(days=1)
    periods = [(None, None), (local(2026, 1), tomorrow), (local(2026, 11), tomorrow),
               (local(2025, 12), tomorrow), (None, local(2025, 7)), (local(2024, 3), None)]
    periods += [(local(y, m), local(y + (m + n - 1) // 12, (m + n - 1) % 12 + 1))
                for y, m, n in ((rng.choice((2024, 2025)), rng.randint(1, 12),
                                 rng.randint(1, 14)) for _ in range(2))]
    with database.transaction(tenant.id) as session:
        for path in (None, "/C/D1/", "/C/D1/T1/V2/", "/C/D2/T3/"):
            for start, end in periods:
                assert not same(session, tenant, path, start, end).live


# --- incremental refresh ------------------------------------------------------------------------

H = timedelta(hours=1)


def rollup_rows(database: Database, tenant_id: int) -> list[tuple]:
    """Every rollup row of the tenant but its id, sorted (hours summed to the microsecond)."""
    with database.transaction(tenant_id) as session:
        return rollups.comparable_rows(session)


def rows_with_ids(database: Database, tenant_id: int) -> list[tuple]:
    """Every rollup row of the tenant as stored, id included, and its stamp."""
    r = IndicatorRollup
    with database.transaction(tenant_id) as session:
        rows = [tuple(row) for row in session.execute(
            select(*(getattr(r, c.name) for c in r.__table__.columns)).order_by(r.id))]
        stamp = session.execute(select(IndicatorRefresh.as_of, IndicatorRefresh.scanned_at,
                                       IndicatorRefresh.rows)).one()
    return [*rows, tuple(stamp)]


def settle(database: Database, tenant_id: int) -> datetime:
    """Date every case's last change a day before the latest refresh began reading.

    In production only the last minutes' changes fall inside the overlap; here the whole
    world was written a moment ago. Returns the refresh's ``scanned_at``.
    """
    with database.transaction(tenant_id) as session:
        scanned = rollups._aware(session.scalar(select(IndicatorRefresh.scanned_at)))
        session.execute(update(Case).values(changed_at=scanned - timedelta(days=1)),
                        execution_options={"synchronize_session": False})
    return scanned


def changed(database: Database, tenant_id: int, code: str, moment: datetime) -> None:
    with database.transaction(tenant_id) as session:
        session.execute(update(Case).where(Case.code == code).values(changed_at=moment),
                        execution_options={"synchronize_session": False})


def full_rows(database: Database, tenant) -> list[tuple]:
    """The rows a full rebuild gives now."""
    with database.transaction(tenant.id) as session:
        assert rollups.refresh(session, tenant, now=NOW, full=True).reason == "asked"
    return rollup_rows(database, tenant.id)


def months_world(world, *, swept_at: datetime = NOW) -> tuple:
    """The story plus a case resolved in September and one in October 2026 (tenant time);
    clocks due before ``swept_at`` already breached; a full refresh; every change settled."""
    database, _, tenant, other, codes, _ = world
    story = Story(database, tenant)
    for month in (9, 10):
        at = local(2026, month, 8)
        codes[f"M{month}"] = code = story.register(at=at)
        story.to_mediation(code, at + H)
        story.attempt(code, "succeeded", at + 2 * H)
        story.move(code, "resolve", at + 3 * H, outcome="和解")
        story.move(code, "close", at + 4 * H)
    sweep(database, tenant.id, swept_at)
    first = refresh(database, tenant)
    assert (first.mode, first.reason) == ("full", "no rollup yet")
    assert first.months == ("2025-11", "2026-09", "2026-10", "2026-11")
    settle(database, tenant.id)
    return database, tenant, other, codes, story


def test_an_incremental_refresh_rebuilds_the_months_of_changed_cases(world) -> None:
    database, tenant, _, codes, story = months_world(world)
    before = rollup_rows(database, tenant.id)
    # Changes of November 2026 cases, each alone: a transition, an evaluation, a mediation
    # attempt, the sweep marking a case overdue (J's acceptance clock runs out), a new intake.
    changes = {
        "transition": lambda: story.move(codes["G"], "close", NOW + 60 * H),
        "evaluation": lambda: story.evaluate(codes["H"], "satisfied", NOW + 130 * H),
        "attempt": lambda: story.attempt(codes["C"], "failed", NOW + 9 * H),
        "sweep": lambda: sweep(database, tenant.id, NOW + timedelta(days=5)),
        "intake": lambda: story.register(at=NOW + 48 * H),
    }
    for step, (name, change) in enumerate(changes.items()):
        settle(database, tenant.id)
        result = change()
        if name == "sweep":
            assert result.counts["overdue_cases"] == 1
        result = refresh(database, tenant, NOW + step * H)
        assert (result.mode, result.months, result.reason) == ("incremental", ("2026-11",),
                                                               ""), name
        after = rollup_rows(database, tenant.id)
        assert result.rows == len(after), name
        assert after == full_rows(database, tenant), name
    assert after != before
    with database.transaction(tenant.id) as session:
        events = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "indicators.refreshed").order_by(AuditEvent.id)).all()
        assert [e.data["mode"] for e in events] == ["full", *["incremental", "full"] * 5]
        assert events[1].data["months"] == ["2026-11"] and "reason" not in events[1].data
        assert events[2].data["reason"] == "asked"
        assert not same(session, tenant).live


def refresh_events(database, tenant_id) -> int:
    with database.transaction(tenant_id) as session:
        return session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "indicators.refreshed"))


def test_a_new_month_or_no_change_rebuilds_that_month_or_none(world) -> None:
    database, tenant, _, _, story = months_world(world)
    before = rows_with_ids(database, tenant.id)
    events = refresh_events(database, tenant.id)
    quiet = refresh(database, tenant, NOW + H)
    assert (quiet.mode, quiet.months) == ("incremental", ())
    assert rows_with_ids(database, tenant.id)[:-1] == before[:-1]  # not even rewritten
    assert refresh_events(database, tenant.id) == events  # no empty entry in the audit chain
    with database.transaction(tenant.id) as session:
        assert session.scalar(select(IndicatorRefresh.as_of)) is not None
        assert not same(session, tenant).live and same(session, tenant).as_of == NOW + H
    story.register(at=local(2026, 12, 3))
    result = refresh(database, tenant, NOW + 2 * H)
    assert (result.mode, result.months) == ("incremental", ("2026-12",))
    assert rollup_rows(database, tenant.id) == full_rows(database, tenant)


def test_the_overlap_catches_a_change_stamped_just_before_the_previous_scan(world) -> None:
    database, tenant, _, codes, _ = months_world(world)
    with database.transaction(tenant.id) as session:
        scanned = rollups._aware(session.scalar(select(IndicatorRefresh.scanned_at)))
    # Committed after that refresh had read the cases, though stamped before it began:
    changed(database, tenant.id, codes["M9"], scanned - timedelta(minutes=5))
    # Older than the overlap: counted by that refresh already.
    changed(database, tenant.id, codes["M10"], scanned - rollups.OVERLAP - timedelta(minutes=1))
    result = refresh(database, tenant, NOW + H)
    assert (result.mode, result.months) == ("incremental", ("2026-09",))


def test_a_clock_missed_on_a_closed_overdue_case_is_rebuilt(world) -> None:
    """Closed late (按期办结) turns when a clock that outlived the closing is missed, though the
    case was overdue already and the sweep's overdue flag does not change."""
    database, tenant, _, codes, _ = months_world(world, swept_at=NOW + timedelta(days=2))
    due = NOW + timedelta(days=3)
    with database.transaction(tenant.id) as session:
        case = session.scalar(select(Case).where(Case.code == codes["M9"]))
        assert case.status == Status.CLOSED.value
        session.add(Deadline(case_id=case.id, rule="general_mediation",
                             started_at=case.closed_at, due_at=due, state="running"))
        case.overdue = True  # another of its clocks was missed before
    refresh(database, tenant, NOW + 2 * H)
    settle(database, tenant.id)
    before = rollup_rows(database, tenant.id)
    swept = sweep(database, tenant.id, due + H)
    assert swept.counts["breached"] == 1 and swept.counts["overdue_cases"] == 0
    result = refresh(database, tenant, NOW + 3 * H)
    assert (result.mode, result.months) == ("incremental", ("2026-09",))
    after = rollup_rows(database, tenant.id)
    assert after != before and after == full_rows(database, tenant)


def test_other_settings_or_another_tier_tree_force_a_full_rebuild(world, registry) -> None:
    database, tenant, _, _, _ = months_world(world)
    strict = _with_settings(database, registry, tenant, satisfaction_counts="satisfied")
    result = refresh(database, strict, NOW + H)
    assert (result.mode, result.reason) == ("full", "other settings")
    assert refresh(database, strict, NOW + 2 * H).mode == "incremental"
    with database.transaction(tenant.id) as session:
        village, town = (session.scalar(select(TierNode).where(TierNode.code == code))
                         for code in ("V1", "T2"))
        move_node(session, village, town)
    with database.transaction(tenant.id) as session:  # until the next refresh: live figures
        moved = same(session, strict, "/C/D1/T2/")
        assert moved.live and moved.reason == "the tier tree changed since the rollup was built"
    result = refresh(database, strict, NOW + 3 * H)
    assert (result.mode, result.reason) == ("full", "the tier tree changed")
    assert result.months == ("2025-11", "2026-09", "2026-10", "2026-11")
    with database.transaction(tenant.id) as session:
        assert not same(session, strict, "/C/D1/T2/").live
    assert refresh(database, strict, NOW + 4 * H).mode == "incremental"
    with database.transaction(tenant.id) as session:  # as migration 0014 leaves a stamp
        session.execute(update(IndicatorRefresh).values(tree=None, scanned_at=None))
    result = refresh(database, strict, NOW + 5 * H)
    assert (result.mode, result.reason) == ("full", "built before incremental refreshes")


def test_an_incremental_refresh_never_touches_another_tenants_rollup(world) -> None:
    database, tenant, other, codes, story = months_world(world)
    refresh(database, other)
    settle(database, other.id)
    theirs = rows_with_ids(database, other.id)
    # A change of the other tenant's makes no month of this tenant's dirty …
    with database.transaction(other.id) as session:
        code = session.scalar(select(Case.code).order_by(Case.id))
    Story(database, other).move(code, "archive", NOW + 6 * H)
    mine = refresh(database, tenant, NOW + H)
    assert (mine.mode, mine.months) == ("incremental", ())
    # … and rebuilding this tenant's months leaves every row of the other's where it was.
    story.move(codes["G"], "close", NOW + 60 * H)
    mine = refresh(database, tenant, NOW + 2 * H)
    assert (mine.mode, mine.months) == ("incremental", ("2026-11",))
    assert rows_with_ids(database, other.id) == theirs
    with database.transaction(other.id) as session:
        assert rollups.compute(session, other)["intake"].value == 3
    assert refresh(database, other, NOW + 3 * H).months == ("2026-11",)


# --- onedoor indicators refresh, and the sweep ----------------------------------------------


def test_the_refresh_command_rebuilds_each_tenant_and_refuses_unknown_ones(sqlite_url,
                                                                           registry) -> None:
    from click.testing import CliRunner  # noqa: PLC0415

    from core.cli import build_cli  # noqa: PLC0415

    database = Database(sqlite_url)
    generate(database, make_tenant(database, "alpha", levels=LEVELS, nodes=TREE), 3, 20)
    make_tenant(database, "beta", levels=LEVELS, nodes=TREE)
    env = {"ONEDOOR_DATABASE_URL": sqlite_url}
    result = CliRunner().invoke(build_cli(), ["indicators", "refresh"], env=env)
    assert result.exit_code == 0, result.output
    assert "alpha: 20 cases" in result.output and "beta: 0 cases" in result.output
    alpha = TenantDirectory(database, registry).get("alpha")
    with database.transaction(alpha.id) as session:
        assert not rollups.source(session, alpha).live
        event = session.scalar(select(AuditEvent).where(
            AuditEvent.action == "indicators.refreshed"))
        assert event.actor == "system:cli" and event.data["cases"] == 20
    again = CliRunner().invoke(build_cli(), ["indicators", "refresh", "--tenant", "alpha"],
                               env=env)
    assert again.exit_code == 0 and "alpha: 20 cases" in again.output, again.output
    assert "; incremental, " in again.output and "beta" not in again.output
    forced = CliRunner().invoke(build_cli(), ["indicators", "refresh", "--full"], env=env)
    assert "alpha: 20 cases" in forced.output and "full (asked)" in forced.output
    result = CliRunner().invoke(build_cli(), ["indicators", "refresh", "--tenant", "nowhere"],
                                env=env)
    assert result.exit_code == 2 and "--tenant" in result.output
    database.dispose()


def test_the_sweep_refreshes_a_missing_or_old_rollup_only(database: Database,
                                                          registry: PluginRegistry) -> None:
    from core.models import Tenant  # noqa: PLC0415
    from core.tasks import sweep_one  # noqa: PLC0415

    tenant_id = make_tenant(database, "swept", levels=LEVELS, nodes=TREE)
    generate(database, tenant_id, 4, 15)
    with database.transaction() as session:
        row = session.get(Tenant, tenant_id)
    sweep_one(database, registry, row, NOW)
    with database.transaction(tenant_id) as session:
        assert rollups.refresh_due(session, NOW + rollups.REFRESH_EVERY - timedelta(
            seconds=1)) is False
        assert session.scalar(select(IndicatorRefresh.as_of)).replace(tzinfo=UTC) == NOW
    sweep_one(database, registry, row, NOW + rollups.REFRESH_EVERY / 2)  # fresh: left alone
    with database.transaction(tenant_id) as session:
        assert session.scalar(select(IndicatorRefresh.as_of)).replace(tzinfo=UTC) == NOW
    sweep_one(database, registry, row, NOW + rollups.REFRESH_EVERY)
    with database.transaction(tenant_id) as session:
        assert session.scalar(select(IndicatorRefresh.as_of)).replace(tzinfo=UTC) == \
            NOW + rollups.REFRESH_EVERY
