"""A plugin site with cases: tenant "on" enables the plugin, "off" does not; both have the
departments the plugins route to and a leader who can sign in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy import select

from core import accounts, cases
from core.models import Case, Department
from core.pii import Vault
from core.workflow import ALL_STAFF, Actor

VAULT = Vault("test-secret-for-pii-0123456789")
STAFF = Actor("staff", ALL_STAFF)
PASSWORD = "correct horse battery staple 1"
DEPARTMENTS = ("labor_arbitration_commission", "labor_arbitration_inspection",
               "new_employment_mediation", "financial_mediation_center",
               "financial_mediation_regulator", "peoples_mediation")


@dataclass
class Site:
    """The app, its database and helpers to register and move cases of either tenant."""

    app: Flask

    @property
    def onedoor(self) -> Any:
        return self.app.extensions["onedoor"]

    @property
    def database(self) -> Any:
        return self.onedoor.database

    def tenant(self, slug: str = "on") -> Any:
        """The tenant's current snapshot."""
        return self.onedoor.directory.get(slug)

    def register(self, data: dict[str, Any], now: datetime, slug: str = "on") -> str:
        """Register a case; its code."""
        tenant = self.tenant(slug)
        with self.database.transaction(tenant.id) as session:
            return cases.register(session, tenant, data, STAFF, vault=VAULT, now=now).case.code

    def move(self, code: str, name: str, now: datetime, slug: str = "on", **payload: Any) -> Any:
        """Take transition ``name``; the case as it is afterwards."""
        tenant = self.tenant(slug)
        with self.database.transaction(tenant.id) as session:
            case = cases.transition(session, tenant, code, name, STAFF, payload, now=now)
            return case.status

    def case(self, code: str, slug: str = "on") -> Case:
        """The case, detached (read it, do not change it)."""
        with self.database.transaction(self.tenant(slug).id) as session:
            case = session.scalar(select(Case).where(Case.code == code))
            session.expunge(case)
            return case

    def sign_in(self, client: Any, slug: str = "on") -> None:
        """Sign the tenant's leader in through the login form."""
        page = client.get(f"/{slug}/login").get_data(as_text=True)
        response = client.post(f"/{slug}/login", data={
            "username": f"{slug}-leader", "password": PASSWORD, "csrf_token": csrf_of(page)})
        assert response.status_code == 302, response.get_data(as_text=True)


def csrf_of(html: str) -> str:
    """The CSRF token of a page."""
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def build(plugin_site: Any, name: str, settings: dict[str, Any]) -> Site:
    """``plugin_site`` with departments and a leader (leader + tenant_admin) in both tenants."""
    site = Site(plugin_site(name, settings))
    for slug in ("on", "off"):
        with site.database.transaction(site.tenant(slug).id) as session:
            for code in DEPARTMENTS:
                session.add(Department(code=code, names={"zh_Hans": code}, kind="specialty"))
            user = accounts.create_user(session, f"{slug}-leader", PASSWORD)
            accounts.add_membership(session, user, "leader")
            accounts.add_membership(session, user, "tenant_admin")
    return site


def intake(case_type: str, details: dict[str, Any], slug: str = "on",
           **overrides: Any) -> dict[str, Any]:
    """Intake data of a case of ``case_type`` at the town node of make_tenant's tree."""
    data = {
        "case_type": case_type, "channel": "walk_in", "title": "讨要工资",
        "location_node": f"{slug}-t1",
        "parties": [
            {"role": "applicant", "name": "王建国", "phone": "13812345678"},
            {"role": "respondent", "kind": "organization", "name": "杭州某某建筑劳务有限公司"},
        ],
        "details": details,
    }
    data.update(overrides)
    return data


def set_config(site: Site, slug: str, **entries: Any) -> None:
    """Add ``entries`` to the tenant's stored configuration (a new config version)."""
    from core.models import Tenant  # noqa: PLC0415

    with site.database.transaction() as session:
        tenant = session.scalar(select(Tenant).where(Tenant.slug == slug))
        tenant.config = {**tenant.config, **entries}
        tenant.config_version += 1
