"""Response headers every page gets, and the language cookie.

The Content-Security-Policy allows nothing inline: tenant colors come from ``/<tenant>/brand.css``
(a stylesheet of our own origin), so no page needs ``'unsafe-inline'`` or a nonce. A response that
already carries a policy (the tenant logo, stricter still) keeps it.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request

from core.i18n import LANG_COOKIE, SUPPORTED_LOCALES

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}

#: One year: the language a person picked should outlive a browser restart.
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600


def add_security_headers(response: Response) -> Response:
    """Set the security headers that the response does not set itself."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if response.mimetype == "text/html":
        # The page's language comes from the cookie: caches must not mix languages.
        response.vary.add("Cookie")
    return response


def remember_language(response: Response) -> Response:
    """``?lang=`` with a supported locale sets the ``lang`` cookie for later pages."""
    wanted = request.args.get("lang")
    if wanted in SUPPORTED_LOCALES and request.cookies.get(LANG_COOKIE) != wanted:
        response.set_cookie(
            LANG_COOKIE,
            wanted,
            max_age=LANG_COOKIE_MAX_AGE,
            path="/",
            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
            httponly=True,
            samesite="Lax",
        )
    return response


def install(app: Flask) -> None:
    """Run both on every response of ``app``, error pages and static files included."""
    app.after_request(remember_language)
    app.after_request(add_security_headers)
