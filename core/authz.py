"""Who may do what, where: the one authorization decision used by the API, the UI and the CLI.

Deny by default. A :class:`Principal` (a signed-in user, or an API token acting for one) holds
:class:`Grant` s — a role at a tier node, reaching that node's subtree, and for a department
liaison also a department. An action is allowed on a resource when some grant's role may take
the action (:data:`PERMISSIONS`), the resource lies in that grant's subtree, a liaison's
department is among the resource's departments, and — for tokens — the token's scopes include
the action's scope (:data:`SCOPES`). Pure: no Flask, no database.

The lifecycle's own guards (:func:`core.workflow.decide`) still apply after this: authorization
says "this person may work on this case", the state machine says "this move, now".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from core.workflow import Actor

#: Every staff role. A role means nothing until it is bound to a tier node by a membership.
ROLES = (
    "tenant_admin",  # 系统管理员: users, settings, plugins of the tenant
    "leader",  # 领导: supervision, designation, everything a dispatcher may do
    "dispatcher",  # 分流员: assignment, referral
    "clerk",  # 窗口受理员: intake at a window
    "mediator",  # 调解员: mediation attempts, resolution
    "department_liaison",  # 部门联络员: cases assigned to the department
    "grid_worker",  # 网格员: reports from the grid
    "auditor",  # 审计员: reads everything in scope, changes nothing
    # 心理辅导员: reads sealed counseling records (seed 000 心理咨询室, seed 001 心理疏导区),
    # nothing else; plugins with such records gate them on "counseling.read".
    "counselor",
)

_STAFF = frozenset(ROLES) - {"auditor", "counselor"}
_READERS = frozenset(ROLES) - {"counselor"}
_MANAGERS = frozenset({"tenant_admin", "leader", "dispatcher"})

#: Action → the roles that may take it (within their subtree). Unlisted actions are refused.
PERMISSIONS: dict[str, frozenset[str]] = {
    "case.read": _READERS,
    "case.create": frozenset({"tenant_admin", "leader", "dispatcher", "clerk", "grid_worker"}),
    # Which transition a role may take is the lifecycle's business (core.workflow): this only
    # says the person works on cases at all.
    "case.transition": _STAFF,
    "case.attempt": frozenset({"leader", "dispatcher", "mediator", "department_liaison"}),
    "case.evaluate": frozenset({"tenant_admin", "leader", "dispatcher", "clerk", "mediator"}),
    "case.supervise": frozenset({"tenant_admin", "leader"}),
    # 延期审批: the statutes give the approval to the head (仲裁委员会主任, 机关负责人).
    "deadline.extend": frozenset({"tenant_admin", "leader"}),
    "deadline.pause": frozenset({"tenant_admin", "leader", "dispatcher", "mediator",
                                 "department_liaison"}),
    "party.reveal": frozenset({"tenant_admin", "leader", "dispatcher", "clerk", "mediator"}),
    "tier.read": _READERS,
    "center.read": _READERS,
    "department.read": _READERS,
    "indicator.read": frozenset({"tenant_admin", "leader", "dispatcher", "auditor"}),
    "audit.read": frozenset({"tenant_admin", "auditor"}),
    "user.read": frozenset({"tenant_admin", "leader", "auditor"}),
    "user.manage": frozenset({"tenant_admin"}),
    "token.manage": frozenset({"tenant_admin"}),
    "tenant.manage": frozenset({"tenant_admin"}),
    "open311.submit": frozenset({"tenant_admin", "leader", "dispatcher", "clerk", "grid_worker"}),
    # Sealed counseling records (心理辅导转介): counselors only, not even the tenant admin.
    "counseling.read": frozenset({"counselor"}),
}

#: Action → the API-token scope it needs. Sessions (people at a browser) have every scope.
SCOPES: dict[str, str] = {
    "case.read": "cases:read",
    "case.create": "cases:write",
    "case.transition": "cases:write",
    "case.attempt": "cases:write",
    "case.evaluate": "cases:write",
    "case.supervise": "cases:write",
    "deadline.extend": "cases:write",
    "deadline.pause": "cases:write",
    "party.reveal": "pii:reveal",
    "tier.read": "directory:read",
    "center.read": "directory:read",
    "department.read": "directory:read",
    "indicator.read": "indicators:read",
    "audit.read": "audit:read",
    "user.read": "admin",
    "user.manage": "admin",
    "token.manage": "admin",
    "tenant.manage": "admin",
    "open311.submit": "open311",
    "counseling.read": "pii:reveal",
}
#: Every scope a token may be given; ``onedoor token create`` checks against this.
ALL_SCOPES = tuple(sorted(set(SCOPES.values())))
#: What a token gets when its creator names no scope: reading and writing cases, no PII.
DEFAULT_SCOPES = ("cases:read", "cases:write", "directory:read", "open311")


@dataclass(frozen=True)
class Grant:
    """One membership: ``role`` at the node with materialized path ``node_path``."""

    role: str
    node_path: str
    department_id: int | None = None

    def reaches(self, node_path: str) -> bool:
        """True when ``node_path`` lies in this grant's subtree."""
        return node_path.startswith(self.node_path)


