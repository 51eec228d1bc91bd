"""Policies: the escalation ladder (``[escalation]``), risk thresholds (``[risk]``) and how the
dashboards count (``[indicators]``).

Each is a tenant.toml table edited through :mod:`core.admin.editing` like every other form:
the loader checks the whole file, its errors land on the inputs (``risk.amount_red``; a ladder
step's ``escalation.ladder[1].min_attempts`` on the input ``ladder.1.min_attempts``), and
nothing is applied until the file is valid. What the person typed goes to the loader as it is
(a number that is not one stays text), so the loader's own message names the problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import tomlkit
from flask import g, request
from sqlalchemy import select
from werkzeug.wrappers import Response

from core.admin import bp
from core.admin.editing import Draft, Outcome, lines, set_or_remove, table
from core.admin.pages import edit_config, finish, page
from core.app import db_session
from core.models import TierLevel
from core.tenantconfig.policies import default_risk
from core.web import current_locale, localized

RISK_NUMBERS = ("group_threshold", "group_red_threshold", "amount_orange", "amount_red",
                "repeat_cases", "repeat_window_days")
RISK_LISTS = ("keywords_red", "keywords_orange")
RISK_FIELDS = tuple(f"risk.{key}" for key in (*RISK_NUMBERS, *RISK_LISTS))
INDICATOR_FIELDS = ("indicators.satisfaction_counts", "indicators.frontline_level")
STEP_KEYS = ("level", "min_attempts", "leader_required", "deadline_days")
#: Empty rows offered below the ladder's steps, to add a step.
SPARE_STEPS = 1


def _number(raw: str) -> int | str:
    """An integer when the text is one; otherwise the text, for the loader to refuse."""
    raw = raw.strip()
    return int(raw) if raw.lstrip("+-").isdigit() else raw


def _ladder() -> list[dict[str, Any]]:
    return [dict(step) for step in (g.tenant.config.get("escalation") or {}).get("ladder") or []]


def _step_fields(count: int) -> list[str]:
    return [f"ladder.{i}.{key}" for i in range(count) for key in STEP_KEYS]


def current_values() -> dict[str, str]:
    """The forms' values from the tenant's stored configuration (defaults where none)."""
    config = g.tenant.config
    risk = {**default_risk(), **(config.get("risk") or {})}
    values = {f"risk.{key}": str(risk.get(key, "")) for key in RISK_NUMBERS}
    values.update({f"risk.{key}": "\n".join(risk.get(key) or []) for key in RISK_LISTS})
    indicators = config.get("indicators") or {}
    values.update({name: str(indicators.get(name.split(".")[1], ""))
                   for name in INDICATOR_FIELDS})
    for index, step in enumerate(_ladder()):
        for key in STEP_KEYS:
            value = step.get(key, "")
            values[f"ladder.{index}.{key}"] = ("true" if value else "false") \
                if key == "leader_required" else str(value)
    return values


def _levels() -> list[TierLevel]:
    return list(db_session().scalars(select(TierLevel).order_by(TierLevel.rank)))


@bp.get("/policies")
def policies(values: dict[str, Any] | None = None, errors: dict[str, list[str]] | None = None,
             outcome: Outcome | None = None, form: str = "",
             steps: int | None = None) -> str:
    """The ladder, the risk thresholds and the indicator settings, each its own form."""
    count = len(_ladder()) if steps is None else steps
    locale = current_locale()
    names = {level.code: localized(level.names, level.code, locale) for level in _levels()}
    above = (g.tenant.config.get("escalation") or {}).get("above")
    return page("admin/policies.html", values={**current_values(), **(values or {})},
                errors=errors or {}, outcome=outcome, form=form,
                steps=range(count + SPARE_STEPS), level_pairs=list(names.items()),
                above_name=names.get(above, above or ""))


@bp.post("/policies/risk")
def policies_risk() -> str | Response:
    """Write ``[risk]``: every threshold as typed, keywords one per line."""
    def edit(draft: Draft, form: Mapping[str, str]) -> None:
        section = table(draft.doc, "risk")
        for key in RISK_NUMBERS:
            raw = form.get(f"risk.{key}", "").strip()
            set_or_remove(section, key, _number(raw) if raw else None)
        for key in RISK_LISTS:
            set_or_remove(section, key, lines(form.get(f"risk.{key}", "")))
        if not section:
            del draft.doc["risk"]

    outcome = edit_config(edit, fields=RISK_FIELDS)
    done = finish(outcome, "admin.policies")
    if done is not None:
        return done
    values = {name: request.form.get(name, "") for name in RISK_FIELDS}
    return policies(values=values, errors=outcome.errors, outcome=outcome, form="risk")


@bp.post("/policies/indicators")
def policies_indicators() -> str | Response:
    """Write ``[indicators]``: what 满意率 counts and the frontline tier level."""
    def edit(draft: Draft, form: Mapping[str, str]) -> None:
        section = table(draft.doc, "indicators")
        for name in INDICATOR_FIELDS:
            set_or_remove(section, name.split(".")[1], form.get(name, "").strip())
        if not section:
            del draft.doc["indicators"]

    outcome = edit_config(edit, fields=INDICATOR_FIELDS)
    done = finish(outcome, "admin.policies")
    if done is not None:
        return done
    values = {name: request.form.get(name, "") for name in INDICATOR_FIELDS}
    return policies(values=values, errors=outcome.errors, outcome=outcome, form="indicators")


@bp.post("/policies/escalation")
def policies_escalation() -> str | Response:
    """Write ``[escalation] ladder``: the rows with a level, in order; an empty row is dropped.

    A step keeps the names it had in tenant.toml (the form does not edit them).
    """
    count = _posted_steps()
    old = _ladder()
    kept: list[int] = []

    def edit(draft: Draft, form: Mapping[str, str]) -> list[tuple[str, str]]:
        ladder = tomlkit.array()
        for index in range(count):
            level = form.get(f"ladder.{index}.level", "").strip()
            if not level:
                continue
            step = tomlkit.inline_table()
            step["level"] = level
            for key in ("min_attempts", "deadline_days"):
                step[key] = _number(form.get(f"ladder.{index}.{key}", ""))
            step["leader_required"] = form.get(f"ladder.{index}.leader_required") == "true"
            if index < len(old) and old[index].get("names"):
                step["names"] = dict(old[index]["names"])
            ladder.append(step)
            kept.append(index)
        ladder.multiline(True)
        section = table(draft.doc, "escalation")
        section["ladder"] = ladder
        # Errors name the step by its place in the file; the form by its row.
        return [(f"escalation.ladder[{position}]", f"ladder.{row}")
                for position, row in enumerate(kept)]

    fields = [*_step_fields(count), "escalation.ladder", "escalation"]
    outcome = edit_config(edit, fields=fields)
    done = finish(outcome, "admin.policies")
    if done is not None:
        return done
    values = {name: request.form.get(name, "") for name in _step_fields(count)}
    return policies(values=values, errors=_ladder_errors(outcome.errors), outcome=outcome,
                    form="escalation", steps=max(count - SPARE_STEPS, 0))


def _posted_steps() -> int:
    """How many step rows the form posted (each has a level select)."""
    rows = [name.split(".")[1] for name in request.form if name.startswith("ladder.")]
    return max((int(row) + 1 for row in rows if row.isdigit()), default=0)


def _ladder_errors(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Errors about the ladder as a whole are shown on its first row's level."""
    result = dict(errors)
    for name in ("escalation.ladder", "escalation"):
        if name in result:
            result.setdefault("ladder.0.level", []).extend(result.pop(name))
    return result
