"""The platform index and a tenant's home page."""

from __future__ import annotations

from tests.factories import make_tenant


def test_index_lists_enabled_tenants_in_the_current_locale(site):
    names = {"zh_Hans": "阿尔法市", "zh_Hant": "阿爾法市", "en": "Alpha"}
    site.tenant("alpha", config={"names": names})
    site.tenant("beta", enabled=False)
    status, html = site.page("/")
    assert status == 200
    assert "阿尔法市" in html
    assert 'href="/alpha/"' in html
    assert "/beta/" not in html
    assert "阿爾法市" in site.page("/?lang=zh_Hant")[1]
    assert ">Alpha<" in site.page("/?lang=en")[1]


def test_tenant_home_shows_levels_with_counts_and_centers_summary(site):
    site.tenant("alpha", plugins={"maritime": {}},
                config={"branding": {"hotline": "0580-12345"},
                        "motto": {"zh_Hans": "小事不出村",
                                  "en": "Small matters stay in the village"}})
    status, html = site.page("/alpha/?lang=en")
    assert status == 200
    # Levels in rank order with their node counts (city 1, county 1, town 1, village 0).
    assert html.index(">city<") < html.index(">county<") < html.index(">town<")
    assert html.count('<span class="count">1</span>') >= 3
    assert '<span class="count">0</span>' in html
    # The center summary links to the center page.
    assert 'href="/alpha/centers/alpha-center"' in html
    assert "Small matters stay in the village" in html
    assert 'href="tel:0580-12345"' in html
    # Enabled plugins appear as specialty services.
    assert site.app.extensions["onedoor"].registry.infos["maritime"].title("en") in html


def test_unknown_and_disabled_tenants_are_404_pages_or_problems(site):
    make_tenant(site.database, "gone", enabled=False)
    for path in ("/nowhere/", "/gone/", "/gone/tiers/", "/nowhere/centers/x"):
        response = site.client.get(path)
        assert response.status_code == 404, path
        assert response.mimetype == "text/html"
        assert "这里没有这个综治中心" in response.get_data(as_text=True)
    api = site.client.get("/gone/api/v1/cases")
    assert api.status_code == 404
    assert api.mimetype == "application/problem+json"
    assert api.get_json()["status"] == 404
    wants_json = site.client.get("/nowhere/?lang=en", headers={"Accept": "application/json"})
    assert wants_json.mimetype == "application/problem+json"
    assert wants_json.get_json()["title"] == "Not found"


def test_error_page_is_localized_and_branded_inside_a_tenant(site):
    site.tenant("alpha", config={"names": {"zh_Hans": "阿尔法市", "en": "Alpha"}})
    status, html = site.page("/alpha/centers/none?lang=en")
    assert status == 404
    assert "There is no center with this code." in html
    assert 'href="/alpha/brand.css' in html
    assert "Back to Alpha" in html
    status, html = site.page("/alpha/no/such/page?lang=zh_Hant")
    assert status == 404
    assert "您要存取的頁面不存在。" in html
