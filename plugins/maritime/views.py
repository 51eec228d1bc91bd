"""The maritime plugin's own pages, behind sign-in.

- ``/map``: the positions at sea of the tenant's maritime cases the signed-in person may see,
  plotted on the tenant's sea-area box (:mod:`.seachart`), with a table of coordinates;
- ``/cases/<code>/position``: one case's position (linked from the map; the case page shows it
  too, in the plugin's panel: :func:`case_panel`);
- ``/cold-chain``: the cold-chain supervision items, a form to add one and one to record an
  inspection.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext
from flask_login import login_required
from sqlalchemy import select
from sqlalchemy.orm import aliased

from core.toolkit import (
    Case,
    CasePanel,
    Resource,
    TierNode,
    authorize,
    current_tenant,
    database,
    lazy_gettext,
    localized_names,
    signed_in,
)

from . import coldchain, rules, seachart
from .models import KINDS, STATUSES, ColdChainItem

bp = Blueprint("pages", __name__, template_folder="templates")

#: At most this many positions on the map (the newest first).
MAP_LIMIT = 500


class _Rollback(Exception):
    """Leave the transaction without writing anything."""


def _locale() -> str:
    return str(get_locale() or current_tenant().default_locale)


def _type_names() -> dict[str, dict[str, str]]:
    from .plugin import CASE_TYPES  # noqa: PLC0415 - plugin imports views

    return {t.code: t.names for t in CASE_TYPES}


def _may_read(person: Any, *paths: str) -> bool:
    return authorize(person, "case.read", Resource(tuple(p for p in paths if p)))


def _positions(session: Any, person: Any, code: str | None = None) -> list[dict[str, Any]]:
    node, location = aliased(TierNode), aliased(TierNode)
    query = (select(Case.code, Case.case_type, Case.title, Case.latitude, Case.longitude,
                    node.path, location.path)
             .join(node, node.id == Case.node_id)
             .join(location, location.id == Case.location_node_id)
             .where(Case.case_type.in_(sorted(rules.CASE_TYPES)), Case.latitude.is_not(None),
                    Case.longitude.is_not(None))
             .order_by(Case.id.desc()).limit(MAP_LIMIT))
    if code is not None:
        query = query.where(Case.code == code)
    names = _type_names()
    rows = []
    for row in session.execute(query):
        if not _may_read(person, row[5], row[6]):
            continue  # what a person may not see is not on their map either
        rows.append({"code": row[0], "type": localized_names(names[row[1]], _locale()),
                     "title": row[2], "latitude": float(row[3]), "longitude": float(row[4]),
                     "href": url_for("workbench.case", tenant=current_tenant().slug,
                                     code=row[0])})
    return rows


def _chart(rows: list[dict[str, Any]], title: str) -> str:
    settings = rules.settings_of(current_tenant())
    return seachart.render(settings, [seachart.Point(
        r["latitude"], r["longitude"], f"{r['code']} {r['title']}", r["href"]) for r in rows],
        title=title)


@bp.get("/map")
@login_required
def sea_map() -> Any:
    """Positions at sea of the maritime cases the signed-in person may see."""
    tenant = current_tenant()
    with database().transaction(tenant.id) as session:
        rows = _positions(session, signed_in())
    title = gettext("Positions at sea of maritime cases")
    return render_template("maritime/map.html", tenant=tenant, rows=rows, title=title,
                           chart=_chart(rows, title), area=rules.settings_of(tenant))


@bp.get("/cases/<code>/position")
@login_required
def case_position(code: str) -> Any:
    """One case's position on the sea-area plot; 404 when unseen, unknown or without one."""
    tenant = current_tenant()
    with database().transaction(tenant.id) as session:
        rows = _positions(session, signed_in(), code)
    if not rows:
        abort(404)
    title = gettext("Position of case %(code)s", code=code)
    return render_template("maritime/map.html", tenant=tenant, rows=rows, title=title,
                           chart=_chart(rows, title), area=rules.settings_of(tenant))


def _may_manage(person: Any) -> bool:
    # Whoever may register cases somewhere keeps the cold-chain list.
    return any(authorize(person, "case.create", Resource((g.node_path,)))
               for g in person.grants)


