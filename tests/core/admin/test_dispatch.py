"""The tenant's own categories and its dispatch catalog: rows that edit tenant.toml."""

from __future__ import annotations

from sqlalchemy import select

from core.models import Tenant
from tests.core.admin.conftest import Admin

URL = "/alpha/admin/dispatch"


def _config(site: Admin) -> dict:
    with site.database.transaction() as session:
        return session.scalar(select(Tenant.config).where(Tenant.slug == "alpha"))


def test_a_dispatch_entry_is_added_from_the_spare_row_and_audited(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    before = site.version()

    response = site.post_form(URL, {"dispatch.0.category": "labor", "dispatch.0.lead": "court",
                                    "dispatch.0.assisting": "peoples_mediation",
                                    "step": "apply"}, follow=True)

    assert response.status_code == 200
    assert _config(site)["dispatch"] == [{"category": "labor", "lead": "court",
                                          "assisting": ["peoples_mediation"]}]
    assert site.version() == before + 1
    assert site.audit_count("alpha", "tenant.applied") == 2
    html = site.get(URL + "?lang=en")[1]
    assert '<option value="court" selected>' in html  # the entry is now a row of its own
    assert 'name="dispatch.1.lead"' in html  # and a spare row follows


def test_an_assisting_department_that_is_unknown_is_named_on_its_row_in_chinese(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    before = site.version()

    response = site.post_form(URL + "?lang=zh_Hans", {
        "dispatch.0.lead": "court", "dispatch.0.assisting": "tea_house", "step": "apply"},
        page_url=URL)

    html = response.get_data(as_text=True)
    assert 'id="e-dispatch-0-assisting">未知的部门 &#39;tea_house&#39;' in html
    assert "tea_house</textarea>" in html  # what was typed is kept
    assert site.version() == before and not _config(site).get("dispatch")


def test_a_second_default_entry_is_refused_on_its_row(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    before = site.version()
    response = site.post_form(URL + "?lang=en", {
        "dispatch.0.lead": "court", "dispatch.1.lead": "peoples_mediation", "step": "apply"},
        page_url=URL)
    html = response.get_data(as_text=True)
    assert 'id="e-dispatch-1-case_type">a second default entry' in html
    assert site.version() == before


def test_a_category_of_the_tenants_own_is_offered_to_dispatch_afterwards(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    site.post_form("/alpha/admin/categories", {
        "categories.0.code": "tea_garden", "categories.0.names.zh_Hans": "茶园纠纷",
        "categories.0.names.en": "Tea gardens", "categories.0.parent": "land_requisition",
        "step": "apply"}, page_url=URL, follow=True)

    assert _config(site)["categories"][0]["code"] == "tea_garden"
    html = site.get(URL + "?lang=en")[1]
    assert '<option value="tea_garden" >Tea gardens</option>' in html


def test_a_category_without_a_chinese_name_is_refused_on_that_input(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    before = site.version()
    response = site.post_form("/alpha/admin/categories?lang=zh_Hans", {
        "categories.0.code": "tea_garden", "categories.0.names.en": "Tea gardens",
        "step": "apply"}, page_url=URL)
    html = response.get_data(as_text=True)
    assert 'id="e-categories-0-names-zh_Hans">缺少必填项' in html
    assert 'value="Tea gardens"' in html
    assert site.version() == before


def test_a_clerk_may_not_see_the_dispatch_catalog(site: Admin):
    site.sign_in("alpha", "alpha-clerk")
    assert site.get(URL)[0] == 403
