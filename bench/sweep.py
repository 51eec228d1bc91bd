"""The periodic deadline sweep over many open cases, against hand-written SQL doing the same.

Builds, for each backend, one tenant with N open cases (default 1,000,000), each with one
running clock: a share already past due (default 10 %), a share due within the next 24 hours
(5 %, they get reminders), the rest later; 2 % of the cases are red risk. Rows are bulk-loaded
as the table owner (executemany on SQLite, COPY on PostgreSQL), then ANALYZEd.

Two scenarios, each timed over R rounds, the two contenders alternating which goes first, with
the database reset (untimed) between runs so that every run starts from the same state:

* ``mark`` — only the marking: every clock is pre-set as already reminded and urged, so
  :func:`core.sweep.sweep` does nothing but mark clocks ``breached`` and their cases ``overdue``
  (plus its empty notice queries and one audit event per batch). Timed in its steady state (the
  hourly full check — a scan of all open clocks for calendar changes — already done in this
  process) and, separately, with that full check. Compared with ONE hand-written
  UPDATE doing the same marking: on PostgreSQL a single statement (``WITH b AS (UPDATE
  deadlines … RETURNING case_id) UPDATE cases …``); on SQLite, which has no data-modifying
  CTEs, the minimal two statements in one transaction. Target ratio ≤ 2.
* ``full`` — the whole sweep: marking, one reminder per clock due within 24 h, one urge (催办)
  per missed clock, audit events; against hand-written set-based SQL doing the same work in one
  transaction (the marking, then ``INSERT … SELECT`` notices and ``UPDATE`` the reminded/urged
  stamps). No target; printed to show what the rest of the sweep costs.

Both contenders run as the application role (row-level security on, on PostgreSQL) with the
tenant set; the sweep goes through :class:`core.db.Database` and tenant-bound sessions in
batches of ``--batch-size`` (default 5,000), exactly as the Celery task does.

    python bench/sweep.py [--backend sqlite|postgresql|both] [--cases 1000000] [--runs 3]
                          [--overdue 0.10] [--batch-size 5000] [--scenario mark|full|both]

PostgreSQL uses a temporary database on 127.0.0.1:5432 (``ONEDOOR_BENCH_PG_ADMIN_URL``), dropped
at the end. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from bench._common import BenchDatabase, pg_available, temporary_database  # noqa: E402
from core import sweep  # noqa: E402
from core.calendar import WorkCalendar  # noqa: E402
from core.db import Database  # noqa: E402
from core.models import Tenant, TierNode  # noqa: E402
from core.plugins import PluginRegistry  # noqa: E402
from core.tiers import NodeRow, plan_tree, sync_levels, sync_tree  # noqa: E402

NOW = datetime(2026, 11, 13, 12, 0, tzinfo=UTC)  # Friday 20:00 in Shanghai: after hours
SENTINEL = NOW - timedelta(days=365)  # "already reminded and urged" in the mark scenario
LOAD_CHUNK = 50_000


def create_tenant(database: Database) -> tuple[int, int]:
    """A tenant with a three-node tree; (tenant id, node id for the cases)."""
    with database.transaction() as session:
        tenant = Tenant(slug="bench", case_code_prefix="BE", config={"names": {"zh_Hans": "b"}})
        session.add(tenant)
        session.flush()
        session.bind_tenant(tenant.id)
        levels = sync_levels(session, [{"code": c} for c in ("city", "county", "town")])
        rows = [NodeRow("b-root", "city", "city"), NodeRow("b-c1", "county", "c", "b-root"),
                NodeRow("b-t1", "town", "t", "b-c1")]
        sync_tree(session, plan_tree(rows, {c: lv.rank for c, lv in levels.items()}), levels)
        tenant_id = tenant.id
        node = session.scalar(select(func.max(TierNode.id)))
    return tenant_id, node


def _stamp(moment: datetime, backend: str) -> object:
    # SQLAlchemy stores SQLite timestamps as naive UTC text in this exact format.
    if backend == "sqlite":
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return moment


def generate(cases: int, overdue: float,
             seed: int = 20261113) -> Iterator[tuple[int, datetime, str]]:
    """(case id, due moment, risk) for every case, deterministic."""
    rng = random.Random(seed)
    soon = 0.05
    for case_id in range(1, cases + 1):
        draw = rng.random()
        if draw < overdue:
            due = NOW - timedelta(seconds=rng.randint(60, 30 * 86_400))
        elif draw < overdue + soon:
            due = NOW + timedelta(seconds=rng.randint(60, 23 * 3600))
        else:
            due = NOW + timedelta(seconds=rng.randint(2 * 86_400, 60 * 86_400))
        yield case_id, due, "red" if rng.random() < 0.02 else "blue"


CASE_COLUMNS = ("id", "code", "case_type", "category", "channel", "demand_type", "title",
                "description", "location_node_id", "node_id", "address", "people_involved",
                "is_group", "risk", "risk_reasons", "status", "rung", "dispatch_count",
                "escalations", "reopened", "details", "window_type", "registered_by",
                "registered_at", "due_at", "overdue", "version", "tenant_id", "changed_at")
DEADLINE_COLUMNS = ("id", "case_id", "rule", "started_at", "due_at", "state", "paused_seconds",
                    "calendar_version", "tenant_id")


def load(bench: BenchDatabase, tenant_id: int, node: int, cases: int, overdue: float) -> float:
    """Bulk-load the cases and their clocks as the owner; returns seconds."""
    start = time.perf_counter()
    version = WorkCalendar().version
    owner = create_engine(bench.owner_url)
    backend = bench.backend
    registered = _stamp(NOW - timedelta(days=40), backend)
    empty_json = "[]"
    try:
        raw = owner.raw_connection()
        try:
            cursor = raw.cursor()
            case_rows, clock_rows = [], []

            def flush() -> None:
                if backend == "sqlite":
                    marks = ", ".join("?" * len(CASE_COLUMNS))
                    cursor.executemany(f"INSERT INTO cases ({', '.join(CASE_COLUMNS)}) "
                                       f"VALUES ({marks})", case_rows)
                    marks = ", ".join("?" * len(DEADLINE_COLUMNS))
                    cursor.executemany(f"INSERT INTO deadlines ({', '.join(DEADLINE_COLUMNS)}) "
                                       f"VALUES ({marks})", clock_rows)
                else:
                    pg = raw.driver_connection
                    with pg.cursor() as cur:
                        with cur.copy(f"COPY cases ({', '.join(CASE_COLUMNS)}) FROM STDIN") as cp:
                            for row in case_rows:
                                cp.write_row(row)
                        with cur.copy(f"COPY deadlines ({', '.join(DEADLINE_COLUMNS)}) "
                                      "FROM STDIN") as cp:
                            for row in clock_rows:
                                cp.write_row(row)
                case_rows.clear()
                clock_rows.clear()

            for case_id, due, risk in generate(cases, overdue):
                stamp = _stamp(due, backend)
                case_rows.append((
                    case_id, f"BE-2026-{case_id:07d}-X", "general_dispute", "neighbor", "walk_in",
                    "dispute", "邻里纠纷", "", node, node, "", 1, False, risk, empty_json,
                    "in_mediation", 0, 0, 0, 0, "{}", "general_intake", "bench", registered,
                    stamp, False, 1, tenant_id, registered))
                clock_rows.append((case_id, case_id, "general_mediation",
                                   _stamp(due - timedelta(days=30), backend), stamp, "running",
                                   0, version, tenant_id))
                if len(case_rows) >= LOAD_CHUNK:
                    flush()
            flush()
            raw.commit()
        finally:
            raw.close()
        with owner.connect() as conn:
            if backend == "postgresql":
                for table in ("cases", "deadlines"):
                    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                      f"(SELECT max(id) FROM {table}))"))
                conn.commit()
        maintain(owner, backend)
    finally:
        owner.dispose()
    return time.perf_counter() - start


def maintain(owner: Engine, backend: str) -> None:
    """ANALYZE (and on PostgreSQL VACUUM): every run starts without the last run's dead rows."""
    if backend == "sqlite":
        with owner.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
        return
    with owner.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ("cases", "deadlines", "supervision_notices", "audit_events"):
            conn.exec_driver_sql(f"VACUUM (ANALYZE) {table}")


