"""The case page (一案一页): code and QR, fields, parties masked, timeline, clocks, actions.

Every state change posted from the page — a transition, a mediation attempt, an evaluation, a
supervision notice, a reveal — runs in one transaction through the case service and answers
with a redirect back to the page (POST/redirect/GET) and a flashed message; a refusal or bad
input renders the page again (422) with the form's errors and what was typed. The form carries
the case version it was rendered with: a case changed meanwhile is refused with a clear
message and nothing is written (never a lost update).
"""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from flask import flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import login_required
from sqlalchemy import select

from core import cases, codes, sla, supervision
from core.app import db_session
from core.authz import authorize
from core.cases import case_resource
from core.db import TenantSession
from core.messages import Message, explain_reason, translate
from core.models import (
    Assignment,
    AuditEvent,
    Case,
    Center,
    Deadline,
    Department,
    Evaluation,
    MediationAttempt,
    Party,
    Referral,
    SupervisionNotice,
    TierLevel,
    TierNode,
)
from core.panels import case_panels
from core.web import current_locale
from core.web.workbench import (
    as_utc,
    bp,
    database,
    load_case,
    node_path,
    not_found,
    parse_local,
    principal,
    vault,
    when,
)
from core.web.workbench.actions import (
    FORMS,
    SERVICE_ACTIONS,
    field_label,
    invalid_errors,
    read_payload,
    refusal_errors,
)
from core.web.workbench.labels import (
    TEMPLATE_HELPERS,
    attempt_result,
    choice_label,
    choice_names,
    evaluation_channel,
    rating_name,
    route_name,
    rule_amount,
)
from core.workflow import CaseState, Status, available
from core.workflow import Referral as ReferralRoute


def _departments(session: TenantSession) -> list[Department]:
    return list(session.scalars(select(Department).order_by(Department.code)))


def _tracking_url(case: Case) -> str:
    return request.host_url.rstrip("/") + codes.tracking_path(g.tenant.slug, case.code)


def qr_data_url(case: Case) -> str:
    """The QR of the case's tracking URL as a ``data:`` URL (the CSP allows img data:)."""
    svg = codes.qr_svg(_tracking_url(case))
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def page_actions(session: TenantSession, case: Case, path: str,
                 clocks: dict[str, list[tuple[str, str]]] | None = None) -> list[str]:
    """The forms the viewer may use now: lifecycle transitions plus attempt and evaluate, and
    the deadline steps when a clock qualifies (``clocks``: :func:`clock_choices`, if at hand)."""
    who = principal()
    resource = case_resource(session, case)
    actions = []
    if authorize(who, "case.transition", resource):
        actions = available(CaseState(Status(case.status), path, case.risk), who.actor(path))
    if case.status == Status.IN_MEDIATION.value and authorize(who, "case.attempt", resource):
        actions.append("attempt")
    if case.status in (Status.CLOSED.value, Status.ARCHIVED.value) \
            and authorize(who, "case.evaluate", resource):
        actions.append("evaluate")
    clocks = clock_choices(session, case) if clocks is None else clocks
    if clocks["extendable"] and authorize(who, "deadline.extend", resource):
        actions.append("extend_clock")
    if authorize(who, "deadline.pause", resource):
        actions += [a for a, key in (("pause_clock", "running"), ("resume_clock", "paused"))
                    if clocks[key]]
    order = list(FORMS)
    return sorted(actions, key=lambda a: order.index(a) if a in order else len(order))


def clock_choices(session: TenantSession, case: Case) -> dict[str, list[tuple[str, str]]]:
    """The case's open clocks a person may change, as form options by what may be done:
    ``extendable`` (with what is left of the statutory extension), ``running``, ``paused``."""
    locale = current_locale()
    rules = named_rules(session)
    now = datetime.now(UTC)
    choices: dict[str, list[tuple[str, str]]] = {"extendable": [], "running": [], "paused": []}
    for clock in session.scalars(select(Deadline).where(
            Deadline.case_id == case.id, Deadline.state.in_((sla.RUNNING, sla.PAUSED)))
            .order_by(Deadline.id)):
        rule = rules.get(clock.rule)
        name = rule.display_name(locale) if rule else clock.rule
        left = cases.extendable(g.tenant, clock, now)
        if left and rule is not None:
            choices["extendable"].append((clock.rule, gettext(
                "%(rule)s (up to %(left)s more)", rule=name,
                left=rule_amount(left, rule.unit))))
        choices["running" if clock.state == sla.RUNNING else "paused"].append((clock.rule, name))
    return choices


