"""Labor arbitration: its window, organizations and page exist only for tenants enabling it."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError

from tests.plugins import branded_page

NAME = "labor_arbitration"
SETTINGS = {"arbitration_commission": "岱山县劳动人事争议仲裁委员会", "mediation_days": 10}
COMMISSION = {"arbitration_commission": "舟山市劳动人事争议仲裁委员会"}
ORGANIZATIONS = {
    "labor_arbitration_commission",
    "labor_arbitration_inspection",
    "labor_arbitration_enterprise_mediation",
}


def test_window_and_organizations_exist_only_for_tenants_enabling_it(plugin_site) -> None:
    directory = plugin_site(NAME, SETTINGS).extensions["onedoor"].directory
    on, off = directory.get("on"), directory.get("off")
    assert on.window_types()[NAME].name("zh_Hans") == "劳动争议仲裁"
    assert NAME not in off.window_types()
    assert ORGANIZATIONS <= on.department_catalog().keys()
    assert not ORGANIZATIONS & off.department_catalog().keys()


def test_settings_fill_in_statutory_periods(registry) -> None:
    assert registry.load_settings(NAME, COMMISSION) == {
        **COMMISSION, "mediation_days": 15, "award_days": 45,
    }


def test_optional_settings_stay_out_of_the_stored_table_and_default_in_code(registry) -> None:
    from plugins.labor_arbitration.schemas import effective

    stored = registry.load_settings(NAME, {**COMMISSION, "minimum_wage": 2490})
    assert stored["minimum_wage"] == 2490 and "gig_department" not in stored
    assert effective(stored)["inspection_department"] == "labor_arbitration_inspection"
    assert effective(stored)["limitation_warning_days"] == 30


@pytest.mark.parametrize(
    ("settings", "field", "message"),
    [
        ({}, "arbitration_commission", "Give the name of the local labor dispute arbitration"),
        ({"arbitration_commission": ""}, "arbitration_commission", "1 to 100 characters"),
        ({**COMMISSION, "mediation_days": 61}, "mediation_days", "from 1 to 60"),
        ({**COMMISSION, "award_days": 0}, "award_days", "from 1 to 90"),
        ({**COMMISSION, "award_days": "45"}, "award_days", "whole number"),
        ({**COMMISSION, "award_day": 45}, "award_day", "Unknown setting"),
        ({**COMMISSION, "minimum_wage": 100}, "minimum_wage", "monthly minimum wage in yuan"),
        ({**COMMISSION, "minimum_wage": 2490.5}, "minimum_wage", "whole number of yuan"),
        ({**COMMISSION, "inspection_workers": -1}, "inspection_workers", "from 0 to 1000"),
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
    assert "Labor dispute arbitration" in html
    assert "Labor and Personnel Dispute Arbitration Commission" in html
    assert "岱山县劳动人事争议仲裁委员会" in html
    assert "<td>10</td>" in html
    assert '45 <span class="muted">(default)</span>' in html
    traditional = client.get(f"/on/plugins/{NAME}/?lang=zh_Hant").get_data(as_text=True)
    assert "勞動人事爭議仲裁" in traditional and "岱山縣" in traditional
    assert client.get(f"/off/plugins/{NAME}/").status_code == 404
