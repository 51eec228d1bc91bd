"""Centers (综治中心): the list, and one center's windows and stationed departments ("12+X")."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from babel.dates import get_day_names
from flask import abort, g, render_template
from flask_babel import gettext
from sqlalchemy import select

from core.app import db_session
from core.essentials.catalog import CORE_WINDOWS
from core.models import Center, CenterWindow, Department, Stationing, StationingMode
from core.tenancy import TenantContext
from core.tiers import ancestors_query
from core.web import bp, current_locale

CORE_WINDOW_CODES = frozenset(w.code for w in CORE_WINDOWS)
DAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MODE_ORDER = (StationingMode.RESIDENT, StationingMode.ROTATING, StationingMode.ON_CALL)


@dataclass
class CenterSummary:
    """What a list shows of one center: windows open (of enabled types) and its "12+X"."""

    center: Center
    windows: int = 0
    specialty_windows: int = 0
    core_departments: int = 0
    specialty_departments: int = 0
    modes: Counter[str] = field(default_factory=Counter)


def center_summaries(session, tenant: TenantContext) -> list[CenterSummary]:
    """Every center of the session's tenant with its counts, in three queries."""
    enabled = tenant.window_types()
    centers_ = session.scalars(select(Center).order_by(Center.code))
    summaries = {c.id: CenterSummary(c) for c in centers_}
    if not summaries:
        return []
    for center_id, window_type in session.execute(
        select(CenterWindow.center_id, CenterWindow.window_type)
    ):
        summary = summaries.get(center_id)
        if summary is None or window_type not in enabled:
            continue
        summary.windows += 1
        summary.specialty_windows += window_type not in CORE_WINDOW_CODES
    for center_id, kind, mode in session.execute(
        select(Stationing.center_id, Department.kind, Stationing.mode).join(
            Department, Department.id == Stationing.department_id
        )
    ):
        summary = summaries.get(center_id)
        if summary is None:
            continue
        if kind == "specialty":
            summary.specialty_departments += 1
        else:
            summary.core_departments += 1
        summary.modes[StationingMode(mode).value] += 1
    return list(summaries.values())


def day_names(days: object, locale: str) -> list[str]:
    """``["mon", "wed"]`` as abbreviated day names in ``locale`` (unknown codes as given)."""
    if not isinstance(days, list | tuple):
        return []
    names = get_day_names("abbreviated", locale=locale)
    return [names[DAY_CODES.index(d)] if d in DAY_CODES else str(d) for d in days]


@bp.get("/<tenant>/centers/")
def centers() -> str:
    """Every center of the tenant, with its node, windows and "12+X" counts."""
    tenant = g.tenant
    return render_template(
        "centers.html",
        tenant=tenant,
        locale=current_locale(),
        summaries=center_summaries(db_session(), tenant),
    )


@bp.get("/<tenant>/centers/<code>")
def center(code: str) -> str:
    """One center: where it is, its windows, its departments by mode with their schedules."""
    tenant = g.tenant
    locale = current_locale()
    session = db_session()
    found = session.scalar(select(Center).where(Center.code == code))
    if found is None:
        abort(404, gettext("There is no center with this code."))
    window_types = tenant.window_types()
    windows = [
        (window_types[w.window_type], w.window_type not in CORE_WINDOW_CODES)
        for w in found.windows
        if w.window_type in window_types
    ]
    groups: dict[StationingMode, list[Stationing]] = {mode: [] for mode in MODE_ORDER}
    for stationing in found.stationings:
        groups[StationingMode(stationing.mode)].append(stationing)
    kinds = Counter(
        "specialty" if s.department.kind == "specialty" else "core" for s in found.stationings
    )
    return render_template(
        "center.html",
        tenant=tenant,
        locale=locale,
        center=found,
        ancestors=session.scalars(ancestors_query(found.node)).all(),
        windows=windows,
        groups=[(mode, groups[mode]) for mode in MODE_ORDER],
        core_count=kinds["core"],
        specialty_count=kinds["specialty"],
        day_names=lambda days: day_names(days, locale),
    )

