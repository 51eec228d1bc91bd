"""The campus plugin's own records, each owned by a tenant (row-level security on every table).

* :class:`ScreeningRecord` — 矛盾排查: a screener's round at a school, what was found, its risk
  level and, when it needed one, the case opened to follow it up.
* :class:`LegalEducationEvent` — 法治宣传: a legal education event at a school and how many came.
* :class:`CounselingReferral` — 心理辅导转介: a sealed referral. Its details are encrypted with
  the personal-data vault; only counselors read them, and every reading is audited.
* :class:`CaseFollowUp` — what was done on a campus case (guardians notified, reported to the
  police…), which the bullying transition check asks for.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.toolkit import Base, TenantScoped


def _now() -> datetime:
    return datetime.now(UTC)


class ScreeningRecord(TenantScoped, Base):
    """One conflict screening (矛盾排查) at a school."""

    __tablename__ = "campus_screening_records"
    __table_args__ = (Index("ix_campus_screening_records_tenant_id_screened_on",
                            "tenant_id", "screened_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    screened_on: Mapped[date] = mapped_column(Date)
    school: Mapped[str] = mapped_column(String(100))
    screener: Mapped[str] = mapped_column(String(120))
    findings: Mapped[str] = mapped_column(Text, default="")
    #: none (nothing found) or a risk level: blue, yellow, orange, red.
    risk_level: Mapped[str] = mapped_column(String(8))
    #: The case opened to follow the finding up (a case code), if any.
    case_code: Mapped[str] = mapped_column(String(40), default="")
    resolved: Mapped[bool] = mapped_column(default=False)
    recorded_by: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                  default=_now)


class LegalEducationEvent(TenantScoped, Base):
    """One legal education event (法治宣传) at a school, with its attendance."""

    __tablename__ = "campus_legal_education_events"
    __table_args__ = (Index("ix_campus_legal_education_events_tenant_id_held_on",
                            "tenant_id", "held_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[date] = mapped_column(Date)
    school: Mapped[str] = mapped_column(String(100))
    #: students, staff, parents or mixed.
    audience: Mapped[str] = mapped_column(String(16))
    attendance: Mapped[int] = mapped_column(Integer)
    recorded_by: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                  default=_now)


class CounselingReferral(TenantScoped, Base):
    """A psychological counseling referral (心理辅导转介); ``details_encrypted`` is sealed.

    Everyone who may see the list sees that a referral exists (school, date, who referred,
    the case it belongs to); only the encrypted text is restricted.
    """

    __tablename__ = "campus_counseling_referrals"
    __table_args__ = (Index("ix_campus_counseling_referrals_tenant_id_case_code",
                            "tenant_id", "case_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referred_on: Mapped[date] = mapped_column(Date)
    school: Mapped[str] = mapped_column(String(100))
    case_code: Mapped[str] = mapped_column(String(40), default="")
    node_id: Mapped[int] = mapped_column(ForeignKey("tier_nodes.id", ondelete="RESTRICT"))
    details_encrypted: Mapped[str] = mapped_column(Text)
    referred_by: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                  default=_now)


class CaseFollowUp(TenantScoped, Base):
    """Something done on a campus case: guardians notified, police or bureau told, counseling."""

    __tablename__ = "campus_case_follow_ups"
    __table_args__ = (Index("ix_campus_case_follow_ups_tenant_id_case_code",
                            "tenant_id", "case_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_code: Mapped[str] = mapped_column(String(40))
    #: guardians_notified, police_reported, bureau_reported, counseling_arranged.
    kind: Mapped[str] = mapped_column(String(24))
    done_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(500), default="")
    recorded_by: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                  default=_now)
