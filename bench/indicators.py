"""Indicators over a large tenant: core.indicators against the same aggregates written by hand.

Fills one tenant with N cases (default 1,000,000) of every fate — resolved and archived,
closed, referred to litigation, reopened, in mediation, not accepted, withdrawn, merged —
registered over two years, with their mediation attempts, evaluations, referrals, deadline
clocks and lead assignments, on a tree of 1 city / 5 counties / 50 towns / 500 villages.
Rows are bulk-generated inside the database as the table owner (a recursive CTE on SQLite,
``generate_series`` on PostgreSQL; child rows by ``INSERT … SELECT`` from the cases), then
ANALYZEd.

Scenarios, each timed as the service call (``compute()`` / ``breakdown()`` through a
tenant-bound :class:`core.db.Database` session, as the application role under row-level
security on PostgreSQL) against the hand-written SQL aggregates it needs (text SQL on a plain
connection of the same role, with ``app.tenant_id`` set), the two alternating over R rounds:

* ``compute``           every indicator, the whole tenant, no period
* ``compute period``    the last twelve months (so year on year is computed too)
* ``compute county``    the same period, restricted to one county's subtree
* ``by category``       ``breakdown("category")`` over the period
* ``by month``          ``breakdown("month")`` over two years

Target ratio service / hand-written ≤ 1.5. The two contenders' counts are compared and any
difference is printed. Figures are printed, never asserted.

    python bench/indicators.py [--backend sqlite|postgresql|both] [--cases 1000000] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, select, text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from bench._common import (  # noqa: E402
    BenchDatabase,
    interleaved_seconds,
    median_ratio,
    pg_available,
    temporary_database,
)
from core import indicators  # noqa: E402
from core.db import Database  # noqa: E402
from core.models import Department, Tenant, TierNode  # noqa: E402
from core.plugins import PluginRegistry  # noqa: E402
from core.tenancy import TenantDirectory  # noqa: E402
from core.tiers import NodeRow, plan_tree, sync_levels, sync_tree  # noqa: E402

NOW = datetime(2026, 11, 13, 4, 0, tzinfo=UTC)
LEVELS = ("city", "county", "town", "village")
COUNTIES, TOWNS_PER_COUNTY, VILLAGES_PER_TOWN = 5, 10, 10
DEPARTMENTS = 12
CHUNK = 100_000


# --- the tenant and its rows -------------------------------------------------------------------


def tree_rows() -> list[NodeRow]:
    """City, counties, towns, villages: parents first, each level in its parents' order."""
    rows = [NodeRow("city", "city", "市")]
    towns, villages = [], []
    for c in range(COUNTIES):
        rows.append(NodeRow(f"c{c}", "county", f"县{c}", "city"))
        for t in range(TOWNS_PER_COUNTY):
            code = f"c{c}t{t}"
            towns.append(NodeRow(code, "town", f"镇{code}", f"c{c}"))
            villages += [NodeRow(f"{code}v{v}", "village", f"村{code}v{v}", code)
                         for v in range(VILLAGES_PER_TOWN)]
    return rows + towns + villages


def create_tenant(database: Database) -> tuple[int, dict[str, int]]:
    """The tenant, its tree and departments; (tenant id, first ids of each level and dept)."""
    with database.transaction() as session:
        tenant = Tenant(slug="bench", case_code_prefix="BE", config={"names": {"zh_Hans": "b"}})
        session.add(tenant)
        session.flush()
        session.bind_tenant(tenant.id)
        levels = sync_levels(session, [{"code": c} for c in LEVELS])
        sync_tree(session, plan_tree(tree_rows(), {c: lv.rank for c, lv in levels.items()}),
                  levels)
        session.add_all([Department(code=f"d{i}", names={"zh_Hans": f"部门{i}"})
                         for i in range(DEPARTMENTS)])
        session.flush()
        firsts: dict[str, int] = {}
        for level in LEVELS[1:]:
            ids = session.scalars(select(TierNode.id).where(TierNode.level_id == levels[level].id)
                                  .order_by(TierNode.id)).all()
            codes = session.scalars(select(TierNode.code)
                                    .where(TierNode.level_id == levels[level].id)
                                    .order_by(TierNode.id)).all()
            # The generator maps case i to village k, its town k // 10 and county k // 100:
            # that needs each level's ids consecutive and in tree order.
            assert ids == list(range(ids[0], ids[0] + len(ids))) and codes == sorted(
                codes, key=lambda c: [int(x) for x in c.replace("c", " ").replace("t", " ")
                                      .replace("v", " ").split()]), "unexpected node ids"
            firsts[level] = ids[0]
        firsts["department"] = session.scalar(select(Department.id).order_by(Department.id))
        return tenant.id, firsts


