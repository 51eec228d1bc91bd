"""The case service: intake, the lifecycle, the "1+2+3" ladder, vetoes, conflicts, audit."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, func, select, text

from core import audit, cases
from core.codes import parse_code
from core.db import Database
from core.models import Case, Department, Party, TierNode
from core.pii import Vault
from core.plugins import PluginRegistry
from core.tenancy import TenantDirectory
from core.tiers import NodeRow
from core.toolkit import hookimpl
from core.workflow import ALL_STAFF, Actor
from tests.factories import make_tenant

NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # a Monday, 10:00 in Shanghai
VAULT = Vault("test-secret-for-pii-0123456789")
STAFF = Actor("staff", ALL_STAFF)
LEVELS = ("county", "town", "village")
NODES = [
    NodeRow("D1", "county", "海州区"),
    NodeRow("T1", "town", "新南街道", parent="D1"),
    NodeRow("V1", "village", "东风社区", parent="T1"),
    NodeRow("T2", "town", "朐阳街道", parent="D1"),
]


def two_parties(**overrides) -> dict:
    data = {
        "case_type": "general_dispute",
        "category": "neighbor",
        "channel": "walk_in",
        "title": "楼上漏水引发邻里纠纷",
        "description": "多次协商未果",
        "location_node": "V1",
        "parties": [
            {"role": "applicant", "name": "张三", "id_number": "11010519491231002X",
             "phone": "13812345678"},
            {"role": "respondent", "name": "李四", "phone": "0518-85821234"},
        ],
    }
    data.update(overrides)
    return data


@pytest.fixture
def world(database: Database, registry: PluginRegistry):
    tenant_id = make_tenant(database, "haizhou", levels=LEVELS, nodes=NODES)
    other_id = make_tenant(database, "other", levels=LEVELS, nodes=NODES)
    directory = TenantDirectory(database, registry)
    return database, directory.get("haizhou"), directory.get("other"), tenant_id, other_id


def register(database, tenant, data=None, actor=STAFF, now=NOW):
    with database.transaction(tenant.id) as session:
        result = cases.register(session, tenant, data or two_parties(), actor, vault=VAULT,
                                now=now)
        return result.case.code


def move(database, tenant, code, name, actor=STAFF, now=NOW, **payload):
    with database.transaction(tenant.id) as session:
        return cases.transition(session, tenant, code, name, actor, payload, now=now).status


def attempt(database, tenant, code, leader=False, now=NOW):
    with database.transaction(tenant.id) as session:
        cases.record_attempt(session, tenant, code, STAFF, {
            "mediator": "王调解", "result": "failed", "leader_involved": leader,
            "leader_name": "刘书记" if leader else ""}, now=now)


def test_a_node_code_names_each_tenants_own_node(world) -> None:
    # Both tenants have a node V1; intake remembers nodes per tenant snapshot, never across.
    database, haizhou, other, tenant_id, other_id = world
    codes = {tenant.id: register(database, tenant) for tenant in (haizhou, other, haizhou)}
    for tenant in (haizhou, other):
        with database.transaction(tenant.id) as session:
            v1 = session.scalar(select(TierNode.id).where(TierNode.code == "V1"))
            case = session.scalar(select(Case).where(Case.code == codes[tenant.id]))
            assert case.location_node_id == v1 and case.node_id == v1


def test_intake_gives_one_verified_code_and_stores_parties_encrypted(world) -> None:
    database, tenant, *_ = world
    code = register(database, tenant)
    assert str(parse_code(code)) == code and code.startswith("HA-2026-000001-")
    with database.transaction(tenant.id) as session:
        case = cases.get_case(session, code)
        applicant, respondent = case.parties
        assert applicant.id_masked == "110***********002X"
        assert applicant.phone_masked == "138****5678"
        assert respondent.phone_masked.endswith("1234")
        assert VAULT.decrypt(applicant.id_encrypted,
                             context=f"{tenant.id}:party.id_number") == "11010519491231002X"
        assert case.due_at is not None and case.status == "registered"
        raw = session.execute(text("SELECT * FROM parties WHERE tenant_id = :t"),
                              {"t": tenant.id}).all()
    assert "11010519491231002X" not in repr(raw) and "13812345678" not in repr(raw)


def test_codes_are_sequential_per_tenant_and_year(world) -> None:
    database, tenant, other, *_ = world
    first, second = register(database, tenant), register(database, tenant)
    assert parse_code(second).sequence == parse_code(first).sequence + 1
    assert parse_code(register(database, other)).sequence == 1


def test_a_registration_writes_its_rows_once(world) -> None:
    """Due date and risk go into the case's INSERT: no UPDATE of the new case (version 1)."""
    database, tenant, *_ = world
    register(database, tenant)  # the tenant's first intake also creates its number row
    verbs: list[str] = []

    def seen(_conn, _cursor, statement, *_rest) -> None:
        verbs.append(statement.split(None, 1)[0].upper())

    event.listen(database.engine, "before_cursor_execute", seen)
    try:
        code = register(database, tenant, two_parties(people_involved=60))  # red: group size
    finally:
        event.remove(database.engine, "before_cursor_execute", seen)
    assert "UPDATE" not in verbs, verbs  # the number upsert is an INSERT … ON CONFLICT
    with database.transaction(tenant.id) as session:
        case = cases.get_case(session, code)
        assert (case.version, case.risk, case.due_at is not None) == (1, "red", True)


