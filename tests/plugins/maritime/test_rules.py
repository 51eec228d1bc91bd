"""Fishery, crew and commercial cases: vessel numbers, positions at sea, deadlines, routing."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from marshmallow import ValidationError
from sqlalchemy import func, select

from core import cases
from core.models import Case, Deadline
from plugins.maritime import rules, schemas
from tests.plugins.maritime.conftest import NOW


def _count(site, slug="on"):
    with site.database.transaction(site.tenant(slug).id) as session:
        return session.scalar(select(func.count()).select_from(Case))


@pytest.mark.parametrize("number", ["浙岱渔03187", "浙普渔68001", "浙嵊渔冷80123", "鲁荣渔2682",
                                    "闽狮渔运0668"])
def test_fishing_vessel_numbers_of_the_usual_shape_are_taken(number) -> None:
    schemas.check_vessel_number(number)


@pytest.mark.parametrize("number", ["浙岱03187", "ZJ-DS-03187", "浙岱渔", "浙岱渔12",
                                    "浙岱渔123456", "美岱渔03187", "浙岱渔０３１８７"])
def test_other_strings_are_refused_as_vessel_numbers(number) -> None:
    with pytest.raises(ValidationError) as refused:
        schemas.check_vessel_number(number)
    assert "is not a fishing vessel number such as 浙岱渔03187" in str(refused.value.messages)


def test_a_fishery_dispute_is_registered_with_its_vessels_and_position(site) -> None:
    case = site.register()
    assert case.details["vessels"] == ["浙岱渔03187", "浙普渔68001"]
    assert (float(case.latitude), float(case.longitude)) == (30.35, 122.2)
    assert case.warnings == []


def test_a_bad_vessel_number_is_refused_naming_the_vessel(site) -> None:
    with pytest.raises(cases.CaseInvalid) as refused:
        site.register(details={"kind": "net_damage", "vessels": ["浙岱渔03187", "岱山3号"]})
    assert list(refused.value.fields) == ["details.vessels.1"]
    assert _count(site) == 0


def test_a_position_needs_both_coordinates(site) -> None:
    with pytest.raises(cases.CaseInvalid) as refused:
        site.register(longitude=None)
    assert "both latitude and longitude" in refused.value.fields["longitude"][0]
    assert _count(site) == 0


def test_a_dispute_at_sea_without_a_position_is_registered_with_a_warning(site) -> None:
    case = site.register(latitude=None, longitude=None)
    assert [(w["field"], w["msgid"][:45]) for w in case.warnings] == [
        ("latitude", "a fishery dispute at sea should give the posi")]
    # Ashore (in the port) no position is expected.
    ashore = site.register(latitude=None, longitude=None,
                           details={"kind": "catch_sale", "vessels": ["浙岱渔03187"],
                                    "at_sea": False, "port": "岱山高亭港"})
    assert ashore.warnings == []


def test_vessels_may_be_given_as_one_text_as_forms_do(site) -> None:
    case = site.register(details={"kind": "net_damage", "vessels": "浙岱渔03187、浙普渔68001"})
    assert case.details["vessels"] == ["浙岱渔03187", "浙普渔68001"]


def test_a_position_outside_the_sea_area_is_registered_with_the_warning_kept(site) -> None:
    case = site.register(latitude="25.10", longitude="122.20")
    [warning] = case.warnings
    assert warning["field"] == "latitude"
    assert warning["rule"] == "[plugins.maritime] sea_south, sea_north, sea_west, sea_east"
    assert "lies outside this center's sea area" in warning["msgid"]
    assert warning["params"]["south"] == 28.5


def test_the_sea_area_edges_are_inside() -> None:
    settings = schemas.MaritimeSettings().load({"sea_south": 28.5, "sea_north": 31.5,
                                                "sea_west": 121.0, "sea_east": 124.5})
    assert rules.inside(settings, 28.5, 124.5) and rules.inside(settings, 31.5, 121.0)
    assert not rules.inside(settings, 28.49, 122) and not rules.inside(settings, 30, 124.51)


def test_crew_rights_name_the_vessel_and_commercial_disputes_keep_the_amount(site) -> None:
    with pytest.raises(cases.CaseInvalid) as refused:
        site.register(case_type="crew_rights", latitude=None, longitude=None,
                      details={"claim": "unpaid_wages"})
    assert "name the vessel" in refused.value.fields["details.vessel"][0]
    crew = site.register(case_type="crew_rights", latitude=None, longitude=None,
                         details={"claim": "no_contract", "vessel_name": "远洋运输3号"})
    assert crew.category == "labor"
    commercial = site.register(case_type="maritime_commercial", latitude=None,
                               longitude=None, details={"kind": "ship_repair",
                                                        "vessel_name": "舟港拖6号",
                                                        "claim_amount": "186000"})
    assert commercial.details["claim_amount"] == "186000.00"
    with pytest.raises(cases.CaseInvalid) as refused:
        site.register(case_type="crew_rights", latitude=None, longitude=None,
                      details={"claim": "bonus", "vessel": "浙岱渔03187"})
    assert list(refused.value.fields) == ["details.claim"]


def test_every_case_type_example_registers_without_a_position(site) -> None:
    from plugins.maritime.plugin import CASE_TYPES
    for case_type in CASE_TYPES:
        case = site.register(case_type=case_type.code, latitude=None, longitude=None,
                             details=dict(case_type.example))
        assert case.warnings == []


# --- deadlines -------------------------------------------------------------------------------


def test_deadline_rules_have_names_sources_and_the_zhoushan_override_applies(site) -> None:
    by_name = {r.name: r for r in rules.DEADLINE_RULES}
    assert (by_name["fishery_dispute_mediation"].amount,
            by_name["fishery_dispute_mediation"].unit) == (30, "days")
    assert "劳动争议调解仲裁法 Art. 14" in by_name["crew_rights_mediation"].source
    assert all(set(r.names) == {"zh_Hans", "zh_Hant", "en"} and r.source
               for r in by_name.values())
    assert "fishery_dispute_mediation" in cases.deadline_rules(site.tenant())


def test_the_fishery_mediation_clock_starts_on_acceptance(site) -> None:
    case = site.register()
    tenant = site.tenant()
    with site.database.transaction(tenant.id) as session:
        cases.transition(session, tenant, case.code, "accept", _leader(), {}, now=NOW)
    with site.database.transaction(tenant.id) as session:
        clock = session.scalar(select(Deadline).where(
            Deadline.rule == "fishery_dispute_mediation"))
        due = clock.due_at.replace(tzinfo=UTC) if clock.due_at.tzinfo is None else clock.due_at
    # 30 calendar days after 2 November, to the end of 2 December in Shanghai.
    assert NOW + timedelta(days=30) < due <= NOW + timedelta(days=31)


def _leader():
    from core.workflow import ALL_STAFF, Actor
    return Actor("leader", ALL_STAFF)


# --- risk and routing ----------------------------------------------------------------------


def _route(site, code):
    tenant = site.tenant()
    with site.database.transaction(tenant.id) as session:
        return cases.suggest_route(session, tenant, cases.get_case(session, code))


def test_fishery_disputes_go_to_the_fishery_mediation_committee(site) -> None:
    decision = _route(site, site.register().code)
    assert (decision.lead, decision.assisting) == ("maritime_fishery_mediation", ())


def test_a_collision_is_orange_and_brings_maritime_safety_and_the_coast_guard(site) -> None:
    case = site.register(details={"kind": "collision", "vessels": ["浙岱渔03187",
                                                                  "浙普渔68001"]})
    assert case.risk == "orange"
    assert "fishery_collision" in [r["rule"] for r in case.risk_reasons]
    decision = _route(site, case.code)
    assert decision.assisting == ("maritime_safety_administration", "maritime_coast_guard")


def test_a_crew_claim_of_ten_is_orange(site) -> None:
    case = site.register(case_type="crew_rights", latitude=None, longitude=None,
                         details={"claim": "unpaid_wages", "vessel": "浙岱渔03187",
                                  "crew": 12})
    assert case.risk == "orange"


def test_without_fishery_mediation_the_dispatch_catalog_decides(
        site_without_fishery_mediation) -> None:
    site = site_without_fishery_mediation
    assert _route(site, site.register().code) is None  # "on" has no catalog entry either
