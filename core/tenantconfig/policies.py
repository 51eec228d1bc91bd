"""``[calendar]`` and ``[risk]``: tables of values that need nothing from the other sections.

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
