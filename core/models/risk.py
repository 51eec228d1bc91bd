"""Risk files (重点人员/重点事件风险档案): key persons and key events watched over time.

A risk file outlives any single case: a person who keeps coming back (the "three police calls"
of seed 001) or an event that spans many cases (a factory's unpaid wages) gets one file that
the cases are linked to. A person's file carries the person's blind index (the same HMAC the
parties carry), never the ID number itself, so it is found from any new case of that person.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, TenantScoped
from core.models.tenant import utcnow


class RiskFile(TenantScoped, Base):
    """A key person's or key event's risk file: level, linked cases, open until closed."""

    __tablename__ = "risk_files"
    __table_args__ = (
        # A new case's parties look their files up by blind index.
        Index("ix_risk_files_tenant_id_subject_index", "tenant_id", "subject_index"),
        # The list of open files (closed_at IS NULL) of a tenant.
        Index("ix_risk_files_tenant_id_closed_at", "tenant_id", "closed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # "person" | "event"
    title: Mapped[str] = mapped_column(String(200))
    subject_index: Mapped[str | None] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(8))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    notes: Mapped[str] = mapped_column(Text, default="")
    case_ids: Mapped[list[Any]] = mapped_column(default=list)
    created_by: Mapped[str] = mapped_column(String(120))
