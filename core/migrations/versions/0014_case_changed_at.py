"""cases remember when they last changed; the rollup stamp its tree and scan moment

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 16:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

# SQLite adds a NOT NULL column only with a constant default (and keeps it: dropping it would
# rebuild the cases table); the application always writes the column itself. PostgreSQL then
# defaults it to now().
_EPOCH = '1970-01-01 00:00:00.000000'


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == 'postgresql'
    # A constant default: PostgreSQL adds the column without rewriting the table and SQLite
    # with a plain ALTER TABLE; the backfill then gives every case its last known change.
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False,
                                      server_default=sa.text(f"'{_EPOCH}'")))
    op.execute("UPDATE cases SET changed_at = "
               "COALESCE(closed_at, resolved_at, accepted_at, registered_at)")
    if postgresql:
        # A row written by hand-made SQL (an import, a repair) that does not name the column
        # counts as changed when it is written, so the next incremental refresh sees it.
        op.alter_column('cases', 'changed_at', server_default=sa.text('now()'))
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_tenant_id_changed_at', ['tenant_id', 'changed_at'],
                              unique=False)
    # Existing stamps get no tree digest: the first refresh after upgrading is a full one.
    with op.batch_alter_table('indicator_refreshes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tree', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('scanned_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('indicator_refreshes', schema=None) as batch_op:
        batch_op.drop_column('scanned_at')
        batch_op.drop_column('tree')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_tenant_id_changed_at')
        batch_op.drop_column('changed_at')
