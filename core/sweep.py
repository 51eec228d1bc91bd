"""The periodic deadline sweep (期限巡查): missed clocks breached, reminders and urges issued.

:func:`sweep` is the periodic job (a Celery task in :mod:`core.tasks`, ``onedoor sla sweep`` on
the command line) of one tenant: it recomputes clocks after a calendar change
(:func:`core.sla.recompute`), marks running clocks past their due moment ``breached`` and their
cases ``overdue``, and issues one urge (催办) per breached clock and one reminder per clock due
soon, as supervision notices delivered at the tenant's next working moment (at once for red-risk
cases). The work is set-based UPDATEs and INSERT … SELECTs in batches, one transaction each,
through a tenant-bound session, so both isolation layers apply; every step claims its rows with
a WHERE that excludes rows already handled, so the sweep is idempotent and concurrent sweeps
never notify twice; one audit event summarizes each batch that changed anything.

Rules, clocks and due computation are :mod:`core.sla`'s. No Flask here.
"""

from __future__ import annotations

import json
import threading
import time as _time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import DateTime, func, select, update
from sqlalchemy.orm import aliased

from core import audit
from core.db import TenantSession, tenant_sql
from core.models import Case, Deadline, Tenant
from core.models.tenant import utcnow
from core.sla import (
    BREACHED,
    RUNNING,
    DeadlineRule,
    calendar_for,
    from_db,
    id_in,
    recompute,
    require_aware,
    tenant_rules,
    to_db,
)

if TYPE_CHECKING:
    from core.db import Database

SWEEP_ACTOR = "system:sweep"
SWEEP_ACTION = "sla.swept"
AUDIT_CASE_IDS = 100  # case ids listed per audit event; the counts are always complete


@dataclass(frozen=True)
class SweepResult:
    """Counts of one tenant's sweep (``counts``) and wall time per phase (``seconds``)."""

    tenant_id: int
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        """True when the sweep changed anything (a repeated sweep at the same ``now``: never)."""
        return any(self.counts.get(k) for k in CHANGE_COUNTS)


CHANGE_COUNTS = ("recomputed", "breached", "overdue_cases", "reminders", "urges")
#: How often a sweep rescans all open clocks when the calendar has not changed.
FULL_CHECK_EVERY = timedelta(hours=1)
#: Missed clocks read ahead per query, in batches: enough for id order to pay, little memory.
BREACH_WINDOW = 40
_FULL_CHECKS: dict[tuple[str, int, str], tuple[int, float]] = {}
_FULL_CHECKS_LOCK = threading.Lock()


def sweep(
    database: Database,
    tenant_id: int,
    now: datetime,
    *,
    batch_size: int = 5000,
    remind_within: timedelta = timedelta(hours=24),
    rules: Mapping[str, DeadlineRule] | None = None,
    full_check_every: timedelta = FULL_CHECK_EVERY,
) -> SweepResult:
    """The periodic deadline sweep of one tenant: set-based, batched, idempotent.

    Each batch is one transaction of a session bound to ``tenant_id`` (ORM UPDATE/INSERT
    statements, so the ORM tenant criteria and, on PostgreSQL, row-level security apply):

    1. clocks computed with an older calendar version are recomputed (``rules`` default to
       :func:`core.sla.tenant_rules` without plugin rules; :mod:`core.tasks` passes the
       plugins' too);
    2. running clocks with ``due_at < now`` become ``breached`` and their cases ``overdue``;
       the same UPDATE stamps ``urged_at``, and each of those clocks gets one ``urge`` (催办)
       notice in that transaction, so no breached clock is ever left without its urge;
    3. running clocks due within ``remind_within`` and not yet reminded get one ``reminder``
       notice (``reminded_at`` set);
    4. notices are delivered at the tenant's next working moment, at once for red-risk cases;
    5. one audit event (``system:sweep`` / ``sla.swept``) summarizes the batch: its counts and
       the affected case ids (the first 100). A row-per-change trail would make the sweep
       row-at-a-time (the audit chain is strictly sequential per tenant) and bury people's
       actions under machine noise; the clocks themselves keep ``state``, ``reminded_at`` and
       ``urged_at``, and every change is a deterministic consequence of ``now``.

    Step 1 needs a scan of the tenant's open clocks (``calendar_version`` is not indexed), so it
    runs when the tenant's calendar version differs from the one this process last checked, and
    otherwise at most every ``full_check_every`` (default one hour; ``timedelta(0)``: always).
    That full check also urges breached clocks that lack an urge for any other reason.

    Every step claims its rows with an UPDATE whose WHERE excludes rows already handled, so a
    second sweep at the same ``now`` changes nothing and writes no audit event, and two
    concurrent sweeps never notify twice.
    """
    require_aware(now)
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    now = to_db(now)
    with database.transaction(tenant_id) as session:
        tenant = session.get(Tenant, tenant_id)
        if tenant is None:
            raise LookupError(f"no tenant with id {tenant_id}")
        calendar = calendar_for(tenant)
        if rules is None:
            rules = tenant_rules(tenant)
        # The creation time tells a tenant apart from an earlier one that had the same id.
        memo_key = (database.url.render_as_string(), tenant_id, str(tenant.created_at))
    full_check = _full_check_due(memo_key, calendar.version, full_check_every)
    run = _Sweep(tenant_id, now, now + remind_within,
                 to_db(calendar.next_working_moment(now)), batch_size, leftovers=full_check)
    started = _time.perf_counter()
    while full_check:
        with database.transaction(tenant_id) as session:
            done = recompute(session, calendar, rules, limit=batch_size)
            if done.clocks:
                run.record(session, {"recomputed": done.clocks}, [])
        if done.day_clocks < batch_size:
            break
    run.seconds["recompute"] = _time.perf_counter() - started
    while run.open:
        with database.transaction(tenant_id) as session:
            run.batch(session)
    if full_check:
        with _FULL_CHECKS_LOCK:
            _FULL_CHECKS[memo_key] = (calendar.version, _time.monotonic())
    return SweepResult(tenant_id, run.counts, {k: round(v, 4) for k, v in run.seconds.items()})


