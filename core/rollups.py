"""The indicator rollup (指标汇总): precomputed counts so that a dashboard of a million cases is
a read of a few hundred rows, with the same figures as :mod:`core.indicators` computes live.

**What is kept.** :class:`core.models.IndicatorRollup` rows: per registration month (tenant
time), *scope* and group of a *facet*, the additive counts :func:`core.indicators._figures`
needs. A case counts once for scope 0 (the whole tenant) and once for every ancestor-or-self of
its handling node or of its location node — exactly the cases :func:`core.indicators.compute`
keeps for that node's subtree ("handled or located inside") — so a subtree's figures are the
rows of one scope. Facets: ``all``, ``category``, ``channel``, ``window``, ``level``,
``department`` (latest lead assignment), ``located`` (the cases *located* in the subtree: the
tier breakdown is the ``located`` rows of the children, the node itself and "located outside"
follow by subtraction), ``mediator`` and ``hours`` (a histogram of whole hours to resolve, from
which the median is exact; breakdowns other than by month give no median from the rollup —
the dashboard does not show one — and say so with a None value).

**Building.** :func:`refresh` rebuilds a tenant's rows set-based in one transaction: one
``INSERT … SELECT`` of per-case facts into a temporary table (no case row is loaded into
Python), then one ``INSERT … SELECT … GROUP BY`` per facet joined to the scopes of each
(handling node, location node) pair. It stamps :class:`core.models.IndicatorRefresh`
(``as_of``, the settings that shaped the counts, a digest of the tier tree, the wall-clock
moment it began reading the cases, the earliest and latest registration counted), and it is
idempotent.

**Incremental.** A month's rows depend only on the cases registered in it (and their child
rows), and every change the rollup counts stamps its case's ``changed_at`` (the ORM's
onupdate; the sweep's set-based UPDATEs; a new attempt or evaluation touches its case). So when
the stamp was built under the same settings and tier tree, :func:`refresh` rebuilds only the
months of the cases changed at or after the previous scan less :data:`OVERLAP` — their rows
deleted and re-inserted by the same statements over a facts table of those months' cases
alone. Those months are rebuilt from scratch, not adjusted by deltas, so they cannot drift; the
others are left as they are. A first refresh, other settings, a changed tree (a node added,
moved or re-levelled changes the scopes of cases that did not change) or ``full=True`` rebuild
every month. The periodic sweep (:mod:`core.tasks`) refreshes when the rollup is older than
:data:`REFRESH_EVERY`; operators run ``onedoor indicators refresh`` (``--full`` after cases were
written or deleted in SQL by hand — a bulk load, a repair — without stamping ``changed_at``).

**Reading.** :func:`source` tells whether the rollup answers a (subtree, period) question: it
does when it was built under the tenant's current settings, the subtree is a node (or the
whole tenant) and each period edge falls on a month boundary in tenant time or beyond every
case counted (so "this year", "this month", "the last 12 months" and "all time" do; a period
starting mid-month does not). Otherwise it answers live through :mod:`core.indicators`. Year on
year needs the same period a year earlier, which ends mid-month when the period ends today: the
whole months come from the rollup and the rest of that month is one live count of intake.
Plugin indicators are always computed live over the population.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    case,
    cast,
    delete,
    exists,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    union,
)
from sqlalchemy.orm import aliased

from core import audit
from core import indicators as ind
from core.db import TenantIsolationError, TenantSession
from core.models import (
    Assignment,
    Case,
    Deadline,
    Evaluation,
    IndicatorRefresh,
    IndicatorRollup,
    MediationAttempt,
    Referral,
    TierNode,
)
from core.models.indicators import COUNTS
from core.models.tenant import utcnow
from core.tenancy import TenantContext
from core.workflow import OPEN_STATES
from core.workflow import Referral as Route

#: How old a rollup may get before the periodic sweep refreshes it. An incremental refresh
#: costs about one month's rebuild (this month always has new intake), not the whole tenant's,
#: so it can run with every sweep (core.tasks.SWEEP_EVERY_SECONDS): the dashboard's figures
#: are then at most about two sweeps old.
REFRESH_EVERY = timedelta(minutes=5)
#: How far before the previous build's ``scanned_at`` an incremental refresh looks for changed
#: cases. A transaction that stamped ``changed_at`` before the previous refresh began reading
#: but committed after it would otherwise be missed: its change was invisible to that build
#: and looks older than its scan. Also absorbs clock skew between the hosts that stamp cases.
#: Every OneDoor transaction (a request, a sweep batch) is far shorter.
OVERLAP = timedelta(minutes=10)
FULL, INCREMENTAL = "full", "incremental"
REFRESH_ACTOR = "system:indicators"
REFRESH_ACTION = "indicators.refreshed"
#: Facets read straight from a case column (breakdown name → facet).
COLUMN_FACETS = {"category": "category", "channel": "channel", "window": "window",
                 "level": "level", "department": "department"}
#: Advisory-lock namespace of refreshes on PostgreSQL (two refreshes of a tenant queue up).
_LOCK_BASE = 0x0D0D_0000
WHOLE_TENANT = 0

# --- temporary tables of a build (no tenant_id: they live for one transaction) ---------------

_temp = MetaData()
_FLAGS = ("cases", "intake", "accepted", "resolved", "closed", "overdue_open", "first_time",
          "frontline", "mediated", "mediation_succeeded", "evaluations", "satisfied",
          "closed_late", "litigated", "after_litigation")
FACTS = Table(
    "rollup_facts", _temp,
    Column("case_id", Integer, primary_key=True), Column("month", String(7)),
    Column("node_id", Integer), Column("loc_id", Integer), Column("category", String(64)),
    Column("channel", String(32)), Column("window", String(64)), Column("level", Integer),
    Column("department", Integer), *[Column(name, Integer) for name in _FLAGS],
    Column("hours", Float), Column("whole_hours", Integer),
    prefixes=["TEMPORARY"],
)
NODE_SCOPES = Table("rollup_node_scopes", _temp, Column("node_id", Integer),
                    Column("scope_id", Integer), prefixes=["TEMPORARY"])
PAIR_SCOPES = Table("rollup_pair_scopes", _temp, Column("node_id", Integer),
                    Column("loc_id", Integer), Column("scope_id", Integer),
                    prefixes=["TEMPORARY"])
_TEMP_INDEXES = (
    "CREATE INDEX rollup_node_scopes_node ON rollup_node_scopes (node_id)",
    "CREATE INDEX rollup_pair_scopes_pair ON rollup_pair_scopes (node_id, loc_id)",
)


@dataclass(frozen=True)
class RefreshResult:
    """One tenant's refresh: rows kept in all, cases counted, seconds taken, the moment it is
    of; ``mode`` "full" or "incremental", the ``months`` rebuilt and, for a full one, why."""

    tenant_id: int
    as_of: datetime
    rows: int
    cases: int
    seconds: float
    mode: str = FULL
    months: tuple[str, ...] = ()
    reason: str = ""


def fingerprint(session: TenantSession, tenant: TenantContext) -> str:
    """The settings the counts depend on: time zone, satisfaction counting, frontline level."""
    return _settings(ind._scope(session, tenant, None, None, None))


def _settings(scope: ind._Scope) -> str:
    """The stamp's ``settings``: what the counts depend on, read off an indicator scope."""
    return f"{scope.timezone}|{scope.satisfaction_counts}|{scope.frontline_level}"


