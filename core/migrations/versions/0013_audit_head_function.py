"""PostgreSQL: one function takes the audit chain's lock and reads its head (one round trip)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 15:30:00

Every state change appends to its tenant's audit chain: it takes the tenant's transaction-level
advisory lock (so two transactions never take the same ``seq``), then reads the chain head. Two
statements, because a single SQL statement reads with the snapshot taken when it started, before
a lock it waited for was granted, and would miss the head another transaction committed
meanwhile. A VOLATILE PL/pgSQL function takes a fresh snapshot for each query it runs (the
PostgreSQL manual, "Function Volatility Categories"), so the read after the ``PERFORM`` sees
that head, and the pair costs one round trip. It runs as the caller (SECURITY INVOKER):
row-level security applies to the read as to any other. SQLite needs nothing: its write lock
serializes appends.
"""

from alembic import op


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

#: The first key of the chain lock (pg_advisory_xact_lock(key, tenant id)), as it always was.
_CHAIN_LOCK = 0x0D00


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"""
        CREATE OR REPLACE FUNCTION onedoor_audit_head(p_tenant integer)
        RETURNS TABLE (seq integer, hash text)
        LANGUAGE plpgsql VOLATILE SECURITY INVOKER
        AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock({_CHAIN_LOCK}, p_tenant);
            RETURN QUERY
                SELECT e.seq, e.hash::text FROM audit_events e
                WHERE e.tenant_id = p_tenant ORDER BY e.seq DESC LIMIT 1;
        END
        $$
    """)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION IF EXISTS onedoor_audit_head(integer)")
