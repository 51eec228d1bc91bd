"""The pure mappings between OneDoor and GeoReport v2."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from werkzeug.datastructures import MultiDict

from core.open311 import mapping
from core.workflow import Status

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(("param", "accept", "expected"), [
    (None, [], "zh_Hans"),
    ("en", ["zh-TW"], "en"),
    ("zh_Hant", [], "zh_Hant"),
    ("fr", ["fr-FR", "zh-HK", "en"], "zh_Hant"),
    (None, ["en-US", "zh-CN"], "en"),
    (None, ["zh-CN"], "zh_Hans"),
    (None, ["de"], "zh_Hans"),
])
def test_the_locale_comes_from_the_param_then_accept_language(param, accept, expected) -> None:
    assert mapping.choose_locale(param, accept) == expected


def test_statuses_collapse_to_open_and_closed() -> None:
    opened = {s for s in Status if mapping.open311_status(s.value) == "open"}
    assert opened == {Status.REGISTERED, Status.ACCEPTED, Status.ASSIGNED, Status.IN_MEDIATION,
                      Status.MEDIATION_FAILED, Status.ESCALATED, Status.REOPENED}
    for status in ("resolved", "closed", "archived", "not_accepted", "referred", "withdrawn",
                   "merged"):
        assert mapping.open311_status(status) == "closed"


def test_attributes_come_from_form_keys_including_multivalue_lists() -> None:
    form = MultiDict([("attribute[pole]", "P1"), ("attribute[colors][]", "white"),
                      ("attribute[colors][]", "yellow"), ("attribute[empty]", ""),
                      ("attributes", "x"), ("service_code", "s")])
    assert mapping.attribute_values(form) == {"pole": "P1", "colors": ["white", "yellow"]}


def test_names_and_public_text() -> None:
    assert mapping.applicant_name("三", "张") == "张三"
    assert mapping.applicant_name("John", "Smith") == "John Smith"
    assert mapping.applicant_name(" ", "") == mapping.ANONYMOUS
    assert mapping.scrub("打13812345678或看11010519491231002X") == \
        "打138****5678或看110***********002X"
    assert mapping.scrub("工单20260504123456789") == "工单20260504123456789"  # not a mobile


def test_datetimes_are_w3c_with_the_tenants_offset_and_parse_leniently() -> None:
    naive_utc = datetime(2026, 5, 4, 1, 30)
    assert mapping.w3c(naive_utc, SHANGHAI) == "2026-05-04T09:30:00+08:00"
    assert mapping.parse_w3c("x", "2026-05-04T01:30:00Z", SHANGHAI) == \
        datetime(2026, 5, 4, 1, 30, tzinfo=UTC)
    assert mapping.parse_w3c("x", "2026-05-04T09:30:00 08:00", SHANGHAI) == \
        datetime(2026, 5, 4, 1, 30, tzinfo=UTC)
    assert mapping.parse_w3c("x", "2026-05-04", SHANGHAI) == \
        datetime(2026, 5, 4, tzinfo=SHANGHAI)
    assert mapping.parse_w3c("x", "", SHANGHAI) is None
    with pytest.raises(mapping.OpenInputError) as bad:
        mapping.parse_w3c("start_date", "May 4th", SHANGHAI)
    assert bad.value.field == "start_date"


def test_the_date_window_is_at_most_ninety_days() -> None:
    now = datetime(2026, 5, 4, tzinfo=UTC)
    assert mapping.date_window(None, None, now) == (now - timedelta(days=90), now)
    assert mapping.date_window(now, None, now) == (now, now + timedelta(days=90))
    assert mapping.date_window(None, now, now) == (now - timedelta(days=90), now)
    with pytest.raises(mapping.OpenInputError):
        mapping.date_window(now - timedelta(days=91), now, now)
    with pytest.raises(mapping.OpenInputError):
        mapping.date_window(now, now - timedelta(days=1), now)


def test_intake_field_paths_map_back_to_georeport_parameters() -> None:
    assert mapping.open311_field("details.pole") == "attribute[pole]"
    assert mapping.open311_field("parties.0.phone") == "phone"
    assert mapping.open311_field("location_node") == "address_id"
    assert mapping.open311_field("case_type") == "service_code"
