"""The printable notice page: behind sign-in, only for staff who may read the case."""

from __future__ import annotations

import pytest

from tests.core.api.conftest import World, build_world
from tests.core.web.workbench_support import sign_in


@pytest.fixture
def world(make_app, sqlite_url: str) -> World:
    return build_world(make_app(sqlite_url))


def _letter(world: World) -> tuple[str, int]:
    case = world.create_case(world.alpha)
    notice = world.call("POST", world.alpha, f"/cases/{case['code']}/notices",
                        world.alpha.token,
                        json={"kind": "work_reminder_letter",
                              "body": "请于三日内反馈。\n务必到场。", "to_department": "court"})
    assert notice.status_code == 201, notice.get_json()
    return case["code"], notice.get_json()["id"]


def test_a_signed_in_leader_prints_the_work_reminder_letter(world):
    code, notice_id = _letter(world)
    sign_in(world, "alpha", world.alpha.username)

    page = world.client.get(f"/alpha/cases/{code}/notices/{notice_id}?lang=zh_Hans")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert code in html and "请于三日内反馈。" in html and "人民法院" in html
    assert "style-src 'sha256-" in page.headers["Content-Security-Policy"]
    assert page.headers["Cache-Control"] == "private, no-store"


def test_without_sign_in_the_page_asks_for_it(world):
    code, notice_id = _letter(world)
    page = world.client.get(f"/alpha/cases/{code}/notices/{notice_id}")
    assert page.status_code == 302
    assert "/alpha/login" in page.headers["Location"]


def test_another_tenants_staff_and_wrong_ids_get_404(world):
    code, notice_id = _letter(world)
    sign_in(world, "beta", world.beta.username)
    assert world.client.get(f"/beta/cases/{code}/notices/{notice_id}").status_code == 404
    sign_in(world, "alpha", world.alpha.username)
    assert world.client.get(f"/alpha/cases/{code}/notices/{notice_id + 99}").status_code == 404
