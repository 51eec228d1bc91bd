"""Make the database match a :class:`TenantConfig`, in one transaction, and say what changed.

The tenant row is platform data (not tenant-scoped): it is created or updated first, then the
session is bound to the tenant and everything else is synchronised through the ordinary
tenant-isolated session. Removals come last and bottom-up (stationings and windows, then
centers, departments, nodes, levels), because each is referenced by the ones before it.

Applying the same file twice changes nothing the second time: no ``config_version`` bump, no
audit event. ``dry_run`` does the same work and rolls it back, so the preview is exactly what
an apply would do.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core import audit
from core.db import Database, TenantSession
from core.models import (
    Center,
    CenterWindow,
    Department,
    Stationing,
    StationingMode,
    Tenant,
    TenantPlugin,
    TierLevel,
    TierNode,
)
from core.plugins import PluginRegistry
from core.tenancy import TenantDirectory
from core.tenantconfig.changes import NodeLines, diff_config, diff_values, show
from core.tenantconfig.errors import ConfigError, ConfigErrors
from core.tenantconfig.locate import TomlLocator
from core.tenantconfig.model import CenterEntry, TenantConfig
from core.tiers import (
    TierError,
    current_rows,
    diff_tree,
    levels_by_code,
    prune_levels,
    sync_levels,
    sync_tree,
)

AUDIT_ACTION = "tenant.applied"
# Stored lists whose entries are listed when a tenant is created, as its rows are.
_LISTED_ENTRIES = ("categories", "dispatch")


@dataclass
class ApplyResult:
    """What :func:`apply` did (or, for a dry run, would do).

    ``tenant_id`` is None for a dry run that would create the tenant.
    """

    tenant_id: int | None
    slug: str
    created: bool
    changes: list[str] = field(default_factory=list)
    config_version: int = 1
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        """True when the database differed from the file."""
        return bool(self.changes)


class _DryRun(Exception):  # noqa: N818 - control flow, not an error
    """Unwinds the transaction of a dry run, carrying its result out."""

    def __init__(self, result: ApplyResult) -> None:
        super().__init__("dry run")
        self.result = result


def apply(database: Database, registry: PluginRegistry, config: TenantConfig, *,
          dry_run: bool = False, actor: str = "cli") -> ApplyResult:
    """Create or update tenant ``config.slug`` to match ``config``, all or nothing.

    Writes one ``tenant.applied`` audit event listing the changes when there are any. Raises
    :class:`ConfigErrors` when the database refuses a change (for instance removing a tier node
    that a record still uses); nothing is applied then.
    """
    try:
        with database.transaction() as session:
            result = _Applier(session, database, registry, config, actor).run()
            if dry_run:
                result.dry_run = True
                if result.created:
                    result.tenant_id = None
                raise _DryRun(result)
    except _DryRun as stop:
        return stop.result
    except TierError as exc:
        raise _config_error(config, exc.field or "tiers.nodes", str(exc)) from exc
    except _InUse as exc:
        raise _config_error(config, exc.field, exc.message) from exc
    return result


class _InUse(Exception):  # noqa: N818 - converted to ConfigErrors by apply()
    """A row the file no longer declares is still referenced by other records."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _config_error(config: TenantConfig, field: str, message: str) -> ConfigErrors:
    try:
        line = TomlLocator(config.path.read_text(encoding="utf-8-sig")).line_of(field)
    except OSError:
        line = 1
    return ConfigErrors([ConfigError(str(config.path), line, field, message)])


