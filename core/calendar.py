"""Working-day calendars: China's statutory holidays and adjusted working days (调休), per tenant.

The statutory schedule comes from the chinese-calendar package (the State Council's yearly
notice). A tenant can add its own holidays and working days (local holidays, or a year the
package does not know yet); those override the statutory schedule. For years the package does
not cover and the tenant has not declared, weekends are the only days off and
:meth:`WorkCalendar.is_known` says so, so the UI can warn that deadlines in that year are
provisional.

A tenant's ``[calendar]`` table is stored as ``tenant.config["calendar"]``::

    {"holidays": ["2026-10-09"], "workdays": ["2026-10-11"],
     "working_hours": ["08:30-12:00", "13:30-17:30"]}

:meth:`WorkCalendar.from_config` validates it and names the offending field on error.

Pure: no Flask, no database.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import chinese_calendar

DEFAULT_WORKING_HOURS = ((time(8, 30), time(12, 0)), (time(13, 30), time(17, 30)))
DEFAULT_TIMEZONE = "Asia/Shanghai"
CALENDAR_KEYS = ("holidays", "workdays", "working_hours")
_MAX_SCAN_DAYS = 3660  # ten years: no real deadline needs more, a loop must end
_MAX_REMEMBERED = 4096  # (start day, count) answers kept by add_workdays
_STATUTORY_YEARS = frozenset(
    d.year for d in (*chinese_calendar.holidays, *chinese_calendar.workdays)
)
# A fingerprint of the package's schedule goes into every calendar version: upgrading
# chinese-calendar to a release that knows next year changes the version, so clocks computed
# with "weekends only" for that year are recomputed by the next sweep.
_STATUTORY_FINGERPRINT = hashlib.sha256(
    json.dumps(
        [sorted(d.isoformat() for d in chinese_calendar.holidays),
         sorted(d.isoformat() for d in chinese_calendar.workdays)]
    ).encode()
).hexdigest()[:16]
_PERIOD = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


class CalendarConfigError(ValueError):
    """A tenant's ``[calendar]`` is malformed.

    ``field`` names the offending key, e.g. ``calendar.holidays[2]`` or ``timezone``.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def _has_statutory(year: int) -> bool:
    return year in _STATUTORY_YEARS


