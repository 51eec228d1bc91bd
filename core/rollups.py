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

**Building.** :func:`refresh` rebuilds one tenant's rows set-based in one transaction: one
``INSERT … SELECT`` of per-case facts into a temporary table (no case row is loaded into
Python), then one ``INSERT … SELECT … GROUP BY`` per facet joined to the scopes of each
(handling node, location node) pair. It replaces the tenant's rows and stamps
:class:`core.models.IndicatorRefresh` (``as_of``, the settings that shaped the counts, the
earliest and latest registration counted), so it is idempotent. The periodic sweep
(:mod:`core.tasks`) calls it when the rollup is older than :data:`REFRESH_EVERY`; operators run
``onedoor indicators refresh``.

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
from core.tenancy import TenantContext
from core.workflow import OPEN_STATES
from core.workflow import Referral as Route

#: How old a rollup may get before the periodic sweep rebuilds it.
REFRESH_EVERY = timedelta(minutes=30)
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
    """One tenant's rebuild: rows written, cases counted, seconds taken, the moment it is of."""

    tenant_id: int
    as_of: datetime
    rows: int
    cases: int
    seconds: float


def fingerprint(session: TenantSession, tenant: TenantContext) -> str:
    """The settings the counts depend on: time zone, satisfaction counting, frontline level."""
    scope = ind._scope(session, tenant, None, None, None)
    return f"{scope.timezone}|{scope.satisfaction_counts}|{scope.frontline_level}"


def refresh(session: TenantSession, tenant: TenantContext, *, now: datetime | None = None,
            actor: str = REFRESH_ACTOR) -> RefreshResult:
    """Rebuild ``tenant``'s rollup in the session's transaction (set-based, idempotent).

    The statements run on the session's own connection (inside its transaction, with
    ``app.tenant_id`` set for row-level security) as Core SQL, each naming the tenant in every
    table it reads; the ORM's automatic tenant criteria do not reach ``INSERT … SELECT``.
    One audit event (``indicators.refreshed``, by ``actor``) records the moment and the sizes.
    Raises :class:`core.indicators.IndicatorError` for a bad indicator setting.
    """
    if session.tenant_id != tenant.id:
        raise TenantIsolationError(
            f"rollup of tenant {tenant.id} asked through a session of {session.tenant_id}")
    started = time.perf_counter()
    as_of = (now or datetime.now(UTC)).astimezone(UTC)
    scope = ind._scope(session, tenant, None, None, None)
    settings = f"{scope.timezone}|{scope.satisfaction_counts}|{scope.frontline_level}"
    connection = session.connection()
    if scope.dialect == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(_LOCK_BASE + tenant.id)))
    _drop_temp(connection)
    for table in (FACTS, NODE_SCOPES, PAIR_SCOPES):
        table.create(connection)
    for statement in _TEMP_INDEXES:
        connection.exec_driver_sql(statement)
    t = tenant.id
    connection.execute(insert(FACTS).from_select([c.name for c in FACTS.c], _facts(scope, t)))
    _fill_scopes(connection, t)
    session.execute(delete(IndicatorRollup))  # ORM: the tenant criteria apply
    for statement in _facet_inserts(t):
        connection.execute(statement)
    rows = session.scalar(select(func.count()).select_from(IndicatorRollup)) or 0
    span = connection.execute(select(func.count(), func.min(Case.registered_at),
                                     func.max(Case.registered_at))
                              .where(Case.tenant_id == t)).one()
    _drop_temp(connection)
    stamp = session.scalar(select(IndicatorRefresh))
    if stamp is None:
        stamp = IndicatorRefresh(tenant_id=t)
        session.add(stamp)
    stamp.as_of, stamp.settings, stamp.rows = as_of, settings, rows
    stamp.earliest, stamp.latest = span[1], span[2]
    stamp.seconds = round(time.perf_counter() - started, 3)
    session.flush()
    audit.record(session, actor=actor, action=REFRESH_ACTION, object_type="indicator_rollup",
                 object_id=t, data={"as_of": as_of.isoformat(), "rows": rows,
                                    "cases": span[0], "seconds": stamp.seconds})
    return RefreshResult(t, as_of, rows, span[0], stamp.seconds)


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


def _facet_inserts(t: int) -> list[Any]:
    """One INSERT … SELECT … GROUP BY per facet, into indicator_rollups."""
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
    statements.append(insert(IndicatorRollup.__table__).from_select(names, _mediators(t)))
    return statements


def _mediators(t: int) -> Any:
    """Per mediator: attempts, cases mediated, succeeded by that mediator, resolved."""
    f, ps = FACTS, PAIR_SCOPES
    per_case = (select(MediationAttempt.case_id, MediationAttempt.mediator,
                       func.count().label("n"),
                       func.max(_flag(MediationAttempt.result == "succeeded")).label("s"))
                .where(MediationAttempt.tenant_id == t)
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
        settings = (f"{self.scope.timezone}|{self.scope.satisfaction_counts}|"
                    f"{self.scope.frontline_level}")
        if stamp.settings != settings:
            self.reason = "rollup built under other settings"
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


__all__ = ["REFRESH_EVERY", "RefreshResult", "Source", "breakdown", "compute", "fingerprint",
           "refresh", "refresh_due", "source"]
