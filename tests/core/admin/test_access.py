"""Who may administer a tenant, the overview, and the tenant.toml download round trip."""

from __future__ import annotations

import tomllib

from core.tenantconfig import apply, load
from tests.core.admin.conftest import Admin


def test_the_overview_links_every_section_and_offers_the_download(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    status, html = site.get("/alpha/admin/?lang=en")
    assert status == 200
    for path in ("settings", "plugins", "users", "centers", "calendar", "tenant.toml"):
        assert f"/alpha/admin/{path}" in html
    assert "commit it to the repository" in html
    assert "/alpha/admin/files/logo.svg" in html


def test_the_downloaded_tenant_toml_reloads_and_applying_it_changes_nothing(site: Admin, tmp_path):
    site.sign_in("alpha", "alpha-admin")
    response = site.client.get("/alpha/admin/tenant.toml")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="tenant.toml"'
    text = response.get_data(as_text=True)
    assert tomllib.loads(text)["slug"] == "alpha"
    logo = site.client.get("/alpha/admin/files/logo.svg")
    assert logo.headers["Content-Disposition"].startswith("attachment")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "tenant.toml").write_text(text, encoding="utf-8")
    (tmp_path / "out" / "logo.svg").write_bytes(logo.get_data())
    before = site.version()
    result = apply(site.database, site.registry, load(tmp_path / "out", site.registry))
    assert result.changes == []
    assert site.version() == before


def test_without_sign_in_the_pages_ask_for_it(site: Admin):
    response = site.client.get("/alpha/admin/settings")
    assert response.status_code == 302 and "/alpha/login" in response.headers["Location"]
    assert site.client.get("/alpha/admin/tenant.toml").status_code == 302


def test_staff_who_are_not_administrators_are_refused(site: Admin):
    site.sign_in("alpha", "alpha-clerk")
    for path in ("", "settings", "plugins", "users", "users/alpha-admin", "centers",
                 "calendar", "tenant.toml"):
        assert site.client.get(f"/alpha/admin/{path}").status_code == 403, path


def test_an_administrator_below_the_root_is_refused_too(site: Admin):
    site.sign_in("alpha", "alpha-townadmin")
    assert site.client.get("/alpha/admin/").status_code == 403


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    before = site.version()
    response = site.client.post("/alpha/admin/settings", data={
        "names.zh_Hans": "别的名字", "step": "apply"})
    assert response.status_code == 400
    assert site.version() == before


def test_another_tenants_admin_cannot_administer_this_one(both_site: Admin):
    site = both_site
    site.sign_in("beta", "beta-admin")
    assert site.client.get("/beta/admin/").status_code == 200
    # beta's session means nothing under alpha: sign-in is asked for, nothing of alpha shown
    response = site.client.get("/alpha/admin/tenant.toml")
    assert response.status_code == 302 and "/alpha/login" in response.headers["Location"]
    page = site.client.get("/beta/admin/settings").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    before = site.version("alpha")
    response = site.client.post("/alpha/admin/settings", data={
        "csrf_token": token, "names.zh_Hans": "被篡改", "step": "apply"})
    assert response.status_code in (302, 400)
    assert response.headers.get("Location", "/alpha/login").startswith("/alpha/login")
    assert site.version("alpha") == before
    # beta's user list shows beta's accounts only
    users = site.client.get("/beta/admin/users").get_data(as_text=True)
    assert "beta-admin" in users and "alpha-admin" not in users
    # beta's download is beta's file
    assert 'slug = "beta"' in site.client.get("/beta/admin/tenant.toml").get_data(as_text=True)


def test_the_navigation_shows_administration_to_signed_in_staff(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    assert 'href="/alpha/admin/"' in site.get("/alpha/?lang=en")[1]
