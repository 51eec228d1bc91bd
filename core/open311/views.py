"""``/<tenant>/open311/v2/``: the GeoReport v2 methods, in XML and JSON.

Every view declares its permission rule like the REST API's (:func:`core.api.access.permission`):
the reading methods are public (GeoReport needs no key to read), ``POST requests`` takes the
action ``open311.submit``, authorized by the form's ``api_key`` — an API token of this tenant
with the scope ``open311`` — in the view (:func:`_authorize`), after the rate limit has counted
the attempt, so that guessing keys is throttled too. Errors are the spec's
``errors`` list with the HTTP status it names (404 unknown things, 403 a bad key, 400 the rest).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, g, request, url_for
from flask.views import MethodView
from flask_babel import force_locale, gettext
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException

from core import accounts, cases, codes, messages
from core.api.access import PUBLIC, permission, rule_of
from core.authz import PERMISSIONS
from core.models import Assignment, AuditEvent, Case, Department, Tenant, TierNode
from core.open311 import formats, mapping
from core.tenancy import TenantNotFound
from core.web.auth import limiter

bp = Blueprint("open311", __name__, url_prefix="/<tenant>/open311/v2")

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
#: POST requests per tenant and client address; ``OPEN311_POST_LIMIT`` in app.config overrides.
POST_LIMIT = "30/minute"


class Open311Error(Exception):
    """An answer in the spec's error format: ``status`` and ``(code, description)`` items."""

    def __init__(self, status: int, *items: tuple[int, str]) -> None:
        super().__init__(status, items)
        self.status = status
        self.items = list(items) or [(status, "")]


# --- request helpers -------------------------------------------------------------------------


def request_locale() -> str:
    """``?locale=`` (or ``?lang=``), else Accept-Language, else zh_Hans."""
    return mapping.choose_locale(request.args.get("locale") or request.args.get("lang"),
                                 [tag for tag, _q in request.accept_languages])


def _fmt() -> str:
    """The format asked for (the extension), XML when there is none we serve."""
    fmt = (request.view_args or {}).get("fmt") or request.path.rpartition(".")[2]
    return fmt if fmt in formats.FORMATS else "xml"


def _format(fmt: str) -> str:
    if fmt not in formats.FORMATS:
        raise Open311Error(400, (400, gettext("Unknown format: ask for .xml or .json.")))
    return fmt


