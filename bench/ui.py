"""Staff pages over a large tenant: the dashboard and the queue, rendered through the app.

Fills one tenant with N cases (default 1,000,000) with the generator of ``bench/indicators.py``
(every fate, attempts, evaluations, referrals, clocks, lead assignments; 1 city / 5 counties /
50 towns / 500 villages), gives the open cases a due date, and signs a leader of the root in
through the login form of an ``app.test_client()``. Then measures, in one process:

* ``refresh``    the rollup rebuild the dashboard reads (``core.rollups.refresh``, what
  ``onedoor indicators refresh`` and the sweep run): seconds and rows. Then T cases of the
  latest month (default 1,000, ``--touch``) are changed (one more escalation each, as the
  application role), and the incremental refresh that follows is timed against a full one
  (``--full``) with their ratio, plus a refresh with nothing changed (what most sweeps run);
  the line says whether the incremental refresh left exactly the rows the full one builds.
* ``dashboard``  GET /bench/dashboard/ for the tenant root over the last twelve months (this
  month and the eleven before; every card, seven breakdowns, the funnel, year on year): p50 /
  p95 server time over R requests, and the ratio to the hand-written SQL aggregates the page
  needs over the rollup (its rows per facet, the hours histogram, the live count of the partial
  month a year earlier; text SQL on a plain connection of the application role), the two
  alternating round by round. Target ≤ 1.5. The line says whether the page read the rollup.
* ``board``      GET of ``workbench.board`` (the supervision board) for the root leader.
* ``queue``      GET of ``workbench.queue`` if the app has that endpoint; otherwise the query
  such a page runs — the first 50 open cases by due date visible to the root leader, as an ORM
  statement through a tenant-bound session — and the output says which was measured.

PostgreSQL runs as the application role under row-level security. Figures are printed, never
asserted.

    python bench/ui.py [--backend sqlite|postgresql|both] [--cases 1000000] [--requests 10]
                       [--touch 1000] [--explain]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import and_, create_engine, or_, select, text  # noqa: E402

from bench._common import (  # noqa: E402
    BenchDatabase,
    interleaved_seconds,
    median_ratio,
    pg_available,
    temporary_database,
)
from bench.indicators import (  # noqa: E402
    NOW,
    create_tenant,
    hand_runner,
    load,
)
from core import accounts, rollups  # noqa: E402
from core.app import create_app  # noqa: E402
from core.authz import visibility  # noqa: E402
from core.db import Database  # noqa: E402
from core.models import Case, TierNode, User  # noqa: E402
from core.models.indicators import COUNTS  # noqa: E402
from core.plugins import PluginRegistry  # noqa: E402
from core.settings import load_settings  # noqa: E402
from core.tenancy import TenantDirectory  # noqa: E402
from core.tiers import subtree_bounds  # noqa: E402
from core.web.dashboard.period import (
    make_period,  # noqa: E402
    preset_days,  # noqa: E402
)
from core.workflow import OPEN_STATES  # noqa: E402

ROOT = "/city/"
PASSWORD = "bench-leader-password"
QUEUE_SIZE = 50
OPEN = sorted(s.value for s in OPEN_STATES)


# --- the data ----------------------------------------------------------------------------------


def give_due_dates(bench: BenchDatabase) -> None:
    """The generator leaves ``cases.due_at`` empty: open cases get registration + 30 days."""
    owner = create_engine(bench.owner_url)
    states = ", ".join(f"'{s}'" for s in OPEN)
    due = ("strftime('%Y-%m-%d %H:%M:%S', registered_at, '+30 days') || '.000000'"
           if bench.backend == "sqlite" else "registered_at + interval '30 days'")
    try:
        with owner.begin() as conn:
            conn.execute(text(f"UPDATE cases SET due_at = {due} WHERE status IN ({states})"))
        with owner.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE" if bench.backend == "sqlite" else "ANALYZE cases")
    finally:
        owner.dispose()


def make_leader(database: Database, tenant_id: int) -> None:
    with database.transaction(tenant_id) as session:
        user = accounts.create_user(session, "bench-leader", PASSWORD)
        accounts.add_membership(session, user, "leader")  # at the root


def sign_in(client) -> None:
    page = client.get("/bench/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/bench/login", data={"username": "bench-leader",
                                                 "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, "the leader could not sign in"


# --- the hand-written aggregates of the dashboard ---------------------------------------------

ROLLUP_SUMS = ", ".join(f"sum({c})" for c in (*COUNTS, "hours_sum"))
FACET_BREAKDOWNS = ("category", "channel", "department", "window")


def _rollup(facet: str, *, by: str = "", months: str = "cur", scope: str = "= :scope") -> str:
    group = f"{by}, " if by else ""
    return (f"SELECT {group}{ROLLUP_SUMS} FROM indicator_rollups WHERE tenant_id = :t "
            f"AND scope_id {scope} AND facet = '{facet}' AND month >= :{months}_lo "
            f"AND month < :{months}_hi" + (f" GROUP BY {by}" if by else ""))


def _tail(dialect: str, key: str, joins: str = "") -> str:
    """Intake of the rest of the month a year earlier, live (the rollup keeps whole months)."""
    return (f"SELECT {key}, sum(CASE WHEN c.status <> 'merged' THEN 1 ELSE 0 END) FROM cases c "
            f"{joins} WHERE c.tenant_id = :t AND c.registered_at >= :tail_lo "
            f"AND c.registered_at < :tail_hi GROUP BY {key}")


def _tail_department(lead: str) -> str:
    return (f"SELECT k, sum(CASE WHEN status <> 'merged' THEN 1 ELSE 0 END) FROM (SELECT {lead} "
            "AS k, c.status FROM cases c WHERE c.tenant_id = :t AND c.registered_at >= :tail_lo "
            "AND c.registered_at < :tail_hi) AS s GROUP BY k")


def dashboard_queries(dialect: str) -> list[str]:
    """Every aggregate the root dashboard reads: the rollup's rows for the cards, each
    breakdown, year on year (whole months from the rollup, the partial month live), medians."""
    rest = f"substr(w.path, {len('/') + 1})"
    segment = (f"split_part({rest}, '/', 1)" if dialect == "postgresql" else
               f"substr({rest}, 1, instr({rest}, '/') - 1)")
    tier_join = "LEFT JOIN tier_nodes w ON w.tenant_id = :t AND w.id = c.location_node_id"
    lead = ("(SELECT l.department_id FROM assignments l WHERE l.tenant_id = :t "
            "AND l.case_id = c.id AND l.role = 'lead' ORDER BY l.id DESC LIMIT 1)")
    queries = [
        "SELECT as_of, settings, earliest, latest FROM indicator_refreshes WHERE tenant_id = :t",
        # The cards: every count, the median from the hours histogram, a year earlier.
        _rollup("all"), _rollup("hours", by="value"), _rollup("all", months="prev"),
        "SELECT sum(CASE WHEN c.status <> 'merged' THEN 1 ELSE 0 END) FROM cases c "
        "WHERE c.tenant_id = :t AND c.registered_at >= :tail_lo AND c.registered_at < :tail_hi",
        # Breakdowns by a column of the case, with their year on year.
        *[q for facet in FACET_BREAKDOWNS for q in (
            _rollup(facet, by="value"), _rollup(facet, by="value", months="prev"))],
        _tail(dialect, "c.category"), _tail(dialect, "c.channel"),
        _tail(dialect, "c.window_type"), _tail_department(lead),
        # By tier: the children's located cases, the node's own, a year earlier too.
        "SELECT id, code FROM tier_nodes WHERE tenant_id = :t AND parent_id IS NULL",
        *[q for months in ("cur", "prev") for q in (
            _rollup("located", by="scope_id", months=months,
                    scope="IN (SELECT id FROM tier_nodes WHERE tenant_id = :t "
                          "AND parent_id IS NULL)"),
            _rollup("located", months=months), _rollup("all", months=months))],
        _tail(dialect, segment, tier_join),
        # By mediator, and over time (with each month's median).
        _rollup("mediator", by="value"), _rollup("all", by="month"),
        _rollup("hours", by="month, value"),
    ]
    return queries


# --- the queue ---------------------------------------------------------------------------------


def queue_query(database: Database, tenant_id: int):
    """The first 50 open cases by due date the root leader may read (ORM, tenant-bound)."""
    with database.transaction(tenant_id) as session:
        user = session.scalar(select(User).where(User.username == "bench-leader"))
        principal = accounts.principal_for(user)
    subtrees = visibility(principal, "case.read").subtrees

    def run() -> list[Case]:
        with database.transaction(tenant_id) as session:
            clauses = [and_(TierNode.path >= lo, TierNode.path < hi)
                       for lo, hi in map(subtree_bounds, subtrees)]
            query = (select(Case).join(TierNode, TierNode.id == Case.node_id)
                     .where(or_(*clauses), Case.status.in_(OPEN))
                     .order_by(Case.due_at.asc().nulls_last(), Case.id).limit(QUEUE_SIZE))
            rows = list(session.scalars(query))
            assert len(rows) == QUEUE_SIZE or not rows
            return rows
    return run


# --- driver ------------------------------------------------------------------------------------


def percentile(samples: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


def run_backend(backend: str, cases: int, requests: int, explain: bool = False,
                touch: int = 1000) -> None:
    """Build, load and measure one backend; print its figures."""
    registry = PluginRegistry()
    with temporary_database(backend, registry) as bench:
        database = Database(bench.app_url)
        engine = create_engine(bench.app_url)
        settings = load_settings(environ={}).with_overrides(database_url=bench.app_url,
                                                            log_level="WARNING")
        app = create_app(settings, registry=registry)
        try:
            tenant_id, firsts = create_tenant(database)
            seconds = load(bench, tenant_id, firsts, cases)
            give_due_dates(bench)
            make_leader(database, tenant_id)
            print(f"\n== {backend}: {cases:,} cases in one tenant, 555 tier nodes; "
                  f"loaded in {seconds:.0f}s ==", flush=True)
            tenant = TenantDirectory(database, registry).get("bench")
            with database.transaction(tenant_id) as session:
                refreshed = rollups.refresh(session, tenant, now=NOW)
            print(f"  rollup refresh (onedoor indicators refresh)  {refreshed.seconds:7.1f} s   "
                  f"{refreshed.rows:,} rows", flush=True)
            measure_refresh(engine, database, tenant, backend, tenant_id, touch)
            client = app.test_client()
            sign_in(client)
            measure(app, client, engine, database, backend, tenant_id, requests, explain)
        finally:
            app.extensions["onedoor"].database.dispose()
            engine.dispose()
            database.dispose()


def touch_latest(engine, backend: str, tenant_id: int, n: int) -> int:
    """One more escalation for each of the ``n`` latest-registered cases, stamped changed now
    (as the application would: the role and tenant of the app); returns the rows changed."""
    now = datetime.now(UTC)
    with engine.begin() as conn:
        if backend == "postgresql":
            conn.execute(text("SELECT set_config('app.tenant_id', :t, true)"),
                         {"t": str(tenant_id)})
        return conn.execute(text(
            "UPDATE cases SET escalations = escalations + 1, changed_at = :now "
            "WHERE tenant_id = :t AND id IN (SELECT id FROM cases WHERE tenant_id = :t "
            "ORDER BY registered_at DESC LIMIT :n)"),
            {"t": tenant_id, "n": n, "now": now.strftime("%Y-%m-%d %H:%M:%S.%f")
             if backend == "sqlite" else now}).rowcount


def rollup_rows(database: Database, tenant_id: int) -> list[tuple]:
    """The tenant's rollup rows but their ids, sorted (hours summed to the microsecond)."""
    with database.transaction(tenant_id) as session:
        return rollups.comparable_rows(session)