@pytest.mark.parametrize(("party", "field"), [
    ({"id_number": "110105194912310021"}, "parties.0.id_number"),
    ({"phone": "12345"}, "parties.0.phone"),
    ({"role": "judge"}, "parties.0.role"),
])
def test_bad_party_input_names_the_field_and_writes_nothing(world, party, field) -> None:
    database, tenant, *_ = world
    data = two_parties()
    data["parties"][0].update(party)
    with pytest.raises(cases.CaseInvalid) as error:
        register(database, tenant, data)
    assert field in error.value.fields
    with database.transaction(tenant.id) as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0
        assert audit.verify_chain(session).events == 0


@pytest.mark.parametrize(("overrides", "field"), [
    ({"case_type": "no_such_type"}, "case_type"),
    ({"category": "no_such_category"}, "category"),
    ({"location_node": "NOPE"}, "location_node"),
    ({"case_type": "hotline_order", "details": {}}, "details.order_number"),
    ({"details": {"unexpected": 1}}, "details"),
    ({"parties": [{"role": "respondent", "name": "李四"}]}, "parties"),
    ({"channel": "carrier_pigeon"}, "channel"),
])
def test_bad_case_input_names_the_field(world, overrides, field) -> None:
    database, tenant, *_ = world
    with pytest.raises(cases.CaseInvalid) as error:
        register(database, tenant, two_parties(**overrides))
    assert field in error.value.fields


def test_an_idempotency_key_creates_exactly_one_case(world) -> None:
    database, tenant, *_ = world
    data = two_parties(idempotency_key="hotline-778899")
    assert register(database, tenant, data) == register(database, tenant, data)
    with pytest.raises(cases.CaseInvalid) as error:
        register(database, tenant, two_parties(idempotency_key="hotline-778899", title="别的"))
    assert "idempotency_key" in error.value.fields
    with database.transaction(tenant.id) as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 1


def test_repeat_parties_are_found_through_the_blind_index_only_within_the_tenant(world) -> None:
    database, tenant, other, *_ = world
    first = register(database, tenant)
    register(database, other)
    second = register(database, tenant, two_parties(title="又一次漏水"))
    with database.transaction(tenant.id) as session:
        case = cases.get_case(session, second)
        repeats = cases.repeat_parties(session, case)
    assert list(repeats.values())[0] == [first]


def ladder_to_mediation(database, tenant, code):
    move(database, tenant, code, "accept")
    with database.transaction(tenant.id) as session:
        department = session.scalar(select(Department.code))
    move(database, tenant, code, "assign", department=department)
    move(database, tenant, code, "start_mediation")


