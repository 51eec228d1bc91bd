"""Human-readable change lines for ``tenant apply``: ``+ added``, ``~ changed``, ``- removed``.

The same lines are printed by ``--dry-run``, returned in :class:`ApplyResult.changes` and stored
in the ``tenant.applied`` audit event, so what an administrator previewed is what is recorded.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from core.tenantconfig.schema import DISPATCH_CRITERIA

#: Node lines beyond this many are summarised: a 100,000-node import is one line, not 100,000.
MAX_NODE_LINES = 200
_MAX_VALUE = 80
# Values too long to show in a diff line; only the fact that they changed is reported.
_OPAQUE_KEYS = {"logo_svg"}
# Lists whose elements are reported one by one (dates, keywords) rather than as a whole.
_ELEMENT_KEYS = {"holidays", "workdays", "keywords_red", "keywords_orange"}


def show(value: Any) -> str:
    """A short, single-line rendering of a configuration value."""
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = " ".join(text.split())
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 1] + "…"


def diff_values(prefix: str, old: Any, new: Any) -> list[str]:
    """Lines for the differences between two JSON-like values, tables compared key by key.

    ``diff_values("branding", {"primary_color": "#0b5394"}, {"primary_color": "#114477"})``
    gives ``["~ branding.primary_color: #0b5394 → #114477"]``.
    """
    if old == new:
        return []
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        lines: list[str] = []
        for key in [*old, *(k for k in new if k not in old)]:
            path = f"{prefix}.{key}" if prefix else str(key)
            if key not in new:
                lines.append(f"- {path}")
            elif key not in old:
                shown = "(set)" if key in _OPAQUE_KEYS else show(new[key])
                lines.append(f"+ {path}: {shown}")
            else:
                lines.extend(_changed(path, key, old[key], new[key]))
        return lines
    return _changed(prefix, prefix.rsplit(".", 1)[-1], old, new)


def _changed(path: str, key: str, old: Any, new: Any) -> list[str]:
    if old == new:
        return []
    if key in _OPAQUE_KEYS:
        return [f"~ {path}: (changed)"]
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        return diff_values(path, old, new)
    if key in _ELEMENT_KEYS and isinstance(old, list) and isinstance(new, list):
        lines = [f"- {path} {show(item)}" for item in old if item not in new]
        lines += [f"+ {path} {show(item)}" for item in new if item not in old]
        return lines or [f"~ {path} order: {show(old)} → {show(new)}"]
    return [f"~ {path}: {show(old)} → {show(new)}"]


def diff_config(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Lines for the keys of ``tenants.config`` that ``tenant.toml`` owns (``new``'s keys).

    Tables are compared key by key; ``categories`` and ``dispatch`` entry by entry. A key the
    stored config lacks (a tenant applied before the key existed) is compared with an empty value.
    """
    lines: list[str] = []
    for key, value in new.items():
        if key in _ENTRY_LISTS:
            kind, label, summary = _ENTRY_LISTS[key]
            lines.extend(diff_entries(kind, old.get(key) or [], value, label, summary))
        elif key in old:
            lines.extend(diff_values(key, old[key], value))
        elif isinstance(value, Mapping) and value:
            lines.extend(diff_values(key, {}, value))
        else:
            lines.append(f"+ {key}: {show(value)}")
    return lines


def diff_entries(kind: str, old: list[Mapping[str, Any]], new: list[Mapping[str, Any]],
                 label: Callable[[Mapping[str, Any]], str],
                 summary: Callable[[Mapping[str, Any]], str]) -> list[str]:
    """Lines for two lists of entries identified by ``label``: added, changed, removed, moved.

    ``diff_entries("category", [], [fishery], …)`` gives ``["+ category fishery 渔事纠纷"]``.
    """
    if old == new:
        return []
    old_by = {label(entry): entry for entry in old}
    new_by = {label(entry): entry for entry in new}
    lines: list[str] = []
    for name, entry in new_by.items():
        if name not in old_by:
            lines.append(f"+ {kind} {name} {summary(entry)}".rstrip())
        else:
            lines.extend(diff_values(f"{kind} {name}", old_by[name], entry))
    lines.extend(f"- {kind} {name}" for name in old_by if name not in new_by)
    kept_before = [name for name in old_by if name in new_by]
    kept_after = [name for name in new_by if name in old_by]
    if kept_before != kept_after:
        # Only the stretch that moved: "b, c → c, b" rather than the whole list twice.
        start = next(i for i, (a, b) in enumerate(zip(kept_before, kept_after, strict=True))
                     if a != b)
        end = len(kept_before)
        while kept_before[end - 1] == kept_after[end - 1]:
            end -= 1
        lines.append(f"~ {kind} order: {', '.join(kept_before[start:end])} → "
                     f"{', '.join(kept_after[start:end])}")
    return lines


def dispatch_label(entry: Mapping[str, Any]) -> str:
    """``category=labor``, ``case_type=x,level=town``, or ``default`` for the fallback entry."""
    named = [f"{key}={entry[key]}" for key in DISPATCH_CRITERIA if entry.get(key)]
    return ",".join(named) or "default"


def _dispatch_summary(entry: Mapping[str, Any]) -> str:
    assisting = entry.get("assisting") or []
    return f"→ {entry['lead']}" + (f" (assisting {', '.join(assisting)})" if assisting else "")


def _category_summary(entry: Mapping[str, Any]) -> str:
    parent = f" (under {entry['parent']})" if entry.get("parent") else ""
    return f"{entry['names'].get('zh_Hans', '')}{parent}"


# Stored lists compared entry by entry: key → (kind shown, entry label, summary when added).
_ENTRY_LISTS: dict[str, tuple[str, Callable[[Mapping[str, Any]], str],
                              Callable[[Mapping[str, Any]], str]]] = {
    "categories": ("category", lambda entry: entry["code"], _category_summary),
    "dispatch": ("dispatch", dispatch_label, _dispatch_summary),
}


class NodeLines:
    """Collects node lines, keeping the first :data:`MAX_NODE_LINES` and counting the rest."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.hidden = 0

    def add(self, line: str) -> None:
        """Keep ``line``, or count it once the limit is reached."""
        if len(self.lines) < MAX_NODE_LINES:
            self.lines.append(line)
        else:
            self.hidden += 1

    def render(self) -> list[str]:
        """The kept lines and, if some were left out, one line saying how many."""
        if self.hidden:
            return [*self.lines, f"… and {self.hidden} more node changes"]
        return list(self.lines)
