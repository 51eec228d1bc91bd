"""监察仲裁联动 and 类案同裁: the plugin's records linked to labor cases.

Called from the plugin's ``onedoor_after_transition`` inside the transition's transaction, so
a linked record exists exactly when the transition that caused it was committed, with its own
audit event next to the transition's.

A linked inspection is a case of its own, of type ``labor_inspection``, registered through
core's intake (``register_case``: validation, code, 60-working-day clock, risk, its
``case.registered`` event) in the same transaction as the labor case's transition; the
:class:`~.models.InspectionLink` row ties the two together and follows the inspection case: it
closes when that case ends (resolved, closed, not accepted, withdrawn, merged) and opens again
when it is reopened.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from core.toolkit import (
    Case,
    Referral,
    TierNode,
    audit_record,
    insert_now,
    register_case,
    tenant_sql,
)

from . import rules
from .checks import INSPECTION_TYPE
from .models import InspectionLink, SimilarCase
from .schemas import INSPECTION_TRIGGERS

#: Statuses of the inspection case in which the inspection is over: its link closes.
INSPECTION_ENDED = frozenset({"resolved", "closed", "not_accepted", "withdrawn", "merged"})

#: When a transition happened, as the case records it (the hook is not told its ``now``).
_STAMPS = {"register": "registered_at", "accept": "accepted_at", "resolve": "resolved_at",
           "close": "closed_at"}


def transition_time(session: Any, case: Any, transition: str) -> datetime:
    """The moment of ``transition`` of ``case`` just taken: its time stamp on the case (or on
    the referral it wrote), else the clock."""
    attribute = _STAMPS.get(transition)
    moment = getattr(case, attribute) if attribute else None
    if moment is None and transition == "refer":
        # The referral this transition added, from the session (its time as given, aware).
        referral = session.scalars(select(Referral).where(Referral.case_id == case.id)
                                   .order_by(Referral.id.desc()).limit(1)).first()
        moment = referral.referred_at if referral is not None else None
    if moment is None:
        return datetime.now(UTC)
    # Read back from SQLite (intake's INSERT … RETURNING) a time stamp is naive UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


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
    rows = [SimilarCase(case_id=case.id, employer_key=key, employer=employer[:120],
                        claim_type=claim, linked_at=now)
            for claim in dict.fromkeys(details.get("claim_types") or []) if claim not in existing]
    # One INSERT for all the claims, now: on the intake path the unit of work's flush of a few
    # small rows at commit costs more than the statement itself.
    insert_now(session, rows)
    return [row.claim_type for row in rows]


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


class _NoVault:
    """The vault given to the inspection case's intake: its two parties are organizations named
    without identity numbers, phones or e-mail addresses (:func:`inspection_intake`), so there is
    nothing to encrypt — the hook has no vault to give, and using this one is a bug."""

    def encrypt(self, *_args: Any, **_kwargs: Any) -> str:
        raise RuntimeError("the labor inspection intake carries no personal data to encrypt")

    blind_index = encrypt


NO_VAULT = _NoVault()

_CENTER_CODE = "SELECT code FROM centers WHERE tenant_id = :tenant_id AND id = :id"


def inspection_intake(settings: dict[str, Any], case: Any, trigger: str, location_node: str,
                      intake_center: str | None) -> dict[str, Any]:
    """The intake of the labor inspection case that labor case ``case`` opens (pure).

    The commission hands the employer over (移送): it is the applicant, the employer the
    respondent, both organizations without identity numbers. The workers stay parties of the
    labor case only; the inspection case names the dispute by its code.
    """
    details = case.details or {}
    employer = str(details.get("employer") or "").strip()[:120]
    workers = int(details.get("workers") or 1)
    why = INSPECTION_TRIGGERS.get(trigger, {}).get("zh_Hans", trigger)
    return {
        "case_type": INSPECTION_TYPE, "category": "labor", "channel": case.channel,
        "demand_type": "complaint", "title": f"劳动保障监察：{employer}"[:200],
        "description": f"劳动人事争议 {case.code} 移送劳动保障监察（{why}）。",
        "location_node": location_node, "intake_center": intake_center,
        "people_involved": workers, "is_group": bool(case.is_group),
        "parties": [
            {"role": "applicant", "kind": "organization",
             "name": str(settings["arbitration_commission"])[:120]},
            {"role": "respondent", "kind": "organization", "name": employer},
        ],
        "details": {"employer": employer,
                    "employer_credit_code": str(details.get("employer_credit_code") or ""),
                    "trigger": trigger, "source_case": case.code, "workers": workers,
                    "claim_types": list(details.get("claim_types") or [])},
    }


def _where(session: Any, case: Any, actor: Any) -> tuple[str, str | None]:
    """Where the inspection case is registered: the labor case's location and intake center,
    or its current node when the actor's tiers do not reach the location."""
    nodes = {row.id: row for row in session.execute(
        select(TierNode.id, TierNode.code, TierNode.path).where(
            TierNode.id.in_({case.location_node_id, case.node_id})))}
    location = nodes[case.location_node_id]
    center = None
    if case.intake_center_id is not None:
        center = tenant_sql(session, _CENTER_CODE, {"id": case.intake_center_id}).scalar()
    if actor.covers(location.path):
        return location.code, center
    return nodes[case.node_id].code, center