def reset(owner: Engine, backend: str, tenant_id: int, stamp: datetime | None) -> None:
    """Undo a run (untimed): clocks running again, reminded/urged as ``stamp``, no notices."""
    value = None if stamp is None else _stamp(stamp, backend)
    with owner.begin() as conn:
        conn.execute(text("UPDATE deadlines SET state = 'running', reminded_at = :s, urged_at = :s "
                          "WHERE tenant_id = :t AND (state <> 'running' "
                          "OR reminded_at IS NOT :s OR urged_at IS NOT :s)" if backend == "sqlite"
                          else
                          "UPDATE deadlines SET state = 'running', reminded_at = :s, urged_at = :s "
                          "WHERE tenant_id = :t AND (state <> 'running' "
                          "OR reminded_at IS DISTINCT FROM CAST(:s AS timestamptz) "
                          "OR urged_at IS DISTINCT FROM CAST(:s AS timestamptz))"),
                     {"t": tenant_id, "s": value})
        conn.execute(text("UPDATE cases SET overdue = false WHERE tenant_id = :t AND overdue"),
                     {"t": tenant_id})
        conn.execute(text("DELETE FROM supervision_notices WHERE tenant_id = :t"), {"t": tenant_id})
        conn.execute(text("DELETE FROM audit_events WHERE tenant_id = :t"), {"t": tenant_id})
    maintain(owner, backend)


