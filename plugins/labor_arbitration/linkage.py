"""监察仲裁联动 and 类案同裁: the plugin's records linked to labor cases.

Called from the plugin's ``onedoor_after_transition`` inside the transition's transaction, so
a linked record exists exactly when the transition that caused it was committed, with its own
audit event next to the transition's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from core.toolkit import Case, Referral, audit_record

from . import rules
from .models import InspectionLink, SimilarCase


def link_similar(session: Any, case: Any, now: datetime, *, new: bool = False) -> list[str]:
    """Record ``case``'s claims against its employer; the claim types newly linked.

    ``new``: the case was registered in this transaction, so it has no links yet (the query
    for them is skipped on the intake path)."""
    details = case.details or {}
    employer = str(details.get("employer") or "").strip()
    if not employer:
        return []
    key = rules.normalized_employer(employer)[:120]
    existing = set() if new else set(session.scalars(select(SimilarCase.claim_type).where(
        SimilarCase.case_id == case.id)))
    added = []
    for claim in dict.fromkeys(details.get("claim_types") or []):
        if claim in existing:
            continue
        session.add(SimilarCase(case_id=case.id, employer_key=key, employer=employer[:120],
                                claim_type=claim, linked_at=now))
        added.append(claim)
    return added


def inspection_trigger(settings: dict[str, Any], case: Any, transition: str,
                       payload: dict[str, Any]) -> str | None:
    """Why ``transition`` of ``case`` should open a linked inspection, or None (pure)."""
    details = case.details or {}
    if transition == "register":
        if details.get("inspection_referral"):
            return "requested"
        threshold = int(settings.get("inspection_workers") or 0)
        workers = int(details.get("workers") or 1)
        if threshold and workers >= threshold and "wage_arrears" in (
                details.get("claim_types") or []):
            return "group_wage_arrears"
    if transition == "refer" and payload.get("route") == "administrative":
        return "administrative_referral"
    return None


def open_inspection(session: Any, settings: dict[str, Any], case: Any, trigger: str,
                    actor: str, now: datetime, *, new: bool = False) -> InspectionLink | None:
    """Open the linked inspection of ``case`` (one per case) with its audit event.

    ``new``: the case was registered in this transaction and cannot have one yet."""
    if not new and session.scalar(select(InspectionLink.id).where(
            InspectionLink.case_id == case.id)) is not None:
        return None
    link = InspectionLink(case_id=case.id, employer=str((case.details or {}).get("employer")
                                                        or "")[:120],
                          trigger=trigger, department=settings["inspection_department"],
                          status="open", opened_at=now, opened_by=actor[:120], note="")
    session.add(link)
    session.flush()
    audit_record(session, actor=actor, action="labor_arbitration.inspection_opened",
                 object_type="case", object_id=case.code,
                 data={"trigger": trigger, "department": link.department})
    return link


def close_inspection(session: Any, link: InspectionLink, note: str, actor: str) -> None:
    """Inspection has reported: close the link, keep its note, one audit event."""
    link.status = "closed"
    link.note = note[:2000]
    session.flush()
    case = session.get(Case, link.case_id)
    audit_record(session, actor=actor, action="labor_arbitration.inspection_closed",
                 object_type="case", object_id=case.code if case else str(link.case_id),
                 data={"note": link.note[:200]})


@dataclass
class SimilarGroup:
    """Cases against one employer over one claim: to be awarded alike (类案同裁)."""

    employer: str
    claim_type: str
    cases: list[tuple[str, str]] = field(default_factory=list)  # (code, status)


def similar_groups(session: Any) -> list[SimilarGroup]:
    """Groups of two or more cases of the session's tenant, largest first."""
    keys = session.execute(
        select(SimilarCase.employer_key, SimilarCase.claim_type)
        .group_by(SimilarCase.employer_key, SimilarCase.claim_type)
        .having(func.count() >= 2)
        .order_by(func.count().desc(), SimilarCase.employer_key, SimilarCase.claim_type)
        .limit(200)).all()
    groups = []
    for key, claim in keys:
        rows = session.execute(
            select(SimilarCase.employer, Case.code, Case.status)
            .join(Case, Case.id == SimilarCase.case_id)
            .where(SimilarCase.employer_key == key, SimilarCase.claim_type == claim)
            .order_by(Case.code)).all()
        group = SimilarGroup(rows[0].employer, claim)
        group.cases = [(row.code, row.status) for row in rows]
        groups.append(group)
    return groups


def similar_to(session: Any, case: Any) -> list[str]:
    """Codes of the other cases sharing an employer and a claim with ``case``."""
    mine = select(SimilarCase.employer_key, SimilarCase.claim_type).where(
        SimilarCase.case_id == case.id).subquery()
    return list(session.scalars(
        select(Case.code).join(SimilarCase, SimilarCase.case_id == Case.id)
        .join(mine, (mine.c.employer_key == SimilarCase.employer_key)
              & (mine.c.claim_type == SimilarCase.claim_type))
        .where(Case.id != case.id).distinct().order_by(Case.code)))


def inspections(session: Any) -> list[tuple[InspectionLink, str]]:
    """The tenant's linked inspections with their case codes, open ones first."""
    return [(link, code) for link, code in session.execute(
        select(InspectionLink, Case.code).join(Case, Case.id == InspectionLink.case_id)
        .order_by(InspectionLink.status.desc(), InspectionLink.opened_at.desc()).limit(500))]


def has_inspection(session: Any, case: Any) -> bool:
    """True when ``case`` has a linked inspection (open or closed)."""
    return session.scalar(select(func.count()).select_from(InspectionLink).where(
        InspectionLink.case_id == case.id)) > 0


def was_referred(session: Any, case: Any, route: str) -> bool:
    """True when ``case`` was referred down ``route`` before."""
    return session.scalar(select(func.count()).select_from(Referral).where(
        Referral.case_id == case.id, Referral.route == route)) > 0
