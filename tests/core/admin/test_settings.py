"""Tenant settings: the form edits tenant.toml and the tenant serves the result at once."""

from __future__ import annotations

from tests.core.admin.conftest import Admin

URL = "/alpha/admin/settings"


def _form(**changes: str) -> dict[str, str]:
    data = {"names.zh_Hans": "alpha市", "names.zh_Hant": "", "names.en": "Alpha City",
            "motto.zh_Hans": "", "motto.zh_Hant": "", "motto.en": "",
            "branding.primary_color": "#0b5394", "branding.accent_color": "",
            "branding.hotline": "0580-12345", "default_locale": "zh_Hans", "step": "apply"}
    data.update(changes)
    return data


def test_the_form_shows_the_current_settings_and_the_logo(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    status, html = site.get(URL + "?lang=en")
    assert status == 200
    assert 'value="0580-12345"' in html and 'value="Alpha City"' in html
    assert "/alpha/logo.svg" in html


def test_a_new_hotline_number_is_served_on_the_home_page_afterwards(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    before = site.version()
    response = site.post_form(URL, _form(**{"branding.hotline": "0580-96345",
                                            "motto.en": "One door"}), follow=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "~ branding.hotline: 0580-12345 → 0580-96345" in html
    assert "下载 tenant.toml" in html and "/alpha/admin/tenant.toml" in html
    assert site.version() == before + 1
    assert site.audit_count("alpha", "tenant.applied") == 2  # the first apply, then this one
    _status, home = site.get("/alpha/?lang=en")
    assert "0580-96345" in home and "One door" in home


def test_a_preview_lists_the_changes_and_writes_nothing(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    before = site.version()
    response = site.post_form(URL, _form(**{"branding.hotline": "0580-96345",
                                            "step": "preview"}))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "~ branding.hotline: 0580-12345 → 0580-96345" in html
    assert 'value="0580-96345"' in html  # kept for the apply
    assert site.version() == before
    assert "0580-96345" not in site.get("/alpha/")[1]


def test_a_bad_color_shows_the_loaders_message_on_its_field_and_applies_nothing(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    before = site.version()
    response = site.post_form(URL + "?lang=en", _form(**{"branding.primary_color": "blue",
                                                         "branding.hotline": "0580-1"}))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="e-branding-primary_color">must be a color #RRGGBB' in html
    assert 'aria-invalid="true"' in html
    assert 'value="blue"' in html  # what was typed is kept
    assert site.version() == before


def test_a_missing_name_is_reported_on_the_name_field(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    before = site.version()
    html = site.post_form(URL, _form(**{"names.zh_Hans": ""})).get_data(as_text=True)
    assert 'id="e-names-zh_Hans"' in html
    assert site.version() == before


def test_the_default_locale_changes_the_language_of_the_pages(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    site.post_form(URL, _form(default_locale="en"))
    other = Admin(site.app, site.app.test_client(), site.ids)
    assert 'lang="en"' in other.get("/alpha/")[1]


def test_the_loaders_messages_are_in_the_readers_language(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    bad = _form(**{"branding.primary_color": "blue", "branding.hotline": "12"})

    chinese = site.post_form(URL + "?lang=zh_Hans", bad).get_data(as_text=True)
    traditional = site.post_form(URL + "?lang=zh_Hant", bad).get_data(as_text=True)
    english = site.post_form(URL + "?lang=en", bad).get_data(as_text=True)

    assert 'id="e-branding-primary_color">必须是颜色值 #RRGGBB' in chinese
    assert "须为 3 至 20 个字符" in chinese and "must be a color" not in chinese
    assert 'id="e-branding-primary_color">必須是顏色值 #RRGGBB' in traditional
    assert 'id="e-branding-primary_color">must be a color #RRGGBB' in english
    assert "must be 3 to 20 characters" in english
