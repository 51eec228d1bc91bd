"""My queue (我的待办): open cases the signed-in person may act on, the nearest deadline first.

Fast at a million cases: one statement, a ``UNION ALL`` of one branch per open status, each
``WHERE status = :s … ORDER BY due_at, id LIMIT n`` — a range scan of the index
``cases (tenant_id, status, due_at)`` that stops after ``n`` rows — and an outer ORDER BY and
LIMIT over at most ``7 × n`` rows. A single ``status IN (…) ORDER BY due_at`` could not use
the index for its order (the index is ordered by status first) and would sort every open
case. Nothing counts all rows: pagination is a keyset cursor on ``(due_at, id)``, nulls last.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from flask import g, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import and_, literal, or_, select, union_all
from sqlalchemy.orm import selectinload

from core import cases
from core.api.cases import visible_cases
from core.app import db_session
from core.authz import visibility
from core.categories import RISK_LEVELS
from core.models import Case, TierNode
from core.web import current_locale
from core.web.workbench import as_utc, bp, principal, when
from core.web.workbench.labels import TEMPLATE_HELPERS
from core.workflow import OPEN_STATES

PAGE_SIZE = 50
#: The open states in lifecycle order (the status filter's options).
QUEUE_STATES = ("registered", "accepted", "assigned", "in_mediation", "mediation_failed",
                "escalated", "reopened")
assert set(QUEUE_STATES) == {s.value for s in OPEN_STATES}


def encode_cursor(due_at: datetime | None, case_id: int) -> str:
    """An opaque cursor: the last row's deadline (or "-" for none) and id."""
    stamp = as_utc(due_at).isoformat() if due_at is not None else "-"
    return base64.urlsafe_b64encode(f"q|{stamp}|{case_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime | None, int] | None:
    """``(due_at, id)`` of a cursor this page gave out; None for anything else."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, stamp, case_id = text.split("|")
        if kind != "q":
            return None
        return (None if stamp == "-" else datetime.fromisoformat(stamp)), int(case_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def _after(cursor: tuple[datetime | None, int] | None, dated: bool) -> Any:
    """Rows after the cursor in the order (due_at nulls last, id), within the dated rows
    (``dated``) or the undated ones."""
    if cursor is None:
        return literal(True)
    due, last_id = cursor
    if due is None:
        return Case.id > last_id if not dated else literal(False)
    if not dated:
        return literal(True)
    # Stored timestamps are UTC (SQLite keeps them naive): compare like with like.
    return or_(Case.due_at > due, and_(Case.due_at == due, Case.id > last_id))


def queue_filters(args: Any) -> dict[str, Any]:
    """The filters of the query string, keeping only values the page offers."""
    statuses = [s for s in args.getlist("status") if s in QUEUE_STATES]
    risks = [r for r in args.getlist("risk") if r in RISK_LEVELS]
    overdue = args.get("overdue", "")
    return {"status": statuses, "risk": risks,
            "overdue": overdue if overdue in ("yes", "no") else "",
            "case_type": args.get("case_type", "").strip()}


def queue_statement(filters: dict[str, Any], now: datetime, limit: int,
                    cursor: tuple[datetime | None, int] | None = None,
                    dialect: str = "sqlite") -> Any:
    """The ids (and due dates) of one page of the queue: see the module docstring.

    ``dialect`` is the bound database's (``session.bind.dialect.name``): the join is shaped
    for SQLite's planner only (below)."""
    branches = []
    visible = visible_cases("case.transition")
    # Someone who sees the whole tree (or a root's subtree) should read the open cases in
    # deadline order and check each one's node. SQLite would rather walk every node of the
    # subtree and sort all their open cases, so there the join is written "node_id + 0",
    # which no index serves. PostgreSQL does not get that expression: it already reads the
    # status index in order, and with "+ 0" it can no longer look each case's node up by
    # primary key (EXPLAIN ANALYZE at 1M: a join filter over all 555 nodes per case, or a hash
    # join). Smaller subtrees keep the planner's choice (few nodes, few cases) everywhere.
    broad = dialect == "sqlite" and any(
        path.count("/") <= 2 for path in visibility(principal(), "case.transition").subtrees)
    for status in filters["status"] or QUEUE_STATES:
        # Dated and undated cases apart: each is then read in the index's own order
        # (status, due_at, id) — "NULLS LAST" over both would make SQLite sort them all.
        for dated in (True, False):
            if not dated and filters["overdue"] == "yes":
                continue
            branch = (select(Case.id.label("id"), Case.due_at.label("due_at"))
                      .join(TierNode, TierNode.id == (Case.node_id + 0 if broad
                                                      else Case.node_id))
                      .where(Case.status == status, visible, _after(cursor, dated),
                             Case.due_at.is_not(None) if dated else Case.due_at.is_(None)))
            if filters["risk"]:
                branch = branch.where(Case.risk.in_(filters["risk"]))
            if filters["case_type"]:
                branch = branch.where(Case.case_type == filters["case_type"])
            if filters["overdue"] == "yes":
                branch = branch.where(Case.due_at < now)
            elif filters["overdue"] == "no" and dated:
                branch = branch.where(Case.due_at >= now)
            # (due_at, id) in the undated branch too, although due_at is NULL there: ordered by
            # id alone, PostgreSQL walked the primary key of every case (EXPLAIN ANALYZE at 1M:
            # ~0.8 s per open status, 1M rows removed by filter) instead of the status index.
            branch = branch.order_by(Case.due_at, Case.id).limit(limit)

            # Wrapped, so that each branch keeps its own ORDER BY and LIMIT (SQLite needs it).
            branches.append(select(branch.subquery()))
    merged = union_all(*branches).subquery()
    return (select(merged.c.id, merged.c.due_at)
            .order_by(merged.c.due_at.asc().nulls_last(), merged.c.id).limit(limit))


@bp.get("/<tenant>/workbench/")
@login_required
def queue() -> str:
    """My queue: open cases I may act on, by deadline, overdue and red risk flagged."""
    session = db_session()
    now = datetime.now(UTC)
    filters = queue_filters(request.args)
    cursor_text = request.args.get("cursor", "")
    cursor = decode_cursor(cursor_text) if cursor_text else None
    rows = session.execute(queue_statement(filters, now, PAGE_SIZE + 1, cursor,
                                           session.bind.dialect.name)).all()
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    by_id = {c.id: c for c in session.scalars(
        select(Case).where(Case.id.in_([r.id for r in rows]))
        .options(selectinload(Case.parties)))} if rows else {}
    items = [by_id[r.id] for r in rows if r.id in by_id]
    next_url = None
    if more and items:
        args = [(k, v) for k, v in request.args.items(multi=True) if k != "cursor"]
        args.append(("cursor", encode_cursor(items[-1].due_at, items[-1].id)))
        next_url = url_for("workbench.queue") + "?" + urlencode(args)
    types = cases.case_types(g.tenant)
    locale = current_locale()
    return render_template(
        "workbench/queue.html", items=items, filters=filters, next_url=next_url,
        first_url=url_for("workbench.queue") if cursor_text else None,
        bad_cursor=bool(cursor_text) and cursor is None,
        is_overdue=lambda c: bool(c.overdue) or (c.due_at is not None and as_utc(c.due_at) < now),
        when=when, statuses=QUEUE_STATES, risks=list(RISK_LEVELS),
        case_types=sorted(((t.code, t.name(locale)) for t in types.values()),
                          key=lambda p: p[1]),
        type_names={code: t.name(locale) for code, t in types.items()},
        who=principal().name, **TEMPLATE_HELPERS)
