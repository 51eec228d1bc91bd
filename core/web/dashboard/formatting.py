"""Figures as the reader reads them: percentages, hours and counts in the reader's locale.

A figure without a value (its denominator is 0, or year on year without a bounded period)
reads "—", never 0 or 0 %.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import numbers
from babel.dates import format_skeleton
from flask import g
from flask_babel import get_locale, gettext

from core.indicators import DEFINITIONS, Figure, IndicatorDefinition

NONE = "—"
PERCENT = "#,##0.0%"
SIGNED_PERCENT = "+#,##0.0%;-#,##0.0%"
HOURS = "#,##0.0"


@lru_cache(maxsize=8192)
def _formatted(locale: str, kind: str, pattern: str | None, value: float | int) -> str:
    # Babel's pattern application costs a fraction of a millisecond; a dashboard prints
    # thousands of numbers, most of them repeated (0, 1, 50.0%), so they are kept.
    if kind == "percent":
        return numbers.format_percent(value, pattern, locale=locale)
    return numbers.format_decimal(value, pattern, locale=locale)


def _locale() -> str:
    # Asked once per number; flask_babel's lookup is the costliest part of a cached number,
    # so the request keeps the answer.
    cached = getattr(g, "_dashboard_locale", None)
    if cached is None:
        cached = g._dashboard_locale = str(get_locale() or "zh_Hans")
    return cached


def number(value: float | None) -> str:
    """A count (or any number) with the locale's grouping (the request's locale, as
    flask_babel chooses it); "—" for None."""
    if value is None:
        return NONE
    if float(value).is_integer():
        return _formatted(_locale(), "decimal", None, int(value))
    return _formatted(_locale(), "decimal", HOURS, float(value))


def percent(value: float | None, *, signed: bool = False) -> str:
    """``0.667`` as "66.7%" (signed: "+66.7%" / "-7.8%"); "—" for None."""
    if value is None:
        return NONE
    return _formatted(_locale(), "percent", SIGNED_PERCENT if signed else PERCENT, value)


def hours(value: float | None) -> str:
    """Hours with one decimal, "36.0 h" / "36.0 小时"; "—" for None."""
    if value is None:
        return NONE
    return gettext("%(hours)s h", hours=_formatted(_locale(), "decimal", HOURS, float(value)))


def value_text(figure: Figure, definition: IndicatorDefinition | None = None) -> str:
    """The figure's value in its unit (year on year signed); ``definition`` defaults to
    core's (a plugin's indicator passes its own)."""
    definition = definition or DEFINITIONS.get(figure.code)
    unit = definition.unit if definition else "count"
    if figure.code == "intake_yoy":
        return percent(figure.value, signed=True)
    if unit == "ratio":
        return percent(figure.value)
    if unit == "hours":
        return hours(figure.value)
    return number(figure.value)


def parts_text(figure: Figure, *, short: bool = False,
               definition: IndicatorDefinition | None = None) -> str:
    """How the value is made: "4 ÷ 6", "214.0 h ÷ 4 cases", "9 in this period, 1 a year
    earlier" (``short``, for tables: "9 vs 1"); "" for counts."""
    definition = definition or DEFINITIONS.get(figure.code)
    unit = definition.unit if definition else "count"
    if unit == "count":
        return ""
    if figure.code == "intake_yoy":
        if figure.denominator is None:
            return "" if short else gettext("Needs a period with a start and an end.")
        if short:
            return gettext("%(current)s vs %(previous)s",
                           current=number((figure.numerator or 0) + figure.denominator),
                           previous=number(figure.denominator))
        return gettext("%(current)s in this period, %(previous)s a year earlier",
                       current=number((figure.numerator or 0) + figure.denominator),
                       previous=number(figure.denominator))
    if figure.code == "median_hours_to_resolve":
        return gettext("of %(count)s resolved cases", count=number(figure.denominator or 0))
    if unit == "hours":
        return gettext("%(hours)s ÷ %(count)s cases", hours=hours(figure.numerator or 0),
                       count=number(figure.denominator or 0))
    return f"{number(figure.numerator or 0)} ÷ {number(figure.denominator or 0)}"


def month_label(key: str, locale: str) -> str:
    """``"2026-11"`` as "2026年11月" / "Nov 2026"; other text as given."""
    try:
        year, month = (int(p) for p in key.split("-"))
        return format_skeleton("yMMM", date(year, month, 1), locale=locale)
    except ValueError:
        return key


def day_label(day: date | None, locale: str) -> str:
    """A day as "2026年11月2日" / "Nov 2, 2026"."""
    return NONE if day is None else format_skeleton("yMMMd", day, locale=locale)


def moment_label(moment: datetime, zone: str, locale: str) -> str:
    """A moment in the tenant's time zone as "2026年11月2日 10:00" / "Nov 2, 2026, 10:00"."""
    local = moment.astimezone(ZoneInfo(zone))
    return f"{format_skeleton('yMMMd', local, locale=locale)} {local:%H:%M}"
