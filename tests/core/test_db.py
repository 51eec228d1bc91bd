"""Sessions: one tenant each, one transaction per unit of work, bytewise path ordering."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect, select, text

from core.db import Base, Database, TenantIsolationError, TenantSession, insert_now, tenant_sql
from core.models import Case, Deadline, Department, Party, Tenant, TierNode
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


NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)


def _case_with_parties(session, node: TierNode, code: str):
    case = Case(code=code, case_type="general_dispute", category="neighbor", channel="walk_in",
                title="楼上漏水", location_node_id=node.id, node_id=node.id,
                status="registered", registered_by="test")
    case.parties.append(Party(role="applicant", name="张三", phone_masked="138****5678"))
    case.parties.append(Party(role="respondent", name="李四", address=None))
    clock = Deadline(case=case, rule="general_accept", started_at=NOW, due_at=NOW)
    session.add(case)
    session.add(clock)
    return case, clock


def test_insert_now_writes_new_rows_as_if_flushed_and_loaded(database: Database) -> None:
    tenant = make_tenant(database, "alpha")
    with database.transaction(tenant) as session:
        node = session.scalar(select(TierNode).order_by(TierNode.depth.desc()).limit(1))
        case, clock = _case_with_parties(session, node, "A-2026-000001-X")
        insert_now(session, [case, *case.parties, clock])
        # Persistent, with nothing left for the unit of work; the database's ids and the
        # columns' defaults are on the objects, not expired.
        for obj in (case, *case.parties, clock):
            state = inspect(obj)
            assert state.persistent and not state.modified and not state.expired_attributes
        assert not session.new and not session.dirty
        assert case.id and case.version == 1 and case.details == {} and case.risk == "blue"
        assert [p.case_id for p in case.parties] == [case.id, case.id]
        assert case.parties[1].address == ""  # None on a column with a default: the default
        assert clock.case_id == case.id and clock.state == "running"
        assert clock.started_at is NOW  # a given value stays as given (not read back)
        # Later changes are ordinary versioned UPDATEs.
        case.title = "楼上漏水，多次协商未果"
        session.flush()
        assert case.version == 2
    with database.transaction(tenant) as session:
        stored = session.scalars(select(Case)).one()
        assert (stored.title, stored.version) == ("楼上漏水，多次协商未果", 2)
        assert sorted(p.name for p in session.scalars(select(Party))) == ["张三", "李四"]
        assert session.scalars(select(Deadline.case_id)).all() == [stored.id]


def test_insert_now_keeps_the_flushs_tenant_rules(database: Database) -> None:

    alpha, beta = make_tenant(database, "alpha"), make_tenant(database, "beta")
    with database.transaction(alpha) as session:
        node = session.scalar(select(TierNode).order_by(TierNode.depth.desc()).limit(1))
        case, clock = _case_with_parties(session, node, "A-2026-000002-X")
        insert_now(session, [case, *case.parties, clock])
        assert {case.tenant_id, clock.tenant_id, *(p.tenant_id for p in case.parties)} == {alpha}
    with pytest.raises(TenantIsolationError, match="belongs to tenant"):
        with database.transaction(alpha) as session:
            case, clock = _case_with_parties(session, node, "A-2026-000003-X")
            case.parties[0].tenant_id = beta
            insert_now(session, [case, *case.parties, clock])
    with pytest.raises(TenantIsolationError, match="without a tenant"):
        with database.transaction() as session:
            case, clock = _case_with_parties(session, node, "A-2026-000004-X")
            insert_now(session, [case, *case.parties, clock])
    for tenant, codes in ((alpha, ["A-2026-000002-X"]), (beta, [])):
        with database.transaction(tenant) as session:
            assert session.scalars(select(Case.code)).all() == codes
