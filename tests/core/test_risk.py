"""Risk grading (风险研判) and key-person/event risk files.

Rules are pure functions of :class:`core.risk.RiskFacts`, so thresholds are tested on facts; what
needs the database (repeat parties through blind indexes, tenant scoping, manual levels, risk
files and their audit events) runs on SQLite and on PostgreSQL as the application role.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event, select

from core import audit, risk
from core.db import Database, TenantSession
from core.models import AuditEvent, Case, Party, RiskFile, TierNode
from core.pii import Vault
from tests.factories import make_tenant

LOCALES = {"zh_Hans", "zh_Hant", "en"}
VAULT = Vault("test-secret-for-blind-indexes")
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai


# --- helpers shared with test_supervision ---------------------------------------------------------


def person(tenant_id: int, id_number: str | None = "110101199003070035",
           phone: str | None = None, role: str = "applicant") -> Party:
    """A party whose blind indexes are computed the way intake computes them."""
    party = Party(role=role, name="张三", tenant_id=tenant_id)
    if id_number:
        party.id_index = VAULT.blind_index(id_number, tenant_id=tenant_id, kind="id_number")
    if phone:
        party.phone_index = VAULT.blind_index(phone, tenant_id=tenant_id, kind="phone")
    return party


_serial = iter(range(1, 1_000_000))


def make_case(session: TenantSession, *, parties: list[Party] = (), **fields: Any) -> Case:
    """A case written directly through the ORM (lifecycle tests go through core.cases)."""
    node = session.scalar(select(TierNode).order_by(TierNode.depth.desc()).limit(1))
    values: dict[str, Any] = {
        "code": f"T{session.tenant_id}-2026-{next(_serial):06d}-X", "case_type": "general_dispute",
        "category": "neighbor", "channel": "walk_in", "title": "邻里纠纷",
        "location_node_id": node.id, "node_id": node.id, "status": "in_mediation",
        "registered_by": "test", "registered_at": NOW,
    }
    values.update(fields)
    case = Case(**values)
    for party in parties:
        case.parties.append(party)
    session.add(case)
    session.flush()
    return case


def facts(**overrides: Any) -> risk.RiskFacts:
    """Facts of a quiet case (blue), with ``overrides``; ``config`` is merged like the real one."""
    base = risk.RiskFacts(
        case_id=1, case_type="general_dispute", category="neighbor", channel="walk_in",
        people_involved=1, is_group=False, amount=None, text="邻里噪音\n楼上装修太吵",
        party_indexes=frozenset(), repeat_cases=0, overdue=False, current_level="blue",
        config=risk.risk_config({}),
    )
    if "config" in overrides:
        overrides["config"] = risk.risk_config(overrides["config"])
    return replace(base, **overrides)


def grade(f: risk.RiskFacts, rules: list[risk.RiskRule] | None = None) -> list[risk.RiskFinding]:
    return risk.evaluate_rules(f, rules if rules is not None else risk.CORE_RULES)


def only(findings: list[risk.RiskFinding]) -> risk.RiskFinding:
    assert len(findings) == 1, findings
    finding = findings[0]
    assert set(finding.reason) == LOCALES and all(finding.reason.values()), finding.reason
    return finding


# --- core rules, on facts -------------------------------------------------------------------------


def test_a_quiet_case_is_blue_with_no_findings() -> None:
    assert grade(facts()) == []


@pytest.mark.parametrize(("people", "is_group", "config", "level"), [
    (9, False, {}, None),
    (3, True, {}, "yellow"),
    (10, False, {}, "orange"),
    (49, True, {}, "orange"),
    (50, False, {}, "red"),
    (5, False, {"group_threshold": 5, "group_red_threshold": 20}, "orange"),
    (20, False, {"group_threshold": 5, "group_red_threshold": 20}, "red"),
])
def test_group_size(people: int, is_group: bool, config: dict, level: str | None) -> None:
    found = grade(facts(people_involved=people, is_group=is_group, config=config))
    if level is None:
        assert found == []
        return
    finding = only(found)
    assert (finding.level, finding.rule) == (level, "group_size")
    if level != "yellow":
        assert str(people) in finding.reason["zh_Hans"] and str(people) in finding.reason["en"]


@pytest.mark.parametrize(("amount", "config", "level"), [
    ("499999.99", {}, None),
    ("500000", {}, "orange"),
    ("4999999", {}, "orange"),
    ("5000000", {}, "red"),
    ("120000", {"amount_orange": 100_000, "amount_red": 1_000_000}, "orange"),
])
def test_amount(amount: str, config: dict, level: str | None) -> None:
    found = grade(facts(amount=Decimal(amount), config=config))
    if level is None:
        assert found == []
        return
    finding = only(found)
    assert (finding.level, finding.rule) == (level, "amount")
    assert "元" in finding.reason["zh_Hans"] and "CNY" in finding.reason["en"]


@pytest.mark.parametrize(("text", "level", "word"), [
    ("他扬言要喝农药", "red", "喝农药"),
    ("他揚言要喝農藥，同歸於盡", "red", "同归于尽"),  # traditional characters
    ("说要去跳楼", "red", "跳楼"),
    ("再不解决就杀了他", "red", "杀了"),
    ("工人准备集体上访", "orange", "集体上访"),
    ("工人準備集體上訪、拉橫幅", "orange", "拉横幅"),
    ("村民围堵工地大门", "orange", "围堵"),
])
def test_keywords_in_simplified_and_traditional(text: str, level: str, word: str) -> None:
    finding = only(grade(facts(text=f"欠薪\n{text}")))
    assert finding.level == level
    assert word in finding.reason["zh_Hans"] and word in finding.reason["en"]


def test_everyday_words_are_not_extreme_acts() -> None:
    # 杀价 (haggling), 杀虫剂 (pesticide), 杀毒 (antivirus): no bare 杀 in the list.
    assert grade(facts(text="商家杀价\n杀虫剂喷洒后邻居不满，电脑杀毒软件收费")) == []


def test_tenant_keywords_extend_the_defaults() -> None:
    config = {"keywords_red": ["烧厂房"], "keywords_orange": ["封路"]}
    assert only(grade(facts(text="扬言要烧廠房", config=config))).level == "red"
    assert only(grade(facts(text="准备封路", config=config))).level == "orange"
    # Core's words still count after a tenant adds its own.
    assert only(grade(facts(text="说要自杀", config=config))).level == "red"
    assert risk.risk_config(risk.risk_config(config)) == risk.risk_config(config)


def test_a_frozen_table_grades_as_the_merged_one_and_cannot_be_changed() -> None:
    config = {"keywords_red": ["烧厂房"], "group_threshold": 4}
    frozen = risk.frozen_risk_config(config)
    assert {k: list(v) if isinstance(v, tuple) else v for k, v in frozen.items()} == \
        risk.risk_config(config)
    for case_facts in (facts(text="扬言要烧廠房"), facts(text="说要自杀"), facts(people_involved=5),
                       facts(text="邻里噪音")):
        merged = replace(case_facts, config=risk.risk_config(config))
        assert grade(replace(case_facts, config=frozen)) == grade(merged)
    with pytest.raises(TypeError):
        frozen["group_threshold"] = 1  # type: ignore[index]
    with pytest.raises(AttributeError):
        frozen["keywords_red"].append("封路")


def test_defaults_agree_with_the_tenant_configuration_schema() -> None:
    # core.risk keeps its own copy (importing core.tenantconfig would pull the whole apply
    # machinery into every intake); this keeps the two from drifting apart.
    from core.tenantconfig.schema import RISK_DEFAULTS  # noqa: PLC0415

    assert risk.DEFAULTS == RISK_DEFAULTS


def test_red_and_orange_keywords_give_two_findings() -> None:
    found = grade(facts(text="集体上访，有人说要跳河"))
    assert {(f.rule, f.level) for f in found} == {("extreme_keywords", "red"),
                                                 ("collective_keywords", "orange")}


@pytest.mark.parametrize(("repeat", "level"), [(0, None), (1, "yellow"), (2, "orange"),
                                               (5, "orange")])
def test_repeat_parties_third_call_is_orange(repeat: int, level: str | None) -> None:
    found = grade(facts(repeat_cases=repeat))
    if level is None:
        assert found == []
        return
    finding = only(found)
    assert (finding.level, finding.rule) == (level, "repeat_parties")
    assert f"第{repeat + 1}次" in finding.reason["zh_Hans"]


def test_overdue_red_case_stays_red_and_asks_for_supervision() -> None:
    finding = only(grade(facts(overdue=True, current_level="red")))
    assert (finding.level, finding.rule, finding.supervise) == ("red", "overdue_red", True)
    assert finding.reason["en"] == "overdue red case"
    assert grade(facts(overdue=True, current_level="orange")) == []
    assert grade(facts(overdue=False, current_level="red")) == []


def test_broken_rules_are_named() -> None:
    def boom(_facts: risk.RiskFacts) -> risk.RiskFinding | None:
        raise KeyError("details.weapon")

    with pytest.raises(risk.RiskError) as exc:
        grade(facts(), [risk.RiskRule("maritime_weapons", boom)])
    assert exc.value.field == "maritime_weapons"
    purple = risk.RiskRule("purple", lambda f: risk.RiskFinding("purple", "purple", {"en": "x"}))
    with pytest.raises(risk.RiskError, match="unknown level 'purple'"):
        grade(facts(), [purple])


# --- assessment through the database -------------------------------------------------------------


@pytest.fixture
def tenants(database: Database) -> tuple[int, int]:
    return make_tenant(database, "alpha"), make_tenant(database, "beta")


def test_highest_level_wins_and_reasons_are_json(database: Database, tenants) -> None:
    alpha, _ = tenants
    with database.transaction(alpha) as session:
        case = make_case(session, people_involved=12, amount=Decimal("6000000"),
                         description="工人说要集体上访", parties=[person(alpha)])
        assessment = risk.assess(session, case, risk.CORE_RULES, {})
        assert assessment.level == "red"
        assert [(f.rule, f.level) for f in assessment.findings] == [
            ("amount", "red"), ("group_size", "orange"), ("collective_keywords", "orange")]
        assert risk.apply_assessment(case, assessment) is True
        assert case.risk == "red"
        assert json.loads(json.dumps(case.risk_reasons, ensure_ascii=False)) == case.risk_reasons
        assert case.risk_reasons[0]["rule"] == "amount"
        assert set(case.risk_reasons[0]["reason"]) == LOCALES
        assert risk.apply_assessment(case, assessment) is False  # no change the second time
    with database.transaction(alpha) as session:
        stored = session.get(Case, case.id)
        assert stored.risk == "red" and len(stored.risk_reasons) == 3


def _three_calls(session: TenantSession, tenant_id: int, **party: Any) -> list[Case]:
    return [make_case(session, registered_at=NOW - timedelta(days=d),
                      parties=[person(tenant_id, **party)]) for d in (30, 10)]


def test_repeat_parties_via_blind_index_in_the_same_tenant_only(database: Database,
                                                                tenants) -> None:
    alpha, beta = tenants
    same_index = person(alpha).id_index
    with database.transaction(beta) as session:
        # Tenant B holds many cases whose party carries tenant A's very index string: the
        # query must not see them (blind indexes differ per tenant, and the query is scoped).
        for _ in range(4):
            b_case = make_case(session, parties=[Party(role="applicant", name="李四",
                                                       id_index=same_index)])
        assert risk.assess(session, b_case, risk.CORE_RULES, {}).level == "orange"
    with database.transaction(alpha) as session:
        first = make_case(session, registered_at=NOW - timedelta(days=30),
                          parties=[person(alpha)])
        assessment = risk.assess(session, first, risk.CORE_RULES, {})
        assert assessment.level == "blue"
        second = make_case(session, registered_at=NOW - timedelta(days=10),
                           parties=[person(alpha)])
        assert risk.assess(session, second, risk.CORE_RULES, {}).level == "yellow"
        # The third call (三次报警) — found through the phone alone this time.
        third = make_case(session, parties=[
            person(alpha, id_number=None, phone="13800138000"),
            person(alpha, id_number=None, phone="13900139000", role="respondent")])
        third_rs = risk.assess(session, third, risk.CORE_RULES, {})
        assert third_rs.level == "blue"  # no shared index yet
        make_case(session, registered_at=NOW - timedelta(days=5),
                  parties=[person(alpha, id_number="110101199003070035", phone="13800138000")])
        third_rs = risk.assess(session, third, risk.CORE_RULES, {})
        assert third_rs.level == "yellow"
        fourth = make_case(session, parties=[person(alpha)])
        finding = risk.assess(session, fourth, risk.CORE_RULES, {}).findings[0]
        assert (finding.rule, finding.level) == ("repeat_parties", "orange")
        assert "第4次" in finding.reason["zh_Hans"]
        facts_ = risk.gather_facts(session, fourth, {})
        assert facts_.repeat_cases == 3 and facts_.party_indexes == {person(alpha).id_index}


def test_repeat_window_and_threshold_come_from_the_tenant(database: Database, tenants) -> None:
    alpha, _ = tenants
    with database.transaction(alpha) as session:
        make_case(session, registered_at=NOW - timedelta(days=400), parties=[person(alpha)])
        make_case(session, registered_at=NOW - timedelta(days=100), parties=[person(alpha)])
        case = make_case(session, parties=[person(alpha)])
        assert risk.gather_facts(session, case, {}).repeat_cases == 1
        assert risk.gather_facts(session, case, {"repeat_window_days": 500}).repeat_cases == 2
        assert risk.assess(session, case, risk.CORE_RULES,
                           {"repeat_cases": 2}).level == "orange"


def test_facts_cost_one_query(database: Database, tenants) -> None:
    alpha, _ = tenants
    with database.transaction(alpha) as session:
        _three_calls(session, alpha)
        case = make_case(session, parties=[person(alpha, phone="13800138000")])
        statements: list[str] = []

        def log(_conn, _cursor, statement, *_args) -> None:
            statements.append(statement)

        engine = database.engine
        event.listen(engine, "before_cursor_execute", log)
        try:
            assert risk.gather_facts(session, case, {}).repeat_cases == 2
        finally:
            event.remove(engine, "before_cursor_execute", log)
        assert len(statements) == 1 and "parties" in statements[0]


@pytest.mark.parametrize("known_by", [{"id": True, "phone": True}, {"id": True, "phone": False},
                                      {"id": False, "phone": True}], ids=["both", "id", "phone"])
def test_the_repeat_party_count_starts_from_the_parties_index_on_sqlite(
        database: Database, tenants, known_by: dict) -> None:
    """A party known by its phone alone (the usual hotline caller) must not make SQLite walk
    every case registered in the window: each shape of the query looks the parties up by index
    and reaches cases by primary key, so its cost does not grow with the table."""
    if database.engine.dialect.name != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's (PostgreSQL: bench/intake.py growth)")
    alpha, _ = tenants
    captured: list[tuple[str, Any]] = []

    def capture(_conn, _cursor, statement, parameters, *_rest) -> None:
        if "count(DISTINCT" in statement:
            captured.append((statement, parameters))

    with database.transaction(alpha) as session:
        party = person(alpha, id_number="110101199003070035" if known_by["id"] else None,
                       phone="13800138000" if known_by["phone"] else None)
        case = make_case(session, parties=[party])
        event.listen(database.engine, "before_cursor_execute", capture)
        try:
            risk.gather_facts(session, case, {})
        finally:
            event.remove(database.engine, "before_cursor_execute", capture)
        [(statement, parameters)] = captured
        plan = [row[-1] for row in session.connection().exec_driver_sql(
            f"EXPLAIN QUERY PLAN {statement}", parameters)]
    cases = [d for d in plan if d.startswith(("SEARCH c", "SCAN c"))]
    assert cases == ["SEARCH c USING INTEGER PRIMARY KEY (rowid=?)"], plan
    assert any(d.startswith("SEARCH p USING INDEX ix_parties_tenant_id_") for d in plan), plan


def test_overdue_red_case_through_assess(database: Database, tenants) -> None:
    alpha, _ = tenants
    with database.transaction(alpha) as session:
        case = make_case(session, description="他说要跳楼", due_at=NOW - timedelta(hours=1))
        risk.apply_assessment(case, risk.assess(session, case, risk.CORE_RULES, {}))
        assert case.risk == "red"
        # Without a clock only the sweep's flag counts; with one, the passed due date does.
        assert not risk.assess(session, case, risk.CORE_RULES, {}).needs_supervision
        assessment = risk.assess(session, case, risk.CORE_RULES, {}, now=NOW)
        assert assessment.level == "red" and assessment.needs_supervision
        case.overdue = True
        assessment = risk.assess(session, case, risk.CORE_RULES, {})
        assert assessment.needs_supervision
        risk.apply_assessment(case, assessment)
        assert {"rule": "overdue_red", "level": "red", "supervise": True}.items() <= \
            next(r for r in case.risk_reasons if r["rule"] == "overdue_red").items()


def test_manual_level_is_kept_unless_told(database: Database, tenants) -> None:
    alpha, _ = tenants
    with database.transaction(alpha) as session:
        case = make_case(session, people_involved=12)
        risk.apply_assessment(case, risk.assess(session, case, risk.CORE_RULES, {}))
        assert case.risk == "orange"
        assert risk.set_manual_risk(session, case, "red", by="leader-1",
                                    reason="当事人情绪激动，研判会认定", now=NOW) == "red"
        for _ in range(2):  # survives any number of reassessments
            assessment = risk.assess(session, case, risk.CORE_RULES, {})
            assert assessment.level == "red"
            risk.apply_assessment(case, assessment)
        manual = risk.manual_entry(case)
        assert manual is not None and manual["by"] == "leader-1" and manual["level"] == "red"
        assert [r["rule"] for r in case.risk_reasons] == ["manual", "group_size"]
        # Told to drop it: the rules alone decide.
        assessment = risk.assess(session, case, risk.CORE_RULES, {}, keep_manual=False)
        risk.apply_assessment(case, assessment)
        assert case.risk == "orange" and risk.manual_entry(case) is None
        # A manual level below the rules' is a floor, not a ceiling.
        risk.set_manual_risk(session, case, "yellow", by="leader-1", reason="复核", now=NOW)
        assert risk.assess(session, case, risk.CORE_RULES, {}).level == "orange"
        assert risk.set_manual_risk(session, case, None, by="leader-1", reason="") == "orange"
        assert risk.manual_entry(case) is None
        with pytest.raises(risk.RiskError):
            risk.set_manual_risk(session, case, "crimson", by="x", reason="y")
        events = session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_id == case.code)).all()
        assert events == ["case.risk_set"] * 3
        assert audit.verify_chain(session).ok


def test_plugin_rules_participate(database: Database, tenants) -> None:
    alpha, _ = tenants

    def vessel_in_typhoon(f: risk.RiskFacts) -> risk.RiskFinding | None:
        if f.details.get("typhoon_warning"):
            return risk.RiskFinding("red", "maritime_typhoon", {
                "zh_Hans": "台风预警期间渔船纠纷", "zh_Hant": "颱風預警期間漁船糾紛",
                "en": "fishing-boat dispute during a typhoon warning"})
        return None

    rules = [*risk.CORE_RULES, risk.RiskRule("maritime_typhoon", vessel_in_typhoon)]
    with database.transaction(alpha) as session:
        case = make_case(session, people_involved=10, details={"typhoon_warning": True})
        assessment = risk.assess(session, case, rules, {})
        assert assessment.level == "red"
        assert [f.rule for f in assessment.findings] == ["maritime_typhoon", "group_size"]
        quiet = make_case(session, details={})
        assert risk.assess(session, quiet, rules, {}).level == "blue"


# --- risk files -----------------------------------------------------------------------------------


def _actions(session: TenantSession, risk_file: RiskFile) -> list[str]:
    return list(session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "risk_file",
                                        AuditEvent.object_id == str(risk_file.id))
        .order_by(AuditEvent.seq)))


def test_risk_file_lifecycle_is_audited(database: Database, tenants) -> None:
    alpha, _ = tenants
    with database.transaction(alpha) as session:
        first = make_case(session, parties=[person(alpha, phone="13800138000")])
        party = first.parties[0]
        assert risk.subject_index_of(party) == party.id_index
        risk_file = risk.open_risk_file(
            session, kind="person", title="重点人员：反复报警", level="orange",
            created_by="dispatcher-1", subject_index=risk.subject_index_of(party),
            cases=[first], now=NOW)
        second = make_case(session, parties=[person(alpha)])
        assert risk.link_case(session, risk_file, second, by="dispatcher-1") is True
        assert risk.link_case(session, risk_file, second) is False  # nothing new, no event
        assert risk.set_file_level(session, risk_file, "red", by="leader-1", reason="扬言报复")
        assert not risk.set_file_level(session, risk_file, "red", by="leader-1")
        with pytest.raises(risk.RiskError, match="already has open risk file"):
            risk.open_risk_file(session, kind="person", title="重复", level="yellow",
                                created_by="x", subject_index=risk_file.subject_index)
        risk.close_risk_file(session, risk_file, by="leader-1", reason="已稳控", now=NOW)
        with pytest.raises(risk.RiskError, match="closed"):
            risk.link_case(session, risk_file, make_case(session))
        assert risk_file.case_ids == [first.id, second.id]
        assert _actions(session, risk_file) == [
            "risk_file.opened", "risk_file.case_linked", "risk_file.regraded",
            "risk_file.closed"]
        assert audit.verify_chain(session).ok


@pytest.mark.parametrize(("bad", "field"), [
    ({"kind": "place"}, "kind"), ({"level": "pink"}, "level"), ({"title": " "}, "title"),
    ({"subject_index": None}, "subject_index"),
])
def test_risk_file_input_is_checked(database: Database, tenants, bad, field) -> None:
    alpha, _ = tenants
    args = {"kind": "person", "title": "t", "level": "yellow", "created_by": "x",
            "subject_index": "abc", **bad}
    with database.transaction(alpha) as session:
        with pytest.raises(risk.RiskError) as exc:
            risk.open_risk_file(session, **args)
        assert exc.value.field == field


def test_files_for_case_by_blind_index_and_by_link(database: Database, tenants) -> None:
    alpha, beta = tenants
    with database.transaction(alpha) as session:
        old = make_case(session, parties=[person(alpha, phone="13800138000")])
        person_file = risk.open_risk_file(
            session, kind="person", title="重点人员", level="orange", created_by="x",
            subject_index=old.parties[0].phone_index, now=NOW)
        event_case = make_case(session, title="某厂欠薪")
        event_file = risk.open_risk_file(session, kind="event", title="某厂集体欠薪",
                                         level="red", created_by="x", cases=[event_case])
        # A new case of the same person, known only by phone this time.
        new = make_case(session, parties=[person(alpha, id_number=None, phone="13800138000")])
        assert [f.id for f in risk.files_for_case(session, new)] == [person_file.id]
        assert [f.id for f in risk.files_for_case(session, event_case)] == [event_file.id]
        assert risk.files_for_case(session, make_case(session)) == []
        ids = (person_file.id, event_file.id)
        index = person_file.subject_index
    with database.transaction(beta) as session:
        # Tenant B cannot see A's files, not by id and not by the very same index string.
        assert [session.get(RiskFile, i) for i in ids] == [None, None]
        stranger = make_case(session, parties=[Party(role="applicant", name="x",
                                                     phone_index=index)])
        assert risk.files_for_case(session, stranger) == []
        assert session.scalars(select(RiskFile)).all() == []
