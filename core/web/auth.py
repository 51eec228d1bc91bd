"""Staff sign-in: Flask-Login over server-side login sessions, CSRF on every form, rate limits.

The session cookie holds only ``<tenant id>:<random token>``; the token's digest finds a
:class:`core.models.LoginSession` row of that tenant. So a cookie of one tenant never works
under another (the row is invisible there), signing in always starts a new session (rotation:
the old cookie is cleared and a new token issued), and ending the row — logout, the idle or
absolute timeout, disabling the user — ends the session at once, wherever the cookie is.

Every POST, PUT, PATCH and DELETE must carry the CSRF token (a form field ``csrf_token`` or
the ``X-CSRFToken`` header), except requests authenticated by an API token, which carry no
ambient credential a forged page could borrow.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, Flask, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_limiter import Limiter
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import Forbidden

from core import accounts
from core.authz import Principal
from core.web import current_locale

bp = Blueprint("auth", __name__)
csrf = CSRFProtect()
login_manager = LoginManager()


def _limit_key() -> str:
    # Per tenant and client address: one city's traffic never throttles another's.
    tenant = g.get("tenant")
    return f"{tenant.slug if tenant else '-'}:{request.remote_addr or '-'}"


limiter = Limiter(key_func=_limit_key, default_limits=[], headers_enabled=True)


class StaffUser(UserMixin):
    """The signed-in person as Flask-Login sees them: the principal plus the cookie's token."""

    def __init__(self, principal: Principal, tenant_id: int, token: str, display_name: str):
        self.principal = principal
        self.tenant_id = tenant_id
        self.token = token
        self.display_name = display_name

    def get_id(self) -> str:
        """What Flask-Login keeps in the cookie: the tenant and the session token."""
        return f"{self.tenant_id}:{self.token}"


def session_policy() -> accounts.SessionPolicy:
    """The login-session timeouts from settings."""
    from core.app import onedoor  # noqa: PLC0415 - core.app imports core.web

    settings = onedoor().settings
    return accounts.SessionPolicy(idle=timedelta(minutes=settings.session_idle_minutes),
                                  absolute=timedelta(hours=settings.session_absolute_hours))


def _load_user(user_id: str) -> StaffUser | None:
    from core.app import onedoor  # noqa: PLC0415

    tenant = g.get("tenant")
    tenant_part, _sep, token = user_id.partition(":")
    if tenant is None or tenant_part != str(tenant.id) or not token:
        return None  # a cookie of another tenant, or a page outside any tenant
    with onedoor().database.transaction(tenant.id) as db:
        user = accounts.resume_session(db, token, session_policy())
        if user is None:
            return None
        return StaffUser(accounts.principal_for(user), tenant.id, token,
                         user.display_name or user.username)


def current_principal() -> Principal | None:
    """The principal of this request: an API token's (set by the API) or the signed-in user's."""
    principal = g.get("principal")
    if principal is not None:
        return principal
    if g.get("tenant") is not None and current_user.is_authenticated:
        return current_user.principal
    return None


def _csrf_check() -> None:
    if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
        return
    if request.url_rule is None:
        return  # no view will run: the routing error (404, 405) is the answer
    if request.headers.get("Authorization", "").startswith("Bearer "):
        return  # an API token, not a cookie: nothing a forged form could borrow
    if request.blueprint and request.blueprint.startswith("open311"):
        return  # Open311 authenticates with api_key in the body, never with a cookie
    csrf.protect()


def install(app: Flask) -> None:
    """Wire Flask-Login, CSRF and the rate limiter into ``app`` and mount the sign-in pages."""
    from core.app import onedoor  # noqa: PLC0415

    settings = onedoor(app).settings
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)  # checked by _csrf_check below
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # tied to the session, which expires
    app.config.setdefault("RATELIMIT_STORAGE_URI", settings.ratelimit_storage_url or "memory://")
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=settings.session_absolute_hours)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = None  # rotation and expiry are the LoginSession's job
    app.before_request(_csrf_check)
    app.register_blueprint(bp)

    @login_manager.unauthorized_handler
    def _unauthorized() -> Any:
        if g.get("tenant") is None:
            raise Forbidden()
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError) -> Any:
        from core.errors import render_error  # noqa: PLC0415

        return render_error(400, gettext("The form has expired or was not sent from this "
                                         "site. Reload the page and try again."))


def _safe_next(target: str | None) -> str | None:
    """Only a path inside this tenant: never an absolute or scheme-relative URL."""
    tenant = g.tenant
    if target and target.startswith(f"/{tenant.slug}/") and not target.startswith("//"):
        return target
    return None


@bp.route("/<tenant>/login", methods=["GET", "POST"])
@limiter.limit("10/minute", methods=["POST"])
def login() -> Any:
    """Sign in with username and password (rate-limited; the same answer for every failure)."""
    from core.app import onedoor  # noqa: PLC0415

    tenant = g.tenant
    error = None
    username = request.form.get("username", "").strip()
    if request.method == "POST":
        password = request.form.get("password", "")
        with onedoor().database.transaction(tenant.id) as db:
            user = accounts.check_password(db, username, password) if username else None
            token = (accounts.start_session(db, user,
                                            user_agent=request.user_agent.string or "")
                     if user is not None else None)
            staff = (StaffUser(accounts.principal_for(user), tenant.id, token,
                               user.display_name or user.username) if user else None)
        if staff is not None:
            # Rotation: nothing of the pre-login session survives, then the new token is set.
            session.clear()
            login_user(staff)
            session.permanent = True
            return redirect(_safe_next(request.args.get("next"))
                            or url_for("web.tenant_home", tenant=tenant.slug))
        error = gettext("The username or password is not right, or the account is disabled.")
    return render_template("auth/login.html", tenant=tenant, locale=current_locale(),
                           error=error, username=username), (401 if error else 200)


@bp.post("/<tenant>/logout")
def logout() -> Any:
    """Sign out: the session row ends, so the cookie stops working even if it was copied."""
    from core.app import onedoor  # noqa: PLC0415

    tenant = g.tenant
    if current_user.is_authenticated:
        with onedoor().database.transaction(tenant.id) as db:
            accounts.end_session(db, current_user.token)
    logout_user()
    session.clear()
    flash(gettext("You have signed out."))
    return redirect(url_for("auth.login", tenant=tenant.slug))