def localized(view: Callable[..., Any]) -> Callable[..., Any]:
    """Run ``view`` in the request's Open311 locale (names, notes and errors)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with force_locale(request_locale()):
            return view(*args, **kwargs)

    return wrapper


def _database():
    from core.app import onedoor  # noqa: PLC0415 - core.app builds this blueprint

    return onedoor().database


def _session():
    from core.app import db_session  # noqa: PLC0415

    return db_session()


def _tz() -> ZoneInfo:
    try:
        return ZoneInfo(g.tenant.timezone or "Asia/Shanghai")
    except (ValueError, KeyError):
        return ZoneInfo("Asia/Shanghai")


def _bad(field: str, message: str) -> Open311Error:
    return Open311Error(400, (400, f"{field}: {message}"))


def _post_limit() -> str:
    return current_app.config.get("OPEN311_POST_LIMIT", POST_LIMIT)


# --- before every view: the rule and the jurisdiction; the api_key --------------------------------


@bp.before_request
def _check() -> None:
    with force_locale(request_locale()):
        action = rule_of(request.endpoint or "", request.method)
        if action is None:
            raise Open311Error(403, (403, gettext("This endpoint has no permission rule.")))
        jurisdiction = (request.values.get("jurisdiction_id") or "").strip()
        if jurisdiction and jurisdiction != g.tenant.slug:
            raise Open311Error(404, (404, gettext(
                "The jurisdiction_id %(given)s is not served here; this endpoint serves "
                "%(slug)s.", given=jurisdiction, slug=g.tenant.slug)))


def _authorize(action: str):
    """The principal of the form's ``api_key`` if it may take ``action``; a 403 otherwise.

    Called by the view itself, after the rate limit counted the attempt.
    """
    secret = (request.form.get("api_key") or request.args.get("api_key") or "").strip()
    principal = None
    if secret:
        with _database().transaction(g.tenant.id) as session:
            principal = accounts.authenticate_token(session, secret)
    if (principal is None or not principal.has_scope(action)
            or not principal.roles & PERMISSIONS[action]):
        raise Open311Error(403, (403, gettext(
            "Invalid api_key received -- can't proceed with create_request.")))
    g.principal = principal
    return principal


@bp.errorhandler(Open311Error)
def _open311_error(exc: Open311Error):
    return formats.errors(_fmt(), exc.status, exc.items)


@bp.errorhandler(TenantNotFound)
def _no_jurisdiction(_exc: TenantNotFound):
    with force_locale(request_locale()):
        return formats.errors(_fmt(), 404, [(404, gettext("There is no such center here."))])


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    from core.errors import _details  # noqa: PLC0415 - the translated generic explanations

    status = exc.code or 400
    with force_locale(request_locale()):
        description = _details().get(status, str(status))
    response = formats.errors(_fmt(), status, [(status, description)])
    original = exc.get_response()
    for name in ("Retry-After", "Allow"):
        if original.headers.get(name):
            response.headers[name] = original.headers[name]
    return response


# --- discovery and services -------------------------------------------------------------------


@bp.get("/discovery.<fmt>")
@permission(PUBLIC)
@localized
def discovery(fmt: str):
    """Service Discovery: where the GeoReport v2 endpoint of this tenant is, in which formats."""
    fmt = _format(fmt)
    tenant = g.tenant
    changed = _session().scalar(select(Tenant.updated_at).where(Tenant.id == tenant.id))
    changeset = mapping.w3c(changed, _tz())
    base = url_for("open311.discovery", fmt=fmt, _external=True).rsplit("/discovery.", 1)[0]
    hotline = tenant.branding.get("hotline")
    body = {
        "changeset": changeset,
        "contact": " ".join(p for p in (tenant.name(request_locale()), hotline) if p),
        "key_service": gettext("Ask the center's administrator for an API key with the scope "
                               "open311."),
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": base,
            "changeset": changeset,
            "type": "production",
            "formats": [formats.MIMETYPES["xml"], formats.MIMETYPES["json"]],
        }],
    }
    return formats.render(fmt, "discovery", body)


@bp.get("/services.<fmt>")
@permission(PUBLIC)
@localized
def services(fmt: str):
    """GET Service List: the tenant's case types (core and its enabled plugins)."""
    fmt = _format(fmt)
    locale = request_locale()
    body = [mapping.service_of(t, locale) for t in cases.case_types(g.tenant).values()]
    return formats.render(fmt, "services", body)


def _service(code: str):
    case_type = cases.case_types(g.tenant).get(code)
    if case_type is None:
        raise Open311Error(404, (404, gettext("There is no service with this service_code "
                                              "here.")))
    return case_type


@bp.get("/services/<code>.<fmt>")
@permission(PUBLIC)
@localized
def service_definition(code: str, fmt: str):
    """GET Service Definition: the attributes of the case type's details schema."""
    fmt = _format(fmt)
    case_type = _service(code)
    body = {"service_code": case_type.code,
            "attributes": mapping.attributes_of(case_type.details_schema, request_locale())}
    return formats.render(fmt, "service_definition", body)


# --- service requests -------------------------------------------------------------------------


class RequestCollection(MethodView):
    """GET Service Requests (public, filtered) and POST Service Request (with an api_key)."""

    decorators = [limiter.limit(_post_limit, methods=["POST"]), localized]

    @permission(PUBLIC)
    def get(self, fmt: str):
        """The Open311 requests of the tenant that match the filters, newest first."""
        fmt = _format(fmt)
        return formats.render(fmt, "service_requests", _find(_filters()))

    @permission("open311.submit")
    def post(self, fmt: str):
        """Register a case from a form-encoded GeoReport request."""
        fmt = _format(fmt)
        return _create(fmt, _authorize("open311.submit"))


