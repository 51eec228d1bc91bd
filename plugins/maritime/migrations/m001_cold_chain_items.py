"""maritime: cold-chain supervision items

Revision ID: m001
Revises:
Create Date: 2026-12-02 08:00:00
"""

import sqlalchemy as sa
from alembic import op

from core import toolkit

revision = 'm001'
down_revision = None
branch_labels = ('maritime',)
depends_on = '0001'  # the tenants table; a later core head would hide core's own head


def upgrade() -> None:
    op.create_table(
        'maritime_cold_chain_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('operator', sa.String(length=120), nullable=False),
        sa.Column('port', sa.String(length=100), nullable=False),
        sa.Column('vessel', sa.String(length=20), nullable=False),
        sa.Column('max_temperature', sa.Numeric(precision=4, scale=1), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('last_temperature', sa.Numeric(precision=4, scale=1), nullable=True),
        sa.Column('last_inspected_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('created_by', sa.String(length=120), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE',
                                name=op.f('fk_maritime_cold_chain_items_tenant_id_tenants')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_maritime_cold_chain_items')),
        sa.UniqueConstraint('tenant_id', 'name',
                            name=op.f('uq_maritime_cold_chain_items_tenant_id_name')),
    )
    toolkit.enable_rls(op, 'maritime_cold_chain_items')


def downgrade() -> None:
    op.drop_table('maritime_cold_chain_items')
