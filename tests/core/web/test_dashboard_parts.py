"""The dashboard's pure parts: chart geometry and the period read from the query."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask_babel import Babel

from core.web.dashboard import charts
from core.web.dashboard.period import parse_period, preset_days

SHANGHAI = ZoneInfo("Asia/Shanghai")


def items(*pairs):
    return [charts.Item(label, value, str(value)) for label, value in pairs]


def test_bars_are_largest_first_on_one_scale_from_zero():
    chart = charts.bars(items(("a", 1), ("b", 4), ("c", 2)), width=300, label_width=100,
                        value_width=0)
    assert [b.item.label for b in chart.bars] == ["b", "c", "a"]
    assert [b.width for b in chart.bars] == [200, 100, 50]
    assert all(b.x == 100 for b in chart.bars)
    assert chart.baseline == (100, 0, 100, chart.height)


def test_bars_keep_a_funnels_order_draw_at_most_the_limit_and_never_below_zero():
    funnel = charts.bars(items(("accepted", 6), ("resolved", 4), ("litigated", 2)),
                         keep_order=True)
    assert [b.item.label for b in funnel.bars] == ["accepted", "resolved", "litigated"]
    many = charts.bars(items(*[(f"m{i}", i) for i in range(40)]), limit=15)
    assert (many.shown, many.total) == (15, 40)
    assert many.bars[0].item.label == "m39"
    negative = charts.bars(items(("down", -3), ("none", 0)))
    assert all(b.width == 0 for b in negative.bars)  # and no division by zero


def test_columns_keep_time_order_and_share_a_baseline():
    chart = charts.columns(items(("2026-01", 2), ("2026-02", 8)), width=200, height=100,
                           label_height=20, value_height=0)
    first, second = chart.bars
    assert first.x < second.x
    assert second.height == 80 and first.height == 20
    assert first.y + first.height == second.y + second.height == 80 == chart.baseline[1]


def test_long_labels_are_shortened_and_described_in_full_order():
    assert charts.shorten("人力资源和社会保障局劳动争议调解中心", 8) == "人力资源和社会…"
    assert charts.shorten("court", 8) == "court"
    chart = charts.bars(items(("a", 1), ("b", 3)))
    assert charts.describe(chart) == "b 3, a 1"


@pytest.fixture
def translated():
    app = Flask(__name__)
    Babel(app)
    with app.test_request_context("/?lang=en"):
        yield


def test_presets_end_today_so_that_year_on_year_compares_like_with_like():
    today = date(2026, 11, 2)
    assert preset_days("this_month", today) == (date(2026, 11, 1), today)
    assert preset_days("this_year", today) == (date(2026, 1, 1), today)
    # This month and the eleven before it: whole months, as the rollup keeps them.
    assert preset_days("last_12_months", today) == (date(2025, 12, 1), today)
    assert preset_days("all", today) == (None, None)
    assert preset_days("last_12_months", date(2028, 2, 29)) == (date(2027, 3, 1),
                                                               date(2028, 2, 29))
    assert preset_days("last_12_months", date(2027, 1, 31)) == (date(2026, 2, 1),
                                                               date(2027, 1, 31))


def test_dates_are_whole_days_in_the_tenants_zone(translated):
    period, errors, values = parse_period({"start": "2026-11-02", "end": "2026-11-02"},
                                          SHANGHAI, date(2026, 11, 13))
    assert errors == {} and values == {"start": "2026-11-02", "end": "2026-11-02"}
    assert period.start == datetime(2026, 11, 1, 16, 0, tzinfo=UTC)  # 00:00 in Shanghai
    assert period.end == datetime(2026, 11, 2, 16, 0, tzinfo=UTC)  # the next midnight
    assert period.preset is None and period.bounded
    open_ended, errors, _ = parse_period({"start": "2026-01-01"}, SHANGHAI, date(2026, 11, 13))
    assert errors == {} and open_ended.end is None and not open_ended.bounded


def test_bad_dates_and_periods_are_field_errors_with_the_default_period(translated):
    today = date(2026, 11, 13)
    period, errors, values = parse_period({"start": "2026-02-30", "end": "0001-01-01"},
                                          SHANGHAI, today)
    assert set(errors) == {"start", "end"} and values["start"] == "2026-02-30"
    assert period.preset == "this_year"
    _, errors, _ = parse_period({"start": "2026-05-01", "end": "2026-04-01"}, SHANGHAI, today)
    assert errors == {"end": ["The end date is before the start date."]}
    _, errors, _ = parse_period({"period": "forever"}, SHANGHAI, today)
    assert list(errors) == ["period"]
    period, errors, values = parse_period({}, SHANGHAI, today)
    assert errors == {} and period.preset == "this_year"
    assert values == {"start": "2026-01-01", "end": "2026-11-13"}
