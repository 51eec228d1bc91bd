"""``/<tenant>/portal/submit``: a citizen reports a dispute online (网上申请), no account needed.

The case is registered through :func:`core.cases.register` with channel ``online`` by the
portal's system actor, in one transaction. The page is CSRF-protected, rate-limited per tenant
and address, and carries a honeypot field for bots. After a success the browser is sent to
``/<tenant>/portal/submitted``, which shows the code, its QR code and how to track the case.
"""

from __future__ import annotations

import base64
from typing import Any

from flask import g, redirect, render_template, request, url_for
from flask import session as cookie
from flask_babel import gettext

from core import cases, codes
from core.app import db_session, onedoor
from core.errors import render_error
from core.messages import explain_reason
from core.portal import bp
from core.portal.forms import (
    CITIZEN_FIELDS,
    HONEYPOT,
    citizen_errors,
    citizen_intake,
    new_form_key,
    prefilled_details,
    schema_errors,
    typed,
)
from core.portal.helpers import (
    PORTAL_ACTOR,
    case_type_options,
    prefilled_case_type,
    top_node_options,
    vault,
)
from core.web import current_locale
from core.web.auth import limiter

#: Per tenant and address: a person reports a few disputes, a script many.
SUBMIT_LIMIT = "5/minute;30/hour"
_SUBMITTED = "portal_submitted"


def _page(values: dict[str, str], errors: dict[str, list[str]], status: int = 200,
          details: dict[str, str] | None = None) -> Any:
    session = db_session()
    nodes = top_node_options(session)
    if not values.get("location_node") and nodes:
        values["location_node"] = nodes[0][0]  # the root: the center sorts it out
    options = case_type_options(g.tenant)
    prefilled = prefilled_case_type(g.tenant, values.get("case_type", ""), details or {})
    if prefilled is not None and prefilled[0] not in {code for code, _name in options}:
        options = [prefilled[0:2], *options]
    return render_template("portal/submit.html", tenant=g.tenant, locale=current_locale(),
                           values=values, errors=errors, nodes=nodes, case_types=options,
                           details=prefilled[2] if prefilled else []), status


@bp.route("/<tenant>/portal/submit", methods=["GET", "POST"])
@limiter.limit(SUBMIT_LIMIT, methods=["POST"])
def submit() -> Any:
    """The online form; on POST, register the case and show its code (or the form's errors)."""
    tenant = g.tenant
    if request.method == "GET":
        # A link may choose the case type and fill in some of its details (a scenic spot's QR).
        return _page({"form_key": new_form_key(),
                      "case_type": (request.args.get("case_type") or "").strip()[:64]}, {},
                     details=prefilled_details(request.args))
    if request.form.get(HONEYPOT):
        # Only a program fills in a field no person sees: refuse, write nothing, say little.
        return render_error(400, gettext("The form could not be accepted. Please fill it in "
                                         "again."))
    values = typed(request.form, CITIZEN_FIELDS)
    details = prefilled_details(request.form)
    data = citizen_intake(values, details)
    errors = citizen_errors(values, schema_errors(data))
    code = None
    if not errors:
        try:
            with onedoor().database.transaction(tenant.id) as session:
                code = cases.register(session, tenant, data, PORTAL_ACTOR,
                                      vault=vault()).case.code
        except cases.CaseInvalid as exc:
            errors = citizen_errors(values, exc.fields)
        except cases.TransitionRefused as exc:
            errors = {"_form": [explain_reason(r) for r in exc.reasons]}
    if errors or code is None:
        return _page(values, errors, 422, details=details)
    cookie[_SUBMITTED] = {"tenant": tenant.id, "code": code}
    return redirect(url_for("portal.submitted"), 303)


def tracking_url(code: str) -> str:
    """The absolute URL of the case's tracking page (what the QR code holds)."""
    return request.url_root.rstrip("/") + codes.tracking_path(g.tenant.slug, code)


def qr_data_uri(url: str) -> str:
    """The QR code of ``url`` as a ``data:`` URI for an ``<img>`` (the CSP allows ``data:``)."""
    svg = codes.qr_svg(url)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


@bp.get("/<tenant>/portal/submitted")
def submitted() -> Any:
    """The answer page: the case code, its QR code and how to track it."""
    tenant = g.tenant
    last = cookie.get(_SUBMITTED) or {}
    if last.get("tenant") != tenant.id or not last.get("code"):
        return redirect(url_for("portal.submit"))
    code = last["code"]
    url = tracking_url(code)
    response = render_template("portal/submitted.html", tenant=tenant, locale=current_locale(),
                               code=code, tracking_url=url, qr=qr_data_uri(url))
    return response, 200, {"Cache-Control": "private, no-store"}
