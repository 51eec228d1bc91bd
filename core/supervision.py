"""Supervision (督查督办): reminders, urging, supervision by leaders, joint handling, "两函一单".

Seed 001: "强化未办事项的督办、超期事项的催办、疑难复杂事项的会办"; seed 004: "以工作提示函、
风险预警函、任务交办单'两函一单'进行督办，逐一明确责任单位". Each is a
:class:`core.models.SupervisionNotice` on a case:

========================== ===================== ==========================================
kind                       name                  number
========================== ===================== ==========================================
``reminder``               提醒 reminder          —
``urge``                   催办 urging            —
``supervise``              督办 supervision       — (raised to leaders)
``joint``                  会办 joint handling    — (one notice per department asked)
``work_reminder_letter``   工作提示函             ``提示函〔2026〕第0007号``
``risk_warning_letter``    风险预警函             ``预警函〔2026〕第0007号``
``task_assignment_sheet``  任务交办单             ``交办单〔2026〕第0007号``
========================== ===================== ==========================================

Numbers count per tenant, kind and (tenant-local) year, from a counter row
(:class:`core.models.NoticeSequence`) advanced by one upsert … RETURNING in the issuing
transaction: concurrent issuers queue on the row lock and get distinct numbers, a rolled-back
issue returns its number with the transaction (no gap), and no number is ever given twice even
if notices are deleted later — which ``count(*) + 1`` could not promise.

Notices issued outside working hours are held (``deliver_after``) until the next working period
of the tenant's calendar, except on red-risk cases, which do not wait. The sender of
notifications picks up :func:`pending_deliveries` and calls :func:`mark_delivered`.

There is no HTTP route here yet: routes need authentication and roles, which a later issue
brings; the services below are what those routes (and the deadline sweep) will call.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import func, select, union
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from core import audit, i18n
from core.calendar import WorkCalendar
from core.categories import RISK_LEVELS
from core.db import TenantSession
from core.models import Case, Deadline, Department, NoticeSequence, SupervisionNotice, TierNode
from core.workflow import OPEN_STATES

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True)
class NoticeKind:
    """A kind of notice: its names per locale and, for the "两函一单", its number prefix."""

    code: str
    names: dict[str, str] = field(hash=False)
    number_prefix: str = ""

    def name(self, locale: str) -> str:
        """Name in ``locale``, falling back to zh_Hans."""
        return self.names.get(locale) or self.names["zh_Hans"]

    @property
    def numbered(self) -> bool:
        """True for the letters and sheets, which carry an official number (文号)."""
        return bool(self.number_prefix)


def _kind(code: str, hans: str, hant: str, en: str, prefix: str = "") -> NoticeKind:
    return NoticeKind(code, {"zh_Hans": hans, "zh_Hant": hant, "en": en}, prefix)


KINDS: dict[str, NoticeKind] = {k.code: k for k in (
    _kind("reminder", "提醒", "提醒", "Reminder"),
    _kind("urge", "催办", "催辦", "Urging notice"),
    _kind("supervise", "督办", "督辦", "Supervision notice"),
    _kind("joint", "会办", "會辦", "Joint handling notice"),
    _kind("work_reminder_letter", "工作提示函", "工作提示函", "Work reminder letter", "提示函"),
    _kind("risk_warning_letter", "风险预警函", "風險預警函", "Risk warning letter", "预警函"),
    _kind("task_assignment_sheet", "任务交办单", "任務交辦單", "Task assignment sheet", "交办单"),
)}

#: The board's columns fed by notices: board key → notice kind.
BOARD_NOTICE_KINDS = {"urged": "urge", "supervised": "supervise", "joint": "joint"}


class SupervisionError(ValueError):
    """A notice cannot be issued or changed as asked; ``field`` names the input at fault."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def _utc(moment: datetime) -> datetime:
    # Stored timestamps are UTC: SQLite drops the offset, so aware local times are converted
    # before they are written or compared, and naive values read back are UTC.
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def format_number(kind: NoticeKind, year: int, sequence: int) -> str:
    """``预警函〔2026〕第0007号``: prefix, year in 六角括号, four-digit sequence."""
    return f"{kind.number_prefix}〔{year}〕第{sequence:04d}号"


