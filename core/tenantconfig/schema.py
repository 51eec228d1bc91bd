"""The shape of ``tenant.toml``: marshmallow schemas for every table, and their error paths.

These schemas check types, formats and unknown keys (a misspelt key is an error, not silently
ignored). Everything that needs to look elsewhere (the plugin registry, the catalog, the tier
tree, other sections) is checked by :mod:`core.tenantconfig.loader`.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterator, Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.tiers import CODE_PATTERN, MAX_LEVELS, MIN_LEVELS

LOCALES = ("zh_Hans", "zh_Hant", "en")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MODES = ("resident", "rotating", "on_call")
KINDS = ("core", "specialty")

SLUG = re.compile(r"^[a-z][a-z0-9_-]{1,39}$")
CASE_CODE_PREFIX = re.compile(r"^[A-Z0-9]{2,6}$")
COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")
HOTLINE = re.compile(r"^[0-9]+(-[0-9]+)*$")
RULE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_TIME = r"([01]\d|2[0-3]):[0-5]\d"
HOURS = re.compile(rf"^{_TIME}-{_TIME}(,{_TIME}-{_TIME})*$")

DEFAULT_BRANDING = {"primary_color": "#1f4e79", "accent_color": "#c0392b"}

# marshmallow's stock messages, reworded for people editing a TOML file.
_MESSAGES = {
    "Missing data for required field.": "required key is missing",
    "Unknown field.": "unknown key",
    "Not a valid string.": "must be a string",
    "Not a valid integer.": "must be an integer",
    "Not a valid boolean.": "must be true or false",
    "Not a valid list.": "must be an array",
    "Not a valid mapping type.": "must be a table",
    "Invalid input type.": "must be a table",
    "Field may not be null.": "may not be empty",
}


class StrictBoolean(fields.Boolean):
    """``true`` or ``false`` only: TOML has real booleans, so ``1`` or ``"yes"`` are mistakes."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class StrictInteger(fields.Integer):
    """A TOML integer; floats, strings and booleans are refused."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


def _pattern(regex: re.Pattern[str], message: str) -> validate.Regexp:
    return validate.Regexp(regex, error=message)


def _code(length: int = 64) -> validate.Validator:
    return validate.And(
        validate.Length(max=length, error=f"must be at most {length} characters"),
        _pattern(CODE_PATTERN, "must be letters, digits, '_', '.' or '-'"),
    )


def _text(length: int, *, required: bool = False, **kwargs: Any) -> fields.String:
    return fields.String(
        required=required,
        validate=validate.Length(min=1, max=length,
                                 error=f"must be 1 to {length} characters"),
        **kwargs,
    )


def _timezone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(
            f"unknown time zone {value!r} (use an IANA name such as Asia/Shanghai)"
        ) from exc


class StrictSchema(Schema):
    """Refuses unknown keys with a message naming the key's table."""

    error_messages = {"unknown": "unknown key", "type": "must be a table"}


class NamesSchema(StrictSchema):
    """Names per locale; none required."""

    error_messages = {"unknown": "not a locale (use zh_Hans, zh_Hant or en)",
                      "type": "must be a table of names per locale"}

    zh_Hans = _text(200)
    zh_Hant = _text(200)
    en = _text(200)


class RequiredNamesSchema(NamesSchema):
    """Names per locale; the simplified-Chinese name is required."""

    zh_Hans = _text(200, required=True)


class NodeNamesSchema(StrictSchema):
    """Extra names of a tier node: its ``name`` already is the primary (zh_Hans) one."""

    error_messages = {"unknown": "not a locale for node names (use zh_Hant or en; "
                                 "the node's `name` is its zh_Hans name)",
                      "type": "must be a table of names per locale"}

    zh_Hant = _text(200)
    en = _text(200)


class BrandingSchema(StrictSchema):
    """``[branding]``: colors, logo file, hotline number."""

    primary_color = fields.String(validate=_pattern(COLOR, "must be a color #RRGGBB"))
    accent_color = fields.String(validate=_pattern(COLOR, "must be a color #RRGGBB"))
    logo = _text(200)
    hotline = fields.String(validate=validate.And(
        validate.Length(min=3, max=20, error="must be 3 to 20 characters"),
        _pattern(HOTLINE, "must be digits, optionally separated by '-'"),
    ))


class TopSchema(StrictSchema):
    """The top level of ``tenant.toml``; sections below are checked by their own schemas."""

    slug = fields.String(required=True, validate=_pattern(
        SLUG, "must be lowercase pinyin: a letter, then letters, digits, '_' or '-' "
              "(2 to 40 characters)"))
    enabled = StrictBoolean(load_default=True)
    case_code_prefix = fields.String(required=True, validate=_pattern(
        CASE_CODE_PREFIX, "must be 2 to 6 capital letters or digits"))
    timezone = fields.String(load_default="Asia/Shanghai", validate=_timezone)
    default_locale = fields.String(load_default="zh_Hans", validate=validate.OneOf(
        LOCALES, error="must be one of zh_Hans, zh_Hant, en"))
    names = fields.Nested(RequiredNamesSchema, required=True)
    motto = fields.Nested(NamesSchema)
    branding = fields.Raw()
    tiers = fields.Raw(required=True)
    departments = fields.Raw()
    centers = fields.Raw()
    plugins = fields.Raw()
    escalation = fields.Raw()
    deadlines = fields.Raw()


