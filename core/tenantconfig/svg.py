"""Checks on a tenant's SVG logo before it is stored and served to every visitor.

The logo is served from the tenant's own pages, so an SVG that runs script, handles events or
pulls in outside resources would be a cross-site-scripting or tracking hole. Only a plain
drawing is accepted: shapes, text, gradients and references inside the file itself.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

MAX_LOGO_BYTES = 100_000
_FORBIDDEN_ELEMENTS = {"script", "foreignobject", "iframe", "embed", "object", "handler"}
_RASTER_DATA = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,", re.IGNORECASE)
_EXTERNAL_CSS = re.compile(r"@import|url\(\s*['\"]?\s*(?!#)", re.IGNORECASE)


def check_svg(text: str) -> list[tuple[int, str]]:
    """Problems of an SVG logo as ``(line, message)`` pairs; empty when it is acceptable."""
    if len(text.encode("utf-8")) > MAX_LOGO_BYTES:
        return [(1, f"the logo is larger than {MAX_LOGO_BYTES // 1000} kB")]
    if re.search(r"<!(DOCTYPE|ENTITY)", text, re.IGNORECASE):
        return [(_line(text, r"<!(DOCTYPE|ENTITY)"),
                 "DOCTYPE and ENTITY declarations are not allowed in the logo")]
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        return [(exc.position[0], f"the logo is not well-formed XML: {exc}")]
    if _local(root.tag) != "svg":
        return [(1, f"the logo's root element is <{_local(root.tag)}>, not <svg>")]
    problems: list[tuple[int, str]] = []
    for element in root.iter():
        tag = _local(element.tag)
        if tag.lower() in _FORBIDDEN_ELEMENTS:
            problems.append((_line(text, rf"<\s*(\w+:)?{tag}\b"),
                             f"<{tag}> is not allowed in the logo"))
        if tag == "style" and element.text and _EXTERNAL_CSS.search(element.text):
            problems.append((_line(text, r"@import|url\("),
                             "style sheets may not load outside resources"))
        for name, value in element.attrib.items():
            problems.extend(_check_attribute(text, _local(name), value))
    return problems


def _check_attribute(text: str, name: str, value: str) -> list[tuple[int, str]]:
    line = _line(text, rf"\b{re.escape(name)}\s*=")
    compact = re.sub(r"\s", "", value).lower()
    if name.lower().startswith("on"):
        return [(line, f"event attribute {name} is not allowed in the logo")]
    if "javascript:" in compact or "vbscript:" in compact:
        return [(line, f"{name} holds a script URL, which is not allowed in the logo")]
    if name == "href" and not value.strip().startswith("#") and not _RASTER_DATA.match(value):
        return [(line, f"href {value!r} points outside the logo; only #references are allowed")]
    if name == "style" and _EXTERNAL_CSS.search(value):
        return [(line, "style may not load outside resources")]
    return []


def _local(tag: str) -> str:
    """``{http://www.w3.org/2000/svg}rect`` → ``rect``."""
    return tag.rsplit("}", 1)[-1]


def _line(text: str, pattern: str) -> int:
    match = re.search(pattern, text, re.IGNORECASE)
    return text.count("\n", 0, match.start()) + 1 if match else 1
