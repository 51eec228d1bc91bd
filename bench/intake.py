"""Intake of a case with two parties through the service, against a bare insert of its rows.

(a) ``cases.register`` — validation, the case code, deadlines, risk (with the repeat-party
    query), one audit event and the plugin hooks, one transaction per case — in cases/s, and a
    bare SQLAlchemy Core insert of the same rows in the same run: the case row, its two party
    rows, its deadline row and one audit row (what the service writes for a ``general_dispute``
    of the haizhou tenant, besides bumping the tenant's case-number row), one transaction per
    case, values prepared beforehand (PII already encrypted). The two alternate in rounds, so a
    busy machine slows both alike, and table statistics are refreshed between rounds (untimed),
    as autovacuum does on a production server. Target ratio service / bare ≥ 0.5.

(b) Intake cost must not grow with the size of the tables: the tenant is filled with background
    cases (each with two parties with their own random blind indexes, one deadline and one audit
    event, so every index the intake touches has its realistic size), bulk-generated inside the
    database (a recursive CTE on SQLite, ``generate_series`` on PostgreSQL), its statistics
    refreshed and a checkpoint taken (untimed), then intake is measured at each size given by
    ``--background`` (default 10,000 and 1,000,000 existing cases). Target ratio of the rates,
    largest / smallest ≥ 0.8. Each chunk of intakes is followed by a chunk of bare inserts, and
    the ratio is also printed relative to them: this machine's speed drifts by up to 2× over
    minutes, which the relative figure cancels. Loading stops, and says so, when it would take
    longer than ``--load-budget`` seconds (default 600) per backend.

The tenant is haizhou from ``tenants/haizhou/tenant.toml`` (applied with core.tenantconfig);
the service runs as the application role (row-level security on, on PostgreSQL) through
:class:`core.db.Database`, and so does the bare insert. PostgreSQL uses a temporary database on
127.0.0.1:5432 (``ONEDOOR_BENCH_PG_ADMIN_URL``), dropped at the end. Figures are printed, never
asserted.

    python bench/intake.py [--backend sqlite|postgresql|both] [--cases 2000]
                           [--background 10000,1000000] [--measure 1000] [--rounds 10]
                           [--load-budget 600]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, insert, select, text  # noqa: E402

from bench._common import BenchDatabase, pg_available, temporary_database  # noqa: E402
from bench.sweep import create_tenant  # noqa: E402
from core import cases, pii, sla  # noqa: E402
from core.calendar import WorkCalendar  # noqa: E402
from core.db import Database  # noqa: E402
from core.models import AuditEvent, Case, Deadline, Party, TierLevel, TierNode  # noqa: E402
from core.plugins import PluginRegistry  # noqa: E402
from core.tenancy import TenantContext, TenantDirectory  # noqa: E402
from core.tenantconfig.apply import apply  # noqa: E402
from core.tenantconfig.loader import load  # noqa: E402
from core.workflow import INTAKE, Actor  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # a Monday, 10:00 in Shanghai
VAULT = pii.Vault("bench-secret-for-pii-0123456789")
CLERK = Actor("bench-clerk", INTAKE)
LOAD_CHUNK = 100_000


# --- input ---------------------------------------------------------------------------------------


def id_number(body: str) -> str:
    """A GB 11643 identity number: ``body`` (17 digits) and its check character."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


def intake(n: int, node: str) -> dict[str, Any]:
    """The ``n``-th intake: a neighbor dispute with an applicant and a respondent, both new
    people (so the repeat-party query searches and finds nothing, as for most intakes)."""
    born = datetime(1950, 1, 1) + timedelta(days=n % 18_000)
    return {
        "case_type": "general_dispute",
        "category": "neighbor",
        "channel": "walk_in",
        "title": "楼上漏水引发邻里纠纷",
        "description": "多次协商未果，申请调解",
        "location_node": node,
        "people_involved": 2,
        "parties": [
            {"role": "applicant", "name": "张三", "address": "海州区鼓楼社区",
             "id_number": id_number(f"320706{born:%Y%m%d}{n // 18_000 % 1000:03d}"),
             "phone": f"139{n:08d}"},
            {"role": "respondent", "name": "李四", "phone": f"158{n:08d}"},
        ],
    }


