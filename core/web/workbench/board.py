"""The supervision board (督办看板) for leaders: due soon, overdue, urged, supervised, joint.

:func:`core.supervision.board` counts in the database. A leader whose grant is at the root of
the tree sees the whole tenant; a leader lower down sees exact counts of the cases of their own
tiers (the board is given :func:`core.api.cases.visible_cases` as its scope), never the
tenant-wide numbers, which would tell them about tiers they do not work for. Each column lists
its :data:`SHOWN` most urgent cases.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import g, render_template
from flask_login import login_required
from sqlalchemy import select

from core import cases, supervision
from core.api.cases import visible_cases
from core.app import db_session
from core.authz import TENANT, authorize, visibility
from core.models import Case, TierNode
from core.web import current_locale
from core.web.workbench import as_utc, bp, not_found, principal, when
from core.web.workbench.labels import TEMPLATE_HELPERS

#: How many of its most urgent cases each column lists (the counts are always complete).
SHOWN = 10
COLUMNS = ("overdue", "due_soon", "urged", "supervised", "joint")


@bp.get("/<tenant>/workbench/board")
@login_required
def board() -> Any:
    """The board: per column a count and the most urgent cases, linking to their pages."""
    who = principal()
    if visibility(who, "case.supervise").nothing:
        not_found()
    tenant_wide = bool(authorize(who, "case.supervise", TENANT))
    session = db_session()
    now = datetime.now(UTC)
    scope = None if tenant_wide else visible_cases("case.supervise")
    found = supervision.board(session, now, limit=SHOWN, scope=scope)
    ids = {i for column in found.values() for i in column["case_ids"][:SHOWN]}
    query = (select(Case).join(TierNode, TierNode.id == Case.node_id)
             .where(Case.id.in_(ids), visible_cases("case.supervise")))
    by_id = {c.id: c for c in session.scalars(query)} if ids else {}
    columns = []
    for key in COLUMNS:
        column = found[key]
        listed = [by_id[i] for i in column["case_ids"][:SHOWN] if i in by_id]
        columns.append({"key": key, "count": column["count"], "cases": listed,
                        "more": column["count"] > len(listed),
                        "unacknowledged": column.get("unacknowledged")})
    locale = current_locale()
    types = cases.case_types(g.tenant)
    return render_template("workbench/board.html", columns=columns, tenant_wide=tenant_wide,
                           when=when, as_utc=as_utc, now=now,
                           type_names={c: t.name(locale) for c, t in types.items()},
                           **TEMPLATE_HELPERS)