def _shift(dialect: str, moment: str, seconds: str) -> str:
    """SQL for ``moment + seconds`` in the stored format of each backend."""
    if dialect == "sqlite":
        return (f"(strftime('%Y-%m-%d %H:%M:%S', {moment}, ({seconds}) || ' seconds') "
                "|| '.000000')")
    return f"(({moment}) + ({seconds}) * interval '1 second')"


# Fates by h = (i * 7919) % 100, a permutation of 0..99 in every block of 100 cases.
_FATES = """CASE
  WHEN h < 55 THEN 'archived' WHEN h < 65 THEN 'closed' WHEN h < 70 THEN 'resolved'
  WHEN h < 75 THEN 'referred' WHEN h < 78 THEN 'closed' WHEN h < 80 THEN 'reopened'
  WHEN h < 85 THEN 'in_mediation' WHEN h < 88 THEN 'assigned' WHEN h < 90 THEN 'accepted'
  WHEN h < 93 THEN 'closed' WHEN h < 95 THEN 'withdrawn' WHEN h < 96 THEN 'merged'
  ELSE 'registered' END"""


def case_sql(dialect: str) -> str:
    """INSERT … SELECT of cases ``:lo`` .. ``:hi``."""
    base = ":base" if dialect == "sqlite" else "CAST(:base AS timestamptz)"
    registered = _shift(dialect, base, "-((i % 730) * 86400 + (i * 7919) % 86400)")
    accepted = "h < 90"  # every fate up to "accepted" (not the not-accepted closed 90–92)
    resolved = "h < 70"
    closed = "(h < 65 OR (h >= 75 AND h < 78))"
    node = ("CASE WHEN h % 10 = 1 THEN :town0 + (i % 500) / 10 "
            "WHEN h % 10 = 2 AND h < 70 THEN :county0 + (i % 500) / 100 "
            "ELSE :village0 + i % 500 END")
    false, true = ("0", "1") if dialect == "sqlite" else ("false", "true")
    columns = {
        "id": "i", "tenant_id": ":tenant", "code": "'BE-' || i", "case_type": "'general_dispute'",
        "category": "CASE i % 8 WHEN 0 THEN 'neighbor' WHEN 1 THEN 'contract' WHEN 2 THEN "
                    "'labor' WHEN 3 THEN 'marriage_family' WHEN 4 THEN 'damages' WHEN 5 THEN "
                    "'housing_homestead' WHEN 6 THEN 'business' ELSE 'other' END",
        "channel": "CASE i % 5 WHEN 0 THEN 'walk_in' WHEN 1 THEN 'hotline_12345' WHEN 2 THEN "
                   "'online' WHEN 3 THEN 'grid_report' ELSE 'police_110' END",
        "demand_type": "'dispute'", "title": "'纠纷'", "description": "''",
        "location_node_id": ":village0 + i % 500", "node_id": node, "address": "''",
        "people_involved": "1", "is_group": false, "risk": "'blue'", "risk_reasons": "'[]'",
        "status": "fate", "rung": "0",
        "dispatch_count": f"CASE WHEN {accepted} AND h >= 88 THEN 0 WHEN {accepted} THEN "
                          "1 + (CASE WHEN i % 13 = 0 THEN 1 ELSE 0 END) ELSE 0 END",
        "escalations": "CASE WHEN h % 10 = 1 THEN 2 WHEN h % 10 = 2 AND h < 70 THEN 3 ELSE 0 END",
        "reopened": "CASE WHEN fate = 'reopened' THEN 1 ELSE 0 END", "details": "'{}'",
        "warnings": "'[]'",
        "window_type": "CASE i % 3 WHEN 0 THEN 'general_intake' WHEN 1 THEN 'labor' "
                       "ELSE 'legal_aid' END",
        "registered_by": "'bench'", "registered_at": "reg", "changed_at": "reg",
        "accepted_at": f"CASE WHEN {accepted} OR fate IN ('withdrawn', 'merged') AND i % 2 = 0 "
                       f"THEN {_shift(dialect, 'reg', '7200')} END",
        "resolved_at": f"CASE WHEN {resolved} THEN "
                       f"{_shift(dialect, 'reg', '3600 * (2 + (i * 31) % 200)')} END",
        "closed_at": f"CASE WHEN {closed} OR (h >= 90 AND h < 93) THEN "
                     f"{_shift(dialect, 'reg', '3600 * 210')} END",
        "overdue": f"CASE WHEN h >= 78 AND h < 90 AND i % 7 = 0 THEN {true} ELSE {false} END",
        "version": "3",
    }
    source = "SELECT i, h, reg, " + _FATES + " AS fate FROM (SELECT i, (i * 7919) % 100 AS h, " \
             + registered + " AS reg FROM {series}) AS s"
    if dialect == "sqlite":
        series = "g"
        prefix = ("WITH RECURSIVE g(i) AS (SELECT :lo UNION ALL SELECT i + 1 FROM g "
                  "WHERE i < :hi) ")
    else:
        # bigint: i * 7919 passes 2^31 beyond 271,000 cases.
        series = "generate_series(CAST(:lo AS bigint), CAST(:hi AS bigint)) AS g(i)"
        prefix = ""
    return (f"{prefix}INSERT INTO cases ({', '.join(columns)}) SELECT "
            f"{', '.join(columns.values())} FROM ({source.format(series=series)}) AS f")


