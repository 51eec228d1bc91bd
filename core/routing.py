"""Routing (分流转办): which departments take a case, from plugins or the dispatch catalog.

首接负责 — the center that registers a case is responsible for it until someone takes it over;
the dispatch catalog (派单目录, ``[[dispatch]]`` in tenant.toml) names the lead (主办) and
assisting (协办) departments by case type, category and tier level; a plugin may decide first
through ``onedoor_route_case``. A department may return a mis-dispatched case (退单) with
reasons; after :data:`MAX_DISPATCHES` dispatches the center designates the handler, and a
designated handler cannot return the case again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

MAX_DISPATCHES = 3


@dataclass(frozen=True)
class RoutingDecision:
    """Departments (by code) that should take a case, and why (shown to the dispatcher)."""

    lead: str
    assisting: tuple[str, ...] = ()
    reason: str = ""


def match_dispatch(
    entries: Iterable[Mapping[str, Any]], *, case_type: str, category: str, level: str
) -> RoutingDecision | None:
    """The most specific catalog entry matching the case (pure).

    An entry matches when every criterion it names (``case_type``, ``category``, ``level``)
    equals the case's; among matches the one naming most criteria wins, the entry naming none
    is the tenant's fallback, and ties go to the entry written first.
    """
    best: tuple[int, int, Mapping[str, Any]] | None = None
    facts = {"case_type": case_type, "category": category, "level": level}
    for position, entry in enumerate(entries):
        named = [key for key in facts if entry.get(key)]
        if any(entry[key] != facts[key] for key in named):
            continue
        rank = (len(named), -position)
        if best is None or rank > best[:2]:
            best = (*rank, entry)
    if best is None:
        return None
    entry = best[2]
    criteria = ", ".join(f"{k}={entry[k]}" for k in facts if entry.get(k)) or "default"
    return RoutingDecision(entry["lead"], tuple(entry.get("assisting", ())), f"catalog: {criteria}")


def must_designate(dispatch_count: int) -> bool:
    """True when the next assignment is a designation by the center (no more returns)."""
    return dispatch_count >= MAX_DISPATCHES
