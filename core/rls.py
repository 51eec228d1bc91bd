"""Layer 2 of tenant isolation: PostgreSQL row-level security.

Every table with a ``tenant_id`` column gets ``ENABLE`` and ``FORCE ROW LEVEL SECURITY`` and one
policy comparing ``tenant_id`` with the transaction-local setting ``app.tenant_id``. Sessions set
it with ``set_config(..., true)`` (``SET LOCAL`` semantics) at the start of every transaction, so a
pooled connection never carries one tenant's setting into another's transaction. With no setting
the comparison is NULL and no row is visible.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import event, text

if TYPE_CHECKING:
    from core.db import Database

POLICY_NAME = "tenant_isolation"


def policy_sql(table: str) -> list[str]:
    """DDL that isolates ``table`` by tenant (used by core and plugin migrations)."""
    predicate = "tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::integer"
    return [
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY',
        f'DROP POLICY IF EXISTS {POLICY_NAME} ON "{table}"',
        f'CREATE POLICY {POLICY_NAME} ON "{table}" USING ({predicate}) WITH CHECK ({predicate})',
    ]


def enable_for_table(op: Any, table: str) -> None:
    """Alembic helper: ``rls.enable_for_table(op, "my_table")`` inside ``upgrade()``.

    Does nothing on databases without row-level security (SQLite).
    """
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in policy_sql(table):
        op.execute(statement)


def grant_app_role(connection: Any, role: str) -> None:
    """Give the application role data access (never ownership, never BYPASSRLS)."""
    quoted = connection.dialect.identifier_preparer.quote(role)
    for statement in (
        f"GRANT USAGE ON SCHEMA public TO {quoted}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
    ):
        connection.execute(text(statement))


def tables_missing_policy(connection: Any) -> list[str]:
    """Tables with a ``tenant_id`` column that lack ENABLE, FORCE or the isolation policy.

    A table that has another permissive policy is reported too: permissive policies are OR-ed,
    so any of them could show rows of other tenants.

    Every user schema is searched, and this session's temporary tables too (a temporary table
    lives as long as its pooled connection, i.e. across tenants' requests). Tables outside the
    current schema are named ``schema.table``.
    """
    rows = connection.execute(
        text(
            r"""
            SELECT CASE WHEN n.nspname = current_schema() THEN c.relname
                        ELSE n.nspname || '.' || c.relname END
              FROM pg_class c
              JOIN pg_namespace n ON n.oid = c.relnamespace
              JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id'
                                 AND NOT a.attisdropped
             WHERE c.relkind IN ('r', 'p')
               AND (n.oid = pg_my_temp_schema()
                    OR (n.nspname NOT IN ('pg_catalog', 'information_schema')
                        AND n.nspname NOT LIKE 'pg\_%'))
               AND NOT (c.relrowsecurity AND c.relforcerowsecurity AND EXISTS (
                        SELECT 1 FROM pg_policies p
                         WHERE p.schemaname = n.nspname AND p.tablename = c.relname
                           AND p.policyname = :policy)
                    -- another permissive policy would OR itself into ours and widen access
                    AND NOT EXISTS (
                        SELECT 1 FROM pg_policies p
                         WHERE p.schemaname = n.nspname AND p.tablename = c.relname
                           AND p.permissive = 'PERMISSIVE' AND p.policyname <> :policy))
             ORDER BY 1
            """
        ),
        {"policy": POLICY_NAME},
    )
    return [row[0] for row in rows]


def install(database: Database) -> None:
    """Make every transaction of ``database``'s sessions carry its tenant for the policies."""
    if not database.is_postgresql:
        return

    from core.db import TenantSession  # noqa: PLC0415

    @event.listens_for(database._sessions, "after_begin")
    def _set_tenant(session: TenantSession, _transaction: Any, connection: Any) -> None:
        tenant_id = session.info.get("tenant_id")
        connection.execute(
            text("SELECT set_config('app.tenant_id', :tid, true)"),
            {"tid": "" if tenant_id is None else str(tenant_id)},
        )
