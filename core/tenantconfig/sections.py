"""Sections of ``tenant.toml`` that refer to each other: departments, centers, escalation,
deadlines and branding (with its logo file).

Each function reports its problems to the :class:`ErrorCollector` and returns what it could
validate, so that one bad section does not hide the problems of the others.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from core import escalation, sla
from core.tenantconfig.enablement import Enablement
from core.tenantconfig.errors import ErrorCollector
from core.tenantconfig.model import CenterEntry, DepartmentEntry, LevelSpec, StationingEntry
from core.tenantconfig.schema import (
    DEFAULT_BRANDING,
    RULE_NAME,
    BrandingSchema,
    CenterSchema,
    DeadlineSchema,
    DepartmentSchema,
    EscalationSchema,
    StationedSchema,
    StepSchema,
    load_section,
)
from core.tenantconfig.svg import check_svg

SCHEDULE_KEYS = ("days", "hours", "contact", "note")
# Levels below the village that never host a mediation step of the default ladder.
_GRID_LEVELS = ("grid", "micro_grid")


def entries(report: ErrorCollector, raw: Any, field: str) -> list[Any]:
    """The entries of ``[[field]]``: [] when absent, reported when it is not an array."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        report.add(field, f"must be an array of tables: write [[{field}]] entries")
        return []
    return raw


def load_departments(report: ErrorCollector, raw: Any,
                     enablement: Enablement) -> list[DepartmentEntry]:
    """``[[departments]]``: catalog codes may omit names; other departments must give them."""
    catalog = enablement.catalog
    result: list[DepartmentEntry] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries(report, raw, "departments")):
        where = f"departments[{index}]"
        data, problems = load_section(DepartmentSchema(), entry)
        if data is None:
            report.extend(problems, where)
            continue
        code = data["code"]
        if code in seen:
            report.add(f"{where}.code", f"department {code!r} is declared twice")
            continue
        seen.add(code)
        spec = catalog.get(code) if catalog is not None else None
        given = dict(data.get("names") or {})
        if spec is None and catalog is not None and not given.get("zh_Hans"):
            report.add(f"{where}.names", f"{code!r} is not in the department catalog of this "
                       "tenant's plugins: give its names (names.zh_Hans at least)")
            continue
        names = {**(spec.names if spec else {}), **given}
        kind = data.get("kind") or (spec.kind if spec else "specialty")
        result.append(DepartmentEntry(code=code, names=names, kind=kind))
    return result


def load_centers(report: ErrorCollector, raw: Any, enablement: Enablement,
                 node_codes: set[str], department_codes: set[str]) -> list[CenterEntry]:
    """``[[centers]]`` with windows and stationed departments, checked against the tenant."""
    result: list[CenterEntry] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries(report, raw, "centers")):
        where = f"centers[{index}]"
        data, problems = load_section(CenterSchema(), entry)
        if data is None:
            report.extend(problems, where)
            continue
        before = report.count()
        if data["code"] in seen:
            report.add(f"{where}.code", f"center {data['code']!r} is declared twice")
        seen.add(data["code"])
        if data["node"] not in node_codes:
            report.add(f"{where}.node", f"unknown tier node {data['node']!r}")
        _check_windows(report, where, data["windows"], enablement)
        stationed = _load_stationed(report, where, data["stationed"], department_codes)
        if report.count() == before:
            result.append(CenterEntry(
                code=data["code"], node=data["node"], names=dict(data["names"]),
                address=data["address"], windows=tuple(data["windows"]),
                stationed=tuple(stationed),
            ))
    return result


def _check_windows(report: ErrorCollector, where: str, windows: Sequence[str],
                   enablement: Enablement) -> None:
    available = enablement.windows
    seen: set[str] = set()
    for index, code in enumerate(windows):
        field = f"{where}.windows[{index}]"
        if code in seen:
            report.add(field, f"window {code!r} is listed twice")
        seen.add(code)
        if available is None or code in available:
            continue
        plugin = enablement.foreign_windows.get(code)
        if plugin is not None:
            report.add(field, f"window type {code!r} belongs to plugin {plugin}, which this "
                              f"tenant does not enable (add [plugins.{plugin}])")
        else:
            report.add(field, f"unknown window type {code!r}; this tenant has: "
                              f"{', '.join(sorted(available))}")


def _load_stationed(report: ErrorCollector, where: str, entries: Sequence[Any],
                    department_codes: set[str]) -> list[StationingEntry]:
    result: list[StationingEntry] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        field = f"{where}.stationed[{index}]"
        data, problems = load_section(StationedSchema(), entry)
        if data is None:
            report.extend(problems, field)
            continue
        department = data["department"]
        if department not in department_codes:
            report.add(f"{field}.department", f"unknown department {department!r}: declare it "
                                              "under [[departments]] first")
        elif department in seen:
            report.add(f"{field}.department", f"{department!r} is stationed here twice")
        seen.add(department)
        schedule = {key: data[key] for key in SCHEDULE_KEYS if data.get(key)}
        result.append(StationingEntry(department, data["mode"], schedule))
    return result


