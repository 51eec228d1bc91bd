"""Database access: engine, sessions and the first layer of tenant isolation.

Layer 1 (every database): each session carries the tenant it works for. A ``do_orm_execute``
listener adds ``tenant_id = <session tenant>`` to every ORM statement touching a
:class:`TenantScoped` model (including aliases, joins and relationship loads), and ``before_flush``
stamps that tenant on new rows and refuses rows of another tenant. A session without a tenant
sees no tenant-owned rows at all: deny by default.

Layer 2 (PostgreSQL) lives in :mod:`core.rls`: ``after_begin`` sets the transaction-local
``app.tenant_id`` that row-level-security policies compare against.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Integer,
    MetaData,
    String,
    create_engine,
    event,
    false,
    inspect,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import (
    MANYTOONE,
    DeclarativeBase,
    Mapped,
    ORMExecuteState,
    Session,
    declared_attr,
    make_transient_to_detached,
    mapped_column,
    sessionmaker,
    with_loader_criteria,
)
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql.elements import BindParameter, ClauseElement, TextClause
from sqlalchemy.sql.util import find_tables

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: JSON stored as JSONB on PostgreSQL (indexable), as JSON text elsewhere.
JSONType = JSON().with_variant(JSONB(), "postgresql")


def ordered_text(length: int) -> String:
    """A string column whose ordering is bytewise on every database.

    Materialized paths are compared with ``>=``/``<`` ranges; PostgreSQL's default locale
    collation would order ``/`` and digits differently, so the column uses collation "C" there.
    """
    return String(length).with_variant(String(length, collation="C"), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSONType, list[Any]: JSONType}


class TenantScoped:
    """Mixin for every tenant-owned model: a NOT NULL ``tenant_id`` that isolation relies on.

    ``tenant_id`` gets no index of its own: each model leads a unique constraint or index with it
    (tenant first, ready for distribution by tenant), which serves tenant-only lookups too.
    """

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:  # noqa: N805 - declared_attr receives the class
        return mapped_column(
            Integer, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False
        )


class TenantIsolationError(RuntimeError):
    """A row of one tenant was about to be written through a session of another (or none)."""


class TenantSession(Session):
    """A session bound to at most one tenant (``info["tenant_id"]``)."""

    @property
    def tenant_id(self) -> int | None:
        """The tenant this session reads and writes for, or None (sees no tenant rows)."""
        return self.info.get("tenant_id")

    def bind_tenant(self, tenant_id: int) -> None:
        """Switch this session to ``tenant_id`` mid-transaction (tenant creation only).

        ``tenant apply`` creates the tenant row and its tenant-owned rows in one transaction;
        the row-level-security setting is transaction-local, so it is re-issued here.
        """
        self.info["tenant_id"] = tenant_id
        if self.in_transaction() and self.get_bind().dialect.name == "postgresql":
            self.execute(
                text("SELECT set_config('app.tenant_id', :tid, true)"), {"tid": str(tenant_id)}
            )


@event.listens_for(TenantSession, "do_orm_execute")
def _add_tenant_criteria(state: ORMExecuteState) -> None:
    tenant_id = state.session.info.get("tenant_id")
    if not state.is_orm_statement:
        _refuse_core_statement(state)
        return
    mapper = state.bind_mapper
    target = mapper.class_ if mapper is not None else None
    scoped_target = isinstance(target, type) and issubclass(target, TenantScoped)
    if state.is_insert:
        if scoped_target:
            _check_insert(state, tenant_id)
        return
    if state.is_from_statement:
        _bind_textual(state, tenant_id)
        return
    if not (state.is_select or state.is_update or state.is_delete):
        return
    # Relationship and column loads get the criteria too: an object that did not come from a
    # filtered query (a new row pointing at another tenant's id, a merged instance) must not
    # lazy-load another tenant's rows.
    state.statement = state.statement.options(_tenant_criteria(tenant_id))
    if state.is_update and scoped_target:
        _check_assignments(state, tenant_id)
        if isinstance(state.parameters, list):
            return _bulk_update_by_pk(state, mapper, tenant_id)
    return None


@lru_cache(maxsize=4096)
def _tenant_criteria(tenant_id: int | None) -> Any:
    """The loader-criteria option of one tenant (None: no tenant rows at all).

    Building the option analyses its lambda, which costs more than the rest of a small query's
    overhead; the option is immutable, so one per tenant is built once and reused.
    """
    if tenant_id is None:
        return with_loader_criteria(
            TenantScoped, lambda cls: false(), include_aliases=True, track_closure_variables=False
        )
    return with_loader_criteria(
        TenantScoped, lambda cls: cls.tenant_id == tenant_id, include_aliases=True
    )


def _refuse_core_statement(state: ORMExecuteState) -> None:
    """Core ``select(table)``/``update(table)``… bypass the ORM criteria: refuse them.

    Textual SQL is left to :func:`tenant_sql` (and, on PostgreSQL, row-level security).
    """
    if not (state.is_select or state.is_insert or state.is_update or state.is_delete):
        return
    tables = find_tables(state.statement, check_columns=True, include_aliases=True,
                         include_joins=True, include_selects=True, include_crud=True)
    scoped = sorted({t.name for t in tables if "tenant_id" in getattr(t, "c", ())})
    if scoped:
        raise TenantIsolationError(
            f"Core statement on tenant table(s) {', '.join(scoped)} bypasses tenant isolation: "
            "use the ORM entity or tenant_sql()"
        )


def _require_tenant(tenant_id: int | None, what: str) -> int:
    if tenant_id is None:
        raise TenantIsolationError(f"cannot {what} through a session without a tenant")
    return tenant_id


def _tenant_value_ok(value: Any, tenant_id: int) -> bool:
    if isinstance(value, BindParameter):
        value = value.effective_value
    return not isinstance(value, ClauseElement) and value == tenant_id


def _keyed(values: Any) -> dict[str, Any]:
    return {getattr(k, "key", k): v for k, v in (values or {}).items()}


def _check_insert(state: ORMExecuteState, tenant_id: int | None) -> None:
    """ORM ``insert(Model)``: stamp the session tenant, refuse any other (bulk or not)."""
    tenant_id = _require_tenant(tenant_id, "insert tenant rows")
    statement = state.statement
    if "tenant_id" in (getattr(statement, "_select_names", None) or ()):
        raise TenantIsolationError("INSERT … SELECT cannot prove its tenant_id; insert values")
    rows = [_keyed(r) for values in (statement._multi_values or ()) for r in values]
    values = _keyed(statement._values)
    for row in [values, *rows]:
        if "tenant_id" in row and not _tenant_value_ok(row["tenant_id"], tenant_id):
            raise TenantIsolationError(
                f"cannot insert a row of another tenant (session tenant {tenant_id})"
            )
    params = state.parameters
    if params:
        many = params if isinstance(params, list) else [params]
        stamped = []
        for row in many:
            if row.get("tenant_id", tenant_id) != tenant_id:
                raise TenantIsolationError(
                    f"cannot insert a row of tenant {row['tenant_id']} through a session of "
                    f"tenant {tenant_id}"
                )
            stamped.append({**row, "tenant_id": tenant_id})
        state.parameters = stamped if isinstance(params, list) else stamped[0]
    elif "tenant_id" not in values and not rows:
        state.statement = statement.values(tenant_id=tenant_id)


def _check_assignments(state: ORMExecuteState, tenant_id: int | None) -> None:
    """An UPDATE may not move rows to another tenant (``SET tenant_id = …``)."""
    assigned = _keyed(state.statement._values)
    params = state.parameters
    many = params if isinstance(params, list) else [params] if params else []
    moved = ("tenant_id" in assigned and not _tenant_value_ok(assigned["tenant_id"], tenant_id))
    moved = moved or any("tenant_id" in p and p["tenant_id"] != tenant_id for p in many)
    if moved:
        raise TenantIsolationError("an UPDATE cannot change a row's tenant_id")


def _bulk_update_by_pk(state: ORMExecuteState, mapper: Any, tenant_id: int | None):
    """ORM bulk UPDATE by primary key ignores loader criteria: add the tenant to its WHERE.

    Rows of other tenants are left untouched (silently, like any UPDATE whose WHERE does not
    match). Session synchronization is done here by expiring the objects updated.
    """
    entity = mapper.class_
    where = entity.tenant_id == tenant_id if tenant_id is not None else false()
    result = state.invoke_statement(
        statement=state.statement.where(where).execution_options(synchronize_session=None)
    )
    session = state.session
    pk_keys = [mapper.get_property_by_column(c).key for c in mapper.primary_key]
    for row in state.parameters:
        key = mapper.identity_key_from_primary_key([row.get(k) for k in pk_keys])
        obj = session.identity_map.get(key)
        if obj is not None:
            session.expire(obj, [k for k in row if k not in pk_keys] or None)
    return result


def _bind_textual(state: ORMExecuteState, tenant_id: int | None) -> None:
    """``select(Model).from_statement(text(...))``: the text must filter on ``:tenant_id``."""
    if not any(issubclass(m.class_, TenantScoped) for m in state.all_mappers):
        return
    tenant_id = _require_tenant(tenant_id, "run textual SQL on tenant rows")
    if not _TENANT_PARAM.search(str(state.statement.element)):
        raise TenantIsolationError("textual SQL on tenant rows must filter on :tenant_id")
    state.parameters = {**(state.parameters or {}), "tenant_id": tenant_id}


@event.listens_for(TenantSession, "before_flush")
def _stamp_tenant(session: Session, flush_context: Any, instances: Any) -> None:
    tenant_id = session.info.get("tenant_id")
    for obj in list(session.new) + list(session.dirty):
        _stamp(obj, tenant_id)


def _stamp(obj: Any, tenant_id: int | None) -> None:
    """Give a tenant-owned row the session's tenant; refuse one of another tenant (or none)."""
    if not isinstance(obj, TenantScoped):
        return
    if tenant_id is None:
        raise TenantIsolationError(
            f"cannot write {type(obj).__name__} through a session without a tenant"
        )
    if obj.tenant_id is None:
        obj.tenant_id = tenant_id
    elif obj.tenant_id != tenant_id:
        raise TenantIsolationError(
            f"{type(obj).__name__} belongs to tenant {obj.tenant_id}, "
            f"session works for tenant {tenant_id}"
        )


