"""Which subtree a figure is for: the node asked for, or the broadest one the principal reaches.

Shared by the indicators API (``/<tenant>/api/v1/indicators``) and the dashboard page, so both
answer the same question the same way; each turns the refusals into its own response (a
problem document, a page). No Flask here: the caller passes the tenant-bound session and the
principal.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from core.authz import Principal, Resource, authorize, visibility
from core.db import TenantSession
from core.models import TierNode

#: Longest node code looked up (longer ones cannot exist: the column is 64 characters).
MAX_CODE_LENGTH = 64


class ScopeRefused(Exception):
    """The subtree cannot be given: ``reason`` is ``unknown_node``, ``out_of_reach`` or
    ``nothing`` (the principal reaches no subtree for the action)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Subtree:
    """A subtree figures are scoped to: its path, and its node (None for the whole tenant,
    path ``/``, which no node has) with every subtree the principal reaches for comparison."""

    path: str
    node: TierNode | None
    reachable: tuple[str, ...]

    @property
    def code(self) -> str | None:
        """The node's code (None for the whole tenant)."""
        return self.node.code if self.node is not None else None


def subtree_for(session: TenantSession, principal: Principal | None, code: str | None,
                action: str = "indicator.read") -> Subtree:
    """The subtree of node ``code`` if the principal may ``action`` there; without a code, the
    broadest subtree it reaches (the shortest path). Raises :class:`ScopeRefused`."""
    reachable = visibility(principal, action).subtrees
    if code:
        node = (session.scalar(select(TierNode).where(TierNode.code == code))
                if len(code) <= MAX_CODE_LENGTH else None)
        if node is None:
            raise ScopeRefused("unknown_node")
        if not authorize(principal, action, Resource((node.path,))):
            raise ScopeRefused("out_of_reach")
        return Subtree(node.path, node, reachable)
    if not reachable:
        raise ScopeRefused("nothing")
    path = min(reachable, key=len)
    node = session.scalar(select(TierNode).where(TierNode.path == path))
    return Subtree(path, node, reachable)


def nodes_at(session: TenantSession, paths: tuple[str, ...]) -> list[TierNode]:
    """The nodes at ``paths`` (the principal's subtrees), in path order."""
    if not paths:
        return []
    return list(session.scalars(select(TierNode).where(TierNode.path.in_(paths))
                                .order_by(TierNode.path)))
