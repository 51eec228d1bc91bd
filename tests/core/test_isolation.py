"""Layer 1 of tenant isolation, on every database: a tenant's session sees and writes only its rows.

The models under test are discovered from ``Base.registry.mappers`` (every ``TenantScoped``
class, core's and the installed plugins'), so a new tenant-owned model is covered as soon as it
exists — and :func:`test_every_tenant_model_has_rows_for_both_tenants` fails until the test data
gives it rows, because an isolation test over an empty table proves nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Integer,
    String,
    create_engine,
    delete,
    exists,
    func,
    insert,
    select,
    text,
    true,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased, joinedload, selectinload, subqueryload

from core import audit
from core.db import Base, Database, TenantIsolationError, TenantScoped, tenant_sql
from core.models import (
    Center,
    CenterWindow,
    Department,
    Stationing,
    Tenant,
    TierLevel,
    TierNode,
)
from tests.factories import add_case_rows, make_tenant


def tenant_models() -> list[type]:
    """Every mapped tenant-owned class, core's and the plugins' (imported by ``registry``)."""
    classes = {m.class_ for m in Base.registry.mappers if issubclass(m.class_, TenantScoped)}
    return sorted(classes, key=lambda cls: cls.__name__)


def add_extra_rows(database: Database, tenant_id: int) -> None:
    """Rows for tenant-owned models that ``tests.factories.make_tenant`` does not create.

    A new tenant-owned model needs rows here (or in ``make_tenant``) for both tenants.
    """
    with database.transaction(tenant_id) as session:
        for action in ("tenant.created", "tenant.applied"):
            audit.record(session, actor="test", action=action, object_type="tenant",
                         object_id=tenant_id, data={"n": 1})
    case_id = add_case_rows(database, tenant_id)
    # Risk files and the numbering of the "两函一单", through their services.
    from datetime import UTC, datetime  # noqa: PLC0415

    from core import risk, supervision  # noqa: PLC0415
    from core.calendar import WorkCalendar  # noqa: PLC0415
    from core.models import Case  # noqa: PLC0415

    with database.transaction(tenant_id) as session:
        case = session.get(Case, case_id)
        risk.open_risk_file(session, kind="event", title="邻里噪音", level="yellow",
                            created_by="test", cases=[case])
        supervision.issue_notice(session, case, "risk_warning_letter", issued_by="test",
                                 body="请关注", now=datetime.now(UTC), calendar=WorkCalendar())
    # Accounts: a user with a membership, a login session, an API token, a remembered response.
    from core import accounts  # noqa: PLC0415
    from core.models import IdempotencyRecord  # noqa: PLC0415

    with database.transaction(tenant_id) as session:
        user = accounts.create_user(session, "clerk", "a long password 1")
        accounts.add_membership(session, user, "clerk")
        accounts.start_session(session, user)
        accounts.issue_token(session, user, name="hotline")
        session.add(IdempotencyRecord(principal="clerk", key="k1", method="POST",
                                      path="/x/api/v1/cases/", fingerprint="0" * 64,
                                      status=201, body="{}"))
    # Plugins' tables (unknown here): one generic row each, so every table is covered.
    from core.testing.rows import add_missing_rows  # noqa: PLC0415

    add_missing_rows(database, tenant_id)


@dataclass
class World:
    """Two tenants with a row in every tenant-owned table, and an owner's view of the data."""

    database: Database
    owner: Engine
    a: int
    b: int

    def rows(self, model: type, tenant_id: int) -> list[tuple[Any, ...]]:
        """All rows of ``model`` for ``tenant_id`` read as the owner (no isolation), by id."""
        table = model.__table__
        with self.owner.connect() as conn:
            return [tuple(r) for r in conn.execute(
                select(table).where(table.c.tenant_id == tenant_id).order_by(*table.primary_key)
            )]

    def ids(self, model: type, tenant_id: int) -> list[Any]:
        """Primary keys of ``model``'s rows for ``tenant_id`` (single-column keys)."""
        (pk,) = model.__table__.primary_key.columns
        index = list(model.__table__.columns).index(pk)
        return [row[index] for row in self.rows(model, tenant_id)]

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every tenant-owned row of tenant B."""
        return {m.__name__: self.rows(m, self.b) for m in tenant_models()}


@pytest.fixture
def owner_engine(request: pytest.FixtureRequest, database_url: str) -> Iterator[Engine]:
    """An engine that sees everything: the SQLite file itself, or PostgreSQL's table owner."""
    url = request.getfixturevalue("pg_urls")["owner"] if database_url.startswith("postgresql") \
        else database_url
    engine = create_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def world(database: Database, owner_engine: Engine, registry) -> World:
    """Tenants alpha (A) and beta (B), each with rows in every tenant-owned table."""
    tenants = []
    for slug in ("alpha", "beta"):
        tenant_id = make_tenant(database, slug, plugins={"maritime": {}})
        add_extra_rows(database, tenant_id)
        tenants.append(tenant_id)
    return World(database, owner_engine, *tenants)


