"""Case types: what kinds of cases a tenant can register, from core and enabled plugins.

A case type names its window, its default category and demand type, the deadline rules that
run on it, the marshmallow schema of its ``details`` and what Open311 clients are told about it.
Types come from the ``onedoor_case_types`` hook through the tenant's proxy, so a plugin's types
do not exist for a tenant that has not enabled it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from marshmallow import Schema


@dataclass(frozen=True)
class CaseType:
    """A kind of case, e.g. 劳动争议 (labor dispute) from the labor_arbitration plugin."""

    code: str
    names: dict[str, str] = field(hash=False)
    window: str = "general_intake"
    category: str = "other"
    demand_type: str = "dispute"
    deadlines: tuple[str, ...] = ()
    details_schema: type[Schema] | None = field(default=None, hash=False)
    description: dict[str, str] = field(default_factory=dict, hash=False)
    keywords: tuple[str, ...] = ()
    group: str = ""
    #: The details of a typical case, valid against ``details_schema``: shown as the example of
    #: the API document and used by the plugin isolation tests and the intake benchmark.
    example: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    #: The intake fields of that typical case besides ``details`` that the type's statutory
    #: checks need (``parties``, ``amount``, ``people_involved``, ``is_group``, ``address``…):
    #: merged over a generic intake by ``make_case``, ``core.testing.tenants.intake_data``,
    #: the demo and the benchmark. ``parties`` replaces the generic parties as a whole.
    example_intake: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def __post_init__(self) -> None:
        misplaced = sorted({"case_type", "details"} & set(self.example_intake))
        if misplaced:
            raise ValueError(f"case type {self.code}: example_intake must not hold "
                             f"{', '.join(misplaced)} (details go in `example`)")

    def name(self, locale: str) -> str:
        """Name in ``locale``, falling back to zh_Hans, then the code."""
        return self.names.get(locale) or self.names.get("zh_Hans") or self.code

    def load_details(self, data: dict[str, Any] | None) -> dict[str, Any]:
        """Validate ``details`` with the type's schema (unknown keys refused).

        Raises :class:`marshmallow.ValidationError` keyed by field.
        """
        if self.details_schema is None:
            if data:
                from marshmallow import ValidationError  # noqa: PLC0415

                raise ValidationError(["this case type takes no details"])
            return {}
        return _schema(self.details_schema).load(data or {})


@dataclass(frozen=True)
class IntakeFinding:
    """What a plugin's statutory check says about a case at intake (``onedoor_check_intake``).

    ``field`` is the intake field the finding is about (``details.tour_end_date``); ``message``
    is a :func:`core.toolkit.msg` so that every interface shows it in the reader's language;
    ``blocking`` findings refuse the intake, the others are warnings kept on the case. ``rule``
    names the statute or regulation (``劳动争议调解仲裁法 第二十七条``).
    """

    field: str
    message: str
    blocking: bool = False
    rule: str = ""

    def stored(self) -> dict[str, Any]:
        """The warning as kept in ``Case.warnings``: JSON, translatable again later."""
        msgid = getattr(self.message, "msgid", str(self.message))
        params = dict(getattr(self.message, "params", {}) or {})
        return {"field": self.field, "msgid": msgid, "params": params, "rule": self.rule}



@cache
def _schema(schema_class: type[Schema]) -> Schema:
    # One instance per details schema, reused for every intake: building a schema costs more
    # than loading with it, and a schema without context or per-call options keeps no state.
    return schema_class()
