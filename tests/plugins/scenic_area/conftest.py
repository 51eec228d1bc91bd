"""A site where tenant "on" runs the scenic area plugin with its liaisons, and "off" does not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask

from core import cases
from core.models import Department
from core.pii import Vault
from core.tenancy import TenantContext
from core.workflow import ALL_STAFF, Actor

NAME = "scenic_area"
SETTINGS = {"scenic_spots": ["普陀山", "桃花岛"], "response_minutes": 15}
LIAISONS = ("scenic_area_tourism_police", "scenic_area_tourism_bureau",
            "scenic_area_enforcement")
#: Monday 2 November 2026, 10:00 in Shanghai.
NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
VAULT = Vault("test-secret-for-pii-0123456789")
STAFF = Actor("staff", ALL_STAFF)


@dataclass
class Site:
    """The app, its database and the two tenants' contexts."""

    app: Flask
    database: Any

    def tenant(self, slug: str = "on") -> TenantContext:
        """The tenant's current context."""
        return self.app.extensions["onedoor"].directory.get(slug)

    def register(self, slug: str = "on", **overrides: Any) -> Any:
        """Register a case for ``slug`` (a tourism complaint unless told) and return it."""
        data = complaint(slug, **overrides)
        tenant = self.tenant(slug)
        with self.database.transaction(tenant.id) as session:
            case = cases.register(session, tenant, data, STAFF, vault=VAULT,
                                  now=overrides.get("now", NOW)).case
            session.flush()
            session.expunge(case)
        return case


def complaint(slug: str = "on", **overrides: Any) -> dict[str, Any]:
    """A tourism complaint's intake; ``details`` overrides merge into the example's."""
    details = {"scenic_spot": "普陀山", "tour_end_date": "2026-10-03",
               "respondent_kind": "travel_agency"}
    if overrides.get("case_type", "tourism_complaint") != "tourism_complaint":
        details = {}  # another type: its details are all given
    details.update(overrides.pop("details", {}))
    overrides.pop("now", None)
    data = {
        "case_type": "tourism_complaint", "channel": "walk_in",
        "title": "导游强制购物", "location_node": f"{slug}-root",
        "parties": [{"role": "applicant", "name": "王海", "phone": "13812345678"}],
        "details": details,
    }
    data.update(overrides)
    return data


@pytest.fixture
def site(plugin_site) -> Site:
    """Tenant "on" enables scenic_area (spots 普陀山, 桃花岛; 15 minutes) and has the liaisons."""
    app = plugin_site(NAME, SETTINGS)
    onedoor = app.extensions["onedoor"]
    tenant_id = onedoor.directory.get("on").id
    with onedoor.database.transaction(tenant_id) as session:
        for code in LIAISONS:
            session.add(Department(code=code, names={"zh_Hans": code}))
    return Site(app, onedoor.database)
