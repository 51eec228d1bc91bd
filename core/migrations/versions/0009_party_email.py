"""parties keep an e-mail address, encrypted and masked like the phone

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 08:00:00

Open311 clients send the citizen's e-mail; it used to be kept in the case details in plain
text. It is now personal data of the applicant party. Addresses kept in the details of cases
registered before stay there (they are moved by ``onedoor`` nowhere: decrypting needs the
application's PII key, which a migration does not have) — see docs/admin-guide.md.
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('parties', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_encrypted', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('email_masked', sa.String(length=160), nullable=False,
                                      server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('parties', schema=None) as batch_op:
        batch_op.drop_column('email_masked')
        batch_op.drop_column('email_encrypted')
