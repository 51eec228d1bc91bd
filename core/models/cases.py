"""Cases (事件 / 矛盾纠纷 / 诉求) and what hangs off them: parties, assignments, attempts, …

One row of :class:`Case` is one dispute for its whole life (一纠纷一码、一码管全程). Every child row
carries ``tenant_id`` too, so both isolation layers apply to it directly, without trusting a join.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, TenantScoped
from core.models.tenant import utcnow


class CaseSequence(TenantScoped, Base):
    """The last case number given out in a tenant's year (allocated with UPDATE … RETURNING)."""

    __tablename__ = "case_sequences"
    __table_args__ = (UniqueConstraint("tenant_id", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Case(TenantScoped, Base):
    """A dispute, petition or request, from registration to archive."""

    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        UniqueConstraint("tenant_id", "idempotency_key"),
        Index("ix_cases_tenant_id_status_due_at", "tenant_id", "status", "due_at"),
        Index("ix_cases_tenant_id_node_id", "tenant_id", "node_id"),
        # Subtree figures and lists match the handling node or the location node.
        Index("ix_cases_tenant_id_location_node_id", "tenant_id", "location_node_id"),
        Index("ix_cases_tenant_id_registered_at", "tenant_id", "registered_at"),
        # The indicator rollup's incremental refresh looks up the cases changed since the last.
        Index("ix_cases_tenant_id_changed_at", "tenant_id", "changed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    case_type: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(32))
    demand_type: Mapped[str] = mapped_column(String(32), default="dispute")
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # Where the dispute happened, and the tier node currently handling it.
    location_node_id: Mapped[int] = mapped_column(ForeignKey("tier_nodes.id", ondelete="RESTRICT"))
    node_id: Mapped[int] = mapped_column(ForeignKey("tier_nodes.id", ondelete="RESTRICT"))
    address: Mapped[str] = mapped_column(String(300), default="")
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    people_involved: Mapped[int] = mapped_column(Integer, default=1)
    is_group: Mapped[bool] = mapped_column(Boolean, default=False)
    risk: Mapped[str] = mapped_column(String(8), default="blue")
    risk_reasons: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(24))
    rung: Mapped[int] = mapped_column(Integer, default=0)
    dispatch_count: Mapped[int] = mapped_column(Integer, default=0)
    escalations: Mapped[int] = mapped_column(Integer, default=0)
    reopened: Mapped[int] = mapped_column(Integer, default=0)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Warnings of plugins' statutory checks at intake (core.casetypes.IntakeFinding.stored):
    # the case was registered all the same, and every reader is told why to look twice.
    warnings: Mapped[list[Any]] = mapped_column(default=list, server_default=text("'[]'"))
    idempotency_key: Mapped[str | None] = mapped_column(String(80))
    intake_center_id: Mapped[int | None] = mapped_column(
        ForeignKey("centers.id", ondelete="SET NULL")
    )
    window_type: Mapped[str] = mapped_column(String(64), default="")
    registered_by: Mapped[str] = mapped_column(String(120))
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The earliest running deadline, denormalized for the queue and the sweep.
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    # When the row last changed, by the wall clock (never a caller's ``now``): the indicator
    # rollup rebuilds only the months of cases changed since its previous refresh
    # (core.rollups). Every ORM UPDATE sets it (onupdate); the set-based UPDATEs of the sweep
    # and core.sla set it themselves; a new child row the rollup counts (a mediation attempt,
    # an evaluation) touches the case (core.cases.followup.touch_case).
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}

    parties: Mapped[list[Party]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Party.id"
    )


class Party(TenantScoped, Base):
    """A party (当事人): applicant, respondent or third party; a person or an organization.

    ID numbers and phones are stored encrypted, with a blind index (keyed HMAC) for finding the
    same person across cases and a mask for display; the plain text never reaches the table.
    A minor's name is protected the same way (未成年人保护法 第四条（三）、第一百零三条):
    ``name`` holds its mask and ``name_encrypted`` the name, revealed only with an audit event.
    """

    __tablename__ = "parties"
    __table_args__ = (
        Index("ix_parties_tenant_id_case_id", "tenant_id", "case_id"),
        Index("ix_parties_tenant_id_id_index", "tenant_id", "id_index"),
        Index("ix_parties_tenant_id_phone_index", "tenant_id", "phone_index"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16), default="person")
    name: Mapped[str] = mapped_column(String(120))
    name_encrypted: Mapped[str | None] = mapped_column(Text)
    id_encrypted: Mapped[str | None] = mapped_column(Text)
    id_index: Mapped[str | None] = mapped_column(String(64))
    id_masked: Mapped[str] = mapped_column(String(32), default="")
    phone_encrypted: Mapped[str | None] = mapped_column(Text)
    phone_index: Mapped[str | None] = mapped_column(String(64))
    phone_masked: Mapped[str] = mapped_column(String(32), default="")
    # E-mail (an Open311 client's, a portal user's): encrypted like the phone, no blind index
    # (repeat parties are found by ID number and phone).
    email_encrypted: Mapped[str | None] = mapped_column(Text)
    email_masked: Mapped[str] = mapped_column(String(160), default="", server_default="")
    address: Mapped[str] = mapped_column(String(300), default="")

    case: Mapped[Case] = relationship(back_populates="parties")


class Assignment(TenantScoped, Base):
    """A department put on a case: lead (主办) or assisting (协办); returned (退单) or active."""

    __tablename__ = "assignments"
    __table_args__ = (Index("ix_assignments_tenant_id_case_id", "tenant_id", "case_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="RESTRICT"))
    node_id: Mapped[int] = mapped_column(ForeignKey("tier_nodes.id", ondelete="RESTRICT"))
    role: Mapped[str] = mapped_column(String(8), default="lead")
    assigned_by: Mapped[str] = mapped_column(String(120))
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    designated: Mapped[bool] = mapped_column(Boolean, default=False)
    returned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    return_reason: Mapped[str] = mapped_column(String(500), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class MediationAttempt(TenantScoped, Base):
    """One mediation session: who, when, on which rung, with a leader or not, and the result."""

    __tablename__ = "mediation_attempts"
    __table_args__ = (Index("ix_mediation_attempts_tenant_id_case_id", "tenant_id", "case_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    rung: Mapped[int] = mapped_column(Integer)
    node_id: Mapped[int] = mapped_column(ForeignKey("tier_nodes.id", ondelete="RESTRICT"))
    mediator: Mapped[str] = mapped_column(String(120))
    held_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    leader_involved: Mapped[bool] = mapped_column(Boolean, default=False)
    leader_name: Mapped[str] = mapped_column(String(120), default="")
    result: Mapped[str] = mapped_column(String(16))
    notes: Mapped[str] = mapped_column(Text, default="")


class Referral(TenantScoped, Base):
    """The case left mediation for arbitration, litigation, an administrative route, …"""

    __tablename__ = "referrals"
    __table_args__ = (Index("ix_referrals_tenant_id_case_id", "tenant_id", "case_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    route: Mapped[str] = mapped_column(String(32))
    institution: Mapped[str] = mapped_column(String(200), default="")
    referred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")


class Evaluation(TenantScoped, Base):
    """Follow-up (回访评价): 满意 satisfied / 基本满意 basically / 不满意 unsatisfied."""

    __tablename__ = "evaluations"
    __table_args__ = (Index("ix_evaluations_tenant_id_case_id", "tenant_id", "case_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    rating: Mapped[str] = mapped_column(String(24))
    channel: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text, default="")
    evaluated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(120))


class Deadline(TenantScoped, Base):
    """A running clock on a case (accept within N days, mediate within M working days, …).

    ``due_at`` already includes paused time and any approved extension; ``paused_at`` is set
    while the clock is paused (e.g. during an appraisal). ``calendar_version`` is the tenant
    calendar it was computed with.
    """

    __tablename__ = "deadlines"
    __table_args__ = (
        Index("ix_deadlines_tenant_id_case_id", "tenant_id", "case_id"),
        Index("ix_deadlines_tenant_id_state_due_at", "tenant_id", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    state: Mapped[str] = mapped_column(String(12), default="running")
    paused_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    paused_seconds: Mapped[int] = mapped_column(Integer, default=0)
    #: Approved extension (延期) in the rule's unit, at most the rule's ``max_extension``.
    extended_by: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    met_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    calendar_version: Mapped[int] = mapped_column(Integer, default=1)
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    urged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    # Lets the first clocks of a case being registered go into the same flush as the case
    # (the unit of work fills case_id), so its due date is in the INSERT, not in an UPDATE.
    case: Mapped[Case] = relationship()


class SupervisionNotice(TenantScoped, Base):
    """Reminder, urging (催办), supervision (督办), joint handling (会办) and the "两函一单"."""

    __tablename__ = "supervision_notices"
    __table_args__ = (
        Index("ix_supervision_notices_tenant_id_case_id", "tenant_id", "case_id"),
        Index("ix_supervision_notices_tenant_id_deliver_after", "tenant_id", "deliver_after"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    number: Mapped[str] = mapped_column(String(40), default="")
    issued_by: Mapped[str] = mapped_column(String(120))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    deliver_after: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    to_department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL")
    )
    to_node_id: Mapped[int | None] = mapped_column(ForeignKey("tier_nodes.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text, default="")
    respond_by: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deadline_id: Mapped[int | None] = mapped_column(ForeignKey("deadlines.id", ondelete="SET NULL"))
