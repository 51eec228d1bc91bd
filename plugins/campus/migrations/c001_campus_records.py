"""campus: screening records, legal education events, sealed counseling referrals, follow-ups

Revision ID: c001
Revises:
Create Date: 2026-12-02 08:10:00
"""

import sqlalchemy as sa
from alembic import op

from core.toolkit import enable_rls

revision = 'c001'
down_revision = None
branch_labels = ('campus',)
depends_on = '0002'

TABLES = ('campus_screening_records', 'campus_legal_education_events',
          'campus_counseling_referrals', 'campus_case_follow_ups')


def _tenant(table):
    return [sa.Column('tenant_id', sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'],
                                    name=op.f(f'fk_{table}_tenant_id_tenants'),
                                    ondelete='CASCADE'),
            sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}'))]


def upgrade() -> None:
    op.create_table(
        'campus_screening_records',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('screened_on', sa.Date(), nullable=False),
        sa.Column('school', sa.String(length=100), nullable=False),
        sa.Column('screener', sa.String(length=120), nullable=False),
        sa.Column('findings', sa.Text(), nullable=False),
        sa.Column('risk_level', sa.String(length=8), nullable=False),
        sa.Column('case_code', sa.String(length=40), nullable=False),
        sa.Column('resolved', sa.Boolean(), nullable=False),
        sa.Column('recorded_by', sa.String(length=120), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        *_tenant('campus_screening_records'),
    )
    op.create_index('ix_campus_screening_records_tenant_id_screened_on',
                    'campus_screening_records', ['tenant_id', 'screened_on'])
    op.create_table(
        'campus_legal_education_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('school', sa.String(length=100), nullable=False),
        sa.Column('audience', sa.String(length=16), nullable=False),
        sa.Column('attendance', sa.Integer(), nullable=False),
        sa.Column('recorded_by', sa.String(length=120), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        *_tenant('campus_legal_education_events'),
    )
    op.create_index('ix_campus_legal_education_events_tenant_id_held_on',
                    'campus_legal_education_events', ['tenant_id', 'held_on'])
    op.create_table(
        'campus_counseling_referrals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('referred_on', sa.Date(), nullable=False),
        sa.Column('school', sa.String(length=100), nullable=False),
        sa.Column('case_code', sa.String(length=40), nullable=False),
        sa.Column('node_id', sa.Integer(), nullable=False),
        sa.Column('details_encrypted', sa.Text(), nullable=False),
        sa.Column('referred_by', sa.String(length=120), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['node_id'], ['tier_nodes.id'],
                                name=op.f('fk_campus_counseling_referrals_node_id_tier_nodes'),
                                ondelete='RESTRICT'),
        *_tenant('campus_counseling_referrals'),
    )
    op.create_index('ix_campus_counseling_referrals_tenant_id_case_code',
                    'campus_counseling_referrals', ['tenant_id', 'case_code'])
    op.create_table(
        'campus_case_follow_ups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_code', sa.String(length=40), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('done_on', sa.Date(), nullable=False),
        sa.Column('note', sa.String(length=500), nullable=False),
        sa.Column('recorded_by', sa.String(length=120), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        *_tenant('campus_case_follow_ups'),
    )
    op.create_index('ix_campus_case_follow_ups_tenant_id_case_code',
                    'campus_case_follow_ups', ['tenant_id', 'case_code'])
    for table in TABLES:
        enable_rls(op, table)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
