"""Labor cases through the lifecycle: intake checks, statutory clocks, routing, vetoes, the
inspection linkage, similar cases, indicators — and none of it for a tenant without the plugin.
Every test runs on SQLite and on PostgreSQL (row-level security)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from core import cases, indicators
from core.cases import CaseInvalid, TransitionRefused
from core.messages import translate
from core.models import AuditEvent, Case, Deadline
from core.workflow import Actor
from plugins.labor_arbitration import plugin
from plugins.labor_arbitration.models import InspectionLink, SimilarCase
from tests.plugins.labor_arbitration.support import build, intake

NAME = "labor_arbitration"
SETTINGS = {"arbitration_commission": "岱山县劳动人事争议仲裁委员会", "minimum_wage": 2490,
            "gig_department": "new_employment_mediation"}
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # 10:00 in Hangzhou, a Monday
EXAMPLE = plugin.CASE_TYPES[0].example


def at(day: date, hour: int = 10) -> datetime:
    """``hour`` o'clock of ``day`` in Hangzhou."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


@pytest.fixture
def site(plugin_site):
    return build(plugin_site, NAME, SETTINGS)


def details(**changes):
    return {**EXAMPLE, **changes}


#: Details of a claim that arose before the September intakes of the clock tests.
SEPTEMBER = {"rights_infringed_on": "2026-09-01", "employment_ended_on": "2026-09-10"}


def clocks(site, code):
    tenant = site.tenant()
    with site.database.transaction(tenant.id) as session:
        case_id = session.scalar(select(Case.id).where(Case.code == code))
        return {d.rule: d.due_at.astimezone(SHANGHAI) for d in session.scalars(
            select(Deadline).where(Deadline.case_id == case_id))}


# --- intake ---------------------------------------------------------------------------------


@pytest.mark.parametrize("case_type", plugin.CASE_TYPES, ids=lambda t: t.code)
def test_each_case_type_registers_its_example_with_its_statutory_clocks(site, case_type):
    code = site.register(intake(case_type.code, case_type.example), NOW)
    case = site.case(code)
    assert case.window_type == "labor_arbitration" and case.category == "labor"
    assert case.details["employer"] == case_type.example["employer"]
    rules = cases.deadline_rules(site.tenant())
    assert set(clocks(site, code)) == {
        name for name in case_type.deadlines if rules[name].starts_on == "registered"}
    law = "劳动保障监察条例" if case_type.code == "labor_inspection" else "劳动争议调解仲裁法"
    for name in case_type.deadlines:
        assert law in rules[name].source
        assert rules[name].display_name("en") and rules[name].display_name("zh_Hant")


def test_details_against_the_schema_are_refused_naming_the_field(site):
    bad = details(workers=2, representatives=["甲", "乙", "丙"], claim_types=["bonus"])
    del bad["employer"]
    with pytest.raises(CaseInvalid) as refused:
        site.register(intake("labor_dispute", bad), NOW)
    assert set(refused.value.fields) == {"details.employer", "details.claim_types.0"}
    with pytest.raises(CaseInvalid) as refused:
        site.register(intake("labor_dispute", details(representatives=["甲"] * 13)), NOW)
    assert refused.value.fields == {"details.representatives": ["More representatives than "
                                                                "workers."]}


def test_a_claim_past_the_one_year_limitation_is_registered_with_the_warning_recorded(site):
    old = details(claim_types=["contract"], rights_infringed_on="2025-10-01")
    code = site.register(intake("labor_dispute", old), NOW)
    case = site.case(code)
    assert case.warnings == [{
        "field": "details.rights_infringed_on", "rule": "劳动争议调解仲裁法 第二十七条",
        "msgid": "The one-year limitation for arbitration ended on %(date)s (%(rule)s); the case "
                 "is registered because the limitation may have been interrupted or suspended — "
                 "record why.",
        "params": {"date": "2026-10-01", "rule": "劳动争议调解仲裁法 第二十七条"}}]
    with site.database.transaction(site.tenant().id) as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "case.registered"))
        assert event.data["warnings"] == case.warnings


def test_the_limitation_warns_ahead_and_spares_unpaid_wages_while_employed(site):
    near = details(claim_types=["compensation"], rights_infringed_on="2025-11-20")
    case = site.case(site.register(intake("labor_dispute", near), NOW))
    assert [w["params"] for w in case.warnings] == [
        {"date": "2026-11-20", "days": 18, "rule": "劳动争议调解仲裁法 第二十七条"}]
    employed = details(claim_types=["wage_arrears"], rights_infringed_on="2024-01-10",
                       employment_ended_on=None)
    assert site.case(site.register(intake("labor_dispute", employed), NOW)).warnings == []
    # After the employment ended, the year runs from its end (Art. 27 para. 4).
    ended = details(claim_types=["wage_arrears"], rights_infringed_on="2024-01-10",
                    employment_ended_on="2025-09-30")
    warning = site.case(site.register(intake("labor_dispute", ended), NOW)).warnings[0]
    assert (warning["field"], warning["params"]["date"]) == (
        "details.employment_ended_on", "2026-09-30")


