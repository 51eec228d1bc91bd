"""``/<tenant>/api/v1/cases``: intake, lists, one case by its code, and everything on it.

Views are thin: they authorize, call the case service (``core.cases``) inside one transaction
and shape the answer. What a principal may not see answers 404, exactly like what does not
exist. ``ETag`` carries the case's version; transitions honour ``If-Match`` (412 when stale).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from flask import Response, g, request, url_for
from flask.views import MethodView
from flask_babel import gettext
from flask_smorest import Blueprint, abort
from sqlalchemy import and_, exists, false, or_, select
from sqlalchemy.orm import selectinload

from core import cases, codes, pii, supervision
from core.api.access import permission, principal, require
from core.api.idempotency import idempotent
from core.api.schemas import (
    AttemptIn,
    AttemptOut,
    CaseDetailOut,
    CaseFilters,
    CaseOut,
    CasePage,
    ClockReasonIn,
    DeadlineOut,
    EvaluationIn,
    EvaluationOut,
    EventOut,
    ExtensionIn,
    NoticeIn,
    NoticeOut,
    PartyOut,
    RevealIn,
    RevealOut,
    TransitionIn,
)
from core.authz import visibility
from core.cases.lookup import case_resource
from core.db import TenantSession
from core.models import (
    Assignment,
    AuditEvent,
    Case,
    Deadline,
    Department,
    Evaluation,
    MediationAttempt,
    Party,
    SupervisionNotice,
    TierNode,
)
from core.tiers import subtree_bounds
from core.workflow import CaseState, Status, available

blp = Blueprint("api_cases", __name__, url_prefix="/<tenant>/api/v1/cases",
                description="Cases (事件): one code per dispute, for its whole life.")

CASE_IN_REF = {"$ref": "#/components/schemas/CaseIn"}


# --- helpers ---------------------------------------------------------------------------------


def _database():
    from core.app import onedoor  # noqa: PLC0415 - core.app imports core.api

    return onedoor().database


def vault() -> pii.Vault:
    """The personal-data vault of this installation."""
    from core.app import onedoor  # noqa: PLC0415

    return pii.Vault(onedoor().settings.pii_secret)


def load_case(session: TenantSession, code: str, action: str = "case.read") -> Case:
    """The case ``code`` if the principal may ``action`` it; 404 otherwise (typos named)."""
    try:
        case = cases.get_case(session, code)
    except cases.CaseNotFound:
        abort(404, message=gettext("There is no case with this code here."))
    require(action, case_resource(session, case))
    return case


def _node_codes(session: TenantSession, ids: Iterable[int]) -> dict[int, str]:
    ids = set(ids)
    if not ids:
        return {}
    return dict(session.execute(select(TierNode.id, TierNode.code)
                                .where(TierNode.id.in_(ids))).all())


def case_view(case: Case, nodes: dict[int, str]) -> dict[str, Any]:
    """The attributes :class:`CaseOut` dumps, node ids turned into codes."""
    view = {c.key: getattr(case, c.key) for c in Case.__table__.columns}
    view.update(
        location_node_code=nodes.get(case.location_node_id),
        node_code=nodes.get(case.node_id),
        parties=list(case.parties),
        tracking_url=codes.tracking_path(g.tenant.slug, case.code),
    )
    return view


def etag_of(case: Case) -> str:
    """The strong entity tag of a case at its current version."""
    return f'"{case.code}.v{case.version}"'


def _with_etag(body: Any, case: Case, status: int = 200) -> tuple[Any, int, dict[str, str]]:
    return body, status, {"ETag": etag_of(case)}


def _expected_version(case: Case, body_version: int | None) -> int | None:
    """The version the client says it changes: ``If-Match`` first, then the body's."""
    if_match = request.headers.get("If-Match")
    if if_match:
        if if_match.strip() == "*":
            return None
        tags = [t.strip() for t in if_match.split(",")]
        if etag_of(case) not in tags:
            abort(412, message=gettext("The case has changed since you read it (its ETag is "
                                       "%(etag)s). Reload it and try again.",
                                       etag=etag_of(case)))
        return case.version
    return body_version


