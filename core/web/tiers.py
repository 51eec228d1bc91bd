"""The tier browser: roots, then one node with its ancestors and a page of its children.

Nothing here loads the tree: a node is one indexed lookup by code, its ancestors one ``IN`` on
the codes of its path, its children one page through the ``parent_id`` index (roots: one seek
each along the path index, :func:`root_ids`), and the descendants of each child one range count
on ``(tenant_id, path)`` (:func:`core.tiers.subtree_bounds`), all counts in one statement. The
page stays fast on a 100,000-node tree.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, g, render_template, request
from flask_babel import gettext
from sqlalchemy import Select, func, select

from core.app import db_session
from core.db import tenant_sql
from core.models import Center, TierLevel, TierNode
from core.models.tiers import PATH_SEPARATOR
from core.tiers import ancestors_query, subtree_bounds
from core.web import bp, current_locale

PAGE_SIZE = 200
MAX_CODE_LENGTH = 64
MAX_ROOT_SEEKS = 1000


@dataclass(frozen=True)
class ChildRow:
    """A child on the page, with the size of its subtree and whether a center sits there."""

    node: TierNode
    descendants: int
    has_center: bool


def descendant_counts(session, nodes: list[TierNode]) -> dict[int, int]:
    """How many nodes lie strictly below each of ``nodes``: one statement, one range each.

    The bounds are computed here and sent as parameters, so that each count is an index range
    scan on ``(tenant_id, path)``. (Computing the upper bound in SQL would not do: PostgreSQL
    does not use a non-leakproof expression such as ``substr()`` as an index condition under
    row-level security, and would scan to the end of the tree for every node.) The statement is
    plain SQL through :func:`core.db.tenant_sql`, which binds the tenant: building a 200-part ORM
    statement would cost more than running it.
    """
    if not nodes:
        return {}
    params: dict[str, str] = {}
    parts = []
    for index, node in enumerate(nodes):
        params[f"lo{index}"], params[f"hi{index}"] = subtree_bounds(node.path)
        parts.append(
            "(SELECT count(*) FROM tier_nodes WHERE tenant_id = :tenant_id"
            f" AND path > :lo{index} AND path < :hi{index})"
        )
    values = tenant_sql(session, "SELECT " + ", ".join(parts), params).one()
    return {node.id: int(value or 0) for node, value in zip(nodes, values, strict=True)}


def nodes_with_centers(session, nodes: list[TierNode]) -> set[int]:
    """Ids among ``nodes`` where a center sits."""
    if not nodes:
        return set()
    ids = [n.id for n in nodes]
    return set(session.scalars(select(Center.node_id).where(Center.node_id.in_(ids))))


def root_ids(session) -> list[int] | None:
    """Ids of the roots, found by hopping from subtree to subtree along the path index.

    The smallest path at or above the end of one root's subtree is the next root, so each root
    costs one index seek, however large the tree. ``parent_id IS NULL`` would be simpler, but a
    database without statistics (SQLite) answers it by scanning every node of the tenant.
    Returns None past :data:`MAX_ROOT_SEEKS` roots (callers then filter on ``parent_id``).
    """
    ids: list[int] = []
    lower = PATH_SEPARATOR
    while len(ids) <= MAX_ROOT_SEEKS:
        row = session.execute(
            select(TierNode.id, TierNode.path)
            .where(TierNode.path >= lower)
            .order_by(TierNode.path)
            .limit(1)
        ).first()
        if row is None:
            return ids
        ids.append(row.id)
        lower = subtree_bounds(row.path)[1]
    return None


def children_query(parent: TierNode | None, roots: list[int] | None = None) -> Select:
    """Children of ``parent`` (the ``roots`` when None).

    Shorter codes come first, so that generated codes read v2 before v10; fixed-width official
    codes (330902001) sort as plain strings.
    """
    return (
        select(TierNode)
        .where(_children_condition(parent, roots))
        .order_by(func.length(TierNode.code), TierNode.code)
    )


def _children_condition(parent: TierNode | None, roots: list[int] | None):
    if parent is not None:
        return TierNode.parent_id == parent.id
    return TierNode.parent_id.is_(None) if roots is None else TierNode.id.in_(roots)


def count_children(session, parent: TierNode | None, roots: list[int] | None = None) -> int:
    """How many children ``parent`` has (roots when None)."""
    if parent is None and roots is not None:
        return len(roots)
    condition = _children_condition(parent, roots)
    return session.scalar(select(func.count()).select_from(TierNode).where(condition)) or 0


def _page_number() -> int:
    raw = request.args.get("page", "1")
    if not raw.isdigit() or int(raw) < 1:
        abort(404)
    return int(raw)


@bp.get("/<tenant>/tiers/")
def tiers() -> str:
    """Roots of the tree, or ``?node=CODE``: the node, its ancestors and its children."""
    session = db_session()
    code = request.args.get("node", "").strip()
    node = None
    ancestors: list[TierNode] = []
    if code:
        if len(code) <= MAX_CODE_LENGTH:
            node = session.scalar(select(TierNode).where(TierNode.code == code))
        if node is None:
            abort(404, gettext("There is no tier node with this code."))
        ancestors = list(session.scalars(ancestors_query(node)))
    page = _page_number()
    roots = root_ids(session) if node is None else None
    total = count_children(session, node, roots)
    pages = max(1, -(-total // PAGE_SIZE))
    if page > pages:
        abort(404)
    children = list(session.scalars(
        children_query(node, roots).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ))
    below = descendant_counts(session, children)
    with_center = nodes_with_centers(session, children)
    rows = [ChildRow(c, below[c.id], c.id in with_center) for c in children]
    descendants = None
    if node is not None:
        # With every child on this page, the subtree is already counted: no second scan.
        descendants = (total + sum(below.values()) if pages == 1
                       else descendant_counts(session, [node])[node.id])
    levels = list(session.scalars(select(TierLevel).order_by(TierLevel.rank)))
    centers = (
        list(session.scalars(select(Center).where(Center.node_id == node.id).order_by(Center.code)))
        if node is not None
        else []
    )
    return render_template(
        "tiers.html",
        tenant=g.tenant,
        locale=current_locale(),
        node=node,
        ancestors=ancestors,
        children=rows,
        total_children=total,
        descendants=descendants,
        page=page,
        pages=pages,
        page_size=PAGE_SIZE,
        levels=levels,
        centers=centers,
        query=code,
    )
