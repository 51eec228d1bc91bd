"""``onedoor plugin new``: the files of a new plugin distribution, from templates in this package.

The templates under ``template/`` are :class:`string.Template` files (``${name}``…); a path
segment ``__package__`` becomes the plugin's import package and the ``.tmpl`` suffix is dropped.
What they produce installs, registers through the ``onedoor.plugins`` entry point and passes its
own tests on the shipped fixtures (:mod:`core.testing.plugins`).
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from string import Template

from core import __version__

#: A plugin name: what tenants write in ``[plugins.<name>]``, a URL segment, a code prefix.
NAME = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
SUFFIX = ".tmpl"


class ScaffoldError(ValueError):
    """The plugin name is unusable or the target folder is not empty."""


@dataclass(frozen=True)
class Scaffold:
    """The names one plugin name gives rise to."""

    name: str

    @property
    def package(self) -> str:
        """The import package: ``onedoor_<name>``."""
        return f"onedoor_{self.name}"

    @property
    def distribution(self) -> str:
        """The distribution pip installs: ``onedoor-<name>``."""
        return f"onedoor-{self.name.replace('_', '-')}"

    def substitutions(self) -> dict[str, str]:
        """What the templates' placeholders stand for."""
        return {
            "name": self.name,
            "package": self.package,
            "distribution": self.distribution,
            "title": self.name.replace("_", " ").title(),
            "case_type": f"{self.name}_case",
            "rule": f"{self.name}_reply",
            "onedoor_version": __version__,
        }


def check_name(name: str, installed: set[str] | frozenset[str] = frozenset()) -> Scaffold:
    """The scaffold of ``name``; :class:`ScaffoldError` saying what a plugin name must be."""
    if not NAME.match(name) or keyword.iskeyword(name) or name.endswith("_"):
        raise ScaffoldError(f"plugin name {name!r}: use 2 to 40 lower-case letters, digits and "
                            "'_', starting with a letter (it becomes [plugins.<name>] and a URL)")
    if name in installed:
        raise ScaffoldError(f"plugin name {name!r} is already installed; choose another")
    return Scaffold(name)


def _templates() -> Traversable:
    return resources.files(__package__) / "template"


def _walk(folder: Traversable, relative: tuple[str, ...] = ()):
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.is_dir():
            if entry.name != "__pycache__":
                yield from _walk(entry, (*relative, entry.name))
        elif entry.name.endswith(SUFFIX):
            yield (*relative, entry.name.removesuffix(SUFFIX)), entry


def render(scaffold: Scaffold) -> dict[Path, str]:
    """Relative path → text of every file of the new distribution."""
    values = scaffold.substitutions()
    files = {}
    for parts, entry in _walk(_templates()):
        path = Path(*(scaffold.package if p == "__package__" else p for p in parts))
        files[path] = Template(entry.read_text(encoding="utf-8")).substitute(values)
    return files


def write(scaffold: Scaffold, target: Path) -> list[Path]:
    """Write the distribution into ``target`` (created; must not exist or be empty)."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ScaffoldError(f"{target} already exists and is not an empty folder")
    files = render(scaffold)  # render everything first: a template error writes nothing
    written = []
    for relative, text in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
