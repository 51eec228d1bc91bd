"""Centers (综治中心), their windows (窗口) and stationed departments (入驻单位)."""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import Enum, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, TenantScoped
from core.models.tiers import TierNode


class Center(TenantScoped, Base):
    """A comprehensive governance center at a tier node."""

    __tablename__ = "centers"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64))
    node_id: Mapped[int] = mapped_column(ForeignKey("tier_nodes.id", ondelete="RESTRICT"))
    names: Mapped[dict[str, Any]] = mapped_column(default=dict)
    address: Mapped[str] = mapped_column(String(300), default="")

    node: Mapped[TierNode] = relationship(lazy="joined")
    windows: Mapped[list[CenterWindow]] = relationship(
        back_populates="center", cascade="all, delete-orphan", order_by="CenterWindow.position"
    )
    stationings: Mapped[list[Stationing]] = relationship(
        back_populates="center", cascade="all, delete-orphan", order_by="Stationing.id"
    )

    def display_name(self, locale: str) -> str:
        """Name in ``locale``, falling back to zh_Hans, then the code."""
        return self.names.get(locale) or self.names.get("zh_Hans") or self.code


class CenterWindow(TenantScoped, Base):
    """A window opened at a center; ``window_type`` is a code from core or an enabled plugin."""

    __tablename__ = "center_windows"
    __table_args__ = (UniqueConstraint("tenant_id", "center_id", "window_type"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id", ondelete="CASCADE"))
    window_type: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer, default=0)

    center: Mapped[Center] = relationship(back_populates="windows")


class Department(TenantScoped, Base):
    """A department or mediation organization of the tenant (from the catalog or its own)."""

    __tablename__ = "departments"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64))
    names: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # "core" for the standard twelve, "specialty" for the X, as in "12+X".
    kind: Mapped[str] = mapped_column(String(16), default="core")

    def display_name(self, locale: str) -> str:
        """Name in ``locale``, falling back to zh_Hans, then the code."""
        return self.names.get(locale) or self.names.get("zh_Hans") or self.code


class StationingMode(enum.StrEnum):
    """How a department is present at a center."""

    RESIDENT = "resident"  # 常驻
    ROTATING = "rotating"  # 轮驻
    ON_CALL = "on_call"  # 随驻 / 邀驻


class Stationing(TenantScoped, Base):
    """A department stationed at a center, with its mode and schedule.

    ``schedule`` holds ``days`` (mon…sun), ``hours`` ("09:00-17:00") and an optional ``note``;
    on-call stationings hold a ``contact`` instead of fixed days.
    """

    __tablename__ = "stationings"
    __table_args__ = (UniqueConstraint("tenant_id", "center_id", "department_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id", ondelete="CASCADE"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="RESTRICT"))
    mode: Mapped[StationingMode] = mapped_column(
        Enum(
            StationingMode,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    schedule: Mapped[dict[str, Any]] = mapped_column(default=dict)

    center: Mapped[Center] = relationship(back_populates="stationings")
    department: Mapped[Department] = relationship(lazy="joined")
