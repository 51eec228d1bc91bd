"""Numbering of the "两函一单" and the index the supervision board reads.

Supervision notices themselves are :class:`core.models.cases.SupervisionNotice`. Letters and
sheets carry an official number (文号) per tenant, kind and year, e.g. ``预警函〔2026〕第0007号``.
"""

from __future__ import annotations

from sqlalchemy import Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, TenantScoped
from core.models.cases import SupervisionNotice


class NoticeSequence(TenantScoped, Base):
    """The last number given to a kind of letter in a tenant's year (upsert … RETURNING).

    A counter row rather than ``count(*) + 1``: a number once printed on a letter must never be
    given again, and counting would reuse numbers as soon as a case (and its notices, by
    cascade) is deleted. The row lock of the upsert also serializes concurrent issuers.
    """

    __tablename__ = "notice_sequences"
    __table_args__ = (UniqueConstraint("tenant_id", "kind", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(Integer)
    last: Mapped[int] = mapped_column(Integer, default=0)


# The board asks "which cases have an urge / supervise / joint notice": this index answers it
# from the notices of one kind (with case_id in the index, no table visit) instead of scanning
# every notice of the tenant. Declared here, next to the code that needs it, because it belongs
# to the supervision feature rather than to the case model.
Index(
    "ix_supervision_notices_tenant_id_kind_case_id",
    SupervisionNotice.tenant_id,
    SupervisionNotice.kind,
    SupervisionNotice.case_id,
)