def open_inspection(session: Any, tenant: Any, settings: dict[str, Any], case: Any,
                    trigger: str, actor: Any, now: datetime, *,
                    new: bool = False) -> InspectionLink | None:
    """Open the linked inspection of ``case`` (one per case): register its labor inspection
    case and the link, with one audit event naming both codes.

    ``new``: the case was registered in this transaction and cannot have one yet. Anything
    the inspection case's intake refuses propagates: the whole transition is rolled back."""
    if not new and session.scalar(select(InspectionLink.id).where(
            InspectionLink.case_id == case.id)) is not None:
        return None
    location, center = _where(session, case, actor)
    data = inspection_intake(settings, case, trigger, location, center)
    inspection = register_case(session, tenant, data, actor, vault=NO_VAULT, now=now).case
    link = InspectionLink(case_id=case.id, inspection_case_id=inspection.id,
                          employer=data["details"]["employer"], trigger=trigger,
                          department=settings["inspection_department"], status="open",
                          opened_at=now, opened_by=actor.name[:120], note="")
    session.add(link)
    session.flush()
    audit_record(session, actor=actor.name, action="labor_arbitration.inspection_opened",
                 object_type="case", object_id=case.code,
                 data={"trigger": trigger, "department": link.department,
                       "inspection_case": inspection.code})
    return link


def close_inspection(session: Any, link: InspectionLink, note: str, actor: str) -> None:
    """Inspection has reported: close the link, keep its note, one audit event."""
    link.status = "closed"
    link.note = note[:2000]
    session.flush()
    case = session.get(Case, link.case_id)
    data: dict[str, Any] = {"note": link.note[:200]}
    if link.inspection_case_id is not None:
        inspection = session.get(Case, link.inspection_case_id)
        data["inspection_case"] = inspection.code if inspection else None
    audit_record(session, actor=actor, action="labor_arbitration.inspection_closed",
                 object_type="case", object_id=case.code if case else str(link.case_id),
                 data=data)


def _closing_note(payload: dict[str, Any]) -> str:
    """What the inspection case's ending transition says: its outcome or reason."""
    for key in ("outcome", "reason", "note"):
        if str(payload.get(key) or "").strip():
            return str(payload[key]).strip()
    if payload.get("into"):
        return f"→ {payload['into']}"
    return ""


def follow_inspection(session: Any, case: Any, transition: str, payload: dict[str, Any],
                      actor: str) -> None:
    """Keep the link of inspection case ``case`` in step with it: closed with the closing note
    when the case ends, open again when it is reopened. Registration does nothing: the link
    is written by :func:`open_inspection` once the case exists."""
    if transition == "register":
        return
    link = session.scalars(select(InspectionLink).where(
        InspectionLink.inspection_case_id == case.id)).first()
    if link is None:
        return
    if case.status in INSPECTION_ENDED and link.status == "open":
        close_inspection(session, link, _closing_note(payload), actor)
    elif transition == "reopen" and link.status != "open":
        link.status = "open"
        session.flush()
        source = session.get(Case, link.case_id)
        audit_record(session, actor=actor, action="labor_arbitration.inspection_reopened",
                     object_type="case", object_id=source.code if source else str(link.case_id),
                     data={"inspection_case": case.code})


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


@dataclass(frozen=True)
class InspectionRow:
    """A linked inspection as pages show it: the link, its labor case and its inspection case
    (code and status; None for a link without one)."""

    link: InspectionLink
    code: str
    status: str
    inspection_code: str | None = None
    inspection_status: str | None = None


def inspections(session: Any) -> list[InspectionRow]:
    """The tenant's linked inspections with their cases, open ones first."""
    inspection = aliased(Case)
    return [InspectionRow(link, code, status, inspection_code, inspection_status)
            for link, code, status, inspection_code, inspection_status in session.execute(
                select(InspectionLink, Case.code, Case.status, inspection.code, inspection.status)
                .join(Case, Case.id == InspectionLink.case_id)
                .outerjoin(inspection, inspection.id == InspectionLink.inspection_case_id)
                .order_by(InspectionLink.status.desc(), InspectionLink.opened_at.desc())
                .limit(500))]


def link_of(session: Any, case: Any) -> InspectionRow | None:
    """The linked inspection of ``case``, seen from either side: the labor case it was opened
    for, or its labor inspection case. None when there is none."""
    source, inspection = aliased(Case), aliased(Case)
    side = (InspectionLink.inspection_case_id if case.case_type == INSPECTION_TYPE
            else InspectionLink.case_id)
    row = session.execute(
        select(InspectionLink, source.code, source.status, inspection.code, inspection.status)
        .join(source, source.id == InspectionLink.case_id)
        .outerjoin(inspection, inspection.id == InspectionLink.inspection_case_id)
        .where(side == case.id).limit(1)).first()
    return InspectionRow(*row) if row is not None else None


def has_inspection(session: Any, case: Any) -> bool:
    """True when ``case`` has a linked inspection (open or closed)."""
    return session.scalar(select(func.count()).select_from(InspectionLink).where(
        InspectionLink.case_id == case.id)) > 0


def was_referred(session: Any, case: Any, route: str) -> bool:
    """True when ``case`` was referred down ``route`` before."""
    return session.scalar(select(func.count()).select_from(Referral).where(
        Referral.case_id == case.id, Referral.route == route)) > 0