def test_an_infringement_after_today_is_refused_in_the_readers_language(site):
    with pytest.raises(CaseInvalid) as refused:
        site.register(intake("labor_dispute", details(rights_infringed_on="2026-11-03")), NOW)
    [message] = refused.value.fields["details.rights_infringed_on"]
    with site.app.test_request_context(), force_locale("zh_Hans"):
        assert translate(message) == "权利被侵害之日不能晚于今天（2026-11-02）。"
    with site.app.test_request_context(), force_locale("zh_Hant"):
        assert translate(message) == "權利被侵害之日不能晚於今天（2026-11-02）。"
    with site.database.transaction(site.tenant().id) as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0


def test_ten_workers_without_representatives_and_final_awards_are_noted(site):
    group = details(representatives=[], workers=10)
    warnings = site.case(site.register(intake("labor_dispute", group, amount="29880"),
                                       NOW)).warnings
    assert [(w["rule"], w["field"]) for w in warnings] == [
        ("劳动争议调解仲裁法 第七条", "details.representatives"),
        ("劳动争议调解仲裁法 第四十七条", "details.claim_types")]
    assert warnings[1]["params"]["limit"] == "29,880"  # 12 × 2,490 yuan
    over = site.case(site.register(intake("labor_dispute", details(), amount="29880.01"), NOW))
    assert over.warnings == []
    standards = details(claim_types=["social_insurance"])
    assert "item 2" in site.case(site.register(intake("labor_dispute", standards),
                                               NOW)).warnings[0]["msgid"]


# --- statutory clocks, with holidays --------------------------------------------------------


def test_mediation_ends_fifteen_days_after_receipt_moved_past_the_national_day(site):
    # 20 Sept + 15 days = 5 Oct, inside the 1–7 Oct holiday: the period ends on 8 Oct.
    code = site.register(intake("labor_dispute", details(**SEPTEMBER)), at(date(2026, 9, 20)))
    assert clocks(site, code)["labor_arbitration_mediation"].date() == date(2026, 10, 8)


def test_acceptance_in_five_days_and_the_award_in_forty_five_after_acceptance(site):
    # 21 Sept + 5 days = Saturday 26 Sept (after the Mid-Autumn Festival): Monday 28 Sept.
    code = site.register(intake("labor_arbitration_application", details(**SEPTEMBER)),
                         at(date(2026, 9, 21)))
    assert clocks(site, code)["labor_arbitration_acceptance"].date() == date(2026, 9, 28)
    site.move(code, "accept", at(date(2026, 9, 24)))
    # 24 Sept + 45 days = 8 Nov, a Sunday: the award is due on Monday 9 Nov.
    assert clocks(site, code)["labor_arbitration_award_period"].date() == date(2026, 11, 9)


def test_a_tenant_lengthens_the_award_period_with_its_deadlines_table(site):
    from tests.plugins.labor_arbitration.support import set_config

    # A tenant's own period for every case (the per-case extension is the next test).
    set_config(site, "on", deadlines={"labor_arbitration_award_period": {
        "days": 60, "working_days": False}})
    code = site.register(intake("labor_arbitration_application", details(**SEPTEMBER)),
                         at(date(2026, 9, 21)))
    site.move(code, "accept", at(date(2026, 9, 24)))
    assert clocks(site, code)["labor_arbitration_award_period"].date() == date(2026, 11, 23)


def test_the_chair_extends_one_award_period_by_fifteen_days_at_most(site):
    code = site.register(intake("labor_arbitration_application", details(**SEPTEMBER)),
                         at(date(2026, 9, 21)))
    site.move(code, "accept", at(date(2026, 9, 24)))
    chair = Actor("仲裁委主任", frozenset({"leader"}))
    tenant = site.tenant()

    def extend(days):
        with site.database.transaction(tenant.id) as session:
            cases.extend_clock(session, tenant, code, chair, {
                "rule": "labor_arbitration_award_period", "days": days,
                "reason": "案情复杂，需补充调查"}, now=at(date(2026, 10, 20)))

    extend(10)  # 24 Sept + 55 days = Wednesday 18 Nov
    assert clocks(site, code)["labor_arbitration_award_period"].date() == date(2026, 11, 18)
    with pytest.raises(CaseInvalid) as refused:
        extend(6)
    assert refused.value.fields == {"days": ["at most 5 more days may be granted"]}
    extend(5)  # 60 days in all: Monday 23 Nov
    assert clocks(site, code)["labor_arbitration_award_period"].date() == date(2026, 11, 23)


