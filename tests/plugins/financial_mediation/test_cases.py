"""Financial cases through the lifecycle: complaint periods, tracks and the fast track, the
stations network, the arbitration veto, risk, indicators — and none of it for a tenant without
the plugin. Every test runs on SQLite and on PostgreSQL (row-level security)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from core import cases, indicators
from core.cases import CaseInvalid, TransitionRefused
from core.messages import translate
from core.models import AuditEvent, Case, Deadline
from core.workflow import Actor
from plugins.financial_mediation import plugin, rules
from tests.plugins.labor_arbitration.support import build, intake, set_config

NAME = "financial_mediation"
STATIONS = [
    {"node": "on-c1", "names": {"zh_Hans": "县金融纠纷调解中心", "en": "County financial "
                                                                 "mediation center"},
     "phone": "0580-4470001"},
    {"node": "on-t1", "names": {"zh_Hans": "镇金融纠纷调解工作站",
                                "zh_Hant": "鎮金融糾紛調解工作站",
                                "en": "Town financial mediation station"}},
    # A department the tenant has not stationed: never routed to.
    {"node": "on-root", "names": {"zh_Hans": "市证券纠纷调解站"},
     "department": "financial_mediation_securities"},
]
SETTINGS = {"regulator": "nfra", "small_claim_limit": 20000, "stations": STATIONS}
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
TYPES = {t.code: t for t in plugin.CASE_TYPES}


def at(day: date, hour: int = 10) -> datetime:
    """``hour`` o'clock of ``day`` in Hangzhou."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


@pytest.fixture
def site(plugin_site):
    return build(plugin_site, NAME, SETTINGS)


def financial(code: str, slug: str = "on", **overrides):
    data = intake(code, TYPES[code].example if code in TYPES else {}, slug=slug,
                  title="信用卡分期手续费争议",
                  parties=[{"role": "applicant", "name": "陈女士"},
                           {"role": "respondent", "kind": "organization", "name": "某银行"}])
    if code == rules.SMALL_CLAIM:
        data["amount"] = "3000"
    data.update(overrides)
    return data


def due(site, code, rule):
    with site.database.transaction(site.tenant().id) as session:
        case_id = session.scalar(select(Case.id).where(Case.code == code))
        return session.scalar(select(Deadline.due_at).where(
            Deadline.case_id == case_id, Deadline.rule == rule)).astimezone(SHANGHAI).date()


# --- intake ---------------------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(TYPES))
def test_each_case_type_registers_its_example_with_its_named_clock(site, code):
    case_code = site.register(financial(code), at(date(2026, 9, 20)))
    case = site.case(case_code)
    assert (case.window_type, case.category) == ("financial_mediation", "financial")
    [rule_name] = TYPES[code].deadlines
    rule = cases.deadline_rules(site.tenant())[rule_name]
    assert rule.source and set(rule.names) == {"zh_Hans", "zh_Hant", "en"}
    if rule.starts_on == "accepted":
        site.move(case_code, "accept", at(date(2026, 9, 21)))
    assert due(site, case_code, rule_name)


def test_complaint_periods_are_15_30_and_60_days_past_holidays(site):
    received = at(date(2026, 9, 20))
    plain = site.register(financial("financial_complaint"), received)
    complex_ = site.register(financial("financial_complaint_complex"), received)
    extended = site.register(financial("financial_complaint_extended"), received)
    # 5 Oct falls in the National Day holiday: 8 Oct. 20 Oct and 19 Nov are working days.
    assert due(site, plain, "financial_mediation_complaint") == date(2026, 10, 8)
    assert due(site, complex_, "financial_mediation_complaint_complex") == date(2026, 10, 20)
    assert due(site, extended, "financial_mediation_complaint_extended") == date(2026, 11, 19)


def test_a_complaint_found_complex_is_extended_to_30_then_60_days_with_approval(site):
    received = at(date(2026, 9, 20))
    code = site.register(financial("financial_complaint"), received)
    tenant = site.tenant()
    approver = Actor("总行投诉处理负责人", frozenset({"leader"}))

    def extend(days):
        with site.database.transaction(tenant.id) as session:
            cases.extend_clock(session, tenant, code, approver, {
                "rule": "financial_mediation_complaint", "days": days,
                "reason": "情况复杂"}, now=at(date(2026, 10, 7)))

    extend(15)  # 30 days: the complex period, 20 Oct
    assert due(site, code, "financial_mediation_complaint") == date(2026, 10, 20)
    extend(30)  # 60 days at most: 19 Nov
    assert due(site, code, "financial_mediation_complaint") == date(2026, 11, 19)
    with pytest.raises(CaseInvalid) as refused:
        extend(1)
    assert list(refused.value.fields) == ["days"]