class _Applier:
    """One apply: the steps in dependency order, collecting change lines."""

    def __init__(self, session: TenantSession, database: Database, registry: PluginRegistry,
                 config: TenantConfig, actor: str) -> None:
        self.session = session
        self.database = database
        self.registry = registry
        self.config = config
        self.actor = actor
        self.changes: list[str] = []

    def run(self) -> ApplyResult:
        tenant, created = self._tenant()
        self.session.flush()
        self.session.bind_tenant(tenant.id)
        self._plugins()
        levels = self._levels()
        removed_nodes = self._tree(levels)
        departments, unwanted_departments = self._departments()
        self._centers(departments)
        self._drop_departments(unwanted_departments)
        if removed_nodes:
            sync_tree(self.session, self.config.nodes, levels, delete_missing=True)
        prune_levels(self.session, [level.code for level in self.config.levels])
        if self.changes and not created:
            tenant.config_version += 1
        self.session.flush()
        self._call_hooks(tenant)
        if self.changes:
            audit.record(self.session, actor=self.actor, action=AUDIT_ACTION,
                         object_type="tenant", object_id=tenant.slug,
                         data={"changes": list(self.changes)})
        return ApplyResult(tenant_id=tenant.id, slug=tenant.slug, created=created,
                           changes=list(self.changes), config_version=tenant.config_version)

    # --- the tenant row (platform data) --------------------------------------------------

    def _tenant(self) -> tuple[Tenant, bool]:
        cfg = self.config
        tenant = self.session.scalar(select(Tenant).where(Tenant.slug == cfg.slug))
        desired = cfg.stored_config()
        if tenant is None:
            tenant = Tenant(slug=cfg.slug, enabled=cfg.enabled,
                            case_code_prefix=cfg.case_code_prefix, timezone=cfg.timezone,
                            default_locale=cfg.default_locale, config=desired, config_version=1)
            self.session.add(tenant)
            self.changes.append(f"+ tenant {cfg.slug} {cfg.names['zh_Hans']}")
            # Catalog entries are listed like rows; the tenant's other settings are not.
            self.changes.extend(diff_config({}, {key: desired[key] for key in _LISTED_ENTRIES}))
            return tenant, True
        for attr in ("enabled", "case_code_prefix", "timezone", "default_locale"):
            old, new = getattr(tenant, attr), getattr(cfg, attr)
            if old != new:
                self.changes.append(f"~ {attr}: {show(old)} → {show(new)}")
                setattr(tenant, attr, new)
        stored = dict(tenant.config or {})
        # Only the keys tenant.toml owns are compared and replaced; others are kept.
        lines = diff_config(stored, desired)
        if lines:
            self.changes.extend(lines)
            tenant.config = {**stored, **desired}
        return tenant, False

    # --- tenant-scoped rows --------------------------------------------------------------

    def _plugins(self) -> None:
        existing = {row.plugin: row for row in self.session.scalars(select(TenantPlugin))}
        for name in sorted(self.config.plugins):
            settings = self.config.plugins[name]
            row = existing.pop(name, None)
            if row is None:
                self.session.add(TenantPlugin(plugin=name, settings=settings))
                self.changes.append(f"+ plugin {name}")
            elif row.settings != settings:
                self.changes.extend(diff_values(f"plugins.{name}", row.settings, settings))
                row.settings = settings
        for name, row in sorted(existing.items()):
            self.session.delete(row)
            self.changes.append(f"- plugin {name}")

    def _levels(self) -> dict[str, TierLevel]:
        existing = levels_by_code(self.session)
        wanted = [(level.code, level.names) for level in self.config.levels]
        if [(code, dict(lv.names)) for code, lv in existing.items()] == wanted:
            return existing
        wanted_codes = [code for code, _ in wanted]
        for code, names in wanted:
            level = existing.get(code)
            if level is None:
                self.changes.append(f"+ level {code} {names.get('zh_Hans', '')}".rstrip())
            else:
                self.changes.extend(diff_values(f"level {code}.names", dict(level.names), names))
        kept_before = [code for code in existing if code in wanted_codes]
        kept_after = [code for code in wanted_codes if code in existing]
        if kept_before != kept_after:
            self.changes.append(f"~ level order: {', '.join(kept_before)} → "
                                f"{', '.join(kept_after)}")
        self.changes.extend(f"- level {code}" for code in existing if code not in wanted_codes)
        return sync_levels(self.session, [{"code": c, "names": n} for c, n in wanted])

    def _tree(self, levels: dict[str, TierLevel]) -> list[str]:
        """Add and change nodes now; return the codes to remove once nothing uses them."""
        # sync_tree expires the session: pending attribute changes must be flushed first.
        self.session.flush()
        current = current_rows(self.session)
        diff = diff_tree(current, self.config.nodes)
        if not diff:
            return []
        old = {row.code: row for row in current}
        lines = NodeLines()
        for node in diff.added:
            lines.add(f"+ node {node.row.code} {node.row.name}")
        for node, fields in diff.changed:
            parts = [f"{name} {show(getattr(old[node.row.code], name)) or '(none)'} → "
                     f"{show(getattr(node.row, name)) or '(none)'}" for name in fields]
            lines.add(f"~ node {node.row.code}: {'; '.join(parts)}")
        for code in diff.removed:
            lines.add(f"- node {code}")
        self.changes.extend(lines.render())
        if diff.added or diff.changed:
            sync_tree(self.session, self.config.nodes, levels, delete_missing=False)
        return diff.removed

    def _departments(self) -> tuple[dict[str, Department], list[Department]]:
        existing = {row.code: row for row in self.session.scalars(select(Department))}
        result: dict[str, Department] = {}
        for entry in self.config.departments:
            row = existing.pop(entry.code, None)
            if row is None:
                row = Department(code=entry.code, names=dict(entry.names), kind=entry.kind)
                self.session.add(row)
                self.changes.append(f"+ department {entry.code} {entry.names.get('zh_Hans', '')}")
            else:
                self.changes.extend(diff_values(f"department {entry.code}.names",
                                                dict(row.names), entry.names))
                if row.names != entry.names:
                    row.names = dict(entry.names)
                if row.kind != entry.kind:
                    self.changes.append(f"~ department {entry.code}.kind: {row.kind} → "
                                        f"{entry.kind}")
                    row.kind = entry.kind
            result[entry.code] = row
        self.session.flush()
        return result, list(existing.values())

    def _centers(self, departments: dict[str, Department]) -> None:
        wanted_nodes = {entry.node for entry in self.config.centers}
        node_ids = dict(self.session.execute(
            select(TierNode.code, TierNode.id).where(TierNode.code.in_(wanted_nodes))
        ).all())
        existing = {row.code: row for row in self.session.scalars(select(Center))}
        for entry in self.config.centers:
            center = existing.pop(entry.code, None)
            if center is None:
                center = Center(code=entry.code, node_id=node_ids[entry.node],
                                names=dict(entry.names), address=entry.address)
                self.session.add(center)
                self.session.flush()
                self.changes.append(f"+ center {entry.code} {entry.names['zh_Hans']}")
            else:
                self._update_center(center, entry, node_ids)
            self._windows(center, entry)
            self._stationings(center, entry, departments)
        for code, center in sorted(existing.items()):
            with self._in_use("centers", f"center {code!r} is still used by other records; "
                                         "keep it in [[centers]]"):
                self.session.delete(center)
                self.session.flush()
            self.changes.append(f"- center {code}")
        self.session.flush()

    def _update_center(self, center: Center, entry: CenterEntry,
                       node_ids: dict[str, int]) -> None:
        if center.node.code != entry.node:
            self.changes.append(f"~ center {entry.code}.node: {center.node.code} → {entry.node}")
            center.node_id = node_ids[entry.node]
        if center.names != entry.names:
            self.changes.extend(diff_values(f"center {entry.code}.names", dict(center.names),
                                            entry.names))
            center.names = dict(entry.names)
        if center.address != entry.address:
            self.changes.append(f"~ center {entry.code}.address: {show(center.address)} → "
                                f"{show(entry.address)}")
            center.address = entry.address

    def _windows(self, center: Center, entry: CenterEntry) -> None:
        current = [window.window_type for window in center.windows]
        wanted = list(entry.windows)
        if current == wanted:
            return
        by_type = {window.window_type: window for window in center.windows}
        for window_type in current:
            if window_type not in wanted:
                center.windows.remove(by_type[window_type])
                self.changes.append(f"- window {entry.code} {window_type}")
        for position, window_type in enumerate(wanted):
            window = by_type.get(window_type)
            if window is None:
                center.windows.append(CenterWindow(window_type=window_type, position=position))
                self.changes.append(f"+ window {entry.code} {window_type}")
            else:
                window.position = position
        kept_before = [code for code in current if code in wanted]
        kept_after = [code for code in wanted if code in current]
        if kept_before != kept_after:
            self.changes.append(f"~ center {entry.code}.windows order: "
                                f"{', '.join(kept_before)} → {', '.join(kept_after)}")

    def _stationings(self, center: Center, entry: CenterEntry,
                     departments: dict[str, Department]) -> None:
        current = {row.department.code: row for row in center.stationings}
        for stationed in entry.stationed:
            where = f"stationing {entry.code} {stationed.department}"
            row = current.pop(stationed.department, None)
            if row is None:
                center.stationings.append(Stationing(
                    department=departments[stationed.department],
                    mode=StationingMode(stationed.mode), schedule=dict(stationed.schedule),
                ))
                self.changes.append(f"+ {where} ({stationed.mode})")
                continue
            if row.mode.value != stationed.mode:
                self.changes.append(f"~ {where}.mode: {row.mode.value} → {stationed.mode}")
                row.mode = StationingMode(stationed.mode)
            if row.schedule != stationed.schedule:
                self.changes.extend(diff_values(f"{where}.schedule", dict(row.schedule),
                                                dict(stationed.schedule)))
                row.schedule = dict(stationed.schedule)
        for code, row in sorted(current.items()):
            center.stationings.remove(row)
            self.changes.append(f"- stationing {entry.code} {code}")

    def _drop_departments(self, unwanted: list[Department]) -> None:
        for row in sorted(unwanted, key=lambda d: d.code):
            with self._in_use("departments", f"department {row.code!r} is still stationed or "
                                             "used by other records; keep it in [[departments]]"):
                self.session.delete(row)
                self.session.flush()
            self.changes.append(f"- department {row.code}")

    @contextmanager
    def _in_use(self, field: str, message: str) -> Iterator[None]:
        try:
            with self.session.begin_nested():
                yield
        except IntegrityError as exc:
            raise _InUse(field, message) from exc

    # --- after the data: plugin hooks --------------------------------------------------------

    def _call_hooks(self, tenant: Tenant) -> None:
        context = TenantDirectory(self.database, self.registry).build(tenant, self.config.plugins)
        # Essential plugins run for every tenant (without settings), then the enabled ones.
        settings: dict[str, dict[str, Any]] = {name: {} for name in sorted(self.registry.essential)}
        settings.update(sorted(self.config.plugins.items()))
        for name, plugin_settings in settings.items():
            self.registry.hooks_of(name).onedoor_tenant_applied(
                tenant=context, settings=dict(plugin_settings), session=self.session
            )
