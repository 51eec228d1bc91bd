"""Subtree queries on a 100,000-node tier tree: the ORM path against direct indexed SQL.

Builds, for each backend, two tenants with a 100,000-node six-level tree each (same codes in
both, so only ``tenant_id`` tells them apart): 1 city → 10 counties → ~15 towns each → ~20
villages each → 4 grids each → micro-grids until the node count is reached. Then it times, as
the median of N runs with ``time.perf_counter``, inside one tenant transaction:

* ``orm objects`` — ``session.scalars(core.tiers.subtree_query(node)).all()`` through a tenant
  session (layer-1 criteria added by the ``do_orm_execute`` hook; TierNode objects hydrated,
  with their joined-eager ``level``);
* ``orm ids`` — ``session.scalars(core.tiers.subtree_ids(node)).all()``, same session;
* ``plain ids`` — the same ids query with an explicit tenant filter on a plain ``Session`` on
  the same connection (no tenant hook): how much of the ORM's cost is layer 1's;
* ``direct`` — ``SELECT id FROM tier_nodes WHERE tenant_id=:t AND path >= :lo AND path < :hi``
  as text on the same connection (the session's), all rows fetched;
* ``dbapi`` — the same SQL on the raw DBAPI cursor of that connection, for reference;

for a county subtree (~10,000 nodes) and a village subtree (~30 nodes), and prints the ratios to
``direct`` (target ≤ 2). It also prints the query plans (SQLite ``EXPLAIN QUERY PLAN``,
PostgreSQL ``EXPLAIN ANALYZE``) of the SQL the ORM actually sent and of the direct SQL. On
PostgreSQL the queries run as a non-owner application role, so row-level security is on for
both paths alike.

    python bench/subtree.py [--backend sqlite|postgresql|both] [--nodes 100000] [--runs 15]

PostgreSQL uses a temporary database on 127.0.0.1:5432 (``ONEDOOR_BENCH_PG_ADMIN_URL``), dropped
at the end. No figure is asserted: this is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench._common import (  # noqa: E402
    interleaved_seconds,
    median_ratio,
    pg_available,
    temporary_database,
)
from core.db import Database  # noqa: E402
from core.models import Tenant, TierNode  # noqa: E402
from core.plugins import PluginRegistry  # noqa: E402
from core.tiers import (  # noqa: E402
    DEFAULT_LEVELS,
    NodeRow,
    get_node,
    plan_tree,
    subtree_bounds,
    subtree_ids,
    subtree_query,
    sync_levels,
    sync_tree,
)

DIRECT_SQL = "SELECT id FROM tier_nodes WHERE tenant_id = :t AND path >= :lo AND path < :hi"
CITY = "330900"


def build_rows(nodes: int, seed: int = 20241123) -> list[NodeRow]:
    """A realistic six-level tree of exactly ``nodes`` nodes (fewer levels if ``nodes`` is small).

    Counts per parent vary a little (seeded), like real administrative divisions.
    """
    rng = random.Random(seed)
    rows = [NodeRow(code=CITY, level="city", name="舟山市")]

    def add(code: str, level: str, name: str, parent: str) -> bool:
        if len(rows) >= nodes:
            return False
        rows.append(NodeRow(code=code, level=level, name=name, parent=parent))
        return True

    counties = [f"3309{c:02d}" for c in range(1, 11)]
    for n, county in enumerate(counties, start=1):
        add(county, "county", f"县区{n}", CITY)
    towns = []
    for county in counties:
        for t in range(1, rng.randint(12, 18) + 1):
            if add(f"{county}{t:03d}", "town", f"乡镇{t}", county):
                towns.append(f"{county}{t:03d}")
    villages = []
    for town in towns:
        for v in range(1, rng.randint(17, 23) + 1):
            if add(f"{town}{v:03d}", "village", f"村社区{v}", town):
                villages.append(f"{town}{v:03d}")
    grids = []
    for village in villages:
        for g in range(1, 5):
            if add(f"{village}{g:02d}", "grid", f"网格{g}", village):
                grids.append(f"{village}{g:02d}")
    index = 0
    while grids and len(rows) < nodes:
        grid = grids[index % len(grids)]
        number = index // len(grids) + 1
        add(f"{grid}{number:03d}", "micro_grid", f"微网格{number}", grid)
        index += 1
    return rows


def create_tenant(database: Database, slug: str, rows: list[NodeRow]) -> tuple[int, float]:
    """Create tenant ``slug`` with ``rows`` through :func:`core.tiers.sync_tree`; (id, seconds)."""
    start = time.perf_counter()
    with database.transaction() as session:
        tenant = Tenant(slug=slug, case_code_prefix=slug[:2].upper(),
                        config={"names": {"zh_Hans": slug}})
        session.add(tenant)
        session.flush()
        session.bind_tenant(tenant.id)
        levels = sync_levels(session, [{"code": c} for c in DEFAULT_LEVELS])
        planned = plan_tree(rows, {code: level.rank for code, level in levels.items()})
        sync_tree(session, planned, levels)
        tenant_id = tenant.id
    return tenant_id, time.perf_counter() - start


@dataclass
class Figures:
    backend: str
    label: str
    rows: int
    orm_objects: float
    orm_ids: float
    orm_plain_ids: float
    direct: float
    dbapi: float
    objects_ratio: float
    ids_ratio: float
    plain_ratio: float


def time_subtree(database: Database, tenant_id: int, code: str, label: str,
                 runs: int) -> tuple[Figures, dict[str, tuple[str, object]]]:
    """Time each way of reading ``code``'s subtree; also return the SQL to explain."""
    captured: dict[str, tuple[str, object]] = {}
    with database.session(tenant_id) as session, session.begin():
        node = get_node(session, code)
        lo, hi = subtree_bounds(node.path)
        params = {"t": tenant_id, "lo": lo, "hi": hi}
        connection = session.connection()
        raw = connection.connection.driver_connection
        dbapi_sql, dbapi_params = _dbapi_form(database, params)
        # Each call builds its statement, as request code does (a reused statement object
        # would keep its cache key memoized and flatter whichever path reuses it).
        def orm_objects():
            return session.scalars(subtree_query(node)).all()

        def fresh_identity_map():
            # Untimed: each timed call hydrates new objects, as a new request would.
            session.expunge_all()

        def orm_ids():
            return session.scalars(subtree_ids(node)).all()

        plain = Session(bind=connection)  # no tenant hook: the ORM's own cost, for reference

        def orm_plain_ids():
            return plain.scalars(select(TierNode.id).where(
                TierNode.tenant_id == tenant_id, TierNode.path >= lo, TierNode.path < hi)).all()

        def direct():
            return connection.execute(text(DIRECT_SQL), params).scalars().all()

        def dbapi():
            cursor = raw.cursor()
            cursor.execute(dbapi_sql, dbapi_params)
            rows = cursor.fetchall()
            cursor.close()
            return rows

        # Same answer every way (a correctness check, not a timing assertion).
        expected = sorted(direct())
        fresh_identity_map()
        assert sorted(o.id for o in orm_objects()) == expected
        assert sorted(orm_ids()) == expected
        assert sorted(orm_plain_ids()) == expected
        assert sorted(r[0] for r in dbapi()) == expected
        assert {o.tenant_id for o in orm_objects()} == {tenant_id}

        # Keep the first statement each way sends, to explain exactly that SQL.
        for name, fn in (("orm objects", orm_objects), ("orm ids", orm_ids),
                         ("direct", direct)):
            sent: list[tuple[str, object]] = []

            def capture(_conn, _cursor, statement, parameters, _context, _many, sent=sent):
                sent.append((statement, parameters))

            event.listen(database.engine, "before_cursor_execute", capture)
            fn()
            event.remove(database.engine, "before_cursor_execute", capture)
            captured[name] = sent[0]

        samples = interleaved_seconds({"orm_objects": orm_objects, "orm_ids": orm_ids,
                                       "orm_plain_ids": orm_plain_ids,
                                       "direct": direct, "dbapi": dbapi}, runs,
                                      setups={"orm_objects": fresh_identity_map})
        figures = Figures(
            database.engine.dialect.name, label, len(expected),
            **{name: statistics.median(values) for name, values in samples.items()},
            objects_ratio=median_ratio(samples["orm_objects"], samples["direct"]),
            ids_ratio=median_ratio(samples["orm_ids"], samples["direct"]),
            plain_ratio=median_ratio(samples["orm_plain_ids"], samples["direct"]),
        )
    return figures, captured


