"""Clocks a person changes: extension with approval (延期审批), pause and resume — each one
audited step that refuses bad input naming the field and writes nothing then."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from core import audit, cases, sla
from core.db import Database
from core.models import AuditEvent, Deadline
from core.pii import Vault
from core.plugins import PluginRegistry
from core.tenancy import TenantDirectory
from core.tiers import NodeRow
from core.workflow import ALL_STAFF, Actor
from tests.factories import make_tenant

REGISTERED = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)  # Tuesday 1 September, 10:00 in Shanghai
LATER = datetime(2026, 9, 20, 2, 0, tzinfo=UTC)
VAULT = Vault("test-secret-for-pii-0123456789")
STAFF = Actor("staff", ALL_STAFF)
LEADER = Actor("刘主任", frozenset({"leader"}), "/D1/")
LEVELS = ("county", "town", "village")
NODES = [NodeRow("D1", "county", "海州区"), NodeRow("T1", "town", "新南街道", parent="D1"),
         NodeRow("V1", "village", "东风社区", parent="T1"),
         NodeRow("T2", "town", "朐阳街道", parent="D1")]


@pytest.fixture
def petition(database: Database, registry: PluginRegistry):
    """A petition accepted on 1 September: its 60-day handling clock (信访工作条例 Art. 34,
    +30 with the agency head's approval) runs to Monday 2 November."""
    tenant_id = make_tenant(database, "haizhou", levels=LEVELS, nodes=NODES)
    tenant = TenantDirectory(database, registry).get("haizhou")
    with database.transaction(tenant_id) as session:
        code = cases.register(session, tenant, {
            "case_type": "petition", "category": "other", "channel": "petition",
            "title": "征地补偿款未发放", "location_node": "V1",
            "parties": [{"role": "applicant", "name": "张三", "phone": "13812345678"}]},
            STAFF, vault=VAULT, now=REGISTERED).case.code
        cases.transition(session, tenant, code, "accept", STAFF, {}, now=REGISTERED)
    return database, tenant, code


def step(world, action, data, actor=LEADER, now=LATER):
    database, tenant, code = world
    with database.transaction(tenant.id) as session:
        return action(session, tenant, code, actor, data, now=now)


def handling_clock(world) -> Deadline:
    database, tenant, code = world
    with database.transaction(tenant.id) as session:
        case = cases.get_case(session, code)
        return session.scalar(select(Deadline).where(Deadline.case_id == case.id,
                                                     Deadline.rule == "petition_handle"))


def events(world, action: str) -> list[AuditEvent]:
    database, tenant, _code = world
    with database.transaction(tenant.id) as session:
        assert audit.verify_chain(session).ok
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def shanghai_day(moment: datetime) -> str:
    return sla.from_db(moment).astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()


def test_a_leader_extends_the_period_and_the_approval_is_audited(petition) -> None:
    assert shanghai_day(handling_clock(petition).due_at) == "2026-11-02"
    clock = step(petition, cases.extend_clock,
                 {"rule": "petition_handle", "days": 20, "reason": "需多部门会商"})
    assert clock.extended_by == 20
    assert shanghai_day(handling_clock(petition).due_at) == "2026-11-20"
    [event] = events(petition, "deadline.extended")
    assert event.actor == "刘主任" and event.object_id == petition[2]
    assert event.data["by"] == 20 and event.data["reason"] == "需多部门会商"
    assert event.data["due_before"].startswith("2026-11-02")
    assert event.data["due_after"].startswith("2026-11-20")
    # The second approval may use what is left of the 30 days, no more.
    step(petition, cases.extend_clock, {"rule": "petition_handle", "days": 10, "reason": "再延"})
    assert shanghai_day(handling_clock(petition).due_at) == "2026-11-30"
    with pytest.raises(cases.CaseInvalid) as refused:
        step(petition, cases.extend_clock, {"rule": "petition_handle", "days": 1,
                                            "reason": "又延"})
    assert list(refused.value.fields) == ["days"]
    assert refused.value.fields["days"] == [
        "the whole extension the rules allow has already been granted"]


@pytest.mark.parametrize(("data", "field", "words"), [
    ({"rule": "petition_handle", "days": 31, "reason": "x"}, "days", "at most 30 more days"),
    ({"rule": "petition_handle", "days": 0, "reason": "x"}, "days", ""),
    ({"rule": "petition_handle", "days": "5", "reason": "x"}, "days", "integer"),
    ({"rule": "petition_handle", "days": 5, "reason": "  "}, "reason", "say why"),
    ({"rule": "petition_handle", "days": 5}, "reason", "Missing data"),
    ({"rule": "petition_register", "days": 5, "reason": "x"}, "rule", "no open deadline"),
    ({"rule": "general_mediation", "days": 5, "reason": "x"}, "rule", "no open deadline"),
])
def test_bad_extensions_name_the_field_and_write_nothing(petition, data, field, words) -> None:
    before = handling_clock(petition)
    with pytest.raises(cases.CaseInvalid) as refused:
        step(petition, cases.extend_clock, data)
    assert field in refused.value.fields and words in " ".join(refused.value.fields[field])
    after = handling_clock(petition)
    assert (after.extended_by, after.due_at) == (0, before.due_at)
    assert events(petition, "deadline.extended") == []


def test_a_rule_without_a_statutory_extension_cannot_be_extended(database, registry) -> None:
    tenant_id = make_tenant(database, "haizhou", levels=LEVELS, nodes=NODES)
    tenant = TenantDirectory(database, registry).get("haizhou")
    with database.transaction(tenant_id) as session:
        code = cases.register(session, tenant, {
            "case_type": "general_dispute", "category": "neighbor", "channel": "walk_in",
            "title": "邻里纠纷", "location_node": "V1",
            "parties": [{"role": "applicant", "name": "张三", "phone": "13812345678"}]},
            STAFF, vault=VAULT, now=REGISTERED).case.code
    with pytest.raises(cases.CaseInvalid) as refused:
        step((database, tenant, code), cases.extend_clock,
             {"rule": "general_accept", "days": 1, "reason": "x"}, now=REGISTERED)
    assert refused.value.fields == {"rule": ["the rules allow no extension of this deadline"]}


def test_a_missed_period_is_not_revived(petition) -> None:
    after_due = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)
    with pytest.raises(cases.CaseInvalid) as refused:
        step(petition, cases.extend_clock,
             {"rule": "petition_handle", "days": 5, "reason": "x"}, now=after_due)
    assert "already passed" in refused.value.fields["rule"][0]


