"""The sections a person is offered: only those that exist and that their roles may use."""

from __future__ import annotations

import re

import pytest

from core import accounts
from tests.core.api.conftest import PASSWORD, World, build_world
from tests.core.web.workbench_support import sign_in


@pytest.fixture
def world(make_app, sqlite_url: str) -> World:
    return build_world(make_app(sqlite_url))


def _sections(world: World, username: str | None) -> list[str]:
    if username is not None:
        sign_in(world, "alpha", username)
    html = world.client.get("/alpha/?lang=en").get_data(as_text=True)
    nav = html.split('class="sections"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r">([^<>]+)</a>", nav)


def test_visitors_see_the_public_sections_only(world):
    sections = _sections(world, None)
    assert "Report a dispute" in sections and "Track a case" in sections
    assert "My queue" not in sections and "Dashboard" not in sections


def test_a_clerk_is_not_offered_the_leaders_sections(world):
    with world.database.transaction(world.alpha.id) as session:
        user = accounts.create_user(session, "window-clerk", PASSWORD)
        accounts.add_membership(session, user, "clerk")
    sections = _sections(world, "window-clerk")
    assert "My queue" in sections and "Register a case" in sections
    assert "Dashboard" not in sections and "Supervision" not in sections


def test_a_leader_is_offered_the_dashboard_and_the_supervision_board(world):
    sections = _sections(world, world.alpha.username)
    assert "Dashboard" in sections and "Supervision" in sections