def _period_text(period: tuple[time, time]) -> str:
    return f"{period[0]:%H:%M}-{period[1]:%H:%M}"


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are working days, and the working hours of a working day.

    ``version`` is a stable hash of the normalized calendar (tenant holidays, working days,
    working hours, time zone and the statutory schedule the package ships). Deadlines store the
    version they were computed with; when a tenant edits its calendar the version changes, which
    is how :func:`core.sla.recompute` (run by every sweep) finds the clocks to recompute. It fits
    a signed 32-bit column (``deadlines.calendar_version``).
    """

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    working_hours: tuple[tuple[time, time], ...] = DEFAULT_WORKING_HOURS
    timezone: str = DEFAULT_TIMEZONE
    version: int = field(init=False, compare=False)
    # ``add_workdays`` answers by (start day, count): a tenant's calendar serves every intake of
    # the day, and a 60-working-day clock would otherwise test 60-odd days at each intake. The
    # calendar is immutable, so an answer never goes stale.
    _workday_sums: dict[tuple[date, int], date] = field(
        init=False, compare=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        # Normalize whatever iterable the caller passed: the dataclass is hashed and compared.
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "workdays", frozenset(self.workdays))
        object.__setattr__(self, "working_hours", tuple(tuple(p) for p in self.working_hours))
        both = sorted(self.holidays & self.workdays)
        if both:
            raise CalendarConfigError(
                "calendar.workdays", f"{both[0].isoformat()} is also listed in calendar.holidays"
            )
        _check_periods(self.working_hours)
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise CalendarConfigError(
                "timezone", f"unknown time zone {self.timezone!r}"
            ) from exc
        object.__setattr__(self, "version", self._hash())

    def _hash(self) -> int:
        normalized = json.dumps(
            {
                "holidays": sorted(d.isoformat() for d in self.holidays),
                "workdays": sorted(d.isoformat() for d in self.workdays),
                "working_hours": [_period_text(p) for p in self.working_hours],
                "timezone": self.timezone,
                "statutory": _STATUTORY_FINGERPRINT,
            },
            sort_keys=True,
            separators=(",", ":"),
        )
        # 31 bits: positive in a signed INTEGER column on every database.
        return int.from_bytes(hashlib.sha256(normalized.encode()).digest()[:4], "big") & 0x7FFFFFFF

    @classmethod
    def from_config(
        cls, config: Mapping[str, Any] | None, timezone: str = DEFAULT_TIMEZONE
    ) -> WorkCalendar:
        """Build from a tenant's ``[calendar]`` table (ISO dates, ``HH:MM-HH:MM`` periods).

        Dates may be ISO strings (as stored in ``tenant.config``) or :class:`datetime.date`
        (as TOML parses them). Raises :class:`CalendarConfigError` naming the field for unknown
        keys, malformed dates or periods, a day listed as both holiday and working day, or an
        unknown time zone. A missing ``working_hours`` means the default 08:30–12:00 and
        13:30–17:30; an empty list is an error (a calendar without working hours would hold
        every notification forever).
        """
        if config is None:
            config = {}
        if not isinstance(config, Mapping):
            raise CalendarConfigError("calendar", "must be a table")
        unknown = sorted(set(config) - set(CALENDAR_KEYS))
        if unknown:
            raise CalendarConfigError(
                f"calendar.{unknown[0]}",
                f"unknown key (allowed: {', '.join(CALENDAR_KEYS)})",
            )
        periods = _parse_periods(config.get("working_hours"))
        return cls(
            holidays=_parse_dates("calendar.holidays", config.get("holidays")),
            workdays=_parse_dates("calendar.workdays", config.get("workdays")),
            working_hours=periods or DEFAULT_WORKING_HOURS,
            timezone=timezone,
        )

    def to_config(self) -> dict[str, list[str]]:
        """The normalized ``[calendar]`` table (sorted ISO dates, ``HH:MM-HH:MM`` periods)."""
        return {
            "holidays": sorted(d.isoformat() for d in self.holidays),
            "workdays": sorted(d.isoformat() for d in self.workdays),
            "working_hours": [_period_text(p) for p in self.working_hours],
        }

    @property
    def tz(self) -> ZoneInfo:
        """The tenant's time zone."""
        return ZoneInfo(self.timezone)

    def local_date(self, moment: datetime) -> date:
        """The tenant-local calendar date of an aware ``moment``."""
        return _aware(moment).astimezone(self.tz).date()

    def is_known(self, day: date) -> bool:
        """True when ``day``'s status comes from the statutory schedule or the tenant."""
        return _has_statutory(day.year) or day in self.holidays or day in self.workdays

    def is_workday(self, day: date) -> bool:
        """True on a working day: tenant overrides, then the statutory schedule, then Mon–Fri."""
        if day in self.holidays:
            return False
        if day in self.workdays:
            return True
        if _has_statutory(day.year):
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5

    def next_workday(self, day: date, *, include: bool = False) -> date:
        """The first working day after ``day`` (or ``day`` itself when ``include``)."""
        current = day if include else day + timedelta(days=1)
        for _ in range(_MAX_SCAN_DAYS):
            if self.is_workday(current):
                return current
            current += timedelta(days=1)
        raise ValueError("no working day within ten years")

    def add_workdays(self, day: date, count: int) -> date:
        """The ``count``-th working day after ``day`` (the day itself is not counted)."""
        key = (day, count)
        known = self._workday_sums.get(key)
        if known is not None:
            return known
        current = day
        for _ in range(count):
            current = self.next_workday(current)
        if len(self._workday_sums) >= _MAX_REMEMBERED:
            self._workday_sums.clear()  # a long-running worker: keep the memo small
        self._workday_sums[key] = current
        return current

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in ``[start, end)``."""
        if end <= start:
            return 0
        return sum(1 for n in range((end - start).days) if self.is_workday(start + timedelta(n)))

    def end_of_day(self, day: date) -> datetime:
        """23:59:59 local time of ``day``, aware: the instant a day-based period expires.

        Statutory periods end at 24:00 of their last day (民事诉讼法 Art. 85), not at closing
        time; one second before midnight keeps the deadline on the day people read.
        """
        return datetime.combine(day, time(23, 59, 59), tzinfo=self.tz)

    def in_working_hours(self, moment: datetime) -> bool:
        """True during a working period of a working day."""
        local = _aware(moment).astimezone(self.tz)
        if not self.is_workday(local.date()):
            return False
        return any(start <= local.time() < end for start, end in self.working_hours)

    def next_working_moment(self, moment: datetime) -> datetime:
        """``moment`` itself if within working hours, else the start of the next working period.

        Used to hold notifications outside office hours (red-risk cases do not wait). The
        answer is in the tenant's time zone.
        """
        local = _aware(moment).astimezone(self.tz)
        if self.in_working_hours(local):
            return local
        day = local.date()
        if self.is_workday(day):
            for start, _end in self.working_hours:
                if local.time() < start:
                    return datetime.combine(day, start, tzinfo=self.tz)
        first = self.working_hours[0][0]
        return datetime.combine(self.next_workday(day), first, tzinfo=self.tz)


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("calendar arithmetic needs a timezone-aware datetime")
    return moment


def _parse_dates(where: str, raw: Any) -> frozenset[date]:
    if raw is None:
        return frozenset()
    if isinstance(raw, str | bytes) or not isinstance(raw, Iterable):
        raise CalendarConfigError(where, "must be a list of ISO dates (YYYY-MM-DD)")
    days: set[date] = set()
    for index, value in enumerate(raw):
        if isinstance(value, datetime):
            # A TOML datetime is almost certainly a typo for a date; refuse rather than guess.
            raise CalendarConfigError(f"{where}[{index}]", f"expected a date, got {value!r}")
        if isinstance(value, date):
            days.add(value)
            continue
        try:
            days.add(date.fromisoformat(value))
        except (TypeError, ValueError):
            raise CalendarConfigError(
                f"{where}[{index}]", f"expected an ISO date like 2026-10-01, got {value!r}"
            ) from None
    return frozenset(days)


def _parse_periods(raw: Any) -> tuple[tuple[time, time], ...]:
    where = "calendar.working_hours"
    if raw is None:
        return ()
    if isinstance(raw, str | bytes) or not isinstance(raw, Iterable):
        raise CalendarConfigError(where, 'must be a list like ["08:30-12:00", "13:30-17:30"]')
    periods: list[tuple[time, time]] = []
    for index, value in enumerate(raw):
        match = _PERIOD.match(value) if isinstance(value, str) else None
        try:
            if match is None:
                raise ValueError
            h1, m1, h2, m2 = (int(g) for g in match.groups())
            period = (time(h1, m1), time(h2, m2))
        except ValueError:
            raise CalendarConfigError(
                f"{where}[{index}]", f"expected HH:MM-HH:MM like 08:30-12:00, got {value!r}"
            ) from None
        periods.append(period)
    _check_periods(tuple(periods))
    return tuple(periods)


def _check_periods(periods: tuple[tuple[time, time], ...]) -> None:
    where = "calendar.working_hours"
    if not periods:
        raise CalendarConfigError(where, "needs at least one period")
    for index, (start, end) in enumerate(periods):
        if start >= end:
            raise CalendarConfigError(
                f"{where}[{index}]", f"{_period_text((start, end))} ends before it starts"
            )
        if index and start < periods[index - 1][1]:
            # next_working_moment walks the periods in order: they must not overlap or go back.
            raise CalendarConfigError(
                f"{where}[{index}]",
                f"{_period_text((start, end))} overlaps or precedes "
                f"{_period_text(periods[index - 1])}",
            )