def child_sql(dialect: str) -> list[str]:
    """Attempts, evaluations, referrals, deadlines and assignments of cases ``:lo`` .. ``:hi``."""
    c = "FROM cases c WHERE c.tenant_id = :tenant AND c.id BETWEEN :lo AND :hi"
    pairs = "(SELECT 0 AS r UNION ALL SELECT 1)" if dialect == "sqlite" else "(VALUES (0), (1))"
    pairs += " AS p" if dialect == "sqlite" else " AS p(r)"
    mediated = "c.status IN ('archived', 'resolved', 'referred', 'reopened', 'in_mediation') " \
               "OR (c.status = 'closed' AND c.accepted_at IS NOT NULL)"
    return [
        # One attempt per mediated case, a second (failed) one for a third of them.
        "INSERT INTO mediation_attempts (tenant_id, case_id, rung, node_id, mediator, held_at, "
        "leader_involved, leader_name, result, notes) "
        "SELECT c.tenant_id, c.id, 0, c.node_id, 'mediator-' || (c.id % 200), "
        f"{_shift(dialect, 'c.registered_at', '3600 * (1 + p.r)')}, "
        f"{'0' if dialect == 'sqlite' else 'false'}, '', "
        "CASE WHEN p.r = 0 AND c.resolved_at IS NOT NULL THEN 'succeeded' ELSE 'failed' END, '' "
        f"FROM cases c, {pairs} WHERE c.tenant_id = :tenant AND c.id BETWEEN :lo AND :hi "
        f"AND ({mediated}) AND (p.r = 0 OR c.id % 3 = 0)",
        # Four closed cases in five are evaluated: 7 satisfied, 2 basically, 1 unsatisfied.
        "INSERT INTO evaluations (tenant_id, case_id, rating, channel, comment, evaluated_at, "
        "recorded_by) SELECT c.tenant_id, c.id, CASE WHEN c.id % 10 < 7 THEN 'satisfied' "
        "WHEN c.id % 10 < 9 THEN 'basically_satisfied' ELSE 'unsatisfied' END, 'callback', '', "
        f"{_shift(dialect, 'c.closed_at', '86400')}, 'bench' "
        f"{c} AND c.status IN ('closed', 'archived') AND c.id % 5 <> 0",
        # Referred, closed-after-referral and reopened cases went to court (3 in 4) or
        # arbitration; half of the reopened ones went on to a petition afterwards.
        "INSERT INTO referrals (tenant_id, case_id, route, institution, referred_at, note) "
        "SELECT c.tenant_id, c.id, CASE WHEN c.id % 4 = 0 THEN 'arbitration' "
        "ELSE 'litigation' END, '', "
        f"{_shift(dialect, 'c.registered_at', '86400')}, '' {c} AND c.resolved_at IS NULL "
        "AND c.accepted_at IS NOT NULL AND c.status IN ('referred', 'closed', 'reopened')",
        "INSERT INTO referrals (tenant_id, case_id, route, institution, referred_at, note) "
        f"SELECT c.tenant_id, c.id, 'petition', '', "
        f"{_shift(dialect, 'c.registered_at', '86400 * 9')}, '' "
        f"{c} AND c.status = 'reopened' AND c.id % 2 = 0",
        # One clock per accepted case: one in twelve missed (late), overdue open ones breached.
        "INSERT INTO deadlines (tenant_id, case_id, rule, started_at, due_at, state, "
        "paused_seconds, calendar_version, met_at) SELECT c.tenant_id, c.id, 'general_mediation', "
        f"c.registered_at, {_shift(dialect, 'c.registered_at', '86400 * 30')}, "
        "CASE WHEN c.overdue THEN 'breached' WHEN c.id % 12 = 0 THEN 'late' "
        "WHEN c.status IN ('archived', 'closed', 'resolved', 'referred') THEN 'met' "
        "ELSE 'running' END, 0, 1, c.closed_at "
        f"{c} AND c.accepted_at IS NOT NULL",
        # The lead assignment of every dispatched case (a second, returned one before it for
        # the re-dispatched).
        "INSERT INTO assignments (tenant_id, case_id, department_id, node_id, role, assigned_by, "
        "assigned_at, designated, return_reason, active) "
        "SELECT c.tenant_id, c.id, :department0 + (c.id + p.r) % 12, c.node_id, 'lead', 'bench', "
        f"{_shift(dialect, 'c.registered_at', '3600 * (1 + p.r)')}, "
        f"{'0' if dialect == 'sqlite' else 'false'}, '', "
        f"{'p.r' if dialect == 'sqlite' else '(p.r = 1)'} "
        f"FROM cases c, {pairs} WHERE c.tenant_id = :tenant AND c.id BETWEEN :lo AND :hi "
        "AND c.dispatch_count > p.r",
    ]


