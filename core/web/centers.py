"""Centers (综治中心): the list, and one center's windows and stationed departments ("12+X")."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from babel.dates import get_day_names
from flask import abort, g, render_template
from flask_babel import gettext
from sqlalchemy import func, select

from core.app import db_session
from core.essentials.catalog import CORE_WINDOWS
from core.models import Center, CenterWindow, Department, Stationing, StationingMode
from core.tenancy import TenantContext
from core.tiers import ancestors_query
from core.web import bp, current_locale

CORE_WINDOW_CODES = frozenset(w.code for w in CORE_WINDOWS)
DAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MODE_ORDER = (StationingMode.RESIDENT, StationingMode.ROTATING, StationingMode.ON_CALL)
WORKING_DAYS = DAY_CODES[:5]
PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{4,}$")


def _now() -> datetime:
    """The current time (a function, so that tests can set the clock)."""
    return datetime.now(UTC)


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


def present_on(stationings: list[Stationing], day: str) -> list[Stationing]:
    """Who is at the center on ``day`` (``mon`` … ``sun``): resident departments on their days
    (every working day when none are given) and rotating ones whose rota lists the day.
    On-call departments come when called, so they are never "present"."""
    present = []
    for s in stationings:
        days = (s.schedule or {}).get("days") or []
        if s.mode == StationingMode.RESIDENT and day in (days or WORKING_DAYS):
            present.append(s)
        elif s.mode == StationingMode.ROTATING and day in days:
            present.append(s)
    return present


def tel_uri(contact: object) -> str | None:
    """``tel:`` link of a contact that is a telephone number ("0580-2020000"), else None."""
    if not isinstance(contact, str) or not PHONE.match(contact.strip()):
        return None
    return "tel:" + re.sub(r"[^0-9+]", "", contact)


def missing_core(session, stationings: list[Stationing]) -> tuple[int, list[Department]]:
    """How many core departments the tenant's catalogue has, and those not stationed here."""
    here = [s.department_id for s in stationings]
    core = Department.kind != "specialty"
    total = session.scalar(select(func.count()).select_from(Department).where(core)) or 0
    absent = session.scalars(select(Department).where(core, Department.id.not_in(here))
                             .order_by(Department.code)).all()
    return total, list(absent)


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
    today = _now().astimezone(ZoneInfo(tenant.timezone or "Asia/Shanghai"))
    today_code = DAY_CODES[today.weekday()]
    core_total, core_absent = missing_core(session, list(found.stationings))
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
        today_name=day_names([today_code], locale)[0],
        present=present_on(list(found.stationings), today_code),
        core_total=core_total,
        core_absent=core_absent,
        tel_uri=tel_uri,
    )

