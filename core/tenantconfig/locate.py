"""Map field paths of a TOML document to line numbers.

``tomllib`` returns plain dicts without positions, so error messages would otherwise name a
field but not where it is. :class:`TomlLocator` scans the text once, following table headers
(``[branding]``), arrays of tables (``[[centers]]``, counted per parent:
``centers[1].stationed[0]``), ``key =`` lines, and the elements of arrays and inline tables, and
records the line where each path starts. A path that was never written (a missing required
key) falls back to its nearest written ancestor, usually the table header.

The scanner is deliberately tolerant: it is only asked about documents ``tomllib`` accepted, and
on anything unexpected it stops and keeps what it has indexed.
"""

from __future__ import annotations

import re

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_LAST_PART = re.compile(r"(\[\d+\]|\.[^.\[\]]+|^[^.\[\]]+)$")


class _Stop(Exception):
    """The scanner met something it does not understand; keep the index built so far."""


class TomlLocator:
    """Line numbers of the paths of one TOML text: ``locator.line_of("centers[1].windows")``."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.index: dict[str, int] = {}
        self._pos = 0
        self._line = 1
        self._array_counts: dict[str, int] = {}
        self._array_tables: set[str] = set()
        try:
            self._document()
        except (_Stop, IndexError):
            pass

    def line_of(self, path: str) -> int:
        """The line where ``path`` (or its nearest indexed ancestor) is written; 1 if none is."""
        while path:
            if path in self.index:
                return self.index[path]
            match = _LAST_PART.search(path)
            if match is None:
                break
            path = path[: match.start()]
        return 1

    # --- scanning -----------------------------------------------------------------------

    def _peek(self, offset: int = 0) -> str:
        at = self._pos + offset
        return self.text[at] if at < len(self.text) else ""

    def _advance(self, count: int = 1) -> None:
        for _ in range(count):
            if self._peek() == "\n":
                self._line += 1
            self._pos += 1

    def _skip_blank(self, newlines: bool) -> None:
        """Skip spaces, tabs, comments and (when ``newlines``) line breaks."""
        while self._pos < len(self.text):
            char = self._peek()
            if char in " \t\r" or (newlines and char == "\n"):
                self._advance()
            elif char == "#":
                while self._peek() not in ("\n", ""):
                    self._advance()
            else:
                return

    def _record(self, path: str, line: int) -> None:
        self.index.setdefault(path, line)

    def _document(self) -> None:
        table = ""
        while True:
            self._skip_blank(newlines=True)
            if self._pos >= len(self.text):
                return
            if self.text.startswith("[[", self._pos):
                table = self._header(array=True)
            elif self._peek() == "[":
                table = self._header(array=False)
            else:
                self._key_value(table)
            self._skip_blank(newlines=False)
            if self._peek() not in ("\n", ""):
                raise _Stop

    def _header(self, *, array: bool) -> str:
        line = self._line
        self._advance(2 if array else 1)
        self._skip_blank(newlines=False)
        parts = self._key()
        self._skip_blank(newlines=False)
        closing = "]]" if array else "]"
        if not self.text.startswith(closing, self._pos):
            raise _Stop
        self._advance(len(closing))
        # Intermediate names that are arrays of tables mean "their latest element".
        resolved = ""
        for part in parts[:-1]:
            resolved = _join(resolved, part)
            self._record(resolved, line)
            if resolved in self._array_tables:
                resolved = f"{resolved}[{self._array_counts[resolved] - 1}]"
        resolved = _join(resolved, parts[-1])
        if array:
            count = self._array_counts.get(resolved, 0)
            self._array_counts[resolved] = count + 1
            self._array_tables.add(resolved)
            self._record(resolved, line)
            resolved = f"{resolved}[{count}]"
        self._record(resolved, line)
        return resolved

    def _key(self) -> list[str]:
        parts = []
        while True:
            self._skip_blank(newlines=False)
            char = self._peek()
            if char in ('"', "'"):
                parts.append(self._string_value())
            else:
                match = _BARE_KEY.match(self.text, self._pos)
                if not match:
                    raise _Stop
                parts.append(match.group())
                self._advance(len(match.group()))
            self._skip_blank(newlines=False)
            if self._peek() != ".":
                return parts
            self._advance()

    def _key_value(self, table: str) -> None:
        line = self._line
        path = table
        for part in self._key():
            path = _join(path, part)
            self._record(path, line)
        if self._peek() != "=":
            raise _Stop
        self._advance()
        self._skip_blank(newlines=False)
        self._value(path)

    def _value(self, path: str) -> None:
        char = self._peek()
        if char in ('"', "'"):
            self._string_value()
        elif char == "[":
            self._array(path)
        elif char == "{":
            self._inline_table(path)
        else:
            start = self._pos
            while self._peek() not in (",", "]", "}", "\n", "#", ""):
                self._advance()
            if self._pos == start:
                raise _Stop

    def _array(self, path: str) -> None:
        self._advance()
        index = 0
        while True:
            self._skip_blank(newlines=True)
            if self._peek() == "]":
                self._advance()
                return
            element = f"{path}[{index}]"
            self._record(element, self._line)
            self._value(element)
            index += 1
            self._skip_blank(newlines=True)
            if self._peek() == ",":
                self._advance()
            elif self._peek() == "]":
                self._advance()
                return
            else:
                raise _Stop

    def _inline_table(self, path: str) -> None:
        self._advance()
        while True:
            self._skip_blank(newlines=False)
            if self._peek() == "}":
                self._advance()
                return
            self._key_value(path)
            self._skip_blank(newlines=False)
            if self._peek() == ",":
                self._advance()
            elif self._peek() == "}":
                self._advance()
                return
            else:
                raise _Stop

    def _string_value(self) -> str:
        quote = self._peek()
        if self.text.startswith(quote * 3, self._pos):
            self._advance(3)
            end = self.text.find(quote * 3, self._pos)
            if end < 0:
                raise _Stop
            # A multi-line string may end with up to two extra quotes before the closing three.
            while self.text.startswith(quote, end + 3):
                end += 1
            value = self.text[self._pos:end]
            self._advance(end + 3 - self._pos)
            return value
        self._advance()
        chars = []
        while True:
            char = self._peek()
            if char in ("", "\n"):
                raise _Stop
            if char == quote:
                self._advance()
                return "".join(chars)
            if char == "\\" and quote == '"':
                chars.append(self.text[self._pos:self._pos + 2])
                self._advance(2)
                continue
            chars.append(char)
            self._advance()


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key