def case_context(session: TenantSession, case: Case) -> dict[str, Any]:
    """Everything the case page and the printable summary show."""
    locale = current_locale()
    who = principal()
    path = node_path(session, case)
    resource = case_resource(session, case)
    nodes = {n.id: n for n in session.scalars(select(TierNode).where(
        TierNode.id.in_({case.node_id, case.location_node_id})))}
    departments = _departments(session)
    clocks = clock_choices(session, case)
    department_names = {d.id: d.display_name(locale) for d in departments}
    types = cases.case_types(g.tenant)
    case_type = types.get(case.case_type)
    suggestion = None
    if case.status in (Status.ACCEPTED.value, Status.ESCALATED.value, Status.REOPENED.value):
        suggestion = cases.suggest_route(session, g.tenant, case)
    rules = named_rules(session)
    details = {k: v for k, v in (case.details or {}).items() if not k.startswith("_")}
    schema_fields = case_type.details_schema().fields if case_type and case_type.details_schema \
        else {}
    center = session.get(Center, case.intake_center_id) if case.intake_center_id else None
    attempts = session.scalars(select(MediationAttempt).where(
        MediationAttempt.case_id == case.id).order_by(MediationAttempt.id)).all()
    rungs = cases.ladder(g.tenant)
    rung = rungs[case.rung] if 0 <= case.rung < len(rungs) else None
    # A rung without names of its own is called by its tier level's names (镇街道, not "street").
    level_names = (session.scalar(select(TierLevel.names).where(TierLevel.code == rung.level))
                   if rung is not None and not rung.names else None) or {}
    return {
        "case": case,
        "case_type_name": case_type.name(locale) if case_type else case.case_type,
        "category_name": _category_name(case.category),
        "location": nodes.get(case.location_node_id),
        "responsible": nodes.get(case.node_id),
        "center": center,
        "details": [(_detail_label(schema_fields.get(k), k, locale),
                     choice_label(schema_fields.get(k), v, locale)
                     if choice_names(schema_fields.get(k)) else v)
                    for k, v in details.items()],
        "parties": list(case.parties),
        "repeats": cases.repeat_parties(session, case),
        "warnings": [{"detail": translate(Message(w["msgid"], w.get("params"))),
                      "rule": w.get("rule", "")} for w in case.warnings or []],
        "events": session.scalars(select(AuditEvent).where(
            AuditEvent.object_type == "case", AuditEvent.object_id == case.code)
            .order_by(AuditEvent.seq)).all(),
        "deadlines": session.scalars(select(Deadline).where(Deadline.case_id == case.id)
                                     .order_by(Deadline.id)).all(),
        "rules": rules,
        "assignments": session.scalars(select(Assignment).where(Assignment.case_id == case.id)
                                       .order_by(Assignment.id)).all(),
        "attempts": attempts,
        "rung": rung,
        "rung_name": (rung.names.get(locale) or rung.names.get("zh_Hans")
                      or level_names.get(locale) or level_names.get("zh_Hans") or rung.level)
        if rung else "",
        "rung_attempts": sum(1 for a in attempts if a.rung == case.rung),
        "rung_leader": any(a.leader_involved for a in attempts if a.rung == case.rung),
        "referrals": session.scalars(select(Referral).where(Referral.case_id == case.id)
                                     .order_by(Referral.id)).all(),
        "evaluations": session.scalars(select(Evaluation).where(Evaluation.case_id == case.id)
                                       .order_by(Evaluation.id)).all(),
        "notices": session.scalars(select(SupervisionNotice).where(
            SupervisionNotice.case_id == case.id).order_by(SupervisionNotice.id)).all(),
        "notice_kinds": supervision.KINDS,
        "departments": departments,
        "department_names": department_names,
        "suggestion": suggestion,
        "actions": page_actions(session, case, path, clocks),
        "forms": FORMS,
        "field_label": field_label,
        "department_names_by_code": {d.code: d.display_name(locale) for d in departments},
        "department_options": [(d.code, d.display_name(locale)) for d in departments],
        "route_options": [(r.value, route_name(r.value)) for r in ReferralRoute],
        "result_options": [(r, attempt_result(r)) for r in cases.ATTEMPT_RESULTS],
        "rating_options": [(r, rating_name(r)) for r in cases.RATINGS],
        "channel_options": [(c, evaluation_channel(c)) for c in cases.EVALUATION_CHANNELS],
        "notice_options": [(k.code, k.name(locale)) for k in supervision.KINDS.values()],
        "clock_options": clocks,
        "may_reveal": bool(authorize(who, "party.reveal", resource)),
        "may_supervise": bool(authorize(who, "case.supervise", resource)),
        "panels": case_panels(g.tenant, case, who, session),
        "qr": qr_data_url(case),
        "tracking_url": _tracking_url(case),
        "now": datetime.now(UTC),
        "as_utc": as_utc,
        "when": when,
        **TEMPLATE_HELPERS,
    }


