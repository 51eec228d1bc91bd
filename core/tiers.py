"""The tier tree: levels, nodes, subtree queries, moves without cycles, bulk CSV loads.

Pure planning (:func:`plan_tree`, :func:`diff_tree`) is separate from the database work
(:func:`sync_tree`, :func:`move_node`, :func:`subtree_query`), so that ``tenant apply --dry-run``
can show exactly what would change without touching the database.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Select, String, delete, func, insert, literal, select, update
from sqlalchemy.exc import IntegrityError

from core.db import TenantSession
from core.models import TierLevel, TierNode
from core.models.tiers import PATH_SEPARATOR

MIN_LEVELS, MAX_LEVELS = 3, 6
DEFAULT_LEVELS = ("city", "county", "town", "village", "grid", "micro_grid")
CODE_PATTERN = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")
CSV_COLUMNS = ("code", "parent", "level", "name")
_INSERT_BATCH = 5000


class TierError(ValueError):
    """A tree that cannot be: unknown parent or level, duplicate code, cycle, wrong depth.

    ``field`` names the offending key, ``row`` the 1-based CSV data row or list position.
    """

    def __init__(self, message: str, *, field: str = "", row: int | None = None,
                 code: str = "") -> None:
        super().__init__(message)
        self.field = field
        self.row = row
        self.code = code


@dataclass(frozen=True)
class NodeRow:
    """One desired node: ``parent`` is the parent's code, empty for a root."""

    code: str
    level: str
    name: str
    parent: str = ""
    names: Mapping[str, str] = field(default_factory=dict, hash=False)
    row: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class PlannedNode:
    """A :class:`NodeRow` with its computed materialized path and depth."""

    row: NodeRow
    path: str
    depth: int


@dataclass
class TreeDiff:
    """What :func:`sync_tree` would do: codes added, changed (with the fields) and removed."""

    added: list[PlannedNode] = field(default_factory=list)
    changed: list[tuple[PlannedNode, list[str]]] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def summary(self) -> str:
        """One line: ``+3 ~1 -0 nodes``."""
        return f"+{len(self.added)} ~{len(self.changed)} -{len(self.removed)} nodes"


def subtree_bounds(path: str) -> tuple[str, str]:
    """The half-open range of paths inside the subtree rooted at ``path``.

    Paths end with the separator "/" (0x2F); replacing it with the next character "0" (0x30)
    gives an upper bound that no descendant reaches, so ``lo <= path < hi`` is an index range.
    """
    if not path.endswith(PATH_SEPARATOR):
        raise ValueError(f"not a node path: {path!r}")
    return path, path[:-1] + chr(ord(PATH_SEPARATOR) + 1)


def check_levels(levels: Sequence[str]) -> None:
    """A tenant declares 3 to 6 distinct level codes, top first."""
    if not MIN_LEVELS <= len(levels) <= MAX_LEVELS:
        raise TierError(
            f"a tenant has {MIN_LEVELS} to {MAX_LEVELS} tier levels, got {len(levels)}",
            field="tiers.levels",
        )
    seen: set[str] = set()
    for index, code in enumerate(levels):
        if not CODE_PATTERN.match(code):
            raise TierError(f"invalid level code {code!r}", field=f"tiers.levels[{index}].code")
        if code in seen:
            raise TierError(f"level {code!r} is declared twice",
                            field=f"tiers.levels[{index}].code")
        seen.add(code)


