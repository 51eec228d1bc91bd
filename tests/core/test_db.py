"""Sessions: one tenant each, one transaction per unit of work, bytewise path ordering."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select, text

from core.db import Base, Database, TenantSession, tenant_sql
from core.models import Department, Tenant, TierNode
from core.tiers import NodeRow
from tests.factories import make_tenant


def test_sessions_carry_their_tenant(database: Database) -> None:
    tenant = make_tenant(database, "alpha")
    session = database.session(tenant)
    assert isinstance(session, TenantSession) and session.tenant_id == tenant
    session.close()
    platform = database.session()
    assert platform.tenant_id is None
    platform.close()
    with database.transaction(tenant) as session:
        department = session.scalars(select(Department)).one()
    assert department.code == "court"  # expire_on_commit=False: usable after the unit of work


def test_transaction_commits_or_rolls_back_everything(database: Database) -> None:
    tenant = make_tenant(database, "alpha")
    with database.transaction(tenant) as session:
        session.add(Department(code="justice", names={"zh_Hans": "司法局"}))
    with pytest.raises(RuntimeError, match="boom"):
        with database.transaction(tenant) as session:
            session.add(Department(code="petition", names={}))
            session.flush()
            raise RuntimeError("boom")
    with database.transaction(tenant) as session:
        assert sorted(session.scalars(select(Department.code))) == ["court", "justice"]


def test_bind_tenant_switches_the_session_mid_transaction(database: Database) -> None:
    alpha, beta = make_tenant(database, "alpha"), make_tenant(database, "beta")
    with database.transaction() as session:
        assert session.scalars(select(Department)).all() == []
        session.bind_tenant(beta)
        assert session.tenant_id == beta
        assert [d.tenant_id for d in session.scalars(select(Department))] == [beta]
        session.add(Department(code="new", names={}))
    with database.transaction(alpha) as session:
        assert sorted(session.scalars(select(Department.code))) == ["court"]
    with database.transaction(beta) as session:
        assert sorted(session.scalars(select(Department.code))) == ["court", "new"]


def test_tenant_sql_binds_the_session_tenant(database: Database) -> None:
    alpha, _beta = make_tenant(database, "alpha"), make_tenant(database, "beta")
    with database.transaction(alpha) as session:
        rows = tenant_sql(session, "SELECT code FROM departments WHERE tenant_id = :tenant_id "
                                   "AND code = :code", {"code": "court"}).all()
    assert rows == [("court",)]


def test_paths_order_bytewise_on_every_backend(database: Database) -> None:
    # Codes around "/" (0x2F): "-" and "." sort below it, digits and letters above, and
    # upper case before lower case. Subtree ranges rely on exactly this order.
    codes = ["a", "A", "a-1", "a.1", "a_1", "a0", "a1", "aA", "Z", "_", "0", "10", "1", "1-"]
    rows = [NodeRow(code="root", level="city", name="root")]
    rows += [NodeRow(code=c, level="county", name=c, parent="root") for c in codes]
    tenant = make_tenant(database, "alpha", nodes=rows)
    with database.transaction(tenant) as session:
        stored = session.scalars(select(TierNode.path).order_by(TierNode.path)).all()
    assert stored == sorted(stored, key=lambda p: p.encode())
    assert len(stored) == len(codes) + 1


def test_database_settings_per_backend(database: Database) -> None:
    tenant = make_tenant(database, "alpha")
    with database.transaction(tenant) as session:
        connection = session.connection()
        if database.is_postgresql:
            assert connection.scalar(text("SELECT current_setting('app.tenant_id', true)")) == \
                str(tenant)
            collation = connection.scalar(text(
                "SELECT collation_name FROM information_schema.columns "
                "WHERE table_name = 'tier_nodes' AND column_name = 'path'"))
            assert collation == "C"
        else:
            assert connection.scalar(text("PRAGMA foreign_keys")) == 1
            assert connection.scalar(text("PRAGMA journal_mode")) == "wal"
    with database.transaction() as session:
        if database.is_postgresql:
            assert session.connection().scalar(
                text("SELECT current_setting('app.tenant_id', true)")) == ""


def test_in_memory_sqlite_is_one_database_for_every_session() -> None:
    database = Database("sqlite://")
    try:
        Base.metadata.create_all(database.engine)
        assert "tier_nodes" in inspect(database.engine).get_table_names()
        with database.transaction() as session:
            session.add(Tenant(slug="mem", case_code_prefix="ME"))
        with database.transaction() as session:
            assert session.scalars(select(Tenant.slug)).all() == ["mem"]
        assert not database.is_postgresql
    finally:
        database.dispose()
