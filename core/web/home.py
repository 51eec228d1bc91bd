"""The platform index and a tenant's home page (branding, tier levels, centers at a glance)."""

from __future__ import annotations

from flask import current_app, g, render_template, url_for
from sqlalchemy import func, select

from core.app import db_session, onedoor
from core.models import Tenant, TierLevel, TierNode
from core.web import bp, current_locale
from core.web.centers import center_summaries


@bp.get("/")
def index() -> str:
    """Every enabled tenant on this installation, with a link to its home."""
    with onedoor().database.transaction() as session:
        tenants = session.scalars(
            select(Tenant).where(Tenant.enabled.is_(True)).order_by(Tenant.slug)
        ).all()
        return render_template("index.html", tenants=tenants, locale=current_locale())


@bp.get("/<tenant>/")
def tenant_home() -> str:
    """A tenant's branded home: its tier levels with node counts, its centers in summary."""
    tenant = g.tenant
    session = db_session()
    levels = session.scalars(select(TierLevel).order_by(TierLevel.rank)).all()
    counts = dict(
        session.execute(select(TierNode.level_id, func.count()).group_by(TierNode.level_id)).all()
    )
    registry = onedoor().registry
    return render_template(
        "tenant_home.html",
        tenant=tenant,
        locale=current_locale(),
        levels=levels,
        counts=counts,
        summaries=center_summaries(session, tenant),
        plugins=[
            (registry.infos[name], _plugin_page(name)) for name in sorted(tenant.plugins)
        ],
    )


def _plugin_page(name: str) -> str | None:
    """The URL of plugin ``name``'s page for the current tenant, when it has one."""
    endpoint = f"plugin_{name}.index"
    return url_for(endpoint) if endpoint in current_app.view_functions else None
