"""``[plugins.<name>]``: which plugins a tenant enables, their settings, and what that makes exist.

A tenant's window types and department catalog come from core and from the plugins it enables,
so a window of a plugin it has not enabled does not exist for it: referring to one is an error
that says which plugin to enable.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from marshmallow import ValidationError

from core.catalog import CatalogConflict, DepartmentSpec, WindowType, merge_by_code
from core.plugins import PluginError, PluginRegistry, TenantHooks
from core.tenantconfig.errors import ErrorCollector
from core.tenantconfig.schema import flatten_messages


@dataclass
class Enablement:
    """The outcome of ``[plugins]``: enabled plugins with settings, and what they bring.

    ``windows`` and ``catalog`` are None when plugins declare clashing codes (reported), so
    that checks depending on them are skipped instead of reporting every window as unknown.
    """

    enabled: dict[str, dict[str, Any]] = field(default_factory=dict)
    disabled: list[str] = field(default_factory=list)
    windows: dict[str, WindowType] | None = None
    catalog: dict[str, DepartmentSpec] | None = None
    # Window codes of installed plugins this tenant does not enable → that plugin's name.
    foreign_windows: dict[str, str] = field(default_factory=dict)
    # Case types (``onedoor_case_types``) by code; None while no enabled plugin declares one,
    # or the hook does not exist: ``[[dispatch]] case_type`` is then checked for its form only.
    case_types: dict[str, Any] | None = None
    foreign_case_types: dict[str, str] = field(default_factory=dict)
    # Deadline rules (``onedoor_deadline_rules``) of core's essentials and the enabled plugins,
    # by name, and rule names of installed plugins this tenant does not enable → that plugin.
    deadline_rules: dict[str, Any] = field(default_factory=dict)
    foreign_deadline_rules: dict[str, str] = field(default_factory=dict)


def load_plugins(report: ErrorCollector, raw: Any, registry: PluginRegistry) -> Enablement:
    """Validate ``[plugins]`` and work out the tenant's window types and department catalog."""
    result = Enablement()
    listed: set[str] = set()
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        report.add("plugins", "must be a table of [plugins.<name>] tables")
        raw = {}
    for name, table in raw.items():
        if _load_one(report, registry, result, name, table):
            listed.add(name)
    hooks = registry.hooks_for(listed)
    try:
        result.windows = merge_by_code(hooks.onedoor_window_types())
        result.catalog = merge_by_code(hooks.onedoor_department_catalog())
    except CatalogConflict as exc:
        report.add("plugins", f"the enabled plugins clash: {exc}")
        result.windows = result.catalog = None
    try:
        result.case_types = merge_by_code(_case_types(hooks)) or None
    except CatalogConflict as exc:
        report.add("plugins", f"the enabled plugins clash on case types: {exc}")
    for rules in _hook_results(hooks, "onedoor_deadline_rules"):
        for rule in rules or []:
            result.deadline_rules.setdefault(rule.name, rule)
    for other in registry.optional:
        if other in listed:
            continue
        other_hooks = registry.hooks_of(other)
        for entries in other_hooks.onedoor_window_types():
            for window in entries or []:
                result.foreign_windows.setdefault(window.code, other)
        for entries in _case_types(other_hooks):
            for case_type in entries or []:
                result.foreign_case_types.setdefault(case_type.code, other)
        for rules in _hook_results(other_hooks, "onedoor_deadline_rules"):
            for rule in rules or []:
                result.foreign_deadline_rules.setdefault(rule.name, other)
    return result


def _case_types(hooks: TenantHooks) -> list[Any]:
    """The ``onedoor_case_types`` results through ``hooks``; [] where the hook does not exist."""
    return _hook_results(hooks, "onedoor_case_types")


def _hook_results(hooks: TenantHooks, name: str) -> list[Any]:
    """The results of hook ``name`` through ``hooks``; [] where the hook does not exist."""
    try:
        caller = getattr(hooks, name)
    except AttributeError:
        return []
    # Validation knows no tenant yet: deadline rules are asked for their names only.
    return list(caller(tenant=None) if name == "onedoor_deadline_rules" else caller())


def _load_one(report: ErrorCollector, registry: PluginRegistry, result: Enablement,
              name: str, table: Any) -> bool:
    """Check one ``[plugins.<name>]``; True when the plugin counts as enabled for the tenant."""
    where = f"plugins.{name}"
    if not isinstance(table, Mapping):
        report.add(where, f"must be a table: write [plugins.{name}] with its settings")
        return False
    settings = dict(table)
    flag = settings.pop("enabled", True)
    if not isinstance(flag, bool):
        report.add(f"{where}.enabled", "must be true or false")
        return False
    if name not in registry.infos:
        report.add(where, f"unknown plugin {name!r}; installed plugins: "
                          f"{', '.join(registry.optional) or 'none'}")
        return False
    if name in registry.essential:
        if not flag:
            report.add(f"{where}.enabled",
                       f"{name} is an essential plugin: it runs for every tenant and cannot be "
                       "disabled")
        else:
            _settings(report, registry, where, name, settings)
        return False
    if not flag:
        # Listed but disabled: kept in the file for later, its settings are not checked.
        result.disabled.append(name)
        return False
    loaded = _settings(report, registry, where, name, settings)
    if loaded is not None:
        result.enabled[name] = loaded
    # Counted as enabled even with bad settings, so its windows are not reported as well.
    return True


def _settings(report: ErrorCollector, registry: PluginRegistry, where: str, name: str,
              settings: dict[str, Any]) -> dict[str, Any] | None:
    try:
        loaded = registry.load_settings(name, settings)
    except ValidationError as exc:
        report.extend(flatten_messages(exc.messages), where)
        return None
    except PluginError as exc:
        report.add(where, str(exc))
        return None
    # Stored as JSON: normalise whatever types the plugin's schema produced.
    return json.loads(json.dumps(loaded, ensure_ascii=False, default=str))
