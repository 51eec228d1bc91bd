"""Registration at a window (窗口登记): the intake form of the workbench.

The form's field names are the case service's (``title``, ``parties.0.phone``), so the field
paths of :class:`core.cases.CaseInvalid` land on the control that caused them. Plugin fields
are generated from each case type's marshmallow ``details_schema`` and named
``details.<case type>.<field>``: without JavaScript every type's section is shown under its
heading and only the chosen type's is read; with it, only the chosen type's is shown.

Repeat parties are not checked before registering: the blind indexes are compared after the
case exists (:func:`core.cases.repeat_parties`) and the case page warns about them at once.
Checking before would need a second submission or a request per keystroke, and the warning
changes nothing about whether the case is registered — a repeat party is a risk signal (the
case is graded for it at registration), not a reason to refuse.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import login_required
from marshmallow import fields as mfields
from marshmallow import validate
from sqlalchemy import or_, select

from core import cases
from core.app import db_session
from core.authz import Resource, authorize
from core.casetypes import CaseType
from core.categories import CHANNELS, DEMAND_TYPES, tenant_categories
from core.messages import explain_reason, translate
from core.models import Center, TierNode
from core.tiers import subtree_bounds
from core.web import current_locale
from core.web.workbench import bp, database, not_found, principal, vault
from core.web.workbench.labels import TEMPLATE_HELPERS, choice_label, choice_names

#: Party fieldsets on a fresh form (JavaScript hides the empty ones after the second).
PARTY_ROWS = 4
PARTY_FIELDS = ("role", "kind", "name", "id_number", "phone", "address", "minor")
#: How many tier nodes the location's suggestions list at most.
NODE_SUGGESTIONS = 200

#: Messages of the case service (plain English strings) that this form shows: marked here so
#: that the catalogs carry them and :func:`core.messages.translate` finds them.
SERVICE_MESSAGES = (
    lazy_gettext("a phone is an 11-digit mobile or a landline with its area code"),
    lazy_gettext("at least one party must be the applicant"),
    lazy_gettext("outside the tiers you work for"),
    lazy_gettext("Missing data for required field."),
    lazy_gettext("Not a valid number."),
    lazy_gettext("Not a valid integer."),
    lazy_gettext("Must be one of: %(choices)s."),
    lazy_gettext("name the leader who took part"),
    lazy_gettext("say why the plain value is needed"),
)


class Rollback(Exception):  # noqa: N818 - a control-flow signal
    """Leave the intake transaction without writing anything."""


def _input_type(field: mfields.Field) -> str:
    if isinstance(field, mfields.Boolean):
        return "checkbox"
    if isinstance(field, mfields.Integer | mfields.Decimal | mfields.Float):
        return "number"
    if isinstance(field, mfields.DateTime):
        return "datetime-local"
    if isinstance(field, mfields.Date):
        return "date"
    if isinstance(field, mfields.Email):
        return "email"
    return "text"


def number_attrs(field: mfields.Field) -> dict[str, str]:
    """``min``, ``max`` and ``step`` of a number input, from the field's type and validators.

    The bounds are a ``Range``'s inclusive ones (an exclusive bound is left to the schema, which
    says why on the way back); the step is 1 for an Integer, the declared decimal places of a
    Decimal (0.01 for places=2) and ``any`` otherwise, so that a browser never refuses what the
    schema would take. The schema stays the judge: these only help the person typing.
    """
    if not isinstance(field, mfields.Integer | mfields.Decimal | mfields.Float):
        return {}
    attrs: dict[str, str] = {}
    validators = field.validators if isinstance(field.validators, list | tuple) else []
    for v in validators:
        if isinstance(v, validate.Range):
            if v.min is not None and v.min_inclusive:
                attrs["min"] = _number(v.min)
            if v.max is not None and v.max_inclusive:
                attrs["max"] = _number(v.max)
    if isinstance(field, mfields.Integer):
        attrs["step"], attrs["inputmode"] = "1", "numeric"
    else:
        # marshmallow keeps a Decimal's places as the quantum itself (Decimal("0.01")).
        places = getattr(field, "places", None)
        attrs["step"] = f"{places:f}" if isinstance(places, Decimal) else "any"
        attrs["inputmode"] = "decimal"
    return attrs


def _number(value: Any) -> str:
    text = f"{Decimal(str(value)):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def position_controls() -> list[dict[str, Any]]:
    """The case's latitude and longitude (WGS 84 decimal degrees), from the intake schema.

    Optional for every case; a plugin's intake check says when a case type wants them (a
    fishery dispute at sea) and where they should lie (its sea area), as a finding.
    """
    schema_fields = cases.IntakeSchema().fields
    labels = {"latitude": gettext("Latitude"), "longitude": gettext("Longitude")}
    hints = {"latitude": gettext("Decimal degrees, north positive, e.g. 30.35."),
             "longitude": gettext("Decimal degrees, east positive, e.g. 122.2.")}
    # Six decimal places are stored (Numeric(9, 6)): about 0.1 m.
    return [{"name": key, "label": labels[key], "hint": hints[key],
             "attrs": {**number_attrs(schema_fields[key]), "step": "0.000001"}}
            for key in ("latitude", "longitude")]


def details_controls(case_type: CaseType, locale: str) -> list[dict[str, Any]]:
    """The inputs of ``case_type``'s plugin fields: name, label, type, options, required."""
    if case_type.details_schema is None:
        return []
    controls = []
    for key, field in case_type.details_schema().fields.items():
        if field.dump_only:
            continue
        names = (field.metadata or {}).get("names") or {}
        validators = field.validators if isinstance(field.validators, list | tuple) else []
        choices = next((v.choices for v in validators if isinstance(v, validate.OneOf)), None)
        if choices is None and choice_names(field):  # named values without a OneOf
            choices = list(choice_names(field))
        controls.append({
            "name": f"details.{case_type.code}.{key}", "key": key,
            "label": names.get(locale) or names.get("zh_Hans") or key.replace("_", " "),
            "type": "select" if choices else _input_type(field),
            "options": [(str(c), choice_label(field, c, locale)) for c in choices]
            if choices else [],
            "required": bool(field.required),
            "attrs": number_attrs(field) if not choices else {},
            "default": "" if field.load_default in (None,) or callable(field.load_default)
            else str(field.load_default),
            "field": field,
        })
    return controls