def plan_tree(rows: Sequence[NodeRow], level_ranks: Mapping[str, int]) -> list[PlannedNode]:
    """Compute paths and depths for ``rows``, parents before children.

    Refuses duplicate codes, unknown parents or levels, cycles, and children whose level is not
    below their parent's. Runs in O(n) for any tree shape (no recursion).
    """
    by_code: dict[str, NodeRow] = {}
    # Errors name the CSV data row, or the 1-based position for rows not read from a CSV.
    where_of: dict[str, int] = {}
    for position, row in enumerate(rows, start=1):
        where = row.row or position
        if not CODE_PATTERN.match(row.code or ""):
            raise TierError(f"invalid node code {row.code!r} (letters, digits, _ . - only)",
                            field="code", row=where, code=row.code)
        if row.code in by_code:
            raise TierError(f"duplicate node code {row.code!r}", field="code", row=where,
                            code=row.code)
        if row.level not in level_ranks:
            raise TierError(f"node {row.code!r} has unknown level {row.level!r}", field="level",
                            row=where, code=row.code)
        if not row.name.strip():
            raise TierError(f"node {row.code!r} has no name", field="name", row=where,
                            code=row.code)
        by_code[row.code] = row
        where_of[row.code] = where
    for row in by_code.values():
        if row.parent and row.parent not in by_code:
            raise TierError(f"node {row.code!r} has unknown parent {row.parent!r}",
                            field="parent", row=where_of[row.code], code=row.code)

    planned: dict[str, PlannedNode] = {}
    order: list[PlannedNode] = []
    for start in by_code:
        chain: list[NodeRow] = []
        on_chain: set[str] = set()
        current: NodeRow | None = by_code[start]
        while current is not None and current.code not in planned:
            if current.code in on_chain:
                cycle = " → ".join([r.code for r in chain] + [current.code])
                raise TierError(f"the tree has a cycle: {cycle}", field="parent",
                                row=where_of[current.code], code=current.code)
            chain.append(current)
            on_chain.add(current.code)
            current = by_code[current.parent] if current.parent else None
        for row in reversed(chain):
            parent = planned.get(row.parent) if row.parent else None
            if parent is not None and level_ranks[row.level] <= level_ranks[parent.row.level]:
                raise TierError(
                    f"node {row.code!r} ({row.level}) must be at a level below its parent "
                    f"{parent.row.code!r} ({parent.row.level})",
                    field="level", row=where_of[row.code], code=row.code,
                )
            prefix = parent.path if parent else PATH_SEPARATOR
            node = PlannedNode(row, f"{prefix}{row.code}{PATH_SEPARATOR}",
                               parent.depth + 1 if parent else 0)
            planned[row.code] = node
            order.append(node)
    return order


def read_csv(source: str | Path | io.TextIOBase) -> list[NodeRow]:
    """Read nodes from CSV with columns ``code,parent,level,name`` (+ ``name_<locale>``)."""
    if isinstance(source, str | Path):
        with open(source, encoding="utf-8-sig", newline="") as fh:
            return read_csv(fh)
    reader = csv.DictReader(source)
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise TierError(f"CSV lacks column(s) {', '.join(missing)}", field=missing[0], row=0)
    rows = []
    for number, record in enumerate(reader, start=1):
        names = {k.removeprefix("name_"): v for k, v in record.items()
                 if k and k.startswith("name_") and v}
        rows.append(NodeRow(
            code=(record["code"] or "").strip(),
            parent=(record["parent"] or "").strip(),
            level=(record["level"] or "").strip(),
            name=(record["name"] or "").strip(),
            names=names,
            row=number,
        ))
    return rows


def write_csv(rows: Iterable[NodeRow], locales: Sequence[str] = ("zh_Hant", "en")) -> str:
    """The inverse of :func:`read_csv` (used by ``tenant export``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*CSV_COLUMNS, *(f"name_{loc}" for loc in locales)])
    for row in rows:
        writer.writerow([row.code, row.parent, row.level, row.name,
                         *(row.names.get(loc, "") for loc in locales)])
    return out.getvalue()


# --- database side -------------------------------------------------------------------------


def levels_by_code(session: TenantSession) -> dict[str, TierLevel]:
    """The session tenant's levels keyed by code."""
    return {lv.code: lv for lv in session.scalars(select(TierLevel).order_by(TierLevel.rank))}


def current_rows(session: TenantSession) -> list[NodeRow]:
    """The session tenant's tree as :class:`NodeRow` values, parents first."""
    parent = select(TierNode.id, TierNode.code).subquery()
    query = (
        select(TierNode.code, TierNode.name, TierNode.names, TierLevel.code, parent.c.code)
        .join(TierLevel, TierLevel.id == TierNode.level_id)
        .outerjoin(parent, parent.c.id == TierNode.parent_id)
        .order_by(TierNode.depth, TierNode.path)
    )
    return [NodeRow(code=c, name=n, names=ns or {}, level=lv, parent=p or "")
            for c, n, ns, lv, p in session.execute(query)]


