"""Typed SQLAlchemy models. Importing this package registers every core table on ``Base``."""

from core.db import Base, TenantScoped
from core.models.audit import AuditEvent
from core.models.centers import Center, CenterWindow, Department, Stationing, StationingMode
from core.models.tenant import Tenant, TenantPlugin
from core.models.tiers import TierLevel, TierNode

__all__ = [
    "AuditEvent",
    "Base",
    "Center",
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
