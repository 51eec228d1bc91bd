"""Generic rows for tenant-owned tables, for isolation tests that must cover every table.

A plugin's tables are unknown to core's tests; :func:`insert_row` fills any mapped
``TenantScoped`` model with a valid row (every required column given a sample value, every
foreign key pointing at a row of the same tenant), so "tenant B never sees tenant A's rows"
can be shown for tables added after the test was written.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy import types as sqltypes

from core.db import Base, Database, TenantScoped

_SAMPLES = (
    (sqltypes.Boolean, True),
    (sqltypes.Integer, 1),
    (sqltypes.Numeric, Decimal("1")),
    (sqltypes.DateTime, dt.datetime(2026, 11, 2, 2, tzinfo=dt.UTC)),
    (sqltypes.Date, dt.date(2026, 11, 2)),
    (sqltypes.String, "x"),
    (sqltypes.JSON, {}),
)


def mapped_model(table: Table) -> type | None:
    """The ORM class mapping ``table``, if any."""
    for mapper in Base.registry.mappers:
        if mapper.local_table is table:
            return mapper.class_
    return None


def tenant_models() -> list[type]:
    """Every mapped ``TenantScoped`` model, by table name."""
    return sorted((m.class_ for m in Base.registry.mappers
                   if issubclass(m.class_, TenantScoped)), key=lambda c: c.__tablename__)


def sample_value(column: Any) -> Any:
    """A value a required column accepts; NotImplementedError naming the column otherwise."""
    kind = column.type
    if isinstance(kind, sqltypes.Enum):
        first = kind.enums[0]
        return kind.enum_class[first] if kind.enum_class else first
    for types, value in _SAMPLES:
        if isinstance(kind, types):
            return value
    if "JSON" in type(kind).__name__:
        return {}
    raise NotImplementedError(f"{column.table.name}.{column.name}: no sample for {kind!r}")


def insert_row(session: Any, model: type, depth: int = 0) -> Any:
    """Add a row of ``model`` in the session's tenant through the ORM (which stamps the tenant)
    with every required column filled; returns its primary key.

    A foreign key takes an existing row of the tenant, else a new row of the target model made
    the same way (up to three levels deep).
    """
    values: dict[str, Any] = {}
    for column in model.__table__.columns:
        if column.name == "tenant_id" or column.nullable or column.default is not None \
                or column.server_default is not None:
            continue
        if column.primary_key and not column.foreign_keys \
                and isinstance(column.type, sqltypes.Integer):
            continue  # autoincrement
        key = model.__mapper__.get_property_by_column(column).key
        if column.foreign_keys:
            target = next(iter(column.foreign_keys)).column
            target_model = mapped_model(target.table)
            if target_model is None:
                raise NotImplementedError(f"{column.table.name}.{column.name}: "
                                          f"{target.table.name} is not mapped")
            attribute = target_model.__mapper__.get_property_by_column(target).key
            found = session.scalar(select(getattr(target_model, attribute)).limit(1))
            if found is None and depth < 3:
                found = insert_row(session, target_model, depth + 1)
            values[key] = found
        else:
            values[key] = sample_value(column)
    row = model(**values)
    session.add(row)
    session.flush()
    return model.__mapper__.primary_key_from_instance(row)[0]


def add_missing_rows(database: Database, tenant_id: int) -> list[str]:
    """One generic row in every tenant-owned table that has none for the tenant yet (plugin
    tables included); returns those tables' names."""
    filled = []
    with database.transaction(tenant_id) as session:
        for model in tenant_models():
            if not session.scalar(select(func.count()).select_from(model)):
                insert_row(session, model)
                filled.append(model.__tablename__)
    return filled
