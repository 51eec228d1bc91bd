"""cases keep the warnings of plugins' intake checks

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 08:00:00
"""

from alembic import op
import sqlalchemy as sa

from core.db import JSONType


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A server default: existing rows (and bulk loaders writing SQL by hand) get no warnings.
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('warnings', JSONType, nullable=False,
                                      server_default=sa.text("'[]'")))


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('warnings')
