"""A citizen's access to one case: the code plus the last four digits of the applicant's phone.

Phones are stored encrypted (:class:`core.pii.Vault`); every party row also keeps the mask
``138****5678``, whose last four characters are exactly the digits the citizen is asked for. The
check compares against the masks of the applicant parties, so tracking never decrypts a phone
and needs no key: it can reveal nothing the mask does not already show staff. Four digits are
10,000 guesses, which is why the check is rate-limited strictly per tenant and address.

No enumeration: an unknown code and a wrong phone take the same two queries and give the same
answer. A passed check is remembered in the signed session cookie for a short while, for this
tenant and this code only (:func:`grant`, :func:`granted`), so that the status page and the
evaluation form never trust the code alone.
"""

from __future__ import annotations

import hmac
import time

from flask import session as cookie
from sqlalchemy import select

from core import codes
from core.db import TenantSession
from core.models import Case, Party

#: How long a passed check lets the citizen see the case and evaluate it.
PASS_SECONDS = 15 * 60
#: At most this many cases remembered at once (a family may track a few).
MAX_PASSES = 5
_KEY = "portal_passes"


def normalize(text: str) -> str | None:
    """The code as stored, or None when it is not a well-formed code (a typo or garbage)."""
    try:
        return str(codes.parse_code(text))
    except codes.CodeError:
        return None


def check(session: TenantSession, code: str, digits: str) -> Case | None:
    """The case ``code`` when ``digits`` end the phone of one of its applicants, else None.

    Both queries run whether the code exists or not, and the digits are compared in constant
    time against every applicant's mask, so that the answer's timing does not tell an unknown
    code from a wrong phone.
    """
    case = session.scalar(select(Case).where(Case.code == code))
    masks = session.scalars(select(Party.phone_masked).where(
        Party.case_id == (case.id if case is not None else -1), Party.role == "applicant")).all()
    matched = False
    for mask in masks or [""]:
        last = (mask or "")[-4:].rjust(4, "*")
        matched |= hmac.compare_digest(last.encode(), digits.encode())
    return case if case is not None and matched else None


def _key(tenant_id: int, code: str) -> str:
    return f"{tenant_id}:{code}"


def grant(tenant_id: int, code: str, *, now: float | None = None) -> None:
    """Remember that this browser passed the check for ``code`` of tenant ``tenant_id``."""
    now = time.time() if now is None else now
    passes = {k: v for k, v in (cookie.get(_KEY) or {}).items() if v > now}
    passes[_key(tenant_id, code)] = now + PASS_SECONDS
    newest = sorted(passes.items(), key=lambda item: item[1])[-MAX_PASSES:]
    cookie[_KEY] = dict(newest)


def granted(tenant_id: int, code: str, *, now: float | None = None) -> bool:
    """True while this browser's check for ``code`` of tenant ``tenant_id`` is still valid."""
    now = time.time() if now is None else now
    expires = (cookie.get(_KEY) or {}).get(_key(tenant_id, code))
    return isinstance(expires, int | float) and expires > now