def measure_refresh(engine, database: Database, tenant, backend: str, tenant_id: int,
                    touch: int) -> None:
    """A refresh with nothing changed since the first; an incremental one after ``touch``
    cases of the latest month changed, against a full one."""
    def timed(**kwargs) -> rollups.RefreshResult:
        with database.transaction(tenant_id) as session:
            return rollups.refresh(session, tenant, now=NOW, **kwargs)

    quiet = timed()  # the cases were loaded long before the first refresh began
    changed = touch_latest(engine, backend, tenant_id, touch)
    incremental = timed()
    rows = rollup_rows(database, tenant_id)
    full = timed(full=True)
    same = "yes" if rollup_rows(database, tenant_id) == rows else "NO"
    months = ", ".join(incremental.months)
    print(f"  refresh, nothing changed since              {quiet.seconds:7.2f} s   "
          f"{quiet.mode}, {len(quiet.months)} month(s) rebuilt", flush=True)
    print(f"  refresh after {changed:,} cases changed (latest)  {incremental.seconds:7.2f} s   "
          f"{incremental.mode}, {len(incremental.months)} month(s) rebuilt ({months})",
          flush=True)
    print(f"  full refresh (--full)                       {full.seconds:7.2f} s   ratio "
          f"incremental / full {incremental.seconds / full.seconds:.3f}   "
          f"same rows as the full: {same}", flush=True)


