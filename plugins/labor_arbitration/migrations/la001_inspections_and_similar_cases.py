"""labor_arbitration: linked inspections and similar-case links

Revision ID: la001
Revises:
Create Date: 2026-12-02 08:00:00
"""

import sqlalchemy as sa
from alembic import op

from core import toolkit

TENANT_TABLES = ("labor_arbitration_inspections", "labor_arbitration_similar_cases")

revision = "la001"
down_revision = None
branch_labels = ("labor_arbitration",)
# Not core's head: a branch depending on the head would hide it from alembic_version (the
# dependency counts as an ancestor), while `alembic heads` still lists it. 0002 made `cases`.
depends_on = "0002"


def upgrade() -> None:
    op.create_table(
        "labor_arbitration_inspections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("employer", sa.String(length=120), nullable=False),
        sa.Column("trigger", sa.String(length=32), nullable=False),
        sa.Column("department", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by", sa.String(length=120), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"],
                                name=op.f("fk_labor_arbitration_inspections_case_id_cases"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name=op.f("fk_labor_arbitration_inspections_tenant_id_tenants"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_labor_arbitration_inspections")),
        sa.UniqueConstraint("tenant_id", "case_id",
                            name=op.f("uq_labor_arbitration_inspections_tenant_id_case_id")),
    )
    with op.batch_alter_table("labor_arbitration_inspections") as batch_op:
        batch_op.create_index("ix_labor_arbitration_inspections_tenant_id_status",
                              ["tenant_id", "status"], unique=False)
    op.create_table(
        "labor_arbitration_similar_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("employer_key", sa.String(length=120), nullable=False),
        sa.Column("employer", sa.String(length=120), nullable=False),
        sa.Column("claim_type", sa.String(length=32), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"],
                                name=op.f("fk_labor_arbitration_similar_cases_case_id_cases"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"],
            name=op.f("fk_labor_arbitration_similar_cases_tenant_id_tenants"),
            ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_labor_arbitration_similar_cases")),
        sa.UniqueConstraint(
            "tenant_id", "case_id", "claim_type",
            name=op.f("uq_labor_arbitration_similar_cases_tenant_id_case_id_claim_type")),
    )
    with op.batch_alter_table("labor_arbitration_similar_cases") as batch_op:
        batch_op.create_index("ix_labor_arbitration_similar_cases_tenant_id_employer_key",
                              ["tenant_id", "employer_key", "claim_type"], unique=False)
    for table in TENANT_TABLES:
        toolkit.enable_rls(op, table)


def downgrade() -> None:
    op.drop_table("labor_arbitration_similar_cases")
    op.drop_table("labor_arbitration_inspections")
