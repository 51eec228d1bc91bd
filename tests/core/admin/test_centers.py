"""Departments and windows: [[departments]] and each center's windows and stationings."""

from __future__ import annotations

from tests.core.admin.conftest import Admin

CENTER = "/alpha/admin/centers/AL-C"


def test_the_list_shows_each_center_with_windows_and_stationings(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    status, html = site.get("/alpha/admin/centers?lang=en")
    assert status == 200
    assert "alpha市综治中心" in html and "General intake" in html and "Rotating" in html
    assert "<code>peoples_mediation</code>" in html


def test_opening_and_closing_a_window_changes_the_public_center_page(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    site.post_form(CENTER + "/windows", {"window": "labor", "step": "apply"}, page_url=CENTER)
    assert "劳资纠纷" in site.get("/alpha/centers/AL-C?lang=zh_Hans")[1]
    response = site.post_form(CENTER + "/windows/labor/close", {"step": "apply"},
                              page_url=CENTER, follow=True)
    assert "- window AL-C labor" in response.get_data(as_text=True)
    assert "劳资纠纷" not in site.get("/alpha/centers/AL-C?lang=zh_Hans")[1]


def test_a_window_of_a_plugin_not_enabled_is_refused_on_the_window_field(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    before = site.version()
    html = site.post_form(CENTER + "/windows?lang=en", {"window": "maritime", "step": "apply"},
                          page_url=CENTER).get_data(as_text=True)
    assert 'id="e-window">window type &#39;maritime&#39; belongs to plugin maritime' in html
    assert site.version() == before


def test_stationing_a_department_on_call_and_the_rules_of_each_mode(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    before = site.version()
    html = site.post_form(CENTER + "/stationed?lang=en", {
        "stationed.department": "peoples_mediation", "stationed.mode": "on_call",
        "stationed.hours": "25:00-26:00", "step": "apply"}, page_url=CENTER
    ).get_data(as_text=True)
    assert 'id="e-stationed-hours"' in html and 'value="25:00-26:00"' in html
    html = site.post_form(CENTER + "/stationed?lang=en", {
        "stationed.department": "peoples_mediation", "stationed.mode": "on_call",
        "step": "apply"}, page_url=CENTER).get_data(as_text=True)
    assert 'id="e-stationed-contact">an on-call department needs a contact' in html
    assert site.version() == before
    response = site.post_form(CENTER + "/stationed", {
        "stationed.department": "peoples_mediation", "stationed.mode": "on_call",
        "stationed.contact": "中心调度台转 8012", "step": "apply"}, page_url=CENTER, follow=True)
    assert "+ stationing AL-C peoples_mediation (on_call)" in response.get_data(as_text=True)
    assert "中心调度台转 8012" in site.get("/alpha/centers/AL-C")[1]


def test_changing_how_a_department_is_stationed_replaces_its_entry(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    response = site.post_form(CENTER + "/stationed", {
        "stationed.department": "court", "stationed.mode": "rotating",
        "stationed.days": ["mon", "thu"], "stationed.hours": "09:00-11:30", "step": "apply"},
        page_url=CENTER, follow=True)
    html = response.get_data(as_text=True)
    assert "stationing AL-C court.schedule.days" in html
    toml = site.client.get("/alpha/admin/tenant.toml").get_data(as_text=True)
    assert toml.count('department = "court"') == 1 and '"mon", "thu"' in toml


def test_rotating_without_days_is_refused_on_the_days_field(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    before = site.version()
    html = site.post_form(CENTER + "/stationed?lang=en", {
        "stationed.department": "peoples_mediation", "stationed.mode": "rotating",
        "step": "apply"}, page_url=CENTER).get_data(as_text=True)
    assert 'id="e-stationed-days"' in html
    assert site.version() == before


def test_removing_a_stationing_and_then_the_department(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    before = site.version()
    html = site.post_form("/alpha/admin/departments/court/remove?lang=en", {"step": "apply"},
                          page_url="/alpha/admin/centers").get_data(as_text=True)
    assert "unknown department &#39;court&#39;" in html  # the stationing still names it
    assert site.version() == before
    site.post_form(CENTER + "/stationed/court/remove", {"step": "apply"}, page_url=CENTER)
    response = site.post_form("/alpha/admin/departments/court/remove", {"step": "apply"},
                              page_url="/alpha/admin/centers", follow=True)
    assert "- department court" in response.get_data(as_text=True)


def test_adding_a_department_of_the_catalog_and_one_of_the_tenants_own(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    response = site.post_form("/alpha/admin/departments", {
        "department.code": "housing", "step": "apply"}, page_url="/alpha/admin/centers",
        follow=True)
    assert "+ department housing" in response.get_data(as_text=True)
    before = site.version()
    html = site.post_form("/alpha/admin/departments?lang=en", {
        "department.code": "tea_mediation", "step": "apply"},
        page_url="/alpha/admin/centers").get_data(as_text=True)
    assert 'id="e-department-names-zh_Hans">&#39;tea_mediation&#39; is not in the department' \
        in html
    assert site.version() == before
    response = site.post_form("/alpha/admin/departments", {
        "department.code": "tea_mediation", "department.names.zh_Hans": "茶叶纠纷调解室",
        "step": "apply"}, page_url="/alpha/admin/centers", follow=True)
    assert "+ department tea_mediation 茶叶纠纷调解室" in response.get_data(as_text=True)


def test_another_tenants_center_is_not_found(both_site: Admin):
    both_site.sign_in("beta", "beta-admin")
    assert both_site.client.get("/beta/admin/centers/AL-C").status_code == 404
    assert both_site.client.get("/beta/admin/centers/BE-C").status_code == 200
