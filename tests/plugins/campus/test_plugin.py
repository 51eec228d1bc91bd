"""Campus: its window, organizations and page exist only for tenants enabling it."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError

from tests.plugins import branded_page

NAME = "campus"
SETTINGS = {"schools": ["舟山中学", "定海一中"], "notify_education_bureau": False}
ORGANIZATIONS = {"campus_education_bureau", "campus_police_post", "campus_counseling_center"}


def test_window_and_organizations_exist_only_for_tenants_enabling_it(plugin_site) -> None:
    directory = plugin_site(NAME, SETTINGS).extensions["onedoor"].directory
    on, off = directory.get("on"), directory.get("off")
    assert on.window_types()[NAME].name("zh_Hans") == "校园纠纷调解"
    assert NAME not in off.window_types()
    assert ORGANIZATIONS <= on.department_catalog().keys()
    assert not ORGANIZATIONS & off.department_catalog().keys()


def test_settings_default_to_notifying_the_education_bureau(registry) -> None:
    assert registry.load_settings(NAME, {}) == {"schools": [], "notify_education_bureau": True,
                                                "demo_records": False}


@pytest.mark.parametrize(
    ("settings", "field", "message"),
    [
        ({"schools": "舟山中学"}, "schools", "Give a list of names"),
        ({"schools": ["舟山中学", "舟山中学"]}, "schools", "repeated: 舟山中学"),
        ({"notify_education_bureau": "no"}, "notify_education_bureau", "Give true or false"),
        ({"notify": True}, "notify", "Unknown setting"),
    ],
)
def test_settings_refuse_bad_values_naming_the_field(registry, settings, field, message) -> None:
    with pytest.raises(ValidationError) as error:
        registry.load_settings(NAME, settings)
    assert list(error.value.messages) == [field]
    assert message in error.value.messages[field][0]


def test_page_shows_the_tenants_settings_in_its_branding_and_is_404_elsewhere(plugin_site):
    client = plugin_site(NAME, SETTINGS).test_client()
    html = branded_page(client, f"/on/plugins/{NAME}/")
    assert "Campus disputes" in html
    assert "Campus Police Post" in html
    assert "舟山中学、定海一中" in html
    assert "<td>no</td>" in html
    assert client.get(f"/off/plugins/{NAME}/").status_code == 404
