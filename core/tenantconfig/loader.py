"""Read and validate a ``tenant.toml`` into a :class:`TenantConfig`.

Validation never touches the database: it needs only the file (with its logo and nodes CSV) and
the installed plugins. Every problem found is reported with its file, line and field, all at
once, as :class:`ConfigErrors`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from marshmallow import ValidationError

from core import escalation
from core.categories import CATEGORIES
from core.plugins import PluginRegistry
from core.tenantconfig.dispatch import load_categories, load_dispatch, raw_codes
from core.tenantconfig.enablement import load_plugins
from core.tenantconfig.errors import ConfigError, ConfigErrors, ErrorCollector
from core.tenantconfig.locate import TomlLocator
from core.tenantconfig.model import LevelSpec, TenantConfig
from core.tenantconfig.nodes import NodeSource
from core.tenantconfig.policies import load_calendar, load_indicators, load_risk
from core.tenantconfig.schema import (
    LevelSchema,
    TiersSchema,
    TopSchema,
    flatten_messages,
    load_section,
)
from core.tenantconfig.sections import (
    check_deadline_overrides,
    load_branding,
    load_centers,
    load_deadlines,
    load_departments,
    load_escalation,
)
from core.tiers import MAX_LEVELS, MIN_LEVELS

TOML_NAME = "tenant.toml"
_TOML_POSITION = re.compile(r"\(at (?:line (\d+), column \d+|end of document)\)")
_KEY_LINE = re.compile(r"^\s*([A-Za-z0-9_\-.\"']+)\s*=")
_HEADER_LINE = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?")


def resolve_path(path: str | Path) -> Path:
    """``tenants/zhoushan`` and ``tenants/zhoushan/tenant.toml`` both name the same file."""
    path = Path(path)
    return path / TOML_NAME if path.is_dir() else path


def load(path: str | Path, registry: PluginRegistry) -> TenantConfig:
    """Read and validate ``path`` (a ``tenant.toml`` or its folder) against ``registry``.

    Raises :class:`ConfigErrors` listing every problem found, each as ``FILE:LINE: field:
    message``; returns the complete, resolved configuration otherwise.
    """
    toml_path = resolve_path(path)
    text = _read_text(toml_path)
    data = _parse(toml_path, text)
    report = ErrorCollector(toml_path, TomlLocator(text))
    return _Loader(toml_path, data, registry, report).run()


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigErrors([ConfigError(str(path), 1, "", "file not found")]) from None
    except IsADirectoryError:
        raise ConfigErrors([ConfigError(str(path), 1, "", "is a folder without tenant.toml")]
                           ) from None
    except UnicodeDecodeError as exc:
        raise ConfigErrors([ConfigError(str(path), 1, "", f"not UTF-8 text ({exc.reason})")]
                           ) from None


def _parse(path: Path, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _TOML_POSITION.search(message)
        if match and match.group(1):
            line = int(match.group(1))
        else:  # "at end of document": the last line written
            line = max(1, len(text.splitlines()))
        field = _field_at(text, line)
        reason = _TOML_POSITION.sub("", message).strip()
        raise ConfigErrors([ConfigError(str(path), line, field,
                                        f"malformed TOML: {reason}")]) from None


def _field_at(text: str, line: int) -> str:
    """Best guess of the key written on ``line`` (with its table), for syntax errors."""
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return ""
    table = ""
    for previous in lines[: line - 1]:
        header = _HEADER_LINE.match(previous)
        if header and "=" not in previous.split("]")[0]:
            table = header.group(1)
    key = _KEY_LINE.match(lines[line - 1])
    if key:
        name = key.group(1).strip("\"'")
        return f"{table}.{name}" if table else name
    header = _HEADER_LINE.match(lines[line - 1])
    return header.group(1) if header else table


class _Loader:
    """One validation run: sections in dependency order, problems collected throughout."""

    def __init__(self, path: Path, data: dict[str, Any], registry: PluginRegistry,
                 report: ErrorCollector) -> None:
        self.path = path
        self.data = data
        self.registry = registry
        self.report = report

    def run(self) -> TenantConfig:
        top = self._top()
        enablement = load_plugins(self.report, self.data.get("plugins"), self.registry)
        levels, nodes = self._tiers()
        departments = load_departments(self.report, self.data.get("departments"), enablement)
        centers = load_centers(self.report, self.data.get("centers"), enablement,
                               nodes.codes, self._department_codes())
        ladder = load_escalation(self.report, self.data.get("escalation"), levels)
        deadlines = load_deadlines(self.report, self.data.get("deadlines"))
        check_deadline_overrides(
            self.report, deadlines, ladder, enablement,
            above=escalation.level_above([lv.code for lv in levels or []], ladder))
        branding = load_branding(self.report, self.data.get("branding"), self.path.parent)
        calendar = load_calendar(self.report, self.data.get("calendar"))
        risk = load_risk(self.report, self.data.get("risk"))
        indicators = load_indicators(self.report, self.data.get("indicators"),
                                     [lv.code for lv in levels] if levels else None)
        categories = load_categories(self.report, self.data.get("categories"))
        dispatch = load_dispatch(
            self.report, self.data.get("dispatch"), enablement=enablement,
            category_codes=set(CATEGORIES) | raw_codes(self.data.get("categories")),
            levels=levels, department_codes=self._department_codes())
        self.report.raise_if_any()
        assert levels is not None and nodes.planned is not None  # reported otherwise
        return TenantConfig(
            path=self.path,
            slug=top["slug"],
            enabled=top["enabled"],
            case_code_prefix=top["case_code_prefix"],
            timezone=top["timezone"],
            default_locale=top["default_locale"],
            names=dict(top["names"]),
            motto=dict(top.get("motto") or {}),
            branding=branding,
            levels=levels,
            nodes=nodes.planned,
            departments=departments,
            centers=centers,
            plugins=enablement.enabled,
            disabled_plugins=enablement.disabled,
            escalation=ladder,
            deadlines=deadlines,
            nodes_csv=nodes.csv_path,
            calendar=calendar,
            risk=risk,
            indicators=indicators,
            categories=categories,
            dispatch=dispatch,
        )

    def _top(self) -> dict[str, Any]:
        try:
            return TopSchema().load(self.data)
        except ValidationError as exc:
            self.report.extend(flatten_messages(exc.messages))
            return {}

    def _tiers(self) -> tuple[list[LevelSpec] | None, _Nodes]:
        raw = self.data.get("tiers")
        nodes = _Nodes(self.report)
        if not isinstance(raw, Mapping):
            if raw is not None:
                self.report.add("tiers", "must be a table: [tiers]")
            return None, nodes
        _, problems = load_section(TiersSchema(), raw)
        self.report.extend(problems, "tiers")
        raw_levels = raw.get("levels")
        levels = None
        if isinstance(raw_levels, list) and MIN_LEVELS <= len(raw_levels) <= MAX_LEVELS:
            levels = self._levels(raw_levels)
        if isinstance(raw.get("nodes"), list):
            nodes.source.add_inline(raw["nodes"])
        if isinstance(raw.get("csv"), str) and raw["csv"]:
            nodes.csv_path = self.path.parent / raw["csv"]
            nodes.source.add_csv(nodes.csv_path)
        nodes.plan(levels)
        return levels, nodes

    def _levels(self, raw: list[Any]) -> list[LevelSpec] | None:
        levels: list[LevelSpec] = []
        seen: set[str] = set()
        ok = True
        for index, entry in enumerate(raw):
            data, problems = load_section(LevelSchema(), entry)
            if data is None:
                self.report.extend(problems, f"tiers.levels[{index}]")
                ok = False
                continue
            if data["code"] in seen:
                self.report.add(f"tiers.levels[{index}].code",
                                f"level {data['code']!r} is declared twice")
                ok = False
            seen.add(data["code"])
            levels.append(LevelSpec(data["code"], dict(data["names"])))
        return levels if ok else None

    def _department_codes(self) -> set[str]:
        # Taken from the raw entries so that a department with a bad name elsewhere is not
        # also reported as unknown by every center that stations it.
        return raw_codes(self.data.get("departments"))


class _Nodes:
    """The tree being loaded: its source rows, the plan, and the CSV it came from."""

    def __init__(self, report: ErrorCollector) -> None:
        self.source = NodeSource(report)
        self.planned = None
        self.csv_path: Path | None = None

    @property
    def codes(self) -> set[str]:
        """Every declared node code, even when the tree as a whole has problems."""
        return {row.code for row in self.source.rows}

    def plan(self, levels: list[LevelSpec] | None) -> None:
        ranks = {level.code: rank for rank, level in enumerate(levels)} if levels else None
        self.planned = self.source.plan(ranks)
