"""One-click emergency (应急一键响应): a red-risk case and a warning letter to each liaison.

Seed 004's 景区版 "投诉一码受理、纠纷一站化解、应急一键响应": staff at a scenic spot raise an
emergency with one form; the case is registered (its risk rule makes it red, so notices are
delivered at once, not at the next working hour) and a 风险预警函 goes to each emergency liaison
of the tenant (police, culture and tourism, enforcement) — case, notices and their audit events
in the caller's one transaction. No Flask here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from core.toolkit import (
    CaseInvalid,
    Department,
    audit_record,
    calendar_for,
    issue_notice,
    msg,
    register_case,
)

from . import rules, schemas

NOTICE_KIND = "risk_warning_letter"


@dataclass(frozen=True)
class EmergencyRaised:
    """The emergency's case code and the numbers of the letters sent to the liaisons."""

    code: str
    notices: tuple[tuple[str, str], ...]  # (department code, letter number)


def raise_emergency(session: Any, tenant: Any, actor: Any, *, spot: str, kind: str,
                    location_node: str, reporter: str, description: str = "",
                    people_affected: int = 1, vault: Any, now: datetime) -> EmergencyRaised:
    """Register the emergency and alert every liaison, in the session's transaction.

    Raises :class:`core.toolkit.CaseInvalid` naming the field for bad input (an unknown spot or
    kind, a node outside the actor's tiers) or when none of the tenant's emergency liaisons is
    one of its departments (``liaisons``); nothing is written then (the caller rolls back).
    """
    liaisons = rules.existing_departments(session, rules.settings_of(tenant)
                                          ["emergency_liaisons"])
    if not liaisons:
        raise CaseInvalid({"liaisons": [msg(
            "none of the emergency liaisons of [plugins.scenic_area] emergency_liaisons is a "
            "department of this tenant")]})
    names = schemas.EMERGENCY_KINDS.get(kind, {})
    data = {
        "case_type": rules.EMERGENCY, "category": "tourism", "channel": "walk_in",
        "demand_type": "request", "title": f"{spot}：{names.get('zh_Hans', kind)}"[:200],
        "description": description, "location_node": location_node,
        "people_involved": people_affected,
        "details": {"scenic_spot": spot, "emergency_kind": kind,
                    "people_affected": people_affected},
        "parties": [{"role": "applicant", "kind": "person", "name": reporter}],
    }
    case = register_case(session, tenant, data, actor, vault=vault, now=now).case
    calendar = calendar_for(tenant)
    body = (f"应急一键响应：{spot}发生{names.get('zh_Hans', kind)}，涉及{people_affected}人。"
            f"请立即派员到场处置（案件 {case.code}）。")
    departments = {d.code: d for d in session.scalars(
        select(Department).where(Department.code.in_(liaisons)))}
    letters = []
    for code in liaisons:
        notice = issue_notice(session, case, NOTICE_KIND, issued_by=actor.name, body=body,
                              to_department_id=departments[code].id, now=now,
                              calendar=calendar)
        letters.append((code, notice.number))
    audit_record(session, actor=actor.name, action="scenic_area.emergency_raised",
                 object_type="case", object_id=case.code,
                 data={"spot": spot, "kind": kind, "liaisons": liaisons,
                       "letters": [number for _code, number in letters]})
    return EmergencyRaised(case.code, tuple(letters))
