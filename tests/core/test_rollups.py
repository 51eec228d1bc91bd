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
from sqlalchemy import select

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
from core.tenancy import TenantDirectory
from core.tiers import NodeRow
from core.workflow import Status
from tests.core.test_indicators import LEVELS, NOW, _with_settings, figures
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
        assert rollups.refresh_due(session, NOW + timedelta(minutes=29)) is False
        assert session.scalar(select(IndicatorRefresh.as_of)).replace(tzinfo=UTC) == NOW
    sweep_one(database, registry, row, NOW + timedelta(minutes=10))  # fresh: left alone
    with database.transaction(tenant_id) as session:
        assert session.scalar(select(IndicatorRefresh.as_of)).replace(tzinfo=UTC) == NOW
    sweep_one(database, registry, row, NOW + rollups.REFRESH_EVERY)
    with database.transaction(tenant_id) as session:
        assert session.scalar(select(IndicatorRefresh.as_of)).replace(tzinfo=UTC) == \
            NOW + rollups.REFRESH_EVERY
