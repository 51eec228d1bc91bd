"""Write a tenant's configuration back out as ``tenant.toml`` (+ ``logo.svg``, + nodes CSV).

Export is the inverse of apply: applying an exported folder to the database it came from changes
nothing. Trees of more than :data:`CSV_THRESHOLD` nodes go to ``nodes.csv`` instead of inline
``[[tiers.nodes]]`` tables, which would make the TOML unreadable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomlkit
from sqlalchemy import select
from tomlkit.items import AoT, Array, InlineTable, Table

from core.catalog import CatalogConflict, DepartmentSpec, merge_by_code
from core.db import Database, TenantSession
from core.models import Center, Department, Tenant, TenantPlugin
from core.plugins import PluginRegistry
from core.tenancy import TenantNotFound
from core.tenantconfig.loader import TOML_NAME
from core.tenantconfig.policies import default_calendar, default_risk
from core.tenantconfig.schema import DISPATCH_CRITERIA, LOCALES
from core.tiers import NodeRow, current_rows, levels_by_code, write_csv

CSV_THRESHOLD = 200
CSV_NAME = "nodes.csv"
LOGO_NAME = "logo.svg"


@dataclass
class Exported:
    """The text of ``tenant.toml`` and of the files it refers to, by file name."""

    toml: str
    files: dict[str, str] = field(default_factory=dict)


def export(database: Database, registry: PluginRegistry, slug: str, out_dir: str | Path) -> Path:
    """Write tenant ``slug`` to ``out_dir`` and return the path of its ``tenant.toml``.

    Raises :class:`core.tenancy.TenantNotFound` when no tenant has that slug.
    """
    exported = render(database, registry, slug)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, text in exported.files.items():
        (out / name).write_text(text, encoding="utf-8")
    path = out / TOML_NAME
    path.write_text(exported.toml, encoding="utf-8")
    return path


def render(database: Database, registry: PluginRegistry, slug: str) -> Exported:
    """Build the exported files of tenant ``slug`` in memory (``tenant export`` to stdout)."""
    with database.transaction() as session:
        tenant = session.scalar(select(Tenant).where(Tenant.slug == slug))
        if tenant is None:
            raise TenantNotFound(slug)
        session.bind_tenant(tenant.id)
        return _Renderer(session, registry, tenant).render()


def _names(names: Mapping[str, str]) -> InlineTable:
    table = tomlkit.inline_table()
    for locale in (*LOCALES, *sorted(set(names) - set(LOCALES))):
        if names.get(locale):
            table[locale] = names[locale]
    return table


def _names_table(names: Mapping[str, str]) -> Table:
    table = tomlkit.table()
    for locale, value in _names(names).items():
        table[locale] = value
    return table


def _multiline(items: list[Any]) -> Array:
    array = tomlkit.array()
    array.extend(items)
    return array.multiline(True)


class _Renderer:
    """Reads one tenant through its bound session and lays it out as ``tenant.toml``."""

    def __init__(self, session: TenantSession, registry: PluginRegistry, tenant: Tenant) -> None:
        self.session = session
        self.registry = registry
        self.tenant = tenant
        self.config: dict[str, Any] = dict(tenant.config or {})
        self.files: dict[str, str] = {}

    def render(self) -> Exported:
        tenant = self.tenant
        doc = tomlkit.document()
        doc.add(tomlkit.comment(f"Tenant {tenant.slug}, written by `onedoor tenant export`."))
        doc.add(tomlkit.comment("Every key is described in docs/tenant-config.md."))
        doc.add(tomlkit.nl())
        doc["slug"] = tenant.slug
        doc["enabled"] = tenant.enabled
        doc["case_code_prefix"] = tenant.case_code_prefix
        doc["timezone"] = tenant.timezone
        doc["default_locale"] = tenant.default_locale
        doc["names"] = _names_table(self.config.get("names", {}))
        if self.config.get("motto"):
            doc["motto"] = _names_table(self.config["motto"])
        doc["branding"] = self._branding()
        plugins = {row.plugin: dict(row.settings) for row in self.session.scalars(
            select(TenantPlugin).order_by(TenantPlugin.plugin))}
        doc["tiers"] = self._tiers()
        doc["departments"] = self._departments(plugins)
        doc["centers"] = self._centers()
        categories = self.config.get("categories") or []
        if categories:
            doc["categories"] = self._categories(categories)
        dispatch = self.config.get("dispatch") or []
        if dispatch:
            doc["dispatch"] = self._dispatch(dispatch)
        if plugins:
            doc["plugins"] = self._plugins(plugins)
        escalation = self.config.get("escalation", {}).get("ladder")
        if escalation:
            table = tomlkit.table()
            table["ladder"] = _multiline([self._inline(step) for step in escalation])
            doc["escalation"] = table
        deadlines = self.config.get("deadlines") or {}
        if deadlines:
            table = tomlkit.table(is_super_table=True)
            for rule, value in deadlines.items():
                table[rule] = self._table(value)
            doc["deadlines"] = table
        # Only what differs from the defaults: a tenant that wrote no [calendar] gets none back.
        for key, defaults in (("calendar", default_calendar()), ("risk", default_risk())):
            values = self.config.get(key) or {}
            changed = {k: v for k, v in values.items() if k in defaults and v != defaults[k]}
            if changed:
                doc[key] = self._table({k: _multiline(v) if isinstance(v, list) and len(v) > 4
                                        else v for k, v in changed.items()})
        if self.config.get("indicators"):
            doc["indicators"] = self._table(dict(self.config["indicators"]))
        return Exported(tomlkit.dumps(doc), self.files)

    @staticmethod
    def _inline(values: Mapping[str, Any]) -> InlineTable:
        table = tomlkit.inline_table()
        table.update({k: v for k, v in values.items() if v is not None})
        return table

    @staticmethod
    def _table(values: Mapping[str, Any]) -> Table:
        table = tomlkit.table()
        for key, value in values.items():
            if value is not None:  # TOML has no null; the schema's default gives it back
                table[key] = value
        return table

    def _branding(self) -> Table:
        branding = dict(self.config.get("branding", {}))
        svg = branding.pop("logo_svg", None)
        logo = branding.pop("logo", None)
        table = self._table(branding)
        if svg:
            name = Path(logo).name if logo and logo.lower().endswith(".svg") else LOGO_NAME
            table["logo"] = name
            self.files[name] = svg
        return table

    def _tiers(self) -> Table:
        table = tomlkit.table()
        table["levels"] = _multiline([
            self._inline({"code": level.code, "names": _names(level.names)})
            for level in levels_by_code(self.session).values()
        ])
        rows = current_rows(self.session)
        if len(rows) > CSV_THRESHOLD:
            self.files[CSV_NAME] = write_csv(rows)
            table["csv"] = CSV_NAME
        elif rows:
            table["nodes"] = self._nodes(rows)
        return table

    @staticmethod
    def _nodes(rows: list[NodeRow]) -> AoT:
        nodes = tomlkit.aot()
        for row in rows:
            node = tomlkit.table()
            node["code"] = row.code
            if row.parent:
                node["parent"] = row.parent
            node["level"] = row.level
            node["name"] = row.name
            if row.names:
                node["names"] = _names(row.names)
            nodes.append(node)
        return nodes

    def _catalog(self, plugins: Mapping[str, Any]) -> dict[str, DepartmentSpec]:
        try:
            return merge_by_code(self.registry.hooks_for(plugins).onedoor_department_catalog())
        except CatalogConflict:
            return {}

    def _departments(self, plugins: Mapping[str, Any]) -> AoT:
        catalog = self._catalog(plugins)
        departments = tomlkit.aot()
        for row in self.session.scalars(select(Department).order_by(Department.id)):
            entry = tomlkit.table()
            entry["code"] = row.code
            spec = catalog.get(row.code)
            # Catalog departments keep their catalog names unless the tenant renamed them.
            if spec is None or dict(spec.names) != dict(row.names):
                entry["names"] = _names(row.names)
            entry["kind"] = row.kind
            departments.append(entry)
        return departments

    def _centers(self) -> AoT:
        centers = tomlkit.aot()
        for center in self.session.scalars(select(Center).order_by(Center.id)):
            entry = tomlkit.table()
            entry["code"] = center.code
            entry["node"] = center.node.code
            entry["names"] = _names(center.names)
            if center.address:
                entry["address"] = center.address
            windows = [w.window_type for w in center.windows]
            entry["windows"] = _multiline(windows) if len(windows) > 4 else windows
            if center.stationings:
                stationed = tomlkit.aot()
                for row in center.stationings:
                    item = tomlkit.table()
                    item["department"] = row.department.code
                    item["mode"] = row.mode.value
                    for key, value in row.schedule.items():
                        item[key] = value
                    stationed.append(item)
                entry["stationed"] = stationed
            centers.append(entry)
        return centers

    @staticmethod
    def _categories(categories: list[Mapping[str, Any]]) -> AoT:
        result = tomlkit.aot()
        for category in categories:
            entry = tomlkit.table()
            entry["code"] = category["code"]
            entry["names"] = _names(category["names"])
            if category.get("parent"):
                entry["parent"] = category["parent"]
            result.append(entry)
        return result

    @staticmethod
    def _dispatch(dispatch: list[Mapping[str, Any]]) -> AoT:
        result = tomlkit.aot()
        for item in dispatch:
            entry = tomlkit.table()
            for key in (*DISPATCH_CRITERIA, "lead"):
                if item.get(key):
                    entry[key] = item[key]
            if item.get("assisting"):
                entry["assisting"] = list(item["assisting"])
            result.append(entry)
        return result

    def _plugins(self, plugins: Mapping[str, dict[str, Any]]) -> Table:
        table = tomlkit.table(is_super_table=True)
        for name, settings in plugins.items():
            table[name] = self._table(settings)
        return table
