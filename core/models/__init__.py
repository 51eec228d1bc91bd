"""Typed SQLAlchemy models. Importing this package registers every core table on ``Base``."""

from core.db import Base, TenantScoped
from core.models.accounts import ApiToken, IdempotencyRecord, LoginSession, Membership, User
from core.models.audit import AuditEvent
from core.models.cases import (
    Assignment,
    Case,
    CaseSequence,
    Deadline,
    Evaluation,
    MediationAttempt,
    Party,
    Referral,
    SupervisionNotice,
)
from core.models.centers import Center, CenterWindow, Department, Stationing, StationingMode
from core.models.indicators import IndicatorRefresh, IndicatorRollup
from core.models.risk import RiskFile
from core.models.supervision import NoticeSequence
from core.models.tenant import Tenant, TenantPlugin
from core.models.tiers import TierLevel, TierNode

__all__ = [
    "ApiToken",
    "IdempotencyRecord",
    "LoginSession",
    "Membership",
    "User",
    "Assignment",
    "Case",
    "CaseSequence",
    "Deadline",
    "Evaluation",
    "MediationAttempt",
    "NoticeSequence",
    "Party",
    "Referral",
    "RiskFile",
    "SupervisionNotice",
    "AuditEvent",
    "Base",
    "Center",
    "IndicatorRefresh",
    "IndicatorRollup",
    "CenterWindow",
    "Department",
    "Stationing",
    "StationingMode",
    "Tenant",
    "TenantPlugin",
    "TenantScoped",
    "TierLevel",
    "TierNode",
]