def insert_now(session: TenantSession, objects: list[Any]) -> None:
    """Write new ORM objects now with Core ``INSERT … RETURNING`` and make them persistent.

    For the hot path of intake, where the unit of work's bookkeeping costs more than the
    INSERTs themselves. ``objects`` are new (transient or pending) instances, parents before
    children: a many-to-one foreign key to an object written earlier in the list is filled
    from it (a party's ``case_id`` from its case). Consecutive objects of one model with the
    same columns go out as one statement. An attribute left None gets the column's default, as
    in a flush. The primary key and every defaulted column come back through RETURNING, so
    afterwards the objects are as if flushed and loaded: persistent in the session, nothing
    pending, nothing expired, the given values as they were given.

    Tenant rules are those of the flush: a tenant-owned row gets the session's tenant, and one
    of another tenant (or a session without one) raises :class:`TenantIsolationError` before
    anything is written. The statements run on the session's connection, in its transaction
    (and, on PostgreSQL, under its row-level-security setting).
    """
    for obj in objects:
        _stamp(obj, session.tenant_id)
    for obj in objects:
        if obj in session:
            session.expunge(obj)  # no longer pending: the unit of work must not INSERT it again
    connection = session.connection()
    written: set[int] = set()
    batch: list[Any] = []
    batch_key: tuple[Any, tuple[str, ...]] | None = None
    for obj in objects:
        mapper = inspect(obj).mapper
        parents = [(relationship_, obj.__dict__.get(relationship_.key))
                   for relationship_ in mapper.relationships
                   if relationship_.direction is MANYTOONE]
        if batch and any(id(parent) in {id(o) for o in batch} for _r, parent in parents):
            _write(connection, batch_key, batch, written)  # a parent must have its key first
            batch, batch_key = [], None
        for relationship_, parent in parents:
            if parent is not None and id(parent) in written:
                parent_mapper = inspect(parent).mapper
                for local, remote in relationship_.local_remote_pairs:
                    obj.__dict__[mapper.get_property_by_column(local).key] = getattr(
                        parent, parent_mapper.get_property_by_column(remote).key)
        values = obj.__dict__
        keys = tuple(key for key, defaulted in _column_keys(mapper)
                     if key in values and (values[key] is not None or not defaulted))
        if batch and (mapper, keys) != batch_key:
            _write(connection, batch_key, batch, written)
            batch = []
        batch_key = (mapper, keys)
        batch.append(obj)
    if batch:
        _write(connection, batch_key, batch, written)
    for obj in objects:
        make_transient_to_detached(obj)  # its values now count as loaded, not as changes
    for obj in objects:  # (only now: adding one cascades to the others)
        if obj not in session:  # a parent's add has cascaded to it already: skip its own walk
            session.add(obj)