def _full_check_due(key: tuple[str, int, str], version: int, every: timedelta) -> bool:
    with _FULL_CHECKS_LOCK:
        last = _FULL_CHECKS.get(key)
    if last is None or last[0] != version:
        return True
    return _time.monotonic() - last[1] >= every.total_seconds()


class _Sweep:
    """The state of one tenant's sweep across its batches (one transaction each).

    Each kind of work is followed until a claim comes back short of the batch size; after that
    it is not asked again in this sweep, so no index range is scanned twice for nothing.
    """

    def __init__(self, tenant_id: int, now: datetime, horizon: datetime,
                 deliver_after: datetime, limit: int, *, leftovers: bool) -> None:
        self.tenant_id, self.now, self.horizon = tenant_id, now, horizon
        self.deliver_after, self.limit = deliver_after, limit
        self.pending = {"breach", "remind"} | ({"leftovers"} if leftovers else set())
        # Reminders are claimed in due order; the next batch starts where this one ended.
        self.remind_from = now
        self.breach_queue: list[int] = []
        self.breach_more = True
        self.counts = dict.fromkeys((*CHANGE_COUNTS, "batches"), 0)
        self.seconds = dict.fromkeys(("recompute", "mark", "notify", "audit"), 0.0)

    @property
    def open(self) -> bool:
        """True while some kind of work may have rows left."""
        return bool(self.pending)

    def _claimed(self, kind: str, rows: list[Any]) -> list[Any]:
        if len(rows) < self.limit:
            self.pending.discard(kind)
        return rows

    def _breach(self, session: TenantSession) -> list[Any]:
        """Mark up to ``limit`` missed clocks breached (and urged); return (id, case, urged_now).

        The candidates are read up to ``BREACH_WINDOW`` batches at a time and taken in id
        order, so each batch rewrites a narrow band of table pages (ids follow creation
        order, like the cases') instead of a random sample of nearly all of them: on SQLite
        that write amplification, not the WHERE, is what batching costs. The UPDATE repeats
        the condition, so a clock changed meanwhile (a concurrent sweep, a transition) is
        skipped, never marked twice.
        """
        tenant_id, now, limit = self.tenant_id, self.now, self.limit
        if not self.breach_queue:
            window = limit * BREACH_WINDOW
            ids = session.scalars(
                select(Deadline.id)
                .where(Deadline.tenant_id == tenant_id, Deadline.state == RUNNING,
                       Deadline.due_at < now)
                .order_by(Deadline.id)
                .limit(window)
            ).all()
            self.breach_queue = list(reversed(ids))
            self.breach_more = len(ids) == window
        chunk = [self.breach_queue.pop() for _ in range(min(limit, len(self.breach_queue)))]
        if not self.breach_queue and not self.breach_more:
            self.pending.discard("breach")
        if not chunk:
            return []
        return session.execute(
            update(Deadline)
            .where(Deadline.tenant_id == tenant_id, id_in(session, Deadline.id, chunk),
                   Deadline.state == RUNNING, Deadline.due_at < now)
            # urged_at is set with the breach: both happen in this transaction or neither.
            .values(state=BREACHED, urged_at=func.coalesce(Deadline.urged_at, now))
            .returning(Deadline.id, Deadline.case_id,
                       (Deadline.urged_at == now).label("urged_now")),
            execution_options={"synchronize_session": False},
        ).all()

    def batch(self, session: TenantSession) -> None:
        """One transaction's worth: mark, urge, remind, notify, audit."""
        tenant_id, now, limit = self.tenant_id, self.now, self.limit
        tick = _time.perf_counter()
        urges: list[Any] = []
        breached = overdue = 0
        breached_cases: list[int] = []
        if "breach" in self.pending:
            rows = self._breach(session)
            breached = len(rows)
            urges = [row for row in rows if row.urged_now]
            breached_cases = sorted({row.case_id for row in rows})
            if breached_cases:
                overdue = _mark_overdue(session, tenant_id, breached_cases)
        self.seconds["mark"] += _time.perf_counter() - tick
        tick = _time.perf_counter()
        if "leftovers" in self.pending:
            urges += self._claimed("leftovers", _claim(
                session, tenant_id,
                [lambda d: d.state == BREACHED, lambda d: d.urged_at.is_(None)],
                {"urged_at": now}, limit, Deadline.id, Deadline.case_id,
            ))
        reminders: list[Any] = []
        if "remind" in self.pending:
            start = self.remind_from
            reminders = self._claimed("remind", _claim(
                session, tenant_id,
                [lambda d: d.state == RUNNING, lambda d: d.due_at >= start,
                 lambda d: d.due_at < self.horizon, lambda d: d.reminded_at.is_(None)],
                {"reminded_at": now}, limit, Deadline.id, Deadline.case_id, Deadline.due_at,
                order_by=lambda d: d.due_at,
            ))
            if reminders:
                self.remind_from = max(from_db(row.due_at) for row in reminders)
        _issue_notices(session, tenant_id, now, self.deliver_after,
                       [("urge", urges), ("reminder", reminders)])
        self.seconds["notify"] += _time.perf_counter() - tick
        case_ids = sorted({*breached_cases, *(r.case_id for r in (*urges, *reminders))})
        self.record(session, {"breached": breached, "overdue_cases": overdue,
                              "reminders": len(reminders), "urges": len(urges)}, case_ids)

    def record(self, session: TenantSession, batch: dict[str, int], case_ids: list[int]) -> None:
        """Add ``batch`` to the counts and write its audit event (nothing if it changed nothing).
        """
        if not any(batch.values()):
            return
        tick = _time.perf_counter()
        self.counts["batches"] += 1
        for key, value in batch.items():
            self.counts[key] += value
        audit.record(
            session,
            actor=SWEEP_ACTOR,
            action=SWEEP_ACTION,
            object_type="sla_sweep",
            object_id=self.now.isoformat(),
            data={
                "now": self.now.isoformat(),
                "batch": self.counts["batches"],
                **batch,
                "case_ids": case_ids[:AUDIT_CASE_IDS],
                "case_ids_total": len(case_ids),
            },
        )
        self.seconds["audit"] += _time.perf_counter() - tick


