"""A form generated from a plugin's marshmallow settings schema, and back to TOML values.

Each field becomes one input named ``plugins.<plugin>.<key>`` (its path in tenant.toml, so the
loader's errors land on it): a list of strings is a textarea, one item per line; a boolean a
yes/no choice; a string with ``metadata["choices"]`` or a ``OneOf`` validator a choice; an
integer a number. What the person typed is handed to the loader as it is (a number that is not
one stays text), so the plugin's own schema says what is wrong, in its own words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from marshmallow import Schema, fields, missing, validate

_INTEGER = re.compile(r"^[+-]?\d+$")


@dataclass(frozen=True)
class SettingField:
    """One input of a plugin's settings form."""

    key: str
    name: str  # the input's name: plugins.<plugin>.<key>
    kind: str  # "text", "number", "boolean", "list" or "choice"
    names: dict[str, str]  # the label by locale (the field's metadata["names"])
    required: bool = False
    choices: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    default: Any = None


def setting_fields(plugin: str, schema: Schema | None) -> list[SettingField]:
    """The inputs of ``plugin``'s settings form (none when it has no settings)."""
    if schema is None:
        return []
    return [_field(plugin, key, item) for key, item in schema.fields.items()
            if not item.dump_only]


def _field(plugin: str, key: str, item: fields.Field) -> SettingField:
    default = item.load_default
    default = None if default is missing else (default() if callable(default) else default)
    names = dict(item.metadata.get("names") or {"zh_Hans": key, "en": key})
    common = {"key": key, "name": f"plugins.{plugin}.{key}", "names": names,
              "required": bool(item.required), "default": default}
    if isinstance(item, fields.List):
        return SettingField(kind="list", **common)
    if isinstance(item, fields.Boolean):
        return SettingField(kind="boolean", **common)
    if isinstance(item, fields.Integer):
        return SettingField(kind="number", **common)
    choices = _choices(item)
    if choices:
        return SettingField(kind="choice", choices=choices, **common)
    return SettingField(kind="text", **common)


def _choices(item: fields.Field) -> list[tuple[str, dict[str, str]]]:
    named = item.metadata.get("choices")
    if isinstance(named, Mapping):
        return [(str(code), dict(names)) for code, names in named.items()]
    validators = item.validators if isinstance(item.validators, list) else []
    for validator in validators:
        if isinstance(validator, validate.OneOf):
            return [(str(code), {"zh_Hans": str(code)}) for code in validator.choices]
    return []


def form_values(settings_fields: list[SettingField], stored: Mapping[str, Any]) -> dict[str, str]:
    """The inputs' values for the ``stored`` settings (defaults where nothing is stored)."""
    values: dict[str, str] = {}
    for item in settings_fields:
        value = stored.get(item.key, item.default)
        if value is None:
            values[item.name] = ""
        elif item.kind == "list":
            values[item.name] = "\n".join(str(v) for v in value)
        elif item.kind == "boolean":
            values[item.name] = "true" if value else "false"
        else:
            values[item.name] = str(value)
    return values


def parse(settings_fields: list[SettingField], form: Mapping[str, str]) -> dict[str, Any]:
    """The settings table to write into tenant.toml from the posted ``form``.

    An empty input is left out, so that the schema's default (or its "required" message)
    applies.
    """
    table: dict[str, Any] = {}
    for item in settings_fields:
        raw = (form.get(item.name) or "").strip()
        if item.kind == "list":
            items = [line.strip() for line in raw.splitlines() if line.strip()]
            if items:
                table[item.key] = items
            continue
        if not raw:
            continue
        if item.kind == "boolean" and raw in ("true", "false"):
            table[item.key] = raw == "true"
        elif item.kind == "number" and _INTEGER.match(raw):
            table[item.key] = int(raw)
        else:
            table[item.key] = raw
    return table
