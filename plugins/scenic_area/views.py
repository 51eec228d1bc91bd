"""The scenic area's own pages: a complaint QR code per scenic spot, the one-click emergency.

``/<tenant>/plugins/scenic_area/qr`` lists the tenant's scenic spots, each with an SVG QR code
opening the citizen portal's form with the tourism complaint and the spot filled in (投诉一码受理);
the portal's own CSRF protection and rate limits apply to what is sent from there.
``/<tenant>/plugins/scenic_area/emergency`` is the staff form of 应急一键响应 (sign-in and the
right to register cases at the chosen node required).
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import login_required
from sqlalchemy import select

from core.toolkit import (
    CaseInvalid,
    Resource,
    TierNode,
    authorize,
    current_tenant,
    database,
    lazy_gettext,
    localized_names,
    pii_vault,
    qr_svg,
    signed_in,
)

from . import emergency, rules, schemas

bp = Blueprint("pages", __name__, template_folder="templates")

_FIELD_LABELS = {
    "spot": lazy_gettext("Scenic spot"),
    "kind": lazy_gettext("Kind of emergency"),
    "location_node": lazy_gettext("Tier node (code)"),
    "reporter": lazy_gettext("Reported by"),
    "people_affected": lazy_gettext("People affected"),
}


class _Rollback(Exception):
    """Leave the transaction without writing anything."""


def complaint_link(tenant_slug: str, spot: str) -> str:
    """The absolute portal URL a spot's QR code holds: the complaint form, spot filled in."""
    return url_for("portal.submit", tenant=tenant_slug, case_type=rules.COMPLAINT,
                   _external=True, **{"detail.scenic_spot": spot})


def _data_uri(svg: str) -> str:
    # An <img> with a data: URI: the Content-Security-Policy allows it, inline markup needs none.
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


@bp.get("/qr")
def qr_codes() -> Any:
    """Every scenic spot of the tenant with its complaint QR code and link (printable)."""
    tenant = current_tenant()
    spots = []
    for spot in rules.settings_of(tenant)["scenic_spots"]:
        link = complaint_link(tenant.slug, spot)
        spots.append({"name": spot, "link": link, "qr": _data_uri(qr_svg(link))})
    return render_template("scenic_area/qr.html", tenant=tenant, spots=spots)


def _kind_options(locale: str) -> list[tuple[str, str]]:
    return [(code, localized_names(names, locale)) for code, names
            in schemas.EMERGENCY_KINDS.items()]


def _render(values: dict[str, str], errors: dict[str, list[str]], status: int = 200) -> Any:
    tenant = current_tenant()
    from flask_babel import get_locale  # noqa: PLC0415 - only the form needs the locale

    locale = str(get_locale() or tenant.default_locale)
    settings = rules.settings_of(tenant)
    return render_template(
        "scenic_area/emergency.html", tenant=tenant, values=values, errors=errors,
        spots=[(s, s) for s in settings["scenic_spots"]], kinds=_kind_options(locale),
        liaisons=settings["emergency_liaisons"], labels=_FIELD_LABELS), status


@bp.route("/emergency", methods=["GET", "POST"])
@login_required
def emergency_form() -> Any:
    """One click: register a red-risk emergency and alert the liaisons; then its case page."""
    tenant = current_tenant()
    person = signed_in()
    if not any(authorize(person, "case.create", Resource((g.node_path,)))
               for g in person.grants):
        abort(404)
    if request.method == "GET":
        return _render({"reporter": person.name}, {})
    form = {k: (request.form.get(k) or "").strip() for k in
            ("spot", "kind", "location_node", "reporter", "description", "people_affected")}
    errors: dict[str, list[str]] = {}
    try:
        people = int(form["people_affected"] or 1)
    except ValueError:
        people = 0
    if people < 1:
        errors["people_affected"] = [gettext("Give a whole number from 1.")]
    for key in ("spot", "kind", "location_node", "reporter"):
        if not form[key]:
            errors[key] = [gettext("This field is required.")]
    if errors:
        return _render(form, errors, 422)
    raised = None
    try:
        with database().transaction(tenant.id) as session:
            path = session.scalar(select(TierNode.path).where(
                TierNode.code == form["location_node"]))
            try:
                raised = emergency.raise_emergency(
                    session, tenant, person.actor(path), spot=form["spot"], kind=form["kind"],
                    location_node=form["location_node"], reporter=form["reporter"],
                    description=form["description"], people_affected=people,
                    vault=pii_vault(), now=datetime.now(UTC))
            except CaseInvalid as exc:
                errors = _form_errors(exc.fields)
                raise _Rollback from None
    except _Rollback:
        return _render(form, errors, 422)
    flash(gettext("Emergency %(code)s raised; %(count)s liaisons alerted.",
                  code=raised.code, count=len(raised.notices)), "success")
    return redirect(url_for("workbench.case", tenant=tenant.slug, code=raised.code), 303)


_SERVICE_FIELDS = {"details.scenic_spot": "spot", "details.emergency_kind": "kind",
                   "location_node": "location_node", "parties.0.name": "reporter",
                   "people_involved": "people_affected", "details.people_affected":
                   "people_affected"}


def _form_errors(fields: dict[str, list[str]]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for path, messages in fields.items():
        name = _SERVICE_FIELDS.get(path, "_form")
        errors.setdefault(name, []).extend(_translated(m) for m in messages)
    return errors


def _translated(message: Any) -> str:
    msgid = getattr(message, "msgid", None)
    if msgid is None:
        return str(message)
    params = dict(getattr(message, "params", {}) or {})
    return gettext(msgid, **params)
