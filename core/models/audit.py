"""Hash-chained audit events: one per state change, in the same transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, TenantScoped
from core.models.tenant import utcnow


class AuditEvent(TenantScoped, Base):
    """Who did what to which object, chained per tenant by ``hash`` = H(prev_hash + event)."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_tenant_id_seq", "tenant_id", "seq", unique=True),
        # A case's timeline (staff page, API, citizen milestones) reads its events in order.
        Index("ix_audit_events_tenant_id_object", "tenant_id", "object_type", "object_id", "seq"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(80))
    object_type: Mapped[str] = mapped_column(String(80))
    object_id: Mapped[str] = mapped_column(String(120))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