def allocate_number(session: TenantSession, kind: NoticeKind, year: int) -> str:
    """Take the next number of ``kind`` in the session tenant's ``year`` (in this transaction).

    One statement: INSERT … ON CONFLICT (tenant, kind, year) DO UPDATE SET last = last + 1
    RETURNING last. On PostgreSQL a second transaction waits on the row lock until the first
    commits or rolls back, then increments what that one left; on SQLite the statement takes the
    database's write lock. Either way two transactions never share a number, and a rolled-back
    issue gives its number back.
    """
    if not kind.numbered:
        raise SupervisionError(f"{kind.code} notices carry no number", "kind")
    make_insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        make_insert(NoticeSequence)
        .values(tenant_id=session.tenant_id, kind=kind.code, year=year, last=1)
        .on_conflict_do_update(index_elements=["tenant_id", "kind", "year"],
                               set_={"last": NoticeSequence.last + 1})
        .returning(NoticeSequence.last)
    )
    return format_number(kind, year, session.execute(statement).scalar_one())


def issue_notice(
    session: TenantSession,
    case: Case,
    kind: str,
    *,
    issued_by: str,
    body: str,
    to_department_id: int | None = None,
    to_node_id: int | None = None,
    respond_by: datetime | None = None,
    deadline_id: int | None = None,
    now: datetime,
    calendar: WorkCalendar,
) -> SupervisionNotice:
    """Issue a notice on ``case``: numbered if a letter or sheet, held outside working hours.

    ``deliver_after`` is ``now`` for a red-risk case, otherwise
    ``calendar.next_working_moment(now)``. The recipient department and node must be the
    tenant's own (a foreign key alone would accept another tenant's id). ``deadline_id`` ties a
    reminder or urging to the clock that caused it. Writes one audit event.
    """
    info = KINDS.get(kind)
    if info is None:
        raise SupervisionError(f"unknown notice kind {kind!r}; use one of {', '.join(KINDS)}",
                               "kind")
    if now.tzinfo is None:
        raise SupervisionError("now must carry a time zone", "now")
    if not body.strip():
        raise SupervisionError("a notice needs a body", "body")
    if respond_by is not None and _utc(respond_by) <= _utc(now):
        raise SupervisionError("respond_by must be after the notice is issued", "respond_by")
    for model, value, name in ((Department, to_department_id, "to_department_id"),
                               (TierNode, to_node_id, "to_node_id")):
        if value is not None and session.get(model, value) is None:
            raise SupervisionError(f"no {model.__name__} {value} in this tenant", name)
    if deadline_id is not None:
        deadline = session.get(Deadline, deadline_id)
        if deadline is None or deadline.case_id != case.id:
            raise SupervisionError(f"deadline {deadline_id} is not a clock of this case",
                                   "deadline_id")

    local_year = now.astimezone(calendar.tz).year
    number = allocate_number(session, info, local_year) if info.numbered else ""
    # Red risk does not wait for office hours (风险预警 must reach people at once).
    deliver_after = now if case.risk == "red" else calendar.next_working_moment(now)
    notice = SupervisionNotice(
        case_id=case.id, kind=kind, number=number, issued_by=issued_by, issued_at=_utc(now),
        deliver_after=_utc(deliver_after), to_department_id=to_department_id,
        to_node_id=to_node_id, body=body, deadline_id=deadline_id,
        respond_by=_utc(respond_by) if respond_by is not None else None,
    )
    session.add(notice)
    session.flush()
    audit.record(session, actor=issued_by, action="supervision.issued",
                 object_type="supervision_notice", object_id=notice.id,
                 data={"case": case.code, "kind": kind, "number": number,
                       "deliver_after": notice.deliver_after.isoformat(),
                       "to_department_id": to_department_id, "to_node_id": to_node_id,
                       "respond_by": notice.respond_by.isoformat() if respond_by else None})
    return notice


def acknowledge(session: TenantSession, notice: SupervisionNotice, by: str,
                now: datetime) -> bool:
    """The recipient acknowledges (签收) the notice; True the first time (one audit event).

    Acknowledging again changes and records nothing, so a retried request is harmless. A
    notice acknowledged before its delivery time was plainly received: it counts as delivered.
    """
    if notice.acknowledged_at is not None:
        return False
    notice.acknowledged_at = _utc(now)
    if notice.delivered_at is None:
        notice.delivered_at = _utc(now)
    session.flush()
    audit.record(session, actor=by, action="supervision.acknowledged",
                 object_type="supervision_notice", object_id=notice.id,
                 data={"kind": notice.kind, "number": notice.number})
    return True


def pending_deliveries(session: TenantSession, now: datetime,
                       limit: int = 500) -> list[SupervisionNotice]:
    """Notices whose hold has passed and that were not delivered yet, oldest first.

    Served by ``supervision_notices (tenant_id, deliver_after)``.
    """
    return list(session.scalars(
        select(SupervisionNotice)
        .where(SupervisionNotice.deliver_after <= _utc(now),
               SupervisionNotice.delivered_at.is_(None))
        .order_by(SupervisionNotice.deliver_after, SupervisionNotice.id).limit(limit)
    ))


