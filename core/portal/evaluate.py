"""Evaluation after closure (回访评价, channel ``online``) by the citizen who passed the check.

The browser must hold a valid pass for this tenant and code (:mod:`core.portal.access`): the
code alone never suffices. :func:`core.cases.evaluate` enforces one online evaluation per
closure; an unsatisfied citizen may ask for a review, which opens a supervision notice.
"""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext

from core import cases
from core.app import onedoor
from core.cases import RATINGS
from core.portal import access, bp
from core.portal.helpers import PORTAL_ACTOR
from core.portal.track import render_status
from core.web.auth import limiter

EVALUATE_LIMIT = "5/minute;20/hour"


@bp.post("/<tenant>/portal/cases/<code>/evaluate")
@limiter.limit(EVALUATE_LIMIT)
def evaluate(code: str) -> Any:
    """Record the citizen's satisfaction with a closed case, once per closure."""
    tenant = g.tenant
    if not access.granted(tenant.id, code):
        return redirect(url_for("portal.track_code", code=code))
    values = {"rating": request.form.get("rating", ""),
              "comment": (request.form.get("comment") or "").strip(),
              "review": "1" if request.form.get("review") == "1" else ""}
    errors: dict[str, list[str]] = {}
    if values["rating"] not in RATINGS:
        errors["rating"] = [gettext("Choose how satisfied you are.")]
    if len(values["comment"]) > 2000:
        errors["comment"] = [gettext("At most %(limit)s characters.", limit=2000)]
    if errors:
        return render_status(code, errors=errors, values=values, status=422)
    data = {"rating": values["rating"], "channel": "online", "comment": values["comment"],
            "review": values["review"] == "1"}
    try:
        with onedoor().database.transaction(tenant.id) as session:
            cases.evaluate(session, tenant, code, PORTAL_ACTOR, data)
    except cases.TransitionRefused:
        return render_status(code, values=values, status=409, message=gettext(
            "A case can be evaluated once it is closed."))
    except cases.CaseInvalid as exc:
        if "channel" in exc.fields:
            return render_status(code, status=409, message=gettext(
                "This case has already been evaluated online. Thank you."))
        return render_status(code, values=values, status=422, errors={
            "comment": [gettext("At most %(limit)s characters.", limit=2000)]})
    except cases.CaseNotFound:
        return redirect(url_for("portal.track"))
    flash(gettext("Thank you: your evaluation has been recorded."))
    return redirect(url_for("portal.status", code=code), 303)