def _mark_overdue(session: TenantSession, tenant_id: int, case_ids: list[int]) -> int:
    """Mark the cases of newly breached clocks ``overdue``; return how many were not yet.

    Every one of those cases gets ``changed_at`` (the wall clock, as the ORM stamps it): a
    missed clock counts for the indicator rollup (a closed case's 按期办结 turns late) even
    when the case was overdue already, and the rollup's incremental refresh finds changed cases
    by ``changed_at`` only. Two UPDATEs keep the count of newly overdue cases exact; the second
    skips the rows the first one stamped.
    """
    stamp = utcnow()
    overdue = session.execute(
        update(Case)
        .where(Case.tenant_id == tenant_id, id_in(session, Case.id, case_ids),
               Case.overdue.is_(False))
        .values(overdue=True, changed_at=stamp),
        execution_options={"synchronize_session": False},
    ).rowcount
    if overdue < len(case_ids):
        session.execute(
            update(Case)
            .where(Case.tenant_id == tenant_id, id_in(session, Case.id, case_ids),
                   Case.changed_at < stamp)
            .values(changed_at=stamp),
            execution_options={"synchronize_session": False},
        )
    return overdue


def _claim(
    session: TenantSession, tenant_id: int, where: Sequence[Any], values: dict[str, Any],
    limit: int, *columns: Any, order_by: Any = None,
) -> list[Any]:
    """UPDATE up to ``limit`` clocks matching ``where`` and return ``columns`` of those rows.

    ``where`` and ``order_by`` take the entity (the clocks table or its alias). The candidates
    are picked by an indexed, MATERIALIZED common table expression: PostgreSQL may otherwise
    re-run an ``IN (SELECT … LIMIT n)`` subquery per outer row and claim more than ``n``.
    ``FOR UPDATE SKIP LOCKED`` lets concurrent sweeps split the rows instead of waiting; the
    outer WHERE repeats the condition, so a row another sweep changed meanwhile is not claimed
    twice.
    """
    picked = aliased(Deadline)
    candidates = select(picked.id).where(picked.tenant_id == tenant_id,
                                         *[c(picked) for c in where])
    if order_by is not None:
        candidates = candidates.order_by(order_by(picked))
    candidates = (
        candidates.limit(limit)
        .with_for_update(skip_locked=True)
        .cte("picked")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    statement = (
        update(Deadline)
        .where(Deadline.tenant_id == tenant_id, Deadline.id.in_(select(candidates.c.id)),
               *[c(Deadline) for c in where])
        .values(**values)
        .returning(*columns)
    )
    return session.execute(statement, execution_options={"synchronize_session": False}).all()


_MOMENT = DateTime(timezone=True)


def _sql_moment(session: TenantSession, moment: datetime) -> Any:
    """``moment`` as SQLAlchemy would bind it to a DateTime column (for tenant_sql text)."""
    dialect = session.get_bind().dialect
    process = _MOMENT.dialect_impl(dialect).bind_processor(dialect)
    value = to_db(moment)
    return process(value) if process is not None else value


#: One INSERT … SELECT per kind of notice. Raw SQL through tenant_sql (it must filter on
#: :tenant_id; row-level security checks the rows on PostgreSQL), because the ORM refuses an
#: INSERT … SELECT it cannot prove the tenant of. The lead department is the latest active
#: lead assignment; the body names the rule, the due moment is on the clock (deadline_id).
_NOTICES_SQL = """
INSERT INTO supervision_notices
    (tenant_id, case_id, kind, number, issued_by, issued_at, deliver_after, to_department_id,
     to_node_id, body, deadline_id)
SELECT :tenant_id, d.case_id, :kind, '', :actor, :now,
       CASE WHEN c.risk = 'red' THEN :now ELSE :deliver_after END,
       (SELECT a.department_id FROM assignments a
         WHERE a.tenant_id = :tenant_id AND a.case_id = d.case_id AND a.role = 'lead'
           AND a.active ORDER BY a.id DESC LIMIT 1),
       c.node_id, d.rule, d.id
  FROM deadlines d
  JOIN cases c ON c.tenant_id = d.tenant_id AND c.id = d.case_id
 WHERE d.tenant_id = :tenant_id AND {ids}
"""


def _issue_notices(
    session: TenantSession,
    tenant_id: int,
    now: datetime,
    deliver_after: datetime,
    claimed: list[tuple[str, list[Any]]],
) -> None:
    """One notice per claimed clock, addressed to the case's node and lead department.

    Red-risk cases are delivered at once, the others at the tenant's next working moment
    (DESIGN.md, Supervision).
    """
    postgresql = session.get_bind().dialect.name == "postgresql"
    ids_sql = "d.id = ANY(:ids)" if postgresql else "d.id IN (SELECT value FROM json_each(:ids))"
    for kind, rows in claimed:
        if not rows:
            continue
        ids = [row.id for row in rows]
        tenant_sql(session, _NOTICES_SQL.format(ids=ids_sql), {
            "kind": kind,
            "actor": SWEEP_ACTOR,
            "now": _sql_moment(session, now),
            "deliver_after": _sql_moment(session, deliver_after),
            "ids": ids if postgresql else json.dumps(ids),
        })
