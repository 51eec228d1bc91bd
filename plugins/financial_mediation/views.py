"""The stations network page (金融纠纷调解工作站): the tenant's county–town–village stations.

Public like the centers page: it names places, departments and phone numbers, no case data.
Mounted under ``/<tenant>/plugins/financial_mediation/``; core's guard answers 404 for tenants
that do not enable the plugin.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, render_template
from sqlalchemy import bindparam, text

from core.toolkit import current_tenant, db_session, tenant_sql

from . import schemas

bp = Blueprint("stations", __name__, template_folder="templates")

_NODES = text(
    "SELECT n.code, n.name, n.names, n.depth, l.names AS level_names FROM tier_nodes n "
    "JOIN tier_levels l ON l.tenant_id = n.tenant_id AND l.id = n.level_id "
    "WHERE n.tenant_id = :tenant_id AND n.code IN :codes"
).bindparams(bindparam("codes", expanding=True))


@dataclass(frozen=True)
class StationRow:
    """A station as the page shows it: its names, its node and that node's tier level."""

    names: dict
    node: str
    node_names: dict
    level_names: dict
    depth: int
    department: str
    phone: str


def station_rows(session, stations: list[dict]) -> list[StationRow]:
    """The stations with their nodes, from the county down (unknown nodes last)."""
    codes = [s["node"] for s in stations]
    nodes = {}
    if codes:
        nodes = {row.code: row for row in tenant_sql(session, _NODES, {"codes": codes})}
    rows = []
    for station in stations:
        node = nodes.get(station["node"])
        node_names = {}
        if node is not None:
            node_names = {"zh_Hans": node.name, **(_json(node.names))}
        rows.append(StationRow(
            schemas.station_names(station), station["node"], node_names,
            _json(node.level_names) if node is not None else {},
            node.depth if node is not None else 99, station["department"], station["phone"]))
    return sorted(rows, key=lambda r: (r.depth, r.node))


def _json(value) -> dict:
    if isinstance(value, str):
        import json  # noqa: PLC0415 - SQLite returns JSON as text through raw SQL

        return json.loads(value or "{}")
    return dict(value or {})


@bp.get("/stations")
def stations() -> str:
    """The network of financial mediation stations, county first."""
    tenant = current_tenant()
    settings = tenant.plugins.get("financial_mediation") or {}
    rows = station_rows(db_session(), list(settings.get("stations") or []))
    return render_template("financial_mediation/stations.html", tenant=tenant, rows=rows)
