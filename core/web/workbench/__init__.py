"""The staff workbench (工作台): my queue, the case page, intake at a window, the board.

Pages under ``/<tenant>/workbench/`` behind sign-in. Views are thin: they authorize with
:func:`core.authz.authorize`, call the case service (``core.cases``, ``core.supervision``) in
one transaction and render. What the signed-in person may not see is a 404, exactly like what
does not exist. Modules: :mod:`.queue`, :mod:`.case_page`, :mod:`.actions`, :mod:`.intake`,
:mod:`.board`; shared helpers (formatting in the tenant's time zone, loading a case) live here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime as babel_format_datetime
from flask import Blueprint, abort, g
from flask_babel import gettext
from sqlalchemy import select

from core import pii
from core.authz import Principal, authorize
from core.cases import CaseNotFound, case_resource, get_case
from core.db import TenantSession
from core.models import Case, TierNode
from core.web import current_locale
from core.web.auth import current_principal

bp = Blueprint("workbench", __name__)


def principal() -> Principal:
    """The signed-in person (the views are behind ``login_required``)."""
    found = current_principal()
    if found is None:  # pragma: no cover - login_required runs first
        abort(404)
    return found


def tenant_zone() -> ZoneInfo:
    """The request tenant's time zone (Asia/Shanghai unless it says otherwise)."""
    try:
        return ZoneInfo(g.tenant.timezone or "Asia/Shanghai")
    except (KeyError, ValueError):
        return ZoneInfo("Asia/Shanghai")


def as_utc(moment: datetime | None) -> datetime | None:
    """Stored timestamps are UTC; SQLite hands them back naive."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def when(moment: datetime | None, format: str = "medium") -> str:
    """``moment`` in the tenant's time zone and the reader's language ("" for None)."""
    moment = as_utc(moment)
    if moment is None:
        return ""
    return babel_format_datetime(moment, format=format, tzinfo=tenant_zone(),
                                 locale=current_locale())


def parse_local(text: str) -> datetime | None:
    """A ``datetime-local`` value (``2026-05-01T09:30``) in the tenant's zone, as aware UTC.

    Raises ValueError for text that is not such a value; "" gives None.
    """
    text = (text or "").strip()
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tenant_zone())
    return moment.astimezone(UTC)


def not_found() -> None:
    """The one answer for a case that does not exist or may not be seen."""
    abort(404, gettext("There is no case with this code here."))


def load_case(session: TenantSession, code: str, action: str = "case.read") -> Case:
    """The case ``code`` if the signed-in person may ``action`` it; 404 otherwise."""
    try:
        case = get_case(session, code)
    except CaseNotFound:
        not_found()
    if not authorize(principal(), action, case_resource(session, case)):
        not_found()
    return case


def node_path(session: TenantSession, case: Case) -> str:
    """The materialized path of the node now responsible for ``case``."""
    return session.scalar(select(TierNode.path).where(TierNode.id == case.node_id)) or ""


def vault() -> pii.Vault:
    """The personal-data vault of this installation."""
    from core.app import onedoor  # noqa: PLC0415

    return pii.Vault(onedoor().settings.pii_secret)


def database() -> Any:
    """The installation's database (for write transactions)."""
    from core.app import onedoor  # noqa: PLC0415

    return onedoor().database


@bp.app_template_filter("wb_when")
def _when_filter(moment: datetime | None, format: str = "medium") -> str:
    return when(moment, format)


from core.web.workbench import board, case_page, intake, queue  # noqa: E402,F401
