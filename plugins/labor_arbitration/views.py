"""The plugin's staff pages: similar-case groups (类案同裁) and linked inspections (监察仲裁联动).

Mounted under ``/<tenant>/plugins/labor_arbitration/`` next to the info page; core's guard has
already answered 404 for tenants that do not enable the plugin. Both pages list case codes, so
they need a signed-in person who may read the tenant's cases (``case.read``); closing an
inspection needs ``case.supervise``. Forms carry the CSRF token (checked by core for every POST).

The case page's panel (``onedoor_case_panels``, :func:`case_panels`) shows the linked
inspection from either side: the labor case names its labor inspection case, the inspection case
the labor dispute it was opened for.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from sqlalchemy import select

from core.toolkit import (
    TENANT,
    Case,
    CasePanel,
    Resource,
    TierNode,
    authorize,
    current_principal,
    current_tenant,
    db_session,
    lazy_gettext,
    tenant_sql,
    translate,
)

from . import linkage
from .checks import INSPECTION_TYPE, LABOR_TYPES
from .models import InspectionLink
from .schemas import CLAIM_TYPES

bp = Blueprint("cases", __name__, template_folder="templates")


def _allowed(action: str) -> None:
    if not authorize(current_principal(), action, TENANT):
        abort(403)


def _actor_name() -> str:
    return current_principal().name


@bp.get("/similar")
def similar() -> str:
    """Groups of cases against one employer over one claim, to be awarded alike."""
    _allowed("case.read")
    groups = linkage.similar_groups(db_session())
    return render_template("labor_arbitration/similar.html", tenant=current_tenant(),
                           groups=groups, claims=CLAIM_TYPES)


@bp.get("/inspections")
def inspections() -> str:
    """The linked inspections, open ones first."""
    _allowed("case.read")
    rows = linkage.inspections(db_session())
    may_close = bool(authorize(current_principal(), "case.supervise", TENANT))
    return render_template("labor_arbitration/inspections.html", tenant=current_tenant(),
                           rows=rows, may_close=may_close)


@bp.post("/inspections/<int:link_id>/close")
def close(link_id: int):
    """Inspection has reported: close the link with its note (one transaction, one event)."""
    _allowed("case.supervise")
    session = db_session()
    link = session.scalar(select(InspectionLink).where(InspectionLink.id == link_id))
    if link is None or link.status != "open":
        abort(404)
    note = request.form.get("note", "").strip()
    if not note:
        abort(400)
    try:
        linkage.close_inspection(session, link, note, _actor_name())
        session.commit()
    except Exception:
        session.rollback()
        raise
    return redirect(url_for(".inspections"))


# --- the case page's panel ----------------------------------------------------------------------

#: Why a link was opened, in the words of the inspections page.
TRIGGER_WORDS = {
    "requested": lazy_gettext("asked for at intake"),
    "group_wage_arrears": lazy_gettext("unpaid wages of many workers"),
    "administrative_referral": lazy_gettext("referred to the administrative route"),
}

_ACTIVE_DEPARTMENTS = ("SELECT department_id FROM assignments "
                       "WHERE tenant_id = :tenant_id AND case_id = :case_id AND active")


def status_name(status: str | None) -> str:
    """A case status in the reader's language: core's own names of its statuses (``in
    mediation`` for ``in_mediation``), translated by core's catalog."""
    return translate(status.replace("_", " ")) if status else ""


def may_read(viewer: Any, session: Any, code: str | None) -> bool:
    """May ``viewer`` open case ``code``? As core decides for the case page: the case's
    current and location nodes, and the departments that now hold it (for liaisons)."""
    case = session.scalar(select(Case).where(Case.code == code)) if code else None
    if case is None or viewer is None:
        return False
    paths = tuple(session.scalars(select(TierNode.path).where(
        TierNode.id.in_({case.node_id, case.location_node_id}))))
    departments = frozenset(tenant_sql(session, _ACTIVE_DEPARTMENTS,
                                       {"case_id": case.id}).scalars())
    return bool(authorize(viewer, "case.read", Resource(paths, departments)))


def case_panels(case: Any, viewer: Any, session: Any) -> list[CasePanel]:
    """The linked inspection of a labor case or of a labor inspection case, for the case page.

    The other case's code is always shown (the reader sees it on the inspections page too);
    its link and status only to a viewer who may open it."""
    if case.case_type not in LABOR_TYPES and case.case_type != INSPECTION_TYPE:
        return []
    row = linkage.link_of(session, case)
    if row is None:
        return []
    inspection_side = case.case_type == INSPECTION_TYPE
    other = row.code if inspection_side else row.inspection_code
    other_status = row.status if inspection_side else row.inspection_status
    readable = may_read(viewer, session, other)
    title = (lazy_gettext("Handed over from a labor dispute") if inspection_side
             else lazy_gettext("Labor inspection"))
    return [CasePanel(
        key="labor-inspection", title=title, template="labor_arbitration/_case_panel.html",
        order=60,
        context={"row": row, "inspection_side": inspection_side, "other": other,
                 "other_status": status_name(other_status) if readable else "",
                 "readable": readable, "why": TRIGGER_WORDS.get(row.link.trigger, "")})]
