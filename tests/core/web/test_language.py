"""The language switch: ``?lang=`` sets a cookie that later pages keep; ``<html lang>``."""

from __future__ import annotations

import pytest


def _lang_cookie(response) -> str:
    cookies = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("lang=")]
    assert len(cookies) == 1, cookies
    return cookies[0]


@pytest.mark.parametrize(("code", "html_lang", "home"), [
    ("zh_Hans", "zh-Hans", "首页"), ("zh_Hant", "zh-Hant", "首頁"), ("en", "en", "Home"),
])
def test_lang_parameter_sets_a_cookie_that_later_pages_keep(site, code, html_lang, home):
    site.tenant("alpha")
    response = site.client.get(f"/alpha/?lang={code}")
    cookie = _lang_cookie(response)
    assert cookie.startswith(f"lang={code};")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # the testing configuration runs on plain http
    later = site.client.get("/alpha/tiers/")
    html = later.get_data(as_text=True)
    assert f'<html lang="{html_lang}">' in html
    assert home in html
    assert "lang=" not in "".join(later.headers.getlist("Set-Cookie"))


def test_cookie_is_secure_when_the_app_says_so(database_url, make_app):
    app = make_app(database_url, session_cookie_secure=True)
    response = app.test_client().get("/?lang=en")
    assert "Secure" in _lang_cookie(response)


def test_unknown_lang_is_ignored(site):
    site.tenant("alpha")
    response = site.client.get("/alpha/?lang=fr")
    assert not [h for h in response.headers.getlist("Set-Cookie") if h.startswith("lang=")]
    assert '<html lang="zh-Hans">' in response.get_data(as_text=True)


def test_tenant_default_locale_applies_without_a_choice(site):
    from core.models import Tenant

    tenant_id = site.tenant("alpha")
    with site.database.transaction() as session:
        tenant = session.get(Tenant, tenant_id)
        tenant.default_locale = "zh_Hant"
        tenant.config_version += 1
    assert '<html lang="zh-Hant">' in site.page("/alpha/")[1]
    assert '<html lang="en">' in site.page("/alpha/?lang=en")[1]
    # The index has no tenant: the site default.
    site.client.delete_cookie("lang")
    assert '<html lang="zh-Hans">' in site.page("/")[1]


def test_language_links_keep_the_rest_of_the_query(site):
    site.tenant("alpha")
    html = site.page("/alpha/tiers/?node=alpha-c1&lang=en")[1]
    assert 'href="?node=alpha-c1&amp;lang=zh_Hant"' in html
    assert 'aria-current="true">English<' in html


def test_language_links_never_point_to_another_site(site):
    response = site.client.get("/", environ_overrides={"PATH_INFO": "//elsewhere.example/x/y"})
    assert response.status_code == 404
    head = response.get_data(as_text=True).split("<main", 1)[0]
    assert 'href="?lang=en"' in head and "elsewhere.example" not in head
