"""Precomputed indicator counts (指标汇总): the additive counts the dashboard sums per request.

One row holds, for one registration month (tenant time), one *scope* and one group of one
*facet*, exactly the counts :func:`core.indicators._figures` turns into figures. The scope is a
tier node whose subtree the counts are for — a case counts for every ancestor-or-self of its
handling node and of its location node, once — or 0 for the whole tenant; so a subtree's
figures are the rows of one scope, never a join over the tree. :mod:`core.rollups` builds and
reads them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, TenantScoped

#: The count columns, in the order :mod:`core.rollups` writes them.
COUNTS = ("cases", "intake", "accepted", "resolved", "closed", "overdue_open", "first_time",
          "frontline", "mediated", "mediation_succeeded", "evaluations", "satisfied",
          "closed_late", "litigated", "after_litigation", "attempts")


class IndicatorRollup(TenantScoped, Base):
    """Counts of the cases registered in ``month`` in scope ``scope_id`` with ``facet`` =
    ``value`` (``value`` None: the case has no such value, e.g. never dispatched).

    Facets: ``all`` (one group), ``category``, ``channel``, ``window``, ``level``,
    ``department``, ``located`` (cases *located* in the scope's subtree), ``mediator`` (per
    mediator: ``attempts``, ``mediated``, ``mediation_succeeded``, ``resolved``) and ``hours``
    (the histogram of whole hours to resolve: ``value`` the hours, ``resolved`` the cases).
    """

    __tablename__ = "indicator_rollups"
    __table_args__ = (
        Index("ix_indicator_rollups_tenant_id_scope", "tenant_id", "scope_id", "facet", "month"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(String(7))
    scope_id: Mapped[int] = mapped_column(Integer)
    facet: Mapped[str] = mapped_column(String(16))
    value: Mapped[str | None] = mapped_column(String(200))
    cases: Mapped[int] = mapped_column(Integer, default=0)
    intake: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    resolved: Mapped[int] = mapped_column(Integer, default=0)
    closed: Mapped[int] = mapped_column(Integer, default=0)
    overdue_open: Mapped[int] = mapped_column(Integer, default=0)
    first_time: Mapped[int] = mapped_column(Integer, default=0)
    frontline: Mapped[int] = mapped_column(Integer, default=0)
    mediated: Mapped[int] = mapped_column(Integer, default=0)
    mediation_succeeded: Mapped[int] = mapped_column(Integer, default=0)
    evaluations: Mapped[int] = mapped_column(Integer, default=0)
    satisfied: Mapped[int] = mapped_column(Integer, default=0)
    closed_late: Mapped[int] = mapped_column(Integer, default=0)
    litigated: Mapped[int] = mapped_column(Integer, default=0)
    after_litigation: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    hours_sum: Mapped[float | None] = mapped_column(Float)


class IndicatorRefresh(TenantScoped, Base):
    """When a tenant's rollup was last built (``as_of``) and with which settings.

    ``settings`` fingerprints what shaped the counts (time zone, satisfaction counting,
    frontline level): a rollup built under other settings is not used. ``tree`` and
    ``scanned_at`` let the next refresh rebuild only the months that changed.
    """

    __tablename__ = "indicator_refreshes"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    settings: Mapped[str] = mapped_column(String(200))
    #: The earliest and latest registration among the cases counted (None: no case): a period
    #: edge inside a month is exact when no counted case lies beyond it.
    earliest: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    latest: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rows: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    #: A digest of the tier tree the scopes were built from (nodes' id, path and level, the
    #: frontline levels; on SQLite the UTC offset months were cut at): a tree that changed
    #: since means a full rebuild (:func:`core.rollups.tree_digest`).
    tree: Mapped[str | None] = mapped_column(String(64))
    #: The wall-clock moment the build began reading cases (``as_of`` may be a given ``now``):
    #: the next incremental refresh rebuilds the months of cases whose ``changed_at`` is later
    #: (less :data:`core.rollups.OVERLAP`).
    scanned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
