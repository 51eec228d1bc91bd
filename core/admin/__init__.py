"""Tenant administration pages (``/<tenant>/admin/``): settings, plugins, users, centers, calendar.

Configuration stays code: every settings form edits the tenant's ``tenant.toml`` as rendered
by :func:`core.tenantconfig.render`, and the edited document goes through the very loader and
apply the CLI uses (:mod:`core.admin.editing`), so validation, messages and the audit event are
the CLI's. Users, memberships and tokens are data, not configuration: they go through
:mod:`core.accounts`.

Only a tenant administrator at the root of the tree gets in (``tenant.manage``; the user pages
``user.manage``); anyone else signed in gets 403, anyone not signed in the sign-in page.
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, request
from flask_babel import gettext
from flask_login import current_user

from core.authz import authorize
from core.web.auth import current_principal

bp = Blueprint("admin", __name__, url_prefix="/<tenant>/admin")

#: The action each group of pages needs: the user pages are user.manage, the rest tenant.manage.
USER_ENDPOINTS_PREFIX = "admin.user"


@bp.before_request
def _guard() -> None:
    # The tenant has been resolved by the URL value preprocessor (404 if unknown) before this.
    from core.web.auth import login_manager  # noqa: PLC0415

    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    endpoint = request.endpoint or ""
    action = "user.manage" if endpoint.startswith(USER_ENDPOINTS_PREFIX) else "tenant.manage"
    if not authorize(current_principal(), action):
        abort(403, gettext("Only the tenant's administrators may use these pages."))
    return None


def register_admin(app: Flask) -> None:
    """Mount the administration pages on ``app``."""
    from core.admin import (  # noqa: F401,PLC0415 - the views attach themselves to bp
        calendar,
        centers,
        dispatch,
        overview,
        plugins,
        policies,
        settings,
        users,
    )

    app.register_blueprint(bp)