# --- routing, vetoes, linkage ---------------------------------------------------------------


def _assigned(site, code):
    site.move(code, "accept", NOW)
    site.move(code, "assign", NOW)
    with site.database.transaction(site.tenant().id) as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "case.assign")
                               .order_by(AuditEvent.seq.desc()))
        return event.data["department"], event.data.get("assisting"), event.data["routing"]


def test_labor_cases_go_to_the_commission_and_gig_disputes_to_the_gig_mediators(site):
    code = site.register(intake("labor_dispute", details(workers=1, representatives=[])), NOW)
    assert _assigned(site, code) == ("labor_arbitration_commission", [],
                                     "labor_arbitration: labor_dispute → "
                                     "labor_arbitration_commission")
    gig = site.register(intake("labor_gig_dispute", plugin.CASE_TYPES[2].example), NOW)
    assert _assigned(site, gig)[0] == "new_employment_mediation"


def test_inspection_assists_once_the_case_is_linked_to_it(site):
    code = site.register(intake("labor_dispute", details(inspection_referral=True)), NOW)
    lead, assisting, reason = _assigned(site, code)
    assert (lead, assisting) == ("labor_arbitration_commission", ["labor_arbitration_inspection"])
    assert reason.endswith("(inspection linked)")


def test_arbitration_needs_the_employer_as_respondent_and_comes_before_court(site):
    person_only = intake("labor_dispute", details(), parties=[
        {"role": "applicant", "name": "王建国"}, {"role": "respondent", "name": "包工头"}])
    code = site.register(person_only, NOW)
    site.move(code, "accept", NOW)
    with pytest.raises(TransitionRefused) as refused:
        site.move(code, "refer", NOW, route="arbitration")
    assert "第二十八条" in str(refused.value.reasons[0])
    other = site.register(intake("labor_dispute", details()), NOW)
    site.move(other, "accept", NOW)
    with pytest.raises(TransitionRefused) as refused:
        site.move(other, "refer", NOW, route="litigation")
    with site.app.test_request_context(), force_locale("zh_Hans"):
        assert translate(refused.value.reasons[0]) == (
            "劳动争议须先经仲裁才能起诉（劳动争议调解仲裁法 第五条），请先导入仲裁。")
    assert site.move(other, "refer", NOW, route="arbitration") == "referred"


def test_inspection_links_open_once_per_case_with_an_audit_event(site):
    asked = site.register(intake("labor_dispute", details(workers=1, representatives=[],
                                                          inspection_referral=True)), NOW)
    group = site.register(intake("labor_dispute", details(workers=12)), NOW)
    single = site.register(intake("labor_dispute", details(workers=1, representatives=[])), NOW)
    site.move(single, "accept", NOW)
    site.move(single, "refer", NOW, route="administrative")
    contract = site.register(intake("labor_dispute", details(claim_types=["contract"])), NOW)
    with site.database.transaction(site.tenant().id) as session:
        links = {code: trigger for trigger, code in session.execute(
            select(InspectionLink.trigger, Case.code).join(Case,
                                                           Case.id == InspectionLink.case_id))}
        events = session.scalars(select(AuditEvent.object_id).where(
            AuditEvent.action == "labor_arbitration.inspection_opened")).all()
    assert links == {asked: "requested", group: "group_wage_arrears",
                     single: "administrative_referral"}
    assert contract not in links and sorted(events) == sorted(links)


def test_cases_against_one_employer_over_one_claim_are_grouped(site):
    first = site.register(intake("labor_dispute", details(employer="杭州某某（集团）有限公司")),
                          NOW)
    second = site.register(intake("labor_dispute", details(
        employer="杭州某某(集团)有限公司 ", claim_types=["wage_arrears", "compensation"])), NOW)
    site.register(intake("labor_dispute", details(employer="另一家公司")), NOW)
    with site.database.transaction(site.tenant().id) as session:
        from plugins.labor_arbitration import linkage

        [group] = linkage.similar_groups(session)
        assert (group.claim_type, [c for c, _ in group.cases]) == (
            "wage_arrears", sorted([first, second]))
        case = session.scalar(select(Case).where(Case.code == first))
        assert linkage.similar_to(session, case) == [second]


