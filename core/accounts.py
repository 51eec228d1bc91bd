"""Staff accounts as a service: users, memberships, passwords, login sessions and API tokens.

Used by the web login, the API's authentication, the administration pages and the CLI
(``onedoor user create``, ``onedoor token create``). Each function works inside the caller's
tenant-bound transaction and writes its audit event there; no Flask in here.

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106's second recommended
setting). Session and API tokens are 32 random bytes; only their SHA-256 digest is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update

from core import audit
from core.authz import ALL_SCOPES, DEFAULT_SCOPES, ROLES, Grant, Principal
from core.db import TenantSession
from core.messages import msg
from core.models import ApiToken, Department, LoginSession, Membership, TierNode, User

_hasher = PasswordHasher()
#: API tokens start with this, so that a leaked one is recognisable (secret scanners, logs).
TOKEN_PREFIX = "odt_"
MIN_PASSWORD_LENGTH = 10
# A hash to verify against when the user does not exist, so that a wrong username takes as
# long as a wrong password (no user enumeration by timing).
_DUMMY_HASH = _hasher.hash("no such user: timing equaliser")


class AccountError(ValueError):
    """Bad input to an account operation; ``field`` names what was wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def digest(token: str) -> str:
    """The stored form of a session or API token."""
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (refusing ones too short to be worth hashing)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("password", msg("at least %(count)s characters",
                                           count=MIN_PASSWORD_LENGTH))
    return _hasher.hash(password)


# --- users and memberships -------------------------------------------------------------------


def create_user(session: TenantSession, username: str, password: str | None, *,
                display_name: str = "", actor: str = "system") -> User:
    """A new active user; ``password`` None makes an account that cannot sign in (tokens only)."""
    username = username.strip()
    if not username or len(username) > 64 or any(c.isspace() for c in username):
        raise AccountError("username", msg("1–64 characters without spaces"))
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AccountError("username", msg("%(username)s already exists", username=username))
    user = User(username=username, display_name=display_name or username,
                password_hash=hash_password(password) if password else "")
    session.add(user)
    session.flush()
    audit.record(session, actor=actor, action="user.create", object_type="user",
                 object_id=username, data={"display_name": user.display_name})
    return user


