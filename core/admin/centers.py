"""Departments and windows: ``[[departments]]`` and each center's windows and stationings.

All of it is tenant.toml (``[[departments]]``, ``[[centers]] windows`` and
``[[centers.stationed]]``), so every form edits the rendered file and goes through the loader
and apply (:mod:`core.admin.editing`). Entries are found in the document by their codes, never
by position, so the page and the file cannot disagree about which one is meant.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import tomlkit
from flask import abort, g, request
from flask_babel import gettext
from sqlalchemy import select
from werkzeug.wrappers import Response

from core.admin import bp
from core.admin.editing import Draft, Outcome, set_or_remove
from core.admin.pages import Renames, edit_config, finish, page
from core.app import db_session
from core.models import Center, Department
from core.tenantconfig.schema import LOCALES
from core.web.centers import DAY_CODES, day_names

MODES = ("resident", "rotating", "on_call")
STATION_FIELDS = ("stationed.department", "stationed.mode", "stationed.days",
                  "stationed.hours", "stationed.contact", "stationed.note")
DEPARTMENT_FIELDS = ("department.code", *(f"department.names.{loc}" for loc in LOCALES),
                     "department.kind")


def _not_found() -> None:
    abort(404, gettext("There is no such item here, or you may not see it."))


def _index_of(entries: Any, key: str, code: str) -> int | None:
    for index, entry in enumerate(entries or []):
        if entry.get(key) == code:
            return index
    return None


def _center_entry(draft: Draft, code: str) -> tuple[int, Any]:
    index = _index_of(draft.doc.get("centers"), "code", code)
    if index is None:
        _not_found()
    return index, draft.doc["centers"][index]


# --- the list: centers and the tenant's departments ----------------------------------------


@bp.get("/centers")
def centers(values: dict[str, Any] | None = None, errors: dict[str, list[str]] | None = None,
            outcome: Outcome | None = None) -> str:
    """Every center with its windows and stationed departments, and ``[[departments]]``."""
    session = db_session()
    rows = session.scalars(select(Center).order_by(Center.code)).all()
    departments = session.scalars(select(Department).order_by(Department.id)).all()
    catalog = g.tenant.department_catalog()
    declared = {d.code for d in departments}
    return page("admin/centers.html", centers=rows, departments=departments,
                catalog=[(code, spec) for code, spec in sorted(catalog.items())
                         if code not in declared],
                window_types=g.tenant.window_types(), values=values or {"department.kind": ""},
                errors=errors or {}, outcome=outcome, locales=LOCALES)


@bp.post("/departments")
def centers_department() -> str | Response:
    """Declare a department: a catalog entry by its code, or the tenant's own with names."""
    def add(draft: Draft, form: Mapping[str, str]) -> Renames:
        entries = draft.doc.get("departments")
        if entries is None:
            draft.doc["departments"] = entries = tomlkit.aot()
        entry = tomlkit.table()
        entry["code"] = form.get("department.code", "").strip()
        names = {loc: form.get(f"department.names.{loc}", "").strip() for loc in LOCALES}
        if any(names.values()):
            inline = tomlkit.inline_table()
            inline.update({loc: text for loc, text in names.items() if text})
            entry["names"] = inline
        set_or_remove(entry, "kind", form.get("department.kind", "").strip())
        entries.append(entry)
        where = f"departments[{len(entries) - 1}]"
        # Names missing as a whole are reported on the table: show that on the zh_Hans input.
        return [*((f"{where}.names.{loc}", f"department.names.{loc}") for loc in LOCALES),
                (f"{where}.names", "department.names.zh_Hans"), (where, "department")]

    outcome = edit_config(add, fields=DEPARTMENT_FIELDS)
    done = finish(outcome, "admin.centers")
    if done is not None:
        return done
    values = {name: request.form.get(name, "") for name in DEPARTMENT_FIELDS}
    return centers(values=values, errors=outcome.errors, outcome=outcome)


@bp.post("/departments/<code>/remove")
def centers_department_remove(code: str) -> str | Response:
    """Drop a department from ``[[departments]]`` (refused while a center stations it)."""
    def remove(draft: Draft, _form: Mapping[str, str]) -> None:
        index = _index_of(draft.doc.get("departments"), "code", code)
        if index is None:
            _not_found()
        del draft.doc["departments"][index]

    outcome = edit_config(remove, fields=())
    return finish(outcome, "admin.centers") or centers(errors=outcome.errors, outcome=outcome)


