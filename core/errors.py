"""Error responses: an HTML page for people, ``application/problem+json`` (RFC 9457) for machines."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, json, render_template, request
from flask_babel import gettext
from werkzeug.exceptions import HTTPException, NotFound

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
        403: gettext("Forbidden"),
        404: gettext("Not found"),
        405: gettext("Method not allowed"),
        500: gettext("Internal server error"),
    }


def register_error_handlers(app: Flask) -> None:
    """Install the handlers; unknown and disabled tenants are a plain 404."""

    def render(status: int, detail: str) -> Response:
        title = _titles().get(status, str(status))
        if wants_problem_json():
            return problem(status, title, detail)
        html = render_template("error.html", status=status, title=title, detail=detail)
        return Response(html, status=status, mimetype="text/html")

    @app.errorhandler(TenantNotFound)
    def _tenant_not_found(_exc: TenantNotFound) -> Response:
        return render(404, gettext("There is no such center here."))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        if isinstance(exc, NotFound):
            return render(404, gettext("The page you asked for does not exist."))
        response = render(exc.code or 500, exc.description or "")
        if exc.code == 405 and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response