def test_every_tenant_table_is_a_tenant_scoped_model(registry) -> None:
    # ORM criteria only reach TenantScoped classes: a table with tenant_id mapped otherwise
    # (or not mapped at all) would be invisible to layer 1.
    scoped = {cls.__table__.name for cls in tenant_models()}
    unscoped = sorted(t.name for t in Base.metadata.tables.values()
                      if "tenant_id" in t.c and t.name not in scoped)
    assert unscoped == [], f"tables with tenant_id that no TenantScoped model maps: {unscoped}"
    assert len(scoped) >= 8


def test_every_tenant_model_has_rows_for_both_tenants(world: World) -> None:
    empty = [f"{m.__name__} (tenant {t})" for m in tenant_models() for t in (world.a, world.b)
             if not world.rows(m, t)]
    assert empty == [], (
        f"no test data for {', '.join(empty)}: give every tenant-owned model rows in "
        "tests.factories.make_tenant or in add_extra_rows() of this module"
    )


def test_orm_queries_see_only_own_rows(world: World) -> None:
    with world.database.transaction(world.a) as session:
        for model in tenant_models():
            expected = len(world.rows(model, world.a))
            objects = session.scalars(select(model)).unique().all()
            assert {o.tenant_id for o in objects} == {world.a}, model
            assert len(objects) == expected, model
            assert sorted(session.scalars(select(model.id))) == world.ids(model, world.a)
            assert session.scalar(select(func.count()).select_from(model)) == expected, model
            assert session.scalar(select(func.count(model.id))) == expected, model
            assert session.query(model).count() == expected, model
            alias = aliased(model)
            assert set(session.scalars(select(alias.tenant_id))) == {world.a}, model
            # A filter naming tenant B explicitly still finds nothing.
            assert session.scalars(select(model).where(model.tenant_id == world.b)).all() == []


def test_cached_statements_do_not_carry_one_tenant_into_another(world: World) -> None:
    # The same statement objects run for A, B, no tenant and A again: SQLAlchemy's compiled
    # cache is shared by all sessions, the tenant must travel as a parameter, never as SQL.
    statements = [select(TierNode), select(Center).join(Center.node), select(Department.id)]
    for tenant_id in (world.a, world.b, None, world.a, world.b):
        with world.database.transaction(tenant_id) as session:
            for statement in statements:
                rows = session.execute(statement).scalars().all()
                tenants = {getattr(r, "tenant_id", None) for r in rows} - {None}
                if tenant_id is None:
                    assert rows == []
                elif isinstance(rows[0], int):
                    assert set(rows) == set(world.ids(Department, tenant_id))
                else:
                    assert tenants == {tenant_id}


def test_get_by_id_of_other_tenant_returns_none(world: World) -> None:
    with world.database.transaction(world.a) as session:
        for model in tenant_models():
            for row_id in world.ids(model, world.b):
                assert session.get(model, row_id) is None, (model, row_id)
            for row_id in world.ids(model, world.a):
                assert session.get(model, row_id) is not None, (model, row_id)