def named_rules(session: TenantSession,
                rules: dict[str, sla.DeadlineRule] | None = None) -> dict[str, sla.DeadlineRule]:
    """The tenant's deadline rules (or ``rules``), the rungs' named after their tier levels.

    The cached rules know the ladder but not the tier levels' names (rows, not configuration),
    so the rung rules without names of their own are named again here from the tenant's levels.
    """
    rules = dict(cases.deadline_rules(g.tenant) if rules is None else rules)
    levels = {level.code: level.names or {} for level in session.scalars(select(TierLevel))}
    for name, rung in sla.rung_rules(cases.ladder(g.tenant), levels).items():
        if name in rules:
            rules[name] = replace(rules[name], names=rung.names)
    return rules


def _category_name(code: str) -> str:
    from core.categories import tenant_categories  # noqa: PLC0415

    term = tenant_categories(g.tenant.config).get(code)
    return term.name(current_locale()) if term else code


def _detail_label(field: Any, key: str, locale: str) -> str:
    names = (getattr(field, "metadata", None) or {}).get("names") or {}
    return names.get(locale) or names.get("zh_Hans") or key


def render_case(session: TenantSession, case: Case, *, status: int = 200,
                form_action: str = "", errors: dict[str, list[str]] | None = None,
                general: list[str] | None = None, values: dict[str, Any] | None = None,
                revealed: dict[tuple[int, str], str] | None = None) -> Any:
    """The case page, optionally with one form's errors and values, or a revealed value."""
    context = case_context(session, case)
    response = make_response(render_template(
        "workbench/case.html", form_action=form_action, errors=errors or {},
        general=general or [], values=values or {}, revealed=revealed or {}, **context),
        status)
    # The page shows personal data (masked, or revealed once): never keep it in a cache.
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/<tenant>/workbench/cases/<code>")
@login_required
def case(code: str) -> Any:
    """The case page."""
    session = db_session()
    return render_case(session, load_case(session, code))


@bp.get("/<tenant>/workbench/cases/<code>/summary")
@login_required
def summary(code: str) -> Any:
    """A printable one-page summary of the case (parties masked)."""
    session = db_session()
    context = case_context(session, load_case(session, code))
    response = make_response(render_template("workbench/summary.html", **context))
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _back(code: str, anchor: str = "") -> Any:
    return redirect(url_for("workbench.case", code=code) + (f"#{anchor}" if anchor else ""),
                    303)


def _version(form: Any) -> int | None:
    try:
        return int(form.get("version", ""))
    except ValueError:
        return None


