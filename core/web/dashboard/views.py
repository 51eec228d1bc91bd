"""``/<tenant>/dashboard/``: every indicator for a subtree and a period, with charts.

The figures are :func:`core.indicators.compute` and :func:`core.indicators.breakdown` through
the request's tenant-bound session, read from the precomputed rollup (:mod:`core.rollups`) when
it answers the subtree and period — the page then says "figures as of" its moment — and
computed live otherwise; the indicators of the tenant's plugins follow core's. The subtree is
chosen as the indicators API chooses it (:func:`core.web.scoping.subtree_for`). A node the
reader may not read indicators of is a 404, as if it did not exist; a reader who may read none
at all (a clerk) gets 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import abort, g, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import login_required

from core import indicators, rollups
from core.app import db_session
from core.authz import Resource, authorize
from core.categories import CHANNELS, tenant_categories
from core.models import TierNode
from core.tiers import ancestors_query
from core.web import current_locale, localized, scoping
from core.web.auth import current_principal
from core.web.dashboard import bp, charts
from core.web.dashboard import formatting as fmt
from core.web.dashboard.period import PRESET_LABELS, PRESETS, Period, parse_period, year_earlier
from core.web.tiers import children_query, root_ids

CHILDREN_SHOWN = 200

#: Card sections, in the order the page shows them; every code of DEFINITIONS appears once.
SECTIONS: tuple[tuple[str, Any, tuple[str, ...]], ...] = (
    ("volume", lazy_gettext("Volume"), ("intake", "accepted", "intake_yoy")),
    ("rates", lazy_gettext("Rates"), (
        "resolution_rate", "mediation_success", "completion_rate", "on_time_rate",
        "satisfaction_rate", "first_time_resolution", "frontline_share")),
    ("funnel", lazy_gettext("Litigation funnel"), (
        "funnel_resolved", "funnel_unresolved", "funnel_litigated",
        "funnel_unresolved_after_litigation")),
    ("time", lazy_gettext("Time to resolve"), ("avg_hours_to_resolve",
                                               "median_hours_to_resolve")),
)

#: Charts, in page order: the breakdown (core.indicators.BREAKDOWNS) and its title.
CHARTS: tuple[tuple[str, Any], ...] = (
    ("category", lazy_gettext("By category")),
    ("channel", lazy_gettext("By channel")),
    ("tier", lazy_gettext("By tier (the nodes below)")),
    ("department", lazy_gettext("By department (lead)")),
    ("window", lazy_gettext("By window")),
    ("mediator", lazy_gettext("By mediator")),
    ("month", lazy_gettext("Over time (month of registration)")),
)
#: The columns of each chart's table; the chart draws the first (for mediators: cases mediated).
GROUP_COLUMNS = ("intake", "accepted", "resolution_rate", "on_time_rate", "satisfaction_rate",
                 "intake_yoy")
MONTH_COLUMNS = ("intake", "accepted", "resolution_rate", "on_time_rate", "satisfaction_rate")
MEDIATOR_COLUMNS = ("attempts", "mediated", "mediation_success", "resolution_rate")


def _now() -> datetime:
    """The current time (a function, so that tests can set the clock)."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Card:
    """One indicator on the page: name, value, how it is made, and its definition."""

    code: str
    name: str
    value: str
    parts: str
    definition: str
    empty: bool


@dataclass(frozen=True)
class Cell:
    """A table cell: the value as read, and the numerator ÷ denominator when it is a ratio."""

    text: str
    parts: str


@dataclass(frozen=True)
class Row:
    """A row of a chart's table: the group's label (and its dashboard link, for a tier)."""

    label: str
    href: str | None
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class ChartView:
    """A chart with its shapes, its description and its table."""

    by: str
    title: str
    measure: str
    chart: charts.Chart
    description: str
    headers: tuple[str, ...]
    rows: tuple[Row, ...]


def _column_name(code: str, locale: str) -> str:
    if code == "attempts":
        return gettext("Attempts")
    if code == "mediated":
        return gettext("Cases mediated")
    return indicators.DEFINITIONS[code].name(locale)


def _cell(figure: indicators.Figure) -> Cell:
    definition = indicators.DEFINITIONS.get(figure.code)
    ratio = definition is not None and definition.unit == "ratio"
    return Cell(fmt.value_text(figure), fmt.parts_text(figure, short=True) if ratio else "")