def test_the_pages_list_groups_and_inspections_for_staff_only(site):
    site.register(intake("labor_dispute", details(inspection_referral=True)), NOW)
    code = site.register(intake("labor_dispute", details()), NOW)
    client = site.app.test_client()
    assert client.get(f"/on/plugins/{NAME}/similar").status_code == 403
    site.sign_in(client)
    html = client.get(f"/on/plugins/{NAME}/similar?lang=zh_Hans").get_data(as_text=True)
    assert "类案同裁" in html and code in html and "拖欠劳动报酬" in html
    page = client.get(f"/on/plugins/{NAME}/inspections?lang=en").get_data(as_text=True)
    assert "asked for at intake" in page
    from tests.plugins.labor_arbitration.support import csrf_of

    with site.database.transaction(site.tenant().id) as session:
        link_id = session.scalar(select(InspectionLink.id))
    response = client.post(f"/on/plugins/{NAME}/inspections/{link_id}/close",
                           data={"note": "已责令限期支付", "csrf_token": csrf_of(page)})
    assert response.status_code == 302
    with site.database.transaction(site.tenant().id) as session:
        assert session.scalar(select(InspectionLink.status)) == "closed"
        assert session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "labor_arbitration.inspection_closed")) == 1
    assert client.post(f"/on/plugins/{NAME}/inspections/{link_id}/close",
                       data={"note": "x"}).status_code == 400  # no CSRF token


# --- indicators -----------------------------------------------------------------------------


def test_pre_arbitration_mediation_success_counts_settled_over_ended(site):
    settled = site.register(intake("labor_dispute", details()), NOW)
    referred = site.register(intake("labor_dispute", details()), NOW)
    site.register(intake("labor_dispute", details(workers=1, representatives=[])), NOW)
    for code in (settled, referred):
        site.move(code, "accept", NOW)
        site.move(code, "assign", NOW)
        site.move(code, "start_mediation", NOW)
    site.move(settled, "resolve", NOW, outcome="用人单位分期支付工资")
    site.move(referred, "refer", NOW, route="arbitration")
    tenant = site.tenant()
    with site.database.transaction(tenant.id) as session:
        figures = indicators.compute(session, tenant)
    success = figures["labor_pre_arbitration_mediation_success"]
    assert (success.numerator, success.denominator, success.value) == (1, 2, 0.5)
    assert figures["labor_group_cases"].value == 2
    assert figures["labor_inspection_linked"].value == 2  # the two cases of 12 workers
    definition = indicators.definitions(tenant)["labor_pre_arbitration_mediation_success"]
    assert definition.name("zh_Hans") == "仲裁前调解成功率"
    assert "÷" in definition.definition("en")


# --- isolation ------------------------------------------------------------------------------


def test_a_tenant_without_the_plugin_has_none_of_it(site):
    site.register(intake("labor_dispute", details(inspection_referral=True)), NOW)
    off = site.tenant("off")
    assert not {t.code for t in plugin.CASE_TYPES} & set(cases.case_types(off))
    assert "labor_arbitration_mediation" not in cases.deadline_rules(off)
    with pytest.raises(CaseInvalid) as refused:
        site.register(intake("labor_dispute", details(), slug="off"), NOW, slug="off")
    assert list(refused.value.fields) == ["case_type"]
    code = site.register(intake("general_dispute", {}, slug="off", category="labor"), NOW,
                         slug="off")
    site.move(code, "accept", NOW, slug="off")
    with pytest.raises(TransitionRefused):  # no plugin route, no catalog entry: nothing to take
        site.move(code, "assign", NOW, slug="off")
    with site.database.transaction(off.id) as session:
        assert session.scalar(select(func.count()).select_from(InspectionLink)) == 0
        assert session.scalar(select(func.count()).select_from(SimilarCase)) == 0
        figures = indicators.compute(session, off).figures
    assert not {i.code for i in plugin.indicators.INDICATORS} & set(figures)
    client = site.app.test_client()
    assert client.get(f"/off/plugins/{NAME}/similar").status_code == 404


def test_every_demo_case_registers(site):
    from plugins.labor_arbitration.demo import demo_intakes

    codes = [site.register(data, NOW) for data in demo_intakes("on-t1")]
    assert {site.case(code).case_type for code in codes} == {t.code for t in plugin.CASE_TYPES}


def test_group_wage_arrears_before_the_spring_festival_are_graded_at_intake(site):
    december = at(date(2026, 12, 10))  # 58 days before 6 Feb 2027
    case = site.case(site.register(intake("labor_dispute", details()), december))
    rules_found = {r["rule"]: r["level"] for r in case.risk_reasons}
    assert rules_found["labor_spring_festival_arrears"] == "orange"
    assert rules_found["labor_group_workers"] == "orange"
    # 2 November is 96 days before the festival: outside the 90-day window.
    early = site.case(site.register(intake("labor_dispute", details(workers=1,
                                                                    representatives=[])), NOW))
    assert "labor_spring_festival_arrears" not in {r["rule"] for r in early.risk_reasons}
