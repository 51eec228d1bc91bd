"""Registration at a window: two parties, plugin fields from the type's schema, field errors."""

from __future__ import annotations

import pytest
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from core import hookimpl
from core.app import create_app
from core.casetypes import CaseType
from core.models import Case
from core.plugins import PluginRegistry
from core.settings import load_settings
from tests.core.web.workbench_support import add_staff, build_world, case_count, sign_in, token


@pytest.fixture
def world(make_app, sqlite_url):
    world = build_world(make_app(sqlite_url))
    add_staff(world)
    return world


def _form(world, slug="alpha", **overrides):
    data = {
        "csrf_token": token(world, slug), "case_type": "general_dispute", "category": "neighbor",
        "channel": "walk_in", "title": "楼上漏水", "description": "多次协商未果",
        "location_node": f"{slug}-t1", "address": "海州区人民路1号", "people_involved": "2",
        "parties.0.role": "applicant", "parties.0.kind": "person", "parties.0.name": "张三",
        "parties.0.id_number": "11010519491231002X", "parties.0.phone": "13812345678",
        "parties.1.role": "respondent", "parties.1.kind": "person", "parties.1.name": "李四",
        "parties.1.phone": "0518-85821234",
        "parties.2.role": "", "parties.2.kind": "person", "parties.2.name": "",
    }
    data.update(overrides)
    return data


def test_the_form_offers_case_types_nodes_and_party_rows(world):
    sign_in(world, "alpha", "alpha-clerk")
    html = world.client.get("/alpha/workbench/intake?lang=en").get_data(as_text=True)
    assert '<option value="general_dispute"' in html and '<option value="petition"' in html
    assert '<datalist id="wb-nodes">' in html and 'value="alpha-t1"' in html
    assert 'name="parties.3.name"' in html  # four rows without JavaScript
    assert 'data-add-party' in html and "workbench.js" in html
    # Core types with details get their own section, named per type.
    assert 'data-case-type="hotline_order"' in html
    assert 'name="details.hotline_order.order_number"' in html
    assert '<option value="danger"' in html  # OneOf becomes a select


def test_a_clerk_registers_a_case_with_two_parties(world):
    sign_in(world, "alpha", "alpha-clerk")
    before = case_count(world)

    response = world.client.post("/alpha/workbench/intake", data=_form(world))

    assert response.status_code == 303
    assert case_count(world) == before + 1
    with world.database.transaction(world.alpha.id) as session:
        case = session.scalar(select(Case).order_by(Case.id.desc()).limit(1))
        assert [p.name for p in case.parties] == ["张三", "李四"]
        assert case.address == "海州区人民路1号" and case.people_involved == 2
        assert case.registered_by == "alpha-clerk"
    assert response.headers["Location"].endswith(f"/alpha/workbench/cases/{case.code}")


def test_a_repeat_party_is_warned_about_on_the_new_case_page(world):
    first = world.create_case(world.alpha)["code"]
    sign_in(world, "alpha", "alpha-clerk")

    response = world.client.post("/alpha/workbench/intake?lang=en", data=_form(world),
                                 follow_redirects=True)

    html = response.get_data(as_text=True)
    assert "Repeat parties" in html and first in html


def test_a_bad_phone_is_shown_on_its_field_everything_kept_nothing_written(world):
    sign_in(world, "alpha", "alpha-clerk")
    before = case_count(world)

    response = world.client.post("/alpha/workbench/intake?lang=en",
                                 data=_form(world, **{"parties.1.phone": "12345"}))

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="e-parties-1-phone"' in html and 'href="#f-parties-1-phone"' in html
    assert "11-digit mobile" in html
    assert 'value="12345"' in html and 'value="楼上漏水"' in html and "多次协商未果" in html
    assert case_count(world) == before


def test_field_errors_are_in_the_readers_language(world):
    sign_in(world, "alpha", "alpha-clerk")
    html = world.client.post("/alpha/workbench/intake?lang=zh_Hans",
                             data=_form(world, **{"parties.1.phone": "12345"})
                             ).get_data(as_text=True)
    assert "a phone is an 11-digit" not in html
    assert "手机" in html


