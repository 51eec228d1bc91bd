"""Fixtures for the administration pages: tenants applied from tenant.toml, admins, a clerk."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from core import accounts
from core.models import AuditEvent, Tenant
from core.tenantconfig import apply, load

PASSWORD = "correct horse battery"
LOGO = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
        '<circle cx="5" cy="5" r="4" fill="#0b5394"/></svg>\n')
TOML = """
slug = "{slug}"
case_code_prefix = "{prefix}"
default_locale = "zh_Hans"

[names]
zh_Hans = "{slug}市"
en = "{title} City"

[branding]
primary_color = "#0b5394"
logo = "logo.svg"
hotline = "0580-12345"

[tiers]
levels = [
  {{ code = "city", names = {{ zh_Hans = "市", en = "City" }} }},
  {{ code = "town", names = {{ zh_Hans = "乡镇街道", en = "Town" }} }},
  {{ code = "village", names = {{ zh_Hans = "村社区", en = "Village" }} }},
]

[[tiers.nodes]]
code = "{slug}-c"
level = "city"
name = "{slug}市"

[[tiers.nodes]]
code = "{slug}-t1"
parent = "{slug}-c"
level = "town"
name = "海滨街道"

[[departments]]
code = "court"

[[departments]]
code = "peoples_mediation"

[[centers]]
code = "{prefix}-C"
node = "{slug}-c"
names = {{ zh_Hans = "{slug}市综治中心" }}
windows = ["general_intake", "legal_aid"]

[[centers.stationed]]
department = "court"
mode = "rotating"
days = ["wed"]
hours = "09:00-11:30"
"""


def write_tenant(folder: Path, slug: str) -> Path:
    """A small, complete tenant.toml (with its logo) for ``slug`` in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tenant.toml").write_text(
        TOML.format(slug=slug, prefix=slug[:2].upper(), title=slug.title()), encoding="utf-8")
    (folder / "logo.svg").write_text(LOGO, encoding="utf-8")
    return folder


@dataclass
class Admin:
    """The app with tenants alpha and beta, each with an admin and a clerk."""

    app: Flask
    client: FlaskClient
    ids: dict[str, int]

    @property
    def database(self):
        return self.app.extensions["onedoor"].database

    @property
    def registry(self):
        return self.app.extensions["onedoor"].registry

    def sign_in(self, slug: str, username: str, password: str = PASSWORD) -> None:
        page = self.client.get(f"/{slug}/login").get_data(as_text=True)
        response = self.client.post(f"/{slug}/login", data={
            "username": username, "password": password, "csrf_token": csrf(page)})
        assert response.status_code == 302, response.get_data(as_text=True)

    def get(self, url: str, **kwargs: Any) -> tuple[int, str]:
        response = self.client.get(url, **kwargs)
        return response.status_code, response.get_data(as_text=True)

    def post_form(self, url: str, data: dict[str, Any], *, page_url: str | None = None,
                  follow: bool = False):
        """POST ``data`` with the CSRF token and the version from the page the form is on."""
        page = self.client.get(page_url or url).get_data(as_text=True)
        body = {"csrf_token": csrf(page), **data}
        version = re.search(r'name="version" value="(\d+)"', page)
        if version and "version" not in body:
            body["version"] = version.group(1)
        return self.client.post(url, data=body, follow_redirects=follow)

    def version(self, slug: str = "alpha") -> int:
        with self.database.transaction() as session:
            return session.scalar(select(Tenant.config_version).where(Tenant.slug == slug))

    def audit_count(self, slug: str, action: str) -> int:
        with self.database.transaction(self.ids[slug]) as session:
            return session.scalar(select(func.count()).select_from(AuditEvent)
                                  .where(AuditEvent.action == action))


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def build(app: Flask, tmp_path: Path) -> Admin:
    """Apply alpha and beta from tenant.toml and give each an admin and a clerk."""
    database = app.extensions["onedoor"].database
    registry = app.extensions["onedoor"].registry
    ids = {}
    for slug in ("alpha", "beta"):
        config = load(write_tenant(tmp_path / slug, slug), registry)
        result = apply(database, registry, config)
        ids[slug] = result.tenant_id
        with database.transaction(result.tenant_id) as session:
            admin = accounts.create_user(session, f"{slug}-admin", PASSWORD)
            accounts.add_membership(session, admin, "tenant_admin")
            clerk = accounts.create_user(session, f"{slug}-clerk", PASSWORD)
            accounts.add_membership(session, clerk, "clerk")
            town_admin = accounts.create_user(session, f"{slug}-townadmin", PASSWORD)
            accounts.add_membership(session, town_admin, "tenant_admin", f"{slug}-t1")
    return Admin(app, app.test_client(), ids)


@pytest.fixture
def site(make_app, sqlite_url: str, tmp_path: Path) -> Admin:
    """Alpha and beta on SQLite."""
    return build(make_app(sqlite_url), tmp_path)


@pytest.fixture
def both_site(make_app, database_url: str, tmp_path: Path) -> Admin:
    """Alpha and beta on SQLite, then on PostgreSQL under row-level security."""
    return build(make_app(database_url), tmp_path)
