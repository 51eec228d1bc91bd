"""A plugin's info page: what the plugin brings to a tenant and how the tenant has set it up.

:func:`plugin_page` builds the blueprint; the layout is core's ``plugin_page.html``, which extends
``base.html`` (so the page carries the tenant's branding) and takes its headings from core's
catalogs. Only the data is the plugin's. Plugins reach it as ``core.toolkit.plugin_page``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask import Blueprint, render_template
from marshmallow import Schema, missing

from core.catalog import DepartmentSpec, WindowType
from core.tenancy import current_tenant


def plugin_page(
    name: str,
    *,
    names: Mapping[str, str],
    intro: Mapping[str, str],
    windows: Iterable[WindowType],
    organizations: Iterable[DepartmentSpec],
    settings_schema: Schema | type[Schema],
) -> Blueprint:
    """A blueprint named ``name`` whose ``/`` shows the plugin's page for the current tenant.

    ``names`` and ``intro`` map locale codes (``zh_Hans``, ``zh_Hant``, ``en``) to the plugin's
    name and a sentence or two on what it does. ``windows`` and ``organizations`` are what the
    plugin declares in its hooks. ``settings_schema`` (a schema or its class) gives the settings
    table: a row per field, labelled by the field's ``metadata["names"]``, a string value shown
    by its ``metadata["choices"][value]`` names when the field has them.

    The blueprint is never changed once built, so a plugin may build it once, at import, and
    return the same object to every application.
    """
    schema = settings_schema() if isinstance(settings_schema, type) else settings_schema
    context = {"names": dict(names), "intro": dict(intro), "windows": list(windows),
               "organizations": list(organizations)}
    bp = Blueprint(name, __name__)

    @bp.get("/")
    def index() -> str:
        """The plugin's page for the current tenant (core's guard has checked it is enabled)."""
        tenant = current_tenant()
        settings = settings_rows(schema, tenant.plugins.get(name, {}))
        return render_template("plugin_page.html", tenant=tenant, settings=settings, **context)

    return bp


def settings_rows(schema: Schema, stored: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The settings table: for each field of ``schema``, its row for the ``stored`` settings.

    A row holds ``names`` (the field's label by locale), ``choices`` (names of the allowed
    values, or None), ``value`` (the stored value, else the field's default, else None) and
    ``is_default`` (whether the value is the default).
    """
    return [_row(field, stored.get(key, missing)) for key, field in schema.fields.items()]


def _row(field: Any, stored: Any) -> dict[str, Any]:
    default = field.load_default
    default = None if default is missing else (default() if callable(default) else default)
    value = default if stored is missing else stored
    return {"names": field.metadata["names"], "choices": field.metadata.get("choices"),
            "value": value, "is_default": value == default}
