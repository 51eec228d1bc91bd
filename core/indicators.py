"""Indicators (考核指标) the dashboards and the API show: definitions as data, set-based figures.

Every indicator is a ratio (or a count, or hours) with its numerator and denominator stated in
:data:`DEFINITIONS`, in zh_Hans, zh_Hant and en, exactly as the dashboards print them. The
population is always *cases registered in the period* (``start <= registered_at < end``) whose
handling node or location node lies in the subtree asked for; each indicator then counts the
statuses its definition names. Figures come from a handful of aggregate queries (``COUNT(*)
FILTER``, ``SUM``, ``GROUP BY``) — no case row is ever loaded into Python, so a tenant with a
million cases is answered in about the time its database takes to scan them once or twice.

::

    report = compute(session, tenant, node_path="/D1/T1/", start=jan1, end=jul1)
    report["resolution_rate"].value            # 0.93 (None when nothing was accepted)
    breakdown(session, tenant, "category").groups

No Flask here: the API (``/<tenant>/api/v1/indicators``) and the dashboard call these functions
with a tenant-bound session, so both isolation layers apply to every query.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    case,
    cast,
    func,
    null,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from core.db import TenantIsolationError, TenantSession
from core.models import (
    Assignment,
    Case,
    Deadline,
    Department,
    Evaluation,
    MediationAttempt,
    Referral,
    TierLevel,
    TierNode,
)
from core.tenancy import TenantContext
from core.tiers import subtree_bounds
from core.workflow import OPEN_STATES, Status
from core.workflow import Referral as Route

# --- definitions ---------------------------------------------------------------------------

S = Status
#: Statuses outside every "accepted" denominator even with an acceptance time: the party
#: withdrew (the dispute was never judged) or the case duplicates another (merged).
NOT_ACCEPTED = (S.REGISTERED, S.NOT_ACCEPTED, S.WITHDRAWN, S.MERGED)
#: Statuses a resolved case can be in: still "resolved", or closed and archived after it.
RESOLVED_STATES = (S.RESOLVED, S.CLOSED, S.ARCHIVED)
CLOSED_STATES = (S.CLOSED, S.ARCHIVED)
#: Clock states that mean a deadline was missed (finished late, or still running past due).
MISSED_CLOCK_STATES = ("late", "breached")
SATISFACTION_SETTINGS = {
    "satisfied": ("satisfied",),
    "satisfied_and_basic": ("satisfied", "basically_satisfied"),
}
DEFAULT_SATISFACTION = "satisfied_and_basic"
VALID_RATINGS = ("satisfied", "basically_satisfied", "unsatisfied")
BREAKDOWNS = ("category", "channel", "level", "tier", "department", "window", "mediator",
              "month")


class IndicatorError(ValueError):
    """A bad request or tenant setting; ``field`` names the key (``indicators.frontline_level``)."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class IndicatorDefinition:
    """One indicator: code, unit (``ratio``, ``count``, ``hours``), names and its definition."""

    code: str
    unit: str
    names: Mapping[str, str] = field(hash=False)
    definitions: Mapping[str, str] = field(hash=False)

    def name(self, locale: str) -> str:
        """Name in ``locale``, falling back to zh_Hans."""
        return self.names.get(locale) or self.names["zh_Hans"]

    def definition(self, locale: str) -> str:
        """The sentence a dashboard shows under the figure, in ``locale``."""
        return self.definitions.get(locale) or self.definitions["zh_Hans"]


def _d(code: str, unit: str, names: tuple[str, str, str],
       texts: tuple[str, str, str]) -> IndicatorDefinition:
    locales = ("zh_Hans", "zh_Hant", "en")
    return IndicatorDefinition(code, unit, dict(zip(locales, names, strict=True)),
                               dict(zip(locales, texts, strict=True)))