@lru_cache(maxsize=256)
def _column_keys(mapper: Any) -> tuple[tuple[str, bool], ...]:
    """Each column attribute of ``mapper`` and whether its column has a default.

    None means "the default" where the column has one (as in a flush), NULL elsewhere: rows
    given the same attributes then have the same columns and share one statement. Read once
    per model: intake asks for every column of every row it writes.
    """
    return tuple((prop.key, bool(prop.columns[0].primary_key
                                 or prop.columns[0].default is not None
                                 or prop.columns[0].server_default is not None))
                 for prop in mapper.column_attrs)


def _write(connection: Any, batch_key: Any, objs: list[Any], written: set[int]) -> None:
    """One INSERT of ``objs`` (one model, the same columns), what the database filled read back."""
    statement, given, back = _insert_plan(*batch_key)
    rows = connection.execute(
        statement, [{column: obj.__dict__[key] for key, column in given} for obj in objs]
    ).all()
    for obj, row in zip(objs, rows, strict=True):
        obj.__dict__.update(zip(back, row, strict=True))
        written.add(id(obj))


@lru_cache(maxsize=256)
def _insert_plan(mapper: Any, keys: tuple[str, ...]) -> tuple[Any, tuple[tuple[str, str], ...],
                                                                tuple[str, ...]]:
    """The INSERT of ``mapper``'s rows given attributes ``keys``: the statement, each given
    attribute with its column, and the attributes RETURNING reads back, in its order.

    Built once per model and set of columns (intake writes the same few shapes every time).
    Only what the database decides comes back — the primary key and the columns left to their
    defaults — as a flush would fetch it: the given values stay on the objects as they were,
    and reading every column back cost as much as executing the statement. Rows come back in
    the order of the parameters.
    """
    columns = {prop.key: prop.columns[0] for prop in mapper.column_attrs}
    back = tuple(key for key, column in columns.items()
                 if column.primary_key or key not in keys)
    statement = mapper.local_table.insert().returning(
        *(columns[key] for key in back), sort_by_parameter_order=True)
    return statement, tuple((key, columns[key].key) for key in keys), back


