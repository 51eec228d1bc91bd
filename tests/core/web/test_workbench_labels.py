"""Lengths of time in the reader's language (CLDR's units): the case page's time left."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.web.workbench.labels import duration, time_left


@pytest.mark.parametrize(("delta", "locale", "text"), [
    (timedelta(days=3, hours=4, minutes=20), "zh_Hans", "3天4小时"),
    (timedelta(days=3, hours=4), "zh_Hant", "3 天 4 小時"),
    (timedelta(days=3, hours=4), "en", "3 days, 4 hours"),
    (timedelta(days=12), "en", "12 days"),  # never rounded to weeks
    (timedelta(hours=1, minutes=5), "en", "1 hour, 5 minutes"),
    (timedelta(minutes=45), "zh_Hans", "45分钟"),
    (timedelta(seconds=20), "en", "0 minutes"),
    (-timedelta(days=2), "en", "2 days"),
])
def test_a_duration_is_days_and_hours_or_hours_and_minutes(delta, locale, text):
    assert duration(delta, locale) == text


def test_time_left_says_due_in_or_overdue_by(make_app, sqlite_url):
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with make_app(sqlite_url).test_request_context("/?lang=zh_Hans"):
        assert time_left(now + timedelta(days=1, hours=2), now) == "1天2小时后到期"
        assert time_left(now - timedelta(hours=5), now) == "已超期5小时"
        assert time_left(None, now) == ""