def cards(report: indicators.IndicatorReport, locale: str,
          plugins: list[indicators.PluginIndicator] | None = None
          ) -> list[tuple[str, str, list[Card]]]:
    """The report's figures as cards, by section; ``plugins``' indicators in a last one."""
    sections = list(SECTIONS)
    definitions = dict(indicators.DEFINITIONS)
    if plugins:
        sections.append(("plugins", lazy_gettext("Indicators of this tenant's plugins"),
                         tuple(p.code for p in plugins)))
        definitions.update({p.code: p.definition for p in plugins})
    out = []
    for key, title, codes in sections:
        section = []
        for code in codes:
            figure, definition = report[code], definitions[code]
            section.append(Card(code, definition.name(locale),
                                fmt.value_text(figure, definition),
                                fmt.parts_text(figure, definition=definition),
                                definition.definition(locale), figure.value is None))
        out.append((key, str(title), section))
    return out


class _Labels:
    """Display names of breakdown keys: categories, channels, windows, tiers, departments."""

    def __init__(self, tenant: Any, locale: str) -> None:
        self.tenant, self.locale = tenant, locale
        self.categories = tenant_categories(tenant.config)
        self.windows = tenant.window_types()

    def __call__(self, by: str, group: indicators.Group) -> str:
        key = group.key
        if by == "month":
            return fmt.month_label(key or "", self.locale)
        if by == "tier":
            if key == "":
                return gettext("At this node itself")
            if key is None:
                return gettext("Located outside, handled here")
        if key is None:
            return {"department": gettext("Never dispatched"),
                    "window": gettext("No window")}.get(by, fmt.NONE)
        if by == "category" and key in self.categories:
            return self.categories[key].name(self.locale)
        if by == "channel" and key in CHANNELS:
            return CHANNELS[key].name(self.locale)
        if by == "window" and key in self.windows:
            return self.windows[key].name(self.locale)
        if by in ("tier", "department"):
            return localized(dict(group.names), group.names.get("code") or key, self.locale)
        return key


def chart_view(by: str, title: str, result: indicators.Breakdown, labels: _Labels,
               locale: str, link: Any) -> ChartView:
    """A breakdown as a chart (its first column drawn) and a table of every column."""
    columns_ = (MEDIATOR_COLUMNS if by == "mediator" else
                MONTH_COLUMNS if by == "month" else GROUP_COLUMNS)
    measure = columns_[1] if by == "mediator" else columns_[0]
    rows, items = [], []
    for group in result.groups:
        label = labels(by, group)
        href = link(group.key) if by == "tier" and group.key else None
        rows.append(Row(label, href, tuple(_cell(group[c]) for c in columns_)))
        value = group[measure].value or 0
        items.append(charts.Item(label, float(value), fmt.number(value)))
    drawn = charts.columns(items) if by == "month" else charts.bars(items)
    description = gettext("%(measure)s: %(values)s", measure=_column_name(measure, locale),
                          values=charts.describe(drawn, gettext(", ")))
    return ChartView(by, title, _column_name(measure, locale), drawn, description,
                     tuple(_column_name(c, locale) for c in columns_), tuple(rows))


def funnel_chart(report: indicators.IndicatorReport, locale: str) -> ChartView:
    """The litigation funnel as bars of case counts: accepted, resolved, unresolved, …"""
    stages = (
        ("accepted", report["accepted"].value),
        ("funnel_resolved", report["funnel_resolved"].numerator),
        ("funnel_unresolved", report["funnel_unresolved"].numerator),
        ("funnel_litigated", report["funnel_litigated"].numerator),
        ("funnel_unresolved_after_litigation",
         report["funnel_unresolved_after_litigation"].numerator),
    )
    items, rows = [], []
    for code, count in stages:
        name = indicators.DEFINITIONS[code].name(locale)
        figure = report[code]
        share = Cell(fmt.value_text(figure), fmt.parts_text(figure)) if code != "accepted" \
            else Cell(fmt.NONE, "")
        items.append(charts.Item(name, float(count or 0), fmt.number(count or 0)))
        rows.append(Row(name, None, (Cell(fmt.number(count or 0), ""), share)))
    drawn = charts.bars(items, keep_order=True, label_width=260,
                         label_chars=34)  # stages in order, not sorted
    description = gettext("%(measure)s: %(values)s", measure=gettext("Cases"),
                          values=charts.describe(drawn, gettext(", ")))
    return ChartView("funnel", gettext("Litigation funnel"), gettext("Cases"), drawn,
                     description, (gettext("Cases"), gettext("Share of the stage before")),
                     tuple(rows))


