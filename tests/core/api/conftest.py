"""Fixtures for the REST API: an app with two tenants, each with a user and API tokens."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from core import accounts
from core.authz import DEFAULT_SCOPES
from tests.factories import make_tenant

PASSWORD = "correct horse battery"


def intake(slug: str = "alpha", **overrides: Any) -> dict[str, Any]:
    """A valid intake body for tenant ``slug`` (two parties, the applicant with ID and phone)."""
    data: dict[str, Any] = {
        "case_type": "general_dispute",
        "category": "neighbor",
        "channel": "walk_in",
        "title": "楼上漏水引发邻里纠纷",
        "description": "多次协商未果",
        "location_node": f"{slug}-t1",
        "parties": [
            {"role": "applicant", "name": "张三", "id_number": "11010519491231002X",
             "phone": "13812345678"},
            {"role": "respondent", "name": "李四", "phone": "0518-85821234"},
        ],
    }
    data.update(overrides)
    return data


@dataclass
class Tenant:
    """One tenant of the test app: its id, slug, user and tokens (secrets and ids)."""

    id: int
    slug: str
    username: str
    token: str  # every default scope plus pii:reveal and admin
    token_id: int
    plain_token: str  # the default scopes: no pii:reveal
    auditor_token: str
    tokens: dict[str, int] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"/{self.slug}/api/v1{path}"


@dataclass
class World:
    """The app, its client and the tenants alpha and beta."""

    app: Flask
    client: FlaskClient
    alpha: Tenant
    beta: Tenant

    @property
    def database(self):
        return self.app.extensions["onedoor"].database

    def call(self, method: str, tenant: Tenant, path: str, token: str | None = None,
             **kwargs: Any):
        headers = dict(kwargs.pop("headers", {}))
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return self.client.open(tenant.url(path), method=method, headers=headers, **kwargs)

    def create_case(self, tenant: Tenant, **overrides: Any) -> dict[str, Any]:
        response = self.call("POST", tenant, "/cases", tenant.token,
                             json=intake(tenant.slug, **overrides))
        assert response.status_code == 201, response.get_json()
        return response.get_json()


def populate(database, slug: str) -> Tenant:
    tenant_id = make_tenant(database, slug)
    username = f"{slug}-leader"
    with database.transaction(tenant_id) as session:
        user = accounts.create_user(session, username, PASSWORD)
        accounts.add_membership(session, user, "leader")
        accounts.add_membership(session, user, "tenant_admin")
        auditor = accounts.create_user(session, f"{slug}-auditor", PASSWORD)
        accounts.add_membership(session, auditor, "auditor")
        full, secret = accounts.issue_token(
            session, user, name="full", scopes=[*DEFAULT_SCOPES, "pii:reveal", "admin"])
        plain_row, plain = accounts.issue_token(session, user, name="plain")
        _row, auditor_secret = accounts.issue_token(session, auditor, name="audit",
                                                    scopes=["cases:read", "cases:write"])
        return Tenant(tenant_id, slug, username, secret, full.id, plain, auditor_secret,
                      {"full": full.id, "plain": plain_row.id})


def build_world(app: Flask) -> World:
    database = app.extensions["onedoor"].database
    return World(app, app.test_client(), populate(database, "alpha"), populate(database, "beta"))


@pytest.fixture
def world(make_app, sqlite_url: str) -> World:
    """The API on SQLite with tenants alpha and beta."""
    return build_world(make_app(sqlite_url))


@pytest.fixture
def both_world(make_app, database_url: str) -> World:
    """The API with tenants alpha and beta, on SQLite and on PostgreSQL under RLS in turn."""
    return build_world(make_app(database_url))
