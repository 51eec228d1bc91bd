"""Every hook is documented twice: a docstring in core/hookspecs.py, a section in docs/plugins.md.

Adding a hookspec without documenting it for plugin developers fails here.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from core import PROJECT_NAME, hookspecs

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"
HOOKS = sorted(
    name for name, obj in vars(hookspecs).items() if hasattr(obj, f"{PROJECT_NAME}_spec")
)


def _sections() -> dict[str, str]:
    """``{heading: body}`` of the plugin guide, for every Markdown heading."""
    sections: dict[str, str] = {}
    heading = ""
    in_code = False
    for line in GUIDE.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_code = not in_code
        if not in_code and re.match(r"#{1,6} ", line):  # "# comment" in a code block is not one
            heading = line
            sections[heading] = ""
        elif heading:
            sections[heading] += line + "\n"
    return sections


def test_the_hookspecs_module_declares_the_hooks_plugins_use() -> None:
    assert {"onedoor_window_types", "onedoor_blueprints", "onedoor_settings_schema"} <= set(HOOKS)
    assert all(name.startswith("onedoor_") for name in HOOKS)


@pytest.mark.parametrize("name", HOOKS)
def test_hookspec_docstring_describes_every_parameter_and_the_result(name: str) -> None:
    spec = getattr(hookspecs, name)
    doc = inspect.getdoc(spec) or ""
    assert doc, f"{name} has no docstring"
    signature = inspect.signature(spec)
    for parameter in signature.parameters:
        assert f":param {parameter}:" in doc, f"{name}: parameter {parameter} is undocumented"
    if signature.return_annotation not in ("None", None):
        assert ":return:" in doc, f"{name}: its result is undocumented"


@pytest.mark.parametrize("name", HOOKS)
def test_hook_has_a_section_with_its_signature_in_the_plugin_guide(name: str) -> None:
    sections = {h: body for h, body in _sections().items() if re.search(rf"\b{name}\b", h)}
    assert sections, f"docs/plugins.md has no heading for {name}"
    assert any(f"def {name}(" in body for body in sections.values()), (
        f"the section on {name} in docs/plugins.md does not show its signature"
    )


def test_the_plugin_guide_documents_no_hook_that_does_not_exist() -> None:
    documented = {m for heading in _sections() for m in re.findall(r"\bonedoor_\w+", heading)}
    assert documented <= set(HOOKS), f"stale sections: {sorted(documented - set(HOOKS))}"
