"""The campus case types through the REST API: minors masked, warnings kept, other tenants
do not have the types."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.models import AuditEvent
from tests.core.web.workbench_support import populate_with

SETTINGS = {"schools": ["舟山中学"], "notify_education_bureau": True, "demo_records": False}


@pytest.fixture
def world(make_app, database_url):
    return populate_with(make_app(database_url), {"alpha": {"campus": SETTINGS}})


def bullying(slug="alpha", **details):
    return {
        "case_type": "campus_bullying", "channel": "walk_in", "title": "课间被同学推搡",
        "location_node": f"{slug}-t1",
        "details": {"school": "舟山中学", "minor": True, "date_of_birth": "2012-09-01",
                    "incident_date": "2026-11-20", "means": "physical", **details},
        "parties": [{"role": "applicant", "name": "王小明", "minor": True},
                    {"role": "respondent", "name": "舟山中学", "kind": "organization"}],
    }


def test_a_minor_is_masked_in_the_api_and_revealed_only_with_an_audited_reason(world):
    created = world.call("POST", world.alpha, "/cases", world.alpha.token, json=bullying())
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert [w["rule"] for w in body["warnings"]] == ["未成年人保护法 第三十九条第二款"]
    code = body["code"]
    parties = world.call("GET", world.alpha, f"/cases/{code}/parties",
                         world.alpha.token).get_json()
    assert [(p["name"], p["protected"]) for p in parties] == [("王**", True),
                                                              ("舟山中学", False)]
    assert "王小明" not in world.call("GET", world.alpha, f"/cases/{code}",
                                     world.alpha.token).get_data(as_text=True)
    url = f"/cases/{code}/parties/{parties[0]['id']}/reveal"
    refused = world.call("POST", world.alpha, url, world.alpha.plain_token,
                         json={"field": "name", "reason": "通知监护人"})
    assert refused.status_code == 403  # a token without pii:reveal
    revealed = world.call("POST", world.alpha, url, world.alpha.token,
                          json={"field": "name", "reason": "通知监护人"})
    assert revealed.get_json()["value"] == "王小明"
    with world.database.transaction(world.alpha.id) as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "party.revealed"))
        assert event.data["field"] == "name"


def test_bad_details_are_refused_naming_the_field_and_the_rule_in_the_readers_language(world):
    response = world.call("POST", world.alpha, "/cases?lang=zh_Hans", world.alpha.token,
                          json=bullying(person_kind="staff", school="别的学校"))
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "details.person_kind" in text and "details.school" in text
    assert "学生欺凌是发生在学生之间的行为" in text


def test_a_tenant_without_the_plugin_has_no_campus_case_type(world):
    response = world.call("POST", world.beta, "/cases", world.beta.token,
                          json=bullying("beta"))
    assert response.status_code == 422
    assert "case_type" in response.get_data(as_text=True)


def test_the_workbench_form_registers_a_bullying_case_with_the_minor_protected(world):
    from tests.core.web.workbench_support import sign_in, token

    sign_in(world, "alpha", "alpha-clerk")
    form = world.client.get("/alpha/workbench/intake?lang=en").get_data(as_text=True)
    assert 'name="details.campus_bullying.school"' in form
    assert 'name="parties.0.minor"' in form
    response = world.client.post("/alpha/workbench/intake?lang=en", data={
        "csrf_token": token(world), "case_type": "campus_bullying", "channel": "walk_in",
        "title": "课间被同学推搡", "location_node": "alpha-t1",
        "details.campus_bullying.school": "舟山中学", "details.campus_bullying.minor": "on",
        "details.campus_bullying.date_of_birth": "2012-09-01",
        "details.campus_bullying.incident_date": "2026-11-20",
        "details.campus_bullying.means": "verbal",
        "parties.0.role": "applicant", "parties.0.kind": "person", "parties.0.name": "王小明",
        "parties.0.minor": "true"})
    assert response.status_code == 303, response.get_data(as_text=True)
    page = world.client.get(response.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "王**" in page and "王小明" not in page
    assert "Minors Protection Law" in page or "第三十九条" in page  # the warning is shown
