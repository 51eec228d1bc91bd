"""The platform index and a tenant's home page (branding, tier tree, centers at a glance)."""

from __future__ import annotations

from flask import Response, g, render_template
from flask_babel import get_locale
from sqlalchemy import func, select

from core.app import db_session, onedoor
from core.models import Center, Tenant, TierLevel, TierNode
from core.web import bp


def _locale() -> str:
    return str(get_locale() or "zh_Hans")


@bp.get("/")
def index() -> str:
    """Every enabled tenant on this installation, with a link to its home."""
    with onedoor().database.transaction() as session:
        tenants = session.scalars(
            select(Tenant).where(Tenant.enabled.is_(True)).order_by(Tenant.slug)
        ).all()
        return render_template("index.html", tenants=tenants, locale=_locale())


@bp.get("/<tenant>/")
def tenant_home() -> str:
    """A tenant's branded home: its tiers, its centers with windows and stationed departments."""
    tenant = g.tenant
    session = db_session()
    locale = _locale()
    levels = session.scalars(select(TierLevel).order_by(TierLevel.rank)).all()
    counts = dict(
        session.execute(select(TierNode.level_id, func.count()).group_by(TierNode.level_id)).all()
    )
    centers = session.scalars(select(Center).order_by(Center.code)).all()
    window_types = tenant.window_types()
    return render_template(
        "tenant_home.html",
        tenant=tenant,
        locale=locale,
        levels=levels,
        counts=counts,
        centers=centers,
        window_types=window_types,
        plugins={name: onedoor().registry.infos[name] for name in tenant.plugins},
    )


@bp.get("/<tenant>/logo.svg")
def tenant_logo() -> Response:
    """The tenant's logo, served with a policy that keeps an SVG from running scripts."""
    svg = g.tenant.branding.get("logo_svg") or ""
    if not svg:
        return Response(status=404)
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response.headers["Cache-Control"] = f"public, max-age=300, etag={g.tenant.config_version}"
    return response