def tree_digest(session: TenantSession, scope: ind._Scope) -> str:
    """A digest of what the scopes are built from: every tier node's id, path and level, and
    the frontline levels. A node added, moved or re-levelled changes it (a full rebuild).

    On SQLite it covers the UTC offset months are cut at too (the offset in force at the
    refresh, see :func:`core.indicators._scope`): in a zone with daylight saving time, months
    rebuilt at another offset than the rest could count a case near midnight in two months.
    """
    digest = hashlib.sha256(repr(_tree_inputs(scope)).encode())
    for node_id, path, level_id in session.execute(
            select(TierNode.id, TierNode.path, TierNode.level_id).order_by(TierNode.id)):
        digest.update(f"\n{node_id}|{path}|{level_id}".encode())
    return digest.hexdigest()


def _tree_inputs(scope: ind._Scope) -> tuple[list[int], int | None]:
    """What a tree digest covers besides the nodes: the frontline levels and, on SQLite, the
    UTC offset months are cut at."""
    cut = scope.utc_offset_minutes if scope.dialect == "sqlite" else None
    return sorted(scope.frontline_level_ids), cut


def refresh(session: TenantSession, tenant: TenantContext, *, now: datetime | None = None,
            actor: str = REFRESH_ACTOR, full: bool = False) -> RefreshResult:
    """Bring ``tenant``'s rollup up to date in the session's transaction (set-based,
    idempotent): only the months of cases changed since the previous refresh, or every month.

    Incremental when a stamp exists that was built under the same settings and tier tree and
    ``full`` is not asked: the months (tenant time) of the cases whose ``changed_at`` is at
    least the previous build's ``scanned_at`` less :data:`OVERLAP` are deleted and rebuilt
    from those months' cases alone. Otherwise every row is. The statements run on the
    session's own connection (inside its transaction, with ``app.tenant_id`` set for
    row-level security) as Core SQL, each naming the tenant in every table it reads; the ORM's
    automatic tenant criteria do not reach ``INSERT … SELECT``. One audit event
    (``indicators.refreshed``, by ``actor``) records the moment, the mode, the months rebuilt
    and the sizes; an incremental refresh that found no case changed only moves the stamp's
    moment and writes none. Raises :class:`core.indicators.IndicatorError` for a bad indicator
    setting.
    """
    if session.tenant_id != tenant.id:
        raise TenantIsolationError(
            f"rollup of tenant {tenant.id} asked through a session of {session.tenant_id}")
    started = time.perf_counter()
    # The wall clock before any case is read: what the next refresh compares changed_at with
    # (``now`` may be a caller's moment, not the clock changed_at is stamped by).
    scanned_at = utcnow()
    as_of = (now or datetime.now(UTC)).astimezone(UTC)
    scope = ind._scope(session, tenant, None, None, None)
    settings = _settings(scope)
    connection = session.connection()
    if scope.dialect == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(_LOCK_BASE + tenant.id)))
    t = tenant.id
    stamp = session.scalar(select(IndicatorRefresh))  # after the lock: the latest one
    tree = tree_digest(session, scope)
    reason = "asked" if full else _full_reason(stamp, settings, tree)
    if reason:
        months = _build(session, scope, t, None)
    else:
        assert stamp is not None and stamp.scanned_at is not None
        months = _changed_months(session, scope, t, _aware(stamp.scanned_at) - OVERLAP)
        if months:
            _build(session, scope, t, months)
    stamp, cases = _restamp(session, stamp, t, as_of=as_of, settings=settings, tree=tree,
                            scanned_at=scanned_at)
    stamp.seconds = round(time.perf_counter() - started, 3)
    session.flush()
    mode = FULL if reason else INCREMENTAL
    data = {"as_of": as_of.isoformat(), "mode": mode, "months": months, "rows": stamp.rows,
            "cases": cases, "seconds": stamp.seconds}
    if reason:
        data["reason"] = reason
    if reason or months:
        # A refresh that found nothing changed leaves every count as it was and only moves the
        # stamp's moment: it writes no event, or the sweep's refresh every few minutes would
        # fill each tenant's audit chain with hundreds of empty entries a day.
        audit.record(session, actor=actor, action=REFRESH_ACTION,
                     object_type="indicator_rollup", object_id=t, data=data)
    return RefreshResult(t, as_of, stamp.rows, cases, stamp.seconds, mode, tuple(months),
                         reason)


