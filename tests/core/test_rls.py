"""Layer 2 of tenant isolation: PostgreSQL row-level security, proved with raw SQL.

These tests talk to PostgreSQL as the application role on plain connections, below the ORM, so
that what they show holds for any query the application could ever send.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, ProgrammingError

from core import rls
from core.db import Base, Database
from core.models import TierNode
from tests.core.test_isolation import add_extra_rows
from tests.factories import make_tenant

pytestmark = pytest.mark.postgres

SET_TENANT = text("SELECT set_config('app.tenant_id', :tid, true)")


@dataclass
class PgWorld:
    owner: Engine
    app: Engine
    app_role: str
    a: int
    b: int

    def tables(self) -> list[str]:
        """Every base table of the public schema with a ``tenant_id`` column."""
        with self.owner.connect() as conn:
            return list(conn.scalars(text(
                "SELECT c.table_name FROM information_schema.columns c "
                "JOIN information_schema.tables t USING (table_schema, table_name) "
                "WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id' "
                "AND t.table_type = 'BASE TABLE' ORDER BY 1"
            )))

    def count(self, table: str, tenant_id: int) -> int:
        """Rows of ``tenant_id`` in ``table`` as the owner sees them (superuser: no RLS)."""
        with self.owner.connect() as conn:
            return conn.scalar(text(f'SELECT count(*) FROM "{table}" WHERE tenant_id = :t'),
                               {"t": tenant_id})


@pytest.fixture
def pg_world(pg_urls: dict[str, str], pg_url: str, registry) -> Iterator[PgWorld]:
    """Tenants A and B with rows in every tenant table; owner and application engines."""
    database = Database(pg_url)
    ids = []
    for slug in ("alpha", "beta"):
        tenant_id = make_tenant(database, slug, plugins={"maritime": {}})
        add_extra_rows(database, tenant_id)
        ids.append(tenant_id)
    database.dispose()
    owner, app = create_engine(pg_urls["owner"]), create_engine(pg_urls["app"])
    with app.connect() as conn:
        role = conn.scalar(text("SELECT current_user"))
    yield PgWorld(owner, app, role, *ids)
    owner.dispose()
    app.dispose()


def test_every_tenant_table_has_forced_rls_and_the_policy(pg_world: PgWorld) -> None:
    tables = pg_world.tables()
    expected = sorted(t.name for t in Base.metadata.tables.values() if "tenant_id" in t.c)
    assert set(expected) <= set(tables)
    with pg_world.owner.connect() as conn:
        assert rls.tables_missing_policy(conn) == []
        flags = dict(conn.execute(text(
            "SELECT relname, relrowsecurity AND relforcerowsecurity FROM pg_class "
            "WHERE relnamespace = 'public'::regnamespace AND relname = ANY(:t)"
        ), {"t": tables}).all())
        policies = conn.execute(text(
            "SELECT tablename, policyname, permissive, cmd, qual, with_check FROM pg_policies "
            "WHERE schemaname = 'public' AND tablename = ANY(:t)"
        ), {"t": tables}).all()
    assert flags == dict.fromkeys(tables, True)
    assert sorted(p.tablename for p in policies) == tables  # exactly one policy per table
    for policy in policies:
        assert (policy.policyname, policy.permissive, policy.cmd) == (
            rls.POLICY_NAME, "PERMISSIVE", "ALL")
        for expression in (policy.qual, policy.with_check):
            assert "current_setting('app.tenant_id'::text, true)" in expression
            assert "tenant_id =" in expression


def test_the_policy_check_bites(pg_world: PgWorld) -> None:
    with pg_world.owner.connect() as conn, conn.begin() as transaction:
        conn.execute(text("CREATE TEMP TABLE scratch (id int PRIMARY KEY, tenant_id int NOT NULL)"))
        conn.execute(text("CREATE TABLE leaky (id int PRIMARY KEY, tenant_id int NOT NULL)"))
        missing = rls.tables_missing_policy(conn)
        assert "leaky" in missing
        assert [m for m in missing if m.endswith(".scratch")], missing
        # ENABLE alone, or ENABLE + FORCE without the policy, is still reported.
        conn.execute(text('ALTER TABLE leaky ENABLE ROW LEVEL SECURITY'))
        assert "leaky" in rls.tables_missing_policy(conn)
        conn.execute(text('ALTER TABLE leaky FORCE ROW LEVEL SECURITY'))
        assert "leaky" in rls.tables_missing_policy(conn)
        for statement in rls.policy_sql("leaky"):
            conn.execute(text(statement))
        assert "leaky" not in rls.tables_missing_policy(conn)
        # A second, permissive policy would widen access: reported.
        conn.execute(text("CREATE POLICY everyone ON leaky USING (true)"))
        assert "leaky" in rls.tables_missing_policy(conn)
        conn.execute(text("DROP POLICY everyone ON leaky"))
        # A table in another schema is found too.
        conn.execute(text("CREATE SCHEMA side"))
        conn.execute(text("CREATE TABLE side.other (id int, tenant_id int)"))
        assert "side.other" in rls.tables_missing_policy(conn)
        transaction.rollback()
    with pg_world.owner.connect() as conn:
        assert rls.tables_missing_policy(conn) == []


def test_raw_sql_as_app_role_sees_only_the_tenant_set(pg_world: PgWorld) -> None:
    for table in pg_world.tables():
        for me, other in ((pg_world.a, pg_world.b), (pg_world.b, pg_world.a)):
            with pg_world.app.begin() as conn:
                conn.execute(SET_TENANT, {"tid": str(me)})
                seen = conn.scalars(text(f'SELECT tenant_id FROM "{table}"')).all()
                asked = conn.scalar(text(f'SELECT count(*) FROM "{table}" WHERE tenant_id = :o'),
                                    {"o": other})
            assert seen and set(seen) == {me}, table
            assert len(seen) == pg_world.count(table, me), table
            assert asked == 0, table


def test_raw_sql_without_the_setting_sees_nothing(pg_world: PgWorld) -> None:
    for table in pg_world.tables():
        assert pg_world.count(table, pg_world.a) and pg_world.count(table, pg_world.b)
        with pg_world.app.connect() as conn:
            assert conn.scalar(text(f'SELECT count(*) FROM "{table}"')) == 0, table
            conn.execute(SET_TENANT, {"tid": ""})
            assert conn.scalar(text(f'SELECT count(*) FROM "{table}"')) == 0, table
        # A malformed setting fails the query rather than matching anything.
        with pg_world.app.connect() as conn:
            conn.execute(SET_TENANT, {"tid": "1 OR true"})
            with pytest.raises(DBAPIError, match="invalid input syntax"):
                conn.execute(text(f'SELECT count(*) FROM "{table}"'))


def test_writes_of_other_tenant_rows_fail_the_check(pg_world: PgWorld) -> None:
    for table in pg_world.tables():
        with pg_world.owner.connect() as conn:
            row = conn.scalar(text(
                f'SELECT row_to_json(t) FROM "{table}" t WHERE tenant_id = :b ORDER BY id LIMIT 1'
            ), {"b": pg_world.b})
        row = {**row, "id": row["id"] + 100_000}
        with pg_world.app.connect() as conn:
            conn.execute(SET_TENANT, {"tid": str(pg_world.a)})
            with pytest.raises(ProgrammingError, match="row-level security"):
                conn.execute(text(
                    f'INSERT INTO "{table}" SELECT * FROM '
                    f'json_populate_record(CAST(NULL AS "{table}"), CAST(:row AS json))'
                ), {"row": json.dumps(row)})
        with pg_world.app.connect() as conn:
            conn.execute(SET_TENANT, {"tid": str(pg_world.a)})
            with pytest.raises(ProgrammingError, match="row-level security"):
                conn.execute(text(f'UPDATE "{table}" SET tenant_id = :b'), {"b": pg_world.b})
        with pg_world.app.begin() as conn:
            conn.execute(SET_TENANT, {"tid": str(pg_world.a)})
            assert conn.execute(text(f'UPDATE "{table}" SET id = id WHERE tenant_id = :b'),
                                {"b": pg_world.b}).rowcount == 0
            assert conn.execute(text(f'DELETE FROM "{table}" WHERE tenant_id = :b'),
                                {"b": pg_world.b}).rowcount == 0
        assert pg_world.count(table, pg_world.b) > 0
    # Control: the same kind of INSERT for the tenant that is set goes through.
    with pg_world.app.begin() as conn:
        conn.execute(SET_TENANT, {"tid": str(pg_world.a)})
        conn.execute(text("INSERT INTO tier_levels (tenant_id, code, rank, names) "
                          "VALUES (:a, 'extra', 9, '{}')"), {"a": pg_world.a})


def test_the_setting_is_transaction_local_on_a_pooled_connection(
    pg_urls: dict[str, str], pg_world: PgWorld
) -> None:
    engine = create_engine(pg_urls["app"], pool_size=1, max_overflow=0)
    try:
        with engine.begin() as conn:
            pid = conn.scalar(text("SELECT pg_backend_pid()"))
            conn.execute(SET_TENANT, {"tid": str(pg_world.a)})
            assert conn.scalar(text("SELECT count(*) FROM tier_nodes")) > 0
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT pg_backend_pid()")) == pid  # the same connection
            assert conn.scalar(text("SELECT current_setting('app.tenant_id', true)")) in ("", None)
            assert conn.scalar(text("SELECT count(*) FROM tier_nodes")) == 0
            conn.commit()
        # A rolled-back transaction leaves nothing behind either.
        with engine.connect() as conn:
            conn.execute(SET_TENANT, {"tid": str(pg_world.b)})
            conn.rollback()
            assert conn.scalar(text("SELECT pg_backend_pid()")) == pid
            assert conn.scalar(text("SELECT count(*) FROM tier_nodes")) == 0
    finally:
        engine.dispose()


def test_sessions_set_the_tenant_for_each_transaction(pg_urls: dict[str, str],
                                                      pg_world: PgWorld) -> None:
    # Through Database sessions, with layer 1 out of the way (plain SQL on the session's
    # connection): row-level security alone keeps each session to its tenant.
    database = Database(pg_urls["app"])
    try:
        sql = text("SELECT DISTINCT tenant_id FROM tier_nodes")
        pids = set()
        for tenant_id, expected in ((pg_world.a, [pg_world.a]), (None, []),
                                    (pg_world.b, [pg_world.b]), (None, [])):
            with database.transaction(tenant_id) as session:
                connection = session.connection()
                pids.add(connection.scalar(text("SELECT pg_backend_pid()")))
                assert connection.scalars(sql).all() == expected
        assert len(pids) == 1  # one pooled connection served every tenant in turn
        with database.transaction() as session:
            assert session.connection().scalars(sql).all() == []
            session.bind_tenant(pg_world.b)
            assert session.connection().scalars(sql).all() == [pg_world.b]
            assert session.scalars(select(TierNode.tenant_id).distinct()).all() == [pg_world.b]
    finally:
        database.dispose()


def test_app_role_is_neither_owner_nor_superuser_nor_bypassrls(pg_world: PgWorld) -> None:
    role = pg_world.app_role
    tables = pg_world.tables()
    with pg_world.owner.connect() as conn:
        flags = conn.execute(text(
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :r"), {"r": role}).one()
        owners = dict(conn.execute(text(
            "SELECT tablename, tableowner FROM pg_tables WHERE schemaname = 'public'"
        )).all())
        member_of_owner = conn.scalars(text(
            "SELECT DISTINCT pg_has_role(:r, tableowner, 'MEMBER') FROM pg_tables "
            "WHERE schemaname = 'public'"), {"r": role}).all()
    assert tuple(flags) == (False, False)
    assert all(owners[t] != role for t in tables)
    assert member_of_owner == [False]
    with pg_world.app.connect() as conn:
        assert conn.scalar(text("SELECT current_user")) == role
        with pytest.raises(ProgrammingError, match="must be owner"):
            conn.execute(text("ALTER TABLE tier_nodes DISABLE ROW LEVEL SECURITY"))


def test_code_never_sets_the_tenant_for_the_whole_session() -> None:
    # Plain SET (or set_config(..., false)) would outlive the transaction on a pooled
    # connection and hand one tenant's setting to the next request.
    root = Path(__file__).resolve().parents[2]
    offending = []
    patterns = (re.compile(r"\bSET\s+(SESSION\s+)?app\.tenant_id", re.I),
                re.compile(r"set_config\(\s*'app\.tenant_id'[^)]*,\s*false\s*\)", re.I))
    for folder in ("core", "plugins"):
        for path in (root / folder).rglob("*.py"):
            source = path.read_text(encoding="utf-8")
            offending += [str(path.relative_to(root)) for p in patterns if p.search(source)]
    assert offending == []