# --- setup ---------------------------------------------------------------------------------------


def setup(bench: BenchDatabase, registry: PluginRegistry) -> tuple[Database, TenantContext, str]:
    """Apply tenants/haizhou; the app-role database, its context and a community node code."""
    database = Database(bench.app_url)
    apply(database, registry, load(ROOT / "tenants" / "haizhou", registry), actor="bench")
    tenant = TenantDirectory(database, registry).get("haizhou")
    ladder = cases.ladder(tenant)
    with database.transaction(tenant.id) as session:
        node = session.scalar(
            select(TierNode.code).join(TierLevel, TierLevel.id == TierNode.level_id)
            .where(TierLevel.code == ladder[0].level).order_by(TierNode.code).limit(1))
    return database, tenant, node


def service_intake(database: Database, tenant: TenantContext,
                   inputs: list[dict[str, Any]]) -> float:
    """Register ``inputs`` through the service, one transaction each; seconds taken."""
    start = time.perf_counter()
    for data in inputs:
        with database.transaction(tenant.id) as session:
            cases.register(session, tenant, data, CLERK, vault=VAULT, now=NOW)
    return time.perf_counter() - start


class BareInsert:
    """The same rows through SQLAlchemy Core, one transaction per case, into tenant ``bench``
    (its own audit sequence, so the two contenders never share a chain)."""

    def __init__(self, database: Database) -> None:
        self.tenant_id, self.node_id = create_tenant(database)
        # The service's own engine (same pool, same SQLite pragmas such as foreign_keys=ON),
        # used through plain Core connections: no ORM, no tenant-session machinery.
        self.engine = database.engine
        self.postgresql = database.is_postgresql
        self.made = 0
        self.version = WorkCalendar().version  # the bench tenant has the default calendar

    def rows(self, n: int) -> list[dict[str, Any]]:
        """Prepared rows of ``n`` cases (encryption and indexes computed here, untimed)."""
        prepared = []
        for i in range(self.made, self.made + n):
            data = intake(i, "")
            parties = []
            for party in data["parties"]:
                row = {"role": party["role"], "kind": "person", "name": party["name"],
                       "address": party.get("address", ""), "tenant_id": self.tenant_id,
                       "id_masked": "", "phone_masked": pii.mask_phone(party["phone"])}
                for kind in ("id_number", "phone"):
                    value = party.get(kind)
                    stem = "id" if kind == "id_number" else "phone"
                    row[f"{stem}_encrypted"] = value and VAULT.encrypt(
                        value, context=f"{self.tenant_id}:party.{kind}")
                    row[f"{stem}_index"] = value and VAULT.blind_index(
                        value, tenant_id=self.tenant_id, kind=kind)
                parties.append(row)
            prepared.append({"code": f"BE-2026-{i + 1:06d}-X", "parties": parties, "seq": i + 1})
        self.made += n
        return prepared

    def run(self, prepared: list[dict[str, Any]]) -> float:
        """Insert ``prepared``; seconds taken."""
        due = NOW + timedelta(days=1)
        start = time.perf_counter()
        for item in prepared:
            with self.engine.begin() as conn:
                if self.postgresql:
                    conn.execute(text("SELECT set_config('app.tenant_id', :t, true)"),
                                 {"t": str(self.tenant_id)})
                case_id = conn.execute(insert(Case.__table__).values(
                    tenant_id=self.tenant_id, code=item["code"], case_type="general_dispute",
                    category="neighbor", channel="walk_in", demand_type="dispute",
                    title="楼上漏水引发邻里纠纷", description="多次协商未果，申请调解",
                    location_node_id=self.node_id, node_id=self.node_id, address="",
                    people_involved=2, is_group=False, risk="blue", risk_reasons=[],
                    status="registered", rung=0, dispatch_count=0, escalations=0, reopened=0,
                    details={"_intake_fingerprint": "0" * 64}, window_type="general_intake",
                    registered_by=CLERK.name, registered_at=NOW, due_at=due, overdue=False,
                    version=1,
                ).returning(Case.__table__.c.id)).scalar_one()
                conn.execute(insert(Party.__table__),
                             [{**row, "case_id": case_id} for row in item["parties"]])
                conn.execute(insert(Deadline.__table__).values(
                    tenant_id=self.tenant_id, case_id=case_id, rule="general_accept",
                    started_at=NOW, due_at=due, state="running", paused_seconds=0,
                    calendar_version=self.version))
                conn.execute(insert(AuditEvent.__table__).values(
                    tenant_id=self.tenant_id, seq=item["seq"], at=NOW, actor=CLERK.name,
                    action="case.registered", object_type="case", object_id=item["code"],
                    data={"case_type": "general_dispute"}, prev_hash="0" * 64,
                    hash=f"{item['seq']:064x}"))
        return time.perf_counter() - start



