"""``/<tenant>/api/v1/{users,tokens,me}``: staff accounts, memberships and API tokens.

Managing them needs ``tenant_admin`` at the root of the tree (``user.manage``,
``token.manage``); ``/me`` tells any signed-in principal who it is and what it may do.
Passwords are set here only on creation; hashes and token secrets never leave.
"""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView
from flask_babel import gettext
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from core import accounts
from core.api.access import permission, principal, require
from core.api.problems import field_errors
from core.api.schemas import UtcDateTime
from core.authz import ALL_SCOPES, PERMISSIONS, ROLES, TENANT
from core.models import ApiToken, User

blp = Blueprint("api_accounts", __name__, url_prefix="/<tenant>/api/v1",
                description="Staff accounts, memberships and API tokens.")


class MembershipOut(Schema):
    """A role at a tier node (and a liaison's department)."""

    id = fields.Integer()
    role = fields.String()
    node = fields.String(attribute="node.code")
    department_id = fields.Integer(allow_none=True)


class UserOut(Schema):
    """A member of staff."""

    username = fields.String()
    display_name = fields.String()
    active = fields.Boolean()
    created_at = UtcDateTime()
    last_login_at = UtcDateTime(allow_none=True)
    memberships = fields.List(fields.Nested(MembershipOut))


class MembershipIn(Schema):
    """A role to grant at a node (the root when ``node`` is left out)."""

    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    node = fields.String(validate=validate.Length(max=64))
    department = fields.String(validate=validate.Length(max=64))


class UserIn(Schema):
    """A new member of staff, with at least one membership."""

    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    display_name = fields.String(validate=validate.Length(max=120))
    password = fields.String(load_only=True, validate=validate.Length(min=10, max=200))
    memberships = fields.List(fields.Nested(MembershipIn), required=True,
                              validate=validate.Length(min=1, max=20))


class UserPatch(Schema):
    """Enable or disable an account (disabling ends its sessions and revokes its tokens)."""

    active = fields.Boolean(required=True)


class TokenOut(Schema):
    """An API token as lists show it: never the secret."""

    id = fields.Integer()
    name = fields.String()
    prefix = fields.String()
    user = fields.String(attribute="user.username")
    scopes = fields.List(fields.String())
    created_at = UtcDateTime()
    expires_at = UtcDateTime(allow_none=True)
    last_used_at = UtcDateTime(allow_none=True)
    revoked_at = UtcDateTime(allow_none=True)


class TokenCreated(TokenOut):
    """A token just issued: ``token`` is the secret, shown this once."""

    token = fields.String()


class TokenIn(Schema):
    """A token for an integration acting as ``user``."""

    user = fields.String(required=True, validate=validate.Length(min=1, max=64))
    name = fields.String(validate=validate.Length(max=120))
    scopes = fields.List(fields.String(validate=validate.OneOf(ALL_SCOPES)),
                         validate=validate.Length(min=1, max=len(ALL_SCOPES)))
    expires_at = fields.AwareDateTime()


class MeOut(Schema):
    """Who the request acts as, and which actions it may take somewhere."""

    username = fields.String()
    token = fields.Boolean()
    scopes = fields.List(fields.String(), allow_none=True)
    grants = fields.List(fields.Dict())
    actions = fields.List(fields.String())


def _database():
    from core.app import onedoor  # noqa: PLC0415 - core.app imports core.api

    return onedoor().database


def _account_error(exc: accounts.AccountError) -> None:
    abort(422, message=gettext("Some fields are not valid."),
          errors=field_errors({exc.field: [exc.message]}))


