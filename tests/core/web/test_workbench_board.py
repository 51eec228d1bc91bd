"""The supervision board: counts per column and the most urgent cases, for leaders only."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from core import accounts
from core.models import Case, TierNode
from core.web.workbench import board as board_module
from tests.core.web.workbench_support import PASSWORD, add_staff, build_world, sign_in


@pytest.fixture
def world(make_app, database_url):
    world = build_world(make_app(database_url))
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


def test_a_sub_node_leaders_counts_are_exact_when_more_urgent_cases_are_elsewhere(
        world, monkeypatch):
    """The counts are counted in the leader's subtree, not filtered from the tenant's most
    urgent ``SHOWN`` (lowered here to 3 so that 6 cases elsewhere outrank all of theirs)."""
    monkeypatch.setattr(board_module, "SHOWN", 3)
    now = datetime.now(UTC)
    mine = [world.create_case(world.alpha, title=f"本镇{i}")["code"] for i in range(2)]
    elsewhere = [world.create_case(world.alpha, title=f"他处{i}")["code"] for i in range(6)]
    with world.database.transaction(world.alpha.id) as session:
        town = session.scalar(select(TierNode).where(TierNode.code == "alpha-t1"))
        root = session.scalar(select(TierNode).where(TierNode.code == "alpha-root"))
        for i, code in enumerate(elsewhere):  # due earlier: more urgent than the town's
            case = session.scalar(select(Case).where(Case.code == code))
            case.node_id, case.due_at = root.id, now - timedelta(days=10, hours=i)
        for code in mine:
            case = session.scalar(select(Case).where(Case.code == code))
            case.node_id, case.due_at = town.id, now - timedelta(hours=1)
        user = accounts.create_user(session, "alpha-county-leader", PASSWORD)
        accounts.add_membership(session, user, "leader", "alpha-c1")
    for code in (*elsewhere, mine[0]):
        response = world.call("POST", world.alpha, f"/cases/{code}/notices", world.alpha.token,
                              json={"kind": "urge", "body": "请尽快办理"})
        assert response.status_code == 201, response.get_json()

    sign_in(world, "alpha", "alpha-county-leader")
    html = world.client.get("/alpha/workbench/board?lang=en").get_data(as_text=True)
    counts = _counts(html)
    assert counts["overdue"] == 2 and counts["urged"] == 1, counts
    assert counts["supervised"] == 0 and counts["joint"] == 0
    assert all(f"/alpha/workbench/cases/{c}" in html for c in mine)
    assert not any(f"/alpha/workbench/cases/{c}\"" in html for c in elsewhere)

    # The root leader still counts the whole tenant.
    sign_in(world, "alpha", "alpha-leader")
    counts = _counts(world.client.get("/alpha/workbench/board").get_data(as_text=True))
    assert counts["overdue"] == 8 and counts["urged"] == 7, counts
