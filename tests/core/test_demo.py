"""The demo's synthetic cases: core's types, and a few of every enabled plugin's case types."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from marshmallow import Schema, fields
from sqlalchemy import func, select

from core.db import Database
from core.demo import PER_PLUGIN_TYPE, seed_cases
from core.models import Case
from core.pii import Vault
from core.plugins import PluginRegistry
from core.tenancy import TenantDirectory
from core.toolkit import CaseType, hookimpl
from tests.factories import make_tenant

NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
VAULT = Vault("test-secret-for-pii-0123456789")


class Notary:
    """A plugin with one case type whose example the demo uses."""

    class Details(Schema):
        """What an application carries."""

        matter = fields.String(required=True)

    @hookimpl
    def onedoor_case_types(self):
        return [CaseType("demo_notary", {"zh_Hans": "公证申请", "en": "Notary"},
                         details_schema=self.Details, example={"matter": "inheritance"})]


@pytest.fixture
def tenants(sqlite_url: str):
    database = Database(sqlite_url)
    registry = PluginRegistry()
    registry.register(Notary(), "demo_notary")
    make_tenant(database, "with", plugins={"demo_notary": {}})
    make_tenant(database, "without")
    directory = TenantDirectory(database, registry)
    yield database, directory.get("with"), directory.get("without")
    database.dispose()


def by_type(database: Database, tenant_id: int) -> dict[str, list[Case]]:
    with database.transaction(tenant_id) as session:
        found: dict[str, list[Case]] = {}
        for case in session.scalars(select(Case)):
            found.setdefault(case.case_type, []).append(case)
        return found


def test_each_enabled_plugin_case_type_gets_demo_cases_with_its_example(tenants) -> None:
    database, with_plugin, without = tenants
    assert seed_cases(database, with_plugin, vault=VAULT, count=4, seed=1, now=NOW) == (
        4 + PER_PLUGIN_TYPE)
    types = by_type(database, with_plugin.id)
    assert len(types["demo_notary"]) == PER_PLUGIN_TYPE
    assert all(c.details["matter"] == "inheritance" for c in types["demo_notary"])
    assert sum(len(v) for k, v in types.items() if k != "demo_notary") == 4

    assert seed_cases(database, without, vault=VAULT, count=4, seed=1, now=NOW) == 4
    assert "demo_notary" not in by_type(database, without.id)


def test_seeding_again_adds_nothing(tenants) -> None:
    database, with_plugin, _ = tenants
    seed_cases(database, with_plugin, vault=VAULT, count=2, seed=1, now=NOW)
    assert seed_cases(database, with_plugin, vault=VAULT, count=2, seed=1, now=NOW) == 0
    with database.transaction(with_plugin.id) as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 2 + PER_PLUGIN_TYPE