def test_the_1_2_3_ladder_end_to_end(world) -> None:
    database, tenant, *_ = world
    code = register(database, tenant)
    ladder_to_mediation(database, tenant, code)
    # Rung 0, the village mediator: escalating before one attempt is refused.
    with pytest.raises(cases.TransitionRefused) as refused:
        move(database, tenant, code, "escalate", reason="too early")
    assert refused.value.reasons == ["ladder:attempts:0/1"]
    attempt(database, tenant, code)
    assert move(database, tenant, code, "escalate", reason="mediator failed") == "escalated"
    # Rung 1, the village committee: two attempts, one with its secretary.
    move(database, tenant, code, "assign", department="court")
    move(database, tenant, code, "start_mediation")
    attempt(database, tenant, code)
    attempt(database, tenant, code)
    with pytest.raises(cases.TransitionRefused) as refused:
        move(database, tenant, code, "escalate", reason="no secretary yet")
    assert refused.value.reasons == ["ladder:leader"]
    attempt(database, tenant, code, leader=True)
    move(database, tenant, code, "escalate", reason="committee failed")
    with database.transaction(tenant.id) as session:
        case = cases.get_case(session, code)
        assert case.rung == 2 and case.escalations == 2
        assert session.get(TierNode, case.node_id).code == "T1"  # moved up to the town
        assert audit.verify_chain(session).ok
    # Rung 2, the town: three attempts, one with its principal leader; then the county.
    move(database, tenant, code, "assign", department="court")
    move(database, tenant, code, "start_mediation")
    attempt(database, tenant, code, leader=True)
    attempt(database, tenant, code)
    with pytest.raises(cases.TransitionRefused) as refused:
        move(database, tenant, code, "escalate", reason="two tries only")
    assert refused.value.reasons == ["ladder:attempts:2/3"]
    attempt(database, tenant, code)
    move(database, tenant, code, "escalate", reason="town failed")
    with database.transaction(tenant.id) as session:
        case = cases.get_case(session, code)
        assert case.rung == 3
        assert session.get(TierNode, case.node_id).code == "D1"  # the county takes over
    # The county is the top: nothing goes higher.
    move(database, tenant, code, "assign", department="court")
    move(database, tenant, code, "start_mediation")
    attempt(database, tenant, code, leader=True)
    with pytest.raises(cases.TransitionRefused) as refused:
        move(database, tenant, code, "escalate", reason="higher still")
    assert refused.value.reasons == ["ladder:top"]


def test_red_risk_may_jump_a_rung_nothing_else_may(world) -> None:
    database, tenant, *_ = world
    code = register(database, tenant)
    ladder_to_mediation(database, tenant, code)
    attempt(database, tenant, code)
    with pytest.raises(cases.TransitionRefused) as refused:
        move(database, tenant, code, "escalate", reason="skip", jump=True)
    assert "ladder:jump" in refused.value.reasons
    red = register(database, tenant, two_parties(description="扬言要跳楼"))
    ladder_to_mediation(database, tenant, red)
    assert move(database, tenant, red, "escalate", reason="red", jump=True) == "escalated"
    with database.transaction(tenant.id) as session:
        assert cases.get_case(session, red).rung == 2


def test_a_stale_version_is_a_conflict_not_a_lost_update(world) -> None:
    database, tenant, *_ = world
    code = register(database, tenant)
    with database.transaction(tenant.id) as session:
        seen = cases.get_case(session, code).version
    move(database, tenant, code, "accept")
    with pytest.raises(cases.CaseConflict), database.transaction(tenant.id) as session:
        cases.transition(session, tenant, code, "reject", STAFF,
                         {"reason": "x", "statutory_route": "court"}, expected_version=seen)


def test_roles_and_tier_scope_are_enforced(world) -> None:
    database, tenant, *_ = world
    code = register(database, tenant)
    mediator = Actor("m", frozenset({"mediator"}), "/D1/T1/")
    with pytest.raises(cases.TransitionRefused) as refused:
        move(database, tenant, code, "accept", actor=mediator)
    assert refused.value.reasons == ["role"]
    elsewhere = Actor("c", frozenset({"clerk"}), "/D1/T2/")
    with pytest.raises(cases.TransitionRefused) as refused:
        move(database, tenant, code, "accept", actor=elsewhere)
    assert refused.value.reasons == ["scope"]


