"""The supervision board: counts per column and the most urgent cases, for leaders only."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from core.models import Case
from tests.core.web.workbench_support import add_staff, build_world, sign_in


@pytest.fixture
def world(make_app, sqlite_url):
    world = build_world(make_app(sqlite_url))
    add_staff(world)
    return world


def _counts(html: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'data-count="(\w+)">(\d+)<', html)}


def test_the_board_counts_overdue_urged_and_supervised_cases_and_links_them(world):
    late = world.create_case(world.alpha, title="已超期")["code"]
    urged = world.create_case(world.alpha, title="被催办")["code"]
    world.create_case(world.alpha, title="正常")
    with world.database.transaction(world.alpha.id) as session:
        case = session.scalar(select(Case).where(Case.code == late))
        case.due_at = datetime.now(UTC) - timedelta(hours=3)
    for kind in ("urge", "supervise"):
        response = world.call("POST", world.alpha, f"/cases/{urged}/notices", world.alpha.token,
                              json={"kind": kind, "body": "请尽快办理"})
        assert response.status_code == 201, response.get_json()
    sign_in(world, "alpha", "alpha-leader")

    html = world.client.get("/alpha/workbench/board?lang=en").get_data(as_text=True)

    counts = _counts(html)
    assert counts["overdue"] == 1 and counts["urged"] == 1 and counts["supervised"] == 1
    assert counts["joint"] == 0
    assert f'href="/alpha/workbench/cases/{late}"' in html
    assert f'href="/alpha/workbench/cases/{urged}"' in html
    assert "Overdue" in html and "Under supervision" in html


def test_staff_who_do_not_supervise_get_404(world):
    sign_in(world, "alpha", "alpha-clerk")
    assert world.client.get("/alpha/workbench/board").status_code == 404


def test_another_tenants_leader_sees_none_of_these_cases(world):
    code = world.create_case(world.alpha)["code"]
    with world.database.transaction(world.alpha.id) as session:
        session.scalar(select(Case).where(Case.code == code)).due_at = \
            datetime.now(UTC) - timedelta(hours=1)
    sign_in(world, "beta", "beta-leader")
    html = world.client.get("/beta/workbench/board").get_data(as_text=True)
    assert code not in html and _counts(html)["overdue"] == 0
