"""example_notary: the certificates table

Revision ID: example_notary_0001
Depends on: core 0002 (the cases table)
"""

import sqlalchemy as sa
from alembic import op

from core.toolkit import enable_rls

revision = "example_notary_0001"
down_revision = None
branch_labels = ("example_notary",)
depends_on = "0002"  # core's cases table (not core's head: alembic would then record only ours)


def upgrade() -> None:
    """Create the certificates table, under row-level security."""
    op.create_table(
        "example_notary_certificates",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("tenant_id", sa.Integer, nullable=False),
        sa.Column("case_id", sa.Integer, nullable=False),
        sa.Column("number", sa.String(64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("on_time", sa.Boolean, nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE",
                                name="fk_example_notary_certificates_tenant_id_tenants"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name="fk_example_notary_certificates_case_id_cases"),
        sa.PrimaryKeyConstraint("id", name="pk_example_notary_certificates"),
        sa.UniqueConstraint("tenant_id", "number",
                            name="uq_example_notary_certificates_tenant_id_number"),
    )
    op.create_index("ix_example_notary_certificates_tenant_id_case_id",
                    "example_notary_certificates", ["tenant_id", "case_id"])
    enable_rls(op, "example_notary_certificates")


def downgrade() -> None:
    """Drop the certificates table."""
    op.drop_table("example_notary_certificates")
