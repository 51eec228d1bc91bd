"""``[calendar]``, ``[risk]`` and ``[indicators]``: small tables of values.

Both are stored complete (defaults filled in), so the deadline engine (:mod:`core.calendar`)
and the risk rules read one shape whether or not the tenant wrote the table.
"""

from __future__ import annotations

import copy
from typing import Any

from core.tenantconfig.errors import ErrorCollector
from core.tenantconfig.schema import (
    DEFAULT_WORKING_HOURS,
    RISK_DEFAULTS,
    CalendarSchema,
    IndicatorsSchema,
    RiskSchema,
    load_section,
)


def default_calendar() -> dict[str, list[str]]:
    """The calendar of a tenant without ``[calendar]``: the statutory one, core's hours."""
    return {"holidays": [], "workdays": [], "working_hours": list(DEFAULT_WORKING_HOURS)}


def default_risk() -> dict[str, Any]:
    """The risk thresholds of a tenant without ``[risk]``."""
    return copy.deepcopy(RISK_DEFAULTS)


def load_calendar(report: ErrorCollector, raw: Any) -> dict[str, list[str]]:
    """``[calendar]``: ISO dates (stored sorted) and ordered ``HH:MM-HH:MM`` periods."""
    if raw is None:
        return default_calendar()
    data, problems = load_section(CalendarSchema(), raw)
    if data is None:
        report.extend(problems, "calendar")
        return default_calendar()
    return {
        "holidays": sorted(data["holidays"]),
        "workdays": sorted(data["workdays"]),
        "working_hours": list(data["working_hours"]),
    }


def load_risk(report: ErrorCollector, raw: Any) -> dict[str, Any]:
    """``[risk]``: every threshold, with the defaults of the keys not written."""
    if raw is None:
        return default_risk()
    data, problems = load_section(RiskSchema(), raw)
    if data is None:
        report.extend(problems, "risk")
        return default_risk()
    return {key: data[key] for key in RISK_DEFAULTS}


def load_indicators(report: ErrorCollector, raw: Any,
                    level_codes: list[str] | None) -> dict[str, Any]:
    """``[indicators]``: only the keys written (core.indicators knows the defaults).

    ``frontline_level`` must be one of the tenant's tier levels.
    """
    if raw is None:
        return {}
    data, problems = load_section(IndicatorsSchema(), raw)
    if data is None:
        report.extend(problems, "indicators")
        return {}
    level = data.get("frontline_level")
    if level is not None and level_codes is not None and level not in level_codes:
        report.add("indicators.frontline_level",
                   f"unknown tier level {level!r}; one of {', '.join(level_codes)}")
    return dict(data)
