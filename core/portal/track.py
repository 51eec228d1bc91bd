"""Tracking (一码管全程): the code and the last four digits of the applicant's phone.

``/<tenant>/track/<code>`` is the address a case's QR code holds (:func:`core.codes.
tracking_path`): it shows the form with the code filled in and still asks for the digits. The
check itself is a POST, so the digits never appear in a URL or an access log; a passed check
sends the browser to ``/<tenant>/portal/cases/<code>``, the public status page.
"""

from __future__ import annotations

import re
from typing import Any

from flask import g, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import select

from core.app import db_session
from core.models import Case
from core.portal import access, bp
from core.portal.status import public_status
from core.web import current_locale
from core.web.auth import limiter

#: Four digits are 10,000 guesses: a person needs a few tries, a script gets very few.
TRACK_LIMIT = "10/minute;50/hour"
_DIGITS = re.compile(r"^\d{4}$")
NO_STORE = {"Cache-Control": "private, no-store"}


def _form(code: str, errors: dict[str, list[str]] | None = None, failed: bool = False,
          status: int = 200) -> Any:
    values = {"code": code[:40]}
    return render_template("portal/track.html", tenant=g.tenant, locale=current_locale(),
                           values=values, errors=errors or {}, failed=failed), status, NO_STORE


@bp.route("/<tenant>/portal/track", methods=["GET", "POST"])
@limiter.limit(TRACK_LIMIT, methods=["POST"])
def track() -> Any:
    """The tracking form; on POST, check the code and digits (one answer for every miss)."""
    if request.method == "GET":
        return _form("")
    typed_code = (request.form.get("code") or "").strip()
    digits = (request.form.get("digits") or "").strip()
    errors: dict[str, list[str]] = {}
    code = access.normalize(typed_code)
    if code is None:
        errors["code"] = [gettext("A case code looks like ZS-2026-000123-P: check what you "
                                  "typed.")]
    if not _DIGITS.match(digits):
        errors["digits"] = [gettext("Enter the last four digits of the phone number you "
                                    "gave, for example 5678.")]
    if errors:
        return _form(typed_code, errors, status=422)
    case = access.check(db_session(), code, digits)
    if case is None:
        # The same page whether the code is unknown or the digits are wrong.
        return _form(code, failed=True)
    access.grant(g.tenant.id, case.code)
    return redirect(url_for("portal.status", code=case.code), 303)


@bp.get("/<tenant>/track/<code>")
def track_code(code: str) -> Any:
    """The QR code's address: the tracking form with the code filled in."""
    return _form(access.normalize(code) or code)


@bp.get("/<tenant>/portal/cases/<code>")
def status(code: str) -> Any:
    """The public status of a case whose check this browser passed a short while ago."""
    if not access.granted(g.tenant.id, code):
        return redirect(url_for("portal.track_code", code=code))
    return render_status(code)


def render_status(code: str, *, errors: dict[str, list[str]] | None = None,
                  values: dict[str, str] | None = None, message: str = "",
                  status: int = 200) -> Any:
    """The status page of ``code`` (already checked), with the evaluation form's state."""
    session = db_session()
    case = session.scalar(select(Case).where(Case.code == code))
    if case is None:  # withdrawn from the database since the check: as if never found
        return redirect(url_for("portal.track"))
    view = public_status(session, g.tenant, case)
    return render_template("portal/status.html", tenant=g.tenant, locale=current_locale(),
                           case=view, errors=errors or {}, values=values or {},
                           message=message), status, NO_STORE