class Rollback(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Raised inside a transaction to leave it without writing anything."""


def stale_message() -> str:
    """What a form of an older version of the case is told."""
    return gettext("The case was changed meanwhile by someone else. Nothing was saved: look "
                   "at it again and repeat your step if it is still needed.")


@bp.post("/<tenant>/workbench/cases/<code>/act")
@login_required
def act(code: str) -> Any:
    """Take one action on the case (see :mod:`core.web.workbench.actions`)."""
    action = request.form.get("transition", "")
    values = request.form.to_dict()
    if action not in FORMS:
        session = db_session()
        return render_case(session, load_case(session, code), status=422,
                           general=[explain_reason(f"unknown:{action}")])
    payload, errors = read_payload(action, request.form)
    expected = _version(request.form)
    general: list[str] = []
    try:
        with database().transaction(g.tenant.id) as session:
            case = load_case(session, code)
            actor = principal().actor(node_path(session, case))
            if errors:
                raise Rollback
            if expected is None or expected != case.version:
                general = [stale_message()]
                raise Rollback
            try:
                _take(session, case, action, actor, payload, expected)
            except cases.CaseConflict:
                general = [stale_message()]
                raise Rollback from None
            except cases.TransitionRefused as exc:
                errors, general = refusal_errors(action, exc.reasons)
                raise Rollback from None
            except cases.CaseInvalid as exc:
                errors = invalid_errors(action, exc.fields)
                raise Rollback from None
    except Rollback:
        pass  # nothing of a refused step is written
    else:
        flash(gettext("Done: %(action)s.", action=TEMPLATE_HELPERS["action_name"](action)),
              "success")
        return _back(code)
    read = db_session()
    return render_case(read, load_case(read, code), status=409 if general == [stale_message()]
                       else 422, form_action=action, errors=errors, general=general,
                       values=values)


def _take(session: TenantSession, case: Case, action: str, actor: Any,
          payload: dict[str, Any], expected: int) -> None:
    who = principal()
    resource = case_resource(session, case)
    if not authorize(who, SERVICE_ACTIONS.get(action, "case.transition"), resource):
        raise cases.TransitionRefused(["role"])
    service = {"attempt": cases.record_attempt, "evaluate": cases.evaluate,
               "extend_clock": cases.extend_clock, "pause_clock": cases.pause_clock,
               "resume_clock": cases.resume_clock}.get(action)
    if service is not None:
        service(session, g.tenant, case.code, actor, payload)
    else:
        cases.transition(session, g.tenant, case.code, action, actor, payload,
                         expected_version=expected)


@bp.post("/<tenant>/workbench/cases/<code>/parties/<id:party_id>/<field>/reveal")
@login_required
def reveal(code: str, party_id: int, field: str) -> Any:
    """Show one party's plain ID number, phone, e-mail or protected name, once, audited.

    The reason given is recorded in the audit trail with the field and the party.
    """
    name = f"p{party_id}-{field}-reason"
    reason = request.form.get(name, "").strip()
    value = None
    errors: dict[str, list[str]] = {}
    try:
        with database().transaction(g.tenant.id) as session:
            case = load_case(session, code, "party.reveal")
            party = session.get(Party, party_id)
            if party is None or party.case_id != case.id or field not in cases.REVEALABLE:
                not_found()
            try:
                value = cases.reveal_party(session, g.tenant, party_id, field,
                                           principal().actor(node_path(session, case)),
                                           vault=vault(), reason=reason)
            except cases.CaseInvalid as exc:
                errors = {name: [translate(m) for ms in exc.fields.values() for m in ms]}
                raise Rollback from None
            except cases.TransitionRefused as exc:
                errors = {name: [explain_reason(r) for r in exc.reasons]}
                raise Rollback from None
    except Rollback:
        pass
    read = db_session()
    case = load_case(read, code)
    if value is None:
        return render_case(read, case, status=422, errors=errors,
                           values=request.form.to_dict())
    return render_case(read, case, revealed={(party_id, field): value})


@bp.post("/<tenant>/workbench/cases/<code>/notices")
@login_required
def issue_notice(code: str) -> Any:
    """A leader issues a supervision notice (催办, 督办, 会办, 两函一单…) on the case."""
    form = request.form
    values = form.to_dict()
    errors: dict[str, list[str]] = {}
    kind = form.get("notice.kind", "")
    body = form.get("notice.body", "").strip()
    try:
        respond_by = parse_local(form.get("notice.respond_by", ""))
    except ValueError:
        respond_by = None
        errors["notice.respond_by"] = [gettext("Give a date and time, e.g. 2026-05-01 09:30.")]
    try:
        with database().transaction(g.tenant.id) as session:
            case = load_case(session, code, "case.supervise")
            department_id = node_id = None
            if form.get("notice.to_department"):
                department_id = session.scalar(select(Department.id).where(
                    Department.code == form["notice.to_department"]))
                if department_id is None:
                    errors["notice.to_department"] = [
                        gettext("There is no department with this code.")]
            if form.get("notice.to_node", "").strip():
                node_id = session.scalar(select(TierNode.id).where(
                    TierNode.code == form["notice.to_node"].strip()))
                if node_id is None:
                    errors["notice.to_node"] = [
                        gettext("There is no tier node with this code.")]
            if errors:
                raise Rollback
            try:
                notice = supervision.issue_notice(
                    session, case, kind, issued_by=principal().name, body=body,
                    to_department_id=department_id, to_node_id=node_id, respond_by=respond_by,
                    now=datetime.now(UTC), calendar=sla.calendar_for(g.tenant))
            except supervision.SupervisionError as exc:
                errors[f"notice.{_notice_field(exc.field)}"] = [_notice_message(exc)]
                raise Rollback from None
            number = notice.number
    except Rollback:
        pass
    else:
        flash(gettext("The notice was issued: %(kind)s %(number)s.",
                      kind=supervision.KINDS[kind].name(current_locale()), number=number),
              "success")
        return _back(code, "notices")
    read = db_session()
    return render_case(read, load_case(read, code), status=422, form_action="notice",
                       errors=errors, values=values)


def _notice_field(field: str) -> str:
    return {"to_department_id": "to_department", "to_node_id": "to_node"}.get(field, field)


def _notice_message(exc: supervision.SupervisionError) -> str:
    messages = {
        "kind": gettext("Choose the kind of notice."),
        "body": gettext("Write what the notice asks for."),
        "respond_by": gettext("The answer must be due after the notice is issued."),
    }
    return messages.get(exc.field, translate(str(exc)))