def _user_or_404(session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        abort(404, message=gettext("There is no such item here, or you may not see it."))
    return user


@blp.route("/me")
class Me(MethodView):
    @permission("case.read")
    @blp.response(200, MeOut)
    def get(self):
        """The principal of this request and the actions it may take somewhere."""
        who = principal()
        return {"username": who.name, "token": who.token_id is not None,
                "scopes": sorted(who.scopes) if who.scopes is not None else None,
                "grants": [{"role": gr.role, "node_path": gr.node_path,
                            "department_id": gr.department_id} for gr in who.grants],
                "actions": sorted(a for a in PERMISSIONS
                                  if who.has_scope(a) and who.roles & PERMISSIONS[a])}


@blp.route("/users")
class Users(MethodView):
    @permission("user.read")
    @blp.response(200, UserOut(many=True))
    def get(self):
        """Every account of the tenant."""
        from core.app import db_session  # noqa: PLC0415

        require("user.read", TENANT, hide=False)
        return db_session().scalars(select(User).order_by(User.username)).all()

    @permission("user.manage")
    @blp.arguments(UserIn)
    @blp.response(201, UserOut)
    def post(self, data: dict[str, Any]):
        """Create an account with its memberships (one transaction, audited)."""
        require("user.manage", TENANT, hide=False)
        with _database().transaction(g.tenant.id) as session:
            try:
                user = accounts.create_user(session, data["username"], data.get("password"),
                                            display_name=data.get("display_name", ""),
                                            actor=principal().name)
                for index, m in enumerate(data["memberships"]):
                    try:
                        accounts.add_membership(session, user, m["role"], m.get("node"),
                                                department_code=m.get("department"),
                                                actor=principal().name)
                    except accounts.AccountError as exc:
                        raise accounts.AccountError(f"memberships.{index}.{exc.field}",
                                                    exc.message) from exc
            except accounts.AccountError as exc:
                _account_error(exc)
            session.refresh(user)
            return user, 201


@blp.route("/users/<username>")
class UserItem(MethodView):
    @permission("user.read")
    @blp.response(200, UserOut)
    def get(self, username: str):
        """One account."""
        from core.app import db_session  # noqa: PLC0415

        require("user.read", TENANT, hide=False)
        return _user_or_404(db_session(), username)

    @permission("user.manage")
    @blp.arguments(UserPatch)
    @blp.response(200, UserOut)
    def patch(self, data: dict[str, Any], username: str):
        """Enable or disable an account."""
        require("user.manage", TENANT, hide=False)
        with _database().transaction(g.tenant.id) as session:
            user = _user_or_404(session, username)
            accounts.set_active(session, user, data["active"], actor=principal().name)
            return user


@blp.route("/users/<username>/memberships")
class UserMemberships(MethodView):
    @permission("user.manage")
    @blp.arguments(MembershipIn)
    @blp.response(201, MembershipOut)
    def post(self, data: dict[str, Any], username: str):
        """Grant a role at a node."""
        require("user.manage", TENANT, hide=False)
        with _database().transaction(g.tenant.id) as session:
            user = _user_or_404(session, username)
            try:
                membership = accounts.add_membership(session, user, data["role"],
                                                     data.get("node"),
                                                     department_code=data.get("department"),
                                                     actor=principal().name)
            except accounts.AccountError as exc:
                _account_error(exc)
            session.refresh(membership)
            return membership, 201


@blp.route("/tokens")
class Tokens(MethodView):
    @permission("token.manage")
    @blp.response(200, TokenOut(many=True))
    def get(self):
        """Every API token of the tenant (prefixes only)."""
        from core.app import db_session  # noqa: PLC0415

        require("token.manage", TENANT, hide=False)
        return db_session().scalars(select(ApiToken).order_by(ApiToken.id)).all()

    @permission("token.manage")
    @blp.arguments(TokenIn)
    @blp.response(201, TokenCreated)
    def post(self, data: dict[str, Any]):
        """Issue a token; the secret is in this answer only."""
        require("token.manage", TENANT, hide=False)
        with _database().transaction(g.tenant.id) as session:
            try:
                user = accounts.get_user(session, data["user"])
                token, secret = accounts.issue_token(
                    session, user, name=data.get("name", ""), scopes=data.get("scopes"),
                    expires_at=data.get("expires_at"), actor=principal().name)
            except accounts.AccountError as exc:
                _account_error(exc)
            token.token = secret  # type: ignore[attr-defined] - dumped once, never stored
            return token, 201


@blp.route("/tokens/<id:token_id>")
class TokenItem(MethodView):
    @permission("token.manage")
    @blp.response(200, TokenOut)
    def delete(self, token_id: int):
        """Revoke a token at once."""
        require("token.manage", TENANT, hide=False)
        with _database().transaction(g.tenant.id) as session:
            try:
                return accounts.revoke_token(session, token_id, actor=principal().name)
            except accounts.AccountError:
                abort(404, message=gettext("There is no such item here, or you may not see it."))


