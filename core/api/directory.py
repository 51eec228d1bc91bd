"""``/<tenant>/api/v1/{tiers,centers,departments,window-types}``: the tenant's structure.

Read-only here (the structure is configuration as code: ``onedoor tenant apply``). Tier nodes
are listed one level at a time (``?parent=CODE``; the roots without it), so a 100,000-node tree
is never sent whole.
"""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView
from flask_babel import gettext
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from core.api.access import permission
from core.models import Center, Department, TierNode

blp = Blueprint("api_directory", __name__, url_prefix="/<tenant>/api/v1",
                description="Tiers, centers, windows and stationed departments.")


class NodeOut(Schema):
    """A tier node (市 / 县区 / 乡镇街道 / 村社区 / 网格)."""

    code = fields.String()
    name = fields.String()
    names = fields.Dict()
    level = fields.String(attribute="level.code")
    depth = fields.Integer()
    parent = fields.String(attribute="parent_code", allow_none=True)
    children = fields.Integer(attribute="child_count")


class NodeFilters(Schema):
    """Which nodes: the children of ``parent`` (the roots without it)."""

    parent = fields.String(validate=validate.Length(max=64))


class StationingOut(Schema):
    """A department stationed at a center: resident, rotating or on call, with its schedule."""

    department = fields.String(attribute="department.code")
    names = fields.Dict(attribute="department.names")
    kind = fields.String(attribute="department.kind")
    mode = fields.String()
    schedule = fields.Dict()


class CenterOut(Schema):
    """A comprehensive governance center (综治中心) at a tier node."""

    code = fields.String()
    names = fields.Dict()
    address = fields.String()
    node = fields.String(attribute="node.code")
    windows = fields.Function(lambda c: [w.window_type for w in c.windows])
    stationings = fields.List(fields.Nested(StationingOut))


class DepartmentOut(Schema):
    """A department or mediation organization ("12+X": core or specialty)."""

    code = fields.String()
    names = fields.Dict()
    kind = fields.String()


class WindowTypeOut(Schema):
    """A window type from core or one of the tenant's enabled plugins."""

    code = fields.String()
    names = fields.Dict()
    description = fields.String()


def _session():
    from core.app import db_session  # noqa: PLC0415 - core.app imports core.api

    return db_session()


def _node_views(session, nodes: list[TierNode]) -> list[dict[str, Any]]:
    ids = [n.id for n in nodes]
    counts = dict(session.execute(select(TierNode.parent_id, func.count())
                                  .where(TierNode.parent_id.in_(ids))
                                  .group_by(TierNode.parent_id)).all()) if ids else {}
    parents = dict(session.execute(select(TierNode.id, TierNode.code).where(
        TierNode.id.in_({n.parent_id for n in nodes if n.parent_id}))).all())
    return [{"code": n.code, "name": n.name, "names": n.names, "level": n.level,
             "depth": n.depth, "parent_code": parents.get(n.parent_id),
             "child_count": counts.get(n.id, 0)} for n in nodes]


@blp.route("/tiers")
class Tiers(MethodView):
    @permission("tier.read")
    @blp.arguments(NodeFilters, location="query")
    @blp.response(200, NodeOut(many=True))
    def get(self, args: dict[str, Any]):
        """Tier nodes, one level at a time: the children of ``parent``, or the roots."""
        session = _session()
        query = select(TierNode).order_by(TierNode.code)
        if args.get("parent"):
            parent = aliased(TierNode)
            found = session.scalar(select(parent.id).where(parent.code == args["parent"]))
            if found is None:
                abort(404, message=gettext("There is no tier node with this code."))
            query = query.where(TierNode.parent_id == found)
        else:
            query = query.where(TierNode.parent_id.is_(None))
        return _node_views(session, list(session.scalars(query.limit(5000))))


@blp.route("/tiers/<code>")
class Tier(MethodView):
    @permission("tier.read")
    @blp.response(200, NodeOut)
    def get(self, code: str):
        """One tier node."""
        session = _session()
        node = session.scalar(select(TierNode).where(TierNode.code == code))
        if node is None:
            abort(404, message=gettext("There is no tier node with this code."))
        return _node_views(session, [node])[0]


@blp.route("/centers")
class Centers(MethodView):
    @permission("center.read")
    @blp.response(200, CenterOut(many=True))
    def get(self):
        """Every center with its windows and stationed departments ("12+X")."""
        return _session().scalars(select(Center).order_by(Center.code)).unique().all()


@blp.route("/centers/<code>")
class CenterItem(MethodView):
    @permission("center.read")
    @blp.response(200, CenterOut)
    def get(self, code: str):
        """One center."""
        center = _session().scalar(select(Center).where(Center.code == code))
        if center is None:
            abort(404, message=gettext("There is no center with this code."))
        return center


@blp.route("/departments")
class Departments(MethodView):
    @permission("department.read")
    @blp.response(200, DepartmentOut(many=True))
    def get(self):
        """The tenant's departments and mediation organizations."""
        return _session().scalars(select(Department).order_by(Department.code)).all()


@blp.route("/window-types")
class WindowTypes(MethodView):
    @permission("center.read")
    @blp.response(200, WindowTypeOut(many=True))
    def get(self):
        """Window types of core and of the tenant's enabled plugins."""
        return sorted(g.tenant.window_types().values(), key=lambda w: w.code)
