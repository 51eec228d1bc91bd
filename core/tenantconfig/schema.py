"""The shape of ``tenant.toml``: marshmallow schemas for every table, and their error paths.

These schemas check types, formats and unknown keys (a misspelt key is an error, not silently
ignored). Everything that needs to look elsewhere (the plugin registry, the catalog, the tier
tree, other sections) is checked by :mod:`core.tenantconfig.loader` and the section modules it
calls (``sections``, ``dispatch``, ``policies``).
"""

from __future__ import annotations

import datetime
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
PERIOD = re.compile(rf"^{_TIME}-{_TIME}$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

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
    calendar = fields.Raw()
    risk = fields.Raw()
    indicators = fields.Raw()
    categories = fields.Raw()
    dispatch = fields.Raw()


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


#: ``[calendar] working_hours`` when the table does not give it (core.calendar's default).
DEFAULT_WORKING_HOURS = ("08:30-12:00", "13:30-17:30")

#: ``[risk]`` keys and their defaults: every key is stored, defaults filled in.
RISK_DEFAULTS: dict[str, Any] = {
    "group_threshold": 10,
    "group_red_threshold": 50,
    "amount_orange": 500_000,
    "amount_red": 5_000_000,
    "repeat_cases": 3,
    "repeat_window_days": 365,
    "keywords_red": [],
    "keywords_orange": [],
}


class IsoDate(fields.Field):
    """A day: ``"2027-01-01"`` or a TOML local date ``2027-01-01``, loaded as the ISO string."""

    default_error_messages = {"invalid": 'must be a date "YYYY-MM-DD"'}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return value.isoformat()
        if not isinstance(value, str) or not ISO_DATE.match(value):
            raise self.make_error("invalid")
        try:
            return datetime.date.fromisoformat(value).isoformat()
        except ValueError:
            raise ValidationError(f"{value} is not a day of the calendar") from None


def _check_period_order(periods: list[str]) -> dict[int, list[str]]:
    """Problems of ``HH:MM-HH:MM`` periods that must each end after they start, in order."""
    problems: dict[int, list[str]] = {}
    previous = ""
    for index, period in enumerate(periods):
        start, end = period.split("-")
        if start >= end:
            problems[index] = [f"{period} ends before it starts"]
        elif previous and start < previous.split("-")[1]:
            problems[index] = [f"{period} overlaps {previous} or comes before it: list the "
                               "periods in order of the day"]
        else:
            previous = period
    return problems


def _listed_twice(values: list[str]) -> dict[int, list[str]]:
    problems: dict[int, list[str]] = {}
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            problems[index] = [f"{value} is listed twice"]
        seen.add(value)
    return problems


class CalendarSchema(StrictSchema):
    """``[calendar]``: the tenant's own holidays and working days, and its working hours."""

    holidays = fields.List(IsoDate(), load_default=list)
    workdays = fields.List(IsoDate(), load_default=list)
    working_hours = fields.List(
        fields.String(validate=_pattern(PERIOD, 'must be a period "HH:MM-HH:MM"')),
        load_default=lambda: list(DEFAULT_WORKING_HOURS),
        validate=validate.Length(min=1, error="needs at least one period"),
    )

    @validates_schema
    def _consistent(self, data: dict[str, Any], **_kwargs: Any) -> None:
        errors: dict[str, dict[int, list[str]]] = {}
        for key in ("holidays", "workdays"):
            if twice := _listed_twice(data[key]):
                errors[key] = twice
        holidays = set(data["holidays"])
        repeated = errors.get("workdays", {})
        for index, day in enumerate(data["workdays"]):
            if day in holidays and index not in repeated:
                errors.setdefault("workdays", {}).setdefault(index, []).append(
                    f"{day} is also listed under holidays: a day is a holiday or a working "
                    "day, not both")
        if periods := _check_period_order(data["working_hours"]):
            errors["working_hours"] = periods
        if errors:
            raise ValidationError(errors)


def _keyword(value: str) -> None:
    if value != value.strip():
        raise ValidationError("must not begin or end with a space")


class IndicatorsSchema(StrictSchema):
    """``[indicators]``: how the dashboards count (see docs/indicators.md)."""

    # 满意率: count 满意 only, or 满意 + 基本满意 (the default).
    satisfaction_counts = fields.String(validate=validate.OneOf(
        ["satisfied", "satisfied_and_basic"],
        error="must be \"satisfied\" or \"satisfied_and_basic\""))
    # 前端化解率: the tier level at or below which a resolution counts as frontline.
    frontline_level = fields.String(validate=validate.Length(min=1, max=32))


class RiskSchema(StrictSchema):
    """``[risk]``: thresholds and keywords of core's risk rules (风险研判)."""

    group_threshold = StrictInteger(load_default=RISK_DEFAULTS["group_threshold"],
                                    validate=validate.Range(min=2, error="must be at least 2"))
    group_red_threshold = StrictInteger(load_default=RISK_DEFAULTS["group_red_threshold"])
    amount_orange = StrictInteger(load_default=RISK_DEFAULTS["amount_orange"],
                                  validate=validate.Range(min=0, error="must be at least 0"))
    amount_red = StrictInteger(load_default=RISK_DEFAULTS["amount_red"])
    repeat_cases = StrictInteger(load_default=RISK_DEFAULTS["repeat_cases"],
                                 validate=validate.Range(min=2, error="must be at least 2"))
    repeat_window_days = StrictInteger(
        load_default=RISK_DEFAULTS["repeat_window_days"],
        validate=validate.Range(min=1, max=3650, error="must be 1 to 3650 days"))
    keywords_red = fields.List(fields.String(validate=validate.And(
        validate.Length(min=1, max=50, error="must be 1 to 50 characters"), _keyword)),
        load_default=list)
    keywords_orange = fields.List(fields.String(validate=validate.And(
        validate.Length(min=1, max=50, error="must be 1 to 50 characters"), _keyword)),
        load_default=list)

    @validates_schema(pass_original=True)
    def _consistent(self, data: dict[str, Any], original: Any, **_kwargs: Any) -> None:
        given = original if isinstance(original, Mapping) else {}
        errors: dict[str, Any] = {}
        for low, high in (("group_threshold", "group_red_threshold"),
                          ("amount_orange", "amount_red")):
            if data[high] > data[low]:
                continue
            # Blame the key that was written: the red one, or the lower one against a default.
            if high in given or low not in given:
                errors[high] = [f"must be greater than {low} ({data[low]})"]
            else:
                errors[low] = [f"must be less than {high} ({data[high]}, the default)"]
        for key in ("keywords_red", "keywords_orange"):
            if twice := _listed_twice(data[key]):
                errors[key] = twice
        red = set(data["keywords_red"])
        for index, word in enumerate(data["keywords_orange"]):
            if word in red:
                errors.setdefault("keywords_orange", {}).setdefault(index, []).append(
                    f"{word!r} is also a red keyword")
        if errors:
            raise ValidationError(errors)


class CategorySchema(StrictSchema):
    """One ``[[categories]]`` entry: a dispute category of the tenant's own."""

    code = fields.String(required=True, validate=_code())
    names = fields.Nested(RequiredNamesSchema, required=True)
    parent = fields.String(validate=_code())


#: What a ``[[dispatch]]`` entry may match on; an entry naming none is the tenant's fallback.
DISPATCH_CRITERIA = ("case_type", "category", "level")


class DispatchSchema(StrictSchema):
    """One ``[[dispatch]]`` entry of the dispatch catalog (派单目录)."""

    case_type = fields.String(validate=_code())
    category = fields.String(validate=_code())
    level = fields.String(validate=_code(32))
    lead = fields.String(required=True, validate=_code())
    assisting = fields.List(fields.String(validate=_code()), load_default=list)


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
