"""Tenant configuration as code: ``tenants/<slug>/tenant.toml`` validated, applied, exported.

::

    config = load("tenants/zhoushan", registry)        # ConfigErrors: FILE:LINE: field: message
    result = apply(database, registry, config)         # one transaction; result.changes
    export(database, registry, "zhoushan", "out/")     # the inverse: re-applying changes nothing

The keys of ``tenant.toml`` are documented in ``docs/tenant-config.md``.
"""

from core.tenantconfig.apply import ApplyResult, apply
from core.tenantconfig.errors import ConfigError, ConfigErrors
from core.tenantconfig.export import export, render
from core.tenantconfig.loader import load, resolve_path
from core.tenantconfig.model import (
    CenterEntry,
    DepartmentEntry,
    LevelSpec,
    StationingEntry,
    TenantConfig,
)

__all__ = [
    "ApplyResult",
    "CenterEntry",
    "ConfigError",
    "ConfigErrors",
    "DepartmentEntry",
    "LevelSpec",
    "StationingEntry",
    "TenantConfig",
    "apply",
    "export",
    "load",
    "render",
    "resolve_path",
]