#: Every indicator, in the order dashboards list them. ``docs/indicators.md`` repeats the texts.
DEFINITIONS: dict[str, IndicatorDefinition] = {d.code: d for d in (
    _d("intake", "count", ("登记量", "登記量", "Intake"), (
        "登记量 = 统计期内登记的事件数，不含被合并的重复件。",
        "登記量 = 統計期內登記的事件數，不含被合併的重複件。",
        "Intake = cases registered in the period, except duplicates merged into another case.")),
    _d("accepted", "count", ("受理量", "受理量", "Accepted"), (
        "受理量 = 经过受理（有受理时间）的事件数，不含之后撤回或被合并的；"
        "不予受理、待受理的不算。",
        "受理量 = 經過受理（有受理時間）的事件數，不含之後撤回或被合併的；"
        "不予受理、待受理的不算。",
        "Accepted = cases that went through acceptance (they have an acceptance time), except "
        "those withdrawn or merged afterwards; not-accepted and undecided cases do not count.")),
    _d("resolution_rate", "ratio", ("化解率", "化解率", "Resolution rate"), (
        "化解率 = 已化解 ÷ 已受理；已化解指状态为已化解、已办结或已归档且有化解时间的事件"
        "（经调处化解；导入诉讼等途径后办结的不算）。",
        "化解率 = 已化解 ÷ 已受理；已化解指狀態為已化解、已辦結或已歸檔且有化解時間的事件"
        "（經調處化解；導入訴訟等途徑後辦結的不算）。",
        "Resolution rate = resolved ÷ accepted; resolved means status resolved, closed or "
        "archived with a resolution time (settled by mediation; cases closed after a referral "
        "to court or another route do not count).")),
    _d("mediation_success", "ratio", ("调解成功率", "調解成功率", "Mediation success"), (
        "调解成功率 = 有一次调解记录为成功的已受理事件 ÷ 有调解记录的已受理事件。",
        "調解成功率 = 有一次調解記錄為成功的已受理事件 ÷ 有調解記錄的已受理事件。",
        "Mediation success = accepted cases with a mediation attempt recorded as succeeded ÷ "
        "accepted cases with at least one mediation attempt.")),
    _d("completion_rate", "ratio", ("办结率", "辦結率", "Completion rate"), (
        "办结率 = 已办结 ÷ 已受理；已办结指状态为已办结或已归档（含导入其他途径后办结）。",
        "辦結率 = 已辦結 ÷ 已受理；已辦結指狀態為已辦結或已歸檔（含導入其他途徑後辦結）。",
        "Completion rate = closed ÷ accepted; closed means status closed or archived "
        "(including cases closed after a referral).")),
    _d("on_time_rate", "ratio", ("按期办结率", "按期辦結率", "On-time completion"), (
        "按期办结率 = 按期办结 ÷ 应办结；应办结 = 已办结 + 未办结但已超期的已受理事件，"
        "按期办结 = 没有任何期限逾期（超期办结或超期未办）的已办结事件。",
        "按期辦結率 = 按期辦結 ÷ 應辦結；應辦結 = 已辦結 + 未辦結但已超期的已受理事件，"
        "按期辦結 = 沒有任何期限逾期（超期辦結或超期未辦）的已辦結事件。",
        "On-time completion = closed on time ÷ due; due = closed cases + accepted cases not "
        "closed but overdue; closed on time = closed cases none of whose deadlines was missed "
        "(finished late or breached).")),
    _d("satisfaction_rate", "ratio", ("满意率", "滿意率", "Satisfaction rate"), (
        "满意率 = 满意（租户设置为“满意和基本满意”时加基本满意）÷ 有效评价；"
        "有效评价为登记量内事件的每一条满意、基本满意或不满意评价。",
        "滿意率 = 滿意（租戶設置為「滿意和基本滿意」時加基本滿意）÷ 有效評價；"
        "有效評價為登記量內事件的每一條滿意、基本滿意或不滿意評價。",
        "Satisfaction rate = satisfied (plus basically satisfied unless the tenant counts only "
        "satisfied) ÷ valid evaluations: every satisfied, basically satisfied or unsatisfied "
        "evaluation of a case in the intake.")),
    _d("first_time_resolution", "ratio", ("一次性化解率", "一次性化解率",
                                          "First-time resolution"), (
        "一次性化解率 = 一次性化解 ÷ 已化解；一次性化解指从未上移、从未重新办理、"
        "且只派单一次（没有退单或转办）的已化解事件。",
        "一次性化解率 = 一次性化解 ÷ 已化解；一次性化解指從未上移、從未重新辦理、"
        "且只派單一次（沒有退單或轉辦）的已化解事件。",
        "First-time resolution = resolved first time ÷ resolved; first time means never "
        "escalated, never reopened and dispatched only once (no return or transfer).")),
    _d("frontline_share", "ratio", ("前端化解率", "前端化解率",
                                    "Share resolved at town level or below"), (
        "前端化解率 = 在乡镇（街道）及以下层级化解的 ÷ 已化解；按化解时办理节点的层级，"
        "界限层级由租户设置（默认第三级）。",
        "前端化解率 = 在鄉鎮（街道）及以下層級化解的 ÷ 已化解；按化解時辦理節點的層級，"
        "界限層級由租戶設置（默認第三級）。",
        "Share resolved at town level or below = resolved at a node of the frontline level "
        "(a tenant setting, the third level by default) or below ÷ resolved, by the level of "
        "the node handling the case when it was resolved.")),
    _d("funnel_resolved", "ratio", ("最终化解", "最終化解", "Resolved in the end"), (
        "诉调漏斗第一级：最终化解 = 已化解 ÷ 已受理（与化解率相同）。",
        "訴調漏斗第一級：最終化解 = 已化解 ÷ 已受理（與化解率相同）。",
        "Litigation funnel, stage 1: resolved ÷ accepted (the resolution rate).")),
    _d("funnel_unresolved", "ratio", ("未化解", "未化解", "Unresolved"), (
        "诉调漏斗第二级：未化解 = 已受理 − 已化解（含仍在办理的），占已受理的比例。",
        "訴調漏斗第二級：未化解 = 已受理 − 已化解（含仍在辦理的），佔已受理的比例。",
        "Litigation funnel, stage 2: unresolved = accepted − resolved (cases still being "
        "handled included), as a share of accepted.")),
    _d("funnel_litigated", "ratio", ("流转到诉讼", "流轉到訴訟", "Referred to litigation"), (
        "诉调漏斗第三级：流转到诉讼 = 有诉讼导入记录的未化解事件 ÷ 未化解。",
        "訴調漏斗第三級：流轉到訴訟 = 有訴訟導入記錄的未化解事件 ÷ 未化解。",
        "Litigation funnel, stage 3: referred to litigation = unresolved cases with a referral "
        "to litigation ÷ unresolved.")),
    _d("funnel_unresolved_after_litigation", "ratio",
       ("诉讼后仍未化解", "訴訟後仍未化解", "Still unresolved after litigation"), (
        "诉调漏斗第四级：诉讼后仍未化解 = 流转到诉讼的事件中，最近一次导入诉讼之后又回到"
        "办理中（如重新办理）或又导入其他途径（如涉诉信访）的 ÷ 流转到诉讼。",
        "訴調漏斗第四級：訴訟後仍未化解 = 流轉到訴訟的事件中，最近一次導入訴訟之後又回到"
        "辦理中（如重新辦理）或又導入其他途徑（如涉訴信訪）的 ÷ 流轉到訴訟。",
        "Litigation funnel, stage 4: still unresolved after litigation = cases referred to "
        "litigation that afterwards came back into handling (e.g. reopened) or were referred "
        "on to another route (e.g. a litigation-related petition) ÷ referred to litigation.")),
    _d("avg_hours_to_resolve", "hours", ("平均化解时长", "平均化解時長",
                                         "Average hours to resolve"), (
        "平均化解时长 = 已化解事件从登记到化解的小时数之和 ÷ 已化解事件数。",
        "平均化解時長 = 已化解事件從登記到化解的小時數之和 ÷ 已化解事件數。",
        "Average hours to resolve = total hours from registration to resolution of the "
        "resolved cases ÷ resolved cases.")),
    _d("median_hours_to_resolve", "hours", ("化解时长中位数", "化解時長中位數",
                                            "Median hours to resolve"), (
        "化解时长中位数 = 已化解事件从登记到化解的整小时数（不足一小时的部分舍去）的中位数"
        "（偶数件取中间两件的平均）。",
        "化解時長中位數 = 已化解事件從登記到化解的整小時數（不足一小時的部分捨去）的中位數"
        "（偶數件取中間兩件的平均）。",
        "Median hours to resolve = the median of the whole hours (any part of an hour left "
        "over dropped) from registration to resolution of the resolved cases (the mean of the "
        "middle two for an even count).")),
    _d("intake_yoy", "ratio", ("登记量同比", "登記量同比", "Intake year on year"), (
        "登记量同比 = (本期登记量 − 上年同期登记量) ÷ 上年同期登记量；需给出统计期起止。",
        "登記量同比 = (本期登記量 − 上年同期登記量) ÷ 上年同期登記量；需給出統計期起止。",
        "Intake year on year = (intake − intake of the same period a year earlier) ÷ intake "
        "of that period; needs a period with a start and an end.")),
)}


