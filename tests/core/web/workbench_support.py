"""Shared pieces of the workbench tests: a world with staff of each role, signing in, forms."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from core import accounts
from core.models import Case
from core.testing import web
from core.testing.web import csrf_of
from tests.core.api.conftest import PASSWORD, World, build_world, intake

__all__ = ["PASSWORD", "World", "build_world", "csrf_of", "intake"]

ROLES = ("clerk", "dispatcher", "mediator", "leader")


def add_staff(world: World, slug: str = "alpha") -> None:
    """Users ``<slug>-<role>`` for each role of :data:`ROLES`, at the root of the tree."""
    tenant = getattr(world, slug)
    with world.database.transaction(tenant.id) as session:
        for role in ROLES:
            if role == "leader":
                continue  # build_world made <slug>-leader already (leader + tenant_admin)
            user = accounts.create_user(session, f"{slug}-{role}", PASSWORD)
            accounts.add_membership(session, user, role)


def sign_in(world: World, slug: str, username: str) -> None:
    """Sign ``username`` in through the login form."""
    web.sign_in(world.client, slug, username, PASSWORD)


def token(world: World, slug: str = "alpha") -> str:
    """A fresh CSRF token for the signed-in session."""
    return csrf_of(world.client.get(f"/{slug}/workbench/").get_data(as_text=True))


def case_count(world: World, slug: str = "alpha") -> int:
    """How many cases tenant ``slug`` has."""
    with world.database.transaction(getattr(world, slug).id) as session:
        return session.scalar(select(func.count()).select_from(Case))


def version_of(world: World, code: str, slug: str = "alpha") -> int:
    """The case's current version."""
    with world.database.transaction(getattr(world, slug).id) as session:
        return session.scalar(select(Case.version).where(Case.code == code))


def act(world: World, code: str, transition: str, slug: str = "alpha",
        version: int | None = None, **fields: Any):
    """POST one action form of the case page (fields without the action prefix)."""
    data = {"csrf_token": token(world, slug), "transition": transition,
            "version": str(version if version is not None else version_of(world, code, slug))}
    data.update({f"{transition}.{k}": v for k, v in fields.items()})
    return world.client.post(f"/{slug}/workbench/cases/{code}/act?lang=en", data=data)


def move(world: World, code: str, name: str, **payload: Any) -> None:
    """Move a case through the API (set-up, not the thing under test)."""
    response = world.call("POST", world.alpha, f"/cases/{code}/transitions", world.alpha.token,
                          json={"transition": name, **payload})
    assert response.status_code == 200, response.get_json()


def populate_with(app: Any, plugins: dict[str, dict[str, dict[str, Any]]]) -> World:
    """Like ``build_world`` but tenants may enable plugins; staff of every role in each."""
    from tests.core.api import conftest  # noqa: PLC0415
    from tests.factories import make_tenant  # noqa: PLC0415

    database = app.extensions["onedoor"].database
    original = conftest.make_tenant

    def with_plugins(db: Any, slug: str, **kwargs: Any) -> int:
        return make_tenant(db, slug, plugins=plugins.get(slug), **kwargs)

    conftest.make_tenant = with_plugins
    try:
        world = World(app, app.test_client(), conftest.populate(database, "alpha"),
                      conftest.populate(database, "beta"))
    finally:
        conftest.make_tenant = original
    add_staff(world, "alpha")
    add_staff(world, "beta")
    return world
