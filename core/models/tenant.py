"""Tenant (one city or district) and its plugin enablement."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, TenantScoped


def utcnow() -> datetime:
    """Timezone-aware now; every stored timestamp is UTC."""
    return datetime.now(UTC)


class Tenant(Base):
    """A city (or district) running its governance centers on OneDoor.

    Not tenant-scoped itself: it is the row the scope points at. Everything a tenant declares in
    ``tenant.toml`` that is not a table of its own (names, branding, locale, escalation ladder,
    deadline overrides) lives in ``config``; ``config_version`` changes whenever any of it does,
    which is what per-tenant caches key on.
    """

    __tablename__ = "tenants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    case_code_prefix: Mapped[str] = mapped_column(String(8))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    default_locale: Mapped[str] = mapped_column(String(16), default="zh_Hans")
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    config_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    def name(self, locale: str) -> str:
        """The tenant's display name in ``locale``, falling back to zh_Hans then the slug."""
        names = self.config.get("names", {})
        return names.get(locale) or names.get("zh_Hans") or self.slug


class TenantPlugin(TenantScoped, Base):
    """A plugin a tenant has enabled, with its validated settings."""

    __tablename__ = "tenant_plugins"
    __table_args__ = (UniqueConstraint("tenant_id", "plugin"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plugin: Mapped[str] = mapped_column(String(64))
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