@dataclass(frozen=True)
class PluginIndicator:
    """An indicator a plugin adds through ``onedoor_indicators`` (游客满意率 of scenic_area).

    ``count(session, cases)`` receives ``cases``, a SELECT of the ids of the cases in the
    dashboard's population (the tenant's, registered in the period, in the subtree asked for)
    and returns ``(numerator, denominator)`` from aggregate SQL — never by loading rows. For a
    ``count`` indicator the denominator is None and the value is the numerator.
    """

    definition: IndicatorDefinition
    count: Callable[[TenantSession, Select[Any]], tuple[float | None, float | None]] = field(
        hash=False)

    @property
    def code(self) -> str:
        """The indicator's code (``tourist_satisfaction``)."""
        return self.definition.code

    def figure(self, session: TenantSession, cases: Select[Any]) -> Figure:
        """The figure over ``cases``."""
        numerator, denominator = self.count(session, cases)
        if self.definition.unit == "count":
            return Figure(self.code, numerator, None, numerator)
        return _ratio(self.code, numerator, denominator)


def plugin_indicators(tenant: TenantContext) -> list[PluginIndicator]:
    """Indicators of the plugins ``tenant`` enables, in plugin order."""
    return list(tenant.derived("plugin_indicators", lambda: [
        indicator for batch in tenant.hooks.onedoor_indicators() for indicator in batch or []]))


