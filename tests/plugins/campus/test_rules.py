"""The campus rules as statutes state them: pure functions, no database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from core.risk import RiskFacts
from plugins.campus import rules
from plugins.campus.plugin import CASE_TYPES

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
SETTINGS = {"schools": ["舟山中学", "定海一中"], "notify_education_bureau": True}


def bullying(**details):
    base = {"school": "舟山中学", "minor": True, "date_of_birth": date(2012, 9, 1),
            "incident_date": date(2026, 11, 20), "means": "verbal", "person_kind": "student",
            "serious": False, "guardians_notified": True}
    base.update(details)
    return {"details": base, "parties": [{"role": "applicant", "minor": True}]}


def findings(data, code=rules.BULLYING, settings=SETTINGS):
    return {(f.field, f.blocking, f.rule) for f in rules.check_intake(settings, code, data, NOW)}


def test_every_case_type_example_is_valid_against_its_schema():
    for case_type in CASE_TYPES:
        assert case_type.load_details(case_type.example)
        assert case_type.window == "campus"


def test_a_well_formed_bullying_case_raises_nothing():
    assert findings(bullying()) == set()


def test_a_school_the_center_does_not_serve_is_refused_naming_the_setting():
    assert ("details.school", True, "[plugins.campus] schools") in findings(
        bullying(school="别的学校"))
    assert findings(bullying(school="别的学校"), settings={"schools": []}) == set()


def test_a_minor_student_must_be_protected_as_a_party():
    data = bullying()
    data["parties"] = [{"role": "applicant", "minor": False}]
    assert ("parties", True, "未成年人保护法 第四条（三）、第一百零三条") in findings(data)


def test_a_date_of_birth_under_18_contradicting_the_minor_flag_is_refused():
    assert ("details.minor", True, "未成年人保护法 第二条") in findings(bullying(minor=False))


def test_bullying_is_between_students():
    assert ("details.person_kind", True, "未成年人保护法 第一百三十条（三）") in findings(
        bullying(person_kind="staff"))


def test_guardians_not_yet_notified_and_serious_bullying_are_accepted_with_warnings():
    found = findings(bullying(guardians_notified=False, serious=True))
    assert found == {("details.guardians_notified", False, "未成年人保护法 第三十九条第二款"),
                     ("details.serious", False, "未成年人保护法 第三十九条第三款")}


def test_other_case_types_are_not_checked():
    assert findings(bullying(school="别的学校"), code="general_dispute") == set()


def facts(case_type=rules.BULLYING, text="", **details):
    return RiskFacts(None, case_type, "damages", "walk_in", 2, False, None, text, frozenset(),
                     0, False, "blue", {}, details)


@pytest.mark.parametrize(("details", "level"), [
    ({"minor": True}, "orange"),
    ({"date_of_birth": date(2013, 1, 1)}, "orange"),
    ({"minor": True, "serious": True}, "red"),
    ({"minor": False}, "yellow"),
])
def test_bullying_of_a_minor_is_orange_and_serious_bullying_red(details, level):
    assert rules._bullying_risk(facts(**details)).level == level


def test_campus_keywords_raise_campus_cases_only():
    assert rules._keyword_risk(facts(text="放学后被勒索零花钱")).level == "red"
    assert rules._keyword_risk(facts(text="在班级群里辱骂")).level == "orange"
    assert rules._keyword_risk(facts(case_type="general_dispute", text="勒索")) is None


def case(case_type=rules.BULLYING, **details):
    return SimpleNamespace(case_type=case_type, details=details, code="ZS-1")


EXISTING = frozenset({rules.POLICE_POST, rules.EDUCATION_BUREAU})


def test_bullying_goes_to_the_police_post_with_the_education_bureau_when_notified():
    decision = rules.route(SETTINGS, case(), EXISTING)
    assert (decision.lead, decision.assisting) == (rules.POLICE_POST, (rules.EDUCATION_BUREAU,))
    quiet = rules.route({"notify_education_bureau": False}, case(), EXISTING)
    assert quiet.assisting == ()


def test_only_violent_disputes_are_routed_and_only_to_departments_that_exist():
    assert rules.route(SETTINGS, case(rules.DISPUTE, violence=True), EXISTING).lead == \
        rules.POLICE_POST
    assert rules.route(SETTINGS, case(rules.DISPUTE, violence=False), EXISTING) is None
    assert rules.route(SETTINGS, case(), frozenset({rules.EDUCATION_BUREAU})) is None


def test_a_bullying_case_ends_only_after_the_guardians_are_notified():
    assert rules.transition_reasons(case(guardians_notified=False), "close", set())
    assert rules.transition_reasons(case(guardians_notified=False), "resolve", set())
    assert not rules.transition_reasons(case(guardians_notified=False), "close",
                                        {"guardians_notified"})
    assert not rules.transition_reasons(case(guardians_notified=True), "close", set())
    assert not rules.transition_reasons(case(guardians_notified=False), "accept", set())
    assert not rules.transition_reasons(case(rules.DISPUTE), "close", set())


def test_every_deadline_rule_has_names_in_three_languages_and_a_source():
    for rule in rules.DEADLINE_RULES:
        assert set(rule.names) == {"zh_Hans", "zh_Hant", "en"}
        assert rule.source
    assert {r.name: r.amount for r in rules.DEADLINE_RULES}[
        "campus_bullying_investigation"] == 10
