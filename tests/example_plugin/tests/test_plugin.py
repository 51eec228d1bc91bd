"""The notary plugin, installed through its entry point, exists for the tenant enabling it only.

Fixtures from ``core.testing.plugins``: tenant ``on`` enables only this plugin, ``off`` nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from core.testing.imports import private_core_imports

PACKAGE = Path(__file__).resolve().parents[1] / "onedoor_example_notary"
TYPE = "example_notary_application"


def test_the_plugin_is_found_through_its_entry_point(onedoor_registry, onedoor_plugin) -> None:
    info = onedoor_registry.infos[onedoor_plugin]
    assert (info.distribution, info.version, info.essential) == (
        "onedoor-example-notary", "0.1.0", False)
    assert info.module.__file__.startswith(str(PACKAGE)), "the installed code is this folder's"


def test_its_window_office_and_case_type_exist_only_for_the_tenant_enabling_it(plugin_tenant):
    on, off = plugin_tenant.on, plugin_tenant.off
    assert "example_notary" in on.window_types()
    assert "example_notary" not in off.window_types()
    assert "example_notary_office" in on.department_catalog()
    assert "example_notary_office" not in off.department_catalog()
    assert TYPE in plugin_tenant.case_types("on")
    assert TYPE not in plugin_tenant.case_types("off")


def test_an_application_starts_its_clock_at_acceptance(plugin_tenant, make_case):
    case = plugin_tenant.read_case(make_case())
    assert (case["case_type"], case["details"]) == (TYPE, {"matter": "inheritance",
                                                           "documents": 3})
    assert case["warnings"] == []
    assert "example_notary_certificate" not in case["deadlines"], "it starts on acceptance"


def test_a_tenant_without_the_plugin_cannot_register_an_application(make_case):
    with pytest.raises(Exception, match="case_type"):
        make_case(tenant="off")


def test_an_unknown_matter_is_refused_naming_the_field(make_case):
    with pytest.raises(Exception, match="matter"):
        make_case(details={"matter": "marriage"})


def test_an_inheritance_with_one_document_is_registered_with_a_translated_warning(
        plugin_tenant, make_case):
    case = plugin_tenant.read_case(make_case(details={"matter": "inheritance",
                                                      "documents": 1}))
    (warning,) = case["warnings"]
    assert (warning["field"], warning["rule"]) == ("details.documents",
                                                   "公证程序规则 (2020) 第十八条")
    for locale, text in (("zh_Hans", "继承公证需要死亡证明和亲属关系证明"),
                         ("zh_Hant", "繼承公證需要死亡證明和親屬關係證明")):
        with plugin_tenant.app.test_request_context(f"/?lang={locale}"):
            assert plugin_tenant.translate(warning) == text


def test_its_page_shows_the_tenant_setting_and_is_a_404_elsewhere(client, plugin_tenant):
    page = client.get("/on/plugins/example_notary/?lang=zh_Hans")
    assert page.status_code == 200
    assert "公证处" in page.get_data(as_text=True)
    assert client.get("/off/plugins/example_notary/").status_code == 404


def test_staff_find_the_application_on_the_intake_form(staff_client):
    page = staff_client.get("/on/workbench/intake?lang=en").get_data(as_text=True)
    assert "Notarization application" in page


def resolve(plugin_tenant, code: str) -> None:
    plugin_tenant.transition(code, "accept")
    plugin_tenant.transition(code, "assign", department="court")
    plugin_tenant.transition(code, "start_mediation")
    plugin_tenant.transition(code, "resolve", outcome="公证书已出具")


def test_resolving_an_application_issues_its_certificate_on_its_page(plugin_tenant, make_case,
                                                                     client):
    code = make_case()
    page = client.get("/on/plugins/example_notary/certificates?lang=en").get_data(as_text=True)
    assert "No certificate has been issued yet." in page
    resolve(plugin_tenant, code)
    page = client.get("/on/plugins/example_notary/certificates?lang=zh_Hans")
    assert page.status_code == 200
    assert f"{code}-GZ" in page.get_data(as_text=True)
    assert "公证书编号" in page.get_data(as_text=True)
    assert client.get("/off/plugins/example_notary/certificates").status_code == 404


def test_the_on_time_indicator_counts_certificates_for_the_enabling_tenant(plugin_tenant,
                                                                           make_case):
    from core import indicators  # noqa: PLC0415 - what the dashboard and the API compute

    resolve(plugin_tenant, make_case())
    make_case()  # no certificate yet: not counted
    with plugin_tenant.database.transaction(plugin_tenant.on.id) as session:
        figure = indicators.compute(session, plugin_tenant.on)["example_notary_on_time"]
    assert (figure.numerator, figure.denominator) == (1, 1)
    assert "example_notary_on_time" not in indicators.definitions(plugin_tenant.off)


def test_it_imports_nothing_from_core_but_the_toolkit_and_the_hookspecs() -> None:
    assert private_core_imports(PACKAGE) == []