def test_joins_and_aliases_are_filtered_on_every_side(world: World) -> None:
    models = tenant_models()
    with world.database.transaction(world.a) as session:
        for left in models:
            for right in models:
                # A cross join on a condition that says nothing about tenants.
                other = aliased(right)
                pairs = session.execute(
                    select(left.tenant_id, other.tenant_id).join(other, true()).distinct()
                ).all()
                assert pairs == [(world.a, world.a)], (left, right)
        # Explicit joins along foreign keys, outer joins from the (unscoped) tenants table.
        rows = session.execute(
            select(Center.tenant_id, TierNode.tenant_id, CenterWindow.tenant_id)
            .join(TierNode, Center.node_id == TierNode.id)
            .join(CenterWindow, CenterWindow.center_id == Center.id)
        ).all()
        assert rows and set(rows) == {(world.a, world.a, world.a)}
        by_tenant = dict(session.execute(
            select(Tenant.id, func.count(TierNode.id))
            .outerjoin(TierNode, TierNode.tenant_id == Tenant.id).group_by(Tenant.id)
        ).all())
        assert by_tenant[world.b] == 0 and by_tenant[world.a] == len(world.rows(TierNode, world.a))
        # Subqueries, EXISTS, UNION and a recursive CTE are filtered too.
        assert session.scalars(
            select(Tenant.slug).where(exists().where(TierNode.tenant_id == Tenant.id))
        ).all() == ["alpha"]
        assert set(session.scalars(
            select(Department.tenant_id).where(Department.id.in_(select(Stationing.department_id)))
        )) == {world.a}
        union = session.execute(select(TierNode.tenant_id).union(select(TierLevel.tenant_id)))
        assert set(union.scalars()) == {world.a}
        child = aliased(TierNode)
        tree = select(TierNode.id, TierNode.tenant_id).where(TierNode.parent_id.is_(None)) \
            .cte(recursive=True)
        tree = tree.union_all(
            select(child.id, child.tenant_id).join(tree, child.parent_id == tree.c.id)
        )
        reached = session.execute(select(tree.c.tenant_id)).scalars().all()
        assert set(reached) == {world.a} and len(reached) == len(world.rows(TierNode, world.a))


def test_relationship_loads_see_only_own_rows(world: World) -> None:
    with world.database.transaction(world.a) as session:
        for option in (selectinload, subqueryload, joinedload):
            centers = session.scalars(select(Center).options(
                option(Center.windows), option(Center.stationings)
            )).unique().all()
            assert centers and {c.tenant_id for c in centers} == {world.a}
            for center in centers:
                assert center.node.tenant_id == world.a
                assert center.windows and {w.tenant_id for w in center.windows} == {world.a}
                for stationing in center.stationings:
                    assert stationing.department.tenant_id == world.a
            session.expunge_all()
        nodes = session.scalars(select(TierNode)).all()
        assert {n.level.tenant_id for n in nodes} == {world.a}
        assert {n.parent.tenant_id for n in nodes if n.parent_id} == {world.a}


def test_lazy_load_of_a_pointer_to_another_tenant_finds_nothing(world: World) -> None:
    # A row whose foreign key names another tenant's row (the foreign key itself cannot tell)
    # must not lazy-load that row: relationship loads carry the tenant criteria too.
    (b_center,) = world.ids(Center, world.b)
    session = world.database.session(world.a)
    try:
        window = CenterWindow(center_id=b_center, window_type="legal_aid")
        session.add(window)
        session.flush()
        session.expire(window, ["center"])
        assert window.center is None
    finally:
        session.rollback()
        session.close()