def definitions(tenant: TenantContext) -> dict[str, IndicatorDefinition]:
    """Core's :data:`DEFINITIONS` followed by those of the tenant's plugins' indicators."""
    return {**DEFINITIONS, **{i.code: i.definition for i in plugin_indicators(tenant)}}


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One indicator's value: ``numerator ÷ denominator``, None when the denominator is 0.

    Counts have no denominator (``value`` is the count); the median has no numerator.
    """

    code: str
    numerator: float | None
    denominator: float | None
    value: float | None


@dataclass(frozen=True)
class IndicatorReport:
    """Every indicator for one tenant, subtree and period, with the settings that shaped it."""

    tenant_id: int
    node_path: str | None
    start: datetime | None
    end: datetime | None
    satisfaction_counts: str
    frontline_level: str
    figures: Mapping[str, Figure]

    def __getitem__(self, code: str) -> Figure:
        return self.figures[code]


@dataclass(frozen=True)
class Group:
    """One group of a breakdown: its key (None for "no such value"), display names, figures."""

    key: str | None
    names: Mapping[str, str]
    figures: Mapping[str, Figure]

    def __getitem__(self, code: str) -> Figure:
        return self.figures[code]


@dataclass(frozen=True)
class Breakdown:
    """Indicators per group (category, channel, tier, …), groups in key order."""

    by: str
    node_path: str | None
    start: datetime | None
    end: datetime | None
    groups: Sequence[Group]

    def group(self, key: str | None) -> Group:
        """The group of ``key``; KeyError when no case fell into it."""
        for g in self.groups:
            if g.key == key:
                return g
        raise KeyError(key)


# --- settings and scope --------------------------------------------------------------------


@dataclass(frozen=True)
class _Scope:
    """Everything a query needs: dialect, population conditions, tenant settings."""

    dialect: str
    where: tuple[ColumnElement[bool], ...]
    satisfied: tuple[str, ...]
    satisfaction_counts: str
    frontline_level: str
    frontline_level_ids: tuple[int, ...]
    timezone: str
    utc_offset_minutes: int


def _settings(tenant: TenantContext) -> Mapping[str, Any]:
    settings = (tenant.config or {}).get("indicators") or {}
    if not isinstance(settings, Mapping):
        raise IndicatorError("[indicators] must be a table", field="indicators")
    return settings


def _satisfaction(tenant: TenantContext) -> str:
    """``indicators.satisfaction_counts``: "satisfied" or "satisfied_and_basic" (default)."""
    value = _settings(tenant).get("satisfaction_counts", DEFAULT_SATISFACTION)
    if value not in SATISFACTION_SETTINGS:
        raise IndicatorError(f"must be one of {', '.join(SATISFACTION_SETTINGS)}, got {value!r}",
                             field="indicators.satisfaction_counts")
    return value


def _frontline(session: TenantSession, tenant: TenantContext) -> tuple[str, tuple[int, ...]]:
    """The frontline level code and the ids of it and every level below it.

    ``indicators.frontline_level`` names a level; by default the third one (rank 2: the town
    in city / county / town / …), since a tenant declares at least three levels.
    """
    levels = session.execute(select(TierLevel.id, TierLevel.code, TierLevel.rank)
                             .order_by(TierLevel.rank)).all()
    if not levels:
        return "", ()
    wanted = _settings(tenant).get("frontline_level")
    if wanted is None:
        threshold = levels[min(2, len(levels) - 1)]
    else:
        threshold = next((lv for lv in levels if lv.code == wanted), None)
        if threshold is None:
            raise IndicatorError(
                f"unknown tier level {wanted!r} (levels: {', '.join(lv.code for lv in levels)})",
                field="indicators.frontline_level")
    return threshold.code, tuple(lv.id for lv in levels if lv.rank >= threshold.rank)


def _utc(moment: datetime | None, name: str) -> datetime | None:
    # SQLite stores naive UTC text: an aware bound must be converted, a naive one is ambiguous.
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise IndicatorError(f"{name} must be timezone-aware", field=name)
    return moment.astimezone(UTC)


def _population(node_path: str | None, start: datetime | None,
                end: datetime | None) -> tuple[ColumnElement[bool], ...]:
    """Cases registered in ``[start, end)`` whose node or location node is in the subtree."""
    where: list[ColumnElement[bool]] = []
    if start is not None:
        where.append(Case.registered_at >= start)
    if end is not None:
        where.append(Case.registered_at < end)
    if node_path is not None:
        try:
            lo, hi = subtree_bounds(node_path)
        except ValueError as exc:
            raise IndicatorError(str(exc), field="node_path") from exc
        # One index range scan on (tenant_id, path), used twice.
        ids = select(TierNode.id).where(TierNode.path >= lo, TierNode.path < hi)
        where.append(or_(Case.node_id.in_(ids), Case.location_node_id.in_(ids)))
    return tuple(where)


def _scope(session: TenantSession, tenant: TenantContext, node_path: str | None,
           start: datetime | None, end: datetime | None) -> _Scope:
    if session.tenant_id != tenant.id:
        raise TenantIsolationError(
            f"indicators of tenant {tenant.id} asked through a session of {session.tenant_id}")
    start, end = _utc(start, "start"), _utc(end, "end")
    counts = _satisfaction(tenant)
    level, level_ids = _frontline(session, tenant)
    zone_name = tenant.timezone or "Asia/Shanghai"
    zone = ZoneInfo(zone_name)
    # SQLite has no time zones: months are cut at the offset in force at the period's start
    # (exact for Asia/Shanghai, which has no daylight saving time).
    offset = zone.utcoffset(start or datetime.now(UTC))
    return _Scope(
        dialect=session.get_bind().dialect.name,
        where=_population(node_path, start, end),
        satisfied=SATISFACTION_SETTINGS[counts],
        satisfaction_counts=counts,
        frontline_level=level,
        frontline_level_ids=level_ids,
        timezone=zone_name,
        utc_offset_minutes=int(offset.total_seconds() // 60) if offset else 0,
    )


# --- the conditions, once --------------------------------------------------------------------


def _values(states: Sequence[Status] | frozenset[Status]) -> list[str]:
    return sorted(s.value for s in states)


def accepted_condition() -> ColumnElement[bool]:
    """The condition "accepted" of every accepted-based indicator (受理量, 化解率 …): for a
    plugin's indicator over its own case types (``core.toolkit``)."""
    # ``accepted_at`` is set by the accept transition and survives closing and reopening, so
    # a closed case that was not accepted (不予受理, then closed) is told apart from one that was.
    return and_(Case.accepted_at.is_not(None), Case.status.not_in(_values(NOT_ACCEPTED)))