def hand_written(app: Engine, backend: str, tenant_id: int, *, full: bool) -> Callable[[], int]:
    """The reference: set-based SQL in one transaction as the application role."""
    now = _stamp(NOW, backend)
    deliver = _stamp(WorkCalendar().next_working_moment(NOW), backend)
    horizon = _stamp(NOW + timedelta(hours=24), backend)
    params = {"t": tenant_id, "now": now, "deliver": deliver, "horizon": horizon}
    if backend == "postgresql":
        marking = [
            "WITH b AS (UPDATE deadlines SET state = 'breached' WHERE tenant_id = :t "
            "AND state = 'running' AND due_at < :now RETURNING case_id) "
            "UPDATE cases SET overdue = true, changed_at = :now WHERE tenant_id = :t "
            "AND NOT overdue AND id IN (SELECT case_id FROM b)"]
    else:
        marking = [
            "UPDATE cases SET overdue = 1, changed_at = :now WHERE tenant_id = :t "
            "AND overdue = 0 AND id IN "
            "(SELECT case_id FROM deadlines WHERE tenant_id = :t AND state = 'running' "
            "AND due_at < :now)",
            "UPDATE deadlines SET state = 'breached' WHERE tenant_id = :t "
            "AND state = 'running' AND due_at < :now"]
    notices = []
    for kind, where, stamp in (
        ("reminder", "d.state = 'running' AND d.due_at >= :now AND d.due_at < :horizon "
                     "AND d.reminded_at IS NULL", "reminded_at"),
        ("urge", "d.state = 'breached' AND d.urged_at IS NULL", "urged_at"),
    ):
        notices.append(
            "INSERT INTO supervision_notices (tenant_id, case_id, kind, number, issued_by, "
            "issued_at, deliver_after, to_node_id, body, deadline_id) "
            f"SELECT d.tenant_id, d.case_id, '{kind}', '', 'system:sweep', :now, "
            "CASE WHEN c.risk = 'red' THEN :now ELSE :deliver END, c.node_id, d.rule, d.id "
            "FROM deadlines d JOIN cases c ON c.tenant_id = d.tenant_id AND c.id = d.case_id "
            f"WHERE d.tenant_id = :t AND {where}")
        notices.append(f"UPDATE deadlines SET {stamp} = :now WHERE id IN (SELECT d.id FROM "
                       f"deadlines d WHERE d.tenant_id = :t AND {where}) AND tenant_id = :t")
    statements = marking + (notices if full else [])

    def run() -> int:
        changed = 0
        with app.begin() as conn:
            if backend == "postgresql":
                conn.execute(text("SELECT set_config('app.tenant_id', :t, true)"),
                             {"t": str(tenant_id)})
            for statement in statements:
                changed += conn.execute(text(statement), params).rowcount
        return changed

    return run