def default_ladder(levels: Sequence[LevelSpec]) -> list[dict[str, Any]]:
    """The "1+2+3" ladder of seed 000, placed on the tenant's own levels.

    The village mediator tries once; the village (community) committee at least twice with its
    secretary; the town (street) at least three times with its principal leader; then the
    county (district) takes over. "Village" is the lowest level that is not a grid.
    """
    codes = [level.code for level in levels]
    candidates = [code for code in codes if code not in _GRID_LEVELS]
    base = candidates[-1] if len(candidates) >= 2 else codes[-2]
    above = codes[codes.index(base) - 1]
    return [
        {"level": base, "min_attempts": 1, "leader_required": False, "deadline_days": 5},
        {"level": base, "min_attempts": 2, "leader_required": True, "deadline_days": 10},
        {"level": above, "min_attempts": 3, "leader_required": True, "deadline_days": 15},
    ]


def load_escalation(report: ErrorCollector, raw: Any,
                    levels: list[LevelSpec] | None) -> list[dict[str, Any]]:
    """``[escalation] ladder``: steps bottom-up, each at the same level as the last or higher."""
    if raw is None:
        return default_ladder(levels) if levels else []
    data, problems = load_section(EscalationSchema(), raw)
    if data is None:
        report.extend(problems, "escalation")
        return []
    ranks = {level.code: rank for rank, level in enumerate(levels or [])}
    steps: list[dict[str, Any]] = []
    previous: dict[str, Any] | None = None
    for index, entry in enumerate(data["ladder"]):
        where = f"escalation.ladder[{index}]"
        step, problems = load_section(StepSchema(), entry)
        if step is None:
            report.extend(problems, where)
            continue
        steps.append(step)
        if levels is None:
            continue
        if step["level"] not in ranks:
            report.add(f"{where}.level", f"unknown tier level {step['level']!r} "
                                         f"(declared: {', '.join(ranks)})")
        elif previous is not None and ranks[step["level"]] > ranks[previous["level"]]:
            report.add(f"{where}.level", f"the ladder climbs the tiers: {step['level']!r} "
                                         f"cannot follow {previous['level']!r}")
        if step["level"] in ranks:
            previous = step
    return steps


def load_deadlines(report: ErrorCollector, raw: Any) -> dict[str, dict[str, Any]]:
    """``[deadlines.<rule>]``: ``days`` and ``working_days`` per rule name."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        report.add("deadlines", "must be a table of [deadlines.<rule>] tables")
        return {}
    result: dict[str, dict[str, Any]] = {}
    for rule, value in raw.items():
        where = f"deadlines.{rule}"
        if not RULE_NAME.match(rule):
            report.add(where, "rule names are lowercase letters, digits and '_'")
            continue
        data, problems = load_section(DeadlineSchema(), value)
        if data is None:
            report.extend(problems, where)
            continue
        result[rule] = data
    return result


def check_deadline_overrides(report: ErrorCollector, deadlines: Mapping[str, Any],
                             ladder: Sequence[Mapping[str, Any]],
                             enablement: Enablement, above: str | None = None) -> None:
    """Report ``[deadlines.<rule>]`` tables that name no deadline rule of this tenant.

    The tenant's rules are core's, one ``rung_<index>`` per rung of its escalation ladder (the
    steps, then ``above``: the tier over the last step) and those of the plugins it enables
    (:func:`core.sla.tenant_rules` builds the same set at run time, where an unknown override
    would silently do nothing). A name that an installed but not enabled plugin provides says
    which plugin; a near miss suggests the rule meant.
    """
    rules: dict[str, Any] = dict(sla.DEFAULT_RULES)
    rules.update(sla.rung_rules(escalation.ladder_from_config(ladder, above)))
    rules.update(enablement.deadline_rules)
    for name in sla.unknown_overrides(rules, deadlines):
        owner = enablement.foreign_deadline_rules.get(name)
        if owner is not None:
            message = (f"deadline rule {name!r} belongs to plugin {owner}, which this tenant "
                       f"does not enable (add [plugins.{owner}])")
        else:
            close = difflib.get_close_matches(name, rules, n=1)
            hint = (f"did you mean {close[0]!r}?" if close
                    else f"this tenant has: {', '.join(sorted(rules))}")
            message = f"unknown deadline rule {name!r}; {hint}"
        report.add(f"deadlines.{name}", message)


def load_branding(report: ErrorCollector, raw: Any, base_dir: Path) -> dict[str, str]:
    """``[branding]`` with defaults; the logo SVG is read, checked and kept as text."""
    data, problems = load_section(BrandingSchema(), raw if raw is not None else {})
    if data is None:
        report.extend(problems, "branding")
        return dict(DEFAULT_BRANDING)
    branding = {**DEFAULT_BRANDING, **data}
    logo = data.get("logo")
    if logo:
        svg = _read_logo(report, base_dir, logo)
        if svg is not None:
            branding["logo_svg"] = svg
    return branding


def _read_logo(report: ErrorCollector, base_dir: Path, name: str) -> str | None:
    relative = Path(name)
    if relative.is_absolute() or ".." in relative.parts:
        report.add("branding.logo", "give the logo file relative to tenant.toml, inside its folder")
        return None
    if relative.suffix.lower() != ".svg":
        report.add("branding.logo", "the logo must be an .svg file")
        return None
    path = base_dir / relative
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        report.add("branding.logo", f"file not found: {path}")
        return None
    except UnicodeDecodeError:
        report.add_at(path, 1, "branding.logo", "the logo is not UTF-8 text")
        return None
    problems = check_svg(text)
    for line, message in problems:
        report.add_at(path, line, "branding.logo", message)
    return None if problems else text
