"""The printable supervision notice (两函一单 and the other notices) behind sign-in.

The page is :func:`core.supervision.render_notice`'s complete A4 document, served with its own
Content-Security-Policy (:func:`core.supervision.notice_csp`, which allows exactly its print
stylesheet). Only staff who may read the case see it; anyone else gets the same 404 as for a
notice that does not exist.
"""

from __future__ import annotations

from flask import Response, abort, g
from flask_babel import gettext
from flask_login import login_required
from sqlalchemy import select

from core import supervision
from core.app import db_session
from core.authz import authorize
from core.cases import CaseNotFound, case_resource, get_case
from core.models import Department, SupervisionNotice, TierNode
from core.web import bp, current_locale
from core.web.auth import current_principal


@bp.get("/<tenant>/cases/<code>/notices/<id:notice_id>")
@login_required
def notice(code: str, notice_id: int) -> Response:
    """A notice of case ``code`` as a printable page (A4, the tenant's letterhead)."""
    session = db_session()
    try:
        case = get_case(session, code)
    except CaseNotFound:
        abort(404, gettext("There is no case with this code here."))
    if not authorize(current_principal(), "case.read", case_resource(session, case)):
        abort(404, gettext("There is no case with this code here."))
    found = session.get(SupervisionNotice, notice_id)
    if found is None or found.case_id != case.id:
        abort(404, gettext("There is no such item here, or you may not see it."))
    recipient = ""
    if found.to_department_id is not None:
        department = session.get(Department, found.to_department_id)
        recipient = department.display_name(current_locale()) if department else ""
    elif found.to_node_id is not None:
        node = session.scalar(select(TierNode).where(TierNode.id == found.to_node_id))
        recipient = node.display_name(current_locale()) if node else ""
    html = supervision.render_notice(found, case, g.tenant, current_locale(),
                                     recipient=recipient)
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = supervision.notice_csp(html)
    response.headers["Cache-Control"] = "private, no-store"
    return response