@pytest.mark.parametrize(("actor", "reason"), [
    (Actor("王调解", frozenset({"mediator", "dispatcher", "clerk"}), "/D1/"), "role"),
    (Actor("李主任", frozenset({"leader"}), "/D1/T2/"), "scope"),
])
def test_only_a_leader_over_the_case_approves(petition, actor, reason) -> None:
    with pytest.raises(cases.TransitionRefused) as refused:
        step(petition, cases.extend_clock,
             {"rule": "petition_handle", "days": 5, "reason": "x"}, actor=actor)
    assert refused.value.reasons == [reason]
    assert handling_clock(petition).extended_by == 0


def test_an_appraisal_pauses_the_clock_and_resuming_adds_the_days_lost(petition) -> None:
    mediator = Actor("王调解", frozenset({"mediator"}), "/D1/T1/")
    paused = step(petition, cases.pause_clock, {"rule": "petition_handle",
                                                "reason": "司法鉴定中"}, actor=mediator)
    assert paused.state == "paused"
    with pytest.raises(cases.CaseInvalid) as refused:
        step(petition, cases.pause_clock, {"rule": "petition_handle", "reason": "again"},
             actor=mediator)
    assert refused.value.fields == {"rule": ["only a running deadline can be paused"]}
    # Paused on 20 September, resumed on the 25th: five days lost.
    resumed = step(petition, cases.resume_clock, {"rule": "petition_handle",
                                                  "reason": "鉴定意见已出"},
                   actor=mediator, now=datetime(2026, 9, 25, 2, 0, tzinfo=UTC))
    assert resumed.state == "running"
    assert shanghai_day(handling_clock(petition).due_at) == "2026-11-05"
    with pytest.raises(cases.CaseInvalid) as refused:
        step(petition, cases.resume_clock, {"rule": "petition_handle", "reason": "x"},
             actor=mediator)
    assert refused.value.fields == {"rule": ["this deadline is not paused"]}
    [pause] = events(petition, "deadline.paused")
    [resume] = events(petition, "deadline.resumed")
    assert pause.data == {"rule": "petition_handle", "reason": "司法鉴定中"}
    assert resume.data["due_after"].startswith("2026-11-05")