def load(bench: BenchDatabase, tenant_id: int, firsts: dict[str, int], cases: int) -> float:
    """Generate every row in chunks as the owner, then ANALYZE; returns seconds."""
    start = time.perf_counter()
    owner = create_engine(bench.owner_url)
    dialect = bench.backend
    base = NOW.strftime("%Y-%m-%d %H:%M:%S") if dialect == "sqlite" else NOW
    statements = [case_sql(dialect), *child_sql(dialect)]
    params = {"tenant": tenant_id, "base": base, "village0": firsts["village"],
              "town0": firsts["town"], "county0": firsts["county"],
              "department0": firsts["department"]}
    try:
        for lo in range(1, cases + 1, CHUNK):
            hi = min(cases, lo + CHUNK - 1)
            with owner.begin() as conn:
                for statement in statements:
                    names = {k: v for k, v in params.items() if f":{k}" in statement}
                    conn.execute(text(statement), {**names, "lo": lo, "hi": hi})
            print(f"    loaded {hi:,} cases", end="\r", flush=True)
        with owner.connect() as conn:
            if dialect == "postgresql":
                for table in ("cases", "mediation_attempts", "evaluations", "referrals",
                              "deadlines", "assignments"):
                    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                      f"(SELECT max(id) FROM {table}))"))
                conn.commit()
        if dialect == "sqlite":
            with owner.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
        else:
            with owner.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM (ANALYZE)")
    finally:
        owner.dispose()
    return time.perf_counter() - start