def _restamp(session: TenantSession, stamp: IndicatorRefresh | None, t: int,
             **values: Any) -> tuple[IndicatorRefresh, int]:
    """The tenant's stamp (created on the first refresh) with ``values``, the rows kept and
    the span of registrations counted; returns it and the number of cases."""
    rows = session.scalar(select(func.count()).select_from(IndicatorRollup)) or 0
    cases, earliest, latest = session.connection().execute(
        select(func.count(), func.min(Case.registered_at), func.max(Case.registered_at))
        .where(Case.tenant_id == t)).one()
    if stamp is None:
        stamp = IndicatorRefresh(tenant_id=t)
        session.add(stamp)
    for name, value in values.items():
        setattr(stamp, name, value)
    stamp.rows, stamp.earliest, stamp.latest = rows, earliest, latest
    return stamp, cases


def _full_reason(stamp: IndicatorRefresh | None, settings: str, tree: str) -> str:
    """Why the rollup must be rebuilt whole ("": the months that changed will do)."""
    if stamp is None:
        return "no rollup yet"
    if stamp.tree is None or stamp.scanned_at is None:
        return "built before incremental refreshes"  # a stamp older than migration 0014
    if stamp.settings != settings:
        return "other settings"
    if stamp.tree != tree:
        return "the tier tree changed"
    return ""


def _changed_months(session: TenantSession, scope: ind._Scope, t: int,
                    since: datetime) -> list[str]:
    """The registration months (tenant time) of the cases changed at or after ``since``: a
    range of the ``(tenant_id, changed_at)`` index, a handful of keys back."""
    month = ind._month(scope)
    return sorted(session.scalars(select(month).where(Case.tenant_id == t,
                                                      Case.changed_at >= since)
                                  .group_by(month)))


def _build(session: TenantSession, scope: ind._Scope, t: int,
           months: list[str] | None) -> list[str]:
    """Replace the rows of ``months`` (None: every month) from their cases; the months built.

    The facts table holds the cases of those months only, so every facet statement, the
    scopes of the (handling, location) pairs and the mediators' attempts are theirs alone.
    """
    connection = session.connection()
    _drop_temp(connection)
    for table in (FACTS, NODE_SCOPES, PAIR_SCOPES):
        table.create(connection)
    for statement in _TEMP_INDEXES:
        connection.exec_driver_sql(statement)
    facts = _facts(scope, t)
    if months is not None:
        facts = facts.where(_in_months(scope, months))
    connection.execute(insert(FACTS).from_select([c.name for c in FACTS.c], facts))
    _fill_scopes(connection, t)
    if scope.dialect == "postgresql":
        # Autovacuum never analyzes temporary tables: without statistics the planner took a
        # month's few thousand facts for many more and nested-looped the mediators' join
        # (4 s of a 5 s incremental refresh at 200,000 cases; under 0.1 s with them).
        for table in (FACTS, NODE_SCOPES, PAIR_SCOPES):
            connection.exec_driver_sql(f"ANALYZE {table.name}")
    old = delete(IndicatorRollup)  # ORM: the tenant criteria apply
    if months is not None:
        old = old.where(IndicatorRollup.month.in_(months))
    session.execute(old)
    for statement in _facet_inserts(t, partial=months is not None):
        connection.execute(statement)
    if months is None:
        months = sorted(connection.scalars(select(FACTS.c.month).distinct()))
    _drop_temp(connection)
    return months


