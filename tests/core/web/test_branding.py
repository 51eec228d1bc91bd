"""Each tenant looks like itself: name, colors (through brand.css), logo and hotline."""

from __future__ import annotations

import random

import pytest

from core.web.branding import (
    DEFAULT_ACCENT,
    DEFAULT_PRIMARY,
    MIN_CONTRAST,
    PAGE_BACKGROUND,
    contrast,
    ink_on,
    readable_on,
    valid_color,
)

LOGO = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    '<circle cx="5" cy="5" r="4"/></svg>'
)


def test_each_tenant_has_its_own_name_colors_logo_and_hotline(site):
    site.tenant("alpha", config={"names": {"zh_Hans": "阿尔法市", "en": "Alpha"},
                                 "branding": {"primary_color": "#0B6E4F", "accent_color": "#f2a900",
                                              "hotline": "0580-12345", "logo_svg": LOGO}})
    site.tenant("beta", config={"names": {"zh_Hans": "贝塔区", "en": "Beta"},
                                "branding": {"primary_color": "#7b2cbf", "hotline": "12345"}})
    alpha_css = site.client.get("/alpha/brand.css")
    beta_css = site.client.get("/beta/brand.css")
    assert alpha_css.mimetype == beta_css.mimetype == "text/css"
    assert "--brand: #0b6e4f;" in alpha_css.text and "--accent: #f2a900;" in alpha_css.text
    assert "--brand: #7b2cbf;" in beta_css.text and f"--accent: {DEFAULT_ACCENT};" in beta_css.text
    for path in ("/alpha/", "/alpha/tiers/", "/alpha/centers/", "/alpha/centers/alpha-center"):
        html = site.page(path)[1]
        assert "阿尔法市" in html and "贝塔区" not in html
        assert '<link rel="stylesheet" href="/alpha/brand.css?v=' in html
        assert '<img src="/alpha/logo.svg?v=' in html
        assert 'href="tel:0580-12345"' in html
        assert "<style" not in html and "style=" not in html  # the CSP allows no inline style
    beta = site.page("/beta/")[1]
    assert "/beta/brand.css" in beta and "logo.svg" not in beta and 'href="tel:12345"' in beta


def test_logo_is_served_with_a_restrictive_policy(site):
    site.tenant("alpha", config={"branding": {"logo_svg": LOGO}})
    site.tenant("beta")
    logo = site.client.get("/alpha/logo.svg")
    assert logo.status_code == 200
    assert logo.mimetype == "image/svg+xml"
    assert logo.text == LOGO
    policy = logo.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "sandbox" in policy and "script-src" not in policy
    assert logo.headers["X-Content-Type-Options"] == "nosniff"
    assert site.client.get("/beta/logo.svg").status_code == 404
    again = site.client.get("/alpha/logo.svg", headers={"If-None-Match": logo.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("bad", [
    "red", "#fff", "#12345g", "#123456; } body { display: none", "</style><script>", 12, None,
])
def test_invalid_colors_never_reach_the_stylesheet(site, bad):
    site.tenant("alpha", config={"branding": {"primary_color": bad, "accent_color": bad}})
    css = site.client.get("/alpha/brand.css").text
    assert f"--brand: {DEFAULT_PRIMARY};" in css and f"--accent: {DEFAULT_ACCENT};" in css
    assert "}" not in css.split(":root {", 1)[1][:-2]
    assert "<" not in css and "display" not in css


def test_light_brand_colors_still_give_readable_text(site):
    site.tenant("alpha", config={"branding": {"primary_color": "#ffd166"}})
    css = site.client.get("/alpha/brand.css").text
    assert "--brand-ink: #000000;" in css  # black text on a light masthead


def test_contrast_helpers_always_reach_aa():
    assert valid_color("#ABCDEF", "x") == "#abcdef"
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    rng = random.Random(7)
    for _ in range(300):
        color = "#" + "".join(rng.choice("0123456789abcdef") for _ in range(6))
        assert contrast(ink_on(color), color) >= MIN_CONTRAST
        assert contrast(readable_on(color), PAGE_BACKGROUND) >= MIN_CONTRAST
        assert contrast(readable_on(color), "#ffffff") >= MIN_CONTRAST


def test_logo_file_is_read_from_the_tenant_folder_only(database_url, make_app, tmp_path):
    from tests.core.web.conftest import Site

    folder = tmp_path / "tenants"
    (folder / "alpha").mkdir(parents=True)
    (folder / "alpha" / "logo.svg").write_text(LOGO, encoding="utf-8")
    (tmp_path / "secret.svg").write_text("<svg>secret</svg>", encoding="utf-8")
    site = Site(make_app(database_url, tenants_path=str(folder)))
    site.tenant("alpha", config={"branding": {"logo": "logo.svg"}})
    site.tenant("beta", config={"branding": {"logo": "../secret.svg"}})
    site.tenant("gamma", config={"branding": {"logo": "logo.png"}})
    assert site.client.get("/alpha/logo.svg").text == LOGO
    assert '<img src="/alpha/logo.svg' in site.page("/")[1]
    assert site.client.get("/beta/logo.svg").status_code == 404
    assert site.client.get("/gamma/logo.svg").status_code == 404
    assert "/gamma/logo.svg" not in site.page("/gamma/")[1]