def resolved_condition() -> ColumnElement[bool]:
    """The condition "resolved" (已化解) of the resolution rate: resolved, closed or archived
    with a resolution time (a plugin's indicator over its own case types uses it too)."""
    return and_(Case.status.in_(_values(RESOLVED_STATES)), Case.resolved_at.is_not(None))


def _closed() -> ColumnElement[bool]:
    # Not-accepted cases are closed too (with their statutory route told); they are not
    # completions of accepted work.
    return and_(Case.status.in_(_values(CLOSED_STATES)), accepted_condition())


def _hours(dialect: str) -> ColumnElement[float]:
    """Hours from registration to resolution, in the database's own arithmetic."""
    if dialect == "postgresql":
        return func.extract("epoch", Case.resolved_at - Case.registered_at) / 3600.0
    return (func.julianday(Case.resolved_at) - func.julianday(Case.registered_at)) * 24.0


def _whole_hours(dialect: str) -> ColumnElement[int]:
    """Whole hours from registration to resolution (the part of an hour left over dropped).

    The median is taken over whole hours so that the rollup (:mod:`core.rollups`) can keep it
    as a histogram and give the same figure; seconds are rounded first so that a resolution
    exactly 30 hours after registration is never 29 hours by a float's last bit.
    """
    if dialect == "postgresql":
        seconds = func.round(func.extract("epoch", Case.resolved_at - Case.registered_at))
        return cast(func.floor(seconds / 3600), Integer)
    seconds = func.round((func.julianday(Case.resolved_at) - func.julianday(Case.registered_at))
                         * 86400.0)
    # SQLite's "/" of two integers is integer division: the floor for durations >= 0.
    return cast(seconds, Integer).op("/")(3600)


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.count().filter(condition)


# --- grouping keys ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Key:
    """A grouping: the key expression on a case and the outer joins it needs."""

    column: ColumnElement[Any] | None
    joins: tuple[tuple[Any, ColumnElement[bool]], ...] = ()

    def apply(self, query: Select[Any]) -> Select[Any]:
        """Add the joins and GROUP BY to ``query`` (whose first column is the key)."""
        for target, onclause in self.joins:
            query = query.outerjoin(target, onclause)
        return query.group_by(self.column) if self.column is not None else query

    def columns(self) -> list[ColumnElement[Any]]:
        """The key as the query's first column (a constant NULL when ungrouped)."""
        return [(self.column if self.column is not None else null()).label("key")]


def _key(by: str | None, scope: _Scope, node_path: str | None) -> _Key:
    """The grouping key for ``by`` (None: one group of everything)."""
    if by is None:
        return _Key(None)
    if by in ("category", "channel"):
        return _Key(getattr(Case, by))
    if by == "window":
        return _Key(Case.window_type)
    if by == "month":
        return _Key(_month(scope))
    if by == "level":
        node = aliased(TierNode)
        return _Key(node.level_id, ((node, node.id == Case.node_id),))
    if by == "tier":
        return _tier_key(scope, node_path)
    if by == "department":
        latest = (select(Assignment.case_id, func.max(Assignment.id).label("id"))
                  .where(Assignment.role == "lead").group_by(Assignment.case_id).subquery())
        lead = aliased(Assignment)
        return _Key(lead.department_id, ((latest, latest.c.case_id == Case.id),
                                         (lead, lead.id == latest.c.id)))
    raise IndicatorError(f"cannot break down by {by!r} (one of {', '.join(BREAKDOWNS)})",
                         field="by")


def _month(scope: _Scope) -> ColumnElement[str]:
    """``YYYY-MM`` of the registration in the tenant's time zone."""
    if scope.dialect == "postgresql":
        return func.to_char(func.timezone(scope.timezone, Case.registered_at), "YYYY-MM")
    return func.strftime("%Y-%m", Case.registered_at, f"{scope.utc_offset_minutes:+d} minutes")


def _tier_key(scope: _Scope, node_path: str | None) -> _Key:
    """The child of ``node_path`` (or the root) containing the case's location node.

    The child's code is the path segment right after the prefix: computed from the path
    itself, so one scan serves any number of children. Cases located at the node itself get
    the key "" and cases located outside the subtree (handled inside it) None.
    """
    prefix = node_path or "/"
    lo, hi = subtree_bounds(prefix) if node_path else ("/", "0")
    where = aliased(TierNode)
    rest = func.substr(where.path, len(prefix) + 1)
    if scope.dialect == "postgresql":
        segment = func.split_part(rest, "/", 1)
    else:  # no split_part; substr() with length -1 gives "" for the node itself
        segment = func.substr(rest, 1, func.instr(rest, "/") - 1)
    column = case((and_(where.path >= lo, where.path < hi), segment), else_=null())
    return _Key(column, ((where, where.id == Case.location_node_id),))