def _in_months(scope: ind._Scope, months: list[str]) -> Any:
    """Cases registered in ``months`` (tenant time).

    Each run of consecutive months becomes a range of ``registered_at``, which the
    ``(tenant_id, registered_at)`` index answers; the ranges are a day wider than the months
    (SQLite cuts months at one UTC offset), and the month itself, computed as the facts
    compute it, decides.
    """
    zone = ZoneInfo(scope.timezone)
    ranges = [and_(Case.registered_at >= _key_start(first, zone) - timedelta(days=1),
                   Case.registered_at < _key_start(_next_month(last), zone) + timedelta(days=1))
              for first, last in _runs(months)]
    return and_(or_(*ranges), ind._month(scope).in_(months))


def _runs(months: list[str]) -> list[tuple[str, str]]:
    """Sorted month keys as runs of consecutive months: (first, last) each."""
    runs: list[tuple[str, str]] = []
    for key in sorted(months):
        if runs and _next_month(runs[-1][1]) == key:
            runs[-1] = (runs[-1][0], key)
        else:
            runs.append((key, key))
    return runs


def _key_start(key: str, zone: ZoneInfo) -> datetime:
    """The first moment (UTC) of month ``YYYY-MM`` in ``zone``."""
    return datetime(int(key[:4]), int(key[5:]), 1, tzinfo=zone).astimezone(UTC)


def comparable_rows(session: TenantSession) -> list[tuple[Any, ...]]:
    """The session tenant's rollup rows without their ids, sorted (hours to the microsecond):
    what two builds over the same cases have in common, whether full or incremental."""
    r = IndicatorRollup
    columns = [getattr(r, c.name) for c in r.__table__.columns if c.name != "id"]
    rows = [tuple(round(v, 6) if isinstance(v, float) else v for v in row)
            for row in session.execute(select(*columns))]
    return sorted(rows, key=repr)


def refresh_due(session: TenantSession, now: datetime, every: timedelta = REFRESH_EVERY) -> bool:
    """True when the tenant has no rollup or its rollup is older than ``every`` at ``now``."""
    stamp = session.scalar(select(IndicatorRefresh))
    return stamp is None or _aware(stamp.as_of) <= now - every


def _drop_temp(connection: Any) -> None:
    for table in (PAIR_SCOPES, NODE_SCOPES, FACTS):
        table.drop(connection, checkfirst=True)


def _flag(condition: Any) -> Any:
    return case((condition, 1), else_=0)


def _facts(scope: ind._Scope, t: int) -> Any:
    """One row per case of tenant ``t``: its keys and 0/1 flags (counts for evaluations)."""
    node = aliased(TierNode)
    accepted, resolved, closed = ind.accepted_condition(), ind.resolved_condition(), ind._closed()

    def child(model: Any, *conditions: Any) -> Any:
        return and_(model.tenant_id == t, model.case_id == Case.id, *conditions)

    def latest_referral(*conditions: Any) -> Any:
        return (select(func.max(Referral.referred_at)).where(child(Referral, *conditions))
                .scalar_subquery())

    litigation = Referral.route == Route.LITIGATION.value
    lit_at, other_at = latest_referral(litigation), latest_referral(~litigation)
    litigated = and_(accepted, ~resolved, lit_at.is_not(None))
    lead = (select(Assignment.department_id)
            .where(child(Assignment, Assignment.role == "lead"))
            .order_by(Assignment.id.desc()).limit(1).scalar_subquery())

    def evaluations(ratings: Iterable[str]) -> Any:
        counted = (select(func.count()).where(child(Evaluation, Evaluation.rating.in_(
            list(ratings)))).scalar_subquery())
        return case((Case.status != ind.S.MERGED.value, counted), else_=0)

    hours = ind._hours(scope.dialect)
    return (
        select(
            Case.id, ind._month(scope), Case.node_id, Case.location_node_id, Case.category,
            Case.channel, Case.window_type, node.level_id, lead,
            literal(1),
            _flag(Case.status != ind.S.MERGED.value),
            _flag(accepted),
            _flag(resolved),
            _flag(closed),
            _flag(and_(accepted, Case.status.not_in(ind._values(ind.CLOSED_STATES)),
                       Case.overdue.is_(True))),
            _flag(and_(resolved, Case.escalations == 0, Case.reopened == 0,
                       Case.dispatch_count <= 1)),
            _flag(and_(resolved, node.level_id.in_(scope.frontline_level_ids))),
            _flag(and_(accepted, exists().where(child(MediationAttempt)))),
            _flag(and_(accepted, exists().where(child(
                MediationAttempt, MediationAttempt.result == "succeeded")))),
            evaluations(ind.VALID_RATINGS),
            evaluations(scope.satisfied),
            _flag(and_(closed, exists().where(child(
                Deadline, Deadline.state.in_(ind.MISSED_CLOCK_STATES))))),
            _flag(litigated),
            _flag(and_(litigated, or_(Case.status.in_(ind._values(OPEN_STATES)),
                                      other_at > lit_at))),
            case((resolved, hours), else_=null()),
            case((resolved, ind._whole_hours(scope.dialect)), else_=null()),
        )
        .select_from(Case)
        .outerjoin(node, and_(node.tenant_id == t, node.id == Case.node_id))
        .where(Case.tenant_id == t)
    )