bp.add_url_rule("/requests.<fmt>", view_func=RequestCollection.as_view("requests"))


def _vault():
    from core.api.cases import vault  # noqa: PLC0415

    return vault()


def _location(session, principal, address_id: str) -> tuple[str, str]:
    """The tier node of the request: ``address_id`` when it names one, else the key's own.

    The key's own node is the topmost node where its user may register (for an integration
    account granted at the root, the root of the tier tree).
    """
    if address_id:
        row = session.execute(select(TierNode.code, TierNode.path).where(
            TierNode.code == address_id)).first()
        if row is None:
            raise _bad("address_id", "there is no tier node with this code here")
        return row.code, row.path
    paths = [g_.node_path for g_ in principal.grants if g_.role in PERMISSIONS["open311.submit"]]
    row = session.execute(select(TierNode.code, TierNode.path).where(
        TierNode.path == min(paths, key=len))).first() if paths else None
    if row is None:
        raise Open311Error(403, (403, gettext(
            "Invalid api_key received -- can't proceed with create_request.")))
    return row.code, row.path


def _create(fmt: str, principal):
    form = request.form
    code = (form.get("service_code") or "").strip()
    if not code:
        raise _bad("service_code", "required")
    case_type = _service(code)
    locale = request_locale()
    with _database().transaction(g.tenant.id) as session:
        try:
            node_code, node_path = _location(session, principal,
                                             (form.get("address_id") or "").strip())
            body, extras = mapping.intake_of(form, mapping.attribute_values(form), case_type,
                                             node_code, locale)
        except mapping.OpenInputError as exc:
            raise _bad(exc.field, exc.message) from exc
        try:
            result = cases.register(session, g.tenant, body, principal.actor(node_path),
                                    vault=_vault(), extra_details={mapping.DETAILS_KEY: extras})
        except cases.CaseInvalid as exc:
            raise Open311Error(400, *[
                (400, f"{mapping.open311_field(path)}: {' '.join(map(str, problems))}")
                for path, problems in exc.fields.items()]) from exc
        except cases.TransitionRefused as exc:
            raise Open311Error(400, *[(400, str(r)) for r in exc.reasons]) from exc
        case = result.case
        out = [{
            "service_request_id": case.code,
            "service_notice": gettext("Your request is registered under the code %(code)s.",
                                      code=case.code),
            "account_id": extras.get("account_id"),
        }]
    location = url_for("open311.request_item", rid=out[0]["service_request_id"], fmt=fmt)
    return formats.render(fmt, "service_requests", out, 201, {"Location": location})


def _listed(values: str | None) -> list[str]:
    return [v.strip() for v in (values or "").split(",") if v.strip()]


def _filters() -> dict[str, Any]:
    """GET requests' arguments; an empty one is the same as one not sent."""
    args = request.args
    tz = _tz()
    ids = _listed(args.get("service_request_id"))
    if ids:  # "This overrides all other arguments."
        return {"ids": ids[: mapping.MAX_RESULTS]}
    try:
        start = mapping.parse_w3c("start_date", args.get("start_date"), tz)
        end = mapping.parse_w3c("end_date", args.get("end_date"), tz)
        start, end = mapping.date_window(start, end, datetime.now(UTC))
    except mapping.OpenInputError as exc:
        raise _bad(exc.field, exc.message) from exc
    statuses = set(_listed(args.get("status")))
    if statuses - {"open", "closed"}:
        raise _bad("status", "open or closed, comma separated")
    return {"codes": _listed(args.get("service_code")), "start": start, "end": end,
            "statuses": statuses}