def test_the_fast_track_counts_working_days_of_the_tenants_calendar(site):
    code = site.register(financial(rules.SMALL_CLAIM), at(date(2026, 9, 27)))
    site.move(code, "accept", at(date(2026, 9, 28)))
    # 29, 30 Sept, then 8, 9, 10 (an adjusted working Saturday), 12 and 13 Oct.
    assert due(site, code, "financial_mediation_small_claim") == date(2026, 10, 13)
    set_config(site, "on", calendar={"holidays": ["2026-10-12"], "workdays": [],
                                     "working_hours": ["08:30-12:00", "13:30-17:30"]})
    later = site.register(financial(rules.SMALL_CLAIM), at(date(2026, 9, 27)))
    site.move(later, "accept", at(date(2026, 9, 28)))
    assert due(site, later, "financial_mediation_small_claim") == date(2026, 10, 14)


def test_complaint_rules_cover_banks_and_insurers_only(site):
    securities = financial("financial_complaint", details={
        **TYPES["financial_complaint"].example, "institution_type": "securities"})
    with pytest.raises(CaseInvalid) as refused:
        site.register(securities, NOW)
    [message] = refused.value.fields["details.institution_type"]
    with site.app.test_request_context(), force_locale("zh_Hans"):
        assert translate(message).startswith("银行业保险业消费投诉处理管理办法")
    assert site.register(financial("financial_mediation_ordinary", details={
        **TYPES["financial_complaint"].example, "institution_type": "securities"}), NOW)


@pytest.mark.parametrize(("amount", "refused"), [
    (None, "Give the amount in dispute: the fast track is for claims up to 20,000 yuan."),
    ("20000.01", "The fast track is for claims up to 20,000 yuan"),
    ("20000", None),
])
def test_the_fast_track_takes_small_claims_only(site, amount, refused):
    data = financial(rules.SMALL_CLAIM, amount=amount)
    if refused is None:
        assert site.case(site.register(data, NOW)).amount == 20000
        return
    with pytest.raises(CaseInvalid) as error:
        site.register(data, NOW)
    assert error.value.fields["amount"][0].startswith(refused)


def test_details_against_the_schema_are_refused_naming_the_field(site):
    with pytest.raises(CaseInvalid) as refused:
        site.register(financial("financial_mediation_simple", details={
            "institution_type": "crypto", "product": ""}), NOW)
    assert set(refused.value.fields) == {"details.institution_type", "details.institution",
                                         "details.product"}


# --- routing, veto, risk --------------------------------------------------------------------


def _route(site, code):
    site.move(code, "accept", NOW)
    site.move(code, "assign", NOW)
    with site.database.transaction(site.tenant().id) as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "case.assign"))
        return event.data["department"], event.data["assisting"], event.data["routing"]


def test_cases_go_to_the_nearest_station_and_complex_ones_to_the_county(site):
    lead, assisting, reason = _route(site, site.register(
        financial("financial_mediation_simple"), NOW))
    assert (lead, assisting) == ("financial_mediation_center", [])
    assert reason == "financial_mediation: station 镇金融纠纷调解工作站 (on-t1)"


def test_complex_cases_go_to_the_station_nearest_the_root(site):
    reason = _route(site, site.register(financial("financial_mediation_complex"), NOW))[2]
    assert "(on-c1)" in reason


def test_small_claims_are_routed_as_fast_track_and_complaints_with_the_regulator(site):
    assert _route(site, site.register(financial(rules.SMALL_CLAIM), NOW))[2].endswith(
        "(on-t1) fast track")


def test_complaints_have_the_regulator_assisting(site):
    assert _route(site, site.register(financial("financial_complaint"), NOW))[1] == [
        "financial_mediation_regulator"]


def test_a_case_above_every_station_is_left_to_the_dispatch_catalog(site):
    code = site.register(financial("financial_mediation_simple", location_node="on-root"), NOW)
    site.move(code, "accept", NOW)
    with pytest.raises(TransitionRefused) as refused:
        site.move(code, "assign", NOW)
    assert "dispatch catalog" in refused.value.reasons[0]