def get_user(session: TenantSession, username: str) -> User:
    """The tenant's user ``username``; :class:`AccountError` naming ``username`` if none."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise AccountError("username", msg("no user %(username)s", username=username))
    return user


def add_membership(session: TenantSession, user: User, role: str, node_code: str | None = None,
                   *, department_code: str | None = None, actor: str = "system") -> Membership:
    """Give ``user`` ``role`` at the node ``node_code`` (default: the root of the tree)."""
    if role not in ROLES:
        raise AccountError("role", msg("unknown role %(role)s; one of %(choices)s", role=role,
                                          choices=", ".join(ROLES)))
    if node_code:
        node = session.scalar(select(TierNode).where(TierNode.code == node_code))
        if node is None:
            raise AccountError("node", msg("unknown tier node %(code)s", code=node_code))
    else:
        node = session.scalar(select(TierNode).where(TierNode.parent_id.is_(None))
                              .order_by(TierNode.id).limit(1))
        if node is None:
            raise AccountError("node", msg("the tenant has no tier tree yet"))
    department = None
    if role == "department_liaison":
        if not department_code:
            raise AccountError("department", msg("a department liaison needs a department"))
        department = session.scalar(select(Department).where(Department.code == department_code))
        if department is None:
            raise AccountError("department", msg("unknown department %(code)s",
                                                 code=department_code))
    if session.scalar(select(Membership.id).where(
            Membership.user_id == user.id, Membership.role == role,
            Membership.node_id == node.id)) is not None:
        raise AccountError("role", msg("%(username)s already has the role %(role)s at %(node)s",
                                     username=user.username, role=role, node=node.code))
    membership = Membership(user_id=user.id, role=role, node_id=node.id,
                            department_id=department.id if department else None)
    session.add(membership)
    session.flush()
    audit.record(session, actor=actor, action="membership.add", object_type="user",
                 object_id=user.username,
                 data={"role": role, "node": node.code,
                       "department": department.code if department else None})
    return membership


def remove_membership(session: TenantSession, user: User, membership_id: int, *,
                      actor: str = "system") -> None:
    """Take membership ``membership_id`` away from ``user``, audited as ``membership.remove``.

    The user's grants are computed afresh on every request and token use
    (:func:`principal_for`), so the role is gone at once, in open sessions too.
    """
    membership = next((m for m in user.memberships if m.id == membership_id), None)
    if membership is None:
        raise AccountError("membership", f"{user.username} has no membership {membership_id}")
    department = (session.get(Department, membership.department_id)
                  if membership.department_id is not None else None)
    data = {"role": membership.role, "node": membership.node.code,
            "department": department.code if department else None}
    user.memberships.remove(membership)
    session.flush()
    audit.record(session, actor=actor, action="membership.remove", object_type="user",
                 object_id=user.username, data=data)


def set_active(session: TenantSession, user: User, active: bool, *, actor: str,
               now: datetime | None = None) -> None:
    """Enable or disable ``user``; disabling ends every session and revokes every token."""
    now = now or datetime.now(UTC)
    user.active = active
    if not active:
        session.execute(update(LoginSession).where(LoginSession.user_id == user.id,
                                                   LoginSession.ended_at.is_(None))
                        .values(ended_at=now, end_reason="user_disabled"))
        session.execute(update(ApiToken).where(ApiToken.user_id == user.id,
                                               ApiToken.revoked_at.is_(None))
                        .values(revoked_at=now))
    audit.record(session, actor=actor, action="user.enable" if active else "user.disable",
                 object_type="user", object_id=user.username)


def principal_for(user: User, *, scopes: Iterable[str] | None = None,
                  token_id: int | None = None) -> Principal:
    """The :class:`~core.authz.Principal` of ``user`` (narrowed to ``scopes`` for a token)."""
    grants = tuple(Grant(m.role, m.node.path, m.department_id) for m in user.memberships)
    return Principal(user.username, grants,
                     scopes=frozenset(scopes) if scopes is not None else None,
                     user_id=user.id, token_id=token_id)


# --- passwords and login sessions -------------------------------------------------------------


def check_password(session: TenantSession, username: str, password: str) -> User | None:
    """The active user with this username and password, or None (same cost either way)."""
    user = session.scalar(select(User).where(User.username == username))
    stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active or stored is _DUMMY_HASH:
        return None
    if _hasher.check_needs_rehash(stored):
        user.password_hash = _hasher.hash(password)
    return user


@dataclass(frozen=True)
class SessionPolicy:
    """How long a login lasts: ``idle`` without a request, ``absolute`` in all."""

    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=12)
    # last_seen_at is written at most this often: not one UPDATE per request.
    touch_every: timedelta = timedelta(minutes=1)


def start_session(session: TenantSession, user: User, *, user_agent: str = "",
                  now: datetime | None = None) -> str:
    """Sign ``user`` in: a new session row and its token (the cookie's value), audited."""
    now = now or datetime.now(UTC)
    token = secrets.token_urlsafe(32)
    session.add(LoginSession(user_id=user.id, token_hash=digest(token), created_at=now,
                             last_seen_at=now, user_agent=user_agent[:200]))
    user.last_login_at = now
    audit.record(session, actor=user.username, action="user.login", object_type="user",
                 object_id=user.username)
    return token


def resume_session(session: TenantSession, token: str, policy: SessionPolicy, *,
                   now: datetime | None = None) -> User | None:
    """The user of a live session token, or None; expired sessions are ended on the way."""
    now = now or datetime.now(UTC)
    row = session.scalar(select(LoginSession).where(LoginSession.token_hash == digest(token)))
    if row is None or row.ended_at is not None:
        return None
    reason = ""
    if not row.user.active:
        reason = "user_disabled"
    elif now - _aware(row.created_at) > policy.absolute:
        reason = "absolute_timeout"
    elif now - _aware(row.last_seen_at) > policy.idle:
        reason = "idle_timeout"
    if reason:
        row.ended_at, row.end_reason = now, reason
        return None
    if now - _aware(row.last_seen_at) > policy.touch_every:
        row.last_seen_at = now
    return row.user


def end_session(session: TenantSession, token: str, *, now: datetime | None = None) -> None:
    """Sign out: the session token stops working at once."""
    row = session.scalar(select(LoginSession).where(LoginSession.token_hash == digest(token)))
    if row is not None and row.ended_at is None:
        row.ended_at, row.end_reason = now or datetime.now(UTC), "logout"
        audit.record(session, actor=row.user.username, action="user.logout",
                     object_type="user", object_id=row.user.username)


# --- API tokens -------------------------------------------------------------------------------


def issue_token(session: TenantSession, user: User, *, name: str = "",
                scopes: Iterable[str] | None = None, expires_at: datetime | None = None,
                actor: str = "system") -> tuple[ApiToken, str]:
    """A new API token for ``user``: the row and the secret, which is shown once and never kept."""
    chosen = tuple(scopes) if scopes is not None else DEFAULT_SCOPES
    unknown = sorted(set(chosen) - set(ALL_SCOPES))
    if unknown:
        raise AccountError("scope", msg("unknown scope %(scope)s; one of %(choices)s",
                                        scope=", ".join(unknown), choices=", ".join(ALL_SCOPES)))
    if not user.active:
        raise AccountError("user", msg("%(username)s is disabled", username=user.username))
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name[:120], prefix=secret[:12],
                     token_hash=digest(secret), scopes=sorted(set(chosen)),
                     expires_at=expires_at, created_by=actor)
    session.add(token)
    session.flush()
    audit.record(session, actor=actor, action="token.issue", object_type="token",
                 object_id=str(token.id),
                 data={"user": user.username, "scopes": token.scopes, "prefix": token.prefix})
    return token, secret


def authenticate_token(session: TenantSession, secret: str, *,
                       now: datetime | None = None) -> Principal | None:
    """The principal of a live API token of this tenant, or None."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    now = now or datetime.now(UTC)
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    if token.expires_at is not None and _aware(token.expires_at) <= now:
        return None
    if token.last_used_at is None or now - _aware(token.last_used_at) > timedelta(minutes=1):
        token.last_used_at = now
    return principal_for(token.user, scopes=token.scopes, token_id=token.id)


def revoke_token(session: TenantSession, token_id: int, *, actor: str,
                 now: datetime | None = None) -> ApiToken:
    """Revoke a token at once; revoking twice is harmless."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise AccountError("token", msg("no token %(id)s", id=token_id))
    if token.revoked_at is None:
        token.revoked_at = now or datetime.now(UTC)
        audit.record(session, actor=actor, action="token.revoke", object_type="token",
                     object_id=str(token.id), data={"prefix": token.prefix})
    return token


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored moment is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
