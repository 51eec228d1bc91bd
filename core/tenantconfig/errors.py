"""Errors of a tenant configuration: each names the file, the line and the field.

Validation collects every problem it can find before giving up, so an administrator fixes a
``tenant.toml`` in one round instead of one error per run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.tenantconfig.locate import TomlLocator


@dataclass(frozen=True)
class ConfigError:
    """One problem: ``FILE:LINE: field: message``.

    ``file`` is the TOML file, or the CSV or SVG file it refers to when the problem is there;
    ``line`` is 1-based; ``field`` is a path such as ``centers[1].windows`` or, for CSV rows, the
    column name.
    """

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        if self.field:
            return f"{self.file}:{self.line}: {self.field}: {self.message}"
        return f"{self.file}:{self.line}: {self.message}"


class ConfigErrors(ValueError):
    """A tenant configuration that cannot be applied; ``errors`` lists every problem found."""

    def __init__(self, errors: Iterable[ConfigError]) -> None:
        self.errors = sorted(errors, key=lambda e: (e.file, e.line))
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)

    def __len__(self) -> int:
        return len(self.errors)


class ErrorCollector:
    """Accumulates :class:`ConfigError` values for one ``tenant.toml``.

    Errors about the TOML file get their line from the :class:`TomlLocator`; errors about other
    files (a nodes CSV, the logo) carry their own file and line.
    """

    def __init__(self, path: Path, locator: TomlLocator) -> None:
        self.path = path
        self.locator = locator
        self.errors: list[ConfigError] = []

    def add(self, field: str, message: str) -> None:
        """Record a problem with ``field`` of the TOML file."""
        self.errors.append(ConfigError(str(self.path), self.locator.line_of(field), field, message))

    def add_at(self, file: Path | str, line: int, field: str, message: str) -> None:
        """Record a problem in another file (a CSV row, the SVG logo)."""
        self.errors.append(ConfigError(str(file), line, field, message))

    def extend(self, pairs: Iterable[tuple[str, str]], prefix: str = "") -> None:
        """Record ``(field, message)`` pairs, each field prefixed with ``prefix``."""
        for field, message in pairs:
            self.add(join_path(prefix, field), message)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def count(self) -> int:
        """How many problems have been recorded so far."""
        return len(self.errors)

    def raise_if_any(self) -> None:
        """Raise :class:`ConfigErrors` when anything was recorded."""
        if self.errors:
            raise ConfigErrors(self.errors)


def join_path(prefix: str, field: str) -> str:
    """``join_path("centers[1]", "windows")`` → ``centers[1].windows`` (indexes stay attached)."""
    if not prefix:
        return field
    if not field:
        return prefix
    return f"{prefix}{field}" if field.startswith("[") else f"{prefix}.{field}"
