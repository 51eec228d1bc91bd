"""A case as the public sees it: status, dates, the handling tier — and no personal data.

Names, phones, ID numbers, the description and the staff who worked on it are left out: the
page shows only what the citizen needs to follow the case (一码管全程).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext
from sqlalchemy import func, select

from core.cases import case_types
from core.db import TenantSession
from core.messages import status_name
from core.models import AuditEvent, Case, Evaluation, TierNode
from core.portal.helpers import local_date
from core.web import current_locale
from core.workflow import OPEN_STATES, Status

#: The steps a citizen follows, in order.
MILESTONES = ("registered", "accepted", "assigned", "in_mediation", "resolved", "closed")
EVALUABLE = frozenset({Status.CLOSED.value, Status.ARCHIVED.value})


@dataclass(frozen=True)
class Milestone:
    """One step: its name in the reader's language and when the case (last) reached it."""

    key: str
    label: str
    date: str


@dataclass(frozen=True)
class PublicStatus:
    """Everything the public status page shows."""

    code: str
    title: str
    case_type: str
    status: str
    status_code: str
    registered: str
    handled_by: str
    milestones: tuple[Milestone, ...]
    next_deadline: str
    evaluable: bool
    evaluated: bool


def _labels() -> dict[str, str]:
    return {
        "registered": gettext("Registered"),
        "accepted": gettext("Accepted"),
        "assigned": gettext("Assigned to a handler"),
        "in_mediation": gettext("In mediation"),
        "resolved": gettext("Resolved"),
        "closed": gettext("Closed"),
    }


def reached(session: TenantSession, case: Case) -> dict[str, datetime]:
    """When the case last reached each milestone, from its audit trail (dates only used)."""
    rows = session.execute(select(AuditEvent.at, AuditEvent.data).where(
        AuditEvent.object_type == "case", AuditEvent.object_id == case.code)
        .order_by(AuditEvent.seq)).all()
    dates: dict[str, datetime] = {"registered": case.registered_at}
    for at, data in rows:
        target = (data or {}).get("to") if isinstance(data, dict) else None
        if target in MILESTONES:
            dates[target] = at
    return dates


def already_evaluated(session: TenantSession, case: Case) -> bool:
    """True when the case has an online evaluation since its last closure."""
    if case.closed_at is None:
        return False
    return bool(session.scalar(select(func.count()).select_from(Evaluation).where(
        Evaluation.case_id == case.id, Evaluation.channel == "online",
        Evaluation.evaluated_at >= case.closed_at)))


def public_status(session: TenantSession, tenant: Any, case: Case) -> PublicStatus:
    """The public view of ``case``."""
    locale = current_locale()
    node = session.scalar(select(TierNode).where(TierNode.id == case.node_id))
    case_type = case_types(tenant).get(case.case_type)
    dates = reached(session, case)
    labels = _labels()
    open_ = case.status in {s.value for s in OPEN_STATES}
    return PublicStatus(
        code=case.code,
        title=case.title,
        case_type=case_type.name(locale) if case_type else case.case_type,
        status=status_name(case.status),
        status_code=case.status,
        registered=local_date(case.registered_at),
        handled_by=node.display_name(locale) if node else "",
        milestones=tuple(Milestone(k, labels[k], local_date(dates.get(k))) for k in MILESTONES),
        next_deadline=local_date(case.due_at) if open_ else "",
        evaluable=case.status in EVALUABLE,
        evaluated=already_evaluated(session, case),
    )
