"""A tenant's look: its colors as a stylesheet of their own, and its logo.

Colors come from ``[branding]`` in tenant.toml (``primary_color``, ``accent_color``). They are
validated when the tenant is applied; here they are checked again against ``#RRGGBB`` before they
are written into CSS, and text colors are derived from them so that every pairing the pages use
keeps a contrast ratio of at least 4.5:1 (WCAG 2 AA), whatever the tenant picked.
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import Response, abort, g, request

from core.app import onedoor
from core.models import Tenant
from core.tenancy import TenantContext
from core.web import bp

HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_PRIMARY = "#1f4e79"
DEFAULT_ACCENT = "#c0392b"
WHITE, BLACK = "#ffffff", "#000000"
PAGE_BACKGROUND = "#fafafa"
MIN_CONTRAST = 4.5


def valid_color(value: object, default: str) -> str:
    """``value`` when it is exactly ``#RRGGBB`` (lower-cased), else ``default``."""
    if isinstance(value, str) and HEX_COLOR.match(value):
        return value.lower()
    return default


def _channels(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def luminance(color: str) -> float:
    """Relative luminance of ``#RRGGBB`` (WCAG 2 definition)."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g_, b = (linear(c) for c in _channels(color))
    return 0.2126 * r + 0.7152 * g_ + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colors, from 1 to 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def ink_on(background: str) -> str:
    """White or black, whichever reads better on ``background`` (always ≥ 4.5:1)."""
    return WHITE if contrast(WHITE, background) >= contrast(BLACK, background) else BLACK


def readable_on(color: str, background: str = PAGE_BACKGROUND) -> str:
    """``color``, darkened just enough to be read as text on ``background``."""
    r, g_, b = _channels(color)
    for step in range(0, 101):
        factor = 1 - step / 100
        candidate = f"#{round(r * factor):02x}{round(g_ * factor):02x}{round(b * factor):02x}"
        if contrast(candidate, background) >= MIN_CONTRAST:
            return candidate
    return BLACK


def brand_colors(tenant: TenantContext) -> dict[str, str]:
    """The CSS custom properties of ``tenant``'s pages."""
    branding = tenant.branding
    colors = branding.get("colors") if isinstance(branding.get("colors"), dict) else {}
    primary = valid_color(branding.get("primary_color") or colors.get("primary"), DEFAULT_PRIMARY)
    accent = valid_color(branding.get("accent_color") or colors.get("accent"), DEFAULT_ACCENT)
    return {
        "--brand": primary,
        "--brand-ink": ink_on(primary),
        "--brand-text": readable_on(primary),
        "--accent": accent,
        "--accent-ink": ink_on(accent),
        "--accent-text": readable_on(accent),
    }


def brand_stylesheet(tenant: TenantContext) -> str:
    """``:root { --brand: …; … }`` for ``tenant``: only validated ``#rrggbb`` values."""
    body = "".join(f"  {name}: {value};\n" for name, value in brand_colors(tenant).items())
    return f"/* {tenant.slug} */\n:root {{\n{body}}}\n"


def logo_svg(tenant: TenantContext) -> str:
    """The tenant's SVG logo: ``logo_svg`` from its configuration, else its ``logo`` file.

    The file is looked up by base name in ``tenants/<slug>/`` only, never along a given path.
    """
    branding = tenant.branding
    inline = branding.get("logo_svg")
    if isinstance(inline, str) and inline.strip():
        return inline
    name = branding.get("logo")
    if not isinstance(name, str) or not name.lower().endswith(".svg"):
        return ""
    folder = onedoor().settings.tenants_dir / tenant.slug
    path = folder / Path(name).name
    try:
        return path.read_text(encoding="utf-8") if path.is_file() else ""
    except (OSError, UnicodeDecodeError):
        return ""


def has_logo(tenant: TenantContext | Tenant) -> bool:
    """True when ``tenant`` (a context, or a row on the platform index) has a logo to show."""
    if isinstance(tenant, Tenant):
        branding = (tenant.config or {}).get("branding") or {}
    else:
        branding = tenant.branding
    name = str(branding.get("logo") or "")
    return bool(branding.get("logo_svg") or name.lower().endswith(".svg"))


def _cached(response: Response, tenant: TenantContext, kind: str) -> Response:
    response.set_etag(f"{kind}-{tenant.id}-{tenant.config_version}")
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response.make_conditional(request)


@bp.get("/<tenant>/brand.css")
def brand_css() -> Response:
    """The tenant's colors as CSS custom properties (keeps inline styles out of every page)."""
    response = Response(brand_stylesheet(g.tenant), mimetype="text/css")
    return _cached(response, g.tenant, "brand")


@bp.get("/<tenant>/logo.svg")
def tenant_logo() -> Response:
    """The tenant's logo, under a policy that keeps an SVG from running scripts or loading."""
    svg = logo_svg(g.tenant)
    if not svg:
        abort(404)
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
    )
    response.headers["Content-Disposition"] = "inline; filename=logo.svg"
    return _cached(response, g.tenant, "logo")
