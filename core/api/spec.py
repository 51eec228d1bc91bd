"""The OpenAPI document of one tenant, and interactive docs served from an installed package.

flask-smorest builds one document for the application, with paths under
``/{tenant}/api/v1``. Each tenant gets it rewritten for itself: the server is
``/<slug>/api/v1``, the ``tenant`` path parameter is gone, every operation lists the error
statuses it can answer (``application/problem+json``, the ``Problem`` schema; writes also 409
and 412), and the case intake schema lists
that tenant's case types (core's and its enabled plugins') with each type's details schema —
so a client generated from 舟山's document knows the maritime fields, and 杭州's does not.
Documents are cached per ``(tenant id, config_version)``.

The docs page uses Swagger UI from the ``swagger-ui-bundle`` package (no CDN) and a script of
ours that reads the document's URL from the page, so the strict CSP needs no inline script.
"""

from __future__ import annotations

import copy
import http
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, current_app, g, jsonify, render_template, send_from_directory
from werkzeug.exceptions import NotFound

from core.api.access import PUBLIC, permission
from core.cases import case_types
from core.tenancy import TenantContext
from core.web.auth import limiter

bp = Blueprint("api_spec", __name__)
_cache: dict[tuple[int, int, int], dict[str, Any]] = {}
_lock = threading.Lock()
PREFIX = "/{tenant}/api/v1"


def _swagger_dir() -> Path:
    import swagger_ui_bundle  # noqa: PLC0415 - only the docs page needs it

    return Path(swagger_ui_bundle.swagger_ui_path)


def _details_components(tenant: TenantContext) -> tuple[dict[str, Any], dict[str, Any]]:
    """JSON schemas of the tenant's case types' details, and the ``details`` property."""
    spec = APISpec("details", "1", "3.0.3", plugins=[MarshmallowPlugin()])
    refs = []
    types = case_types(tenant)
    for code in sorted(types):
        schema = types[code].details_schema
        if schema is None:
            continue
        spec.components.schema(f"Details_{code}", schema=schema)
        refs.append({"$ref": f"#/components/schemas/Details_{code}"})
    components = spec.to_dict().get("components", {}).get("schemas", {})
    details: dict[str, Any] = {
        "type": "object",
        "description": "The case type's own fields (see x-case-types for which schema "
                       "belongs to which case_type).",
    }
    if refs:
        details["anyOf"] = [*refs, {"type": "object", "maxProperties": 0}]
    return components, details


def tenant_document(tenant: TenantContext) -> dict[str, Any]:
    """The OpenAPI document as ``tenant`` sees it (cached per configuration version)."""
    # The app too: tests (and embedders) run several apps whose databases reuse tenant ids.
    key = (id(current_app._get_current_object()), tenant.id, tenant.config_version)
    cached = _cache.get(key)
    if cached is not None:
        return cached
    api = current_app.extensions["onedoor_api"]
    document = _json_numbers(copy.deepcopy(api.spec.to_dict()))
    document["servers"] = [{"url": f"/{tenant.slug}/api/v1",
                            "description": tenant.name("en")}]
    document["paths"] = {
        path.removeprefix(PREFIX) or "/": _without_tenant_parameter(item)
        for path, item in document.get("paths", {}).items() if path.startswith(PREFIX)
    }
    for path, item in document["paths"].items():
        _list_errors(item)
        _conditional_headers(path, item)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    extra, details = _details_components(tenant)
    schemas.update(extra)
    types = case_types(tenant)
    case_in = schemas.get("CaseIn", {}).setdefault("properties", {})
    case_in["case_type"] = {"type": "string", "enum": sorted(types)}
    case_in["details"] = details
    document["x-case-types"] = {
        code: {"name": t.names, "details": (f"#/components/schemas/Details_{code}"
                                            if t.details_schema is not None else None)}
        for code, t in sorted(types.items())
    }
    with _lock:
        for old in [k for k in _cache if k[:2] == key[:2]]:
            del _cache[old]
        _cache[key] = document
    return document