def _node_suggestions(session: Any) -> list[TierNode]:
    """The first levels of the principal's subtrees (a 100k-node tree cannot be a select)."""
    grants = [gr for gr in principal().grants if gr.role in
              {"tenant_admin", "leader", "dispatcher", "clerk", "grid_worker"}]
    if not grants:
        return []
    clauses = []
    for grant in grants:
        lo, hi = subtree_bounds(grant.node_path)
        depth = grant.node_path.strip("/").count("/")
        clauses.append((TierNode.path >= lo) & (TierNode.path < hi)
                       & (TierNode.depth <= depth + 2))
    return list(session.scalars(select(TierNode).where(or_(*clauses))
                                .order_by(TierNode.path).limit(NODE_SUGGESTIONS)))


def _party_rows(form: Any) -> int:
    indexes = [int(k.split(".")[1]) for k in form if k.startswith("parties.")
               and k.split(".")[1].isdigit()]
    return max(PARTY_ROWS, max(indexes, default=-1) + 1)


def read_form(form: Any, types: dict[str, CaseType]) -> tuple[dict[str, Any], dict[int, int]]:
    """The intake data of the form, and which form row each party of the data came from.

    Empty optional fields are left out (the service applies its defaults); a party row with
    nothing typed but its role is skipped.
    """
    data: dict[str, Any] = {}
    for key in ("case_type", "category", "channel", "demand_type", "title", "description",
                "location_node", "address", "amount", "people_involved", "intake_center",
                "latitude", "longitude"):
        value = (form.get(key) or "").strip()
        if value:
            data[key] = value
    if "description" in form:
        data["description"] = form.get("description", "")
    data["is_group"] = bool(form.get("is_group"))
    parties: list[dict[str, Any]] = []
    rows: dict[int, int] = {}
    for index in range(_party_rows(form)):
        party = {f: (form.get(f"parties.{index}.{f}") or "").strip() for f in PARTY_FIELDS}
        if not any(party[f] for f in ("name", "id_number", "phone", "address")):
            continue
        rows[len(parties)] = index
        parties.append({k: v for k, v in party.items() if v or k in ("role", "name")})
    data["parties"] = parties
    case_type = types.get(data.get("case_type", ""))
    details: dict[str, Any] = {}
    if case_type is not None:
        for control in details_controls(case_type, "en"):
            raw = (form.get(control["name"]) or "").strip()
            if control["type"] == "checkbox":
                details[control["key"]] = bool(raw)
            elif raw:
                details[control["key"]] = _typed(control["field"], raw)
    data["details"] = details
    return data, rows