def _picker(session, subtree: scoping.Subtree, principal) -> dict[str, Any]:
    """Breadcrumb (ancestors the reader reaches are links), children, the reader's subtrees."""
    node = subtree.node
    ancestors: list[tuple[TierNode, bool]] = []
    if node is not None:
        for a in session.scalars(ancestors_query(node)):
            ancestors.append((a, bool(authorize(principal, "indicator.read",
                                                Resource((a.path,))))))
        children = list(session.scalars(children_query(node).limit(CHILDREN_SHOWN + 1)))
    else:
        children = list(session.scalars(children_query(None, root_ids(session))
                                        .limit(CHILDREN_SHOWN + 1)))
    reachable = (scoping.nodes_at(session, subtree.reachable)
                 if len(subtree.reachable) > 1 else [])
    return {"ancestors": ancestors, "children": children[:CHILDREN_SHOWN],
            "more_children": len(children) > CHILDREN_SHOWN, "reachable": reachable}


def _figures(session, tenant, path: str, period: Period, locale: str, link: Any):
    node_path = None if path == "/" else path
    source = rollups.source(session, tenant, node_path=node_path, start=period.start,
                            end=period.end)
    report = source.compute()
    labels = _Labels(tenant, locale)
    views = [chart_view(by, str(title), source.breakdown(by), labels, locale, link)
             for by, title in CHARTS]
    return source, report, views


def freshness(source: rollups.Source, tenant: Any, locale: str) -> str:
    """"Figures as of …" (the rollup's moment, tenant time) or "computed live"."""
    if source.as_of is None:
        return gettext("Figures computed live from the cases.")
    return gettext("Figures as of %(moment)s (refreshed periodically).",
                   moment=fmt.moment_label(source.as_of, tenant.timezone or "Asia/Shanghai",
                                           locale))


@bp.get("/<tenant>/dashboard/")
@login_required
def index() -> Any:
    """The dashboard of ``?node=CODE`` (default: the reader's broadest subtree) for
    ``?period=`` (a preset) or ``?start=&end=`` (dates, inclusive)."""
    tenant = g.tenant
    locale = current_locale()
    session = db_session()
    principal = current_principal()
    code = request.args.get("node", "").strip() or None
    try:
        subtree = scoping.subtree_for(session, principal, code)
    except scoping.ScopeRefused as refused:
        if refused.reason == "nothing":
            abort(403, gettext("You may not read indicators here."))
        abort(404, gettext("There is no tier node with this code, or you may not see it."))
    zone = ZoneInfo(tenant.timezone or "Asia/Shanghai")
    today = _now().astimezone(zone).date()
    period, errors, values = parse_period(request.args, zone, today)
    node_arg = {"node": subtree.code} if code else {}

    def link(child_code: str) -> str:
        return url_for("dashboard.index", tenant=tenant.slug, node=child_code,
                       **_period_args(period))

    context: dict[str, Any] = {
        "tenant": tenant, "locale": locale, "subtree": subtree, "period": period,
        "errors": errors, "values": values, "node_arg": node_arg,
        "presets": [(p, str(PRESET_LABELS[p])) for p in PRESETS],
        "period_args": _period_args(period), "link": link,
        "days": _days(period, locale), "problem": None, "sections": [], "charts": [],
        "freshness": "",
        **_picker(session, subtree, principal),
    }
    if not errors:
        try:
            source, report, views = _figures(session, tenant, subtree.path, period, locale,
                                             link)
        except indicators.IndicatorError as exc:
            context["problem"] = gettext("The indicators cannot be computed: %(reason)s "
                                         "(setting %(field)s).", reason=str(exc),
                                         field=exc.field)
        else:
            context["sections"] = cards(report, locale, indicators.plugin_indicators(tenant))
            context["freshness"] = freshness(source, tenant, locale)
            context["charts"] = views
            context["funnel"] = funnel_chart(report, locale)
    status = 400 if errors else 200
    return render_template("dashboard/index.html", **context), status


def _period_args(period: Period) -> dict[str, str]:
    """The query arguments that choose ``period`` again (for links to other nodes)."""
    if period.preset is not None:
        return {"period": period.preset}
    out = {}
    if period.first_day:
        out["start"] = period.first_day.isoformat()
    if period.last_day:
        out["end"] = period.last_day.isoformat()
    return out


def _days(period: Period, locale: str) -> dict[str, str]:
    """The period and the one it is compared with, as the reader reads dates."""
    def label(day: date | None) -> str:
        return fmt.day_label(day, locale) if day else ""

    return {"first": label(period.first_day), "last": label(period.last_day),
            "previous_first": label(year_earlier(period.first_day)),
            "previous_last": label(year_earlier(period.last_day))}