def test_bulk_update_and_delete_leave_other_tenant_untouched(world: World) -> None:
    before = world.snapshot()
    with world.database.transaction(world.a) as session:
        for model in tenant_models():
            own = len(world.rows(model, world.a))
            b_ids = world.ids(model, world.b)
            # A no-op UPDATE of every row: only tenant A's are matched.
            result = session.execute(update(model).values(id=model.id))
            assert result.rowcount == own, model
            # Rows of B named by id: no match.
            assert session.execute(
                update(model).where(model.id.in_(b_ids)).values(id=model.id)
            ).rowcount == 0, model
            assert session.execute(delete(model).where(model.id.in_(b_ids))).rowcount == 0, model
            # ORM bulk UPDATE by primary key naming B's rows changes nothing.
            if model.__mapper__.version_id_col is not None:
                # Versioned models (cases) change only through their version check; SQLite
                # cannot verify versions in an executemany, so bulk-by-key is not for them.
                continue
            key, value = _tamper_value(model)
            session.execute(update(model), [{"id": i, key: value} for i in b_ids])
        # A bulk DELETE without WHERE removes A's windows only.
        assert session.execute(delete(CenterWindow)).rowcount == len(
            world.rows(CenterWindow, world.a))
    assert world.snapshot() == before
    assert world.rows(CenterWindow, world.a) == []


def test_rollup_refreshes_leave_other_tenant_untouched(world: World, registry) -> None:
    """A full, then an incremental, refresh of A's indicator rollup: B's rows (its own rollup
    and stamp among them) stay exactly as they were."""
    from core import rollups  # noqa: PLC0415
    from core.models import Case, IndicatorRollup  # noqa: PLC0415
    from core.models.tenant import utcnow  # noqa: PLC0415
    from core.tenancy import TenantDirectory  # noqa: PLC0415

    before = world.snapshot()
    alpha = TenantDirectory(world.database, registry).get("alpha")
    with world.database.transaction(world.a) as session:
        assert rollups.refresh(session, alpha).mode == "full"
    with world.database.transaction(world.a) as session:
        session.execute(update(Case).values(changed_at=utcnow()),
                        execution_options={"synchronize_session": False})
        result = rollups.refresh(session, alpha)
    assert result.mode == "incremental" and result.months
    assert world.rows(IndicatorRollup, world.a)
    assert world.snapshot() == before


def test_bulk_update_by_primary_key_still_updates_own_rows(world: World) -> None:
    with world.database.transaction(world.a) as session:
        level = session.scalars(select(TierLevel).order_by(TierLevel.rank)).first()
        session.execute(update(TierLevel), [{"id": level.id, "names": {"en": "City!"}}])
        assert level.names == {"en": "City!"}  # the loaded object was refreshed
    with world.database.transaction(world.a) as session:
        assert session.get(TierLevel, level.id).names == {"en": "City!"}


def test_session_without_tenant_sees_no_tenant_rows(world: World) -> None:
    with world.database.transaction() as session:
        assert sorted(session.scalars(select(Tenant.slug))) == ["alpha", "beta"]
        for model in tenant_models():
            assert session.scalars(select(model)).all() == [], model
            assert session.scalar(select(func.count()).select_from(model)) == 0, model
            for row_id in world.ids(model, world.a):
                assert session.get(model, row_id) is None, model
            assert session.execute(update(model).values(id=model.id)).rowcount == 0
    with pytest.raises(TenantIsolationError):
        with world.database.transaction() as session:
            session.add(Department(code="x", names={}))
    with pytest.raises(TenantIsolationError):
        with world.database.transaction() as session:
            session.execute(insert(Department), [{"code": "x", "names": {}}])
    with pytest.raises(TenantIsolationError):
        with world.database.transaction() as session:
            tenant_sql(session, "SELECT id FROM departments WHERE tenant_id = :tenant_id")


