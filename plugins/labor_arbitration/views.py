"""The plugin's staff pages: similar-case groups (类案同裁) and linked inspections (监察仲裁联动).

Mounted under ``/<tenant>/plugins/labor_arbitration/`` next to the info page; core's guard has
already answered 404 for tenants that do not enable the plugin. Both pages list case codes, so
they need a signed-in person who may read the tenant's cases (``case.read``); closing an
inspection needs ``case.supervise``. Forms carry the CSRF token (checked by core for every POST).
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from sqlalchemy import select

from core.toolkit import TENANT, authorize, current_principal, current_tenant, db_session

from . import linkage
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
