"""Financial mediation: its window, organizations and page exist only for tenants enabling it."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError

from tests.plugins import branded_page

NAME = "financial_mediation"
SETTINGS = {"regulator": "pbc", "complaint_days": 30}
ORGANIZATIONS = {
    "financial_mediation_center",
    "financial_mediation_securities",
    "financial_mediation_regulator",
}


def test_window_and_organizations_exist_only_for_tenants_enabling_it(plugin_site) -> None:
    directory = plugin_site(NAME, SETTINGS).extensions["onedoor"].directory
    on, off = directory.get("on"), directory.get("off")
    assert on.window_types()[NAME].name("zh_Hans") == "金融纠纷调解"
    assert NAME not in off.window_types()
    assert ORGANIZATIONS <= on.department_catalog().keys()
    assert not ORGANIZATIONS & off.department_catalog().keys()


def test_settings_default_to_the_banking_and_insurance_regulator(registry) -> None:
    assert registry.load_settings(NAME, {}) == {"regulator": "nfra", "complaint_days": 15,
                                                "small_claim_limit": 50000, "stations": []}


@pytest.mark.parametrize(
    ("settings", "field", "message"),
    [
        # The CBIRC was merged into the NFRA in 2023; an old configuration must not pass silently.
        ({"regulator": "cbirc"}, "regulator", "Give one of nfra, pbc, csrc (got 'cbirc')"),
        ({"complaint_days": 0}, "complaint_days", "from 1 to 60"),
        ({"complaint_days": 15.5}, "complaint_days", "whole number"),
        ({"regulators": "pbc"}, "regulators", "Unknown setting"),
        ({"small_claim_limit": 0}, "small_claim_limit", "from 1 to 10000000"),
        ({"stations": [{"names": {"zh_Hans": "站"}}]}, "stations", "tier node code"),
        ({"stations": [{"node": "T1", "names": {"fr": "x"}}]}, "stations", "Must be one of"),
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
    assert "Financial dispute mediation" in html
    assert "Banking and Insurance Dispute Mediation Center" in html
    assert "People&#39;s Bank of China" in html, "the regulator is shown by name, not code"
    assert "<td>30</td>" in html
    assert client.get(f"/off/plugins/{NAME}/").status_code == 404
