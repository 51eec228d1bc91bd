"""Tier levels and the tier-node tree (市 / 县区 / 乡镇街道 / 村社区 / 网格 / 微网格)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, TenantScoped, ordered_text

PATH_SEPARATOR = "/"


class TierLevel(TenantScoped, Base):
    """One level of a tenant's hierarchy; ``rank`` 0 is the top (e.g. city)."""

    __tablename__ = "tier_levels"
    __table_args__ = (UniqueConstraint("tenant_id", "code"), UniqueConstraint("tenant_id", "rank"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32))
    rank: Mapped[int] = mapped_column(Integer)
    names: Mapped[dict[str, Any]] = mapped_column(default=dict)


class TierNode(TenantScoped, Base):
    """A node of the tier tree, e.g. 定海区 or 网格 3 of 东港社区.

    ``path`` is the materialized path of node codes, ``/330900/330902/330902001/``: a subtree is
    the index range ``[path, path with its last "/" replaced by "0")`` — one B-tree range scan on
    ``(tenant_id, path)`` whatever the size of the tree.
    """

    __tablename__ = "tier_nodes"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        Index("ix_tier_nodes_tenant_id_path", "tenant_id", "path", unique=True),
        # Node counts per level (tenant home) without scanning every node of the tenant.
        Index("ix_tier_nodes_tenant_id_level_id", "tenant_id", "level_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    names: Mapped[dict[str, Any]] = mapped_column(default=dict)
    level_id: Mapped[int] = mapped_column(ForeignKey("tier_levels.id", ondelete="RESTRICT"))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("tier_nodes.id", ondelete="RESTRICT"), index=True
    )
    path: Mapped[str] = mapped_column(ordered_text(1024))
    depth: Mapped[int] = mapped_column(Integer)

    level: Mapped[TierLevel] = relationship(lazy="joined")
    parent: Mapped[TierNode | None] = relationship(remote_side=[id])

    def display_name(self, locale: str) -> str:
        """Name in ``locale`` when the tenant gave one, else the primary name."""
        return self.names.get(locale) or self.name
