"""Finding cases: by code (typos told apart from unknown codes) and by repeat party."""

from __future__ import annotations

from sqlalchemy import select

from core import codes
from core.authz import Resource
from core.cases.errors import CaseNotFound
from core.db import TenantSession
from core.models import Assignment, Case, Party, TierNode


def get_case(session: TenantSession, code: str) -> Case:
    """The tenant's case with this code (typos in the check character are told apart)."""
    try:
        parsed = codes.parse_code(code)
    except codes.CodeError as exc:
        raise CaseNotFound(str(exc)) from exc
    case = session.scalar(select(Case).where(Case.code == str(parsed)))
    if case is None:
        raise CaseNotFound(f"no case {parsed}")
    return case


def repeat_parties(session: TenantSession, case: Case) -> dict[int, list[str]]:
    """For each party of ``case``, the codes of the tenant's other cases with the same person.

    Matches on the blind index of the ID number or phone; plain values are never compared.
    """
    found: dict[int, list[str]] = {}
    for party in case.parties:
        indexes = [i for i in (party.id_index, party.phone_index) if i]
        if not indexes:
            continue
        rows = session.scalars(
            select(Case.code).join(Party, Party.case_id == Case.id)
            .where((Party.id_index.in_(indexes)) | (Party.phone_index.in_(indexes)),
                   Case.id != case.id)
            .distinct().order_by(Case.code)
        ).all()
        if rows:
            found[party.id] = list(rows)
    return found


def case_resource(session: TenantSession, case: Case) -> Resource:
    """Where ``case`` is (its current and location nodes) and which departments hold it."""
    paths = session.execute(select(TierNode.id, TierNode.path).where(
        TierNode.id.in_({case.node_id, case.location_node_id}))).all()
    by_id = dict(paths)
    departments = frozenset(session.scalars(select(Assignment.department_id).where(
        Assignment.case_id == case.id, Assignment.active.is_(True))))
    return Resource(tuple(by_id[i] for i in (case.node_id, case.location_node_id)
                          if i in by_id), departments)
