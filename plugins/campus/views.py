"""The campus plugin's staff pages, under ``/<tenant>/plugins/campus/``.

* ``screenings`` — conflict screening records (矛盾排查): list and form.
* ``education`` — legal education events (法治宣传): list and form.
* ``referrals`` — counseling referrals (心理辅导转介): everyone signed in sees that a referral
  exists; the sealed details open only for a counselor (``counseling.read``) and each opening
  is an audit event ``campus.counseling.revealed``.
  ``referrals?case=<code>`` lists one case's referrals.
* ``cases/<code>/follow-ups`` — what was done on a campus case (guardians notified …).

:func:`case_panel` is the campus panel of core's case page: for a viewer with
``counseling.read`` only, the number of the case's sealed referrals and a link to them.

Every form carries the CSRF token (checked by core for every POST), comes back with each
field's error in the reader's language, and writes its row and its audit event in one
transaction. Core's guard answers 404 for tenants that do not enable the plugin.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, render_template, request
from flask_login import login_required
from marshmallow import Schema, ValidationError
from sqlalchemy import select

from core.toolkit import (
    CasePanel,
    Resource,
    audit_record,
    authorize,
    current_principal,
    current_tenant,
    database,
    lazy_gettext,
    pii_vault,
    tenant_sql,
    translate,
)

from . import schemas
from .models import CaseFollowUp, CounselingReferral, LegalEducationEvent, ScreeningRecord
from .rules import CASE_TYPES

bp = Blueprint("records", __name__, template_folder="templates")

#: The encryption context of a referral's details (bound as associated data).
SEAL = "{tenant}:campus.referral.{id}"


def _principal() -> Any:
    who = current_principal()
    if who is None:  # pragma: no cover - login_required runs first
        abort(404)
    return who


def _writer() -> str:
    """The signed-in person's name if they may write records (staff, not auditors)."""
    who = _principal()
    if not who.actor().roles:
        abort(403)
    return who.name


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    return {key: [translate(m) for m in (value if isinstance(value, list) else [value])]
            for key, value in exc.messages.items()}


def _case(session: Any, code: str) -> Any:
    """``(code, case_type, node_id)`` of the tenant's case ``code``, or None."""
    return tenant_sql(session, "SELECT code, case_type, node_id FROM cases "
                      "WHERE tenant_id = :tenant_id AND code = :code", {"code": code}).first()


def _checked(schema: Schema, form: dict[str, Any], session: Any) -> dict[str, Any]:
    """The form loaded by ``schema``, the school and any case code checked against the tenant."""
    errors: dict[str, list[str]] = {}
    try:
        data = schema.load(form)
    except ValidationError as exc:
        errors = _errors(exc)
        data = {}
    schools = current_tenant().plugins.get("campus", {}).get("schools") or []
    if form.get("school") and schools and form["school"] not in schools:
        errors.setdefault("school", []).append(str(lazy_gettext(
            "Choose one of the schools the center serves.")))
    code = (form.get("case_code") or "").strip()
    if code and "case_code" not in errors and _case(session, code) is None:
        errors.setdefault("case_code", []).append(str(lazy_gettext(
            "There is no case with this code here.")))
    if errors:
        raise ValidationError(errors)
    return data


def _records_page(template: str, model: Any, order: Any, schema: Schema,
                  make: Callable[[dict[str, Any], str], Any], action: str) -> Any:
    """List ``model`` rows and take the form: shared by screenings and education events."""
    tenant = current_tenant()
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        who = _writer()
        values = request.form.to_dict()
        try:
            with database().transaction(tenant.id) as session:
                row = make(_checked(schema, values, session), who)
                session.add(row)
                session.flush()
                audit_record(session, actor=who, action=action, object_type=model.__tablename__,
                             object_id=row.id, data={"school": row.school})
            values = {}
        except ValidationError as exc:
            errors, status = exc.messages, 422
    with database().transaction(tenant.id) as session:
        rows = list(session.scalars(select(model).order_by(order.desc(), model.id.desc())
                                    .limit(200)))
    return render_template(template, tenant=tenant, rows=rows, errors=errors, values=values,
                           schema=schema, schools=_schools(), **_labels()), status


def _schools() -> list[str]:
    return list(current_tenant().plugins.get("campus", {}).get("schools") or [])


def _labels() -> dict[str, Any]:
    return {"risk_found": schemas.RISK_FOUND, "audiences": schemas.AUDIENCES,
            "follow_up_kinds": schemas.FOLLOW_UP_KINDS}


@bp.route("/screenings", methods=["GET", "POST"])
@login_required
def screenings() -> Any:
    """Conflict screening records (矛盾排查) and the form for a new one."""
    return _records_page(
        "campus/screenings.html", ScreeningRecord, ScreeningRecord.screened_on,
        schemas.ScreeningForm(),
        lambda d, who: ScreeningRecord(recorded_by=who, **d), "campus.screening.recorded")


@bp.route("/education", methods=["GET", "POST"])
@login_required
def education() -> Any:
    """Legal education events (法治宣传) with their attendance, and the form for a new one."""
    return _records_page(
        "campus/education.html", LegalEducationEvent, LegalEducationEvent.held_on,
        schemas.EducationForm(),
        lambda d, who: LegalEducationEvent(recorded_by=who, **d), "campus.education.recorded")


def _root_node(session: Any) -> int:
    return tenant_sql(session, "SELECT id FROM tier_nodes WHERE tenant_id = :tenant_id "
                      "ORDER BY depth, id LIMIT 1").scalar_one()


def _node_path(session: Any, node_id: int) -> str:
    return tenant_sql(session, "SELECT path FROM tier_nodes WHERE tenant_id = :tenant_id "
                      "AND id = :id", {"id": node_id}).scalar_one()