# --- one center: windows and stationings ------------------------------------------------------


@bp.get("/centers/<code>")
def centers_center(code: str, values: dict[str, Any] | None = None,
                   errors: dict[str, list[str]] | None = None,
                   outcome: Outcome | None = None) -> str:
    """One center's windows and stationed departments, with the forms that change them."""
    session = db_session()
    center = session.scalar(select(Center).where(Center.code == code))
    if center is None:
        _not_found()
    window_types = g.tenant.window_types()
    opened = [w.window_type for w in center.windows]
    departments = session.scalars(select(Department).order_by(Department.code)).all()
    from core.web import current_locale  # noqa: PLC0415

    locale = current_locale()
    return page("admin/center.html", center=center, opened=opened, window_types=window_types,
                closed=[(c, t) for c, t in window_types.items() if c not in opened],
                departments=departments, modes=MODES, day_codes=DAY_CODES,
                day_label=lambda d: day_names([d], locale)[0],
                values=values or {"stationed.mode": "resident", "stationed.days": []},
                errors=errors or {}, outcome=outcome)


def _center_outcome(code: str, outcome: Outcome, values: dict[str, Any] | None = None
                    ) -> str | Response:
    done = finish(outcome, "admin.centers_center", code=code)
    if done is not None:
        return done
    return centers_center(code, values=values, errors=outcome.errors, outcome=outcome)


@bp.post("/centers/<code>/windows")
def centers_window(code: str) -> str | Response:
    """Open a window of a type this tenant has (core's or an enabled plugin's)."""
    def open_window(draft: Draft, form: Mapping[str, str]) -> Renames:
        index, entry = _center_entry(draft, code)
        windows = entry.get("windows")
        if windows is None:
            entry["windows"] = windows = tomlkit.array()
        windows.append(form.get("window", "").strip())
        return [(f"centers[{index}].windows[{len(windows) - 1}]", "window")]

    outcome = edit_config(open_window, fields=("window",))
    return _center_outcome(code, outcome, {"window": request.form.get("window", "")})


@bp.post("/centers/<code>/windows/<window_type>/close")
def centers_window_close(code: str, window_type: str) -> str | Response:
    """Close a window: remove its type from the center's ``windows``."""
    def close(draft: Draft, _form: Mapping[str, str]) -> None:
        _index, entry = _center_entry(draft, code)
        windows = entry.get("windows") or []
        if window_type not in windows:
            _not_found()
        windows.remove(window_type)

    return _center_outcome(code, edit_config(close, fields=()))


@bp.post("/centers/<code>/stationed")
def centers_station(code: str) -> str | Response:
    """Station a department (or change how it is stationed): mode and schedule."""
    def station(draft: Draft, form: Mapping[str, str]) -> Renames:
        index, entry = _center_entry(draft, code)
        department = form.get("stationed.department", "").strip()
        stationed = entry.get("stationed")
        if stationed is None:
            entry["stationed"] = stationed = tomlkit.aot()
        position = _index_of(stationed, "department", department)
        item = tomlkit.table()
        item["department"] = department
        item["mode"] = form.get("stationed.mode", "").strip()
        days = [d for d in request.form.getlist("stationed.days") if d]
        if days:
            item["days"] = days
        for key in ("hours", "contact", "note"):
            set_or_remove(item, key, form.get(f"stationed.{key}", "").strip())
        if position is None:
            position = len(stationed)
            stationed.append(item)
        else:  # one entry per department and center: the form replaces it
            stationed[position] = item
        return [(f"centers[{index}].stationed[{position}]", "stationed")]

    outcome = edit_config(station, fields=STATION_FIELDS)
    values = {name: request.form.get(name, "") for name in STATION_FIELDS}
    values["stationed.days"] = request.form.getlist("stationed.days")
    return _center_outcome(code, outcome, values)


@bp.post("/centers/<code>/stationed/<department>/remove")
def centers_unstation(code: str, department: str) -> str | Response:
    """Remove a department from the center (it stays declared under ``[[departments]]``)."""
    def unstation(draft: Draft, _form: Mapping[str, str]) -> None:
        _index, entry = _center_entry(draft, code)
        position = _index_of(entry.get("stationed"), "department", department)
        if position is None:
            _not_found()
        del entry["stationed"][position]
        if not entry["stationed"]:
            del entry["stationed"]

    return _center_outcome(code, edit_config(unstation, fields=()))
