"""The administration overview and the download of the tenant's current tenant.toml."""

from __future__ import annotations

import re

from flask import Response, abort, g
from flask_babel import gettext
from sqlalchemy import func, select

from core.admin import bp
from core.admin.editing import exported_files, rendered_toml
from core.admin.pages import page
from core.app import db_session, onedoor
from core.models import Center, Department, User

_SAFE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


@bp.get("/")
def index() -> str:
    """What the tenant is made of, links to each section, and tenant.toml to download."""
    session = db_session()
    tenant = g.tenant
    counts = {
        "users": session.scalar(select(func.count()).select_from(User)) or 0,
        "active_users": session.scalar(select(func.count()).select_from(User)
                                       .where(User.active.is_(True))) or 0,
        "centers": session.scalar(select(func.count()).select_from(Center)) or 0,
        "departments": session.scalar(select(func.count()).select_from(Department)) or 0,
    }
    registry = onedoor().registry
    enabled = [registry.infos[name] for name in sorted(tenant.plugins) if name in registry.infos]
    return page("admin/index.html", counts=counts, enabled_plugins=enabled,
                files=sorted(exported_files()))


@bp.get("/tenant.toml")
def download() -> Response:
    """The tenant's configuration as ``onedoor tenant export`` writes it, as a download."""
    response = Response(rendered_toml(), mimetype="application/toml")
    response.headers["Content-Disposition"] = 'attachment; filename="tenant.toml"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/files/<name>")
def download_file(name: str) -> Response:
    """A file tenant.toml refers to (the logo, the nodes CSV), as export writes it."""
    files = exported_files()
    if name not in files or not _SAFE_NAME.match(name):
        abort(404, gettext("There is no such item here, or you may not see it."))
    mimetype = "image/svg+xml" if name.endswith(".svg") else "text/csv"
    response = Response(files[name], mimetype=mimetype)
    # An attachment, never rendered here: an SVG opened inline could run in this origin.
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
