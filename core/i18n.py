"""Languages: zh_Hans (default), zh_Hant and en, through Flask-Babel.

The locale of a request is, in order: ``?lang=``, the ``lang`` cookie, the tenant's default
locale, the site default. Locale codes are the tenant.toml ones (``zh_Hans``); Babel accepts them
as they are.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext

SUPPORTED_LOCALES = ("zh_Hans", "zh_Hant", "en")


def localized_names(names: dict[str, str] | None, locale: str, fallback: str = "") -> str:
    """Pick ``names[locale]``, else the zh_Hans name, else ``fallback``."""
    names = names or {}
    return names.get(locale) or names.get("zh_Hans") or fallback


def select_locale(args: Any, cookies: Any, tenant_default: str | None, site_default: str) -> str:
    """The request's locale (pure function so that it can be tested without a request)."""
    for candidate in (args.get("lang"), cookies.get("lang"), tenant_default):
        if candidate in SUPPORTED_LOCALES:
            return candidate
    return site_default


__all__ = ["SUPPORTED_LOCALES", "lazy_gettext", "localized_names", "select_locale"]
