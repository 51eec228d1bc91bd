"""The notary plugin's own table: the certificates (公证书) issued for its applications."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.toolkit import Base, TenantScoped


class Certificate(TenantScoped, Base):
    """A notarial certificate, issued when an application is resolved."""

    __tablename__ = "example_notary_certificates"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        Index("ix_example_notary_certificates_tenant_id_case_id", "tenant_id", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: Issued before the application's earliest deadline ran out.
    on_time: Mapped[bool]