def test_after_three_dispatches_the_center_designates_and_no_return_is_possible(world) -> None:
    database, tenant, *_ = world
    code = register(database, tenant)
    move(database, tenant, code, "accept")
    for _ in range(3):
        move(database, tenant, code, "assign", department="court")
        move(database, tenant, code, "return", reason="不属于本单位职责")
    move(database, tenant, code, "assign", department="court")
    with pytest.raises(cases.TransitionRefused) as refused:
        move(database, tenant, code, "return", reason="again")
    assert "designated" in refused.value.reasons[0]


def test_close_evaluate_and_reopen_after_an_unsatisfied_evaluation(world) -> None:
    database, tenant, *_ = world
    code = register(database, tenant)
    ladder_to_mediation(database, tenant, code)
    move(database, tenant, code, "resolve", outcome="达成协议")
    move(database, tenant, code, "close")
    with database.transaction(tenant.id) as session:
        cases.evaluate(session, tenant, code, STAFF, {"rating": "unsatisfied",
                                                      "channel": "callback"}, now=NOW)
        with pytest.raises(cases.CaseInvalid):
            cases.evaluate(session, tenant, code, STAFF, {"rating": "satisfied",
                                                          "channel": "callback"}, now=NOW)
    assert move(database, tenant, code, "reopen", reason="群众不满意") == "reopened"


def test_merge_refer_and_withdraw(world) -> None:
    database, tenant, *_ = world
    keep, duplicate = register(database, tenant), register(database, tenant)
    assert move(database, tenant, duplicate, "merge", into=keep) == "merged"
    with pytest.raises(cases.TransitionRefused):
        move(database, tenant, keep, "merge", into=keep)
    move(database, tenant, keep, "accept")
    assert move(database, tenant, keep, "refer", route="litigation", institution="海州区法院") \
        == "referred"
    other = register(database, tenant)
    assert move(database, tenant, other, "withdraw", reason="当事人撤回") == "withdrawn"


class Veto:
    """A test plugin refusing escalations and counting what it saw."""

    seen: list[str] = []

    @hookimpl
    def onedoor_validate_transition(self, transition):
        return ["插件否决：需先完成评估"] if transition.name == "resolve" else None

    @hookimpl
    def onedoor_after_transition(self, transition):
        Veto.seen.append(transition.name)


def test_plugins_can_veto_with_reasons_and_react_only_where_enabled(database) -> None:
    registry = PluginRegistry()
    registry.register(Veto(), "veto")
    make_tenant(database, "with", levels=LEVELS, nodes=NODES, plugins={"veto": {}})
    make_tenant(database, "without", levels=LEVELS, nodes=NODES)
    directory = TenantDirectory(database, registry)
    Veto.seen = []
    for slug, vetoed in (("with", True), ("without", False)):
        tenant = directory.get(slug)
        code = register(database, tenant)
        ladder_to_mediation(database, tenant, code)
        if vetoed:
            with pytest.raises(cases.TransitionRefused) as refused:
                move(database, tenant, code, "resolve", outcome="x")
            assert refused.value.reasons == ["插件否决：需先完成评估"]
        else:
            assert move(database, tenant, code, "resolve", outcome="x") == "resolved"
    assert Veto.seen == ["register", "accept", "assign", "start_mediation"]


def test_concurrent_intake_gives_distinct_dense_codes(database, registry) -> None:
    make_tenant(database, "busy", levels=LEVELS, nodes=NODES)
    tenant = TenantDirectory(database, registry).get("busy")
    codes, errors = [], []

    def worker() -> None:
        try:
            for _ in range(5):
                codes.append(register(database, tenant))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(set(codes)) == 20
    assert sorted(parse_code(c).sequence for c in codes) == list(range(1, 21))