def scenario(bench: BenchDatabase, tenant_id: int, name: str, runs: int,
             batch_size: int) -> dict[str, object]:
    """Time the sweep and its hand-written reference, alternating, resetting between runs."""
    full = name == "full"
    stamp = None if full else SENTINEL
    owner = create_engine(bench.owner_url)
    app = create_engine(bench.app_url)
    database = Database(bench.app_url)
    reference = hand_written(app, bench.backend, tenant_id, full=full)
    times: dict[str, list[float]] = {"sweep": [], "sql": [], "checked": []}
    phases: list[dict[str, float]] = []
    counts: dict[str, int] = {}
    try:
        reset(owner, bench.backend, tenant_id, stamp)
        # The first sweep of a process does the full check (recompute probe); the steady
        # state, timed as "sweep", skips it for an hour. Warm the memo, untimed.
        sweep.sweep(database, tenant_id, NOW, batch_size=batch_size)
        reset(owner, bench.backend, tenant_id, stamp)

        def time_sweep() -> None:
            start = time.perf_counter()
            result = sweep.sweep(database, tenant_id, NOW, batch_size=batch_size)
            times["sweep"].append(time.perf_counter() - start)
            phases.append(result.seconds)
            counts.update(result.counts)

        def time_checked() -> None:
            start = time.perf_counter()
            sweep.sweep(database, tenant_id, NOW, batch_size=batch_size,
                      full_check_every=timedelta(0))
            times["checked"].append(time.perf_counter() - start)

        def time_sql() -> None:
            start = time.perf_counter()
            reference()
            times["sql"].append(time.perf_counter() - start)

        contenders = [time_sql, time_sweep] + ([time_checked] if not full else [])
        for round_ in range(runs):
            shift = round_ % len(contenders)
            for fn in contenders[shift:] + contenders[:shift]:
                fn()
                reset(owner, bench.backend, tenant_id, stamp)
    finally:
        database.dispose()
        app.dispose()
        owner.dispose()
    sweep_s, sql_s = statistics.median(times["sweep"]), statistics.median(times["sql"])
    checked = statistics.median(times["checked"]) if times["checked"] else None
    return {
        "scenario": name, "sweep": sweep_s, "sql": sql_s, "ratio": sweep_s / sql_s,
        "checked": checked, "checked_runs": times["checked"],
        "sweep_runs": times["sweep"], "sql_runs": times["sql"], "counts": counts,
        "phases": {k: statistics.median(p[k] for p in phases) for k in phases[0]},
    }


def run_backend(backend: str, cases: int, runs: int, overdue: float, batch_size: int,
                scenarios: tuple[str, ...] = ("mark", "full")) -> None:
    """Build, load and measure one backend; print its figures."""
    with temporary_database(backend, PluginRegistry()) as bench:
        database = Database(bench.app_url)
        try:
            tenant_id, node = create_tenant(database)
        finally:
            database.dispose()
        seconds = load(bench, tenant_id, node, cases, overdue)
        print(f"\n== {backend}: {cases:,} open cases, one clock each, "
              f"{overdue:.0%} past due; loaded in {seconds:.1f}s ==")
        for name in scenarios:
            figures = scenario(bench, tenant_id, name, runs, batch_size)
            c = figures["counts"]
            label = "ONE UPDATE" if name == "mark" else "hand SQL "
            print(f"[{name}] breached {c['breached']:,}, overdue cases {c['overdue_cases']:,}, "
                  f"reminders {c['reminders']:,}, urges {c['urges']:,}, "
                  f"{c['batches']} batches of ≤{batch_size:,}")
            print(f"  sweep()     {figures['sweep']:8.3f} s  (runs: "
                  f"{', '.join(f'{s:.3f}' for s in figures['sweep_runs'])})")
            print(f"  {label}  {figures['sql']:8.3f} s  (runs: "
                  f"{', '.join(f'{s:.3f}' for s in figures['sql_runs'])})")
            print(f"  ratio sweep / reference: {figures['ratio']:.2f}"
                  + ("   (target ≤ 2)" if name == "mark" else ""))
            if figures["checked"] is not None:
                checked = figures["checked"]
                print(f"  sweep() with its full check (hourly, or after a calendar change): "
                      f"{checked:.3f} s, ratio {checked / figures['sql']:.2f}  (runs: "
                      f"{', '.join(f'{s:.3f}' for s in figures['checked_runs'])})")
            phases = ", ".join(f"{k} {v:.3f}s" for k, v in figures["phases"].items())
            print(f"  sweep phases (median, inside transactions): {phases}")


def main() -> None:
    """Parse options and run the chosen backends."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3, help="rounds per scenario")
    parser.add_argument("--overdue", type=float, default=0.10, help="share past due")
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--scenario", choices=("mark", "full", "both"), default="both")
    args = parser.parse_args()
    scenarios = ("mark", "full") if args.scenario == "both" else (args.scenario,)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        if backend == "postgresql" and (problem := pg_available()) is not None:
            print(f"\n== postgresql: skipped, server not reachable ({problem}) ==")
            continue
        run_backend(backend, args.cases, args.runs, args.overdue, args.batch_size, scenarios)


if __name__ == "__main__":
    main()
