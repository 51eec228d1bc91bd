"""parties keep a minor's name encrypted (name_encrypted), the mask in name

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 08:05:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('parties', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_encrypted', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('parties', schema=None) as batch_op:
        batch_op.drop_column('name_encrypted')
