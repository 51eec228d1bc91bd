"""The sea map, a case's position, cold-chain items; none of it for a tenant without the plugin."""

from __future__ import annotations

import re

from sqlalchemy import select

from core.models import AuditEvent
from plugins.maritime.models import ColdChainItem
from tests.plugins import branded_page
from tests.plugins.maritime.conftest import NAME, PASSWORD


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _signed_in(site, slug: str = "on", **staff):
    site.staff(slug, **staff)
    client = site.app.test_client()
    page = client.get(f"/{slug}/login").get_data(as_text=True)
    response = client.post(f"/{slug}/login", data={
        "username": "duty", "password": PASSWORD, "csrf_token": _csrf(page)})
    assert response.status_code == 302
    return client


def test_the_map_plots_each_position_inside_the_sea_area_and_lists_it(site) -> None:
    inside = site.register()
    outside = site.register(latitude="25.10", longitude="122.20")
    client = _signed_in(site)
    html = branded_page(client, f"/on/plugins/{NAME}/map")
    svg = re.search(r"<svg .*?</svg>", html, re.S).group(0)
    assert "<script" not in svg and "http" not in svg.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")  # no tiles, no external anything
    assert svg.count("<circle") == 2
    assert 'fill="#b03a2e"' in svg and 'fill="none"' in svg  # the one outside is hollow
    assert "122°E" in svg and "30°N" in svg
    assert f"/on/workbench/cases/{inside.code}" in svg
    assert "30.350000" in html and "25.100000" in html and outside.code in html


def test_a_cases_position_page_shows_that_case_only(site) -> None:
    case = site.register()
    other = site.register(latitude="29.90", longitude="122.50")
    client = _signed_in(site)
    html = client.get(f"/on/plugins/{NAME}/cases/{case.code}/position?lang=en").get_data(
        as_text=True)
    assert f"Position of case {case.code}" in html and other.code not in html
    ashore = site.register(latitude=None, longitude=None,
                           details={"kind": "catch_sale", "vessels": ["浙岱渔03187"],
                                    "at_sea": False})
    assert client.get(f"/on/plugins/{NAME}/cases/{ashore.code}/position").status_code == 404
    assert client.get(f"/on/plugins/{NAME}/cases/ZZ-2026-000001-X/position"
                      ).status_code == 404


def test_staff_of_another_branch_do_not_see_the_cases_position(site) -> None:
    case = site.register()  # at the root: outside the town's subtree
    client = _signed_in(site, node="on-t1")
    assert client.get(f"/on/plugins/{NAME}/cases/{case.code}/position").status_code == 404
    html = client.get(f"/on/plugins/{NAME}/map").get_data(as_text=True)
    assert case.code not in html


def test_the_map_needs_sign_in(site) -> None:
    assert site.app.test_client().get(f"/on/plugins/{NAME}/map").status_code in (302, 401)


def _add(client, **overrides):
    page = client.get(f"/on/plugins/{NAME}/cold-chain?lang=en").get_data(as_text=True)
    data = {"csrf_token": _csrf(page), "name": "沈家门水产冷库", "kind": "cold_store",
            "operator": "舟山海鲜冷链有限公司", "port": "沈家门渔港", "vessel": "",
            "max_temperature": "-18"}
    data.update(overrides)
    return client.post(f"/on/plugins/{NAME}/cold-chain?lang=en", data=data)


def test_cold_chain_items_are_added_and_inspected_with_their_audit_events(site) -> None:
    client = _signed_in(site)
    assert _add(client).status_code == 303
    with site.database.transaction(site.tenant().id) as session:
        item = session.scalar(select(ColdChainItem))
        assert (item.status, str(item.max_temperature)) == ("pending", "-18.0")
        item_id = item.id
    page = client.get(f"/on/plugins/{NAME}/cold-chain?lang=en").get_data(as_text=True)
    assert "沈家门水产冷库" in page and "Not inspected yet" in page
    response = client.post(f"/on/plugins/{NAME}/cold-chain/{item_id}/inspection",
                           data={"csrf_token": _csrf(page), "temperature": "-12.5"})
    assert response.status_code == 303
    with site.database.transaction(site.tenant().id) as session:
        item = session.get(ColdChainItem, item_id)
        assert (item.status, str(item.last_temperature)) == ("rectification", "-12.5")
        actions = [e.action for e in session.scalars(select(AuditEvent).order_by(
            AuditEvent.seq))]
    assert actions[-2:] == ["maritime.cold_chain_added", "maritime.cold_chain_inspected"]
    page = client.get(f"/on/plugins/{NAME}/cold-chain?lang=zh_Hans").get_data(as_text=True)
    assert "限期整改" in page and "冷链物流监管对象" in page


def test_bad_cold_chain_input_is_refused_naming_the_field_and_writes_nothing(site) -> None:
    client = _signed_in(site)
    assert _add(client).status_code == 303
    response = _add(client, vessel="岱山3号", max_temperature="cold")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "there is already a cold-chain item named 沈家门水产冷库" in html
    assert "is not a fishing vessel number" in html
    assert "give a temperature in °C, e.g. -18" in html
    with site.database.transaction(site.tenant().id) as session:
        assert len(session.scalars(select(ColdChainItem)).all()) == 1


def test_cold_chain_items_stay_in_their_tenant(plugin_site) -> None:
    from tests.plugins.maritime.conftest import SETTINGS, _site
    site = _site(plugin_site, SETTINGS)
    client = _signed_in(site)
    assert _add(client).status_code == 303
    off = site.tenant("off")
    with site.database.transaction(off.id) as session:
        assert session.scalars(select(ColdChainItem)).all() == []
    for path in ("", "map", "cold-chain"):
        assert client.get(f"/off/plugins/{NAME}/{path}").status_code == 404