def _json_numbers(value: Any) -> Any:
    """Decimal bounds (``validate.Range`` of a Decimal field) as JSON numbers, not strings."""
    if isinstance(value, dict):
        return {k: _json_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_numbers(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _list_errors(item: dict[str, Any]) -> None:
    """Every operation names the problem responses it can give (no catch-all ``default``)."""
    from core.api import COMMON_ERRORS, WRITE_ERRORS  # noqa: PLC0415 - core.api imports us

    for method, operation in item.items():
        if method not in ("get", "post", "put", "patch", "delete"):
            continue
        responses = operation.setdefault("responses", {})
        statuses = COMMON_ERRORS if method == "get" else (*COMMON_ERRORS, *WRITE_ERRORS)
        for status in statuses:
            responses.setdefault(str(status), {
                "$ref": f"#/components/responses/{http.HTTPStatus(status).name}"})


_IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
    "description": "Retrying with the same key returns the first response (with "
                   "Idempotent-Replayed: true) and writes nothing again; the same key with a "
                   "different body answers 422.",
}
_IF_MATCH = {
    "name": "If-Match", "in": "header", "required": False, "schema": {"type": "string"},
    "description": "The case's ETag as you read it: if the case changed since, the answer is "
                   "412 and nothing is written.",
}
_IF_NONE_MATCH = {
    "name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"},
    "description": "The ETag you hold: 304 when the case has not changed.",
}
_ETAG = {"ETag": {"description": "The case's version, for If-Match and If-None-Match.",
                  "schema": {"type": "string"}}}


def _conditional_headers(path: str, item: dict[str, Any]) -> None:
    """Document the headers the API honours: Idempotency-Key on every POST, If-Match on case
    transitions, If-None-Match (and 304) when reading a case, ETag where one is sent."""
    for method, operation in item.items():
        if method not in ("get", "post"):
            continue
        parameters = operation.setdefault("parameters", [])
        if method == "post":
            parameters.append(dict(_IDEMPOTENCY_KEY))
        if path == "/cases/{code}/transitions" and method == "post":
            parameters.append(dict(_IF_MATCH))
            operation["responses"].get("200", {}).setdefault("headers", dict(_ETAG))
        if path == "/cases/{code}" and method == "get":
            parameters.append(dict(_IF_NONE_MATCH))
            operation["responses"].get("200", {}).setdefault("headers", dict(_ETAG))
            operation["responses"]["304"] = {"description": "Not Modified: the case is as you "
                                             "have it.", "headers": dict(_ETAG)}
        if not parameters:
            del operation["parameters"]


def _without_tenant_parameter(item: dict[str, Any]) -> dict[str, Any]:
    def keep(params: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [p for p in params if not (p.get("in") == "path" and p.get("name") == "tenant")]

    if "parameters" in item:
        item["parameters"] = keep(item["parameters"])
        if not item["parameters"]:
            del item["parameters"]
    for operation in item.values():
        if isinstance(operation, dict) and "parameters" in operation:
            operation["parameters"] = keep(operation["parameters"])
            if not operation["parameters"]:
                del operation["parameters"]
    return item


@bp.get("/<tenant>/api/v1/openapi.json")
@permission(PUBLIC)
@limiter.limit("120/minute")
def openapi_json():
    """The tenant's OpenAPI 3 document (public: it describes, it reveals nothing)."""
    return jsonify(tenant_document(g.tenant))


@bp.get("/<tenant>/api/v1/docs")
@permission(PUBLIC)
@limiter.limit("120/minute")
def docs():
    """Interactive API docs (Swagger UI from the installed swagger-ui-bundle package)."""
    return render_template("api/docs.html", tenant=g.tenant)


@bp.get("/<tenant>/api/v1/docs/assets/<path:filename>")
@permission(PUBLIC)
def docs_asset(filename: str):
    """Swagger UI's own files, from the package."""
    if filename not in {"swagger-ui.css", "swagger-ui-bundle.js",
                        "swagger-ui-standalone-preset.js"}:
        raise NotFound()
    return send_from_directory(_swagger_dir(), filename, max_age=86400)