# --- the hand-written reference ---------------------------------------------------------------


def hand_queries(dialect: str, key: str, joins: str = "", subtree: bool = False,
                 period: bool = False, yoy: bool = False) -> list[str]:
    """The aggregates indicators need, written by hand; ``key`` is the GROUP BY expression."""
    where = "c.tenant_id = :t"
    if period:
        where += " AND c.registered_at >= :start AND c.registered_at < :end"
    if subtree:
        ids = "SELECT id FROM tier_nodes WHERE tenant_id = :t AND path >= :lo AND path < :hi"
        where += f" AND (c.node_id IN ({ids}) OR c.location_node_id IN ({ids}))"
    group = f" GROUP BY {key}" if key != "NULL" else ""
    accepted = ("c.accepted_at IS NOT NULL AND c.status NOT IN "
                "('registered', 'not_accepted', 'withdrawn', 'merged')")
    resolved = "c.status IN ('resolved', 'closed', 'archived') AND c.resolved_at IS NOT NULL"
    closed = f"c.status IN ('closed', 'archived') AND {accepted}"
    if dialect == "postgresql":
        hours = "EXTRACT(epoch FROM c.resolved_at - c.registered_at) / 3600.0"
        median = f", percentile_cont(0.5) WITHIN GROUP (ORDER BY CASE WHEN {resolved} " \
                 f"THEN {hours} END)"
    else:
        hours = "(julianday(c.resolved_at) - julianday(c.registered_at)) * 24.0"
        median = ""
    frontline = ("c.node_id IN (SELECT id FROM tier_nodes WHERE tenant_id = :t "
                 "AND level_id IN (SELECT id FROM tier_levels WHERE tenant_id = :t "
                 "AND rank >= 2))")
    queries = [
        f"SELECT {key}, count(*) FILTER (WHERE c.status <> 'merged'), "
        f"count(*) FILTER (WHERE {accepted}), count(*) FILTER (WHERE {resolved}), "
        f"count(*) FILTER (WHERE {closed}), "
        f"count(*) FILTER (WHERE {accepted} AND c.status NOT IN ('closed', 'archived') "
        "AND c.overdue), "
        f"count(*) FILTER (WHERE {resolved} AND c.escalations = 0 AND c.reopened = 0 "
        "AND c.dispatch_count <= 1), "
        f"count(*) FILTER (WHERE {resolved} AND {frontline}), "
        f"sum({hours}) FILTER (WHERE {resolved}){median} "
        f"FROM cases c {joins} WHERE {where}{group}",
        f"SELECT {key}, count(DISTINCT a.case_id), count(DISTINCT CASE WHEN a.result = "
        "'succeeded' THEN a.case_id END) FROM cases c JOIN mediation_attempts a "
        f"ON a.tenant_id = :t AND a.case_id = c.id {joins} WHERE {where} AND {accepted}{group}",
        f"SELECT {key}, count(*), count(*) FILTER (WHERE e.rating IN ('satisfied', "
        "'basically_satisfied')) FROM cases c JOIN evaluations e ON e.tenant_id = :t "
        f"AND e.case_id = c.id {joins} WHERE {where} AND c.status <> 'merged' AND e.rating IN "
        f"('satisfied', 'basically_satisfied', 'unsatisfied'){group}",
        f"SELECT {key}, count(DISTINCT c.id) FROM cases c JOIN deadlines d ON d.tenant_id = :t "
        f"AND d.case_id = c.id {joins} WHERE {where} AND {closed} "
        f"AND d.state IN ('late', 'breached'){group}",
        "SELECT k, count(*) FILTER (WHERE lit IS NOT NULL), count(*) FILTER (WHERE lit IS NOT "
        "NULL AND (open = 1 OR other > lit)) FROM (SELECT "
        f"{key} AS k, c.id, max(CASE WHEN r.route = 'litigation' THEN r.referred_at END) AS lit, "
        "max(CASE WHEN r.route <> 'litigation' THEN r.referred_at END) AS other, "
        "max(CASE WHEN c.status IN ('registered', 'accepted', 'assigned', 'in_mediation', "
        "'mediation_failed', 'escalated', 'reopened') THEN 1 ELSE 0 END) AS open "
        f"FROM cases c JOIN referrals r ON r.tenant_id = :t AND r.case_id = c.id {joins} "
        f"WHERE {where} AND {accepted} AND NOT ({resolved}) "
        f"GROUP BY {key + ', ' if key != 'NULL' else ''}c.id) AS s GROUP BY k",
    ]
    if dialect == "sqlite":
        partition = f"PARTITION BY {key} " if key != "NULL" else ""
        queries.append(
            "SELECT k, avg(h) FROM (SELECT "
            f"{key} AS k, {hours} AS h, row_number() OVER ({partition}ORDER BY {hours}) AS rn, "
            f"count(*) OVER ({partition.strip()}) AS n FROM cases c {joins} "
            f"WHERE {where} AND {resolved}) AS s WHERE rn IN ((n + 1) / 2, (n + 2) / 2) "
            "GROUP BY k")
    if yoy:
        previous = where.replace(":start", ":prev_start").replace(":end", ":prev_end")
        queries.append(f"SELECT {key}, count(*) FILTER (WHERE c.status <> 'merged') "
                       f"FROM cases c {joins} WHERE {previous}{group}")
    return queries


