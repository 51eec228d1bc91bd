"""Human-readable change lines for ``tenant apply``: ``+ added``, ``~ changed``, ``- removed``.

The same lines are printed by ``--dry-run``, returned in :class:`ApplyResult.changes` and stored
in the ``tenant.applied`` audit event, so what an administrator previewed is what is recorded.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

#: Node lines beyond this many are summarised: a 100,000-node import is one line, not 100,000.
MAX_NODE_LINES = 200
_MAX_VALUE = 80
# Values too long to show in a diff line; only the fact that they changed is reported.
_OPAQUE_KEYS = {"logo_svg"}


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
    return [f"~ {path}: {show(old)} → {show(new)}"]


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