def _find(filters: dict[str, Any]) -> list[dict[str, Any]]:
    """The Open311 cases that match, newest first, as public service requests."""
    types = cases.case_types(g.tenant)
    query = select(Case).where(Case.channel == mapping.CHANNEL,
                               Case.details[mapping.DETAILS_KEY].as_string().is_not(None),
                               Case.case_type.in_(list(types)))
    if "ids" in filters:
        wanted = set()
        for raw in filters["ids"]:
            try:
                wanted.add(str(codes.parse_code(raw)))
            except codes.CodeError:
                continue  # not one of our codes: simply not found
        query = query.where(Case.code.in_(wanted))
    else:
        query = query.where(Case.registered_at >= filters["start"],
                            Case.registered_at <= filters["end"])
        if filters["codes"]:
            query = query.where(Case.case_type.in_(filters["codes"]))
        if filters["statuses"] == {"open"}:
            query = query.where(Case.status.in_(_OPEN))
        elif filters["statuses"] == {"closed"}:
            query = query.where(Case.status.not_in(_OPEN))
    session = _session()
    rows = list(session.scalars(query.order_by(Case.registered_at.desc(), Case.id.desc())
                                .limit(mapping.MAX_RESULTS)))
    return _views(session, rows, types)


_OPEN = sorted(s.value for s in mapping.OPEN_STATES)


def _views(session, rows: list[Case], types) -> list[dict[str, Any]]:
    if not rows:
        return []
    locale, tz = request_locale(), _tz()
    by_code = [c.code for c in rows]
    updated = dict(session.execute(
        select(AuditEvent.object_id, func.max(AuditEvent.at))
        .where(AuditEvent.object_type == "case", AuditEvent.object_id.in_(by_code))
        .group_by(AuditEvent.object_id)).all())
    agencies: dict[int, str] = {}
    for case_id, names, dept_code in session.execute(
            select(Assignment.case_id, Department.names, Department.code)
            .join(Department, Department.id == Assignment.department_id)
            .where(Assignment.case_id.in_([c.id for c in rows]), Assignment.role == "lead",
                   Assignment.active.is_(True))).all():
        agencies[case_id] = (names or {}).get(locale) or (names or {}).get("zh_Hans") \
            or dept_code
    nodes = dict(session.execute(select(TierNode.id, TierNode.code).where(
        TierNode.id.in_({c.location_node_id for c in rows}))).all())
    return [mapping.request_of(
        case,
        service_name=types[case.case_type].name(locale) if case.case_type in types
        else case.case_type,
        status_notes=messages.status_name(case.status),
        agency=agencies.get(case.id),
        updated=updated.get(case.code),
        location_code=nodes.get(case.location_node_id),
        tz=tz,
    ) for case in rows]


def _one(rid: str) -> dict[str, Any]:
    found = _find({"ids": [rid]})
    if not found:
        raise Open311Error(404, (404, gettext("There is no service request with this id "
                                              "here.")))
    return found[0]


@bp.get("/requests/<rid>.<fmt>")
@permission(PUBLIC)
@localized
def request_item(rid: str, fmt: str):
    """GET Service Request: one request by its id (the case code)."""
    fmt = _format(fmt)
    return formats.render(fmt, "service_requests", [_one(rid)])


@bp.get("/tokens/<token>.<fmt>")
@permission(PUBLIC)
@localized
def token_item(token: str, fmt: str):
    """GET service_request_id from a token: requests are realtime, the token is the code."""
    fmt = _format(fmt)
    found = _one(token)
    return formats.render(fmt, "service_requests",
                          [{"service_request_id": found["service_request_id"], "token": token}])


@bp.route("/<path:rest>", methods=["GET", "POST"])
@permission(PUBLIC)
def unknown(rest: str):
    """Anything else under the endpoint: the spec's 404."""
    with force_locale(request_locale()):
        raise Open311Error(404, (404, gettext("The page you asked for does not exist.")))
