"""``/<tenant>/api/v1/indicators``: the figures the dashboards show, with their definitions.

Figures are for a tier node's subtree (``?node=CODE``; default: the broadest subtree the
principal may read indicators of) and a period of registration (``?start=&end=``, aware
datetimes). A principal sees figures only for subtrees it reaches (``indicator.read``).
"""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView
from flask_babel import gettext
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from core import indicators
from core.api.access import permission, principal
from core.api.problems import field_errors
from core.api.schemas import UtcDateTime
from core.web import current_locale, scoping

blp = Blueprint("api_indicators", __name__, url_prefix="/<tenant>/api/v1/indicators",
                description="Indicators (化解率, 按期办结率, 满意率, …) with their definitions.")


class IndicatorQuery(Schema):
    """Which population: a subtree and a period of registration."""

    node = fields.String(validate=validate.Length(max=64))
    start = fields.AwareDateTime()
    end = fields.AwareDateTime()


class BreakdownQuery(IndicatorQuery):
    """The population, split by ``by``."""

    by = fields.String(required=True, validate=validate.OneOf(indicators.BREAKDOWNS))


class FigureOut(Schema):
    """One indicator: its value (None when the denominator is 0) and how it is made."""

    code = fields.String()
    name = fields.String()
    definition = fields.String()
    unit = fields.String()
    numerator = fields.Float(allow_none=True)
    denominator = fields.Float(allow_none=True)
    value = fields.Float(allow_none=True)


class ReportOut(Schema):
    """Every indicator for the population."""

    node = fields.String(allow_none=True)
    start = UtcDateTime(allow_none=True)
    end = UtcDateTime(allow_none=True)
    satisfaction_counts = fields.String()
    frontline_level = fields.String()
    figures = fields.List(fields.Nested(FigureOut))


class GroupOut(Schema):
    """One group of a breakdown."""

    key = fields.String(allow_none=True)
    name = fields.String()
    figures = fields.List(fields.Nested(FigureOut))


class BreakdownOut(Schema):
    """The indicators per group."""

    by = fields.String()
    node = fields.String(allow_none=True)
    groups = fields.List(fields.Nested(GroupOut))


def _population(args: dict[str, Any]) -> tuple[str | None, str | None]:
    """The subtree path asked for (or the principal's broadest one) and its node code."""
    from core.app import db_session  # noqa: PLC0415 - core.app imports core.api

    try:
        subtree = scoping.subtree_for(db_session(), principal(), args.get("node"))
    except scoping.ScopeRefused as refused:
        if refused.reason == "unknown_node":
            abort(422, message=gettext("Some fields are not valid."),
                  errors=field_errors({"node": [gettext("There is no tier node with this code.")]}))
        abort(403, message=gettext("You may not do this here."))
    return subtree.path, subtree.code


def _figures(figures: dict[str, Any]) -> list[dict[str, Any]]:
    locale = current_locale()
    known = indicators.definitions(g.tenant)
    out = []
    for code, figure in figures.items():
        definition = known.get(code)
        out.append({"code": code, "numerator": figure.numerator,
                    "denominator": figure.denominator, "value": figure.value,
                    "unit": definition.unit if definition else "",
                    "name": definition.names.get(locale, code) if definition else code,
                    "definition": definition.definitions.get(locale, "") if definition else ""})
    return out


def _run(call):
    try:
        return call()
    except indicators.IndicatorError as exc:
        abort(422, message=gettext("Some fields are not valid."),
              errors=field_errors({getattr(exc, "field", "") or "_schema": [str(exc)]}))


@blp.route("")
class Indicators(MethodView):
    @permission("indicator.read")
    @blp.arguments(IndicatorQuery, location="query")
    @blp.response(200, ReportOut)
    def get(self, args: dict[str, Any]):
        """Every indicator for a subtree and period, each with its definition."""
        from core.app import db_session  # noqa: PLC0415

        path, code = _population(args)
        report = _run(lambda: indicators.compute(db_session(), g.tenant, node_path=path,
                                                 start=args.get("start"), end=args.get("end")))
        return {"node": code, "start": report.start, "end": report.end,
                "satisfaction_counts": report.satisfaction_counts,
                "frontline_level": report.frontline_level,
                "figures": _figures(dict(report.figures))}


@blp.route("/breakdown")
class IndicatorBreakdown(MethodView):
    @permission("indicator.read")
    @blp.arguments(BreakdownQuery, location="query")
    @blp.response(200, BreakdownOut)
    def get(self, args: dict[str, Any]):
        """The indicators per category, channel, tier, department, window, mediator or month."""
        from core.app import db_session  # noqa: PLC0415

        path, code = _population(args)
        result = _run(lambda: indicators.breakdown(db_session(), g.tenant, args["by"],
                                                   node_path=path, start=args.get("start"),
                                                   end=args.get("end")))
        locale = current_locale()
        return {"by": result.by, "node": code,
                "groups": [{"key": group.key,
                            "name": group.names.get(locale) or group.names.get("zh_Hans")
                            or (group.key or ""),
                            "figures": _figures(dict(group.figures))}
                           for group in result.groups]}
