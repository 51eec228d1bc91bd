"""``[[categories]]`` and ``[[dispatch]]``: what a dispute is, and who takes it.

A tenant adds dispute categories of its own to the standard ones of :mod:`core.categories`
(渔事纠纷 at the sea, 茶园纠纷 among the tea villages), and writes its dispatch catalog (派单目录):
which department leads (主办) and which assist (协办) a case of a given case type, category or
tier level. :func:`core.routing.match_dispatch` reads the stored catalog.

Case types come from plugins through the ``onedoor_case_types`` hook. While no plugin the
tenant enables declares one (or the hook does not exist), a ``case_type`` is only checked for
its form; once types exist, an entry naming an unknown one is an error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from core.categories import CATEGORIES
from core.tenantconfig.enablement import Enablement
from core.tenantconfig.errors import ErrorCollector
from core.tenantconfig.model import LevelSpec
from core.tenantconfig.schema import (
    DISPATCH_CRITERIA,
    CategorySchema,
    DispatchSchema,
    load_section,
)
from core.tenantconfig.sections import entries


def raw_codes(raw: Any) -> set[str]:
    """The ``code`` of every entry of an array of tables, even of entries with other problems.

    Checks that refer to these codes use them, so that one bad entry is reported once, where it
    is written, and not again by every entry that names it.
    """
    if not isinstance(raw, list):
        return set()
    return {e["code"] for e in raw if isinstance(e, Mapping) and isinstance(e.get("code"), str)}


def load_categories(report: ErrorCollector, raw: Any) -> list[dict[str, Any]]:
    """``[[categories]]``: new codes only; a parent is standard or declared earlier."""
    result: list[dict[str, Any]] = []
    declared: dict[str, int] = {}
    listed = entries(report, raw, "categories")
    for index, entry in enumerate(listed):
        where = f"categories[{index}]"
        data, problems = load_section(CategorySchema(), entry)
        if data is None:
            report.extend(problems, where)
            continue
        code = data["code"]
        before = report.count()
        if code in CATEGORIES:
            report.add(f"{where}.code", f"{code!r} is a standard category "
                                        f"({CATEGORIES[code].name('zh_Hans')}): use it as it is, "
                                        "or choose another code")
        elif code in declared:
            report.add(f"{where}.code", f"category {code!r} is declared twice (first at "
                                        f"categories[{declared[code]}])")
        declared.setdefault(code, index)
        parent = data.get("parent")
        if parent is not None:
            _check_parent(report, f"{where}.parent", parent, code, listed, index)
        if report.count() == before:
            category = {"code": code, "names": dict(data["names"])}
            if parent is not None:
                category["parent"] = parent
            result.append(category)
    return result


def _check_parent(report: ErrorCollector, field: str, parent: str, code: str,
                  listed: list[Any], index: int) -> None:
    if parent in CATEGORIES or parent in raw_codes(listed[:index]):
        return  # an earlier entry with problems of its own is reported where it is written
    if parent == code:
        report.add(field, "a category cannot be its own parent")
    elif parent in raw_codes(listed[index + 1:]):
        report.add(field, f"category {parent!r} is declared below: declare a parent before "
                          "its children")
    else:
        report.add(field, f"unknown category {parent!r}: use a standard category or one "
                          "declared above")


def load_dispatch(report: ErrorCollector, raw: Any, *, enablement: Enablement,
                  category_codes: set[str], levels: Sequence[LevelSpec] | None,
                  department_codes: set[str]) -> list[dict[str, Any]]:
    """``[[dispatch]]``: each entry's criteria and departments, checked against the tenant.

    ``category_codes`` are the standard and the tenant's categories; ``levels`` is None when
    the tiers are broken (reported already), and level codes are then not checked.
    """
    result: list[dict[str, Any]] = []
    keys: dict[tuple[str, ...], int] = {}
    level_codes = [level.code for level in levels] if levels is not None else None
    for index, entry in enumerate(entries(report, raw, "dispatch")):
        where = f"dispatch[{index}]"
        data, problems = load_section(DispatchSchema(), entry)
        if data is None:
            report.extend(problems, where)
            continue
        before = report.count()
        if "case_type" in data:
            _check_case_type(report, f"{where}.case_type", data["case_type"], enablement)
        category = data.get("category")
        if category is not None and category not in category_codes:
            report.add(f"{where}.category", f"unknown category {category!r}: use a standard "
                                            "category or declare it under [[categories]]")
        level = data.get("level")
        if level is not None and level_codes is not None and level not in level_codes:
            report.add(f"{where}.level", f"unknown tier level {level!r} "
                                         f"(declared: {', '.join(level_codes)})")
        _check_departments(report, where, data["lead"], data["assisting"], department_codes)
        key = tuple(data.get(name, "") for name in DISPATCH_CRITERIA)
        if key in keys:
            report.add(where, _duplicate(key, keys[key]))
        keys.setdefault(key, index)
        if report.count() == before:
            stored = {name: data[name] for name in DISPATCH_CRITERIA if name in data}
            stored["lead"] = data["lead"]
            stored["assisting"] = list(data["assisting"])
            result.append(stored)
    return result


def _duplicate(key: tuple[str, ...], first: int) -> str:
    if not any(key):
        return (f"a second default entry (naming no case_type, category or level); the "
                f"tenant's default is dispatch[{first}]")
    named = ", ".join(f"{name} = {value!r}" for name, value in zip(DISPATCH_CRITERIA, key,
                                                                   strict=True) if value)
    return f"another entry for {named}: dispatch[{first}] already has it"


def _check_case_type(report: ErrorCollector, field: str, code: str,
                     enablement: Enablement) -> None:
    available = enablement.case_types
    if available is None or code in available:
        return
    plugin = enablement.foreign_case_types.get(code)
    if plugin is not None:
        report.add(field, f"case type {code!r} belongs to plugin {plugin}, which this tenant "
                          f"does not enable (add [plugins.{plugin}])")
    else:
        report.add(field, f"unknown case type {code!r}; this tenant has: "
                          f"{', '.join(sorted(available))}")


def _check_departments(report: ErrorCollector, where: str, lead: str, assisting: list[str],
                       department_codes: set[str]) -> None:
    if lead not in department_codes:
        report.add(f"{where}.lead", f"unknown department {lead!r}: declare it under "
                                    "[[departments]] first")
    seen: set[str] = set()
    for index, code in enumerate(assisting):
        field = f"{where}.assisting[{index}]"
        if code == lead:
            report.add(field, f"{code!r} leads this entry: it cannot also assist")
        elif code in seen:
            report.add(field, f"{code!r} is listed twice")
        elif code not in department_codes:
            report.add(field, f"unknown department {code!r}: declare it under "
                              "[[departments]] first")
        seen.add(code)
