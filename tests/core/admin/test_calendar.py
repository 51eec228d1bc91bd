"""Calendar and deadline overrides, through tenant.toml."""

from __future__ import annotations

from core.cases import deadline_rules
from tests.core.admin.conftest import Admin

URL = "/alpha/admin/calendar"


def _tenant(site: Admin):
    return site.app.extensions["onedoor"].directory.get("alpha")


def test_the_page_lists_the_tenants_deadline_rules_with_defaults_and_sources(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    status, html = site.get(URL + "?lang=en")
    assert status == 200
    for rule in deadline_rules(_tenant(site)):
        assert f"<code>{rule}</code>" in html
    assert "信访工作条例" in html and "15 days" in html
    # Each rule by its name, the rungs' after their tier levels (the code is for tenant.toml).
    assert "Petition registration and acceptance<br><code>petition_register</code>" in html
    assert "Mediation deadline: rung 1 (Village)<br><code>rung_0</code>" in html
    chinese = site.get(URL + "?lang=zh_Hans")[1]
    assert "第3级（乡镇街道）调解期限<br><code>rung_2</code>" in chinese


def test_a_local_holiday_is_stored_in_the_tenants_calendar(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    response = site.post_form("/alpha/admin/calendar", {
        "calendar.holidays": "2027-01-01\n2027-01-02", "calendar.workdays": "",
        "calendar.working_hours": "08:30-12:00\n14:00-17:30", "step": "apply"},
        page_url=URL, follow=True)
    html = response.get_data(as_text=True)
    assert "+ calendar.holidays 2027-01-01" in html
    calendar = _tenant(site).config["calendar"]
    assert calendar["holidays"] == ["2027-01-01", "2027-01-02"]
    assert calendar["working_hours"] == ["08:30-12:00", "14:00-17:30"]


def test_a_bad_date_is_reported_on_the_holidays_field_and_nothing_applied(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    before = site.version()
    html = site.post_form("/alpha/admin/calendar?lang=en", {
        "calendar.holidays": "2027-02-30", "calendar.workdays": "2027-02-30",
        "calendar.working_hours": "", "step": "apply"}, page_url=URL).get_data(as_text=True)
    assert 'id="e-calendar-holidays"' in html
    assert "2027-02-30" in html
    assert site.version() == before


def test_a_deadline_override_changes_the_rule_the_tenant_uses(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    response = site.post_form("/alpha/admin/deadlines", {
        "deadlines.petition_register.days": "10",
        "deadlines.petition_register.working_days": "true", "step": "apply"},
        page_url=URL, follow=True)
    assert "deadlines" in response.get_data(as_text=True)
    rule = deadline_rules(_tenant(site))["petition_register"]
    assert (rule.amount, rule.unit) == (10, "working_days")
    # emptied again: the default is back
    site.post_form("/alpha/admin/deadlines", {"deadlines.petition_register.days": "",
                                              "step": "apply"}, page_url=URL)
    rule = deadline_rules(_tenant(site))["petition_register"]
    assert (rule.amount, rule.unit) == (15, "days")


def test_a_bad_override_is_shown_on_its_days_field(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    before = site.version()
    html = site.post_form("/alpha/admin/deadlines?lang=en", {
        "deadlines.petition_register.days": "0", "step": "apply"},
        page_url=URL).get_data(as_text=True)
    assert 'id="e-deadlines-petition_register-days"' in html and 'value="0"' in html
    assert site.version() == before


def test_a_malformed_working_period_is_reported_in_the_readers_language(site: Admin):
    """The period check's message was left in English on the page (no template matched it)."""
    site.sign_in("alpha", "alpha-admin")
    form = {"calendar.holidays": "", "calendar.workdays": "",
            "calendar.working_hours": "08:00-25:00", "step": "apply"}
    expected = {"zh_Hant": "必須是時段「HH:MM-HH:MM」", "zh_Hans": "必须是时段“HH:MM-HH:MM”",
                "en": "must be a period &#34;HH:MM-HH:MM&#34;"}
    for locale, text in expected.items():
        html = site.post_form(f"/alpha/admin/calendar?lang={locale}", form,
                              page_url=URL).get_data(as_text=True)
        assert 'id="e-calendar-working_hours"' in html and text in html, locale


def test_deadline_override_errors_are_shown_in_zh_hant_and_en(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    form = {"deadlines.petition_register.days": "abc", "step": "apply"}
    for locale, text in (("zh_Hant", "必須是整數"), ("en", "must be an integer")):
        html = site.post_form(f"/alpha/admin/deadlines?lang={locale}", form,
                              page_url=URL).get_data(as_text=True)
        assert 'id="e-deadlines-petition_register-days"' in html and text in html, locale