def diff_tree(existing: Sequence[NodeRow], desired: Sequence[PlannedNode]) -> TreeDiff:
    """Compare the stored tree with the planned one (pure)."""
    old = {r.code: r for r in existing}
    diff = TreeDiff()
    for node in desired:
        before = old.get(node.row.code)
        if before is None:
            diff.added.append(node)
            continue
        fields_changed = [name for name in ("parent", "level", "name", "names")
                          if getattr(before, name) != getattr(node.row, name)]
        if fields_changed:
            diff.changed.append((node, fields_changed))
    wanted = {n.row.code for n in desired}
    diff.removed = [r.code for r in reversed(existing) if r.code not in wanted]
    return diff


def sync_tree(session: TenantSession, desired: Sequence[PlannedNode],
              levels: Mapping[str, TierLevel], *, delete_missing: bool = True) -> TreeDiff:
    """Make the stored tree equal to ``desired``; returns what changed.

    Inserts go in batches, parents first (their ids come back with RETURNING); moves rewrite the
    path and depth of the moved nodes. Removing a node that a center still uses fails with
    :class:`TierError`. The caller owns the transaction.
    """
    diff = diff_tree(current_rows(session), desired)
    ids = dict(session.execute(select(TierNode.code, TierNode.id)).all())
    tenant_id = session.tenant_id
    by_depth: dict[int, list[PlannedNode]] = {}
    for node in diff.added:
        by_depth.setdefault(node.depth, []).append(node)
    changed_nodes = sorted((n for n, _ in diff.changed), key=lambda n: n.depth)
    # Changed nodes are updated first so that a new child can hang under a moved parent;
    # a changed node whose new parent is itself new is updated after the inserts instead.
    deferred = [n for n in changed_nodes if n.row.parent and n.row.parent not in ids]
    _update_nodes(session, [n for n in changed_nodes if n not in deferred], ids, levels)
    for depth in sorted(by_depth):
        batch = by_depth[depth]
        for start in range(0, len(batch), _INSERT_BATCH):
            chunk = batch[start:start + _INSERT_BATCH]
            result = session.execute(
                insert(TierNode).returning(TierNode.id, TierNode.code,
                                           sort_by_parameter_order=True),
                [
                    {
                        "tenant_id": tenant_id,
                        "code": n.row.code,
                        "name": n.row.name,
                        "names": dict(n.row.names),
                        "level_id": levels[n.row.level].id,
                        "parent_id": ids[n.row.parent] if n.row.parent else None,
                        "path": n.path,
                        "depth": n.depth,
                    }
                    for n in chunk
                ],
            )
            ids.update({code: node_id for node_id, code in result})
    _update_nodes(session, deferred, ids, levels)
    # Everything below a moved node moves with it: recompute paths for the whole set planned.
    if diff.changed:
        _rewrite_paths(session, desired, ids)
    if diff.removed:
        if not delete_missing:
            diff.removed = []
        else:
            _delete_nodes(session, diff.removed, ids)
    session.expire_all()
    return diff


def _update_nodes(session: TenantSession, nodes: Sequence[PlannedNode], ids: Mapping[str, int],
                  levels: Mapping[str, TierLevel]) -> None:
    if not nodes:
        return
    session.execute(
        update(TierNode),
        [
            {
                "id": ids[n.row.code],
                "name": n.row.name,
                "names": dict(n.row.names),
                "level_id": levels[n.row.level].id,
                "parent_id": ids[n.row.parent] if n.row.parent else None,
            }
            for n in nodes
        ],
    )


def _rewrite_paths(session: TenantSession, desired: Sequence[PlannedNode],
                   ids: Mapping[str, int]) -> None:
    stored = dict(session.execute(select(TierNode.code, TierNode.path)).all())
    stale = [n for n in desired if stored.get(n.row.code) != n.path]
    if stale:
        session.execute(update(TierNode), [
            {"id": ids[n.row.code], "path": n.path, "depth": n.depth} for n in stale
        ])


def _delete_nodes(session: TenantSession, codes: Sequence[str], ids: Mapping[str, int]) -> None:
    # ``codes`` come deepest first, so children go before their parents.
    try:
        with session.begin_nested():
            for code in codes:
                session.execute(delete(TierNode).where(TierNode.id == ids[code]))
    except IntegrityError as exc:
        raise TierError(
            f"cannot remove nodes still in use (a center or another record refers to them): "
            f"{', '.join(codes[:10])}",
            field="tiers.nodes",
        ) from exc


