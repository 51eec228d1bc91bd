"""Finding cases: by code (typos told apart from unknown codes) and by repeat party."""

from __future__ import annotations

from sqlalchemy import select

from core import codes
from core.cases.errors import CaseNotFound
from core.db import TenantSession
from core.models import Case, Party


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