def may_read_sealed(who: Any, session: Any, referral: CounselingReferral) -> bool:
    """True when ``who`` is a counselor whose grant reaches the referral's node."""
    return bool(authorize(who, "counseling.read",
                          Resource(node_paths=(_node_path(session, referral.node_id),))))


@bp.route("/referrals", methods=["GET", "POST"])
@login_required
def referrals() -> Any:
    """Counseling referrals: that they exist for everyone signed in, details sealed."""
    tenant = current_tenant()
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        who = _writer()
        values = request.form.to_dict()
        try:
            with database().transaction(tenant.id) as session:
                data = _checked(schemas.ReferralForm(), values, session)
                case = _case(session, data["case_code"]) if data["case_code"] else None
                referral = CounselingReferral(
                    referred_on=data["referred_on"], school=data["school"],
                    case_code=data["case_code"], referred_by=who, details_encrypted="",
                    node_id=case.node_id if case else _root_node(session))
                session.add(referral)
                session.flush()  # the id is part of the seal's context
                referral.details_encrypted = pii_vault().encrypt(
                    data["details"], context=SEAL.format(tenant=tenant.id, id=referral.id))
                audit_record(session, actor=who, action="campus.counseling.referred",
                             object_type="campus_counseling_referral", object_id=referral.id,
                             data={"school": referral.school, "case": referral.case_code})
            values = {}
        except ValidationError as exc:
            errors, status = exc.messages, 422
    return _referrals_page(errors, values, status)


def _referrals_page(errors: dict[str, Any], values: dict[str, Any], status: int,
                    revealed: dict[int, str] | None = None) -> Any:
    tenant = current_tenant()
    who = _principal()
    with database().transaction(tenant.id) as session:
        query = select(CounselingReferral)
        if request.args.get("case"):  # the referrals of one case (the case page's link)
            query = query.where(CounselingReferral.case_code == request.args["case"])
        rows = list(session.scalars(query.order_by(
            CounselingReferral.referred_on.desc(), CounselingReferral.id.desc()).limit(200)))
        # One lookup per distinct node (referrals sit at a handful of nodes).
        paths = {node_id: _node_path(session, node_id) for node_id in {r.node_id for r in rows}}
        sealed_for = {r.id for r in rows if not authorize(
            who, "counseling.read", Resource(node_paths=(paths[r.node_id],)))}
    return render_template("campus/referrals.html", tenant=tenant, rows=rows, errors=errors,
                           values=values, schools=_schools(), sealed_for=sealed_for,
                           revealed=revealed or {}), status


@bp.post("/referrals/<int:referral_id>/reveal")
@login_required
def reveal_referral(referral_id: int) -> Any:
    """Open one referral's sealed details for a counselor; the reading is audited."""
    tenant = current_tenant()
    who = _principal()
    with database().transaction(tenant.id) as session:
        referral = session.get(CounselingReferral, referral_id)
        if referral is None:
            abort(404)
        if not may_read_sealed(who, session, referral):
            abort(403)
        details = pii_vault().decrypt(referral.details_encrypted,
                                      context=SEAL.format(tenant=tenant.id, id=referral.id))
        audit_record(session, actor=who.name, action="campus.counseling.revealed",
                     object_type="campus_counseling_referral", object_id=referral.id,
                     data={"case": referral.case_code})
    return _referrals_page({}, {}, 200, revealed={referral_id: details})


@bp.route("/cases/<code>/follow-ups", methods=["GET", "POST"])
@login_required
def follow_ups(code: str) -> Any:
    """What was done on a campus case (guardians notified, police told …), and the form."""
    tenant = current_tenant()
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    status = 200
    with database().transaction(tenant.id) as session:
        case = _case(session, code)
        if case is None or case.case_type not in CASE_TYPES or not authorize(
                _principal(), "case.read",
                Resource(node_paths=(_node_path(session, case.node_id),))):
            abort(404)
    if request.method == "POST":
        who = _writer()
        values = request.form.to_dict()
        try:
            data = schemas.FollowUpForm().load(values)
            with database().transaction(tenant.id) as session:
                row = CaseFollowUp(case_code=code, recorded_by=who, **data)
                session.add(row)
                session.flush()
                audit_record(session, actor=who, action="campus.follow_up.recorded",
                             object_type="case", object_id=code, data={"kind": row.kind})
            values = {}
        except ValidationError as exc:
            errors, status = _errors(exc), 422
    with database().transaction(tenant.id) as session:
        rows = list(session.scalars(select(CaseFollowUp).where(CaseFollowUp.case_code == code)
                                    .order_by(CaseFollowUp.done_on, CaseFollowUp.id)))
    return render_template("campus/follow_ups.html", tenant=tenant, code=code, rows=rows,
                           errors=errors, values=values, **_labels()), status


def case_panel(case: Any, viewer: Any, session: Any) -> CasePanel | None:
    """The case's sealed referrals that ``viewer`` may open: how many, and a link to them.

    A viewer without ``counseling.read`` over a referral's node is not told it exists here
    (the panel is left out when no referral is readable). Nothing sealed is opened, so nothing
    is audited: opening a referral's details stays on the referrals page.
    """
    referrals = list(session.scalars(select(CounselingReferral).where(
        CounselingReferral.case_code == case.code)))
    readable = [r for r in referrals if may_read_sealed(viewer, session, r)]
    if not readable:
        return None
    return CasePanel(key="campus-referrals", title=lazy_gettext("Counseling referrals"),
                     template="campus/_case_panel.html", order=60,
                     context={"count": len(readable), "code": case.code})