def _fill_scopes(connection: Any, t: int) -> None:
    """Scopes of every node (itself, its ancestors, 0) and of every (handling, location) pair."""
    n, a = aliased(TierNode), aliased(TierNode)
    prefix = func.substr(n.path, 1, func.length(a.path)) == a.path
    connection.execute(insert(NODE_SCOPES).from_select(
        ["node_id", "scope_id"],
        union(select(n.id, a.id).select_from(n).join(a, and_(a.tenant_id == t, prefix))
              .where(n.tenant_id == t),
              select(n.id, literal(WHOLE_TENANT)).where(n.tenant_id == t))))
    pairs = select(FACTS.c.node_id, FACTS.c.loc_id).distinct().subquery()
    s = NODE_SCOPES
    connection.execute(insert(PAIR_SCOPES).from_select(
        ["node_id", "loc_id", "scope_id"],
        union(select(pairs.c.node_id, pairs.c.loc_id, s.c.scope_id)
              .join(s, s.c.node_id == pairs.c.node_id),
              select(pairs.c.node_id, pairs.c.loc_id, s.c.scope_id)
              .join(s, s.c.node_id == pairs.c.loc_id))))


def _facet_inserts(t: int, *, partial: bool = False) -> list[Any]:
    """One INSERT … SELECT … GROUP BY per facet, into indicator_rollups (``partial``: the
    facts are some months' cases only)."""
    f, ps, ns = FACTS, PAIR_SCOPES, NODE_SCOPES
    names = ["tenant_id", "month", "scope_id", "facet", "value", *COUNTS, "hours_sum"]
    by_pair = and_(ps.c.node_id == f.c.node_id, ps.c.loc_id == f.c.loc_id)

    def sums() -> list[Any]:
        return [*(func.sum(f.c[name]) for name in _FLAGS), literal(0), func.sum(f.c.hours)]

    def grouped(facet: str, value: Any, scopes: Any, on: Any, *where: Any) -> Any:
        query = (select(literal(t), f.c.month, scopes.c.scope_id, literal(facet),
                        cast(value, String) if value is not None else null(), *sums())
                 .select_from(f).join(scopes, on).where(*where)
                 .group_by(f.c.month, scopes.c.scope_id,
                           *([value] if value is not None else [])))
        return insert(IndicatorRollup.__table__).from_select(names, query)

    statements = [grouped("all", None, ps, by_pair)]
    statements += [grouped(facet, f.c[facet], ps, by_pair) for facet in COLUMN_FACETS.values()]
    statements.append(grouped("located", None, ns, ns.c.node_id == f.c.loc_id))
    hours = (select(literal(t), f.c.month, ps.c.scope_id, literal("hours"),
                    cast(f.c.whole_hours, String), *([literal(0)] * 3), func.count(),
                    *([literal(0)] * (len(COUNTS) - 4)), null())
             .select_from(f).join(ps, by_pair).where(f.c.resolved == 1)
             .group_by(f.c.month, ps.c.scope_id, f.c.whole_hours))
    statements.append(insert(IndicatorRollup.__table__).from_select(names, hours))
    statements.append(insert(IndicatorRollup.__table__).from_select(names,
                                                                     _mediators(t, partial)))
    return statements


def _mediators(t: int, partial: bool = False) -> Any:
    """Per mediator: attempts, cases mediated, succeeded by that mediator, resolved.

    ``partial``: only the attempts of the facts' cases are grouped (by the case index), not
    every attempt of the tenant for the join to throw most of them away.
    """
    f, ps = FACTS, PAIR_SCOPES
    attempts = [MediationAttempt.tenant_id == t]
    if partial:
        attempts.append(MediationAttempt.case_id.in_(select(f.c.case_id)))
    per_case = (select(MediationAttempt.case_id, MediationAttempt.mediator,
                       func.count().label("n"),
                       func.max(_flag(MediationAttempt.result == "succeeded")).label("s"))
                .where(*attempts)
                .group_by(MediationAttempt.case_id, MediationAttempt.mediator).subquery())
    values = {name: literal(0) for name in COUNTS}
    values.update(cases=func.count(), mediated=func.count(), resolved=func.sum(f.c.resolved),
                  mediation_succeeded=func.sum(per_case.c.s), attempts=func.sum(per_case.c.n))
    return (select(literal(t), f.c.month, ps.c.scope_id, literal("mediator"),
                   per_case.c.mediator, *values.values(), null())
            .select_from(f).join(per_case, per_case.c.case_id == f.c.case_id)
            .join(ps, and_(ps.c.node_id == f.c.node_id, ps.c.loc_id == f.c.loc_id))
            .where(f.c.accepted == 1)
            .group_by(f.c.month, ps.c.scope_id, per_case.c.mediator))