def test_a_core_types_details_are_read_only_for_the_chosen_type(world):
    sign_in(world, "alpha", "alpha-clerk")
    before = case_count(world)
    missing = world.client.post("/alpha/workbench/intake?lang=en", data=_form(
        world, case_type="hotline_order", **{"details.court_delegated.court_case_number": ""}))
    assert missing.status_code == 422
    assert 'id="e-details-hotline_order-order_number"' in missing.get_data(as_text=True)
    assert case_count(world) == before

    done = world.client.post("/alpha/workbench/intake", data=_form(
        world, case_type="hotline_order", **{"details.hotline_order.order_number": "GD-0001",
                                             "details.hotline_order.urgency": "danger"}))
    assert done.status_code == 303
    with world.database.transaction(world.alpha.id) as session:
        case = session.scalar(select(Case).order_by(Case.id.desc()).limit(1))
        assert case.details["order_number"] == "GD-0001"
        assert case.details["urgency"] == "danger"


class WageClaims:
    """A plugin declaring the case type ``wage_claim`` with its own details."""

    NAMES = {"en": "Wage claims"}

    class Details(Schema):
        """The details of a wage claim."""

        employer = fields.String(required=True, metadata={"names": {"en": "Employer"}})
        months_unpaid = fields.Integer(strict=True, required=True,
                                       metadata={"names": {"en": "Months unpaid"}})
        claim = fields.String(
            load_default="wages", validate=validate.OneOf(["wages", "overtime", "severance"]),
            metadata={"names": {"zh_Hans": "请求事项", "en": "Claim"},
                      "choices": {"wages": {"zh_Hans": "拖欠工资", "en": "Unpaid wages"},
                                  "overtime": {"zh_Hans": "加班费", "en": "Overtime pay"}}})

    @hookimpl
    def onedoor_case_types(self):
        return [CaseType("wage_claim", {"en": "Wage claim", "zh_Hans": "欠薪"},
                         category="labor", details_schema=WageClaims.Details)]


@pytest.fixture
def plugin_world(sqlite_url):
    registry = PluginRegistry()
    registry.register(WageClaims(), "wage_claims")
    app = create_app(load_settings(), registry=registry, database_url=sqlite_url)
    app.config["TESTING"] = True
    from tests.core.web.workbench_support import populate_with  # noqa: PLC0415

    world = populate_with(app, plugins={"alpha": {"wage_claims": {}}})
    yield world
    app.extensions["onedoor"].database.dispose()


def test_a_plugin_case_type_brings_its_fields_only_where_enabled(plugin_world):
    world = plugin_world
    sign_in(world, "alpha", "alpha-clerk")
    html = world.client.get("/alpha/workbench/intake?lang=en").get_data(as_text=True)
    assert '<option value="wage_claim"' in html
    assert 'name="details.wage_claim.months_unpaid"' in html and 'type="number"' in html
    assert "Employer" in html
    # Named values are offered by their names, a value without names by itself.
    assert '<option value="overtime" >Overtime pay</option>' in html
    assert '<option value="severance" >severance</option>' in html
    chinese = world.client.get("/alpha/workbench/intake?lang=zh_Hans").get_data(as_text=True)
    assert "<label for=\"f-details-wage_claim-claim\">请求事项" in chinese
    assert '<option value="wages" selected>拖欠工资</option>' in chinese  # the default

    response = world.client.post("/alpha/workbench/intake", data=_form(
        world, case_type="wage_claim", category="labor",
        **{"details.wage_claim.employer": "海州机械厂", "details.wage_claim.months_unpaid": "3",
           "details.wage_claim.claim": "overtime"}))
    assert response.status_code == 303
    with world.database.transaction(world.alpha.id) as session:
        case = session.scalar(select(Case).order_by(Case.id.desc()).limit(1))
        assert case.case_type == "wage_claim"
        assert case.details["employer"] == "海州机械厂" and case.details["months_unpaid"] == 3
        assert case.details["claim"] == "overtime"
    page = world.client.get(response.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "<dt>Claim</dt><dd>Overtime pay</dd>" in page

    sign_in(world, "beta", "beta-clerk")
    html = world.client.get("/beta/workbench/intake").get_data(as_text=True)
    assert "wage_claim" not in html


def test_an_auditor_may_not_register(world):
    sign_in(world, "alpha", "alpha-auditor")
    assert world.client.get("/alpha/workbench/intake").status_code == 404
