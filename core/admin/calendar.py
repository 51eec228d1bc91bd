"""The working calendar (``[calendar]``) and deadline overrides (``[deadlines.<rule>]``).

Both are tenant.toml tables, edited through :mod:`core.admin.editing`. The deadline list shows
every rule the tenant's clocks can name (core's, the escalation rungs', the enabled plugins')
with its default and legal source, next to the tenant's override.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

import tomlkit
from flask import g, request
from werkzeug.wrappers import Response

from core import sla
from core.admin import bp
from core.admin.editing import Draft, Outcome, lines, set_or_remove, table
from core.admin.pages import edit_config, finish, page
from core.app import db_session
from core.cases import deadline_rules
from core.cases.catalogs import plugin_deadline_rules
from core.tenantconfig.policies import default_calendar
from core.web.workbench.case_page import named_rules

CALENDAR_KEYS = ("holidays", "workdays", "working_hours")
CALENDAR_FIELDS = tuple(f"calendar.{key}" for key in CALENDAR_KEYS)


def default_rules() -> dict[str, sla.DeadlineRule]:
    """The tenant's rules as they are without its ``[deadlines]`` overrides."""
    tenant = g.tenant
    bare = SimpleNamespace(config={**tenant.config, "deadlines": {}})
    return named_rules(db_session(), sla.tenant_rules(bare, plugin_deadline_rules(tenant)))


def _calendar_values() -> dict[str, str]:
    stored = g.tenant.config.get("calendar") or default_calendar()
    return {f"calendar.{key}": "\n".join(stored.get(key) or []) for key in CALENDAR_KEYS}


def _deadline_values() -> dict[str, str]:
    values: dict[str, str] = {}
    for rule, override in (g.tenant.config.get("deadlines") or {}).items():
        values[f"deadlines.{rule}.days"] = str(override.get("days", ""))
        values[f"deadlines.{rule}.working_days"] = ("true" if override.get("working_days")
                                                    else "false")
    return values


def _deadline_fields(rules: Mapping[str, Any]) -> list[str]:
    return [f"deadlines.{rule}.{key}" for rule in rules for key in ("days", "working_days")]


@bp.get("/calendar")
def calendar(values: dict[str, Any] | None = None, errors: dict[str, list[str]] | None = None,
             outcome: Outcome | None = None, form: str = "") -> str:
    """The calendar form and the deadline rules with their overrides."""
    defaults = default_rules()
    effective = deadline_rules(g.tenant)
    shown = {**_calendar_values(), **_deadline_values(), **(values or {})}
    return page("admin/calendar.html", values=shown, errors=errors or {}, outcome=outcome,
                form=form, rules=[(name, defaults[name], effective.get(name))
                                  for name in sorted(defaults)])


@bp.post("/calendar")
def calendar_save() -> str | Response:
    """Write ``[calendar]``: holidays, adjusted working days, working hours (one per line)."""
    def edit(draft: Draft, form: Mapping[str, str]) -> None:
        section = table(draft.doc, "calendar")
        for key in CALENDAR_KEYS:
            set_or_remove(section, key, lines(form.get(f"calendar.{key}", "")))
        if not section:
            del draft.doc["calendar"]

    outcome = edit_config(edit, fields=CALENDAR_FIELDS)
    done = finish(outcome, "admin.calendar")
    if done is not None:
        return done
    values = {name: request.form.get(name, "") for name in CALENDAR_FIELDS}
    return calendar(values=values, errors=outcome.errors, outcome=outcome, form="calendar")


@bp.post("/deadlines")
def calendar_deadlines() -> str | Response:
    """Write ``[deadlines.<rule>]`` for every rule given days; an empty rule has no override."""
    rules = default_rules()
    fields = _deadline_fields(rules)

    def edit(draft: Draft, form: Mapping[str, str]) -> None:
        section = table(draft.doc, "deadlines", super_table=True)
        for rule in rules:
            raw = form.get(f"deadlines.{rule}.days", "").strip()
            if not raw:
                if rule in section:
                    del section[rule]
                continue
            override = tomlkit.table()
            override["days"] = int(raw) if raw.lstrip("+-").isdigit() else raw
            override["working_days"] = form.get(f"deadlines.{rule}.working_days") == "true"
            section[rule] = override
        if not section:
            del draft.doc["deadlines"]

    outcome = edit_config(edit, fields=fields)
    done = finish(outcome, "admin.calendar")
    if done is not None:
        return done
    values = {name: request.form.get(name, "") for name in fields}
    return calendar(values=values, errors=outcome.errors, outcome=outcome, form="deadlines")
