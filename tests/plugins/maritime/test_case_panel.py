"""The maritime panel of the workbench case page: vessels and the position at sea, only for
tenants that enable the plugin."""

from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import select

from core.models import Case
from tests.plugins.maritime.test_pages import _signed_in


def _page(client, slug: str, code: str) -> str:
    response = client.get(f"/{slug}/workbench/cases/{code}?lang=en")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_case_page_shows_the_vessels_and_the_position_on_the_sea_plot(site) -> None:
    case = site.register()
    html = _page(_signed_in(site), "on", case.code)

    panel = re.search(r'<section class="plugin-panel"[^>]*id="panel-maritime">(.*?)</section>',
                      html, re.S).group(1)
    assert "At sea" in panel and "浙岱渔03187、浙普渔68001" in panel
    assert "30.35° N, 122.2° E" in panel and "Outside the tenant" not in panel
    svg = re.search(r"<svg .*?</svg>", panel, re.S).group(0)
    assert svg.count("<circle") == 1 and f"Position of case {case.code}" in svg


def test_a_case_ashore_has_the_panel_without_a_plot_and_other_cases_have_none(site) -> None:
    ashore = site.register(latitude=None, longitude=None,
                           details={"kind": "catch_sale", "vessels": ["浙岱渔03187"],
                                    "at_sea": False})
    client = _signed_in(site)
    html = _page(client, "on", ashore.code)
    assert 'id="panel-maritime"' in html and "No position was given." in html
    assert "<svg " not in html.split('id="panel-maritime"')[1].split("</section>")[0]

    general = site.register(case_type="general_dispute", category="neighbor", details={},
                            latitude=None, longitude=None)
    assert 'class="plugin-panel"' not in _page(client, "on", general.code)


def test_a_tenant_without_the_plugin_gets_no_panel_even_for_a_case_that_looks_maritime(
        site) -> None:
    registered = site.register("off", case_type="general_dispute", category="neighbor",
                               details={}, latitude=None, longitude=None)
    with site.database.transaction(site.tenant("off").id) as session:
        case = session.scalar(select(Case).where(Case.code == registered.code))
        case.case_type, case.latitude, case.longitude = "fishery_dispute", Decimal("30.35"), \
            Decimal("122.2")
        case.details = {"kind": "net_damage", "vessels": ["浙岱渔03187"]}
        code = case.code
    html = _page(_signed_in(site, "off"), "off", code)
    assert 'class="plugin-panel"' not in html and "At sea" not in html
    assert "<svg " not in html
