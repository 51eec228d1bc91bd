"""Which tenant a piece of work is for: the request's ``/<tenant>/`` and the current context.

A :class:`TenantContext` is an immutable snapshot of one tenant's configuration together with its
hook proxy. Snapshots are cached per process by ``(tenant id, config_version)``; every request
still reads the tenant's ``enabled`` flag and version (one indexed lookup), so disabling a tenant or
changing its configuration takes effect on the next request in every worker.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import select

from core.catalog import DepartmentSpec, WindowType, merge_by_code
from core.models import Tenant, TenantPlugin

if TYPE_CHECKING:
    from core.db import Database
    from core.plugins import PluginRegistry, TenantHooks

T = TypeVar("T")

_current: ContextVar[TenantContext | None] = ContextVar("onedoor_tenant", default=None)


class TenantNotFound(LookupError):
    """No enabled tenant has this slug."""


@dataclass(frozen=True)
class TenantContext:
    """One tenant's configuration as seen by a request, a CLI command or a task."""

    id: int
    slug: str
    case_code_prefix: str
    timezone: str
    default_locale: str
    config: dict[str, Any]
    config_version: int
    plugins: dict[str, dict[str, Any]]
    hooks: TenantHooks = field(repr=False, compare=False)
    # What is derived from this snapshot (case types, deadline rules, calendar, …), computed once.
    # It lives and dies with the snapshot, which the directory keys by (tenant id,
    # config_version): a new configuration gets a new snapshot, and no tenant sees another's.
    _derived: dict[str, Any] = field(default_factory=dict, init=False, repr=False,
                                     compare=False)

    def derived(self, key: str, build: Callable[[], T]) -> T:
        """The value ``build()`` gives for this snapshot, computed on first use and kept.

        For things that depend only on the tenant's configuration and enabled plugins (its hook
        proxy), never on database rows other than those an applied configuration writes (which
        bumps config_version: the tier tree); ``build`` may run twice under a race, harmlessly.
        Callers must not mutate what they get back: hand out copies of mutable values.
        """
        try:
            return self._derived[key]
        except KeyError:
            return self._derived.setdefault(key, build())

    def name(self, locale: str | None = None) -> str:
        """Display name in ``locale`` (default: the tenant's own locale)."""
        names = self.config.get("names", {})
        return names.get(locale or self.default_locale) or names.get("zh_Hans") or self.slug

    @property
    def branding(self) -> dict[str, Any]:
        """Colors, logo file name and hotline number from ``[branding]``."""
        return self.config.get("branding", {})

    def plugin_enabled(self, name: str) -> bool:
        """True when this tenant has enabled plugin ``name`` (essential plugins excluded)."""
        return name in self.plugins

    def window_types(self) -> dict[str, WindowType]:
        """Window types from core and this tenant's enabled plugins, by code."""
        return merge_by_code(self.hooks.onedoor_window_types())

    def department_catalog(self) -> dict[str, DepartmentSpec]:
        """Catalog departments from core and this tenant's enabled plugins, by code."""
        return merge_by_code(self.hooks.onedoor_department_catalog())


class TenantDirectory:
    """Resolves slugs to :class:`TenantContext` snapshots, with a per-process cache."""

    def __init__(self, database: Database, registry: PluginRegistry) -> None:
        self.database = database
        self.registry = registry
        self._cache: dict[tuple[int, int], TenantContext] = {}
        self._lock = threading.Lock()

    def get(self, slug: str) -> TenantContext:
        """The enabled tenant ``slug``; raises :class:`TenantNotFound` otherwise."""
        with self.database.engine.connect() as conn:
            row = conn.execute(
                select(Tenant.id, Tenant.enabled, Tenant.config_version).where(Tenant.slug == slug)
            ).first()
        if row is None or not row.enabled:
            raise TenantNotFound(slug)
        cached = self._cache.get((row.id, row.config_version))
        return cached if cached is not None else self._load(row.id)

    def _load(self, tenant_id: int) -> TenantContext:
        with self.database.transaction(tenant_id) as session:
            tenant = session.get(Tenant, tenant_id)
            if tenant is None:
                raise TenantNotFound(str(tenant_id))
            plugins = {
                p.plugin: dict(p.settings)
                for p in session.scalars(select(TenantPlugin).order_by(TenantPlugin.plugin))
            }
            context = self.build(tenant, plugins)
        with self._lock:
            # Older versions of this tenant can never be asked for again.
            for key in [k for k in self._cache if k[0] == tenant_id]:
                del self._cache[key]
            self._cache[(tenant_id, context.config_version)] = context
        return context

    def build(self, tenant: Tenant, plugins: dict[str, dict[str, Any]]) -> TenantContext:
        """A snapshot of ``tenant`` with ``plugins`` enabled (installed ones only)."""
        enabled = {n: s for n, s in plugins.items() if n in self.registry.infos}
        return TenantContext(
            id=tenant.id,
            slug=tenant.slug,
            case_code_prefix=tenant.case_code_prefix,
            timezone=tenant.timezone,
            default_locale=tenant.default_locale,
            config=dict(tenant.config or {}),
            config_version=tenant.config_version,
            plugins=enabled,
            hooks=self.registry.hooks_for(enabled),
        )

    def all_slugs(self) -> list[str]:
        """Slugs of every tenant, enabled or not (platform view)."""
        with self.database.engine.connect() as conn:
            return list(conn.scalars(select(Tenant.slug).order_by(Tenant.slug)))


def current_tenant() -> TenantContext:
    """The tenant the current request, command or task works for."""
    tenant = _current.get()
    if tenant is None:
        raise RuntimeError("no tenant in context: the code runs outside /<tenant>/ or a task")
    return tenant


def current_tenant_or_none() -> TenantContext | None:
    """Like :func:`current_tenant`, but None outside a tenant."""
    return _current.get()


@contextmanager
def tenant_context(tenant: TenantContext) -> Iterator[TenantContext]:
    """Make ``tenant`` current for the enclosed block (CLI commands, tasks, tests)."""
    token = _current.set(tenant)
    try:
        yield tenant
    finally:
        _current.reset(token)


def set_current(tenant: TenantContext | None) -> Any:
    """Set the current tenant and return the token to reset it (request hooks)."""
    return _current.set(tenant)


def reset_current(token: Any) -> None:
    """Undo :func:`set_current`."""
    _current.reset(token)


def require_plugin(name: str) -> TenantContext:
    """The current tenant, or a 404 when it has not enabled plugin ``name``.

    Plugin views call this (core does it for every plugin blueprint already); outside a request it
    raises :class:`TenantNotFound`.
    """
    tenant = current_tenant()
    if not tenant.plugin_enabled(name):
        raise TenantNotFound(f"{tenant.slug}: plugin {name} not enabled")
    return tenant
