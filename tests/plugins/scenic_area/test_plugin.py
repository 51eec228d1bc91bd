"""Scenic area: its window, organizations and page exist only for tenants enabling it."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError

from tests.plugins import branded_page

NAME = "scenic_area"
SETTINGS = {"scenic_spots": ["普陀山", "桃花岛"]}
ORGANIZATIONS = {
    "scenic_area_tourism_bureau",
    "scenic_area_tourism_police",
    "scenic_area_management_committee",
    "scenic_area_enforcement",
}


def test_window_and_organizations_exist_only_for_tenants_enabling_it(plugin_site) -> None:
    directory = plugin_site(NAME, SETTINGS).extensions["onedoor"].directory
    on, off = directory.get("on"), directory.get("off")
    assert on.window_types()[NAME].name("zh_Hans") == "景区旅游投诉"
    assert NAME not in off.window_types()
    assert ORGANIZATIONS <= on.department_catalog().keys()
    assert not ORGANIZATIONS & off.department_catalog().keys()


def test_settings_default_to_five_working_days_30_minutes_no_spots_and_three_liaisons(
        registry) -> None:
    assert registry.load_settings(NAME, {}) == {
        "scenic_spots": [], "acceptance_working_days": 5, "response_minutes": 30,
        "emergency_liaisons": ["scenic_area_tourism_police", "scenic_area_tourism_bureau",
                               "scenic_area_enforcement"]}


@pytest.mark.parametrize(
    ("settings", "field", "message"),
    [
        ({"scenic_spots": "普陀山"}, "scenic_spots", "Give a list of names"),
        ({"scenic_spots": ["普陀山", "普陀山"]}, "scenic_spots", "repeated: 普陀山"),
        ({"scenic_spots": [""]}, "scenic_spots", "1 to 100 characters"),
        ({"acceptance_working_days": 31}, "acceptance_working_days", "from 1 to 30"),
        ({"response_minutes": 2}, "response_minutes", "from 5 to 240"),
        ({"response_minutes": "15"}, "response_minutes", "whole number of minutes"),
        ({"emergency_liaisons": []}, "emergency_liaisons", "Name 1 to 8 departments"),
        ({"emergency_liaisons": ["Police!"]}, "emergency_liaisons", "department code"),
        ({"spots": []}, "spots", "Unknown setting"),
    ],
)
def test_settings_refuse_bad_values_naming_the_field(registry, settings, field, message) -> None:
    with pytest.raises(ValidationError) as error:
        registry.load_settings(NAME, settings)
    assert list(error.value.messages) == [field]
    assert message in str(error.value.messages[field])


def test_page_shows_the_tenants_settings_in_its_branding_and_is_404_elsewhere(plugin_site):
    client = plugin_site(NAME, SETTINGS).test_client()
    html = branded_page(client, f"/on/plugins/{NAME}/")
    assert "Scenic area and tourism complaints" in html
    assert "Tourism Police Brigade" in html
    assert "普陀山、桃花岛" in html
    assert '5 <span class="muted">(default)</span>' in html
    assert client.get(f"/off/plugins/{NAME}/").status_code == 404