# --- the queries -----------------------------------------------------------------------------


Rows = dict[Any, dict[str, Any]]


def _run(session: TenantSession, query: Select[Any]) -> Rows:
    """Execute a keyed aggregate; rows by key, columns by label."""
    result = session.execute(query)
    return {row.key: {k: v for k, v in row._mapping.items() if k != "key"} for row in result}


def _case_counts(session: TenantSession, scope: _Scope, key: _Key) -> Rows:
    """The counts read from the case rows alone: one scan (plus the median on PostgreSQL)."""
    resolved = resolved_condition()
    hours = _hours(scope.dialect)
    frontline = Case.node_id.in_(
        select(TierNode.id).where(TierNode.level_id.in_(scope.frontline_level_ids)))
    columns = [
        _count(Case.status != S.MERGED.value).label("intake"),
        _count(accepted_condition()).label("accepted"),
        _count(resolved).label("resolved"),
        _count(_closed()).label("closed"),
        _count(and_(accepted_condition(), Case.status.not_in(_values(CLOSED_STATES)),
                    Case.overdue.is_(True))).label("overdue_open"),
        _count(and_(resolved, Case.escalations == 0, Case.reopened == 0,
                    Case.dispatch_count <= 1)).label("first_time"),
        _count(and_(resolved, frontline)).label("frontline"),
        func.sum(hours).filter(resolved).label("hours_sum"),
    ]
    if scope.dialect == "postgresql":
        # Ordered-set aggregates ignore NULLs: the CASE leaves out unresolved cases.
        columns.append(func.percentile_cont(0.5).within_group(
            case((resolved, _whole_hours(scope.dialect))))
                       .label("median_hours"))
    query = select(*key.columns(), *columns).select_from(Case).where(*scope.where)
    return _run(session, key.apply(query))