# --- (a) service against bare insert -------------------------------------------------------------


def compare(database: Database, tenant: TenantContext, node: str, bare: BareInsert,
            total: int, rounds: int, first: int, background: Background) -> dict[str, Any]:
    """``total`` cases each way in ``rounds`` alternating rounds; rates and their ratio.

    Statistics are refreshed before every round, untimed, as autovacuum would refresh them on
    a production server (the PostgreSQL of this machine runs with autovacuum off): plans
    cached while the tables held a handful of rows would otherwise be kept while they grow.
    """
    per_round = max(1, total // rounds)
    service_s = bare_s = 0.0
    ratios = []
    made = first
    for round_ in range(rounds):
        background.maintain()
        inputs = [intake(made + i, node) for i in range(per_round)]
        made += per_round
        prepared = bare.rows(per_round)
        if round_ % 2:
            b, s = bare.run(prepared), service_intake(database, tenant, inputs)
        else:
            s, b = service_intake(database, tenant, inputs), bare.run(prepared)
        service_s += s
        bare_s += b
        ratios.append(b / s)
    n = per_round * rounds
    return {"n": n, "service": n / service_s, "bare": n / bare_s,
            "ratio": (n / service_s) / (n / bare_s), "round_ratios": ratios, "made": made}


# --- (b) background load -------------------------------------------------------------------------

_SQLITE_LOAD = """
WITH RECURSIVE g(i) AS (SELECT :lo UNION ALL SELECT i + 1 FROM g WHERE i < :hi)
INSERT INTO {table} ({columns})
SELECT {values} FROM g
"""
_PG_SERIES = "generate_series(CAST(:lo AS integer), CAST(:hi AS integer)) AS g(i)"
_PG_LOAD = "INSERT INTO {table} ({columns}) SELECT {values} FROM " + _PG_SERIES


def _background_sql(backend: str) -> list[str]:
    """One INSERT … SELECT per table; rows ``i`` in [lo, hi] (ids offset by ``:off_*``)."""
    sqlite = backend == "sqlite"
    hexa = "lower(hex(randomblob(32)))" if sqlite else "md5(random()::text) || md5(random()::text)"
    pad = "printf('%07d', :off_cases + i)" if sqlite else "lpad((:off_cases + i)::text, 7, '0')"
    cat = "||"
    if sqlite:
        at = "strftime('%Y-%m-%d %H:%M:%S', :base, (0 - i % 400) || ' days') || '.000000'"
        due = "strftime('%Y-%m-%d %H:%M:%S', :base, (1 - i % 400) || ' days') || '.000000'"
        false = "0"
    else:
        at = "CAST(:base AS timestamptz) - (i % 400) * interval '1 day'"
        due = "CAST(:base AS timestamptz) - (i % 400 - 1) * interval '1 day'"
        false = "false"
    status = ("CASE WHEN i % 10 < 6 THEN 'archived' WHEN i % 10 = 6 THEN 'closed' "
              "WHEN i % 10 = 7 THEN 'in_mediation' WHEN i % 10 = 8 THEN 'accepted' "
              "ELSE 'registered' END")
    node = "CASE i % 3 WHEN 0 THEN :node0 WHEN 1 THEN :node1 ELSE :node2 END"
    template = _SQLITE_LOAD if sqlite else _PG_LOAD
    tables = {
        "cases": {
            "id": ":off_cases + i", "tenant_id": ":tenant",
            "code": f"'HAIZ-2025-' {cat} {pad} {cat} '-X'",
            "case_type": "'general_dispute'", "category": "'neighbor'", "channel": "'walk_in'",
            "demand_type": "'dispute'", "title": "'邻里纠纷'", "description": "'历史案件'",
            "location_node_id": node, "node_id": node, "address": "''",
            "people_involved": "2", "is_group": false, "risk": "'blue'", "risk_reasons": "'[]'",
            "status": status, "rung": "0", "dispatch_count": "1", "escalations": "0",
            "reopened": "0", "details": "'{}'", "window_type": "'general_intake'",
            "registered_by": "'history'", "registered_at": at,
            "due_at": f"CASE WHEN i % 10 = 9 THEN {due} END", "overdue": false,
            "version": "3",
        },
        "parties": {
            "id": ":off_parties + 2 * i + r", "tenant_id": ":tenant",
            "case_id": ":off_cases + i",
            "role": "CASE r WHEN 0 THEN 'applicant' ELSE 'respondent' END",
            "kind": "'person'", "name": "'王某'",
            "id_encrypted": "CASE r WHEN 0 THEN :cipher END",
            "id_index": f"CASE r WHEN 0 THEN {hexa} END",
            "id_masked": "CASE r WHEN 0 THEN '320***********1234' ELSE '' END",
            "phone_encrypted": ":cipher", "phone_index": hexa, "phone_masked": "'139****0000'",
            "address": "''",
        },
        "deadlines": {
            "id": ":off_deadlines + i", "tenant_id": ":tenant", "case_id": ":off_cases + i",
            "rule": "'general_accept'", "started_at": at, "due_at": due,
            "state": "CASE WHEN i % 10 = 9 THEN 'running' ELSE 'met' END",
            "met_at": f"CASE WHEN i % 10 = 9 THEN NULL ELSE {at} END",
            "paused_seconds": "0", "calendar_version": ":version",
        },
        "audit_events": {
            "id": ":off_audit + i", "tenant_id": ":tenant", "seq": ":off_seq + i", "at": at,
            "actor": "'history'", "action": "'case.registered'", "object_type": "'case'",
            "object_id": f"'HAIZ-2025-' {cat} {pad} {cat} '-X'", "data": "'{}'",
            "prev_hash": hexa, "hash": hexa,
        },
    }
    statements = []
    for table, columns in tables.items():
        values = ", ".join(columns.values())
        sql = template.format(table=table, columns=", ".join(columns), values=values)
        if table == "parties":  # two rows per case
            if sqlite:
                sql = sql.replace("FROM g\n", "FROM g, (SELECT 0 AS r UNION ALL SELECT 1) AS p\n")
            else:
                sql = sql.replace(f"FROM {_PG_SERIES}",
                                  f"FROM {_PG_SERIES}, (VALUES (0), (1)) AS p(r)")
        statements.append(sql)
    return statements


class Background:
    """Generated history in the haizhou tenant, loaded as the table owner."""

    def __init__(self, bench: BenchDatabase, database: Database, tenant: TenantContext) -> None:
        self.backend = bench.backend
        self.owner = create_engine(bench.owner_url)
        self.tenant = tenant
        self.loaded = 0
        self.statements = _background_sql(bench.backend)
        with database.transaction(tenant.id) as session:
            nodes = session.scalars(
                select(TierNode.id).join(TierLevel, TierLevel.id == TierNode.level_id)
                .where(TierLevel.code == cases.ladder(tenant)[0].level)
                .order_by(TierNode.id).limit(3)).all()
        self.nodes = {f"node{i}": nodes[i % len(nodes)] for i in range(3)}
        self.cipher = VAULT.encrypt("13900000000", context=f"{tenant.id}:party.phone")
        self.version = sla.calendar_for(tenant).version

    def count(self) -> int:
        with self.owner.connect() as conn:
            return conn.scalar(text("SELECT count(*) FROM cases"))

    def grow(self, target: int, deadline: float) -> tuple[int, float, bool]:
        """Add background cases until ``target`` cases exist or ``deadline`` (perf_counter)
        would be passed; (cases now, seconds spent, whether the target was reached)."""
        start = time.perf_counter()
        while (have := self.count()) < target:
            n = min(LOAD_CHUNK, target - have)
            tick = time.perf_counter()
            self._chunk(n)
            took = time.perf_counter() - tick
            remaining = target - have - n
            if remaining and tick + took + took * remaining / n > deadline:
                print(f"    … stopped loading at {have + n:,} cases: {took:.1f}s per "
                      f"{n:,}, the remaining {remaining:,} would pass the load budget")
                self.maintain()
                return have + n, time.perf_counter() - start, False
            print(f"    loaded {have + n:,} cases ({took:.1f}s for the last {n:,})", flush=True)
        self.maintain()
        return self.count(), time.perf_counter() - start, True

    def _chunk(self, n: int) -> None:
        with self.owner.begin() as conn:
            offsets = {
                f"off_{name}": conn.scalar(text(f"SELECT coalesce(max(id), 0) FROM {table}"))
                for name, table in (("cases", "cases"), ("parties", "parties"),
                                    ("deadlines", "deadlines"), ("audit", "audit_events"))
            }
            offsets["off_seq"] = conn.scalar(text(
                "SELECT coalesce(max(seq), 0) FROM audit_events WHERE tenant_id = :t"),
                {"t": self.tenant.id})
            params = {"lo": 1, "hi": n, "tenant": self.tenant.id, "cipher": self.cipher,
                      "version": self.version, "base": _base(self.backend), **self.nodes,
                      **offsets}
            for statement in self.statements:
                names = set(_params(statement))
                conn.execute(text(statement), {k: v for k, v in params.items() if k in names})
            if self.backend == "postgresql":
                for table in ("cases", "parties", "deadlines", "audit_events"):
                    conn.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"))
        self.loaded += n

    def maintain(self) -> None:
        """Fresh statistics, as a production database would have (and VACUUM on PostgreSQL),
        then a checkpoint: the pages a load of 100,000s of rows dirtied are written out now,
        untimed, instead of by the checkpointer while intake is being timed (which slowed
        every commit, the bare insert's too, by up to a third at 1,000,000 cases)."""
        if self.backend == "sqlite":
            with self.owner.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            return
        with self.owner.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in ("cases", "parties", "deadlines", "audit_events", "case_sequences"):
                conn.exec_driver_sql(f"VACUUM (ANALYZE) {table}")
            conn.exec_driver_sql("CHECKPOINT")  # the bench's admin role is a superuser

    def dispose(self) -> None:
        self.owner.dispose()


def _base(backend: str) -> Any:
    moment = NOW - timedelta(days=1)
    return moment.strftime("%Y-%m-%d %H:%M:%S") if backend == "sqlite" else moment


def _params(sql: str) -> list[str]:
    return re.findall(r"(?<!:):([a-z_0-9]+)", sql)


def measure(database: Database, tenant: TenantContext, node: str, bare: BareInsert,
            first: int, n: int, chunks: int = 5) -> dict[str, Any]:
    """Intake at the current size: ``chunks`` chunks of ``n`` intakes in all, each followed by
    a chunk of bare inserts of the same size (so that a machine slower for a while shows in
    both); median rates (cases/s) and the median chunk-by-chunk ratio service / bare."""
    service_intake(database, tenant, [intake(first + i, node) for i in range(20)])
    bare.run(bare.rows(20))
    first += 20
    size = max(1, n // chunks)
    service, plain = [], []
    for c in range(chunks):
        inputs = [intake(first + c * size + i, node) for i in range(size)]
        service.append(size / service_intake(database, tenant, inputs))
        plain.append(size / bare.run(bare.rows(size)))
    return {"service": statistics.median(service), "chunks": service,
            "bare": statistics.median(plain),
            "relative": statistics.median(s / b for s, b in zip(service, plain, strict=True))}


# --- driver --------------------------------------------------------------------------------------


def run_backend(backend: str, args: argparse.Namespace) -> None:
    """Everything for one backend; prints its figures."""
    registry = PluginRegistry()
    with temporary_database(backend, registry) as bench:
        database, tenant, node = setup(bench, registry)
        bare = BareInsert(database)
        background = Background(bench, database, tenant)
        try:
            print(f"\n== {backend}: tenant haizhou (tenants/haizhou/tenant.toml), intake at "
                  f"community node {node} ==")
            warm = [intake(10_000_000 + i, node) for i in range(20)]
            service_intake(database, tenant, warm)
            bare.run(bare.rows(20))
            a = compare(database, tenant, node, bare, args.cases, args.rounds, 0, background)
            print(f"(a) {a['n']:,} intakes each way, {args.rounds} alternating rounds")
            print(f"  cases.register  {a['service']:8.1f} cases/s")
            print(f"  bare insert     {a['bare']:8.1f} cases/s  (case, 2 parties, 1 deadline, "
                  "1 audit row; one transaction per case)")
            print(f"  ratio service / bare: {a['ratio']:.2f}   (target ≥ 0.5; per round "
                  f"{min(a['round_ratios']):.2f}–{max(a['round_ratios']):.2f})")
            made = a["made"]
            print(f"(b) intake at growing table sizes ({args.measure:,} intakes each, median "
                  f"of 5 chunks; budget {args.load_budget:.0f}s for loading)")
            deadline = time.perf_counter() + args.load_budget
            figures: list[tuple[int, dict[str, Any]]] = []
            for target in args.background:
                have, seconds, reached = background.grow(target, deadline)
                m = measure(database, tenant, node, bare, made, args.measure)
                made += args.measure + 40
                figures.append((have, m))
                print(f"  {have:>9,} existing cases (loaded in {seconds:.0f}s): "
                      f"{m['service']:7.1f} cases/s  (chunks "
                      f"{', '.join(f'{r:.0f}' for r in m['chunks'])}); bare insert "
                      f"{m['bare']:.0f}/s alongside, service / bare {m['relative']:.2f}",
                      flush=True)
                if not reached:
                    print(f"  target {target:,} not reached within the load budget on this "
                          "machine; figures above are at the size reached")
                    break
            if len(figures) > 1:
                (small_n, small), (large_n, large) = figures[0], figures[-1]
                print(f"  ratio at {large_n:,} / at {small_n:,}: "
                      f"{large['service'] / small['service']:.2f}   (target ≥ 0.8; "
                      f"relative to the bare insert measured alongside: "
                      f"{large['relative'] / small['relative']:.2f})")
        finally:
            background.dispose()
            database.dispose()


def main() -> None:
    """Parse options and run the chosen backends."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--cases", type=int, default=2000, help="intakes each way in (a)")
    parser.add_argument("--rounds", type=int, default=10, help="alternating rounds in (a)")
    parser.add_argument("--background", default="10000,1000000",
                        help="existing cases at which (b) measures, comma-separated")
    parser.add_argument("--measure", type=int, default=1000, help="intakes per size in (b)")
    parser.add_argument("--load-budget", type=float, default=600,
                        help="seconds of background loading allowed per backend")
    args = parser.parse_args()
    args.background = sorted(int(x.replace("_", "")) for x in args.background.split(",") if x)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        if backend == "postgresql" and (problem := pg_available()) is not None:
            print(f"\n== postgresql: skipped, server not reachable ({problem}) ==")
            continue
        run_backend(backend, args)


if __name__ == "__main__":
    main()

