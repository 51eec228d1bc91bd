"""Plugin discovery and the per-tenant hook proxies.

Installed is not enabled: every plugin found under the entry-point group ``onedoor.plugins`` is
registered once in one :class:`pluggy.PluginManager`, and each tenant calls hooks through a proxy
that leaves out the plugins it has not enabled (``subset_hook_caller``, as pytest does per
directory with ``Session.gethookproxy``). Proxies are cached by the set of enabled plugins, so
tenants with the same mix share them and a configuration change simply selects another entry.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from types import ModuleType
from typing import Any

import pluggy
from marshmallow import Schema

from core import PROJECT_NAME, __version__, hookspecs

ENTRY_POINT_GROUP = "onedoor.plugins"


class PluginError(ValueError):
    """A plugin name is unknown, essential where it may not be disabled, or badly configured."""


@dataclass(frozen=True)
class PluginInfo:
    """What ``onedoor plugins list`` shows about one installed plugin."""

    name: str
    version: str
    distribution: str
    module: Any = field(repr=False)
    essential: bool
    names: dict[str, str]

    def title(self, locale: str) -> str:
        """Human name in ``locale`` (plugins declare ``NAMES``), falling back to the code."""
        return self.names.get(locale) or self.names.get("zh_Hans") or self.name


class TenantHooks:
    """The hook relay of one set of enabled plugins: ``hooks.onedoor_window_types()``."""

    def __init__(self, pm: pluggy.PluginManager, removed: list[Any]) -> None:
        self._pm = pm
        self._removed = removed
        self._callers: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        try:
            return self._callers[name]
        except KeyError:
            pass
        if not name.startswith("onedoor_"):
            raise AttributeError(name)
        caller = self._pm.subset_hook_caller(name, remove_plugins=self._removed)
        self._callers[name] = caller
        return caller


class PluginRegistry:
    """All installed plugins, and the cached hook proxies of each enabled set."""

    def __init__(self, eps: Iterable[EntryPoint] | None = None) -> None:
        self.pm = pluggy.PluginManager(PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)
        self.infos: dict[str, PluginInfo] = {}
        self._proxies: dict[frozenset[str], TenantHooks] = {}
        self._lock = threading.Lock()
        for ep in sorted(
            eps if eps is not None else entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name
        ):
            self._register_entry_point(ep)

    def _register_entry_point(self, ep: EntryPoint) -> None:
        if ep.name in self.infos:
            # The same plugin can be visible twice (editable install plus a build directory).
            return
        module = ep.load()
        dist = ep.dist
        version = getattr(module, "__version__", None) or (dist.version if dist else __version__)
        self.pm.register(module, name=ep.name)
        self.infos[ep.name] = PluginInfo(
            name=ep.name,
            version=str(version),
            distribution=dist.metadata["Name"] if dist else "",
            module=module,
            essential=bool(getattr(module, "ESSENTIAL", False)),
            names=dict(getattr(module, "NAMES", {}) or {}),
        )

    def register(
        self, module: ModuleType | Any, name: str, *, version: str = "0", essential: bool = False
    ) -> None:
        """Register a plugin object directly (tests and embedding); prefer entry points."""
        self.pm.register(module, name=name)
        self.infos[name] = PluginInfo(
            name, version, "", module, essential, dict(getattr(module, "NAMES", {}) or {})
        )
        self._proxies.clear()

    @property
    def essential(self) -> frozenset[str]:
        """Plugins that run for every tenant and cannot be disabled."""
        return frozenset(n for n, info in self.infos.items() if info.essential)

    @property
    def optional(self) -> list[str]:
        """Plugins a tenant may enable, sorted by name."""
        return sorted(n for n, info in self.infos.items() if not info.essential)

    def check_enablement(self, names: Iterable[str]) -> None:
        """Refuse unknown plugin names with the list of installed ones."""
        unknown = sorted(set(names) - set(self.infos))
        if unknown:
            installed = ", ".join(sorted(self.infos))
            raise PluginError(f"unknown plugin(s) {', '.join(unknown)}; installed: {installed}")

    def hooks_for(self, enabled: Iterable[str]) -> TenantHooks:
        """The hook proxy for a tenant enabling ``enabled`` (essential plugins always run)."""
        key = frozenset(enabled) | self.essential
        proxy = self._proxies.get(key)
        if proxy is None:
            with self._lock:
                proxy = self._proxies.get(key)
                if proxy is None:
                    removed = [self.pm.get_plugin(n) for n in self.infos if n not in key]
                    proxy = self._proxies[key] = TenantHooks(self.pm, removed)
        return proxy

    def hooks_of(self, name: str) -> TenantHooks:
        """A proxy that calls plugin ``name`` alone (for per-plugin work such as its CLI)."""
        if name not in self.infos:
            raise PluginError(f"unknown plugin {name!r}")
        return TenantHooks(self.pm, [self.pm.get_plugin(n) for n in self.infos if n != name])

    def hook_names(self, name: str) -> list[str]:
        """Names of the hooks plugin ``name`` implements, sorted."""
        plugin = self.pm.get_plugin(name)
        return sorted(caller.name for caller in self.pm.get_hookcallers(plugin) or [])

    def settings_schema(self, name: str) -> Schema | None:
        """The marshmallow schema of plugin ``name``'s per-tenant settings, if it has one."""
        plugin = self.pm.get_plugin(name)
        impls = [
            i for i in self.pm.hook.onedoor_settings_schema.get_hookimpls() if i.plugin is plugin
        ]
        return impls[0].function() if impls else None

    def load_settings(self, name: str, data: dict[str, Any] | None) -> dict[str, Any]:
        """Validate and complete a tenant's settings for plugin ``name``.

        Raises :class:`marshmallow.ValidationError` naming the offending keys.
        """
        schema = self.settings_schema(name)
        if schema is None:
            if data:
                raise PluginError(f"plugin {name!r} takes no settings, got {sorted(data)}")
            return {}
        return schema.load(data or {})

    def collect(self, hook: str) -> list[Any]:
        """Call ``hook`` on every installed plugin (install-wide hooks such as migrations)."""
        return getattr(self.pm.hook, hook)()
