"""indicator rollups: precomputed counts for the dashboard, and when they were built

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 08:00:00
"""

from alembic import op
import sqlalchemy as sa

from core import rls


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

COUNTS = ('cases', 'intake', 'accepted', 'resolved', 'closed', 'overdue_open', 'first_time',
          'frontline', 'mediated', 'mediation_succeeded', 'evaluations', 'satisfied',
          'closed_late', 'litigated', 'after_litigation', 'attempts')


def upgrade() -> None:
    op.create_table(
        'indicator_rollups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('scope_id', sa.Integer(), nullable=False),
        sa.Column('facet', sa.String(length=16), nullable=False),
        sa.Column('value', sa.String(length=200), nullable=True),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS],
        sa.Column('hours_sum', sa.Float(), nullable=True),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'],
                                name=op.f('fk_indicator_rollups_tenant_id_tenants'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_rollups')),
    )
    with op.batch_alter_table('indicator_rollups', schema=None) as batch_op:
        batch_op.create_index('ix_indicator_rollups_tenant_id_scope',
                              ['tenant_id', 'scope_id', 'facet', 'month'], unique=False)
    op.create_table(
        'indicator_refreshes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('as_of', sa.DateTime(timezone=True), nullable=False),
        sa.Column('settings', sa.String(length=200), nullable=False),
        sa.Column('earliest', sa.DateTime(timezone=True), nullable=True),
        sa.Column('latest', sa.DateTime(timezone=True), nullable=True),
        sa.Column('rows', sa.Integer(), nullable=False),
        sa.Column('seconds', sa.Float(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'],
                                name=op.f('fk_indicator_refreshes_tenant_id_tenants'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_refreshes')),
        sa.UniqueConstraint('tenant_id', name=op.f('uq_indicator_refreshes_tenant_id')),
    )
    for table in ('indicator_rollups', 'indicator_refreshes'):
        rls.enable_for_table(op, table)


def downgrade() -> None:
    op.drop_table('indicator_refreshes')
    with op.batch_alter_table('indicator_rollups', schema=None) as batch_op:
        batch_op.drop_index('ix_indicator_rollups_tenant_id_scope')
    op.drop_table('indicator_rollups')