@dataclass(frozen=True)
class Principal:
    """Who is asking: a user's grants, and for an API token the scopes it was given."""

    name: str
    grants: tuple[Grant, ...]
    scopes: frozenset[str] | None = None  # None: a person's session, every scope
    user_id: int | None = None
    token_id: int | None = None

    @property
    def roles(self) -> frozenset[str]:
        """Every role held anywhere."""
        return frozenset(g.role for g in self.grants)

    def has_scope(self, action: str) -> bool:
        """True when the principal's scopes (if any) cover ``action``."""
        return self.scopes is None or SCOPES.get(action, "admin") in self.scopes

    def actor(self, node_path: str | None = None) -> Actor:
        """The lifecycle's :class:`~core.workflow.Actor` for work at ``node_path``.

        Its roles are those of the grants reaching the node (every grant when no node is
        given); its scope is the broadest of those grants' subtrees. Auditors never act.
        """
        grants = [g for g in self.grants if g.role != "auditor"
                  and (node_path is None or g.reaches(node_path))]
        if not grants:
            # No role here: an actor who may do nothing, anywhere outside the tree.
            return Actor(self.name, frozenset(), scope_path="\x00")
        broadest = min((g.node_path for g in grants), key=len)
        return Actor(self.name, frozenset(g.role for g in grants), scope_path=broadest)


@dataclass(frozen=True)
class Resource:
    """What an action is on: where it is in the tier tree, and which departments hold it.

    ``node_paths`` lists every node the resource belongs to (a case's current node and its
    location); ``None`` means the resource is the tenant itself (settings, users, tokens).
    """

    node_paths: tuple[str, ...] | None = None
    department_ids: frozenset[int] = field(default_factory=frozenset)


TENANT = Resource()


@dataclass(frozen=True)
class Decision:
    """Allowed or not, with a stable reason code when not (``unknown``, ``scope``, ``role``)."""

    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


def authorize(principal: Principal | None, action: str, resource: Resource = TENANT) -> Decision:
    """May ``principal`` take ``action`` on ``resource``? Total and pure; deny by default.

    Reasons, in order of checking: ``anonymous`` (no principal), ``unknown`` (an action nobody
    may take), ``token_scope`` (the token lacks the scope), ``role`` (no grant with a role
    that may), ``tier`` (the grants with such a role do not reach the resource),
    ``department`` (a liaison whose department does not hold the resource).
    """
    if principal is None:
        return Decision(False, "anonymous")
    roles = PERMISSIONS.get(action)
    if roles is None:
        return Decision(False, "unknown")
    if not principal.has_scope(action):
        return Decision(False, "token_scope")
    grants = [g for g in principal.grants if g.role in roles]
    if not grants:
        return Decision(False, "role")
    reason = "tier"
    for grant in grants:
        if resource.node_paths is not None:
            if not any(grant.reaches(p) for p in resource.node_paths):
                continue
        elif grant.node_path != "/" and not _is_root(grant):
            continue  # tenant-wide things need a grant at the root of the tree
        if grant.role == "department_liaison" and resource.node_paths is not None:
            if grant.department_id not in resource.department_ids:
                reason = "department"
                continue
        return Decision(True)
    return Decision(False, reason)


def _is_root(grant: Grant) -> bool:
    # Paths are "/<code>/" for a root node and longer below it (core.tiers).
    return grant.node_path.count("/") == 2


@dataclass(frozen=True)
class Visibility:
    """Which rows a list may show for an action: subtrees, and liaisons' departments.

    A row is visible when its node lies under one of ``subtrees``, or under one of
    ``department_subtrees``' paths while assigned to that department. Both empty: nothing.
    """

    subtrees: tuple[str, ...]
    department_subtrees: tuple[tuple[str, int], ...] = ()

    @property
    def nothing(self) -> bool:
        """True when no row can be visible."""
        return not self.subtrees and not self.department_subtrees


def visibility(principal: Principal | None, action: str) -> Visibility:
    """The subtrees (and liaison departments) in which ``principal`` may ``action``.

    Lists (cases, attempts, notices) turn this into a WHERE clause, so that the rows a list
    shows are exactly the rows :func:`authorize` would allow one by one.
    """
    if principal is None or action not in PERMISSIONS or not principal.has_scope(action):
        return Visibility(())
    roles = PERMISSIONS[action]
    subtrees = _outermost(g.node_path for g in principal.grants
                          if g.role in roles and g.role != "department_liaison")
    departments = tuple(sorted(
        {(g.node_path, g.department_id) for g in principal.grants
         if g.role == "department_liaison" and g.role in roles and g.department_id is not None
         and not any(g.node_path.startswith(s) for s in subtrees)}
    ))
    return Visibility(subtrees, departments)


def _outermost(paths: Iterable[str]) -> tuple[str, ...]:
    """Drop paths that lie inside another one (a subtree already covers them)."""
    kept: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return tuple(sorted(kept))
