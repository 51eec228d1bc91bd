"""Tenant settings: names, motto, branding (colors, hotline; the logo stays a file), locale.

The form's inputs are named by their paths in tenant.toml (``branding.hotline``), so the
loader's errors land on them as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import g, request
from werkzeug.wrappers import Response

from core.admin import bp
from core.admin.editing import Draft, set_or_remove, table
from core.admin.pages import edit_config, finish, page
from core.tenantconfig.schema import LOCALES

NAME_FIELDS = tuple(f"names.{locale}" for locale in LOCALES)
MOTTO_FIELDS = tuple(f"motto.{locale}" for locale in LOCALES)
BRANDING_KEYS = ("primary_color", "accent_color", "hotline")
FIELDS = (*NAME_FIELDS, *MOTTO_FIELDS, *(f"branding.{key}" for key in BRANDING_KEYS),
          "default_locale")


def current_values() -> dict[str, str]:
    """The form's values from the tenant's stored configuration."""
    tenant = g.tenant
    config = tenant.config
    values: dict[str, str] = {"default_locale": tenant.default_locale}
    for section in ("names", "motto"):
        for locale in LOCALES:
            values[f"{section}.{locale}"] = (config.get(section) or {}).get(locale, "")
    for key in BRANDING_KEYS:
        values[f"branding.{key}"] = str(tenant.branding.get(key) or "")
    return values


def apply_form(draft: Draft, form: Mapping[str, str]) -> None:
    """Write the form's values into ``[names]``, ``[motto]``, ``[branding]``, default_locale."""
    doc = draft.doc
    names = table(doc, "names")
    for locale in LOCALES:
        set_or_remove(names, locale, form.get(f"names.{locale}", "").strip())
    motto = {locale: form.get(f"motto.{locale}", "").strip() for locale in LOCALES}
    if any(motto.values()):
        motto_table = table(doc, "motto")
        for locale, text in motto.items():
            set_or_remove(motto_table, locale, text)
    elif "motto" in doc:
        del doc["motto"]
    branding = table(doc, "branding")
    for key in BRANDING_KEYS:  # the logo is a file beside tenant.toml: never touched here
        set_or_remove(branding, key, form.get(f"branding.{key}", "").strip())
    set_or_remove(doc, "default_locale", form.get("default_locale", "").strip())


@bp.route("/settings", methods=["GET", "POST"])
def settings() -> str | Response:
    """The tenant's names, motto, branding and default language, edited as tenant.toml."""
    values: dict[str, Any] = current_values()
    errors: dict[str, list[str]] = {}
    outcome = None
    if request.method == "POST":
        values = {name: request.form.get(name, "") for name in FIELDS}
        outcome = edit_config(apply_form, fields=FIELDS)
        done = finish(outcome, "admin.settings")
        if done is not None:
            return done
        errors = outcome.errors
    return page("admin/settings.html", values=values, errors=errors, outcome=outcome,
                locales=LOCALES)
