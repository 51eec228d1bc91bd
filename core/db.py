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
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    ORMExecuteState,
    Session,
    declared_attr,
    mapped_column,
    sessionmaker,
    with_loader_criteria,
)
from sqlalchemy.pool import StaticPool

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
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.is_column_load or state.is_relationship_load:
        # The criteria added to the parent statement already propagate to these loads.
        return
    tenant_id = state.session.info.get("tenant_id")
    if tenant_id is None:
        criteria = with_loader_criteria(
            TenantScoped, lambda cls: false(), include_aliases=True, track_closure_variables=False
        )
    else:
        criteria = with_loader_criteria(
            TenantScoped, lambda cls: cls.tenant_id == tenant_id, include_aliases=True
        )
    state.statement = state.statement.options(criteria)


@event.listens_for(TenantSession, "before_flush")
def _stamp_tenant(session: Session, flush_context: Any, instances: Any) -> None:
    tenant_id = session.info.get("tenant_id")
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, TenantScoped):
            continue
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


_TENANT_PARAM = re.compile(r"(?<!:):tenant_id\b")


def tenant_sql(session: TenantSession, sql: str, params: dict[str, Any] | None = None):
    """Run raw SQL that must carry the tenant predicate itself.

    The statement has to mention the bind parameter ``:tenant_id``; it is filled with the
    session's tenant. Raw SQL cannot be rewritten safely, so this is the guard that keeps
    hand-written queries from silently reading every tenant.
    """
    if session.tenant_id is None:
        raise TenantIsolationError("raw SQL needs a session bound to a tenant")
    if not _TENANT_PARAM.search(sql):
        raise TenantIsolationError("raw SQL must filter on :tenant_id")
    bound = dict(params or {})
    bound["tenant_id"] = session.tenant_id
    return session.execute(text(sql), bound)


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