def _service_errors(exc: Exception) -> None:
    """Map the case service's errors to problem responses (never a 500 for bad input)."""
    from core.api.problems import (  # noqa: PLC0415
        conflict_detail,
        field_errors,
        refusal_errors,
        refusal_status,
    )

    if isinstance(exc, cases.CaseInvalid):
        abort(422, message=gettext("Some fields are not valid."),
              errors=field_errors(exc.fields))
    if isinstance(exc, cases.TransitionRefused):
        abort(refusal_status(exc.reasons), message=gettext("The case cannot take this step now."),
              errors=refusal_errors(exc.reasons))
    if isinstance(exc, cases.CaseConflict):
        abort(412 if request.headers.get("If-Match") else 409, message=conflict_detail())
    if isinstance(exc, cases.CaseNotFound):
        abort(404, message=gettext("There is no case with this code here."))
    if isinstance(exc, supervision.SupervisionError):
        abort(422, message=gettext("Some fields are not valid."),
              errors=field_errors({exc.field: [str(exc)]}))
    raise exc


def encode_cursor(case_id: int) -> str:
    """An opaque cursor: the last id of the page."""
    return base64.urlsafe_b64encode(f"c:{case_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The id a cursor stands for; 422 naming ``cursor`` when it is not one of ours."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _sep, value = text.partition(":")
        if kind != "c":
            raise ValueError(kind)
        return int(value)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        abort(422, message=gettext("Some fields are not valid."),
              errors=[{"field": "cursor", "pointer": "#/cursor",
                       "detail": gettext("Not a cursor this list gave out.")}])


def _in_subtree(path: str) -> Any:
    lo, hi = subtree_bounds(path)
    return and_(TierNode.path >= lo, TierNode.path < hi)


def visible_cases(action: str = "case.read") -> Any:
    """A WHERE clause: the cases the principal may ``action`` (``TierNode`` joined on node)."""
    seen = visibility(principal(), action)
    if seen.nothing:
        return false()
    clauses = [_in_subtree(p) for p in seen.subtrees]
    for path, department_id in seen.department_subtrees:
        clauses.append(and_(_in_subtree(path), exists().where(
            Assignment.case_id == Case.id, Assignment.department_id == department_id,
            Assignment.active.is_(True))))
    return or_(*clauses)


def _list_query(session: TenantSession, args: dict[str, Any]) -> Any:
    query = (select(Case).join(TierNode, TierNode.id == Case.node_id)
             .where(visible_cases()).options(selectinload(Case.parties)))
    if args.get("status"):
        query = query.where(Case.status.in_(args["status"]))
    if args.get("risk"):
        query = query.where(Case.risk.in_(args["risk"]))
    for key in ("case_type", "category", "channel"):
        if args.get(key):
            query = query.where(getattr(Case, key) == args[key])
    if "overdue" in args:
        query = query.where(Case.overdue.is_(args["overdue"]))
    if args.get("registered_from"):
        query = query.where(Case.registered_at >= args["registered_from"])
    if args.get("registered_to"):
        query = query.where(Case.registered_at < args["registered_to"])
    if args.get("node"):
        path = session.scalar(select(TierNode.path).where(TierNode.code == args["node"]))
        if path is None:
            abort(422, message=gettext("Some fields are not valid."),
                  errors=[{"field": "node", "pointer": "#/node",
                           "detail": gettext("There is no tier node with this code.")}])
        query = query.where(_in_subtree(path))
    if args.get("cursor"):
        query = query.where(Case.id < decode_cursor(args["cursor"]))
    return query.order_by(Case.id.desc()).limit(args["limit"] + 1)


# --- the case collection ---------------------------------------------------------------------


@blp.route("")
class CaseCollection(MethodView):
    @permission("case.read")
    @blp.arguments(CaseFilters, location="query")
    @blp.response(200, CasePage)
    def get(self, args: dict[str, Any]):
        """List cases in your tiers, newest first (cursor pagination)."""
        from core.app import db_session  # noqa: PLC0415

        session = db_session()
        rows = list(session.scalars(_list_query(session, args)))
        more = len(rows) > args["limit"]
        rows = rows[: args["limit"]]
        nodes = _node_codes(session, {i for c in rows for i in (c.node_id, c.location_node_id)})
        page: dict[str, Any] = {"items": [case_view(c, nodes) for c in rows]}
        if more:
            page["next_cursor"] = encode_cursor(rows[-1].id)
        return page

    @permission("case.create")
    @idempotent
    @blp.doc(requestBody={"required": True, "content": {"application/json": {
        "schema": CASE_IN_REF}}})
    @blp.response(201, CaseOut)
    def post(self):
        """Register a case (登记): its code, parties, clocks, risk and first audit event."""
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            abort(400, message=gettext("The body must be a JSON object."))
        who = principal()
        key = request.headers.get("Idempotency-Key")
        if key:
            data = {**data, "idempotency_key": g.idempotency_case_key}
        with _database().transaction(g.tenant.id) as session:
            node_path = session.scalar(select(TierNode.path).where(
                TierNode.code == str(data.get("location_node", ""))))
            actor = who.actor(node_path)
            try:
                result = cases.register(session, g.tenant, data, actor, vault=vault())
            except cases.CaseError as exc:
                _service_errors(exc)
            case = result.case
            body = case_view(case, _node_codes(session, (case.node_id, case.location_node_id)))
            headers = {"ETag": etag_of(case),
                       "Location": url_for("api_cases.CaseItem", code=case.code)}
        return body, 201, headers


# --- one case --------------------------------------------------------------------------------


@blp.route("/<code>")
class CaseItem(MethodView):
    @permission("case.read")
    @blp.response(200, CaseDetailOut)
    def get(self, code: str):
        """One case by its code, with its clocks and the actions you may take now."""
        from core.app import db_session  # noqa: PLC0415
        from core.web import current_locale  # noqa: PLC0415
        from core.web.workbench.case_page import named_rules  # noqa: PLC0415

        session = db_session()
        case = load_case(session, code)
        view = case_view(case, _node_codes(session, (case.node_id, case.location_node_id)))
        rules = named_rules(session)
        locale = current_locale()
        view["deadlines"] = [
            deadline_view(d, rules, locale) for d in session.scalars(
                select(Deadline).where(Deadline.case_id == case.id).order_by(Deadline.id))]
        node_path = session.scalar(select(TierNode.path).where(TierNode.id == case.node_id))
        view["actions"] = available(CaseState(Status(case.status), node_path, case.risk),
                                    principal().actor(node_path))
        if request.if_none_match and request.if_none_match.contains(etag_of(case)[1:-1]):
            # A Response of its own: flask-smorest would otherwise serialize the empty body
            # with the case schema. ``*`` matches too: the case exists (RFC 9110 §13.1.2).
            return Response(status=304, headers={"ETag": etag_of(case)})
        return _with_etag(view, case)


@blp.route("/<code>/transitions")
class CaseTransitions(MethodView):
    @permission("case.transition")
    @idempotent
    @blp.arguments(TransitionIn)
    @blp.response(200, CaseOut)
    def post(self, data: dict[str, Any], code: str):
        """Move the case through its lifecycle (accept, assign, escalate, close, …).

        Send ``If-Match`` with the case's ``ETag`` (or ``expected_version``): a case that
        changed since you read it answers 412 and nothing is written.
        """
        name = data.pop("transition")
        body_version = data.pop("expected_version", None)
        with _database().transaction(g.tenant.id) as session:
            case = load_case(session, code, "case.transition")
            expected = _expected_version(case, body_version)
            node_path = session.scalar(select(TierNode.path).where(TierNode.id == case.node_id))
            try:
                case = cases.transition(session, g.tenant, case.code, name,
                                        principal().actor(node_path), data,
                                        expected_version=expected)
            except cases.CaseError as exc:
                _service_errors(exc)
            body = case_view(case, _node_codes(session, (case.node_id, case.location_node_id)))
            return _with_etag(body, case)


def deadline_view(clock: Deadline, rules: Mapping[str, Any], locale: str) -> dict[str, Any]:
    """What :class:`DeadlineOut` dumps of ``clock``, its rule named in ``locale``."""
    rule = rules.get(clock.rule)
    return {"rule": clock.rule, "rule_name": rule.display_name(locale) if rule else clock.rule,
            "state": clock.state, "started_at": clock.started_at, "due_at": clock.due_at,
            "met_at": clock.met_at, "paused_at": clock.paused_at,
            "extended_by": clock.extended_by}


def _clock_step(code: str, rule: str, action: str, step: Any,
                data: dict[str, Any]) -> dict[str, Any]:
    """Run one clock step of the case service on clock ``rule`` of case ``code``."""
    from core.web import current_locale  # noqa: PLC0415
    from core.web.workbench.case_page import named_rules  # noqa: PLC0415

    with _database().transaction(g.tenant.id) as session:
        case = load_case(session, code, action)
        node_path = session.scalar(select(TierNode.path).where(TierNode.id == case.node_id))
        try:
            clock = step(session, g.tenant, case.code, principal().actor(node_path),
                         {**data, "rule": rule})
        except cases.CaseError as exc:
            _service_errors(exc)
        return deadline_view(clock, named_rules(session), current_locale())


@blp.route("/<code>/deadlines/<rule>/extension")
class DeadlineExtension(MethodView):
    @permission("deadline.extend")
    @idempotent
    @blp.arguments(ExtensionIn)
    @blp.response(200, DeadlineOut)
    def post(self, data: dict[str, Any], code: str, rule: str):
        """Extend an open clock with approval (延期审批), within what its statute allows.

        Leaders and the tenant administrator approve. Refused (422, naming ``rule`` or
        ``days``) when the rule allows no extension, the period has already run out, or
        ``days`` exceeds what is left; one ``deadline.extended`` audit event otherwise.
        """
        return _clock_step(code, rule, "deadline.extend", cases.extend_clock, data)


@blp.route("/<code>/deadlines/<rule>/pause")
class DeadlinePause(MethodView):
    @permission("deadline.pause")
    @idempotent
    @blp.arguments(ClockReasonIn)
    @blp.response(200, DeadlineOut)
    def post(self, data: dict[str, Any], code: str, rule: str):
        """Stop a running clock from counting (an appraisal or test under way)."""
        return _clock_step(code, rule, "deadline.pause", cases.pause_clock, data)


@blp.route("/<code>/deadlines/<rule>/resume")
class DeadlineResume(MethodView):
    @permission("deadline.pause")
    @idempotent
    @blp.arguments(ClockReasonIn)
    @blp.response(200, DeadlineOut)
    def post(self, data: dict[str, Any], code: str, rule: str):
        """Let a paused clock count again; its due moment moves out by the time lost."""
        return _clock_step(code, rule, "deadline.pause", cases.resume_clock, data)


@blp.route("/<code>/events")
class CaseEvents(MethodView):
    @permission("case.read")
    @blp.response(200, EventOut(many=True))
    def get(self, code: str):
        """The case's timeline: every audit event about it, oldest first."""
        from core.app import db_session  # noqa: PLC0415

        session = db_session()
        case = load_case(session, code)
        return session.scalars(select(AuditEvent).where(
            AuditEvent.object_type == "case", AuditEvent.object_id == case.code)
            .order_by(AuditEvent.seq)).all()


@blp.route("/<code>/parties")
class CaseParties(MethodView):
    @permission("case.read")
    @blp.response(200, PartyOut(many=True))
    def get(self, code: str):
        """The parties, ID numbers and phones masked."""
        from core.app import db_session  # noqa: PLC0415

        return load_case(db_session(), code).parties


@blp.route("/<code>/parties/<id:party_id>/reveal")
class PartyReveal(MethodView):
    @permission("party.reveal")
    @blp.arguments(RevealIn)
    @blp.response(200, RevealOut)
    def post(self, data: dict[str, Any], code: str, party_id: int):
        """Show one plain ID number or phone; who, what and why go into the audit trail."""
        with _database().transaction(g.tenant.id) as session:
            case = load_case(session, code, "party.reveal")
            party = session.get(Party, party_id)
            if party is None or party.case_id != case.id:
                abort(404, message=gettext("There is no such item here, or you may not see it."))
            node_path = session.scalar(select(TierNode.path).where(TierNode.id == case.node_id))
            try:
                value = cases.reveal_party(session, g.tenant, party_id, data["field"],
                                           principal().actor(node_path), vault=vault(),
                                           reason=data["reason"])
            except cases.CaseError as exc:
                _service_errors(exc)
        return {"party": party_id, "field": data["field"], "value": value}


def _attempt_views(session: TenantSession, attempts: Sequence[MediationAttempt]) -> list[dict]:
    nodes = _node_codes(session, (a.node_id for a in attempts))
    return [{**{c.key: getattr(a, c.key) for c in MediationAttempt.__table__.columns},
             "node_code": nodes.get(a.node_id)} for a in attempts]


@blp.route("/<code>/attempts")
class CaseAttempts(MethodView):
    @permission("case.read")
    @blp.response(200, AttemptOut(many=True))
    def get(self, code: str):
        """Mediation attempts, oldest first, with the rung of the ladder each was on."""
        from core.app import db_session  # noqa: PLC0415

        session = db_session()
        case = load_case(session, code)
        return _attempt_views(session, session.scalars(select(MediationAttempt).where(
            MediationAttempt.case_id == case.id).order_by(MediationAttempt.id)).all())

    @permission("case.attempt")
    @idempotent
    @blp.arguments(AttemptIn)
    @blp.response(201, AttemptOut)
    def post(self, data: dict[str, Any], code: str):
        """Record a mediation attempt on the case's current rung."""
        with _database().transaction(g.tenant.id) as session:
            case = load_case(session, code, "case.attempt")
            node_path = session.scalar(select(TierNode.path).where(TierNode.id == case.node_id))
            try:
                attempt = cases.record_attempt(session, g.tenant, case.code,
                                               principal().actor(node_path), data)
            except cases.CaseError as exc:
                _service_errors(exc)
            return _attempt_views(session, [attempt])[0], 201


@blp.route("/<code>/evaluations")
class CaseEvaluations(MethodView):
    @permission("case.read")
    @blp.response(200, EvaluationOut(many=True))
    def get(self, code: str):
        """Follow-up evaluations of the case."""
        from core.app import db_session  # noqa: PLC0415

        session = db_session()
        case = load_case(session, code)
        return session.scalars(select(Evaluation).where(Evaluation.case_id == case.id)
                               .order_by(Evaluation.id)).all()

    @permission("case.evaluate")
    @idempotent
    @blp.arguments(EvaluationIn)
    @blp.response(201, EvaluationOut)
    def post(self, data: dict[str, Any], code: str):
        """Record satisfaction after closure; unsatisfied with ``review`` asks for a review."""
        with _database().transaction(g.tenant.id) as session:
            case = load_case(session, code, "case.evaluate")
            node_path = session.scalar(select(TierNode.path).where(TierNode.id == case.node_id))
            try:
                evaluation = cases.evaluate(session, g.tenant, case.code,
                                            principal().actor(node_path), data)
            except cases.CaseError as exc:
                _service_errors(exc)
            return evaluation, 201


@blp.route("/<code>/notices")
class CaseNotices(MethodView):
    @permission("case.read")
    @blp.response(200, NoticeOut(many=True))
    def get(self, code: str):
        """Supervision notices on the case (reminders, urging, 督办, 会办, 两函一单)."""
        from core.app import db_session  # noqa: PLC0415

        session = db_session()
        case = load_case(session, code)
        return session.scalars(select(SupervisionNotice).where(
            SupervisionNotice.case_id == case.id).order_by(SupervisionNotice.id)).all()

    @permission("case.supervise")
    @idempotent
    @blp.arguments(NoticeIn)
    @blp.response(201, NoticeOut)
    def post(self, data: dict[str, Any], code: str):
        """Issue a notice; outside working hours it waits, unless the case is red risk."""
        from core import sla  # noqa: PLC0415

        with _database().transaction(g.tenant.id) as session:
            case = load_case(session, code, "case.supervise")
            department_id = node_id = None
            if data.get("to_department"):
                department_id = session.scalar(select(Department.id).where(
                    Department.code == data["to_department"]))
                if department_id is None:
                    _service_errors(supervision.SupervisionError(
                        gettext("There is no department with this code."), "to_department"))
            if data.get("to_node"):
                node_id = session.scalar(select(TierNode.id).where(
                    TierNode.code == data["to_node"]))
                if node_id is None:
                    _service_errors(supervision.SupervisionError(
                        gettext("There is no tier node with this code."), "to_node"))
            try:
                notice = supervision.issue_notice(
                    session, case, data["kind"], issued_by=principal().name, body=data["body"],
                    to_department_id=department_id, to_node_id=node_id,
                    respond_by=data.get("respond_by"), now=datetime.now(UTC),
                    calendar=sla.calendar_for(g.tenant))
            except supervision.SupervisionError as exc:
                _service_errors(exc)
            return notice, 201
