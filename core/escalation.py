"""The escalation ladder (逐级移送), default "1+2+3" from seed 000. Pure.

村和社区调解员调解初次无法解决的上报村和社区 (the village mediator tries once), 村和社区调解2次以上
社区书记介入仍无法解决的上报街道 (the village/community committee at least twice, with its
secretary), 街道调解3次以上且主要负责人调解无法解决的上报区级 (the town/street at least three times,
with its principal leader), then the district. A tenant declares its own ladder in tenant.toml.

A case stands on one rung. It may move up one rung only when the rung's attempts have been made
(and a leader took part where the rung requires it). Only a red-risk case may go up before that,
and only a red-risk case may jump a rung.

A tenant's ladder lists the rungs where mediation is tried; after its last rung the dispute goes
to the tier above that rung's level (the district after the street). That tier is the ladder's
top rung, added by :func:`ladder_from_config` from ``[escalation] above``, which the tenant
loader derives from the tier levels (:func:`level_above`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Rung:
    """One step of the ladder: who mediates, how often at least, with a leader or not."""

    level: str
    min_attempts: int
    leader_required: bool = False
    deadline_days: int = 15
    names: Mapping[str, str] = field(default_factory=dict, hash=False)


DEFAULT_LADDER: tuple[Rung, ...] = (
    Rung(
        "village",
        1,
        False,
        7,
        {"zh_Hans": "村（社区）调解员", "zh_Hant": "村（社區）調解員", "en": "Village mediator"},
    ),
    Rung(
        "village",
        2,
        True,
        15,
        {
            "zh_Hans": "村（社区）调委会，书记介入",
            "zh_Hant": "村（社區）調委會，書記介入",
            "en": "Village committee with its secretary",
        },
    ),
    Rung(
        "town",
        3,
        True,
        30,
        {
            "zh_Hans": "乡镇（街道），主要负责人介入",
            "zh_Hant": "鄉鎮（街道），主要負責人介入",
            "en": "Town with its principal leader",
        },
    ),
    Rung(
        "county",
        1,
        True,
        30,
        {"zh_Hans": "县（区）级中心", "zh_Hant": "縣（區）級中心", "en": "County center"},
    ),
)


@dataclass(frozen=True)
class AttemptSummary:
    """A recorded mediation attempt, reduced to what the ladder looks at."""

    rung: int
    leader_involved: bool
    succeeded: bool = False


@dataclass(frozen=True)
class EscalationDecision:
    """Whether the case may go up, to which rung, and every reason if not."""

    allowed: bool
    target_rung: int | None
    reasons: tuple[str, ...] = ()


#: Days the tier above the ladder has, unless ``[deadlines.rung_<n>]`` says otherwise: the
#: default ladder's county rung.
TOP_RUNG_DAYS = 30


def ladder_from_config(entries: Sequence[Mapping[str, Any]] | None,
                       above: str | None = None) -> tuple[Rung, ...]:
    """The tenant's ladder from ``[escalation] ladder`` entries, or the default.

    ``above`` is the tier level over the last entry's level (``None`` when that level is the
    top of the tenant's tree): it becomes the top rung, where the dispute goes once the last
    entry's attempts have failed. It is named after its tier level, and asks for one attempt
    with a leader, as the default ladder's county rung does.
    """
    if not entries:
        return DEFAULT_LADDER
    rungs = [
        Rung(
            e["level"],
            int(e.get("min_attempts", 1)),
            bool(e.get("leader_required", False)),
            int(e.get("deadline_days", 15)),
            dict(e.get("names", {})),
        )
        for e in entries
    ]
    if above is not None and above != rungs[-1].level:
        rungs.append(Rung(above, 1, True, TOP_RUNG_DAYS))
    return tuple(rungs)


def level_above(level_codes: Sequence[str], entries: Sequence[Mapping[str, Any]]) -> str | None:
    """The tier level just over the last ladder entry's level, or ``None`` at the top.

    ``level_codes`` are the tenant's levels, top first (``city, county, town, village``).
    """
    if not entries or entries[-1]["level"] not in level_codes:
        return None
    index = list(level_codes).index(entries[-1]["level"])
    return level_codes[index - 1] if index > 0 else None


def ladder_of(config: Mapping[str, Any]) -> tuple[Rung, ...]:
    """The ladder a stored tenant configuration (``tenants.config``) declares."""
    table = config.get("escalation") or {}
    return ladder_from_config(table.get("ladder"), table.get("above"))


def starting_rung(ladder: Sequence[Rung], level: str) -> int:
    """The first rung at ``level`` (a case entering at a town starts at the town's rung)."""
    for index, rung in enumerate(ladder):
        if rung.level == level:
            return index
    return 0


def decide_escalation(
    ladder: Sequence[Rung],
    rung: int,
    attempts: Sequence[AttemptSummary],
    *,
    risk: str = "blue",
    jump: bool = False,
) -> EscalationDecision:
    """May a case on ``rung`` with ``attempts`` go up now? Reasons are stable strings.

    * ``top`` — already on the last rung;
    * ``attempts:<made>/<needed>`` — not enough attempts on this rung;
    * ``leader`` — the rung needs a leader in at least one attempt;
    * ``jump`` — skipping a rung is for red-risk cases only.
    """
    if rung >= len(ladder) - 1:
        return EscalationDecision(False, None, ("top",))
    red = risk == "red"
    target = rung + (2 if jump else 1)
    reasons: list[str] = []
    if jump and not red:
        reasons.append("jump")
    target = min(target, len(ladder) - 1)
    if not red:
        here = [a for a in attempts if a.rung == rung]
        needed = ladder[rung].min_attempts
        if len(here) < needed:
            reasons.append(f"attempts:{len(here)}/{needed}")
        if ladder[rung].leader_required and not any(a.leader_involved for a in here):
            reasons.append("leader")
    return EscalationDecision(not reasons, target if not reasons else None, tuple(reasons))
