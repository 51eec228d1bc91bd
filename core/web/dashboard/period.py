"""The dashboard's period: a preset (this month, this year, the last 12 months, everything) or
chosen dates, read as whole days in the tenant's time zone.

Presets end with today (tomorrow 00:00 is the exclusive bound), so "this year" compared with
the same period a year earlier means 1 January to today in both years — never a whole last
year against a part of this one. Presets start on the first of a month ("the last 12 months"
is this month and the eleven before it), so the precomputed rollup answers them. Pure: the
caller passes the query arguments and today's date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext

PRESETS = ("this_month", "this_year", "last_12_months", "all")
DEFAULT_PRESET = "this_year"
#: Dates outside these years are refused: year on year needs the year before, and nobody
#: registered a dispute before the platform existed.
MIN_YEAR, MAX_YEAR = 1901, 2999

PRESET_LABELS = {
    "this_month": lazy_gettext("This month"),
    "this_year": lazy_gettext("This year"),
    "last_12_months": lazy_gettext("Last 12 months"),
    "all": lazy_gettext("All time"),
}


@dataclass(frozen=True)
class Period:
    """Registration dates ``first_day`` … ``last_day`` (inclusive, local), None: unbounded;
    ``start``/``end`` are the same bounds as aware UTC datetimes (``end`` exclusive)."""

    preset: str | None
    first_day: date | None
    last_day: date | None
    start: datetime | None
    end: datetime | None

    @property
    def bounded(self) -> bool:
        """True when both ends are set (year on year can be computed)."""
        return self.start is not None and self.end is not None


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), zone).astimezone(UTC)


def _year_earlier(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def year_earlier(day: date | None) -> date | None:
    """The same day a year earlier (28 February for 29 February)."""
    return None if day is None else _year_earlier(day)


def make_period(preset: str | None, first: date | None, last: date | None,
                zone: ZoneInfo) -> Period:
    """The period of local days ``first`` … ``last`` in ``zone``."""
    return Period(preset, first, last,
                  _midnight(first, zone) if first else None,
                  _midnight(last + timedelta(days=1), zone) if last else None)


def preset_days(preset: str, today: date) -> tuple[date | None, date | None]:
    """First and last day of ``preset`` ending ``today``."""
    if preset == "this_month":
        return today.replace(day=1), today
    if preset == "this_year":
        return today.replace(month=1, day=1), today
    if preset == "last_12_months":
        # This month and the eleven before it: whole months, which the indicator rollup
        # (core.rollups) answers without touching the cases.
        months = today.year * 12 + today.month - 1 - 11
        return date(months // 12, months % 12 + 1, 1), today
    return None, None


def _parse_day(raw: str) -> date | None:
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return None
    return day if MIN_YEAR <= day.year <= MAX_YEAR else None


def parse_period(args: Mapping[str, str], zone: ZoneInfo, today: date
                 ) -> tuple[Period, dict[str, list[str]], dict[str, str]]:
    """The period the query asks for, the field errors (translated) and the form's values.

    ``start``/``end`` (``YYYY-MM-DD``, either may be left empty) win over ``period`` (a
    preset name, default :data:`DEFAULT_PRESET`). With errors, the default period is returned
    so that the caller can still draw the form.
    """
    from flask_babel import gettext  # noqa: PLC0415 - only when a request is translated

    raw_start = (args.get("start") or "").strip()
    raw_end = (args.get("end") or "").strip()
    values = {"start": raw_start, "end": raw_end}
    errors: dict[str, list[str]] = {}
    if raw_start or raw_end:
        first = _parse_day(raw_start) if raw_start else None
        last = _parse_day(raw_end) if raw_end else None
        for name, raw, day in (("start", raw_start, first), ("end", raw_end, last)):
            if raw and day is None:
                errors[name] = [gettext("Enter a date as YYYY-MM-DD, between the years "
                                        "%(first)s and %(last)s.", first=MIN_YEAR,
                                        last=MAX_YEAR)]
        if first and last and last < first:
            errors["end"] = [gettext("The end date is before the start date.")]
        if not errors:
            return make_period(None, first, last, zone), errors, values
    else:
        preset = (args.get("period") or DEFAULT_PRESET).strip()
        if preset in PRESETS:
            first, last = preset_days(preset, today)
            values = {"start": first.isoformat() if first else "",
                      "end": last.isoformat() if last else ""}
            return make_period(preset, first, last, zone), errors, values
        errors["period"] = [gettext("Choose one of the periods offered.")]
    first, last = preset_days(DEFAULT_PRESET, today)
    return make_period(DEFAULT_PRESET, first, last, zone), errors, values
