"""Users, memberships and API tokens: data, not configuration, so straight through core.accounts.

Every change is one transaction with the account service's own audit event. Disabling a user
ends their sessions and revokes their tokens (:func:`core.accounts.set_active`); an
administrator cannot disable themselves or take away their own administration role, so a
tenant is never left without anyone able to undo a mistake here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext, lazy_gettext
from sqlalchemy import select
from werkzeug.wrappers import Response

from core import accounts
from core.admin import bp
from core.admin.pages import page
from core.app import db_session, onedoor
from core.authz import ALL_SCOPES, DEFAULT_SCOPES, ROLES
from core.messages import translate
from core.models import ApiToken, Department, TierNode, User
from core.web import current_locale, localized
from core.web.auth import current_principal

#: Role names as people read them.
ROLE_NAMES = {
    "tenant_admin": lazy_gettext("Tenant administrator"),
    "leader": lazy_gettext("Leader"),
    "dispatcher": lazy_gettext("Dispatcher"),
    "clerk": lazy_gettext("Window clerk"),
    "mediator": lazy_gettext("Mediator"),
    "department_liaison": lazy_gettext("Department liaison"),
    "grid_worker": lazy_gettext("Grid worker"),
    "auditor": lazy_gettext("Auditor"),
    "counselor": lazy_gettext("Counselor"),
}
#: Beyond this many tier nodes the node is typed (with suggestions) instead of chosen.
MAX_NODE_OPTIONS = 300
USER_FIELDS = ("username", "display_name", "password")
MEMBERSHIP_FIELDS = ("role", "node", "department")


def _options() -> dict[str, Any]:
    session = db_session()
    nodes = session.scalars(select(TierNode).order_by(TierNode.path)
                            .limit(MAX_NODE_OPTIONS + 1)).all()
    departments = session.scalars(select(Department).order_by(Department.code)).all()
    return {
        "roles": [(role, str(ROLE_NAMES.get(role, role))) for role in ROLES],
        "nodes": [(n.code, f"{n.display_name(current_locale())} ({n.code})")
                  for n in nodes[:MAX_NODE_OPTIONS]],
        "many_nodes": len(nodes) > MAX_NODE_OPTIONS,
        "department_options": [(d.code, f"{localized(d.names, d.code)} ({d.code})")
                        for d in departments],
        "role_names": {k: str(v) for k, v in ROLE_NAMES.items()},
        "all_scopes": ALL_SCOPES,
    }


def _membership_errors(form: Mapping[str, str]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    role = form.get("role", "")
    if role not in ROLES:
        errors["role"] = [gettext("Choose a role.")]
    elif role == "department_liaison" and not form.get("department"):
        errors["department"] = [gettext("A department liaison needs a department.")]
    return errors


def _account_error(exc: accounts.AccountError) -> dict[str, list[str]]:
    return {exc.field: [translate(exc.message)]}


def _actor() -> str:
    principal = current_principal()
    return principal.name if principal is not None else "web"


def _user_or_404(session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        abort(404, gettext("There is no such item here, or you may not see it."))
    return user


@bp.get("/users")
def users() -> str:
    """Every account of the tenant with its roles and where they hold them."""
    session = db_session()
    rows = session.scalars(select(User).order_by(User.username)).all()
    departments = {d.id: d for d in session.scalars(select(Department))}
    return page("admin/users.html", users=rows, departments=departments, **_options())


@bp.route("/users/new", methods=["GET", "POST"])
def users_new() -> str | Response:
    """Create an account with its first membership, in one transaction."""
    values: dict[str, str] = {"role": "clerk"}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = {name: request.form.get(name, "").strip()
                  for name in (*USER_FIELDS, *MEMBERSHIP_FIELDS) if name != "password"}
        password = request.form.get("password", "")
        if not values["username"]:
            errors["username"] = [gettext("Give a username.")]
        if len(password) < accounts.MIN_PASSWORD_LENGTH:
            errors["password"] = [gettext("The initial password needs at least %(n)s "
                                          "characters.", n=accounts.MIN_PASSWORD_LENGTH)]
        errors.update(_membership_errors(values))
        if not errors:
            try:
                with onedoor().database.transaction(g.tenant.id) as session:
                    user = accounts.create_user(session, values["username"], password,
                                                display_name=values["display_name"],
                                                actor=_actor())
                    accounts.add_membership(session, user, values["role"],
                                            values["node"] or None,
                                            department_code=values["department"] or None,
                                            actor=_actor())
            except accounts.AccountError as exc:
                errors = _account_error(exc)
            else:
                flash(gettext("The account %(name)s was created.", name=values["username"]),
                      "info")
                return redirect(url_for("admin.user", username=values["username"]))
    return page("admin/user_new.html", values=values, errors=errors, **_options()), (
        422 if errors else 200)


@bp.get("/users/<username>")
def user(username: str, *, secret: str | None = None, errors: dict | None = None,
         values: dict | None = None) -> str:
    """One account: its memberships, its state and its API tokens."""
    session = db_session()
    found = _user_or_404(session, username)
    tokens = session.scalars(select(ApiToken).where(ApiToken.user_id == found.id)
                             .order_by(ApiToken.id)).all()
    departments = {d.id: d for d in session.scalars(select(Department))}
    me = current_principal()
    return page("admin/user.html", user=found, tokens=tokens, departments=departments,
                secret=secret, errors=errors or {}, values=values or {"role": "clerk"},
                is_me=me is not None and me.user_id == found.id,
                default_scopes=DEFAULT_SCOPES, **_options())


@bp.post("/users/<username>/memberships")
def user_membership_add(username: str) -> str | Response:
    """Give the user one more role at a tier node (a liaison's also names a department)."""
    values = {name: request.form.get(name, "").strip() for name in MEMBERSHIP_FIELDS}
    errors = _membership_errors(values)
    if not errors:
        try:
            with onedoor().database.transaction(g.tenant.id) as session:
                found = _user_or_404(session, username)
                accounts.add_membership(session, found, values["role"], values["node"] or None,
                                        department_code=values["department"] or None,
                                        actor=_actor())
        except accounts.AccountError as exc:
            errors = _account_error(exc)
        except Exception as exc:  # the unique (user, role, node) constraint
            if not _is_integrity_error(exc):
                raise
            errors = {"role": [gettext("The user already holds this role at this node.")]}
    if errors:
        return user(username, errors=errors, values=values), 422
    flash(gettext("The role was added."), "info")
    return redirect(url_for("admin.user", username=username))


def _is_integrity_error(exc: Exception) -> bool:
    from sqlalchemy.exc import IntegrityError  # noqa: PLC0415

    return isinstance(exc, IntegrityError)


@bp.post("/users/<username>/memberships/<id:membership_id>/remove")
def user_membership_remove(username: str, membership_id: int) -> Response:
    """Take one role away (not the administrator's own administration role)."""
    with onedoor().database.transaction(g.tenant.id) as session:
        found = _user_or_404(session, username)
        membership = next((m for m in found.memberships if m.id == membership_id), None)
        if membership is None:
            abort(404, gettext("There is no such item here, or you may not see it."))
        me = current_principal()
        if me is not None and me.user_id == found.id and membership.role == "tenant_admin":
            flash(gettext("You cannot take away your own administration role; ask another "
                          "administrator."), "info")
            return redirect(url_for("admin.user", username=username))
        accounts.remove_membership(session, found, membership_id, actor=_actor())
    flash(gettext("The role was removed."), "info")
    return redirect(url_for("admin.user", username=username))


@bp.post("/users/<username>/active")
def user_active(username: str) -> Response:
    """Enable or disable the account; disabling ends its sessions and revokes its tokens."""
    active = request.form.get("active") == "true"
    with onedoor().database.transaction(g.tenant.id) as session:
        found = _user_or_404(session, username)
        me = current_principal()
        if not active and me is not None and me.user_id == found.id:
            flash(gettext("You cannot disable your own account."), "info")
            return redirect(url_for("admin.user", username=username))
        if found.active != active:
            accounts.set_active(session, found, active, actor=_actor())
    flash(gettext("The account is enabled.") if active else
          gettext("The account is disabled: its sessions have ended and its API tokens "
                  "are revoked."), "info")
    return redirect(url_for("admin.user", username=username))


@bp.post("/users/<username>/tokens")
def user_token_issue(username: str) -> str | Response:
    """Issue an API token; its secret is shown on this one page and never again."""
    name = request.form.get("name", "").strip()
    scopes = request.form.getlist("scopes")
    values = {"name": name}
    if not scopes:
        return user(username, errors={"scopes": [gettext("Choose at least one scope.")]},
                    values=values), 422
    try:
        with onedoor().database.transaction(g.tenant.id) as session:
            found = _user_or_404(session, username)
            _token, secret = accounts.issue_token(session, found, name=name, scopes=scopes,
                                                  actor=_actor())
    except accounts.AccountError as exc:
        field = "scopes" if exc.field == "scope" else exc.field
        return user(username, errors={field: [translate(exc.message)]}, values=values), 422
    response = page_response(user(username, secret=secret))
    return response


def page_response(html: str) -> Response:
    """``html`` as a response nobody keeps: it carries a secret shown once."""
    response = Response(html, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/users/<username>/tokens/<id:token_id>/revoke")
def user_token_revoke(username: str, token_id: int) -> Response:
    """Revoke one of the user's tokens at once."""
    with onedoor().database.transaction(g.tenant.id) as session:
        found = _user_or_404(session, username)
        token = session.get(ApiToken, token_id)
        if token is None or token.user_id != found.id:
            abort(404, gettext("There is no such item here, or you may not see it."))
        accounts.revoke_token(session, token_id, actor=_actor())
    flash(gettext("The token was revoked."), "info")
    return redirect(url_for("admin.user", username=username))