def test_party_rows_are_tenant_scoped(world) -> None:
    database, tenant, other, *_ = world
    register(database, tenant)
    with database.transaction(other.id) as session:
        assert session.scalars(select(Party)).all() == []


def test_two_concurrent_transitions_never_lose_an_update(world) -> None:
    database, tenant, *_ = world
    code = register(database, tenant)
    first, second = database.session(tenant.id), database.session(tenant.id)
    try:
        cases.get_case(first, code), cases.get_case(second, code)  # both read version 1
        cases.transition(first, tenant, code, "accept", STAFF, {}, now=NOW)
        first.commit()
        # The loser sees either the version conflict or the new state: never a lost update.
        with pytest.raises((cases.CaseConflict, cases.TransitionRefused)):
            cases.transition(second, tenant, code, "reject", STAFF,
                             {"reason": "重复", "statutory_route": "法院"}, now=NOW)
    finally:
        second.rollback()
        first.close()
        second.close()
    with database.transaction(tenant.id) as session:
        assert cases.get_case(session, code).status == "accepted"
        assert audit.verify_chain(session).ok


def test_assign_without_a_department_takes_the_dispatch_catalog_suggestion(world) -> None:
    database, tenant, *_ = world
    with database.transaction(tenant.id) as session:
        from core.models import Tenant  # noqa: PLC0415
        row = session.get(Tenant, tenant.id)
        row.config = {**row.config, "dispatch": [
            {"lead": "court", "assisting": []},
            {"category": "neighbor", "level": "village", "lead": "court", "assisting": []}]}
        row.config_version += 1
    tenant = TenantDirectory(database, PluginRegistry()).get("haizhou")
    code = register(database, tenant)
    move(database, tenant, code, "accept")
    assert move(database, tenant, code, "assign") == "assigned"
    with database.transaction(tenant.id) as session:
        case = cases.get_case(session, code)
        suggestion = cases.suggest_route(session, tenant, case)
        events = session.execute(text(
            "SELECT data FROM audit_events WHERE tenant_id = :t AND action = 'case.assign'"),
            {"t": tenant.id}).scalars().all()
    assert suggestion.reason == "catalog: category=neighbor, level=village"
    assert "catalog: category=neighbor, level=village" in str(events)


def test_revealing_personal_data_is_audited_and_scoped(world) -> None:
    database, tenant, *_ = world
    code = register(database, tenant)
    with database.transaction(tenant.id) as session:
        party = cases.get_case(session, code).parties[0]
        assert cases.reveal_party(session, tenant, party.id, "id_number", STAFF, vault=VAULT,
                                  reason="核实身份") == "11010519491231002X"
        with pytest.raises(cases.TransitionRefused):
            cases.reveal_party(session, tenant, party.id, "phone",
                               Actor("g", frozenset({"grid_worker"})), vault=VAULT, reason="x")
        with pytest.raises(cases.CaseInvalid):
            cases.reveal_party(session, tenant, party.id, "phone", STAFF, vault=VAULT,
                               reason=" ")
        revealed = session.execute(text(
            "SELECT count(*) FROM audit_events WHERE tenant_id = :t "
            "AND action = 'party.revealed'"), {"t": tenant.id}).scalar()
    assert revealed == 1


def test_an_unsatisfied_evaluation_can_open_a_review_by_the_leaders(world) -> None:
    database, tenant, *_ = world
    code = register(database, tenant)
    ladder_to_mediation(database, tenant, code)
    move(database, tenant, code, "resolve", outcome="达成协议")
    move(database, tenant, code, "close")
    with database.transaction(tenant.id) as session:
        cases.evaluate(session, tenant, code, STAFF, {"rating": "unsatisfied",
                                                      "channel": "online", "review": True,
                                                      "comment": "赔偿未到位"}, now=NOW)
        from core.models import SupervisionNotice  # noqa: PLC0415
        notice = session.scalar(select(SupervisionNotice))
    assert notice.kind == "supervise" and "赔偿未到位" in notice.body