def _dbapi_form(database: Database, params: dict[str, object]) -> tuple[str, object]:
    if database.is_postgresql:
        sql = DIRECT_SQL.replace(":t", "%(t)s").replace(":lo", "%(lo)s").replace(":hi", "%(hi)s")
        return sql, params
    return DIRECT_SQL.replace(":t", "?").replace(":lo", "?").replace(":hi", "?"), \
        (params["t"], params["lo"], params["hi"])


def explain(database: Database, tenant_id: int, captured: dict[str, tuple[str, object]]) -> None:
    """Print the plan of each captured statement, run inside a tenant transaction."""
    with database.session(tenant_id) as session, session.begin():
        connection = session.connection()
        for label, (statement, parameters) in captured.items():
            if database.is_postgresql:
                prefix = "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) "
            else:
                prefix = "EXPLAIN QUERY PLAN "
            plan = connection.exec_driver_sql(prefix + statement, parameters).all()
            print(f"  -- {label}: {' '.join(statement.split())[:220]}")
            for row in plan:
                print(f"     {row[-1]}")


def run_backend(backend: str, nodes: int, runs: int, registry: PluginRegistry) -> list[Figures]:
    """Build both tenants on ``backend`` and measure; returns the figures printed."""
    rows = build_rows(nodes)
    by_level: dict[str, int] = {}
    for row in rows:
        by_level[row.level] = by_level.get(row.level, 0) + 1
    print(f"\n== {backend}: two tenants × {len(rows):,} nodes "
          f"({', '.join(f'{k} {v:,}' for k, v in by_level.items())})")
    with temporary_database(backend, registry) as bench_db:
        database = Database(bench_db.app_url)
        try:
            alpha, seconds = create_tenant(database, "alpha", rows)
            print(f"   loaded tenant alpha with sync_tree in {seconds:.1f} s")
            _beta, seconds = create_tenant(database, "beta", rows)
            print(f"   loaded tenant beta  with sync_tree in {seconds:.1f} s")
            _analyze(bench_db.owner_url, backend)
            county = "330901"
            village = next(r.code for r in rows if r.level == "village"
                           and r.code.startswith(county))
            results = []
            for label, code in (("county", county), ("village", village)):
                figures, captured = time_subtree(database, alpha, code, label, runs)
                results.append(figures)
                print(f"   plans for the {label} subtree ({figures.rows:,} rows):")
                explain(database, alpha, captured)
            return results
        finally:
            database.dispose()


