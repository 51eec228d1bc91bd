"""Fixtures for the citizen portal: tenants alpha and beta, a browser, forms and cases."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select

from core import accounts
from core.models import Case, Evaluation
from tests.core.api.conftest import PASSWORD, World, build_world

#: The applicant's phone in :func:`citizen_form`; the last four digits track the case.
PHONE = "13812345678"
DIGITS = "5678"


def csrf_of(world: World, url: str) -> str:
    """The CSRF token of the form at ``url`` (the browser's session keeps it)."""
    page = world.client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def citizen_form(**overrides: Any) -> dict[str, str]:
    """A valid online report: a neighbor dispute in town 1 of alpha."""
    form = {"case_type": "general_dispute", "title": "楼上漏水", "description": "多次协商未果",
            "location_node": "alpha-t1", "address": "幸福路 1 号", "name": "王小明",
            "phone": PHONE, "id_number": "", "other_name": "李四", "consent": "1",
            "website": ""}
    form.update(overrides)
    return form


def post_form(world: World, url: str, form: dict[str, str], *, token: bool = True,
              **kwargs: Any):
    """POST ``form`` to ``url`` as a browser would, with the page's CSRF token."""
    data = dict(form)
    if token:
        data["csrf_token"] = csrf_of(world, url)
    return world.client.post(url, data=data, **kwargs)


def count(world: World, tenant_id: int, model: type = Case) -> int:
    """How many rows of ``model`` tenant ``tenant_id`` has."""
    with world.database.transaction(tenant_id) as session:
        return session.scalar(select(func.count()).select_from(model))


def evaluations(world: World, tenant_id: int) -> list[Evaluation]:
    """The tenant's evaluations."""
    with world.database.transaction(tenant_id) as session:
        rows = session.scalars(select(Evaluation)).all()
        session.expunge_all()
        return list(rows)


def submit_case(world: World, slug: str = "alpha", **overrides: Any) -> str:
    """Report a case through the portal; its code."""
    response = post_form(world, f"/{slug}/portal/submit",
                         citizen_form(location_node=f"{slug}-t1", **overrides))
    assert response.status_code == 303, response.get_data(as_text=True)
    page = world.client.get(response.headers["Location"]).get_data(as_text=True)
    return re.search(r'class="case-code"><strong>([^<]+)</strong>', page).group(1)


def move(world: World, tenant, code: str, *steps: tuple[str, dict[str, Any]]) -> None:
    """Take the case through lifecycle ``steps`` with the tenant's leader token."""
    for name, payload in steps:
        response = world.call("POST", tenant, f"/cases/{code}/transitions", tenant.token,
                              json={"transition": name, **payload})
        assert response.status_code == 200, response.get_json()


CLOSE = (("accept", {}), ("refer", {"route": "litigation"}), ("close", {}))


def sign_in(world: World, slug: str, username: str) -> None:
    """Sign in through the login form."""
    token = csrf_of(world, f"/{slug}/login")
    response = world.client.post(f"/{slug}/login", data={
        "username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def add_staff(world: World, tenant, username: str, role: str, node: str | None = None) -> None:
    """A user of ``tenant`` with ``role`` at ``node`` (default: the root)."""
    with world.database.transaction(tenant.id) as session:
        user = accounts.create_user(session, username, PASSWORD)
        accounts.add_membership(session, user, role, node)


@pytest.fixture
def world(make_app, sqlite_url: str) -> World:
    """The app on SQLite with tenants alpha and beta."""
    return build_world(make_app(sqlite_url))