def explain_queue(app, client, queue_url: str, database: Database, tenant_id: int) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of the queue page's statement as the app sent it, and of the
    same statement with the join written ``node_id + 0`` (SQLite's shape), for comparison."""
    from sqlalchemy import event  # noqa: PLC0415

    engine = app.extensions["onedoor"].database.engine
    seen: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if "UNION ALL" in statement:
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        assert client.get(queue_url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    statement, parameters = seen[0]
    plain = "tier_nodes.id = cases.node_id"
    shapes = {"as sent": statement,
              "with node_id + 0": statement.replace(plain, plain + " + %(zero)s")
              if "node_id + " not in statement else statement}
    for name, sql in shapes.items():
        params = dict(parameters, zero=0)
        with database.transaction(tenant_id) as session:
            plan = session.connection().exec_driver_sql(
                "EXPLAIN (ANALYZE, BUFFERS) " + sql, params).scalars().all()
        print(f"  EXPLAIN queue statement ({name}):", flush=True)
        for line in plan:
            print("      " + line)


def measure(app, client, engine, database: Database, backend: str, tenant_id: int,
            requests: int, explain: bool = False) -> None:
    """The dashboard against its SQL, then the queue; prints the figures."""
    zone = ZoneInfo("Asia/Shanghai")
    first, last = preset_days("last_12_months", NOW.astimezone(zone).date())
    period = make_period(None, first, last, zone)
    url = f"/bench/dashboard/?start={first.isoformat()}&end={last.isoformat()}"

    def page() -> None:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        assert "kpi-intake" in response.get_data(as_text=True)

    def bind(moment):
        return moment.strftime("%Y-%m-%d %H:%M:%S.%f") if backend == "sqlite" else moment

    body = client.get(url).get_data(as_text=True)
    source = "the rollup" if 'id="freshness"' in body and "live" not in re.search(
        r'id="freshness">([^<]*)<', body).group(1) else "LIVE (rollup not used)"
    previous_end = period.end.replace(year=period.end.year - 1)
    tail_lo = previous_end.astimezone(zone).replace(day=1, hour=0, minute=0, second=0,
                                                    microsecond=0)
    key = lambda moment: moment.astimezone(zone).strftime("%Y-%m")  # noqa: E731
    params = {"scope": 0, "cur_lo": key(period.start),
              "cur_hi": key(period.end.astimezone(zone).replace(day=1) + timedelta(days=32)),
        "prev_lo": key(period.start.replace(year=period.start.year - 1)),
        "prev_hi": key(tail_lo), "tail_lo": bind(tail_lo), "tail_hi": bind(previous_end)}
    queries = dashboard_queries(backend)
    hand = hand_runner(engine, backend, tenant_id, queries, params)
    samples = interleaved_seconds({"page": page, "sql": hand}, requests, warmup=1,
                                  min_sample=0)
    ratio = median_ratio(samples["page"], samples["sql"])
    pages, sql = samples["page"], samples["sql"]
    print(f"  dashboard (root, last 12 months, from {source})  "
          f"p50 {statistics.median(pages):7.3f} s   "
          f"p95 {percentile(pages, 0.95):7.3f} s   over {requests} requests", flush=True)
    print(f"  hand-written SQL ({len(queries)} queries)  p50 {statistics.median(sql):7.3f} s   "
          f"ratio page / SQL {ratio:.2f}   (target ≤ 1.5)", flush=True)

    if "workbench.queue" in app.view_functions:
        with app.test_request_context():
            from flask import url_for  # noqa: PLC0415

            queue_url = url_for("workbench.queue", tenant="bench")

        def queue() -> None:
            assert client.get(queue_url).status_code == 200

        label = f"queue page GET {queue_url}"
        if explain and backend == "postgresql":
            explain_queue(app, client, queue_url, database, tenant_id)
    else:
        queue = queue_query(database, tenant_id)
        label = ("queue: endpoint workbench.queue absent; measured its query instead "
                 f"(first {QUEUE_SIZE} open cases by due date, root leader, ORM)")
    times = [_timed(queue) for _ in range(max(requests, 20))]
    print(f"  {label}\n      p50 {statistics.median(times) * 1000:8.1f} ms   "
          f"p95 {percentile(times, 0.95) * 1000:8.1f} ms   over {len(times)} runs", flush=True)

    if "workbench.board" in app.view_functions:
        with app.test_request_context():
            from flask import url_for  # noqa: PLC0415

            board_url = url_for("workbench.board", tenant="bench")

        def board() -> None:
            assert client.get(board_url).status_code == 200

        times = [_timed(board) for _ in range(max(requests, 10))]
        print(f"  supervision board GET {board_url} (root leader: exact counts per column)\n"
              f"      p50 {statistics.median(times) * 1000:8.1f} ms   "
              f"p95 {percentile(times, 0.95) * 1000:8.1f} ms   over {len(times)} runs",
              flush=True)


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    """Parse options and run the chosen backends."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=10,
                        help="dashboard requests (alternating with the SQL)")
    parser.add_argument("--touch", type=int, default=1000,
                        help="cases of the latest month changed before the incremental "
                             "refresh is timed")
    parser.add_argument("--explain", action="store_true",
                        help="PostgreSQL: print EXPLAIN (ANALYZE, BUFFERS) of the queue page's "
                             "statement, as sent and in SQLite's 'node_id + 0' shape")
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        if backend == "postgresql" and (problem := pg_available()) is not None:
            print(f"\n== postgresql: skipped, server not reachable ({problem}) ==")
            continue
        run_backend(backend, args.cases, args.requests, args.explain, args.touch)


if __name__ == "__main__":
    main()