def _cold_chain_page(values: dict[str, str], errors: dict[str, list[str]],
                     status: int = 200) -> Any:
    tenant = current_tenant()
    locale = _locale()
    with database().transaction(tenant.id) as session:
        items = [{"id": i.id, "name": i.name, "kind": localized_names(KINDS[i.kind], locale),
                  "operator": i.operator, "port": i.port, "vessel": i.vessel,
                  "max_temperature": i.max_temperature, "last_temperature": i.last_temperature,
                  "status": i.status,
                  "status_name": localized_names(STATUSES[i.status], locale)}
                 for i in session.scalars(select(ColdChainItem).order_by(ColdChainItem.name))]
    return render_template(
        "maritime/cold_chain.html", tenant=tenant, items=items, values=values, errors=errors,
        kinds=[(k, localized_names(v, locale)) for k, v in KINDS.items()],
        ports=[(p, p) for p in rules.settings_of(tenant)["ports"]]), status


@bp.get("/cold-chain")
@login_required
def cold_chain() -> Any:
    """The tenant's cold-chain supervision items."""
    if not _may_manage(signed_in()):
        abort(404)
    return _cold_chain_page({}, {})


def _translated(fields: dict[str, list[Any]]) -> dict[str, list[str]]:
    return {k: [gettext(m.msgid, **dict(m.params)) if hasattr(m, "msgid") else str(m)
                for m in v] for k, v in fields.items()}


@bp.post("/cold-chain")
@login_required
def add_cold_chain_item() -> Any:
    """Add an item (one transaction with its audit event)."""
    person = signed_in()
    if not _may_manage(person):
        abort(404)
    form = {k: (request.form.get(k) or "").strip() for k in
            ("name", "kind", "operator", "port", "vessel", "max_temperature")}
    try:
        with database().transaction(current_tenant().id) as session:
            coldchain.add_item(session, by=person.name, now=datetime.now(UTC), **form)
    except coldchain.ColdChainInvalid as exc:
        return _cold_chain_page(form, _translated(exc.fields), 422)
    flash(gettext("The cold-chain item %(name)s was added.", name=form["name"]), "success")
    return redirect(url_for(".cold_chain", tenant=current_tenant().slug), 303)


@bp.post("/cold-chain/<int:item_id>/inspection")
@login_required
def inspect_cold_chain_item(item_id: int) -> Any:
    """Record an inspection's temperature reading."""
    person = signed_in()
    if not _may_manage(person):
        abort(404)
    try:
        with database().transaction(current_tenant().id) as session:
            item = coldchain.record_inspection(
                session, item_id, temperature=request.form.get("temperature", ""),
                note=request.form.get("note", ""), by=person.name, now=datetime.now(UTC))
            status = item.status
    except coldchain.ColdChainInvalid as exc:
        errors = _translated(exc.fields)
        if "item" in errors:
            abort(404)
        return _cold_chain_page({}, {f"temperature-{item_id}": errors["temperature"]}, 422)
    flash(localized_names(STATUSES[status], _locale()), "success")
    return redirect(url_for(".cold_chain", tenant=current_tenant().slug), 303)



def _vessels(details: dict[str, Any]) -> list[str]:
    found = [*(details.get("vessels") or []), details.get("vessel") or "",
             details.get("vessel_name") or ""]
    return [v for v in dict.fromkeys(found) if v]


def case_panel(tenant: Any, case: Any) -> CasePanel | None:
    """The case page's panel of a maritime case: its vessels and its position at sea."""
    if case.case_type not in rules.CASE_TYPES:
        return None
    area = rules.settings_of(tenant)
    latitude = longitude = chart = None
    outside = False
    if case.latitude is not None and case.longitude is not None:
        latitude, longitude = float(case.latitude), float(case.longitude)
        outside = not (area["sea_south"] <= latitude <= area["sea_north"]
                       and area["sea_west"] <= longitude <= area["sea_east"])
        title = gettext("Position of case %(code)s", code=case.code)
        chart = seachart.render(area, [seachart.Point(latitude, longitude, case.code)],
                                title=title)
    return CasePanel(key="maritime", title=lazy_gettext("At sea"),
                     template="maritime/_case_panel.html", order=50,
                     context={"vessels": _vessels(case.details or {}), "latitude": latitude,
                              "longitude": longitude, "outside": outside, "chart": chart})