# --- reading ---------------------------------------------------------------------------------


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite gives naive UTC back.
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _month_key(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m")


def _next_month(key: str) -> str:
    year, month = int(key[:4]), int(key[5:])
    return f"{year + month // 12:04d}-{month % 12 + 1:02d}"


def _month_start(moment: datetime, zone: ZoneInfo) -> datetime:
    local = moment.astimezone(zone)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


def _aligned(moment: datetime, zone: ZoneInfo) -> bool:
    return _month_start(moment, zone) == moment.astimezone(UTC)


@dataclass(frozen=True)
class _Months:
    """Rollup months ``[lo, hi)`` (None: unbounded) and a live tail ``[tail_start, tail_end)``."""

    lo: str | None
    hi: str | None
    tail: tuple[datetime, datetime] | None = None


class Source:
    """Where the figures of one (subtree, period) come from: the rollup, or live.

    ``as_of`` is the rollup's moment (None: live). :meth:`compute` and :meth:`breakdown` return
    what :func:`core.indicators.compute` and :func:`core.indicators.breakdown` return, from
    whichever source.
    """

    def __init__(self, session: TenantSession, tenant: TenantContext, node_path: str | None,
                 start: datetime | None, end: datetime | None) -> None:
        self.session, self.tenant, self.node_path = session, tenant, node_path
        self.start, self.end = start, end
        self.scope = ind._scope(session, tenant, node_path, start, end)
        self.zone = ZoneInfo(self.scope.timezone)
        self.as_of: datetime | None = None
        self.reason = ""
        self._scope_id: int | None = None
        self._months: _Months | None = None
        self._decide()

    @property
    def live(self) -> bool:
        """True when the figures are computed live."""
        return self.as_of is None

    def _decide(self) -> None:
        stamp = self.session.scalar(select(IndicatorRefresh))
        if stamp is None:
            self.reason = "no rollup yet"
            return
        settings = _settings(self.scope)
        if stamp.settings != settings:
            self.reason = "rollup built under other settings"
            return
        if stamp.tree is not None and stamp.tree != self._tree():
            # Scopes built from another tree (a node moved since, until the next refresh
            # rebuilds everything) would count cases under their old branches.
            self.reason = "the tier tree changed since the rollup was built"
            return
        if self.node_path is None:
            self._scope_id = WHOLE_TENANT
        else:
            self._scope_id = self.session.scalar(select(TierNode.id)
                                                 .where(TierNode.path == self.node_path))
            if self._scope_id is None:
                self.reason = "not a node's subtree"
                return
        start, end = _aware(self.start), _aware(self.end)
        earliest, latest = _aware(stamp.earliest), _aware(stamp.latest)
        lo = hi = None
        if start is not None:
            if not (_aligned(start, self.zone) or earliest is None or earliest >= start):
                self.reason = "the period starts inside a month"
                return
            lo = _month_key(start, self.zone)
        if end is not None:
            if _aligned(end, self.zone):
                hi = _month_key(end, self.zone)
            elif latest is None or latest < end:
                hi = _next_month(_month_key(end, self.zone))
            else:
                self.reason = "the period ends inside a month"
                return
        self._months = _Months(lo, hi)
        self.as_of = _aware(stamp.as_of)

    def _tree(self) -> str:
        # Read once per tenant snapshot, not per page: the tree only changes through an apply,
        # which starts a new snapshot, and a city's tree can hold 100,000 nodes.
        return self.tenant.derived(f"rollup_tree:{_tree_inputs(self.scope)!r}",
                                   lambda: tree_digest(self.session, self.scope))

    # --- the rows -------------------------------------------------------------------------

    def _rows(self, facet: str, months: _Months, *, by_value: bool = True,
              by_month: bool = False, scope_ids: Iterable[int] | None = None) -> list[Any]:
        r = IndicatorRollup
        keys = [r.value if by_value else null(), r.month if by_month else null(),
                r.scope_id if scope_ids is not None else null()]
        columns = [func.sum(getattr(r, name)).label(name) for name in (*COUNTS, "hours_sum")]
        query = select(*(k.label(n) for k, n in zip(keys, ("value", "month", "scope"),
                                                    strict=True)), *columns)
        query = query.where(r.facet == facet)
        if scope_ids is None:
            query = query.where(r.scope_id == self._scope_id)
        else:
            query = query.where(r.scope_id.in_(list(scope_ids)))
        if months.lo is not None:
            query = query.where(r.month >= months.lo)
        if months.hi is not None:
            query = query.where(r.month < months.hi)
        groups = [r.value] if by_value else []
        groups += [r.month] if by_month else []
        groups += [r.scope_id] if scope_ids is not None else []
        return list(self.session.execute(query.group_by(*groups)))

    @staticmethod
    def _counts(row: Any) -> dict[str, Any]:
        counts = {name: getattr(row, name) or 0 for name in COUNTS}
        counts["hours_sum"] = row.hours_sum
        return counts

    def _histograms(self, *, by_month: bool) -> dict[Any, float | None]:
        """Median whole hours per month (``by_month``) or overall (key None)."""
        r = IndicatorRollup
        assert self._months is not None
        query = select(r.month if by_month else null(), r.value, func.sum(r.resolved)).where(
            r.scope_id == self._scope_id, r.facet == "hours")
        if self._months.lo is not None:
            query = query.where(r.month >= self._months.lo)
        if self._months.hi is not None:
            query = query.where(r.month < self._months.hi)
        query = query.group_by(*([r.month] if by_month else []), r.value)
        histograms: dict[Any, list[tuple[int, int]]] = {}
        for key, hours, n in self.session.execute(query):
            histograms.setdefault(key, []).append((int(hours), int(n)))
        return {key: _median(pairs) for key, pairs in histograms.items()}

    def _previous(self, by: str | None) -> dict[str | None, int] | None:
        """Intake a year earlier per group key (text), or None without a bounded period."""
        start, end = _aware(self.start), _aware(self.end)
        if start is None or end is None:
            return None
        first, last = ind._year_earlier(start), ind._year_earlier(end)
        # "A year earlier" is taken in UTC, as core.indicators takes it: around 29 February
        # its bounds need not be local midnights; whatever is not whole months is counted live.
        lo = first if _aligned(first, self.zone) else _month_start(
            _month_start(first, self.zone) + timedelta(days=32), self.zone)
        hi = _month_start(last, self.zone)
        spans: list[tuple[datetime, datetime]] = []
        if lo >= hi:
            months, spans = None, [(first, last)]
        else:
            months = _Months(_month_key(lo, self.zone), _month_key(hi, self.zone))
            spans = [(a, b) for a, b in ((first, lo), (hi, last)) if a < b]
        out: dict[str | None, int] = {}
        if months is not None:
            for key, counts in self._grouped(by, months).items():
                out[key] = out.get(key, 0) + (counts["intake"] or 0)
        for span in spans:
            for key, n in self._live_intake(by, *span).items():
                text = ind._key_text(key)
                out[text] = out.get(text, 0) + n
        return out

    def _live_intake(self, by: str | None, start: datetime, end: datetime) -> dict[Any, int]:
        """Intake registered in ``[start, end)`` by the live key of ``by``.

        By department, the latest lead assignment is looked up per case of the span (a
        correlated subquery on ``(tenant_id, case_id)``), not grouped over every assignment.
        """
        if by != "department":
            rows = ind._intake_between(self.session, ind._key(by, self.scope, self.node_path),
                                       self.node_path, start, end)
            return {k: v.get("previous") or 0 for k, v in rows.items()}
        lead = (select(Assignment.department_id)
                .where(Assignment.case_id == Case.id, Assignment.role == "lead")
                .order_by(Assignment.id.desc()).limit(1).correlate(Case).scalar_subquery())
        cases = (select(lead.label("key"), Case.status.label("status"))
                 .where(*ind._population(self.node_path, start, end)).subquery())
        query = (select(cases.c.key, func.count().filter(cases.c.status != ind.S.MERGED.value))
                 .group_by(cases.c.key))
        return {key: n for key, n in self.session.execute(query)}

    def _grouped(self, by: str | None, months: _Months) -> dict[str | None, dict[str, Any]]:
        """Counts per group key (text; None the "no value" group) of ``by`` over ``months``."""
        if by is None:
            rows = self._rows("all", months, by_value=False)
            return {None: self._counts(rows[0])} if rows and rows[0].cases else {}
        if by == "month":
            return {row.month: self._counts(row)
                    for row in self._rows("all", months, by_value=False, by_month=True)}
        if by == "tier":
            return self._tier(months)
        return {row.value: self._counts(row) for row in self._rows(COLUMN_FACETS[by], months)}

    def _tier(self, months: _Months) -> dict[str | None, dict[str, Any]]:
        """Children by location; the node itself (""); located outside, handled inside (None)."""
        parent = None if self._scope_id == WHOLE_TENANT else self._scope_id
        children = dict(self.session.execute(
            select(TierNode.id, TierNode.code).where(TierNode.parent_id.is_(None)
                                                     if parent is None else
                                                     TierNode.parent_id == parent)).all())
        out: dict[str | None, dict[str, Any]] = {}
        below: dict[str, Any] = {}
        if children:
            for row in self._rows("located", months, by_value=False, scope_ids=children):
                counts = self._counts(row)
                out[children[row.scope]] = counts
                below = _plus(below, counts)
        located = self._rows("located", months, by_value=False)
        every = self._rows("all", months, by_value=False)
        located_counts = self._counts(located[0]) if located else {}
        every_counts = self._counts(every[0]) if every else {}
        out[""] = _minus(located_counts, below)
        out[None] = _minus(every_counts, located_counts)
        return {k: v for k, v in out.items() if v.get("cases")}

    # --- the figures ------------------------------------------------------------------------

    def compute(self) -> ind.IndicatorReport:
        """Every indicator of the subtree and period, then the plugins' (always live)."""
        if self.live:
            return ind.compute(self.session, self.tenant, node_path=self.node_path,
                               start=self.start, end=self.end)
        assert self._months is not None
        counts = self._grouped(None, self._months).get(None, {})
        counts["median_hours"] = self._histograms(by_month=False).get(None)
        previous = self._previous(None)
        if previous is not None:
            counts["previous"] = previous.get(None, 0)
        figures = ind._figures(counts)
        population = select(Case.id).where(*self.scope.where)
        for indicator in ind.plugin_indicators(self.tenant):
            figures[indicator.code] = indicator.figure(self.session, population)
        return ind.IndicatorReport(
            tenant_id=self.tenant.id, node_path=self.node_path, start=self.start, end=self.end,
            satisfaction_counts=self.scope.satisfaction_counts,
            frontline_level=self.scope.frontline_level, figures=figures)

    def breakdown(self, by: str) -> ind.Breakdown:
        """The indicators per group of ``by`` (one of :data:`core.indicators.BREAKDOWNS`).

        From the rollup, medians are given only by month (None for other groups).
        """
        if by not in ind.BREAKDOWNS:
            raise ind.IndicatorError(
                f"cannot break down by {by!r} (one of {', '.join(ind.BREAKDOWNS)})", field="by")
        if self.live:
            return ind.breakdown(self.session, self.tenant, by, node_path=self.node_path,
                                 start=self.start, end=self.end)
        assert self._months is not None
        if by == "mediator":
            rows = {row.value: self._counts(row)
                    for row in self._rows("mediator", self._months)}
            figures = {k: ind._mediator_figures(v) for k, v in rows.items()}
        else:
            rows = self._grouped(by, self._months)
            if by == "month":
                for key, median in self._histograms(by_month=True).items():
                    rows.setdefault(key, {})["median_hours"] = median
            else:
                previous = self._previous(by)
                if previous is not None:
                    for counts in rows.values():
                        counts["previous"] = 0
                    for key, n in previous.items():
                        rows.setdefault(key, {})["previous"] = n
            figures = {k: ind._figures(v) for k, v in rows.items()}
        typed = {_typed(by, k): k for k in rows}
        names = ind._names(self.session, by, {k: None for k in typed})
        groups = [ind.Group(text, names.get(key, {}), figures[text])
                  for key, text in sorted(typed.items(),
                                          key=lambda kv: (kv[1] is None, str(kv[1])))]
        return ind.Breakdown(by, self.node_path, self.start, self.end, groups)


def _typed(by: str, key: str | None) -> Any:
    """The key as :mod:`core.indicators` has it (level and department ids are integers)."""
    if key is not None and by in ("level", "department"):
        return int(key)
    return key


def _plus(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(a)
    for k, v in b.items():
        if v is None:
            out.setdefault(k, None)
        else:
            out[k] = (out.get(k) or 0) + v
    return out


def _minus(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(a)
    for k, v in b.items():
        if v is not None:
            out[k] = (out.get(k) or 0) - v
    if not out.get("resolved"):
        out["hours_sum"] = None
    return out


def _median(pairs: list[tuple[int, int]]) -> float | None:
    """The median of a histogram of (value, count): the mean of the middle one(s)."""
    pairs.sort()
    total = sum(n for _, n in pairs)
    if total == 0:
        return None
    wanted = ((total + 1) // 2, (total + 2) // 2)
    found: list[int] = []
    seen = 0
    for value, n in pairs:
        seen += n
        while len(found) < 2 and seen >= wanted[len(found)]:
            found.append(value)
        if len(found) == 2:
            break
    return (found[0] + found[1]) / 2


def source(session: TenantSession, tenant: TenantContext, *, node_path: str | None = None,
           start: datetime | None = None, end: datetime | None = None) -> Source:
    """Where the figures of ``node_path`` and ``[start, end)`` come from (see :class:`Source`)."""
    return Source(session, tenant, node_path, start, end)


def compute(session: TenantSession, tenant: TenantContext, **kwargs: Any) -> ind.IndicatorReport:
    """:func:`core.indicators.compute`, from the rollup when it answers."""
    return source(session, tenant, **kwargs).compute()


def breakdown(session: TenantSession, tenant: TenantContext, by: str,
              **kwargs: Any) -> ind.Breakdown:
    """:func:`core.indicators.breakdown`, from the rollup when it answers."""
    return source(session, tenant, **kwargs).breakdown(by)


__all__ = ["FULL", "INCREMENTAL", "OVERLAP", "REFRESH_EVERY", "RefreshResult", "Source",
           "breakdown", "compute", "fingerprint", "refresh", "refresh_due", "source",
           "tree_digest"]
