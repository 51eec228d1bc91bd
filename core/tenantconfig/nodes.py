"""The tier tree of a ``tenant.toml``: inline ``[[tiers.nodes]]`` plus an optional nodes CSV.

Every node remembers where it was written (TOML entry or CSV line) so that a duplicate code, an
unknown parent or level, a cycle or a child above its parent is reported at that place. All such
problems are collected before :func:`core.tiers.plan_tree` computes the paths.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.tenantconfig.errors import ErrorCollector, join_path
from core.tenantconfig.schema import NodeSchema, load_section
from core.tiers import (
    CODE_PATTERN,
    CSV_COLUMNS,
    NodeRow,
    PlannedNode,
    TierError,
    plan_tree,
    read_csv,
)

CSV_NAME_COLUMNS = ("name_zh_Hant", "name_en")


@dataclass(frozen=True)
class Origin:
    """Where a node was declared: a ``[[tiers.nodes]]`` entry or a line of the CSV."""

    inline_index: int | None = None
    csv_file: Path | None = None
    csv_line: int = 0

    def describe(self, report: ErrorCollector) -> str:
        """``tenant.toml:88`` or ``nodes.csv:14`` (for "first declared at …")."""
        if self.csv_file is not None:
            return f"{self.csv_file}:{self.csv_line}"
        line = report.locator.line_of(f"tiers.nodes[{self.inline_index}]")
        return f"{report.path}:{line}"


class NodeSource:
    """Collects the nodes of one tenant and reports their problems where they were written."""

    def __init__(self, report: ErrorCollector) -> None:
        self.report = report
        self.rows: list[NodeRow] = []
        self.origins: dict[int, Origin] = {}

    def error(self, origin: Origin, field: str, message: str) -> None:
        """Report ``message`` about ``field`` of the node declared at ``origin``."""
        if origin.csv_file is not None:
            self.report.add_at(origin.csv_file, origin.csv_line, field, message)
        else:
            self.report.add(join_path(f"tiers.nodes[{origin.inline_index}]", field), message)

    def _add(self, row: NodeRow, origin: Origin) -> None:
        self.origins[id(row)] = origin
        self.rows.append(row)

    def origin(self, row: NodeRow) -> Origin:
        """Where ``row`` was declared."""
        return self.origins[id(row)]

    def add_inline(self, entries: Sequence[Any]) -> None:
        """Add ``[[tiers.nodes]]`` entries, reporting malformed ones."""
        for index, raw in enumerate(entries):
            data, problems = load_section(NodeSchema(), raw)
            if data is None:
                self.report.extend(problems, f"tiers.nodes[{index}]")
                continue
            row = NodeRow(code=data["code"].strip(), level=data["level"].strip(),
                          name=data["name"].strip(), parent=data["parent"].strip(),
                          names=dict(data["names"]))
            self._add(row, Origin(inline_index=index))

    def add_csv(self, path: Path) -> None:
        """Add the rows of a nodes CSV (``code,parent,level,name,name_zh_Hant,name_en``)."""
        try:
            with path.open(encoding="utf-8-sig", newline="") as fh:
                header = next(csv.reader(fh), [])
            rows = read_csv(path)
        except FileNotFoundError:
            self.report.add("tiers.csv", f"file not found: {path}")
            return
        except UnicodeDecodeError as exc:
            self.report.add_at(path, 1, "", f"not UTF-8 text ({exc.reason})")
            return
        except TierError as exc:
            self.report.add_at(path, 1, exc.field, str(exc))
            return
        except csv.Error as exc:
            self.report.add_at(path, 1, "", f"not a valid CSV file: {exc}")
            return
        unknown = [c for c in header if c not in (*CSV_COLUMNS, *CSV_NAME_COLUMNS)]
        for column in unknown:
            self.report.add_at(path, 1, column, "unknown column (expected "
                               f"{', '.join((*CSV_COLUMNS, *CSV_NAME_COLUMNS))})")
        if unknown:
            return
        for row in rows:
            # Row 1 is the first data row; the header is line 1 of the file.
            self._add(row, Origin(csv_file=path, csv_line=(row.row or 0) + 1))

    def plan(self, level_ranks: Mapping[str, int] | None) -> list[PlannedNode] | None:
        """Check the whole tree and plan it; None when something was reported.

        ``level_ranks`` is None when the levels themselves are invalid: the checks that need
        them are skipped rather than reported twice.
        """
        before = self.report.count()
        by_code = self._unique_codes()
        for row in by_code.values():
            if level_ranks is not None and row.level not in level_ranks:
                self.error(self.origin(row), "level", f"unknown level {row.level!r} "
                           f"(declared: {', '.join(level_ranks)})")
            if row.parent and row.parent not in by_code:
                self.error(self.origin(row), "parent", f"unknown parent {row.parent!r}")
        in_cycle = self._report_cycles(by_code)
        if level_ranks is not None:
            self._report_level_order(by_code, level_ranks, in_cycle)
        if self.report.count() > before or level_ranks is None:
            return None
        try:
            return plan_tree(list(by_code.values()), level_ranks)
        except TierError as exc:  # a case the checks above missed: still report it in place
            row = by_code.get(exc.code)
            if row is None:
                self.report.add("tiers.nodes", str(exc))
            else:
                self.error(self.origin(row), exc.field, str(exc))
            return None

    def _unique_codes(self) -> dict[str, NodeRow]:
        by_code: dict[str, NodeRow] = {}
        for row in self.rows:
            origin = self.origin(row)
            if not CODE_PATTERN.match(row.code):
                self.error(origin, "code", f"invalid node code {row.code!r} "
                           "(letters, digits, '_', '.' or '-', at most 64)")
                continue
            if row.code in by_code:
                first = self.origin(by_code[row.code]).describe(self.report)
                self.error(origin, "code", f"duplicate node code {row.code!r} "
                           f"(first declared at {first})")
                continue
            if not row.name:
                self.error(origin, "name", f"node {row.code!r} has no name")
            by_code[row.code] = row
        return by_code

    def _report_cycles(self, by_code: Mapping[str, NodeRow]) -> set[str]:
        done: set[str] = set()
        in_cycle: set[str] = set()
        for start in by_code:
            chain: list[str] = []
            position: dict[str, int] = {}
            current = start
            while current in by_code and current not in done and current not in position:
                position[current] = len(chain)
                chain.append(current)
                current = by_code[current].parent
            if current in position:
                cycle = chain[position[current]:]
                in_cycle.update(cycle)
                # Reported at the first node of the cycle met in file order.
                self.error(self.origin(by_code[current]), "parent",
                           f"the tree has a cycle: {' → '.join([*cycle, current])}")
            done.update(chain)
        return in_cycle

    def _report_level_order(self, by_code: Mapping[str, NodeRow],
                            level_ranks: Mapping[str, int], in_cycle: set[str]) -> None:
        for row in by_code.values():
            parent = by_code.get(row.parent)
            if (parent is None or row.code in in_cycle or row.level not in level_ranks
                    or parent.level not in level_ranks):
                continue
            if level_ranks[row.level] <= level_ranks[parent.level]:
                self.error(self.origin(row), "level",
                           f"node {row.code!r} ({row.level}) must be at a level below its "
                           f"parent {parent.code!r} ({parent.level})")
