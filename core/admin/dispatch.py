"""Categories and the dispatch catalog: ``[[categories]]`` and ``[[dispatch]]`` of tenant.toml.

Both are arrays of tables, edited as rows: the tenant's entries, then a spare row to add one.
A row without its key (a category's code, a dispatch entry's lead department) is left out, so
emptying a row removes the entry. Edited through :mod:`core.admin.editing` like every other
form: the loader checks the whole file, its errors land on the row's inputs
(``dispatch[2].lead`` on ``dispatch.2.lead``), and nothing is applied until the file is valid.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import tomlkit
from flask import g, request
from sqlalchemy import select
from werkzeug.wrappers import Response

from core import cases
from core.admin import bp
from core.admin.editing import Draft, Outcome, lines
from core.admin.pages import edit_config, finish, page
from core.app import db_session
from core.categories import CATEGORIES, tenant_categories
from core.models import Department, TierLevel
from core.tenantconfig.schema import DISPATCH_CRITERIA, LOCALES
from core.web import current_locale, localized

CATEGORY_KEYS = ("code", *(f"names.{locale}" for locale in LOCALES), "parent")
DISPATCH_KEYS = (*DISPATCH_CRITERIA, "lead", "assisting")
SPARE_ROWS = 1


def _stored(key: str) -> list[dict[str, Any]]:
    return [dict(entry) for entry in g.tenant.config.get(key) or []]


def current_values() -> dict[str, str]:
    """Both forms' values from the tenant's stored configuration."""
    values: dict[str, str] = {}
    for index, entry in enumerate(_stored("categories")):
        values[f"categories.{index}.code"] = entry.get("code", "")
        values[f"categories.{index}.parent"] = entry.get("parent") or ""
        for locale in LOCALES:
            values[f"categories.{index}.names.{locale}"] = (entry.get("names") or {}).get(
                locale, "")
    for index, entry in enumerate(_stored("dispatch")):
        for key in (*DISPATCH_CRITERIA, "lead"):
            values[f"dispatch.{index}.{key}"] = entry.get(key) or ""
        values[f"dispatch.{index}.assisting"] = "\n".join(entry.get("assisting") or [])
    return values


def _options() -> dict[str, list[tuple[str, str]]]:
    locale = current_locale()
    session = db_session()
    own = [(c["code"], localized(c.get("names"), c["code"], locale))
           for c in _stored("categories")]
    every = tenant_categories(g.tenant.config)
    return {
        "case_types": [(code, t.name(locale)) for code, t in sorted(
            cases.case_types(g.tenant).items())],
        "categories": [(code, term.name(locale)) for code, term in every.items()],
        "parents": [(code, term.name(locale)) for code, term in CATEGORIES.items()] + own,
        "levels": [(level.code, localized(level.names, level.code, locale)) for level in
                   session.scalars(select(TierLevel).order_by(TierLevel.rank))],
        "departments": [(d.code, d.display_name(locale)) for d in
                        session.scalars(select(Department).order_by(Department.code))],
    }


@bp.get("/dispatch")
def dispatch(values: dict[str, Any] | None = None, errors: dict[str, list[str]] | None = None,
             outcome: Outcome | None = None, form: str = "",
             rows: dict[str, int] | None = None) -> str:
    """The tenant's own categories and its dispatch catalog, each a form of rows."""
    counts = {"categories": len(_stored("categories")), "dispatch": len(_stored("dispatch")),
              **(rows or {})}
    return page("admin/dispatch.html", values={**current_values(), **(values or {})},
                errors=errors or {}, outcome=outcome, form=form, options=_options(),
                category_rows=range(counts["categories"] + SPARE_ROWS),
                dispatch_rows=range(counts["dispatch"] + SPARE_ROWS), locales=LOCALES)


def _posted_rows(prefix: str) -> int:
    rows = [name.split(".")[1] for name in request.form if name.startswith(f"{prefix}.")]
    return max((int(row) + 1 for row in rows if row.isdigit()), default=0)


def _save(key: str, keys: tuple[str, ...], build) -> str | Response:
    """Replace ``[[key]]`` by the posted rows that ``build(row, form)`` turns into tables."""
    count = _posted_rows(key)
    kept: list[int] = []

    def edit(draft: Draft, form: Mapping[str, str]) -> list[tuple[str, str]]:
        entries = tomlkit.aot()
        for row in range(count):
            entry = build(row, form)
            if entry is not None:
                entries.append(entry)
                kept.append(row)
        if len(entries):
            draft.doc[key] = entries
        elif key in draft.doc:
            del draft.doc[key]
        return [(f"{key}[{position}]", f"{key}.{row}") for position, row in enumerate(kept)]

    fields = [f"{key}.{row}.{name}" for row in range(count) for name in keys]
    # An error about a whole entry (a duplicate) is shown on the row's first input.
    fields += [f"{key}.{row}" for row in range(count)]
    outcome = edit_config(edit, fields=fields)
    done = finish(outcome, "admin.dispatch")
    if done is not None:
        return done
    errors: dict[str, list[str]] = {}
    for name, messages in outcome.errors.items():
        parts = name.split(".")
        target = f"{name}.{keys[0]}" if len(parts) == 2 and parts[0] == key else name
        errors.setdefault(target, []).extend(messages)
    values = {name: request.form.get(name, "") for name in fields}
    return dispatch(values=values, errors=errors, outcome=outcome, form=key,
                    rows={key: max(count - SPARE_ROWS, 0)})


def _category(row: int, form: Mapping[str, str]):
    code = form.get(f"categories.{row}.code", "").strip()
    if not code:
        return None
    entry = tomlkit.table()
    entry["code"] = code
    names = tomlkit.inline_table()
    for locale in LOCALES:
        text = form.get(f"categories.{row}.names.{locale}", "").strip()
        if text:
            names[locale] = text
    entry["names"] = names
    parent = form.get(f"categories.{row}.parent", "").strip()
    if parent:
        entry["parent"] = parent
    return entry


def _dispatch_entry(row: int, form: Mapping[str, str]):
    lead = form.get(f"dispatch.{row}.lead", "").strip()
    if not lead:
        return None
    entry = tomlkit.table()
    for key in DISPATCH_CRITERIA:
        value = form.get(f"dispatch.{row}.{key}", "").strip()
        if value:
            entry[key] = value
    entry["lead"] = lead
    assisting = [code for line in lines(form.get(f"dispatch.{row}.assisting", ""))
                 for code in line.replace(",", " ").split()]
    if assisting:
        entry["assisting"] = assisting
    return entry


@bp.post("/categories")
def dispatch_categories() -> str | Response:
    """Write ``[[categories]]``: the tenant's own dispute categories."""
    return _save("categories", CATEGORY_KEYS, _category)


@bp.post("/dispatch")
def dispatch_save() -> str | Response:
    """Write ``[[dispatch]]``: the dispatch catalog (派单目录), most specific entry first."""
    return _save("dispatch", DISPATCH_KEYS, _dispatch_entry)
