"""The statutory rules of labor disputes as pure functions: limitation, final awards, the
Spring Festival and its risk rule, the deadline rules' names and sources."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from core.toolkit import RiskFacts
from plugins.labor_arbitration import risk_rules, rules


@pytest.mark.parametrize(("claims", "infringed", "ended", "expected"), [
    (["contract"], date(2025, 3, 1), None, date(2026, 3, 1)),
    (["wage_arrears"], date(2020, 1, 1), None, None),  # still employed: no limitation
    (["wage_arrears"], date(2020, 1, 1), date(2025, 6, 30), date(2026, 6, 30)),
    (["wage_arrears", "compensation"], date(2025, 1, 5), date(2025, 6, 30), date(2026, 1, 5)),
    (["work_injury"], date(2024, 2, 29), None, date(2025, 2, 28)),
])
def test_the_one_year_limitation_of_article_27(claims, infringed, ended, expected):
    assert rules.limitation_ends(infringed, claims, ended) == expected


@pytest.mark.parametrize(("claims", "amount", "wage", "eligible", "item"), [
    (["wage_arrears"], Decimal("29880"), 2490, True, "1"),
    (["wage_arrears", "compensation"], Decimal("29880.01"), 2490, False, ""),
    (["working_hours", "social_insurance"], Decimal("900000"), 2490, True, "2"),
    (["social_insurance"], None, None, True, "2"),
    (["wage_arrears"], Decimal("100"), None, False, ""),  # no minimum wage set: unknown
    (["wage_arrears"], None, 2490, False, ""),
    (["contract", "wage_arrears"], Decimal("100"), 2490, False, ""),
])
def test_final_awards_of_article_47(claims, amount, wage, eligible, item):
    award = rules.final_award(claims, amount, wage)
    assert (award.eligible, award.item) == (eligible, item)


def test_every_deadline_rule_names_itself_and_cites_its_article():
    articles = {"labor_arbitration_mediation": "第十四条", "labor_arbitration_acceptance":
                "第二十九条", "labor_arbitration_award_period": "第四十三条",
                "labor_arbitration_inspection_period": "第十七条"}
    assert {r.name: (r.amount, r.unit) for r in rules.DEADLINE_RULES} == {
        "labor_arbitration_mediation": (15, "days"), "labor_arbitration_acceptance": (5, "days"),
        "labor_arbitration_award_period": (45, "days"),
        "labor_arbitration_inspection_period": (60, "working_days")}
    for rule in rules.DEADLINE_RULES:
        assert articles[rule.name] in rule.source
        assert set(rule.names) == {"zh_Hans", "zh_Hant", "en"}
    inspection = {r.name: r for r in rules.DEADLINE_RULES}["labor_arbitration_inspection_period"]
    assert inspection.source.startswith("劳动保障监察条例（国务院令第423号）第十七条：")
    assert "60个工作日内完成" in inspection.source and "延长30个工作日" in inspection.source


def _facts(**overrides) -> RiskFacts:
    base = dict(case_id=None, case_type="labor_dispute", category="labor", channel="walk_in",
                people_involved=1, is_group=False, amount=None, text="", party_indexes=frozenset(),
                repeat_cases=0, overdue=False, current_level="blue",
                config={"group_red_threshold": 50}, details={"claim_types": ["wage_arrears"],
                                                            "workers": 3},
                registered_at=datetime(2026, 12, 1, 2, tzinfo=UTC))
    return RiskFacts(**{**base, **overrides})


def _levels(facts: RiskFacts) -> dict[str, str]:
    return {rule.name: finding.level for rule in risk_rules.RULES
            if (finding := rule.evaluate(facts)) is not None}


def test_wage_arrears_weigh_more_in_the_weeks_before_the_spring_festival():
    assert rules.days_before_spring_festival(date(2026, 12, 1)) == 67  # festival 2027-02-06
    assert _levels(_facts()) == {"labor_spring_festival_arrears": "orange"}
    assert _levels(_facts(details={"claim_types": ["wage_arrears"], "workers": 1})) == {
        "labor_spring_festival_arrears": "yellow"}
    assert _levels(_facts(registered_at=datetime(2026, 6, 1, tzinfo=UTC))) == {}
    assert _levels(_facts(details={"claim_types": ["contract"], "workers": 3})) == {}
    assert _levels(_facts(case_type="general_dispute")) == {}


def test_ten_workers_make_a_group_case_and_fifty_a_red_one():
    summer = datetime(2026, 6, 1, tzinfo=UTC)
    assert _levels(_facts(registered_at=summer, details={"workers": 10})) == {
        "labor_group_workers": "orange"}
    assert _levels(_facts(registered_at=summer, details={"workers": 50})) == {
        "labor_group_workers": "red"}
    assert _levels(_facts(registered_at=summer, details={"workers": 9})) == {}


def test_employers_are_grouped_by_a_normalized_name():
    assert rules.normalized_employer("杭州某某（集团） 有限公司") == \
        rules.normalized_employer("杭州某某(集团)有限公司")


def test_claims_and_representatives_may_come_as_one_line_of_form_text():
    from plugins.labor_arbitration.schemas import LaborDisputeDetails

    loaded = LaborDisputeDetails().load({
        "employer": "某公司", "workers": 3, "representatives": "王建国、李明",
        "claim_types": "wage_arrears, compensation", "rights_infringed_on": "2026-10-01"})
    assert loaded["representatives"] == ["王建国", "李明"]
    assert loaded["claim_types"] == ["wage_arrears", "compensation"]
    assert loaded["rights_infringed_on"] == "2026-10-01"