def mark_delivered(session: TenantSession, notice: SupervisionNotice, now: datetime, *,
                   by: str = "system", channel: str = "") -> bool:
    """Record that the notice reached its recipient; True the first time (one audit event)."""
    if notice.delivered_at is not None:
        return False
    notice.delivered_at = _utc(now)
    session.flush()
    audit.record(session, actor=by, action="supervision.delivered",
                 object_type="supervision_notice", object_id=notice.id,
                 data={"kind": notice.kind, "channel": channel})
    return True


# --- the supervision board -----------------------------------------------------------------------


def _open_states() -> list[str]:
    return sorted(s.value for s in OPEN_STATES)


def board(session: TenantSession, now: datetime, *, horizon: timedelta = timedelta(hours=24),
          limit: int = 200, scope: Any = None) -> dict[str, dict[str, Any]]:
    """The supervision board (督办看板) of the session's tenant at ``now``.

    Keys: ``due_soon`` (open cases with a running deadline due within ``horizon``),
    ``overdue`` (open cases with a running deadline past due, or whose ``due_at`` has passed),
    ``urged`` / ``supervised`` / ``joint`` (open cases with an urge, supervise or joint notice;
    supervision lasts until the case is closed, acknowledgement does not end it). Each value is
    ``{"count": n, "case_ids": [...], "unacknowledged": m}`` (the last for notice columns only):
    counts are exact, ``case_ids`` holds at most ``limit`` ids, most urgent first. A case may
    appear in several columns.

    Three queries, returning at most ``limit`` rows per column, on the indexes ``deadlines
    (tenant_id, state, due_at)``, ``cases (tenant_id, status, due_at)`` and
    ``supervision_notices (tenant_id, kind, case_id)``.

    ``scope``, if given, is a WHERE clause over ``Case`` with ``TierNode`` joined on the case's
    node (e.g. the subtree ranges of :func:`core.api.cases.visible_cases`): every count and
    list is then of those cases only — exact, counted in the database, not a filter over the
    tenant's most urgent ``limit``. The join reads ``tier_nodes`` by primary key per case.
    """
    if limit < 1:
        raise SupervisionError("limit must be at least 1", "limit")
    now = _utc(now)
    open_states = _open_states()
    result: dict[str, dict[str, Any]] = {}

    def scoped(query: Any) -> Any:
        if scope is None:
            return query
        return query.join(TierNode, TierNode.id == Case.node_id).where(scope)

    def running(*conditions: Any) -> Any:
        return scoped(select(Deadline.case_id.label("case_id"), Deadline.due_at.label("due_at"))
                      .join(Case, Case.id == Deadline.case_id)
                      .where(Deadline.state == "running", Case.status.in_(open_states),
                             *conditions))

    soon = running(Deadline.due_at >= now, Deadline.due_at < now + horizon).subquery()
    result["due_soon"] = _column(session, soon, limit)
    # Cases whose earliest running deadline (the denormalized cases.due_at) has passed: a range
    # on cases (tenant_id, status, due_at). The sweep's ``overdue`` flag is derived from the
    # same clocks; filtering on the flag itself would read every open case (no index has it).
    past_due = scoped(select(Case.id.label("case_id"), Case.due_at.label("due_at"))
                      .where(Case.status.in_(open_states), Case.due_at < now))
    late = union(running(Deadline.due_at < now), past_due).subquery()
    result["overdue"] = _column(session, late, limit)

    notices = (
        scoped(select(SupervisionNotice.kind.label("kind"),
                      SupervisionNotice.case_id.label("case_id"),
                      func.min(SupervisionNotice.issued_at).label("first_issued"),
                      func.count(SupervisionNotice.id)
                      .filter(SupervisionNotice.acknowledged_at.is_(None))
                      .label("unacknowledged"))
               .join(Case, Case.id == SupervisionNotice.case_id)
               .where(SupervisionNotice.kind.in_(sorted(BOARD_NOTICE_KINDS.values())),
                      Case.status.in_(open_states)))
        .group_by(SupervisionNotice.kind, SupervisionNotice.case_id)
        .subquery()
    )
    by_kind = {"partition_by": notices.c.kind}
    ranked = select(
        notices.c.kind, notices.c.case_id,
        func.count().over(**by_kind).label("cases"),
        func.sum(notices.c.unacknowledged).over(**by_kind).label("unacknowledged"),
        # Longest under supervision first: the oldest notice leads the column.
        func.row_number().over(**by_kind, order_by=(notices.c.first_issued, notices.c.case_id))
        .label("position"),
    ).subquery()
    rows = session.execute(
        select(ranked).where(ranked.c.position <= limit).order_by(ranked.c.kind,
                                                                  ranked.c.position)
    ).all()
    for key, kind in BOARD_NOTICE_KINDS.items():
        mine = [r for r in rows if r.kind == kind]
        result[key] = {"count": int(mine[0].cases) if mine else 0,
                       "case_ids": [r.case_id for r in mine],
                       "unacknowledged": int(mine[0].unacknowledged) if mine else 0}
    return result


