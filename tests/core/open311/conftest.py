"""Fixtures for Open311: tenants alpha (with the test plugin "streetlights") and beta (without).

Each tenant has a staff user (leader + tenant_admin at the root) with a full REST token, an
Open311 key (scope ``open311`` only), a token without that scope, and an auditor's key.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from marshmallow import Schema, fields, validate
from sqlalchemy import func, select

from core import accounts, hookimpl
from core.app import create_app
from core.authz import DEFAULT_SCOPES
from core.casetypes import CaseType
from core.models import Case
from core.plugins import PluginRegistry
from core.settings import load_settings
from tests.factories import make_tenant

PLUGIN = "streetlights"


class StreetlightDetails(Schema):
    """A broken street light: every GeoReport datatype once."""

    pole = fields.String(required=True, validate=validate.Length(min=1, max=20),
                         metadata={"names": {"zh_Hans": "灯杆编号", "en": "Pole number"}})
    problem = fields.String(load_default="out",
                            validate=validate.OneOf(["out", "flicker"], labels=["Out", "Flicker"]))
    lamps = fields.Integer(load_default=1, validate=validate.Range(min=1))
    seen_at = fields.AwareDateTime(load_default=None, allow_none=True)
    colors = fields.List(fields.String(validate=validate.OneOf(["white", "yellow"])),
                         load_default=list)
    note = fields.String(load_default="", validate=validate.Length(max=1000))


class Streetlights:
    """A test plugin with one Open311-friendly case type."""

    NAMES = {"zh_Hans": "路灯", "en": "Street lights"}

    @hookimpl
    def onedoor_case_types(self) -> list[CaseType]:
        return [CaseType(
            "streetlight", {"zh_Hans": "路灯故障", "zh_Hant": "路燈故障", "en": "Street light out"},
            demand_type="request", details_schema=StreetlightDetails,
            description={"zh_Hans": "路灯不亮或闪烁", "en": "A street light is out or flickers"},
            keywords=("light", "lamp"), group="streets",
        )]


@dataclass
class Tenant:
    id: int
    slug: str
    staff: str  # a full REST token of the leader
    key: str  # an Open311 key: scope open311 only
    no_scope: str  # the leader's token without the scope open311
    auditor_key: str  # scope open311, but an auditor may not register

    def url(self, path: str) -> str:
        return f"/{self.slug}/open311/v2{path}"


@dataclass
class World:
    app: Flask
    client: FlaskClient
    alpha: Tenant
    beta: Tenant

    @property
    def database(self):
        return self.app.extensions["onedoor"].database

    def get(self, tenant: Tenant, path: str, **kwargs: Any):
        return self.client.get(tenant.url(path), **kwargs)

    def post(self, tenant: Tenant, path: str, data: dict[str, Any], **kwargs: Any):
        return self.client.post(tenant.url(path), data=data, **kwargs)

    def submit(self, tenant: Tenant, fmt: str = "json", key: str | None = None,
               **overrides: Any):
        data = report(tenant.key if key is None else key, **overrides)
        return self.post(tenant, f"/requests.{fmt}", {k: v for k, v in data.items()
                                                      if v is not None})

    def created(self, tenant: Tenant, **overrides: Any) -> str:
        response = self.submit(tenant, **overrides)
        assert response.status_code == 201, response.get_data(as_text=True)
        return response.get_json()[0]["service_request_id"]

    def api(self, method: str, tenant: Tenant, path: str, **kwargs: Any):
        return self.client.open(f"/{tenant.slug}/api/v1{path}", method=method,
                                headers={"Authorization": f"Bearer {tenant.staff}"}, **kwargs)

    def count(self, tenant: Tenant) -> int:
        with self.database.transaction(tenant.id) as session:
            return session.scalar(select(func.count()).select_from(Case))


def report(key: str, **overrides: Any) -> dict[str, Any]:
    """A valid form-encoded GeoReport POST for the core type general_dispute."""
    data: dict[str, Any] = {
        "api_key": key,
        "service_code": "general_dispute",
        "lat": "29.985295",
        "long": "122.207215",
        "address_string": "定海区解放路1号",
        "description": "楼上装修噪音持续到深夜，多次沟通无果\n请协调",
        "first_name": "三",
        "last_name": "张",
        "phone": "13812345678",
        "email": "zhangsan@example.com",
        "device_id": "dev-42",
        "account_id": "acc-7",
    }
    data.update(overrides)
    return data


def xml_of(response) -> ET.Element:
    """The parsed XML body, after checking the declaration and content type."""
    assert response.content_type == "text/xml; charset=utf-8", response.content_type
    assert response.data.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.data)


def json_of(response) -> Any:
    assert response.content_type == "application/json; charset=utf-8", response.content_type
    return response.get_json()


def populate(database, slug: str, plugins: dict[str, dict] | None) -> Tenant:
    tenant_id = make_tenant(database, slug, plugins=plugins)
    with database.transaction(tenant_id) as session:
        user = accounts.create_user(session, f"{slug}-leader", "correct horse battery")
        accounts.add_membership(session, user, "leader")
        accounts.add_membership(session, user, "tenant_admin")
        auditor = accounts.create_user(session, f"{slug}-auditor", "correct horse battery")
        accounts.add_membership(session, auditor, "auditor")
        _r, staff = accounts.issue_token(session, user, name="staff",
                                         scopes=[*DEFAULT_SCOPES, "pii:reveal", "admin"])
        _r, key = accounts.issue_token(session, user, name="open311", scopes=["open311"])
        _r, no_scope = accounts.issue_token(session, user, name="read",
                                            scopes=["cases:read", "cases:write"])
        _r, auditor_key = accounts.issue_token(session, auditor, name="audit",
                                               scopes=["open311"])
    return Tenant(tenant_id, slug, staff, key, no_scope, auditor_key)


@pytest.fixture(scope="session")
def open311_registry() -> PluginRegistry:
    """Every installed plugin plus the test plugin streetlights."""
    registry = PluginRegistry()
    registry.register(Streetlights(), PLUGIN)
    return registry


def build_world(url: str, registry: PluginRegistry, apps: list) -> World:
    app = create_app(load_settings(), registry=registry, database_url=url)
    app.config["TESTING"] = True
    apps.append(app)
    database = app.extensions["onedoor"].database
    return World(app, app.test_client(), populate(database, "alpha", {PLUGIN: {}}),
                 populate(database, "beta", None))


@pytest.fixture
def _apps():
    apps: list[Flask] = []
    yield apps
    for app in apps:
        app.extensions["onedoor"].database.dispose()


@pytest.fixture
def world(sqlite_url: str, open311_registry, _apps) -> World:
    """Open311 on SQLite."""
    return build_world(sqlite_url, open311_registry, _apps)


@pytest.fixture
def both_world(database_url: str, open311_registry, _apps) -> World:
    """Open311 on SQLite, then on PostgreSQL as the application role under RLS."""
    return build_world(database_url, open311_registry, _apps)
