"""Tests of the built-in plugins, and what their page tests share."""

from __future__ import annotations

from flask.testing import FlaskClient

#: The enabling tenant ("on") looks like this; its pages must show it.
TENANT_NAMES = {"zh_Hans": "岱山县", "zh_Hant": "岱山縣", "en": "Daishan"}
BRANDING = {"primary_color": "#0b6e4f", "accent_color": "#b03a2e", "hotline": "0580-4472345"}


def branded_page(client: FlaskClient, path: str) -> str:
    """GET ``path`` of tenant "on" in English, check that it carries the tenant's branding."""
    response = client.get(f"{path}?lang=en")
    assert response.status_code == 200, response.get_data(as_text=True)
    html = response.get_data(as_text=True)
    assert TENANT_NAMES["en"] in html
    assert BRANDING["hotline"] in html
    assert "/on/brand.css" in html, "the tenant's colors come from its own stylesheet"
    return html
