"""The grid worker's report (网格上报): at the worker's own node, never outside its subtree."""

from __future__ import annotations

from sqlalchemy import select

from core.models import Case, TierNode
from tests.core.portal.conftest import add_staff, count, csrf_of, post_form, sign_in

URL = "/alpha/portal/grid"


def _report(**overrides: str) -> dict[str, str]:
    form = {"case_type": "general_dispute", "title": "村道占用纠纷", "description": "两户争执",
            "location_node": "alpha-t1", "address": "三组", "people_involved": "12",
            "is_group": "1",
            "applicant_name": "赵六", "applicant_phone": "13912345678",
            "respondent_name": "钱七", "respondent_phone": ""}
    form.update(overrides)
    return form


def test_the_form_defaults_to_the_workers_own_node(world):
    add_staff(world, world.alpha, "grid-c1", "grid_worker", "alpha-c1")
    sign_in(world, "alpha", "grid-c1")
    page = world.client.get(URL)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<option value="alpha-c1" selected>' in html and 'value="alpha-t1"' in html
    assert 'value="alpha-root"' not in html  # only the worker's own area is offered
    assert 'name="viewport"' in html and "portal.css" in html


def test_a_report_registers_a_grid_case_at_the_workers_node(world):
    add_staff(world, world.alpha, "grid-t1", "grid_worker", "alpha-t1")
    sign_in(world, "alpha", "grid-t1")
    response = post_form(world, URL, _report())
    assert response.status_code == 303
    html = world.client.get(response.headers["Location"] + "?lang=en").get_data(as_text=True)
    with world.database.transaction(world.alpha.id) as session:
        case = session.scalars(select(Case)).one()
        node = session.scalar(select(TierNode.code).where(TierNode.id == case.location_node_id))
        seen = (case.channel, case.registered_by, node, case.people_involved, case.is_group,
                [(p.role, p.name) for p in case.parties], case.code)
    assert seen[:6] == ("grid_report", "grid-t1", "alpha-t1", 12, True,
                        [("applicant", "赵六"), ("respondent", "钱七")])
    assert seen[6] in html  # the code, told in a flash message


def test_a_node_outside_the_workers_subtree_is_refused(world):
    add_staff(world, world.alpha, "grid-t1", "grid_worker", "alpha-t1")
    sign_in(world, "alpha", "grid-t1")
    for node in ("alpha-c1", "alpha-root", "beta-t1", "nowhere"):
        response = post_form(world, URL + "?lang=en", _report(location_node=node))
        html = response.get_data(as_text=True)
        assert response.status_code == 422, node
        assert 'id="e-location_node"' in html and "inside the area you work for" in html
        assert 'value="村道占用纠纷"' in html  # what was typed is kept
    assert count(world, world.alpha.id) == 0 and count(world, world.beta.id) == 0


def test_bad_input_is_named_field_by_field_in_the_readers_language(world):
    add_staff(world, world.alpha, "grid-t1", "grid_worker", "alpha-t1")
    sign_in(world, "alpha", "grid-t1")
    for lang, expected in (("zh_Hans", "请填写 11 位手机号码"), ("en", "Enter a mobile number")):
        response = post_form(world, f"{URL}?lang={lang}",
                             _report(applicant_phone="999", people_involved="0", title=""))
        html = response.get_data(as_text=True)
        assert response.status_code == 422 and expected in html
        for field in ("applicant_phone", "people_involved", "title"):
            assert f'id="e-{field}"' in html, field
        assert 'value="999"' in html
    assert count(world, world.alpha.id) == 0


def test_roles_that_do_not_register_cases_are_refused(world):
    add_staff(world, world.alpha, "med", "mediator")
    sign_in(world, "alpha", "med")
    assert world.client.get(URL).status_code == 403
    response = world.client.post(URL, data={**_report(),
                                            "csrf_token": csrf_of(world, "/alpha/portal/track")})
    assert response.status_code == 403
    assert count(world, world.alpha.id) == 0


def test_without_sign_in_the_form_asks_for_it(world):
    response = world.client.get(URL)
    assert response.status_code == 302 and "/alpha/login" in response.headers["Location"]


def test_staff_of_another_tenant_cannot_report_here(world):
    add_staff(world, world.beta, "grid-beta", "grid_worker", "beta-t1")
    sign_in(world, "beta", "grid-beta")
    response = world.client.get(URL)
    assert response.status_code == 302 and "/alpha/login" in response.headers["Location"]
