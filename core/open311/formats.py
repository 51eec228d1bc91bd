"""GeoReport v2 output: XML (required, schemaless, no namespace) and JSON (its Spark mapping).

Collections are a root element of repeated items in XML (``<services><service>…``) and a JSON
array; the service definition and the discovery document are one object. Lists nested in an
item (``attributes``, ``values``, ``endpoints``, ``formats``) are a container element of
singular children in XML and an array in JSON. ``None`` is an empty element / ``null``;
booleans are ``true`` / ``false``. Everything is UTF-8 with the declared charset.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from flask import Response

FORMATS = ("xml", "json")
MIMETYPES = {"xml": "text/xml", "json": "application/json"}
#: Container element → its children's name.
SINGULAR = {"attributes": "attribute", "values": "value", "endpoints": "endpoint",
            "formats": "format", "services": "service", "service_requests": "request",
            "errors": "error"}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, value: Any, name: str) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child, key)
    elif isinstance(value, list | tuple):
        item_name = SINGULAR.get(name, "item")
        for child in value:
            _fill(ET.SubElement(element, item_name), child, item_name)
    else:
        element.text = _text(value)


def to_xml(root: str, body: Any) -> bytes:
    """``body`` under the element ``root``, with the XML declaration (UTF-8)."""
    element = ET.Element(root)
    _fill(element, body, root)
    return (b'<?xml version="1.0" encoding="utf-8"?>\n'
            + ET.tostring(element, encoding="utf-8", xml_declaration=False))


def to_json(body: Any) -> bytes:
    """``body`` as UTF-8 JSON (non-ASCII kept as it is)."""
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def render(fmt: str, root: str, body: Any, status: int = 200,
           headers: dict[str, str] | None = None) -> Response:
    """A GeoReport response in ``fmt`` (``xml`` or ``json``) with its content type."""
    data = to_json(body) if fmt == "json" else to_xml(root, body)
    mimetype = MIMETYPES.get(fmt, MIMETYPES["xml"])
    response = Response(data, status=status, content_type=f"{mimetype}; charset=utf-8")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def errors(fmt: str, status: int, items: list[tuple[int, str]] | list[dict[str, Any]],
           headers: dict[str, str] | None = None) -> Response:
    """The spec's error list: ``[{"code": 404, "description": "…"}]`` / ``<errors>``."""
    body = [item if isinstance(item, dict) else {"code": item[0], "description": item[1]}
            for item in items]
    return render(fmt if fmt in FORMATS else "xml", "errors", body, status, headers)