def _typed(field: mfields.Field, raw: str) -> Any:
    # A strict Integer refuses "3": give it 3 (and leave text that is no number to the schema).
    if isinstance(field, mfields.Integer):
        try:
            return int(raw)
        except ValueError:
            return raw
    return raw


def form_errors(fields: dict[str, list[str]], rows: dict[int, int],
                case_type: str) -> dict[str, list[str]]:
    """The service's field paths as the form's control names, messages translated."""
    errors: dict[str, list[str]] = {}
    for path, messages in fields.items():
        parts = path.split(".")
        if parts[0] == "parties" and len(parts) > 1 and parts[1].isdigit():
            parts[1] = str(rows.get(int(parts[1]), parts[1]))
        elif parts[0] == "details":
            parts = ["details", case_type, *[p for p in parts[1:] if p != "_schema"]]
        name = ".".join(parts)
        errors.setdefault(name, []).extend(_translated(m) for m in messages)
    return errors


def _translated(message: str) -> str:
    if message.startswith("Must be one of: "):
        return gettext("Must be one of: %(choices)s.", choices=message[16:].rstrip("."))
    return translate(message)


def _render(values: dict[str, Any], errors: dict[str, list[str]], status: int = 200) -> Any:
    session = db_session()
    locale = current_locale()
    types = cases.case_types(g.tenant)
    ordered = sorted(types.values(), key=lambda t: (t.group, t.name(locale)))
    party_rows = _party_rows(values)
    filled = [int(k.split(".")[1]) for k, v in values.items()
              if v and k.count(".") == 2 and k.startswith("parties.")
              and k.split(".")[1].isdigit() and k.split(".")[2] != "role"]
    visible_rows = max(2, max(filled, default=-1) + 1)
    if not values:
        values = {"channel": "walk_in", "parties.0.role": "applicant",
                  "parties.1.role": "respondent"}
        for case_type in ordered:
            for control in details_controls(case_type, locale):
                if control["default"]:
                    values[control["name"]] = control["default"]
    return render_template(
        "workbench/intake.html", values=values, errors=errors,
        type_options=[(t.code, t.name(locale)) for t in ordered],
        typed_sections=[(t, details_controls(t, locale)) for t in ordered
                        if t.details_schema is not None],
        category_options=[(c.code, c.name(locale)) for c in
                          tenant_categories(g.tenant.config).values()],
        channel_options=[(c.code, c.name(locale)) for c in CHANNELS.values()],
        demand_options=[(d.code, d.name(locale)) for d in DEMAND_TYPES.values()],
        role_options=[(r, TEMPLATE_HELPERS["party_role"](r)) for r in cases.PARTY_ROLES],
        kind_options=[("person", gettext("Person")), ("organization", gettext("Organization"))],
        center_options=[(c.code, c.display_name(locale)) for c in
                        session.scalars(select(Center).order_by(Center.code))],
        nodes=_node_suggestions(session), party_rows=party_rows, visible_rows=visible_rows,
        position_controls=position_controls(),
    ), status


@bp.route("/<tenant>/workbench/intake", methods=["GET", "POST"])
@login_required
def intake() -> Any:
    """Register a case at a window: the form, and on success the new case's page."""
    if not authorize(principal(), "case.create", _anywhere()):
        not_found()
    if request.method == "GET":
        return _render({}, {})
    values = request.form.to_dict()
    types = cases.case_types(g.tenant)
    data, rows = read_form(request.form, types)
    errors: dict[str, list[str]] = {}
    code = ""
    try:
        with database().transaction(g.tenant.id) as session:
            path = session.scalar(select(TierNode.path).where(
                TierNode.code == data.get("location_node", "")))
            try:
                result = cases.register(session, g.tenant, data, principal().actor(path),
                                        vault=vault())
            except cases.CaseInvalid as exc:
                errors = form_errors(exc.fields, rows, data.get("case_type", ""))
                raise Rollback from None
            except cases.TransitionRefused as exc:
                errors = {"case_type": [explain_reason(r) for r in exc.reasons]}
                raise Rollback from None
            code = result.case.code
    except Rollback:
        return _render(values, errors, 422)
    flash(gettext("The case was registered with the code %(code)s.", code=code), "success")
    return redirect(url_for("workbench.case", code=code), 303)


def _anywhere() -> Any:
    """Intake needs the right at some node: a resource at each of the person's grants."""
    return Resource(tuple(gr.node_path for gr in principal().grants))

