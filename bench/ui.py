"""Staff pages over a large tenant: the dashboard and the queue, rendered through the app.

Fills one tenant with N cases (default 1,000,000) with the generator of ``bench/indicators.py``
(every fate, attempts, evaluations, referrals, clocks, lead assignments; 1 city / 5 counties /
50 towns / 500 villages), gives the open cases a due date, and signs a leader of the root in
through the login form of an ``app.test_client()``. Then measures, in one process:

* ``dashboard``  GET /bench/dashboard/ for the tenant root over the last twelve months (every
  card, seven breakdowns, the funnel): p50 / p95 server time over R requests, and the ratio to
  the hand-written SQL aggregates the page needs (the same counts as text SQL on a plain
  connection of the application role), the two alternating round by round. Target ≤ 1.5.
* ``queue``      GET of ``workbench.queue`` if the app has that endpoint; otherwise the query
  such a page runs — the first 50 open cases by due date visible to the root leader, as an ORM
  statement through a tenant-bound session — and the output says which was measured.

PostgreSQL runs as the application role under row-level security. Figures are printed, never
asserted.

    python bench/ui.py [--backend sqlite|postgresql|both] [--cases 1000000] [--requests 10]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from datetime import timedelta
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
    hand_queries,
    hand_runner,
    load,
)
from core import accounts  # noqa: E402
from core.app import create_app  # noqa: E402
from core.authz import visibility  # noqa: E402
from core.db import Database  # noqa: E402
from core.models import Case, TierNode, User  # noqa: E402
from core.plugins import PluginRegistry  # noqa: E402
from core.settings import load_settings  # noqa: E402
from core.tiers import subtree_bounds  # noqa: E402
from core.web.dashboard.period import make_period  # noqa: E402
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


def _segment(dialect: str) -> str:
    rest = f"substr(w.path, {len(ROOT) + 1})"
    if dialect == "postgresql":
        return f"split_part({rest}, '/', 1)"
    return f"substr({rest}, 1, instr({rest}, '/') - 1)"


def _mediator_query() -> str:
    ids = "SELECT id FROM tier_nodes WHERE tenant_id = :t AND path >= :lo AND path < :hi"
    accepted = ("c.accepted_at IS NOT NULL AND c.status NOT IN "
                "('registered', 'not_accepted', 'withdrawn', 'merged')")
    resolved = "c.status IN ('resolved', 'closed', 'archived') AND c.resolved_at IS NOT NULL"
    return ("SELECT a.mediator, count(*), count(DISTINCT a.case_id), count(DISTINCT CASE WHEN "
            "a.result = 'succeeded' THEN a.case_id END), count(DISTINCT CASE WHEN "
            f"{resolved} THEN a.case_id END) FROM cases c JOIN mediation_attempts a "
            "ON a.tenant_id = :t AND a.case_id = c.id WHERE c.tenant_id = :t "
            "AND c.registered_at >= :start AND c.registered_at < :end "
            f"AND (c.node_id IN ({ids}) OR c.location_node_id IN ({ids})) AND {accepted} "
            "GROUP BY a.mediator")


def dashboard_queries(dialect: str) -> list[str]:
    """Every aggregate of the root dashboard: the cards, then each breakdown."""
    month = ("to_char(timezone('Asia/Shanghai', c.registered_at), 'YYYY-MM')"
             if dialect == "postgresql" else
             "strftime('%Y-%m', c.registered_at, '+480 minutes')")
    tier = (f"CASE WHEN w.path >= :lo AND w.path < :hi THEN {_segment(dialect)} END")
    tier_join = "LEFT JOIN tier_nodes w ON w.tenant_id = :t AND w.id = c.location_node_id"
    lead_join = ("LEFT JOIN (SELECT case_id, max(id) AS id FROM assignments WHERE tenant_id = :t "
                 "AND role = 'lead' GROUP BY case_id) la ON la.case_id = c.id "
                 "LEFT JOIN assignments l ON l.tenant_id = :t AND l.id = la.id")
    groups = [("NULL", "", True), ("c.category", "", True), ("c.channel", "", True),
              (tier, tier_join, True), ("l.department_id", lead_join, True),
              ("c.window_type", "", True), (month, "", False)]
    queries = []
    for key, joins, yoy in groups:
        queries += hand_queries(dialect, key, joins, subtree=True, period=True, yoy=yoy)
    return [*queries, _mediator_query()]


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


def run_backend(backend: str, cases: int, requests: int) -> None:
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
            client = app.test_client()
            sign_in(client)
            measure(app, client, engine, database, backend, tenant_id, requests)
        finally:
            app.extensions["onedoor"].database.dispose()
            engine.dispose()
            database.dispose()


def measure(app, client, engine, database: Database, backend: str, tenant_id: int,
            requests: int) -> None:
    """The dashboard against its SQL, then the queue; prints the figures."""
    zone = ZoneInfo("Asia/Shanghai")
    last = NOW.astimezone(zone).date()
    first = last.replace(year=last.year - 1) + timedelta(days=1)
    period = make_period(None, first, last, zone)
    url = f"/bench/dashboard/?start={first.isoformat()}&end={last.isoformat()}"

    def page() -> None:
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    def bind(moment):
        return moment.strftime("%Y-%m-%d %H:%M:%S.%f") if backend == "sqlite" else moment

    lo, hi = subtree_bounds(ROOT)
    params = {"start": bind(period.start), "end": bind(period.end),
              "prev_start": bind(period.start.replace(year=period.start.year - 1)),
              "prev_end": bind(period.end.replace(year=period.end.year - 1)),
              "lo": lo, "hi": hi}
    queries = dashboard_queries(backend)
    hand = hand_runner(engine, backend, tenant_id, queries, params)
    samples = interleaved_seconds({"page": page, "sql": hand}, requests, warmup=1,
                                  min_sample=0)
    ratio = median_ratio(samples["page"], samples["sql"])
    pages, sql = samples["page"], samples["sql"]
    print(f"  dashboard (root, 12 months)  p50 {statistics.median(pages):7.3f} s   "
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
    else:
        queue = queue_query(database, tenant_id)
        label = ("queue: endpoint workbench.queue absent; measured its query instead "
                 f"(first {QUEUE_SIZE} open cases by due date, root leader, ORM)")
    times = [_timed(queue) for _ in range(max(requests, 20))]
    print(f"  {label}\n      p50 {statistics.median(times) * 1000:8.1f} ms   "
          f"p95 {percentile(times, 0.95) * 1000:8.1f} ms   over {len(times)} runs", flush=True)


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
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        if backend == "postgresql" and (problem := pg_available()) is not None:
            print(f"\n== postgresql: skipped, server not reachable ({problem}) ==")
            continue
        run_backend(backend, args.cases, args.requests)


if __name__ == "__main__":
    main()
