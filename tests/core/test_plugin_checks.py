"""Plugins' statutory intake checks and indicators, through the tenant's proxy only."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from core import audit, cases, indicators
from core.models import AuditEvent, Case
from core.pii import Vault
from core.plugins import PluginRegistry
from core.tenancy import TenantDirectory
from core.toolkit import IndicatorDefinition, IntakeFinding, PluginIndicator, hookimpl, msg
from core.workflow import ALL_STAFF, Actor
from tests.core.test_cases import LEVELS, NODES, two_parties
from tests.factories import make_tenant

NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
VAULT = Vault("test-secret-for-pii-0123456789")
STAFF = Actor("staff", ALL_STAFF)


class Statute:
    """Refuses a title with 'late' in it, warns on 'old'; counts group cases."""

    @hookimpl
    def onedoor_check_intake(self, case_type, data, now):
        assert now == NOW and case_type.code == data["case_type"]
        if "late" in data["title"]:
            return [IntakeFinding("title", msg("filed after %(days)s days", days=90),
                                  blocking=True, rule="Art. 10")]
        if "old" in data["title"]:
            return [IntakeFinding("title", msg("close to the limitation"), rule="Art. 27")]
        return None

    @hookimpl
    def onedoor_indicators(self):
        definition = IndicatorDefinition(
            "statute_groups", "ratio", {"zh_Hans": "群体件占比", "en": "Group share"},
            {"zh_Hans": "群体件 ÷ 登记量", "en": "group cases ÷ intake"})

        def count(session, ids):
            row = session.execute(select(func.count().filter(Case.is_group.is_(True)),
                                         func.count()).where(Case.id.in_(ids))).one()
            return row[0], row[1]

        return [PluginIndicator(definition, count)]


@pytest.fixture
def tenants(database):
    registry = PluginRegistry()
    registry.register(Statute(), "statute")
    make_tenant(database, "with", levels=LEVELS, nodes=NODES, plugins={"statute": {}})
    make_tenant(database, "without", levels=LEVELS, nodes=NODES)
    directory = TenantDirectory(database, registry)
    return database, directory.get("with"), directory.get("without")


def register(database, tenant, **overrides):
    with database.transaction(tenant.id) as session:
        return cases.register(session, tenant, two_parties(**overrides), STAFF, vault=VAULT,
                              now=NOW).case.code


def test_a_blocking_finding_refuses_intake_under_its_field_and_writes_nothing(tenants):
    database, tenant, _ = tenants
    with pytest.raises(cases.CaseInvalid) as refused:
        register(database, tenant, title="filed late")
    assert refused.value.fields == {"title": ["filed after 90 days"]}
    with database.transaction(tenant.id) as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0
        assert audit.verify_chain(session).ok


def test_a_warning_is_kept_on_the_case_and_in_its_audit_event(tenants):
    database, tenant, _ = tenants
    code = register(database, tenant, title="an old claim")
    with database.transaction(tenant.id) as session:
        case = cases.get_case(session, code)
        assert case.warnings == [{"field": "title", "msgid": "close to the limitation",
                                  "params": {}, "rule": "Art. 27"}]
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "case.registered"))
        assert event.data["warnings"] == case.warnings
    assert register(database, tenant) != code  # no finding: no warning
    with database.transaction(tenant.id) as session:
        assert [c.warnings for c in session.scalars(select(Case).order_by(Case.id))][1] == []


def test_a_tenant_without_the_plugin_is_not_checked(tenants):
    database, _, other = tenants
    code = register(database, other, title="filed late")
    with database.transaction(other.id) as session:
        assert cases.get_case(session, code).warnings == []


def test_plugin_indicators_count_the_population_for_enabling_tenants_only(tenants):
    database, tenant, other = tenants
    register(database, tenant, is_group=True, people_involved=8)
    register(database, tenant)
    register(database, other, is_group=True, people_involved=8)
    with database.transaction(tenant.id) as session:
        figure = indicators.compute(session, tenant)["statute_groups"]
    assert (figure.numerator, figure.denominator, figure.value) == (1, 2, 0.5)
    assert indicators.definitions(tenant)["statute_groups"].name("en") == "Group share"
    with database.transaction(other.id) as session:
        assert "statute_groups" not in indicators.compute(session, other).figures
    assert "statute_groups" not in indicators.definitions(other)
