"""What a plugin imports from OneDoor: only ``core.toolkit`` and ``core.hookspecs`` are promised.

Used by OneDoor's own tests for every installed plugin and by the tests ``onedoor plugin new``
generates, so a plugin that reaches into core's internals fails its own test suite first.
"""

from __future__ import annotations

import ast
from pathlib import Path

#: The modules of ``core`` a plugin may import.
PUBLIC = frozenset({"core.toolkit", "core.hookspecs"})


def core_imports(source: str) -> list[str]:
    """Every ``core`` module (or ``core.x`` name) that Python source imports, in order.

    ``from core import toolkit`` counts as ``core.toolkit``; a bare ``import core`` or
    ``from core import hookimpl`` as ``core`` (the package itself is not public).
    """
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] == "core"]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "core":
                found += [f"core.{a.name}" for a in node.names]
            elif node.module.split(".")[0] == "core":
                found.append(node.module)
    return found


def private_core_imports(package: Path) -> list[str]:
    """``path: module`` for each import from ``core`` outside the public surface in the
    Python files under ``package`` (tests excluded: they may use core's test helpers)."""
    problems = []
    for path in sorted(Path(package).rglob("*.py")):
        if "tests" in path.relative_to(package).parts:
            continue
        source = path.read_text(encoding="utf-8")
        for module in core_imports(source):
            if not any(module == p or module.startswith(p + ".") for p in PUBLIC):
                problems.append(f"{path.relative_to(package)}: {module}")
    return problems