def subtree_query(node: TierNode, *, include_self: bool = True) -> Select[tuple[TierNode]]:
    """Nodes in the subtree of ``node``: one index range scan on ``(tenant_id, path)``."""
    lo, hi = subtree_bounds(node.path)
    query = select(TierNode).where(TierNode.path >= lo, TierNode.path < hi)
    if not include_self:
        query = query.where(TierNode.id != node.id)
    return query.order_by(TierNode.path)


def subtree_ids(node: TierNode) -> Select[tuple[int]]:
    """Ids of the subtree of ``node`` (for ``IN (...)`` filters of scoped queries)."""
    lo, hi = subtree_bounds(node.path)
    return select(TierNode.id).where(TierNode.path >= lo, TierNode.path < hi)


def ancestors_query(node: TierNode) -> Select[tuple[TierNode]]:
    """The chain from the root down to ``node``'s parent, top first."""
    parts = node.path.strip(PATH_SEPARATOR).split(PATH_SEPARATOR)[:-1]
    return select(TierNode).where(TierNode.code.in_(parts)).order_by(TierNode.depth)


def get_node(session: TenantSession, code: str) -> TierNode:
    """The session tenant's node ``code``; :class:`TierError` naming the code otherwise."""
    node = session.scalar(select(TierNode).where(TierNode.code == code))
    if node is None:
        raise TierError(f"unknown node {code!r}", field="node", code=code)
    return node


def move_node(session: TenantSession, node: TierNode, new_parent: TierNode | None) -> int:
    """Hang ``node`` (with its subtree) under ``new_parent``; returns the rows rewritten.

    Refuses to move a node into its own subtree (a cycle) or under a parent whose level is not
    above the node's. Paths and depths of the whole subtree change in one UPDATE.
    """
    if new_parent is not None:
        lo, hi = subtree_bounds(node.path)
        if lo <= new_parent.path < hi:
            raise TierError(
                f"cannot move {node.code!r} under {new_parent.code!r}: that is inside its own "
                "subtree and would make a cycle",
                field="parent", code=node.code,
            )
        if new_parent.level.rank >= node.level.rank:
            raise TierError(
                f"{new_parent.code!r} ({new_parent.level.code}) is not above {node.code!r} "
                f"({node.level.code})",
                field="parent", code=node.code,
            )
    old_path = node.path
    new_prefix = new_parent.path if new_parent is not None else PATH_SEPARATOR
    new_path = f"{new_prefix}{node.code}{PATH_SEPARATOR}"
    depth_delta = (new_parent.depth + 1 if new_parent is not None else 0) - node.depth
    lo, hi = subtree_bounds(old_path)
    result = session.execute(
        update(TierNode)
        .where(TierNode.path >= lo, TierNode.path < hi)
        .values(
            # ``||`` (not concat(), which SQLite only has from 3.44 on).
            path=literal(new_path, String()) + func.substr(TierNode.path, len(old_path) + 1),
            depth=TierNode.depth + depth_delta,
        )
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(TierNode).where(TierNode.id == node.id)
        .values(parent_id=new_parent.id if new_parent is not None else None)
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
    return result.rowcount


def sync_levels(session: TenantSession,
                levels: Sequence[Mapping[str, Any]]) -> dict[str, TierLevel]:
    """Create or update the tenant's levels (``code`` and ``names``, top first).

    Levels no longer declared keep a parked rank until :func:`prune_levels` removes them, after
    the tree no longer uses them.
    """
    check_levels([lv["code"] for lv in levels])
    existing = levels_by_code(session)
    wanted = {lv["code"] for lv in levels}
    # Ranks are unique per tenant: park changed ones out of the way before renumbering.
    for offset, level in enumerate(existing.values()):
        level.rank = 1000 + offset
    session.flush()
    for rank, spec in enumerate(levels):
        level = existing.get(spec["code"])
        if level is None:
            level = TierLevel(code=spec["code"])
            session.add(level)
            existing[spec["code"]] = level
        level.rank = rank
        level.names = dict(spec.get("names", {}))
    session.flush()
    return {code: level for code, level in existing.items() if code in wanted}


def prune_levels(session: TenantSession, keep: Iterable[str]) -> list[str]:
    """Delete the tenant's levels not in ``keep``; returns their codes."""
    stale = [lv for code, lv in levels_by_code(session).items() if code not in set(keep)]
    for level in stale:
        session.delete(level)
    session.flush()
    return [lv.code for lv in stale]