def hand_runner(app: Engine, dialect: str, tenant_id: int, queries: list[str],
                params: dict[str, Any]) -> Callable[[], list[list[Any]]]:
    """Run ``queries`` in one transaction as the application role, rows fetched."""
    def run() -> list[list[Any]]:
        with app.begin() as conn:
            if dialect == "postgresql":
                conn.execute(text("SELECT set_config('app.tenant_id', :t, true)"),
                             {"t": str(tenant_id)})
            bound = {**params, "t": tenant_id}
            return [conn.execute(text(q), {k: v for k, v in bound.items() if f":{k}" in q})
                    .all() for q in queries]
    return run


def _bind(dialect: str, moment: datetime) -> Any:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f") if dialect == "sqlite" else moment


# --- driver ------------------------------------------------------------------------------------


def scenarios(dialect: str, tenant_id: int) -> list[dict[str, Any]]:
    """(label, service call kwargs, hand-written queries and params) of every scenario."""
    start, end = NOW - timedelta(days=365), NOW
    period = {"start": _bind(dialect, start), "end": _bind(dialect, end),
              "prev_start": _bind(dialect, start - timedelta(days=365)),
              "prev_end": _bind(dialect, end - timedelta(days=365))}
    county = {"lo": "/city/c0/", "hi": "/city/c00"}
    month = ("to_char(timezone('Asia/Shanghai', c.registered_at), 'YYYY-MM')"
             if dialect == "postgresql" else
             "strftime('%Y-%m', c.registered_at, '+480 minutes')")
    two_years = {"start": _bind(dialect, NOW - timedelta(days=730)), "end": _bind(dialect, NOW)}
    return [
        {"label": "compute", "call": ("compute", {}),
         "sql": hand_queries(dialect, "NULL"), "params": {}},
        {"label": "compute period", "call": ("compute", {"start": start, "end": end}),
         "sql": hand_queries(dialect, "NULL", period=True, yoy=True), "params": period},
        {"label": "compute county", "call": ("compute", {"start": start, "end": end,
                                                         "node_path": "/city/c0/"}),
         "sql": hand_queries(dialect, "NULL", period=True, yoy=True, subtree=True),
         "params": {**period, **county}},
        {"label": "by category", "call": ("category", {"start": start, "end": end}),
         "sql": hand_queries(dialect, "c.category", period=True, yoy=True), "params": period},
        {"label": "by month", "call": ("month", {"start": NOW - timedelta(days=730), "end": NOW}),
         "sql": hand_queries(dialect, month, period=True), "params": two_years},
    ]


