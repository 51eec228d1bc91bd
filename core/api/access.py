"""Authentication and the permission rule every API endpoint declares.

Each view method names its action with :func:`permission` (``@permission("case.read")``) or
says it is public (``@permission(PUBLIC)``). :func:`check_request` runs before every API view:
it authenticates (``Authorization: Bearer <token>`` of this tenant, else the signed-in staff
session) and refuses a request whose principal holds no role that may take the action at all
(401 without a principal, 403 otherwise). Views then check the particular resource with
:func:`require`, which answers 404 for what the principal may not see, so that existence never
leaks. An endpoint without a rule is refused (deny by default), and a test fails if one exists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, g, request
from flask_babel import gettext
from flask_smorest import abort

from core import accounts
from core.authz import PERMISSIONS, Decision, Principal, Resource, authorize
from core.web.auth import current_principal

PUBLIC = "public"
F = TypeVar("F", bound=Callable[..., Any])


def permission(action: str) -> Callable[[F], F]:
    """Declare the action a view method takes (an entry of :data:`core.authz.PERMISSIONS`)."""
    if action != PUBLIC and action not in PERMISSIONS:
        raise ValueError(f"unknown action {action!r}")

    def mark(view: F) -> F:
        view._onedoor_permission = action  # type: ignore[attr-defined]
        return view

    return mark


def rule_of(endpoint: str, method: str) -> str | None:
    """The action declared for ``endpoint`` and HTTP ``method``, or None when there is none."""
    view = current_app.view_functions.get(endpoint)
    if view is None:
        return None
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        method_view = getattr(view_class, method.lower(), None)
        if method_view is None and method == "HEAD":
            method_view = getattr(view_class, "get", None)
        return getattr(method_view, "_onedoor_permission", None)
    return getattr(view, "_onedoor_permission", None)


def _authenticate() -> Principal | None:
    from core.app import onedoor  # noqa: PLC0415 - core.app builds the API

    header = request.headers.get("Authorization", "")
    if not header:
        return current_principal()
    scheme, _sep, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        abort(401, message=gettext("Send the API token as: Authorization: Bearer <token>."),
              headers={"WWW-Authenticate": 'Bearer realm="onedoor"'})
    with onedoor().database.transaction(g.tenant.id) as session:
        principal = accounts.authenticate_token(session, secret.strip())
    if principal is None:
        abort(401, message=gettext("The API token is not valid here: unknown, revoked, expired, "
                                   "or of another tenant."),
              headers={"WWW-Authenticate": 'Bearer realm="onedoor", error="invalid_token"'})
    g.principal = principal
    return principal


def check_request() -> None:
    """Before every API view: authenticate, then refuse what no grant could allow."""
    if request.method == "OPTIONS" or request.endpoint is None:
        return
    action = rule_of(request.endpoint, request.method)
    if action is None:
        abort(403, message=gettext("This endpoint has no permission rule."))
    principal = _authenticate() if action != PUBLIC or request.headers.get("Authorization") \
        else current_principal()
    if action == PUBLIC:
        return
    if principal is None:
        abort(401, message=gettext("Sign in, or send a valid API token, to use this."),
              headers={"WWW-Authenticate": 'Bearer realm="onedoor"'})
    if not principal.has_scope(action):
        abort(403, message=gettext("The API token lacks the scope this needs."))
    if not principal.roles & PERMISSIONS[action]:
        abort(403, message=gettext("Your role may not do this."))


def principal() -> Principal:
    """The request's principal (after :func:`check_request` let a non-public view run)."""
    found = current_principal()
    assert found is not None, "check_request lets no anonymous request reach this view"
    return found


def require(action: str, resource: Resource, *, hide: bool = True) -> Decision:
    """Refuse unless the principal may ``action`` on ``resource``: 404 when ``hide``, else 403."""
    decision = authorize(current_principal(), action, resource)
    if not decision:
        if hide:
            abort(404, message=gettext("There is no such item here, or you may not see it."))
        abort(403, message=gettext("You may not do this here."))
    return decision