def _analyze(owner_url: str, backend: str) -> None:
    from sqlalchemy import create_engine  # noqa: PLC0415

    engine = create_engine(owner_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("VACUUM ANALYZE tier_nodes" if backend == "postgresql"
                          else "ANALYZE"))
    engine.dispose()


def print_table(results: list[Figures]) -> None:
    """The figures, with the ORM/direct ratios (target ≤ 2)."""
    print("\nmedian ms per query; ratios: median of round-by-round ratios to 'direct' "
          "(target ≤ 2)")
    header = (f"{'backend':<11}{'subtree':<9}{'rows':>7}{'orm objects':>13}{'orm ids':>10}"
              f"{'plain ids':>11}{'direct':>9}{'dbapi':>9}"
              f"{'objects/direct':>16}{'ids/direct':>12}{'plain/direct':>14}")
    print(header)
    print("-" * len(header))
    for f in results:
        print(f"{f.backend:<11}{f.label:<9}{f.rows:>7,}{f.orm_objects * 1e3:>13.3f}"
              f"{f.orm_ids * 1e3:>10.3f}{f.orm_plain_ids * 1e3:>11.3f}{f.direct * 1e3:>9.3f}"
              f"{f.dbapi * 1e3:>9.3f}{f.objects_ratio:>16.2f}{f.ids_ratio:>12.2f}"
              f"{f.plain_ratio:>14.2f}")
    print("plain ids: the same ids query on a plain Session (no tenant hook, explicit tenant "
          "filter): what the ORM costs without layer 1")
    over = [f"{f.backend} {f.label} ({name} {ratio:.2f})" for f in results
            for name, ratio in (("objects", f.objects_ratio), ("ids", f.ids_ratio)) if ratio > 2]
    if over:
        print(f"\nabove the target of 2: {'; '.join(over)}")
    else:
        print("\nevery ratio is within the target of 2")


def main() -> None:
    """Parse arguments, run each backend, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--nodes", type=int, default=100_000, help="nodes per tenant")
    parser.add_argument("--runs", type=int, default=21,
                        help="timed rounds per figure (all ways interleaved)")
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    registry = PluginRegistry()
    results: list[Figures] = []
    for backend in backends:
        if backend == "postgresql" and (problem := pg_available()) is not None:
            print(f"\n== postgresql skipped: server not reachable ({problem})")
            continue
        results += run_backend(backend, args.nodes, args.runs, registry)
    if results:
        print_table(results)


if __name__ == "__main__":
    main()
