"""The case lifecycle as a pure state machine (no Flask, no database).

登记受理 → 分流转办 → 调处 → 办结归档 → 回访评价. Each transition names the states it leaves
from, the state it reaches, the roles that may take it and the fields it needs. :func:`decide`
checks a proposed transition against a case's state, the actor's roles and tier scope, and
returns every reason it is refused — the service layer then asks plugins (which may add vetoes),
applies the effects, and writes exactly one audit event.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


class Status(enum.StrEnum):
    """Where a case is in its life."""

    REGISTERED = "registered"  # 登记
    ACCEPTED = "accepted"  # 受理
    NOT_ACCEPTED = "not_accepted"  # 不予受理 (reason and statutory route told)
    ASSIGNED = "assigned"  # 分流转办
    IN_MEDIATION = "in_mediation"  # 调处中
    RESOLVED = "resolved"  # 化解
    MEDIATION_FAILED = "mediation_failed"  # 调解不成
    ESCALATED = "escalated"  # 上移 (to the parent tier)
    REFERRED = "referred"  # 导入仲裁、诉讼、行政、信访、司法确认
    CLOSED = "closed"  # 办结
    ARCHIVED = "archived"  # 归档
    WITHDRAWN = "withdrawn"  # 撤回
    MERGED = "merged"  # 重复件合并
    REOPENED = "reopened"  # 重新办理 (e.g. after an unsatisfied evaluation)


#: States in which the case is still being worked on (deadlines run, supervision applies).
OPEN_STATES = frozenset(
    {
        Status.REGISTERED,
        Status.ACCEPTED,
        Status.ASSIGNED,
        Status.IN_MEDIATION,
        Status.MEDIATION_FAILED,
        Status.ESCALATED,
        Status.REOPENED,
    }
)
FINAL_STATES = frozenset({Status.ARCHIVED, Status.MERGED, Status.WITHDRAWN})


class Referral(enum.StrEnum):
    """Where a case goes when it leaves mediation for another legal route."""

    ARBITRATION = "arbitration"  # 仲裁
    LITIGATION = "litigation"  # 诉讼
    ADMINISTRATIVE = "administrative"  # 行政复议 / 行政裁决
    PETITION = "petition"  # 信访
    JUDICIAL_CONFIRMATION = "judicial_confirmation"  # 司法确认


ALL_STAFF = frozenset(
    {
        "tenant_admin",
        "leader",
        "dispatcher",
        "clerk",
        "mediator",
        "department_liaison",
        "grid_worker",
    }
)
INTAKE = frozenset({"tenant_admin", "leader", "dispatcher", "clerk", "grid_worker"})
DISPATCH = frozenset({"tenant_admin", "leader", "dispatcher"})
HANDLERS = frozenset({"leader", "dispatcher", "mediator", "department_liaison"})


@dataclass(frozen=True)
class Transition:
    """One allowed move of the lifecycle."""

    name: str
    sources: frozenset[Status]
    target: Status
    roles: frozenset[str]
    needs: tuple[str, ...] = ()


def _t(
    name: str,
    sources: Iterable[Status],
    target: Status,
    roles: Iterable[str],
    needs: tuple[str, ...] = (),
) -> Transition:
    return Transition(name, frozenset(sources), target, frozenset(roles), needs)


S = Status
TRANSITIONS: Mapping[str, Transition] = {
    t.name: t
    for t in (
        # Registration has no source state: it is how a case comes to exist (plugins may veto).
        _t("register", [], S.REGISTERED, INTAKE),
        _t("accept", [S.REGISTERED], S.ACCEPTED, INTAKE),
        _t("reject", [S.REGISTERED], S.NOT_ACCEPTED, INTAKE, ("reason", "statutory_route")),
        # Without a department the dispatch catalog's suggestion is taken (core.cases).
        _t("assign", [S.ACCEPTED, S.ESCALATED, S.REOPENED], S.ASSIGNED, DISPATCH),
        _t("return", [S.ASSIGNED], S.ACCEPTED, HANDLERS, ("reason",)),  # 退单
        _t("start_mediation", [S.ASSIGNED], S.IN_MEDIATION, HANDLERS),
        _t("resolve", [S.IN_MEDIATION], S.RESOLVED, HANDLERS, ("outcome",)),
        _t("fail_mediation", [S.IN_MEDIATION], S.MEDIATION_FAILED, HANDLERS, ("reason",)),
        _t(
            "escalate",
            [S.MEDIATION_FAILED, S.IN_MEDIATION],
            S.ESCALATED,
            HANDLERS | {"tenant_admin"},
            ("reason",),
        ),
        _t(
            "refer",
            [S.ACCEPTED, S.MEDIATION_FAILED, S.IN_MEDIATION],
            S.REFERRED,
            HANDLERS | DISPATCH,
            ("route",),
        ),
        _t(
            "close",
            [S.RESOLVED, S.REFERRED, S.NOT_ACCEPTED],
            S.CLOSED,
            HANDLERS | DISPATCH | {"clerk"},
        ),
        _t("archive", [S.CLOSED], S.ARCHIVED, DISPATCH | {"clerk"}),
        _t("withdraw", OPEN_STATES - {S.REOPENED}, S.WITHDRAWN, ALL_STAFF, ("reason",)),
        _t("merge", [S.REGISTERED, S.ACCEPTED], S.MERGED, DISPATCH | {"clerk"}, ("into",)),
        _t("reopen", [S.CLOSED], S.REOPENED, DISPATCH, ("reason",)),
    )
}


@dataclass(frozen=True)
class Actor:
    """Who acts: roles bound to a tier node (``scope_path``); ``"system"`` for the sweeper."""

    name: str
    roles: frozenset[str]
    scope_path: str = "/"

    def covers(self, node_path: str) -> bool:
        """True when ``node_path`` lies in the actor's subtree."""
        return node_path.startswith(self.scope_path)


@dataclass(frozen=True)
class CaseState:
    """What the state machine needs to know about a case."""

    status: Status
    node_path: str
    risk: str = "blue"


@dataclass(frozen=True)
class Decision:
    """The outcome of :func:`decide`: allowed, or every reason it is not."""

    transition: Transition | None
    reasons: tuple[str, ...] = field(default=())

    @property
    def allowed(self) -> bool:
        """True when nothing refused the transition."""
        return self.transition is not None and not self.reasons


def decide(case: CaseState, name: str, actor: Actor, payload: Mapping[str, Any]) -> Decision:
    """Check ``name`` on ``case`` by ``actor`` with ``payload``; pure and total.

    Reasons are stable machine-readable strings (``"state:closed"``, ``"role"``, ``"scope"``,
    ``"missing:reason"``); the service layer translates them for people.
    """
    transition = TRANSITIONS.get(name)
    if transition is None:
        return Decision(None, (f"unknown:{name}",))
    reasons: list[str] = []
    if case.status not in transition.sources:
        reasons.append(f"state:{case.status.value}")
    if not (actor.roles & transition.roles):
        reasons.append("role")
    if not actor.covers(case.node_path):
        reasons.append("scope")
    reasons.extend(
        f"missing:{key}" for key in transition.needs if payload.get(key) in (None, "", [], {})
    )
    if name == "refer" and payload.get("route") not in {r.value for r in Referral} | {None, ""}:
        reasons.append("invalid:route")
    return Decision(transition, tuple(reasons))


def available(case: CaseState, actor: Actor) -> list[str]:
    """Transitions the actor could take now, ignoring payload (for showing buttons)."""
    return [
        name
        for name, t in TRANSITIONS.items()
        if case.status in t.sources and actor.roles & t.roles and actor.covers(case.node_path)
    ]