def _column(session: TenantSession, rows: Any, limit: int) -> dict[str, Any]:
    """Count the distinct cases of ``rows`` (case_id, due_at) and list the earliest due.

    One query: the window count is taken over every case before LIMIT applies.
    """
    per_case = (select(rows.c.case_id, func.min(rows.c.due_at).label("due_at"))
                .group_by(rows.c.case_id).subquery())
    found = session.execute(
        select(per_case.c.case_id, func.count().over().label("total"))
        .order_by(per_case.c.due_at, per_case.c.case_id).limit(limit)
    ).all()
    return {"count": int(found[0].total) if found else 0, "case_ids": [r.case_id for r in found]}


# --- the printable notice ------------------------------------------------------------------------


class _TenantLike(Protocol):
    """What :func:`render_notice` needs of a tenant (a Tenant row or a TenantContext)."""

    timezone: str

    def name(self, locale: str) -> str: ...


@lru_cache(maxsize=8)
def _translations(locale: str) -> Translations:
    """Core's catalog for ``locale``, compiled in memory from its ``.po`` (no app needed)."""
    path = i18n.CATALOG_DIR / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


@lru_cache(maxsize=8)
def _environment(locale: str) -> Environment:
    """A Jinja environment on core's templates with ``locale``'s gettext (one per locale).

    Autoescaping is on for ``.html``: the body and every case field are people's text.
    """
    env = Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)),
                      autoescape=select_autoescape(["html"]), extensions=["jinja2.ext.i18n"],
                      trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_translations(_translations(locale), newstyle=True)  # type: ignore[attr-defined]
    return env


def render_notice(
    notice: SupervisionNotice,
    case: Case,
    tenant: _TenantLike,
    locale: str,
    *,
    recipient: str = "",
    issuing_unit: str = "",
) -> str:
    """The printable notice as a complete HTML document (A4, print CSS, tenant letterhead).

    Rendered with a plain Jinja environment and core's catalogs, so it needs no Flask app or
    request (a CLI, a task or a test can print or archive it). The letterhead shows the
    tenant's name and the kind; then the number, the case code and title, the risk level, the
    body, the respond-by date and the issuing unit (default: the tenant's governance center).

    The stylesheet is inside the document, so a saved or mailed copy prints the same; the
    page that serves it (:mod:`core.web.notices`) sends :func:`notice_csp` as its
    Content-Security-Policy, which allows exactly that stylesheet.
    """
    if locale not in i18n.SUPPORTED_LOCALES:
        raise SupervisionError(f"unsupported locale {locale!r}", "locale")
    kind = KINDS.get(notice.kind)
    if kind is None:
        raise SupervisionError(f"unknown notice kind {notice.kind!r}", "kind")
    zone = WorkCalendar(timezone=tenant.timezone).tz

    def local_date(moment: datetime | None) -> str:
        if moment is None:
            return ""
        return format_date(_utc(moment).astimezone(zone).date(), format="long", locale=locale)

    level = RISK_LEVELS.get(case.risk)
    template = _environment(locale).get_template("supervision/notice.html")
    return template.render(
        html_lang=i18n.HTML_LANG[locale],
        tenant_name=tenant.name(locale),
        kind_name=kind.name(locale),
        number=notice.number,
        case_code=case.code,
        case_title=case.title,
        risk_level=level.name(locale) if level else case.risk,
        risk_code=case.risk,
        paragraphs=[p.strip() for p in re.split(r"\r?\n", notice.body or "") if p.strip()],
        recipient=recipient,
        respond_by=local_date(notice.respond_by),
        issued_on=local_date(notice.issued_at),
        issuing_unit=issuing_unit,
    )


_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)


def notice_csp(html: str) -> str:
    """A Content-Security-Policy for a rendered notice: nothing but its own stylesheets.

    The site-wide policy (``style-src 'self'``) forbids inline styles; a notice carries its
    print stylesheet inside the document, so it is allowed by hash, not by ``'unsafe-inline'``.
    """
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(css.encode()).digest()).decode() + "'"
        for css in _STYLE.findall(html)
    )
    return ("default-src 'none'; style-src " + (hashes or "'none'") +
            "; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
