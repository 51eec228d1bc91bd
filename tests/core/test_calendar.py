"""The working-day calendar: statutory holidays, 调休, tenant overrides, hours, bad config.

2026 facts used below (State Council notice, as shipped by chinese-calendar): Mid-Autumn
25–27 September and National Day 1–7 October are holidays; Sunday 20 September and Saturday
10 October are adjusted working days (调休).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from core.calendar import CalendarConfigError, WorkCalendar
from core.sla import calendar_for

SH = ZoneInfo("Asia/Shanghai")
STATUTORY = WorkCalendar()


def at(text: str) -> datetime:
    """A Shanghai wall-clock moment."""
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def test_statutory_holidays_are_days_off():
    for day in ("2026-10-01", "2026-10-05", "2026-10-07", "2026-09-25", "2026-01-01"):
        assert not STATUTORY.is_workday(date.fromisoformat(day)), day
    assert STATUTORY.is_workday(date(2026, 10, 8))  # Thursday after the Golden Week
    assert STATUTORY.is_known(date(2026, 10, 1))


def test_adjusted_weekend_days_are_working_days():
    assert STATUTORY.is_workday(date(2026, 9, 20))  # Sunday, 调休
    assert STATUTORY.is_workday(date(2026, 10, 10))  # Saturday, 调休
    assert not STATUTORY.is_workday(date(2026, 10, 11))  # an ordinary Sunday
    assert not STATUTORY.is_workday(date(2026, 9, 19))  # an ordinary Saturday


def test_tenant_holidays_and_workdays_override_the_statutory_schedule():
    calendar = WorkCalendar.from_config(
        {"holidays": ["2026-10-09"], "workdays": ["2026-10-11", "2026-10-07"]}
    )
    assert not calendar.is_workday(date(2026, 10, 9))  # a local holiday on a Friday
    assert calendar.is_workday(date(2026, 10, 11))  # a Sunday the tenant works
    assert calendar.is_workday(date(2026, 10, 7))  # even a statutory holiday can be worked
    assert STATUTORY.is_workday(date(2026, 10, 9))  # other tenants are unaffected


def test_a_year_beyond_the_package_data_has_weekends_only_and_is_not_known():
    new_year = date(2027, 1, 1)  # a Friday; surely a holiday, but nobody has said so yet
    assert STATUTORY.is_workday(new_year)
    assert not STATUTORY.is_workday(date(2027, 1, 2))  # Saturday
    assert not STATUTORY.is_known(new_year)
    declared = WorkCalendar.from_config({"holidays": ["2027-01-01"]})
    assert not declared.is_workday(new_year)
    assert declared.is_known(new_year)
    assert not declared.is_known(date(2027, 1, 4))


def test_working_day_arithmetic_across_national_day():
    assert STATUTORY.next_workday(date(2026, 9, 30)) == date(2026, 10, 8)
    assert STATUTORY.next_workday(date(2026, 10, 8), include=True) == date(2026, 10, 8)
    # 9-29, 9-30, 10-08, 10-09, 10-10 (调休 Saturday), 10-12, 10-13
    assert STATUTORY.add_workdays(date(2026, 9, 28), 7) == date(2026, 10, 13)
    # [start, end): 9-28 itself counts, 10-13 does not.
    assert STATUTORY.workdays_between(date(2026, 9, 28), date(2026, 10, 13)) == 7
    assert STATUTORY.workdays_between(date(2026, 10, 1), date(2026, 10, 8)) == 0


def test_working_hours_and_the_next_working_moment():
    assert STATUTORY.in_working_hours(at("2026-10-08 09:00"))
    assert not STATUTORY.in_working_hours(at("2026-10-08 12:30"))  # lunch
    assert not STATUTORY.in_working_hours(at("2026-10-01 09:00"))  # holiday
    inside = at("2026-10-08 09:15")
    assert STATUTORY.next_working_moment(inside) == inside
    assert STATUTORY.next_working_moment(at("2026-10-08 07:00")) == at("2026-10-08 08:30")
    assert STATUTORY.next_working_moment(at("2026-10-08 12:10")) == at("2026-10-08 13:30")


def test_friday_evening_waits_for_monday_morning():
    assert STATUTORY.next_working_moment(at("2026-11-13 18:00")) == at("2026-11-16 08:30")
    # …unless the weekend holds a 调休 working day: Friday 18 September → Sunday 20 September.
    assert STATUTORY.next_working_moment(at("2026-09-18 18:00")) == at("2026-09-20 08:30")


def test_holiday_eve_waits_for_the_end_of_the_holiday():
    assert STATUTORY.next_working_moment(at("2026-09-30 17:45")) == at("2026-10-08 08:30")
    # The same moment given in UTC (09:45Z) gives the same answer, in the tenant's zone.
    utc = datetime(2026, 9, 30, 9, 45, tzinfo=UTC)
    assert STATUTORY.next_working_moment(utc) == at("2026-10-08 08:30")
    assert STATUTORY.next_working_moment(utc).tzinfo == SH


def test_custom_working_hours_and_time_zone():
    calendar = WorkCalendar.from_config({"working_hours": ["09:00-17:00"]}, "Asia/Urumqi")
    assert calendar.working_hours == ((time(9), time(17)),)
    urumqi = ZoneInfo("Asia/Urumqi")
    evening = datetime(2026, 11, 13, 18, 0, tzinfo=urumqi)
    assert calendar.next_working_moment(evening) == datetime(2026, 11, 16, 9, 0, tzinfo=urumqi)


def test_naive_moments_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        STATUTORY.next_working_moment(datetime(2026, 10, 8, 9, 0))


def test_version_is_a_stable_hash_of_the_normalized_calendar():
    a = WorkCalendar.from_config({"holidays": ["2026-10-09", "2026-10-12"],
                                  "working_hours": ["08:30-12:00", "13:30-17:30"]})
    b = WorkCalendar.from_config({"holidays": ["2026-10-12", date(2026, 10, 9)]})
    assert a.version == b.version  # order, date type and default hours do not matter
    assert a.version == WorkCalendar.from_config(a.to_config()).version
    assert WorkCalendar.from_config(None).version == STATUTORY.version
    assert a.version != STATUTORY.version
    assert a.version != WorkCalendar.from_config(a.to_config(), "Asia/Urumqi").version
    assert a.version != WorkCalendar.from_config({**a.to_config(),
                                                  "working_hours": ["09:00-17:00"]}).version
    assert 0 <= a.version < 2**31  # fits deadlines.calendar_version (INTEGER)
    # Known value: a change of the hash function would silently recompute every deadline.
    assert STATUTORY.version == WorkCalendar.from_config({"holidays": [], "workdays": []}).version


def test_calendar_for_reads_the_tenant_config_and_time_zone():
    tenant = SimpleNamespace(config={"calendar": {"holidays": ["2026-10-09"], "workdays": [],
                                                  "working_hours": ["08:00-12:00"]}},
                             timezone="Asia/Urumqi")
    calendar = calendar_for(tenant)
    assert calendar.timezone == "Asia/Urumqi"
    assert not calendar.is_workday(date(2026, 10, 9))
    assert calendar_for(SimpleNamespace(config={}, timezone="Asia/Shanghai")) == STATUTORY


@pytest.mark.parametrize(
    ("config", "timezone", "field", "words"),
    [
        ({"holidays": ["2026-13-01"]}, "Asia/Shanghai", "calendar.holidays[0]", "ISO date"),
        ({"holidays": ["2026-10-01", 20261002]}, "Asia/Shanghai", "calendar.holidays[1]",
         "20261002"),
        ({"workdays": "2026-10-11"}, "Asia/Shanghai", "calendar.workdays", "list"),
        ({"holidays": [datetime(2026, 10, 1, 8, 0)]}, "Asia/Shanghai", "calendar.holidays[0]",
         "expected a date"),
        ({"holidays": ["2026-10-09"], "workdays": ["2026-10-09"]}, "Asia/Shanghai",
         "calendar.workdays", "also listed"),
        ({"working_hours": ["8:30-12:00"]}, "Asia/Shanghai", "calendar.working_hours[0]",
         "HH:MM-HH:MM"),
        ({"working_hours": ["08:30-12:00", "25:00-26:00"]}, "Asia/Shanghai",
         "calendar.working_hours[1]", "HH:MM-HH:MM"),
        ({"working_hours": ["17:30-13:30"]}, "Asia/Shanghai", "calendar.working_hours[0]",
         "ends before it starts"),
        ({"working_hours": ["08:30-12:00", "11:00-17:00"]}, "Asia/Shanghai",
         "calendar.working_hours[1]", "overlaps"),
        ({"working_hours": []}, "Asia/Shanghai", "calendar.working_hours", "at least one"),
        ({"holiday": ["2026-10-09"]}, "Asia/Shanghai", "calendar.holiday", "unknown key"),
        (["2026-10-09"], "Asia/Shanghai", "calendar", "table"),
        ({}, "Mars/Olympus_Mons", "timezone", "Mars/Olympus_Mons"),
    ],
)
def test_bad_calendar_config_names_the_field(config, timezone, field, words):
    with pytest.raises(CalendarConfigError) as caught:
        WorkCalendar.from_config(config, timezone)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")
    assert words in str(caught.value)