def test_writing_a_row_of_another_tenant_raises(world: World) -> None:
    level_b = {"tenant_id": world.b, "code": "extra", "rank": 9, "names": {}}
    attempts = {
        "add": lambda s: s.add(TierLevel(**level_b)),
        "bulk insert": lambda s: s.execute(insert(TierLevel), [level_b]),
        "insert values": lambda s: s.execute(insert(TierLevel).values(**level_b)),
        "multi-values": lambda s: s.execute(insert(TierLevel).values([level_b])),
        "move an own row": lambda s: setattr(s.scalars(select(Department)).first(),
                                             "tenant_id", world.b),
        "update tenant_id": lambda s: s.execute(update(Department).values(tenant_id=world.b)),
        "bulk update tenant_id": lambda s: s.execute(update(Department), [
            {"id": i, "tenant_id": world.b} for i in world.ids(Department, world.a)]),
    }
    before = world.snapshot()
    for name, attempt in attempts.items():
        session = world.database.session(world.a)
        try:
            with pytest.raises(TenantIsolationError):
                attempt(session)
                session.flush()
        finally:
            session.rollback()
            session.close()
        assert world.snapshot() == before, name
    # Without a tenant_id, rows are stamped with the session's tenant.
    with world.database.transaction(world.a) as session:
        session.execute(insert(TierLevel), [{"code": "extra", "rank": 9, "names": {}}])
        session.execute(insert(TierLevel).values(code="extra2", rank=10, names={}))
        session.add(Department(code="extra", names={}))
    with world.database.transaction(world.a) as session:
        extra = session.scalars(
            select(TierLevel.tenant_id).where(TierLevel.code.in_(["extra", "extra2"]))).all()
        assert extra == [world.a, world.a]


def test_tenant_sql_requires_the_tenant_parameter(world: World) -> None:
    with world.database.transaction(world.a) as session:
        for sql in (
            "SELECT id FROM tier_nodes",
            "SELECT id FROM tier_nodes WHERE tenant_id = 1",
            "SELECT id FROM tier_nodes WHERE tenant_id = :tenant",
            "SELECT id FROM tier_nodes WHERE tenant_id = :tenant_idx",
            "SELECT id::tenant_id FROM tier_nodes",
        ):
            with pytest.raises(TenantIsolationError, match=":tenant_id"):
                tenant_sql(session, sql)
        for model in tenant_models():
            table = model.__table__.name
            rows = tenant_sql(session, f"SELECT tenant_id FROM {table} WHERE tenant_id = :tenant_id"
                              " AND id > :floor", {"floor": 0, "tenant_id": world.b}).all()
            # The caller cannot substitute another tenant: the session's is always bound.
            assert rows and {r[0] for r in rows} == {world.a}, table


def test_core_and_textual_statements_are_refused(world: World) -> None:
    tables = [m.__table__ for m in tenant_models()]
    with world.database.transaction(world.a) as session:
        for table in tables:
            for statement in (
                table.select(),
                select(func.count()).select_from(table),
                update(table).values(tenant_id=world.b),
                delete(table),
                select(table.c.id).where(table.c.tenant_id == world.b),
            ):
                with pytest.raises(TenantIsolationError, match=table.name):
                    session.execute(statement)
        with pytest.raises(TenantIsolationError, match=":tenant_id"):
            session.scalars(select(TierNode).from_statement(text("SELECT * FROM tier_nodes")))
        nodes = session.scalars(select(TierNode).from_statement(
            text("SELECT * FROM tier_nodes WHERE tenant_id = :tenant_id"))).all()
        assert nodes and {n.tenant_id for n in nodes} == {world.a}
        # Core statements on tables without tenant_id stay allowed.
        assert session.execute(Tenant.__table__.select()).all()


def _tamper_value(model: type) -> tuple[str, Any]:
    """A column of ``model`` and a value that would visibly change a row."""
    candidates = [c for c in model.__table__.columns
                  if not c.primary_key and not c.foreign_keys and c.name != "tenant_id"]
    for kind, value in ((JSON, {"tampered": True}), (String, "tampered"), (Integer, 987654)):
        for column in candidates:
            if isinstance(column.type, kind) and not getattr(column.type, "enums", None):
                if isinstance(value, str) and getattr(column.type, "length", None):
                    value = value[:column.type.length]  # fits the column (month: String(7))
                return model.__mapper__.get_property_by_column(column).key, value
    raise AssertionError(f"{model.__name__}: no column to tamper with in the test")