_TENANT_PARAM = re.compile(r"(?<!:):tenant_id\b")


def tenant_sql(session: TenantSession, sql: str | TextClause,
               params: dict[str, Any] | None = None):
    """Run raw SQL that must carry the tenant predicate itself.

    The statement has to mention the bind parameter ``:tenant_id``; it is filled with the
    session's tenant. Raw SQL cannot be rewritten safely, so this is the guard that keeps
    hand-written queries from silently reading every tenant. ``sql`` is a string or a
    ``text()`` construct (for typed or expanding bind parameters).
    """
    if session.tenant_id is None:
        raise TenantIsolationError("raw SQL needs a session bound to a tenant")
    statement = sql if isinstance(sql, TextClause) else _text_of(sql)
    if not _TENANT_PARAM.search(statement.text):
        raise TenantIsolationError("raw SQL must filter on :tenant_id")
    bound = dict(params or {})
    bound["tenant_id"] = session.tenant_id
    # Straight to the session's connection (its transaction, its RLS setting): textual SQL
    # gets nothing from the ORM's execute path (no entities, no criteria, no autoflush), and
    # that path costs more than the small queries of intake and audit themselves.
    return session.connection().execute(statement, bound)


@lru_cache(maxsize=512)
def _text_of(sql: str) -> TextClause:
    # Hot statements (the chain head, the case number) are constant strings: parse them once.
    return text(sql)


class Database:
    """An engine and the factory of tenant-bound sessions."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = make_url(url)
        self.engine: Engine = _make_engine(url, echo=echo)
        self._sessions = sessionmaker(self.engine, class_=TenantSession, expire_on_commit=False)
        from core import rls  # noqa: PLC0415 - avoids an import cycle (rls imports db)

        rls.install(self)

    @property
    def is_postgresql(self) -> bool:
        """True when the backend enforces row-level security (layer 2)."""
        return self.engine.dialect.name == "postgresql"

    def session(self, tenant_id: int | None = None) -> TenantSession:
        """A new session working for ``tenant_id`` (None: platform session, no tenant rows)."""
        session = self._sessions()
        session.info["tenant_id"] = tenant_id
        return session

    @contextmanager
    def transaction(self, tenant_id: int | None = None) -> Iterator[TenantSession]:
        """One unit of work: commit on success, roll back on any error, always close."""
        session = self.session(tenant_id)
        try:
            with session.begin():
                yield session
        finally:
            session.close()

    def dispose(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()


def _make_engine(url: str, *, echo: bool) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, echo=echo, pool_pre_ping=True, future=True)
    kwargs: dict[str, Any] = {"echo": echo, "connect_args": {"check_same_thread": False}}
    if parsed.database in (None, "", ":memory:"):
        # One shared in-memory database for every session of this engine.
        kwargs["poolclass"] = StaticPool
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if parsed.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    return engine