def _median_sqlite(session: TenantSession, scope: _Scope, key: _Key) -> Rows:
    """SQLite has no percentile: number the resolved cases by hours, average the middle one(s)."""
    hours = _whole_hours(scope.dialect)
    partition = [key.column] if key.column is not None else None
    ranked = key.apply(
        select(*key.columns(), hours.label("h"),
               func.row_number().over(partition_by=partition, order_by=hours).label("rn"),
               func.count().over(partition_by=partition).label("n"))
        .select_from(Case).where(*scope.where, resolved_condition())
    )
    if key.column is not None:
        # The window functions need the rows, not groups: drop the GROUP BY apply() added.
        ranked = ranked.group_by(None)
    ranked = ranked.subquery()
    query = (select(ranked.c.key.label("key"), func.avg(ranked.c.h).label("median_hours"))
             .where(or_(ranked.c.rn == (ranked.c.n + 1) // 2, ranked.c.rn == (ranked.c.n + 2) // 2))
             .group_by(ranked.c.key))
    return _run(session, query)


def _attempt_counts(session: TenantSession, scope: _Scope, key: _Key) -> Rows:
    """Accepted cases with mediation attempts, and with a succeeded one."""
    query = (select(*key.columns(),
                    func.count(MediationAttempt.case_id.distinct()).label("mediated"),
                    func.count(case((MediationAttempt.result == "succeeded",
                                     MediationAttempt.case_id)).distinct())
                    .label("mediation_succeeded"))
             .select_from(Case).join(MediationAttempt, MediationAttempt.case_id == Case.id)
             .where(*scope.where, accepted_condition()))
    return _run(session, key.apply(query))


def _evaluation_counts(session: TenantSession, scope: _Scope, key: _Key) -> Rows:
    """Valid evaluations of cases in the intake, and those counted as satisfied."""
    query = (select(*key.columns(), func.count().label("evaluations"),
                    _count(Evaluation.rating.in_(scope.satisfied)).label("satisfied"))
             .select_from(Case).join(Evaluation, Evaluation.case_id == Case.id)
             .where(*scope.where, Case.status != S.MERGED.value,
                    Evaluation.rating.in_(VALID_RATINGS)))
    return _run(session, key.apply(query))


def _clock_counts(session: TenantSession, scope: _Scope, key: _Key) -> Rows:
    """Closed cases with a missed deadline (late or breached): they were not closed on time.

    Driven by the few missed clocks (index on ``(tenant_id, state, due_at)``), not by all.
    """
    query = (select(*key.columns(), func.count(Case.id.distinct()).label("closed_late"))
             .select_from(Case).join(Deadline, Deadline.case_id == Case.id)
             .where(*scope.where, _closed(), Deadline.state.in_(MISSED_CLOCK_STATES)))
    return _run(session, key.apply(query))


def _referral_counts(session: TenantSession, scope: _Scope, key: _Key) -> Rows:
    """Stages 3 and 4 of the litigation funnel, from the unresolved cases' referrals.

    Per case: when it last went to litigation, when it last went anywhere else, and whether it
    is being handled again; a later referral elsewhere or renewed handling means the dispute
    outlived the court.
    """
    litigation = Referral.route == Route.LITIGATION.value
    per_case = key.apply(
        select(*key.columns(), Case.id.label("case_id"),
               func.max(case((litigation, Referral.referred_at))).label("lit_at"),
               func.max(case((~litigation, Referral.referred_at))).label("other_at"),
               func.max(case((Case.status.in_(_values(OPEN_STATES)), 1), else_=0))
               .label("open"))
        .select_from(Case).join(Referral, Referral.case_id == Case.id)
        .where(*scope.where, accepted_condition(), ~resolved_condition())
    )
    sub = per_case.group_by(Case.id).subquery()
    went = sub.c.lit_at.is_not(None)
    query = (select(sub.c.key.label("key"), _count(went).label("litigated"),
                    _count(and_(went, or_(sub.c.open == 1, sub.c.other_at > sub.c.lit_at)))
                    .label("after_litigation"))
             .group_by(sub.c.key))
    return _run(session, query)


def _previous_intake(session: TenantSession, scope: _Scope, key: _Key, node_path: str | None,
                     start: datetime | None, end: datetime | None) -> Rows | None:
    """Intake of the same period a year earlier (None without a bounded period)."""
    start, end = _utc(start, "start"), _utc(end, "end")
    if start is None or end is None:
        return None
    return _intake_between(session, key, node_path, _year_earlier(start), _year_earlier(end))


def _intake_between(session: TenantSession, key: _Key, node_path: str | None,
                    start: datetime, end: datetime) -> Rows:
    """Intake (as ``previous``) of the cases registered in ``[start, end)``, by ``key``."""
    where = _population(node_path, start, end)
    query = (select(*key.columns(), _count(Case.status != S.MERGED.value).label("previous"))
             .select_from(Case).where(*where))
    return _run(session, key.apply(query))


def _year_earlier(moment: datetime) -> datetime:
    try:
        return moment.replace(year=moment.year - 1)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - 1, day=28)


# --- figures from counts ---------------------------------------------------------------------


def _ratio(code: str, numerator: float | None, denominator: float | None) -> Figure:
    value = (numerator / denominator if numerator is not None and denominator
             else None)
    return Figure(code, numerator, denominator, value)


def _figures(c: Mapping[str, Any]) -> dict[str, Figure]:
    """Every figure from one group's counts (missing counts are 0)."""
    n = {k: c.get(k) or 0 for k in (
        "intake", "accepted", "resolved", "closed", "overdue_open", "first_time", "frontline",
        "mediated", "mediation_succeeded", "evaluations", "satisfied", "closed_late",
        "litigated", "after_litigation")}
    hours_sum = float(c["hours_sum"]) if c.get("hours_sum") is not None else None
    median = c.get("median_hours")
    unresolved = n["accepted"] - n["resolved"]
    figures = [
        Figure("intake", n["intake"], None, n["intake"]),
        Figure("accepted", n["accepted"], None, n["accepted"]),
        _ratio("resolution_rate", n["resolved"], n["accepted"]),
        _ratio("mediation_success", n["mediation_succeeded"], n["mediated"]),
        _ratio("completion_rate", n["closed"], n["accepted"]),
        _ratio("on_time_rate", n["closed"] - n["closed_late"], n["closed"] + n["overdue_open"]),
        _ratio("satisfaction_rate", n["satisfied"], n["evaluations"]),
        _ratio("first_time_resolution", n["first_time"], n["resolved"]),
        _ratio("frontline_share", n["frontline"], n["resolved"]),
        _ratio("funnel_resolved", n["resolved"], n["accepted"]),
        _ratio("funnel_unresolved", unresolved, n["accepted"]),
        _ratio("funnel_litigated", n["litigated"], unresolved),
        _ratio("funnel_unresolved_after_litigation", n["after_litigation"], n["litigated"]),
        _ratio("avg_hours_to_resolve", hours_sum if n["resolved"] else None, n["resolved"]),
        Figure("median_hours_to_resolve", None, n["resolved"],
               float(median) if median is not None and n["resolved"] else None),
    ]
    previous = c.get("previous")
    if previous is None:
        figures.append(Figure("intake_yoy", None, None, None))
    else:
        figures.append(_ratio("intake_yoy", n["intake"] - previous, previous))
    return {f.code: f for f in figures}


def _collect(session: TenantSession, scope: _Scope, key: _Key, node_path: str | None,
             start: datetime | None, end: datetime | None, *, yoy: bool = True) -> Rows:
    """Run every family of counts for ``key`` and merge them by key."""
    families: list[Callable[[TenantSession, _Scope, _Key], Rows]] = [
        _case_counts, _attempt_counts, _evaluation_counts, _clock_counts, _referral_counts]
    if scope.dialect != "postgresql":
        families.append(_median_sqlite)
    merged: Rows = {}
    for family in families:
        for k, values in family(session, scope, key).items():
            merged.setdefault(k, {}).update(values)
    previous = _previous_intake(session, scope, key, node_path, start, end) if yoy else None
    if previous is not None:
        for k in merged:
            merged[k]["previous"] = 0
        for k, values in previous.items():
            merged.setdefault(k, {}).update(values)
    return merged


# --- public API ------------------------------------------------------------------------------


def compute(session: TenantSession, tenant: TenantContext, *, node_path: str | None = None,
            start: datetime | None = None, end: datetime | None = None) -> IndicatorReport:
    """Every indicator of :data:`DEFINITIONS` for ``tenant``, then its plugins' indicators.

    ``node_path`` (a materialized path such as ``"/D1/T1/"``) keeps the cases whose handling
    node or location node lies in that subtree; ``start``/``end`` (aware datetimes) keep cases
    registered in ``[start, end)``. A ratio whose denominator is 0 has the value None. Raises
    :class:`IndicatorError` for a bad setting or path.
    """
    scope = _scope(session, tenant, node_path, start, end)
    counts = _collect(session, scope, _Key(None), node_path, start, end).get(None, {})
    figures = _figures(counts)
    population = select(Case.id).where(*scope.where)
    for indicator in plugin_indicators(tenant):
        figures[indicator.code] = indicator.figure(session, population)
    return IndicatorReport(
        tenant_id=tenant.id, node_path=node_path, start=start, end=end,
        satisfaction_counts=scope.satisfaction_counts, frontline_level=scope.frontline_level,
        figures=figures,
    )


def breakdown(session: TenantSession, tenant: TenantContext, by: str, *,
              node_path: str | None = None, start: datetime | None = None,
              end: datetime | None = None) -> Breakdown:
    """The indicators per group of ``by``, over the same population as :func:`compute`.

    ``by`` is one of :data:`BREAKDOWNS`: ``category``, ``channel``, ``window`` (window type),
    ``month`` (of registration, tenant time), ``level`` (tier level of the handling node),
    ``tier`` (child nodes of ``node_path`` — or the roots — by the case's location),
    ``department`` (the department of the case's latest lead assignment; None: never
    dispatched) or ``mediator`` (see :func:`_mediators`). Groups without cases are absent.
    Year on year is given per group except by month.
    """
    if by not in BREAKDOWNS:
        raise IndicatorError(f"cannot break down by {by!r} (one of {', '.join(BREAKDOWNS)})",
                             field="by")
    scope = _scope(session, tenant, node_path, start, end)
    if by == "mediator":
        rows = _mediators(session, scope)
    else:
        rows = _collect(session, scope, _key(by, scope, node_path), node_path, start, end,
                        yoy=by != "month")
    names = _names(session, by, rows)
    groups = [Group(_key_text(k), names.get(k, {}), _figures(v) if by != "mediator"
                    else _mediator_figures(v))
              for k, v in sorted(rows.items(), key=lambda kv: (kv[0] is None, str(kv[0])))]
    return Breakdown(by, node_path, start, end, groups)


def _key_text(key: Any) -> str | None:
    return None if key is None else str(key)


def _names(session: TenantSession, by: str, rows: Rows) -> dict[Any, dict[str, str]]:
    """Display names of the keys that have them in the database (levels, nodes, departments)."""
    keys = [k for k in rows if k not in (None, "")]
    if not keys:
        return {}
    if by == "level":
        levels = session.execute(select(TierLevel.id, TierLevel.code, TierLevel.names)
                                 .where(TierLevel.id.in_(keys))).all()
        return {lv.id: {"code": lv.code, **(lv.names or {})} for lv in levels}
    if by == "tier":
        nodes = session.execute(select(TierNode.code, TierNode.name, TierNode.names)
                                .where(TierNode.code.in_(keys))).all()
        return {n.code: {"zh_Hans": n.name, **(n.names or {})} for n in nodes}
    if by == "department":
        departments = session.execute(select(Department.id, Department.code, Department.names)
                                      .where(Department.id.in_(keys))).all()
        return {d.id: {"code": d.code, **(d.names or {})} for d in departments}
    return {}


def _mediators(session: TenantSession, scope: _Scope) -> Rows:
    """Per mediator (as recorded on attempts): attempts, cases, cases succeeded and resolved.

    A case mediated by two mediators counts for each; "succeeded" means that mediator's own
    attempt was recorded as succeeded.
    """
    query = (select(MediationAttempt.mediator.label("key"),
                    func.count().label("attempts"),
                    func.count(MediationAttempt.case_id.distinct()).label("mediated"),
                    func.count(case((MediationAttempt.result == "succeeded",
                                     MediationAttempt.case_id)).distinct())
                    .label("mediation_succeeded"),
                    func.count(case((resolved_condition(), MediationAttempt.case_id)).distinct())
                    .label("resolved"))
             .select_from(Case).join(MediationAttempt, MediationAttempt.case_id == Case.id)
             .where(*scope.where, accepted_condition())
             .group_by(MediationAttempt.mediator))
    return _run(session, query)


def _mediator_figures(c: Mapping[str, Any]) -> dict[str, Figure]:
    attempts, mediated = c.get("attempts") or 0, c.get("mediated") or 0
    figures = [
        Figure("attempts", attempts, None, attempts),
        Figure("mediated", mediated, None, mediated),
        _ratio("mediation_success", c.get("mediation_succeeded") or 0, mediated),
        _ratio("resolution_rate", c.get("resolved") or 0, mediated),
    ]
    return {f.code: f for f in figures}


__all__ = [
    "BREAKDOWNS",
    "DEFINITIONS",
    "PluginIndicator",
    "definitions",
    "plugin_indicators",
    "Breakdown",
    "Figure",
    "Group",
    "IndicatorDefinition",
    "IndicatorError",
    "IndicatorReport",
    "breakdown",
    "compute",
]