def test_arbitration_needs_an_arbitration_agreement(site):
    code = site.register(financial("financial_mediation_ordinary"), NOW)
    site.move(code, "accept", NOW)
    with pytest.raises(TransitionRefused) as refused:
        site.move(code, "refer", NOW, route="arbitration")
    assert "仲裁法 第四条" in str(refused.value.reasons[0])
    agreed = site.register(financial("financial_mediation_ordinary", details={
        **TYPES["financial_mediation_ordinary"].example, "arbitration_agreement": True}), NOW)
    site.move(agreed, "accept", NOW)
    assert site.move(agreed, "refer", NOW, route="arbitration") == "referred"


def test_fundraising_signals_are_red_and_many_investors_orange(site):
    red = site.case(site.register(financial("financial_mediation_complex",
                                            description="平台暴雷，无法兑付本息"), NOW))
    assert red.risk == "red"
    assert [r["rule"] for r in red.risk_reasons if r["level"] == "red"] == [
        "financial_fundraising_signals"]
    many = site.case(site.register(financial("financial_mediation_complex",
                                             people_involved=12), NOW))
    assert "financial_many_investors" in [r["rule"] for r in many.risk_reasons]


# --- indicators, page, isolation ------------------------------------------------------------


def test_financial_mediation_success_and_small_claims_are_counted(site):
    settled = site.register(financial("financial_mediation_simple"), NOW)
    failed = site.register(financial(rules.SMALL_CLAIM), NOW)
    site.register(financial("financial_mediation_simple"), NOW)  # not accepted yet
    for code in (settled, failed):
        site.move(code, "accept", NOW)
        site.move(code, "assign", NOW)
        site.move(code, "start_mediation", NOW)
    site.move(settled, "resolve", NOW, outcome="银行退还手续费")
    site.move(failed, "fail_mediation", NOW, reason="双方分歧较大")
    tenant = site.tenant()
    with site.database.transaction(tenant.id) as session:
        figures = indicators.compute(session, tenant)
    success = figures["financial_mediation_success"]
    assert (success.numerator, success.denominator) == (1, 2)
    assert figures["financial_small_claims"].value == 1
    assert indicators.definitions(tenant)["financial_mediation_success"].name("zh_Hant") == \
        "金融糾紛調解成功率"


def test_the_stations_page_lists_the_network_county_first(site):
    client = site.app.test_client()
    html = client.get(f"/on/plugins/{NAME}/stations?lang=en").get_data(as_text=True)
    assert html.index("County financial mediation center") < html.index(
        "Town financial mediation station")
    assert "0580-4470001" in html and "Financial mediation stations" in html
    traditional = client.get(f"/on/plugins/{NAME}/stations?lang=zh_Hant").get_data(as_text=True)
    assert "鎮金融糾紛調解工作站" in traditional and "金融糾紛調解工作站" in traditional
    assert client.get(f"/off/plugins/{NAME}/stations").status_code == 404


def test_a_tenant_without_the_plugin_has_none_of_it(site):
    off = site.tenant("off")
    assert not set(TYPES) & set(cases.case_types(off))
    assert not {r.name for r in rules.DEADLINE_RULES} & set(cases.deadline_rules(off))
    with pytest.raises(CaseInvalid) as refused:
        site.register(financial("financial_complaint", slug="off"), NOW, slug="off")
    assert list(refused.value.fields) == ["case_type"]
    code = site.register(financial("general_dispute", slug="off", details={},
                                   category="financial", description="平台暴雷"), NOW,
                         slug="off")
    case = site.case(code, slug="off")
    assert "financial_fundraising_signals" not in [r["rule"] for r in case.risk_reasons]
    site.move(code, "accept", NOW, slug="off")
    with pytest.raises(TransitionRefused):
        site.move(code, "assign", NOW, slug="off")
    with site.database.transaction(off.id) as session:
        figures = indicators.compute(session, off).figures
    assert not {"financial_mediation_success", "financial_small_claims"} & set(figures)


def test_every_demo_case_registers(site):
    from plugins.financial_mediation.demo import demo_intakes

    codes = [site.register(data, NOW) for data in demo_intakes("on-t1")]
    assert len(codes) == 5 and site.case(codes[-1]).risk == "orange"