class LevelSchema(StrictSchema):
    """One entry of ``tiers.levels``."""

    code = fields.String(required=True, validate=_code(32))
    names = fields.Nested(NamesSchema, load_default=dict)


class TiersSchema(StrictSchema):
    """``[tiers]``: levels, inline nodes, and the optional nodes CSV."""

    levels = fields.List(fields.Raw(), required=True, validate=validate.Length(
        min=MIN_LEVELS, max=MAX_LEVELS,
        error=f"a tenant has {MIN_LEVELS} to {MAX_LEVELS} tier levels"))
    nodes = fields.List(fields.Raw(), load_default=list)
    csv = _text(200)


class NodeSchema(StrictSchema):
    """One ``[[tiers.nodes]]`` entry; codes, parents and levels are checked with the tree."""

    code = fields.String(required=True)
    parent = fields.String(load_default="")
    level = fields.String(required=True)
    name = _text(200, required=True)
    names = fields.Nested(NodeNamesSchema, load_default=dict)


class DepartmentSchema(StrictSchema):
    """One ``[[departments]]`` entry."""

    code = fields.String(required=True, validate=_code())
    names = fields.Nested(NamesSchema)
    kind = fields.String(validate=validate.OneOf(KINDS, error="must be core or specialty"))


class StationedSchema(StrictSchema):
    """One ``[[centers.stationed]]`` entry: a department at the center, with its schedule."""

    department = fields.String(required=True)
    mode = fields.String(required=True, validate=validate.OneOf(
        MODES, error="must be resident, rotating or on_call"))
    days = fields.List(fields.String(validate=validate.OneOf(
        DAYS, error="must be one of mon, tue, wed, thu, fri, sat, sun")))
    hours = fields.String(validate=_pattern(
        HOURS, 'must be "HH:MM-HH:MM", several ranges separated by commas'))
    contact = _text(200)
    note = _text(500)

    @validates_schema
    def _schedule_fits_mode(self, data: dict[str, Any], **_kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}
        if data.get("mode") == "rotating" and not data.get("days"):
            errors["days"] = ["a rotating department needs the days it is present"]
        if data.get("mode") == "on_call" and not data.get("contact"):
            errors["contact"] = ["an on-call department needs a contact"]
        days = data.get("days") or []
        if len(set(days)) != len(days):
            errors.setdefault("days", []).append("a day is listed twice")
        for span in (data.get("hours") or "").split(","):
            if span and span[:5] >= span[6:]:
                errors.setdefault("hours", []).append(f"{span} ends before it starts")
        if errors:
            raise ValidationError(errors)


class CenterSchema(StrictSchema):
    """One ``[[centers]]`` entry (its stationed departments are checked one by one)."""

    code = fields.String(required=True, validate=_code())
    node = fields.String(required=True)
    names = fields.Nested(RequiredNamesSchema, required=True)
    address = fields.String(load_default="", validate=validate.Length(
        max=300, error="must be at most 300 characters"))
    windows = fields.List(fields.String(), load_default=list)
    stationed = fields.List(fields.Raw(), load_default=list)


class StepSchema(StrictSchema):
    """One step of ``escalation.ladder``."""

    level = fields.String(required=True)
    min_attempts = StrictInteger(required=True, validate=validate.Range(
        min=1, error="must be at least 1"))
    leader_required = StrictBoolean(load_default=False)
    deadline_days = StrictInteger(required=True, validate=validate.Range(
        min=1, error="must be at least 1"))


class EscalationSchema(StrictSchema):
    """``[escalation]``: the ladder a dispute climbs when mediation fails."""

    ladder = fields.List(fields.Raw(), required=True, validate=validate.Length(
        min=1, error="needs at least one step"))


class DeadlineSchema(StrictSchema):
    """One ``[deadlines.<rule>]`` override."""

    days = StrictInteger(required=True, validate=validate.Range(min=1, error="must be at least 1"))
    working_days = StrictBoolean(load_default=False)


def load_section(schema: Schema, data: Any) -> tuple[dict[str, Any] | None, list[tuple[str, str]]]:
    """Load ``data`` through ``schema``: ``(result, [])`` or ``(None, [(field, message), …])``."""
    if not isinstance(data, Mapping):
        return None, [("", "must be a table")]
    try:
        return schema.load(data), []
    except ValidationError as exc:
        return None, list(flatten_messages(exc.messages))


def flatten_messages(messages: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """Turn marshmallow's nested error dict into ``(path, message)`` pairs.

    ``{"centers": {1: {"windows": ["…"]}}}`` becomes ``("centers[1].windows", "…")``. The
    ``key``/``value`` level marshmallow inserts under ``Dict`` fields is dropped.
    """
    if isinstance(messages, str):
        yield prefix, _MESSAGES.get(messages, messages)
    elif isinstance(messages, list):
        for message in messages:
            yield from flatten_messages(message, prefix)
    elif isinstance(messages, Mapping):
        # A Dict field's errors sit under "key" and "value" only; a schema's under field names.
        dict_level = set(messages) <= {"key", "value"}
        for key, value in messages.items():
            if isinstance(key, int):
                path = f"{prefix}[{key}]"
            elif key == "_schema" or dict_level:
                path = prefix
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            yield from flatten_messages(value, path)
