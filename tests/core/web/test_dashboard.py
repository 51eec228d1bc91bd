"""The dashboard: exact figures for known cases, definitions in the reader's language, charts
with data tables of the same numbers, and figures only for the subtrees the reader reaches.

The cases are the ten of tests/core/test_indicators.py (A to J, registered on 2 November 2026
in Shanghai, with two more a year earlier), built through core.cases.
"""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from core import accounts, indicators
from core.tenancy import TenantDirectory
from core.web.dashboard import views
from tests.core.api.conftest import PASSWORD
from tests.core.test_indicators import LEVELS, NODES, NOW, story
from tests.factories import make_tenant

DAY = "start=2026-11-02&end=2026-11-02"


@dataclass
class Dash:
    """An app with tenant haizhou (the story's cases) and its staff; tenant other, empty."""

    app: Flask
    client: FlaskClient
    codes: dict[str, str]

    def sign_in(self, slug: str, username: str) -> None:
        self.client = self.app.test_client()
        page = self.client.get(f"/{slug}/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = self.client.post(f"/{slug}/login", data={
            "username": username, "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 302, username

    def get(self, url: str) -> tuple[int, str]:
        response = self.client.get(url)
        return response.status_code, response.get_data(as_text=True)


def _staff(database, tenant_id: int, slug: str) -> None:
    with database.transaction(tenant_id) as session:
        for name, role, node in (("leader", "leader", None), ("town", "leader", "T1"),
                                 ("clerk", "clerk", None), ("auditor", "auditor", None)):
            user = accounts.create_user(session, f"{slug}-{name}", PASSWORD)
            accounts.add_membership(session, user, role, node)


def build(app: Flask, *, with_cases: bool = True) -> Dash:
    """Tenants haizhou (with the story unless ``with_cases`` is false) and other (no case)."""
    database = app.extensions["onedoor"].database
    registry = app.extensions["onedoor"].registry
    haizhou = make_tenant(database, "haizhou", levels=LEVELS, nodes=NODES)
    other = make_tenant(database, "other", levels=LEVELS, nodes=NODES)
    _staff(database, haizhou, "haizhou")
    _staff(database, other, "other")
    codes = story(database, TenantDirectory(database, registry).get("haizhou")) \
        if with_cases else {}
    return Dash(app, app.test_client(), codes)


@pytest.fixture
def dash(make_app, sqlite_url: str) -> Dash:
    return build(make_app(sqlite_url))


def kpi(page: str, code: str) -> tuple[str, str, str]:
    """(value, parts, definition) of the card of indicator ``code``, as text."""
    start = page.index(f'id="kpi-{code}"')
    card = page[start:page.index("</li>", start)]

    def text(cls: str) -> str:
        found = re.search(rf'class="{cls}">(.*?)</p>', card, re.S)
        return htmllib.unescape(found.group(1).strip()) if found else ""

    definition = re.search(r"<details.*?<p>(.*?)</p>", card, re.S).group(1)
    return text("kpi-value"), text("kpi-parts"), htmllib.unescape(definition)


def table(page: str, by: str) -> dict[str, list[str]]:
    """The data table under chart ``by``: row label → cell texts (value, then parts)."""
    start = page.index(f'id="chart-{by}-table"')
    body = page[start:page.index("</table>", start)]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>")[1], re.S):
        label = re.sub(r"<[^>]+>", "", re.search(r"<th[^>]*>(.*?)</th>", row, re.S).group(1))
        cells = [htmllib.unescape(re.sub(r"<[^>]+>", " ", c)).split()
                 for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        rows[htmllib.unescape(label.strip())] = [" ".join(c) for c in cells]
    return rows


def svg(page: str, by: str) -> str:
    start = page.index(f'aria-labelledby="chart-{by}-t chart-{by}-d"')
    return page[start:page.index("</svg>", start)]


# --- exact figures -------------------------------------------------------------------------


def test_a_city_leader_sees_every_indicator_with_exact_figures(dash):
    dash.sign_in("haizhou", "haizhou-leader")
    status, page = dash.get(f"/haizhou/dashboard/?{DAY}&lang=en")
    assert status == 200
    assert kpi(page, "intake")[:2] == ("9", "")
    assert kpi(page, "accepted")[0] == "6"
    assert kpi(page, "resolution_rate")[:2] == ("66.7%", "4 ÷ 6")
    assert kpi(page, "mediation_success")[:2] == ("75.0%", "3 ÷ 4")
    assert kpi(page, "completion_rate")[:2] == ("50.0%", "3 ÷ 6")
    assert kpi(page, "on_time_rate")[:2] == ("66.7%", "2 ÷ 3")
    assert kpi(page, "satisfaction_rate")[:2] == ("75.0%", "3 ÷ 4")
    assert kpi(page, "first_time_resolution")[:2] == ("50.0%", "2 ÷ 4")
    assert kpi(page, "frontline_share")[:2] == ("75.0%", "3 ÷ 4")
    assert kpi(page, "funnel_unresolved")[:2] == ("33.3%", "2 ÷ 6")
    assert kpi(page, "funnel_litigated")[:2] == ("100.0%", "2 ÷ 2")
    assert kpi(page, "funnel_unresolved_after_litigation")[:2] == ("50.0%", "1 ÷ 2")
    assert kpi(page, "avg_hours_to_resolve")[:2] == ("53.5 h", "214.0 h ÷ 4 cases")
    assert kpi(page, "median_hours_to_resolve")[:2] == ("40.0 h", "of 4 resolved cases")
    # Year on year: 9 now against 1 on the same day of 2025.
    assert kpi(page, "intake_yoy")[:2] == ("+800.0%", "9 in this period, 1 a year earlier")
    assert "Nov 2, 2025" in page
    # Every indicator of the catalogue has its card.
    for code in indicators.DEFINITIONS:
        assert f'id="kpi-{code}"' in page


def test_definitions_are_shown_in_the_readers_language(dash):
    dash.sign_in("haizhou", "haizhou-leader")
    zh = dash.get(f"/haizhou/dashboard/?{DAY}&lang=zh_Hans")[1]
    en = dash.get(f"/haizhou/dashboard/?{DAY}&lang=en")[1]
    for code, definition in indicators.DEFINITIONS.items():
        assert kpi(zh, code)[2] == definition.definition("zh_Hans")
        assert kpi(en, code)[2] == definition.definition("en")
        assert f"<h3>{definition.name('zh_Hans')}</h3>" in zh
    assert "定义" in zh and "Definition" in en
    assert kpi(zh, "avg_hours_to_resolve")[0] == "53.5 小时"


def test_presets_use_the_tenants_today_and_compare_the_same_days_a_year_earlier(dash,
                                                                                   monkeypatch):
    monkeypatch.setattr(views, "_now", lambda: NOW + timedelta(hours=3))
    dash.sign_in("haizhou", "haizhou-leader")
    page = dash.get("/haizhou/dashboard/?period=this_month&lang=en")[1]
    assert kpi(page, "intake")[0] == "9"
    assert kpi(page, "intake_yoy")[1] == "9 in this period, 1 a year earlier"
    assert "from Nov 1, 2026 to Nov 2, 2026" in page
    assert 'aria-current="true">This month' in page
    # The default is this year so far; "all time" has no year on year.
    assert kpi(dash.get("/haizhou/dashboard/?lang=en")[1], "intake")[0] == "9"
    everything = dash.get("/haizhou/dashboard/?period=all&lang=en")[1]
    assert kpi(everything, "intake")[0] == "10"
    assert kpi(everything, "intake_yoy")[:2] == ("—", "Needs a period with a start and an end.")


def test_charts_have_data_tables_with_the_same_numbers(dash):
    dash.sign_in("haizhou", "haizhou-leader")
    page = dash.get(f"/haizhou/dashboard/?{DAY}&lang=en")[1]
    categories = table(page, "category")
    assert categories["Neighbors"][:3] == ["8", "5", "60.0% 3 ÷ 5"]
    assert categories["Contract"][:3] == ["1", "1", "100.0% 1 ÷ 1"]
    drawing = svg(page, "category")
    assert 'role="img"' in page and "<title id=\"chart-category-t\">By category</title>" in page
    assert "Neighbors 8" in drawing and "Contract 1" in drawing
    assert table(page, "channel") == {
        "Online portal": ["1", "1", "100.0% 1 ÷ 1", "— 0 ÷ 0", "— 0 ÷ 0", "— 1 vs 0"],
        "Walk-in at a window": ["8", "5", "60.0% 3 ÷ 5", "66.7% 2 ÷ 3", "75.0% 3 ÷ 4",
                                "+700.0% 8 vs 1"]}
    tiers = table(page, "tier")
    assert tiers["海州区"][0] == "9"  # the county, the only node below the city
    assert table(page, "window")["General intake"][0] == "9"
    departments = table(page, "department")
    assert departments["人民法院"][1] == "6" and departments["Never dispatched"][0] == "3"
    mediators = table(page, "mediator")
    assert mediators["王调解"] == ["6", "3", "66.7% 2 ÷ 3", "66.7% 2 ÷ 3"]
    assert mediators["李调解"] == ["1", "1", "100.0% 1 ÷ 1", "100.0% 1 ÷ 1"]
    assert "王调解 3" in svg(page, "mediator")
    assert table(page, "month") == {"Nov 2026": ["9", "6", "66.7% 4 ÷ 6", "66.7% 2 ÷ 3",
                                                 "75.0% 3 ÷ 4"]}
    funnel = table(page, "funnel")
    assert [v[0] for v in funnel.values()] == ["6", "4", "2", "2", "1"]


def test_the_tier_chart_shows_the_nodes_below_the_chosen_one(dash):
    dash.sign_in("haizhou", "haizhou-leader")
    page = dash.get(f"/haizhou/dashboard/?node=D1&{DAY}&lang=en")[1]
    tiers = table(page, "tier")
    assert tiers["新南街道"][0] == "7" and tiers["朐阳街道"][0] == "1"
    assert tiers["At this node itself"][0] == "1"  # H, located at the county
    assert 'href="/haizhou/dashboard/?node=T1&amp;start=2026-11-02&amp;end=2026-11-02"' in page
    # The picker: breadcrumb to the city, children links keeping the period.
    assert 'href="/haizhou/dashboard/?node=C&amp;start=2026-11-02' in page
    assert 'href="/haizhou/dashboard/?node=T2&amp;start=2026-11-02' in page


# --- who sees what -------------------------------------------------------------------------


def test_a_town_leader_sees_the_own_town_and_not_the_city(dash):
    dash.sign_in("haizhou", "haizhou-town")
    status, page = dash.get(f"/haizhou/dashboard/?{DAY}&lang=en")
    assert status == 200
    assert "新南街道" in page
    assert kpi(page, "intake")[0] == "7"  # located in T1: A B C D E F J
    assert kpi(page, "resolution_rate")[1] == "2 ÷ 4"
    # Ancestors are shown but not linked: the town leader may not open them.
    assert 'href="/haizhou/dashboard/?node=D1' not in page
    assert dash.get(f"/haizhou/dashboard/?node=C&{DAY}")[0] == 404
    assert dash.get(f"/haizhou/dashboard/?node=T2&{DAY}")[0] == 404
    assert dash.get(f"/haizhou/dashboard/?node=V1&{DAY}")[0] == 200
    assert dash.get("/haizhou/dashboard/?node=nowhere")[0] == 404


def test_a_clerk_and_an_anonymous_visitor_are_refused(dash):
    response = dash.client.get("/haizhou/dashboard/")
    assert response.status_code == 302 and "/haizhou/login" in response.headers["Location"]
    dash.sign_in("haizhou", "haizhou-clerk")
    assert dash.get("/haizhou/dashboard/")[0] == 403
    dash.sign_in("haizhou", "haizhou-auditor")
    assert dash.get(f"/haizhou/dashboard/?{DAY}")[0] == 200


def test_bad_dates_show_field_errors_and_keep_what_was_typed(dash):
    dash.sign_in("haizhou", "haizhou-leader")
    status, page = dash.get("/haizhou/dashboard/?start=2026-13-01&end=2026-11-02&lang=en")
    assert status == 400
    assert 'aria-invalid="true"' in page and "Enter a date as YYYY-MM-DD" in page
    assert 'value="2026-13-01"' in page and 'value="2026-11-02"' in page
    assert 'id="kpi-intake"' not in page
    status, page = dash.get("/haizhou/dashboard/?start=2026-11-03&end=2026-11-02&lang=zh_Hans")
    assert status == 400 and "结束日期早于开始日期" in page


# --- empty and cross-tenant ---------------------------------------------------------------


def test_an_empty_tenant_renders_dashes(make_app, sqlite_url):
    dash = build(make_app(sqlite_url), with_cases=False)
    dash.sign_in("haizhou", "haizhou-leader")
    status, page = dash.get("/haizhou/dashboard/?lang=en")
    assert status == 200
    assert kpi(page, "intake")[0] == "0"
    for code in ("resolution_rate", "satisfaction_rate", "median_hours_to_resolve",
                 "intake_yoy", "avg_hours_to_resolve"):
        assert kpi(page, code)[0] == "—", code
    assert "No case in this period." in page


def test_another_tenants_staff_never_see_these_figures(make_app, database_url):
    dash = build(make_app(database_url))
    dash.sign_in("other", "other-leader")
    status, page = dash.get(f"/other/dashboard/?{DAY}&lang=en")
    assert status == 200
    assert kpi(page, "intake")[0] == "0"
    assert "王调解" not in page
    # haizhou's cookie does not open other's dashboard, nor the reverse.
    assert dash.client.get(f"/haizhou/dashboard/?{DAY}").status_code == 302
    dash.sign_in("haizhou", "haizhou-leader")
    assert kpi(dash.get(f"/haizhou/dashboard/?{DAY}&lang=en")[1], "intake")[0] == "9"



# --- the rollup and plugins' indicators -----------------------------------------------------


def _refresh(app: Flask, slug: str) -> None:
    from core import rollups  # noqa: PLC0415

    database = app.extensions["onedoor"].database
    tenant = TenantDirectory(database, app.extensions["onedoor"].registry).get(slug)
    with database.transaction(tenant.id) as session:
        rollups.refresh(session, tenant, now=NOW)


def test_after_a_refresh_the_page_reads_the_rollup_with_the_same_figures(dash):
    dash.sign_in("haizhou", "haizhou-leader")
    url = "/haizhou/dashboard/?start=2026-11-01&end=2026-11-02&lang=en"
    live = dash.get(url)[1]
    assert "Figures computed live from the cases." in live
    _refresh(dash.app, "haizhou")
    page = dash.get(url)[1]
    assert "Figures as of Nov 2, 2026 10:00 (refreshed periodically)." in page
    for code in indicators.DEFINITIONS:
        assert kpi(page, code) == kpi(live, code), code
    for by, _ in views.CHARTS:
        assert table(page, by) == table(live, by), by
    # A period starting inside a month is not in the rollup: computed live, same figures.
    inside = dash.get(f"/haizhou/dashboard/?{DAY}&lang=en")[1]
    assert "Figures computed live from the cases." in inside
    assert kpi(inside, "intake")[0] == "9"


def test_the_indicators_of_the_tenants_plugins_have_cards_with_definitions(registry,
                                                                           sqlite_url):
    from core.app import create_app  # noqa: PLC0415
    from core.plugins import PluginRegistry  # noqa: PLC0415
    from core.settings import load_settings  # noqa: PLC0415
    from tests.core.test_plugin_checks import Statute  # noqa: PLC0415
    from tests.core.test_plugin_checks import register as register_case  # noqa: PLC0415

    plugins = PluginRegistry()
    plugins.register(Statute(), "statute")
    app = create_app(load_settings(), registry=plugins, database_url=sqlite_url)
    app.config["TESTING"] = True
    try:
        database = app.extensions["onedoor"].database
        with_plugin = make_tenant(database, "haizhou", levels=LEVELS, nodes=NODES,
                                  plugins={"statute": {}})
        make_tenant(database, "other", levels=LEVELS, nodes=NODES)
        _staff(database, with_plugin, "haizhou")
        _staff(database, make_tenant(database, "third", levels=LEVELS, nodes=NODES), "third")
        directory = TenantDirectory(database, plugins)
        tenant = directory.get("haizhou")
        register_case(database, tenant, is_group=True, people_involved=8)
        register_case(database, tenant)
        dash = Dash(app, app.test_client(), {})
        dash.sign_in("haizhou", "haizhou-leader")
        page = dash.get("/haizhou/dashboard/?period=all&lang=en")[1]
        assert "Indicators of this tenant&#39;s plugins" in page
        assert kpi(page, "statute_groups") == ("50.0%", "1 ÷ 2", "group cases ÷ intake")
        _refresh(app, "haizhou")  # plugins' indicators stay live, next to the rollup's
        page = dash.get("/haizhou/dashboard/?period=all&lang=en")[1]
        assert "Figures as of" in page
        assert kpi(page, "statute_groups")[:2] == ("50.0%", "1 ÷ 2")
        assert kpi(page, "intake")[0] == "2"
        dash.sign_in("third", "third-leader")  # a tenant without the plugin: no such card
        assert 'id="kpi-statute_groups"' not in dash.get("/third/dashboard/?lang=en")[1]
    finally:
        app.extensions["onedoor"].database.dispose()
