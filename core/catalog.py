"""Window types and departments: the catalog a tenant composes its "12+X" from.

The entries themselves come from plugins (core's own through the essential ``core_catalog``
plugin), so a disabled plugin's windows and departments do not exist for that tenant.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeVar


@dataclass(frozen=True)
class WindowType:
    """A kind of window (窗口) a center can open, e.g. 劳资纠纷 labor disputes."""

    code: str
    names: dict[str, str] = field(hash=False)
    description: str = ""

    def name(self, locale: str) -> str:
        """Name in ``locale``, falling back to zh_Hans, then the code."""
        return self.names.get(locale) or self.names.get("zh_Hans") or self.code


@dataclass(frozen=True)
class DepartmentSpec:
    """A catalog department (入驻单位); ``kind`` is "core" (the 12) or "specialty" (the X)."""

    code: str
    names: dict[str, str] = field(hash=False)
    kind: str = "core"

    def name(self, locale: str) -> str:
        """Name in ``locale``, falling back to zh_Hans, then the code."""
        return self.names.get(locale) or self.names.get("zh_Hans") or self.code


class CatalogConflict(ValueError):
    """Two plugins declared the same window-type or department code."""


Entry = TypeVar("Entry", "WindowType", "DepartmentSpec")


def merge_by_code(results: Iterable[list[Entry]]) -> dict[str, Entry]:
    """Flatten hook results into ``{code: entry}``, refusing duplicate codes."""
    merged: dict[str, Entry] = {}
    for entries in results:
        for entry in entries or []:
            if entry.code in merged:
                raise CatalogConflict(f"code {entry.code!r} is declared twice")
            merged[entry.code] = entry
    return merged
