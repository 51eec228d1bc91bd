"""The labor arbitration plugin's own tables: linked inspections and similar-case links.

- :class:`InspectionLink` — 监察仲裁联动: a labor dispute that reveals a labor-standard
  violation (unpaid wages of a whole workforce, a worker asking for it, a referral to the
  administrative route) opens a linked inspection record for the labor inspection brigade,
  one per case.
- :class:`SimilarCase` — 类案同裁: one row per labor case and claim type, keyed by the
  employer's normalized name, so that cases against the same employer over the same claim are
  found together and awarded consistently.

Both are tenant-owned (``TenantScoped``) with row-level security in the migration.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.toolkit import Base, TenantScoped


def _now() -> datetime:
    return datetime.now(UTC)


class InspectionLink(TenantScoped, Base):
    """A labor case handed to labor inspection (监察仲裁联动), open until inspection reports."""

    __tablename__ = "labor_arbitration_inspections"
    __table_args__ = (UniqueConstraint("tenant_id", "case_id"),
                      UniqueConstraint("tenant_id", "inspection_case_id"),
                      Index("ix_labor_arbitration_inspections_tenant_id_status",
                            "tenant_id", "status"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    #: The labor inspection case (``labor_inspection``) registered with the link; None for links
    #: opened before the plugin registered one (migration la002) or whose case was deleted.
    inspection_case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="SET NULL"))
    employer: Mapped[str] = mapped_column(String(120))
    #: Why it was opened: ``requested`` (the details ask for it), ``group_wage_arrears`` or
    #: ``administrative_referral``.
    trigger: Mapped[str] = mapped_column(String(32))
    department: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    opened_by: Mapped[str] = mapped_column(String(120))
    note: Mapped[str] = mapped_column(Text, default="")


class SimilarCase(TenantScoped, Base):
    """A labor case's claim against an employer, for finding similar cases (类案同裁)."""

    __tablename__ = "labor_arbitration_similar_cases"
    __table_args__ = (UniqueConstraint("tenant_id", "case_id", "claim_type"),
                      Index("ix_labor_arbitration_similar_cases_tenant_id_employer_key",
                            "tenant_id", "employer_key", "claim_type"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    employer_key: Mapped[str] = mapped_column(String(120))
    employer: Mapped[str] = mapped_column(String(120))
    claim_type: Mapped[str] = mapped_column(String(32))
    linked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
