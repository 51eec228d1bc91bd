"""Maritime: its window, organizations and page exist only for tenants enabling it."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError

from tests.plugins import branded_page

NAME = "maritime"
SETTINGS = {"ports": ["沈家门渔港", "岱山港"]}
ORGANIZATIONS = {
    "maritime_fishery_mediation",
    "maritime_safety_administration",
    "maritime_coast_guard",
}


def test_window_and_organizations_exist_only_for_tenants_enabling_it(plugin_site) -> None:
    directory = plugin_site(NAME, SETTINGS).extensions["onedoor"].directory
    on, off = directory.get("on"), directory.get("off")
    assert on.window_types()[NAME].name("zh_Hans") == "海事渔业纠纷"
    assert NAME not in off.window_types()
    assert ORGANIZATIONS <= on.department_catalog().keys()
    assert not ORGANIZATIONS & off.department_catalog().keys()


def test_settings_default_to_fishery_mediation_no_ports_and_chinas_seas(registry) -> None:
    assert registry.load_settings(NAME, {}) == {
        "ports": [], "fishery_mediation": True,
        "sea_south": 3.0, "sea_north": 41.0, "sea_west": 105.0, "sea_east": 130.0}


@pytest.mark.parametrize(
    ("settings", "field", "message"),
    [
        ({"ports": "沈家门渔港"}, "ports", "Give a list of names"),
        ({"ports": ["岱山港", "岱山港"]}, "ports", "repeated: 岱山港"),
        ({"fishery_mediation": 1.5}, "fishery_mediation", "Give true or false"),
        ({"sea_north": 95}, "sea_north", "from -90 to 90"),
        ({"sea_south": 31, "sea_north": 30}, "sea_north", "below the northern one"),
        ({"sea_west": 124, "sea_east": 121}, "sea_east", "below the eastern one"),
        ({"sea_east": "east"}, "sea_east", "decimal degrees"),
        ({"harbours": []}, "harbours", "Unknown setting"),
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
    assert "Maritime and fishery disputes" in html
    assert "Fishery Dispute Mediation Committee" in html
    assert "沈家门渔港、岱山港" in html
    assert '<td>yes <span class="muted">(default)</span></td>' in html
    assert client.get(f"/off/plugins/{NAME}/").status_code == 404
