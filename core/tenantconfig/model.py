"""A validated tenant configuration: what ``tenant.toml`` declares, resolved and complete."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core import escalation
from core.tenantconfig.policies import default_calendar, default_risk
from core.tiers import PlannedNode


@dataclass(frozen=True)
class LevelSpec:
    """One tier level, top first: ``city`` / 市."""

    code: str
    names: dict[str, str]


@dataclass(frozen=True)
class DepartmentEntry:
    """A department of the tenant; catalog entries have their names completed from the catalog."""

    code: str
    names: dict[str, str]
    kind: str


@dataclass(frozen=True)
class StationingEntry:
    """A department at a center: ``mode`` and ``schedule`` (days, hours, contact, note)."""

    department: str
    mode: str
    schedule: dict[str, Any]


@dataclass(frozen=True)
class CenterEntry:
    """A governance center at tier node ``node``, its windows in order, its stationed units."""

    code: str
    node: str
    names: dict[str, str]
    address: str
    windows: tuple[str, ...]
    stationed: tuple[StationingEntry, ...]


@dataclass
class TenantConfig:
    """Everything one ``tenant.toml`` declares, validated against the installed plugins.

    ``plugins`` holds the enabled optional plugins with their validated settings (essential
    plugins always run and are not listed); ``nodes`` is the planned tier tree, parents first.
    ``calendar`` and ``risk`` are complete (defaults filled in); ``categories`` and ``dispatch``
    keep the file's order, each entry a plain dict as stored in ``tenants.config``.
    """

    path: Path
    slug: str
    enabled: bool
    case_code_prefix: str
    timezone: str
    default_locale: str
    names: dict[str, str]
    motto: dict[str, str]
    branding: dict[str, str]
    levels: list[LevelSpec]
    nodes: list[PlannedNode]
    departments: list[DepartmentEntry]
    centers: list[CenterEntry]
    plugins: dict[str, dict[str, Any]]
    disabled_plugins: list[str] = field(default_factory=list)
    escalation: list[dict[str, Any]] = field(default_factory=list)
    deadlines: dict[str, dict[str, Any]] = field(default_factory=dict)
    nodes_csv: Path | None = None
    calendar: dict[str, list[str]] = field(default_factory=default_calendar)
    risk: dict[str, Any] = field(default_factory=default_risk)
    indicators: dict[str, Any] = field(default_factory=dict)
    categories: list[dict[str, Any]] = field(default_factory=list)
    dispatch: list[dict[str, Any]] = field(default_factory=list)

    def stored_config(self) -> dict[str, Any]:
        """The part kept in ``tenants.config`` (what is not a table of its own)."""
        return {
            "names": dict(self.names),
            "motto": dict(self.motto),
            "branding": dict(self.branding),
            "escalation": {
                "ladder": [dict(step) for step in self.escalation],
                # Where a dispute goes after the last step: derived, never written by export.
                "above": escalation.level_above([lv.code for lv in self.levels], self.escalation),
            },
            "deadlines": {rule: dict(value) for rule, value in self.deadlines.items()},
            "calendar": copy.deepcopy(self.calendar),
            "risk": copy.deepcopy(self.risk),
            "indicators": dict(self.indicators),
            "categories": copy.deepcopy(self.categories),
            "dispatch": copy.deepcopy(self.dispatch),
        }

    def summary(self) -> str:
        """``12 nodes, 3 centers, 8 dispatch entries, plugins: campus, maritime``."""
        plugins = ", ".join(sorted(self.plugins)) or "none"
        return (f"{len(self.nodes)} nodes, {len(self.centers)} centers, "
                f"{len(self.dispatch)} dispatch entries, plugins: {plugins}")
