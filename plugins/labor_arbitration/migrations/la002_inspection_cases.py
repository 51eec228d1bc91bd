"""labor_arbitration: a linked inspection names its labor inspection case

Revision ID: la002
Revises: la001
Create Date: 2026-12-03 08:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "la002"
down_revision = "la001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Batch mode: SQLite cannot add a foreign key to an existing table (the table is copied);
    # PostgreSQL gets plain ALTER TABLE statements, so row-level security stays as it is.
    with op.batch_alter_table("labor_arbitration_inspections") as batch_op:
        batch_op.add_column(sa.Column("inspection_case_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_labor_arbitration_inspections_inspection_case_id_cases"), "cases",
            ["inspection_case_id"], ["id"], ondelete="SET NULL")
        batch_op.create_unique_constraint(
            op.f("uq_labor_arbitration_inspections_tenant_id_inspection_case_id"),
            ["tenant_id", "inspection_case_id"])


def downgrade() -> None:
    with op.batch_alter_table("labor_arbitration_inspections") as batch_op:
        batch_op.drop_constraint(
            op.f("uq_labor_arbitration_inspections_tenant_id_inspection_case_id"),
            type_="unique")
        batch_op.drop_constraint(
            op.f("fk_labor_arbitration_inspections_inspection_case_id_cases"),
            type_="foreignkey")
        batch_op.drop_column("inspection_case_id")
