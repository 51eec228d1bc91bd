"""Security headers on every response; nothing inline that the policy would have to allow."""

from __future__ import annotations

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def _check(response) -> str:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, (name, response.request.path)
    return response.headers["Content-Security-Policy"]


def test_every_response_carries_the_headers(site):
    site.tenant("alpha", config={"branding": {"logo_svg": "<svg xmlns='http://www.w3.org/2000/svg'/>"}})
    for path in ("/", "/alpha/", "/alpha/tiers/", "/alpha/centers/", "/alpha/centers/alpha-center",
                 "/alpha/brand.css", "/static/onedoor.css", "/nowhere/", "/alpha/tiers/?node=x",
                 "/alpha/api/v1/nothing"):
        policy = _check(site.client.get(path))
        assert "default-src 'self'" in policy
        assert "style-src 'self'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    logo_policy = _check(site.client.get("/alpha/logo.svg"))
    assert logo_policy.startswith("default-src 'none'")


def test_pages_have_no_inline_script_or_style(site):
    site.tenant("alpha")
    for path in ("/", "/alpha/", "/alpha/tiers/?node=alpha-root", "/alpha/centers/alpha-center",
                 "/alpha/nothing"):
        html = site.page(path)[1]
        assert "<script" not in html and "<style" not in html and "style=" not in html, path


def test_html_varies_on_the_language_cookie(site):
    site.tenant("alpha")
    response = site.client.get("/alpha/")
    assert "Cookie" in response.headers.get("Vary", "")
