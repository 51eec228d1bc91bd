"""Error responses: an HTML page for people, ``application/problem+json`` (RFC 9457) for machines.

Both are in the request's language. A view may give its own, already translated, detail:
``abort(404, gettext("There is no center with this code."))``; otherwise the status's generic
explanation is used (Werkzeug's English default descriptions are never shown).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, g, json, render_template, request
from flask_babel import gettext
from werkzeug.exceptions import HTTPException

from core.tenancy import TenantNotFound

PROBLEM_JSON = "application/problem+json"


def wants_problem_json() -> bool:
    """API paths and clients that prefer JSON get problem+json; browsers get a page."""
    if "/api/" in request.path or request.path.rstrip("/").endswith("/api"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json", PROBLEM_JSON])
    return best in ("application/json", PROBLEM_JSON)


def problem(status: int, title: str, detail: str = "", **extra: Any) -> Response:
    """A problem+json response; ``extra`` adds members such as ``errors`` (field messages)."""
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_JSON)


def _titles() -> dict[int, str]:
    return {
        400: gettext("Bad request"),
        401: gettext("Unauthorized"),
        403: gettext("Forbidden"),
        404: gettext("Not found"),
        405: gettext("Method not allowed"),
        406: gettext("Not acceptable"),
        409: gettext("Conflict"),
        412: gettext("Precondition failed"),
        413: gettext("Request too large"),
        415: gettext("Unsupported media type"),
        422: gettext("Unprocessable content"),
        428: gettext("Precondition required"),
        429: gettext("Too many requests"),
        500: gettext("Internal server error"),
    }


def _details() -> dict[int, str]:
    return {
        400: gettext("The request could not be understood."),
        401: gettext("Sign in, or send a valid API token, to use this."),
        403: gettext("You may not see this page."),
        404: gettext("The page you asked for does not exist."),
        405: gettext("This address does not accept this kind of request."),
        406: gettext("This address cannot answer in the format asked for."),
        409: gettext("The request conflicts with the current state of the resource."),
        412: gettext("The resource has changed since you read it. Reload it and try again."),
        413: gettext("The request is too large."),
        415: gettext("This address does not accept this content type."),
        422: gettext("Some fields are not valid."),
        428: gettext("This request must say which version it changes (If-Match)."),
        429: gettext("Too many requests. Please wait a moment and try again."),
        500: gettext("Something went wrong on our side. Please try again later."),
    }


def _detail(exc: HTTPException) -> str:
    own = exc.description
    if own and own != type(exc).description:
        return str(own)
    return _details().get(exc.code or 500, "")


def _tenant_of_path() -> Any:
    """The tenant named by the first segment of a path no route matched (for its branding)."""
    from core.app import onedoor  # noqa: PLC0415 - core.app imports this module

    slug = request.path.strip("/").split("/", 1)[0]
    if not slug or len(slug) > 40:
        return None
    try:
        return onedoor().directory.get(slug)
    except TenantNotFound:
        return None


def render_error(status: int, detail: str, **extra: Any) -> Response:
    """The error as problem+json for machines or a branded page for people.

    ``extra`` members (such as ``errors``, the field messages) go into the problem document.
    """
    title = _titles().get(status, str(status))
    if wants_problem_json():
        return problem(status, title, detail, **extra)
    tenant = g.get("tenant")
    if tenant is None and request.url_rule is None:
        tenant = _tenant_of_path()
    html = render_template("error.html", status=status, title=title, detail=detail,
                           tenant=tenant)
    return Response(html, status=status, mimetype="text/html")


def register_error_handlers(app: Flask) -> None:
    """Install the handlers; unknown and disabled tenants are a plain 404."""
    render = render_error

    @app.errorhandler(TenantNotFound)
    def _tenant_not_found(_exc: TenantNotFound) -> Response:
        if g.get("tenant") is not None:
            # The tenant exists, a part of it (a plugin it has not enabled) does not.
            return render(404, gettext("The page you asked for does not exist."))
        return render(404, gettext("There is no such center here."))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        # flask-smorest's abort() and webargs put a message, field errors and headers in data.
        data = getattr(exc, "data", None) or {}
        extra = {}
        messages = data.get("errors") or data.get("messages")
        if messages:
            from core.api.problems import field_errors  # noqa: PLC0415 - API-only concern

            extra["errors"] = messages if isinstance(messages, list) else field_errors(messages)
        detail = str(data["message"]) if data.get("message") else _detail(exc)
        response = render(exc.code or 500, detail, **extra)
        if exc.code == 405 and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        for name, value in (data.get("headers") or {}).items():
            response.headers[name] = value
        if exc.code == 401 and "WWW-Authenticate" not in response.headers:
            response.headers["WWW-Authenticate"] = 'Bearer realm="onedoor"'
        return response
