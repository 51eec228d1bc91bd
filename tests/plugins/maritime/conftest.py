"""A site where tenant "on" runs the maritime plugin (舟山's waters), and "off" does not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask

from core import accounts, cases
from core.models import Department
from core.pii import Vault
from core.tenancy import TenantContext
from core.workflow import ALL_STAFF, Actor

NAME = "maritime"
SETTINGS = {"ports": ["沈家门渔港", "岱山高亭港"], "sea_south": 28.5, "sea_north": 31.5,
            "sea_west": 121.0, "sea_east": 124.5}
DEPARTMENTS = ("maritime_fishery_mediation", "maritime_safety_administration",
               "maritime_coast_guard")
NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
VAULT = Vault("test-secret-for-pii-0123456789")
STAFF = Actor("staff", ALL_STAFF)
PASSWORD = "correct horse battery staple"


@dataclass
class Site:
    """The app, its database and the tenants' contexts."""

    app: Flask
    database: Any

    def tenant(self, slug: str = "on") -> TenantContext:
        """The tenant's current context."""
        return self.app.extensions["onedoor"].directory.get(slug)

    def register(self, slug: str = "on", **overrides: Any) -> Any:
        """Register a case for ``slug`` (a fishery dispute at sea unless told) and return it."""
        tenant = self.tenant(slug)
        with self.database.transaction(tenant.id) as session:
            case = cases.register(session, tenant, fishery(slug, **overrides), STAFF,
                                  vault=VAULT, now=NOW).case
            session.flush()
            session.expunge(case)
        return case

    def staff(self, slug: str = "on", role: str = "clerk", node: str | None = None) -> None:
        """A user ``duty`` of ``slug`` with ``role`` (at the root unless ``node``)."""
        with self.database.transaction(self.tenant(slug).id) as session:
            user = accounts.create_user(session, "duty", PASSWORD)
            accounts.add_membership(session, user, role, node)


def fishery(slug: str = "on", **overrides: Any) -> dict[str, Any]:
    """A fishery dispute's intake: two vessels' nets, at sea off 岱山."""
    data = {
        "case_type": "fishery_dispute", "channel": "walk_in", "title": "流网被拖网船拖坏",
        "location_node": f"{slug}-root", "latitude": "30.35", "longitude": "122.20",
        "parties": [{"role": "applicant", "name": "林海生", "phone": "13812345678"}],
        "details": {"kind": "net_damage", "vessels": ["浙岱渔03187", "浙普渔68001"],
                    "sea_area": "岱衢洋"},
    }
    data.update(overrides)
    return data


@pytest.fixture
def site(plugin_site) -> Site:
    """Tenant "on" enables maritime (fishery mediation on) and has its three departments."""
    return _site(plugin_site, SETTINGS)


@pytest.fixture
def site_without_fishery_mediation(plugin_site) -> Site:
    """Like ``site`` with ``fishery_mediation = false``."""
    return _site(plugin_site, {**SETTINGS, "fishery_mediation": False})


def _site(plugin_site, settings) -> Site:
    app = plugin_site(NAME, settings)
    onedoor = app.extensions["onedoor"]
    with onedoor.database.transaction(onedoor.directory.get("on").id) as session:
        for code in DEPARTMENTS:
            session.add(Department(code=code, names={"zh_Hans": code}))
    return Site(app, onedoor.database)