def run_backend(backend: str, cases: int, runs: int) -> None:
    """Build, load and measure one backend; print its figures."""
    registry = PluginRegistry()
    with temporary_database(backend, registry) as bench:
        database = Database(bench.app_url)
        app = create_engine(bench.app_url)
        try:
            tenant_id, firsts = create_tenant(database)
            seconds = load(bench, tenant_id, firsts, cases)
            tenant = TenantDirectory(database, registry).get("bench")
            print(f"\n== {backend}: {cases:,} cases in one tenant, 555 tier nodes; "
                  f"loaded in {seconds:.0f}s ==")
            ratios = []
            for spec in scenarios(backend, tenant_id):
                what, kwargs = spec["call"]

                def service(what=what, kwargs=kwargs):
                    with database.transaction(tenant_id) as session:
                        if what == "compute":
                            return indicators.compute(session, tenant, **kwargs)
                        return indicators.breakdown(session, tenant, what, **kwargs)

                hand = hand_runner(app, backend, tenant_id, spec["sql"], spec["params"])
                result, rows = service(), hand()
                samples = interleaved_seconds({"service": service, "sql": hand}, runs,
                                              warmup=1, min_sample=0)
                ratio = median_ratio(samples["service"], samples["sql"])
                ratios.append(ratio)
                s, h = statistics.median(samples["service"]), statistics.median(samples["sql"])
                print(f"  {spec['label']:<15} service {s:7.3f} s   hand-written {h:7.3f} s   "
                      f"ratio {ratio:.2f}   ({len(spec['sql'])} queries)", flush=True)
                print(f"      {summary(result)}")
                check(result, rows)
            print(f"  worst ratio {max(ratios):.2f}   (target ≤ 1.5)")
        finally:
            app.dispose()
            database.dispose()


def summary(result: Any) -> str:
    """A line of figures, to show the data is plausible."""
    if isinstance(result, indicators.Breakdown):
        first = result.groups[0]
        return (f"{len(result.groups)} groups; {first.key}: intake "
                f"{first['intake'].value:,}, resolution {first['resolution_rate'].value:.3f}")
    f = result.figures

    def pct(code: str) -> str:
        v = f[code].value
        return "—" if v is None else f"{v:.3f}"

    return (f"intake {f['intake'].value:,}, accepted {f['accepted'].value:,}, resolution "
            f"{pct('resolution_rate')}, on time {pct('on_time_rate')}, satisfaction "
            f"{pct('satisfaction_rate')}, frontline {pct('frontline_share')}, median "
            f"{pct('median_hours_to_resolve')} h, yoy {pct('intake_yoy')}")


def check(result: Any, rows: list[list[Any]]) -> None:
    """Print any difference between the service's intake/resolved counts and the hand SQL's."""
    main = {row[0]: row for row in rows[0]}
    groups = ([(None, result.figures)] if isinstance(result, indicators.IndicatorReport)
              else [(g.key, g.figures) for g in result.groups])
    for key, figures in groups:
        row = main.get(key)
        got = (figures["intake"].value, figures["accepted"].value,
               figures["resolution_rate"].numerator)
        want = tuple(row[1:4]) if row is not None else None
        if got != want:
            print(f"      MISMATCH for {key!r}: service {got}, hand-written {want}")


def main() -> None:
    """Parse options and run the chosen backends."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3, help="alternating rounds per scenario")
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        if backend == "postgresql" and (problem := pg_available()) is not None:
            print(f"\n== postgresql: skipped, server not reachable ({problem}) ==")
            continue
        run_backend(backend, args.cases, args.runs)


if __name__ == "__main__":
    main()
