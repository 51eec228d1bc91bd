"""Tourism complaint rules: the 90-day cut-off, joint complaints, deadlines, risk, routing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from core import audit, cases
from core.messages import translate
from core.models import AuditEvent, Case, Deadline
from plugins.scenic_area import rules
from tests.plugins.scenic_area.conftest import NOW


def _count(site, slug="on"):
    with site.database.transaction(site.tenant(slug).id) as session:
        return session.scalar(select(func.count()).select_from(Case))


# --- 旅游投诉处理办法: not accepted 90 days after the tour contract ended -------------------


def test_a_complaint_on_the_ninetieth_day_after_the_tour_is_accepted(site) -> None:
    # The tour ended on 3 August; 90 days later is 1 November; intake is on 2 November.
    case = site.register(details={"tour_end_date": "2026-08-04"})
    assert case.case_type == "tourism_complaint"
    assert case.warnings == []


def test_a_complaint_more_than_90_days_after_the_tour_is_refused_naming_the_rule(site) -> None:
    with pytest.raises(cases.CaseInvalid) as refused:
        site.register(details={"tour_end_date": "2026-08-03"})
    [message] = refused.value.fields["details.tour_end_date"]
    assert "not accepted more than 90 days after the tour contract ended" in message
    assert "2026-08-03" in message and "2026-11-01" in message
    assert _count(site) == 0
    with site.database.transaction(site.tenant().id) as session:
        assert audit.verify_chain(session).ok


def test_the_90_days_count_in_the_tenants_calendar_days(site) -> None:
    # 17:00 UTC on 1 November is already 2 November in Shanghai: day 91 for a tour that
    # ended on 3 August.
    evening = datetime(2026, 11, 1, 17, 0, tzinfo=UTC)
    with pytest.raises(cases.CaseInvalid):
        site.register(details={"tour_end_date": "2026-08-03"}, now=evening)
    assert site.register(details={"tour_end_date": "2026-08-03"},
                         now=evening - timedelta(hours=2)).code


def test_the_refusal_is_explained_in_each_language(site) -> None:
    with pytest.raises(cases.CaseInvalid) as refused:
        site.register(details={"tour_end_date": "2026-01-01"})
    [message] = refused.value.fields["details.tour_end_date"]
    with site.app.test_request_context("/?lang=zh_Hans"):
        assert "超过旅游合同结束之日90天的旅游投诉不予受理" in translate(message)
    with site.app.test_request_context("/?lang=zh_Hant"):
        assert "超過旅遊合同結束之日90天的旅遊投訴不予受理" in translate(message)


def test_without_the_tour_end_the_complaint_is_registered_with_the_warning_kept(site) -> None:
    case = site.register(details={"tour_end_date": None})
    assert case.warnings == [{
        "field": "details.tour_end_date",
        "msgid": "no end date of the tour was given, so the 90-day limit for tourism "
                 "complaints could not be checked",
        "params": {}, "rule": rules.RULE_90_DAYS}]
    with site.database.transaction(site.tenant().id) as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "case.registered"))
        assert event.data["warnings"] == case.warnings


def test_a_spot_the_tenant_does_not_list_is_refused(site) -> None:
    with pytest.raises(cases.CaseInvalid) as refused:
        site.register(details={"scenic_spot": "西湖"})
    assert "西湖 is not one of this center's scenic spots (普陀山、桃花岛)" in \
        refused.value.fields["details.scenic_spot"][0]


# --- joint complaints: 4 or more complainants, 1 to 3 representatives -----------------------


@pytest.mark.parametrize(("complainants", "representatives", "error"), [
    (5, [], "names 1 to 3 representatives"),
    (4, ["甲", "乙", "丙", "丁"], "names 1 to 3 representatives"),
    (2, ["甲", "乙", "丙", "丁"], "at most 3 representatives"),
])
def test_a_joint_complaint_needs_one_to_three_representatives(site, complainants,
                                                              representatives, error) -> None:
    with pytest.raises(cases.CaseInvalid) as refused:
        site.register(details={"complainants": complainants,
                               "representatives": representatives})
    assert error in refused.value.fields["details.representatives"][0]
    assert _count(site) == 0


@pytest.mark.parametrize("representatives", [["甲"], ["甲", "乙", "丙"]])
def test_a_joint_complaint_with_its_representatives_is_accepted_and_graded(
        site, representatives) -> None:
    case = site.register(details={"complainants": 6, "representatives": representatives})
    assert case.details["representatives"] == representatives
    assert case.risk == "yellow"
    assert "tourism_joint_complaint" in [r["rule"] for r in case.risk_reasons]


def test_representatives_may_be_given_as_one_text_as_forms_do(site) -> None:
    case = site.register(details={"complainants": 4, "representatives": "王海、Li Jing"})
    assert case.details["representatives"] == ["王海", "Li Jing"]


def test_details_outside_the_schema_are_refused_naming_the_field(site) -> None:
    with pytest.raises(cases.CaseInvalid) as refused:
        site.register(details={"respondent_kind": "airline", "guide_name": "x"})
    assert set(refused.value.fields) == {"details.respondent_kind", "details.guide_name"}


# --- deadlines --------------------------------------------------------------------------------


def _clocks(site, code):
    with site.database.transaction(site.tenant().id) as session:
        case_id = session.scalar(select(Case.id).where(Case.code == code))
        return {d.rule: d for d in session.scalars(select(Deadline).where(
            Deadline.case_id == case_id))}


def _utc(moment):
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def test_the_on_site_response_runs_in_the_tenants_minutes_and_acceptance_in_working_days(
        site) -> None:
    case = site.register()
    clocks = _clocks(site, case.code)
    assert _utc(clocks["scenic_response"].due_at) == NOW + timedelta(minutes=15)
    # 5 working days from Monday 2 November: the end of Monday 9 November in Shanghai.
    assert _utc(clocks["tourism_accept"].due_at).astimezone(
        ZoneInfo("Asia/Shanghai")).date().isoformat() == "2026-11-09"
    assert "tourism_mediation" not in clocks  # it starts on acceptance


def test_deadline_rules_have_names_and_cite_their_source(site) -> None:
    by_name = {r.name: r for r in rules.deadline_rules(site.tenant())}
    assert (by_name["scenic_response"].amount, by_name["scenic_response"].unit) == (15, "minutes")
    assert (by_name["tourism_accept"].amount, by_name["tourism_accept"].unit) == (
        5, "working_days")
    assert (by_name["tourism_mediation"].amount, by_name["tourism_mediation"].unit) == (60, "days")
    assert by_name["tourism_mediation"].starts_on == "accepted"
    for rule in by_name.values():
        assert set(rule.names) == {"zh_Hans", "zh_Hant", "en"}
        assert rule.source
    assert "旅游投诉处理办法" in by_name["tourism_accept"].source
    # Without a tenant (tenant validate) the same names come with default amounts.
    assert {r.name: r.amount for r in rules.deadline_rules(None)} == {
        "scenic_response": 30, "tourism_accept": 5, "tourism_mediation": 60}


# --- risk and routing ---------------------------------------------------------------------


def test_an_emergency_is_red_and_goes_to_the_liaisons_police_first(site) -> None:
    case = site.register(case_type="scenic_emergency",
                         details={"scenic_spot": "普陀山", "emergency_kind": "crowding"})
    assert case.risk == "red"
    tenant = site.tenant()
    with site.database.transaction(tenant.id) as session:
        decision = cases.suggest_route(session, tenant, cases.get_case(session, case.code))
    assert decision.lead == "scenic_area_tourism_police"
    assert decision.assisting == ("scenic_area_tourism_bureau", "scenic_area_enforcement")


def test_a_complaint_goes_to_the_tourism_bureau(site) -> None:
    case = site.register()
    tenant = site.tenant()
    with site.database.transaction(tenant.id) as session:
        decision = cases.suggest_route(session, tenant, cases.get_case(session, case.code))
    assert (decision.lead, decision.assisting) == ("scenic_area_tourism_bureau", ())


def test_every_case_type_example_registers(site) -> None:
    from plugins.scenic_area.plugin import CASE_TYPES
    for case_type in CASE_TYPES:
        case = site.register(case_type=case_type.code, details=dict(case_type.example))
        assert case.details["scenic_spot"] == "普陀山"
