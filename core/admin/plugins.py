"""Plugins: the installed ones, which this tenant enables, and each one's settings form.

Enabling, disabling and changing settings all edit ``[plugins.<name>]`` of tenant.toml; the
settings are checked by the plugin's own marshmallow schema through the loader. Essential
plugins run for every tenant and offer no switch.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import abort, g, request
from flask_babel import gettext
from werkzeug.wrappers import Response

from core.admin import bp
from core.admin.editing import Draft, table
from core.admin.pages import edit_config, finish, page
from core.admin.schemaform import form_values, parse, setting_fields
from core.app import onedoor
from core.plugins import PluginInfo
from core.web import localized


def describe(info: PluginInfo) -> str:
    """A sentence on what the plugin does: its ``INTRO`` in the reader's language, else the
    first line of its module's docstring."""
    intro = getattr(info.module, "INTRO", None)
    if isinstance(intro, Mapping) and intro:
        return localized(dict(intro))
    doc = (getattr(info.module, "__doc__", None) or "").strip()
    return doc.splitlines()[0] if doc else ""


def _info(name: str) -> PluginInfo:
    info = onedoor().registry.infos.get(name)
    if info is None:
        abort(404, gettext("There is no such item here, or you may not see it."))
    return info


@bp.get("/plugins")
def plugins() -> str:
    """Every installed plugin: name, version, what it does, and whether it runs here."""
    registry = onedoor().registry
    rows = [{"info": info, "description": describe(info),
             "enabled": info.essential or name in g.tenant.plugins}
            for name, info in sorted(registry.infos.items(),
                                     key=lambda item: (not item[1].essential, item[0]))]
    return page("admin/plugins.html", rows=rows)


@bp.route("/plugins/<name>", methods=["GET", "POST"])
def plugins_edit(name: str) -> str | Response:
    """Plugin ``name``'s settings; saving them enables the plugin if it was not."""
    info = _info(name)
    registry = onedoor().registry
    inputs = [] if info.essential else setting_fields(name, registry.settings_schema(name))
    field_names = [item.name for item in inputs]
    values: dict[str, Any] = form_values(inputs, g.tenant.plugins.get(name, {}))
    errors: dict[str, list[str]] = {}
    outcome = None
    if request.method == "POST" and not info.essential:
        values = {item: request.form.get(item, "") for item in field_names}

        def enable(draft: Draft, form: Mapping[str, str]) -> None:
            section = table(draft.doc, "plugins", super_table=True)
            section[name] = parse(inputs, form)

        outcome = edit_config(enable, fields=[*field_names, f"plugins.{name}"])
        done = finish(outcome, "admin.plugins_edit", name=name)
        if done is not None:
            return done
        errors = outcome.errors
    return page("admin/plugin.html", info=info, description=describe(info), inputs=inputs,
                values=values, errors=errors, outcome=outcome,
                enabled=name in g.tenant.plugins, action="save")


@bp.post("/plugins/<name>/disable")
def plugins_disable(name: str) -> str | Response:
    """Remove ``[plugins.<name>]``: the plugin's windows, case types and pages leave the tenant."""
    info = _info(name)
    if info.essential:
        abort(400, gettext("An essential plugin runs for every tenant and cannot be disabled."))

    def disable(draft: Draft, _form: Mapping[str, str]) -> None:
        if "plugins" in draft.doc and name in draft.doc["plugins"]:
            del draft.doc["plugins"][name]
            if not draft.doc["plugins"]:
                del draft.doc["plugins"]

    outcome = edit_config(disable, fields=[f"plugins.{name}"])
    done = finish(outcome, "admin.plugins")
    if done is not None:
        return done
    registry = onedoor().registry
    inputs = setting_fields(name, registry.settings_schema(name))
    return page("admin/plugin.html", info=info, description=describe(info), inputs=inputs,
                values=form_values(inputs, g.tenant.plugins.get(name, {})),
                errors=outcome.errors, outcome=outcome, enabled=name in g.tenant.plugins,
                action="disable")
