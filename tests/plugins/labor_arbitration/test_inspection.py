"""监察仲裁联动: a labor dispute that reveals a labor-standard violation opens a labor inspection
case of its own (``labor_inspection``) in the same transaction, linked both ways, routed to the
inspection department with the 60-working-day clock of 劳动保障监察条例 第十七条; the link
follows the inspection case; nothing is half-written when the inspection case cannot be made."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from core import accounts, audit, cases
from core.cases import CaseInvalid
from core.models import AuditEvent, Case, Party, Referral
from plugins.labor_arbitration import linkage
from plugins.labor_arbitration.models import InspectionLink, SimilarCase
from tests.plugins.labor_arbitration.support import PASSWORD, build, csrf_of, intake
from tests.plugins.labor_arbitration.test_cases import (
    NAME,
    NOW,
    SETTINGS,
    at,
    clocks,
    details,
)

COMMISSION = SETTINGS["arbitration_commission"]
EMPLOYER = details()["employer"]
RULE = "labor_arbitration_inspection_period"


@pytest.fixture
def site(plugin_site):
    return build(plugin_site, NAME, SETTINGS)


def _referred(site, **changes):
    """A labor dispute registered with ``inspection_referral``; its code."""
    return site.register(intake("labor_dispute", details(inspection_referral=True, **changes)),
                         NOW)


def _inspections(site):
    """Codes of the tenant's labor inspection cases."""
    with site.database.transaction(site.tenant().id) as session:
        return list(session.scalars(select(Case.code).where(Case.case_type == "labor_inspection")
                                    .order_by(Case.code)))


def _link(site, code):
    """The link of labor case ``code``, detached."""
    with site.database.transaction(site.tenant().id) as session:
        link = session.scalar(select(InspectionLink).join(Case, Case.id == InspectionLink.case_id)
                              .where(Case.code == code))
        if link is not None:
            session.expunge(link)
        return link


def _count(site, model, *where):
    with site.database.transaction(site.tenant().id) as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def _events(site, action):
    with site.database.transaction(site.tenant().id) as session:
        return [(e.object_id, e.data) for e in session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq))]


def _page(client, code, lang="en"):
    response = client.get(f"/on/workbench/cases/{code}?lang={lang}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


# --- the inspection case ---------------------------------------------------------------------


def test_a_trigger_registers_one_inspection_case_for_the_inspection_department(site):
    code = _referred(site)
    [inspection] = _inspections(site)
    case = site.case(inspection)
    assert case.details == {
        "employer": EMPLOYER, "employer_credit_code": "", "trigger": "requested",
        "source_case": code, "workers": 12, "claim_types": ["wage_arrears"],
        "_intake_fingerprint": case.details["_intake_fingerprint"]}
    assert (case.window_type, case.category, case.demand_type, case.status) == (
        "labor_arbitration", "labor", "complaint", "registered")
    assert case.registered_at.replace(tzinfo=None) == NOW.replace(tzinfo=None)
    source = site.case(code)
    assert (case.location_node_id, case.node_id) == (source.location_node_id, source.node_id)
    with site.database.transaction(site.tenant().id) as session:
        parties = session.execute(select(Party.role, Party.kind, Party.name, Party.id_encrypted,
                                         Party.phone_encrypted)
                                  .join(Case, Case.id == Party.case_id)
                                  .where(Case.code == inspection).order_by(Party.id)).all()
    # The commission hands the employer over; no worker's personal data is copied.
    assert [tuple(p) for p in parties] == [
        ("applicant", "organization", COMMISSION, None, None),
        ("respondent", "organization", EMPLOYER, None, None)]
    # Registered: accepted and assigned, the inspection department leads it.
    site.move(inspection, "accept", NOW)
    site.move(inspection, "assign", NOW)
    [(_code, assigned)] = [e for e in _events(site, "case.assign") if e[0] == inspection]
    assert (assigned["department"], assigned["assisting"], assigned["routing"]) == (
        "labor_arbitration_inspection", [],
        "labor_arbitration: labor_inspection → labor_arbitration_inspection")


def test_the_inspection_runs_sixty_working_days_citing_article_17(site):
    # 1 Sept + 60 working days: past the Mid-Autumn Festival (25–27 Sept) and the National Day
    # (1–7 Oct), with the adjusted working Sunday 20 Sept and Saturday 10 Oct: Monday 30 Nov.
    # (Sixty calendar days would have ended on 31 Oct.)
    august = details(inspection_referral=True, rights_infringed_on="2026-08-20",
                     employment_ended_on="2026-08-31")
    site.register(intake("labor_dispute", august), at(date(2026, 9, 1)))
    [inspection] = _inspections(site)
    due = clocks(site, inspection)
    assert set(due) == {RULE}
    assert due[RULE].date() == date(2026, 11, 30)
    rule = cases.deadline_rules(site.tenant())[RULE]
    assert (rule.amount, rule.unit) == (60, "working_days")
    assert "第十七条" in rule.source and "60个工作日" in rule.source
    assert rule.display_name("zh_Hans") == "劳动保障监察调查期限"


def test_each_trigger_opens_one_inspection_case_and_a_second_opens_none(site):
    asked = _referred(site, workers=1, representatives=[])
    group = site.register(intake("labor_dispute", details(workers=12)), NOW)
    single = site.register(intake("labor_dispute", details(workers=1, representatives=[])),
                           NOW)
    assert len(_inspections(site)) == 2
    site.move(single, "accept", NOW)
    site.move(single, "refer", NOW, route="administrative")
    # A second trigger on a case already linked: the administrative referral of ``asked``.
    site.move(asked, "accept", NOW)
    site.move(asked, "refer", NOW, route="administrative")
    inspections = _inspections(site)
    assert len(inspections) == 3
    triggers = {code: site.case(_code_of(site, _link(site, code).inspection_case_id))
                .details["trigger"] for code in (asked, group, single)}
    assert triggers == {asked: "requested", group: "group_wage_arrears",
                        single: "administrative_referral"}
    opened = _events(site, "labor_arbitration.inspection_opened")
    assert sorted(code for code, _data in opened) == sorted([asked, group, single])
    assert sorted(data["inspection_case"] for _code, data in opened) == inspections
    # The inspection clock of the referral starts with the referral.
    referred = _link(site, single)
    assert referred.opened_at.replace(tzinfo=None) == NOW.replace(tzinfo=None)


def _code_of(site, case_id):
    with site.database.transaction(site.tenant().id) as session:
        return session.scalar(select(Case.code).where(Case.id == case_id))


def test_the_inspection_case_links_nothing_itself(site):
    code = _referred(site)
    [inspection] = _inspections(site)
    with site.database.transaction(site.tenant().id) as session:
        similar = set(session.scalars(select(Case.code).join(
            SimilarCase, SimilarCase.case_id == Case.id)))
    assert similar == {code}
    assert _count(site, InspectionLink) == 1
    # A worker's complaint registered at the window as an inspection case opens no link.
    direct = site.register(intake("labor_inspection", {
        "employer": EMPLOYER, "trigger": "complaint", "workers": 3,
        "claim_types": "wage_arrears"}), NOW)
    assert site.case(direct).details["source_case"] == ""
    assert _count(site, InspectionLink) == 1 and _count(site, SimilarCase) == 1
    assert inspection != direct


def test_a_handed_over_inspection_case_names_its_dispute(site):
    with pytest.raises(CaseInvalid) as refused:
        site.register(intake("labor_inspection", {"employer": EMPLOYER,
                                                  "trigger": "requested"}), NOW)
    assert list(refused.value.fields) == ["details.source_case"]
    with pytest.raises(CaseInvalid) as refused:
        site.register(intake("labor_inspection", {"trigger": "audit"}), NOW)
    assert sorted(refused.value.fields) == ["details.employer", "details.trigger"]


# --- both ways -------------------------------------------------------------------------------


def test_the_dispute_and_its_inspection_case_name_each_other(site):
    code = _referred(site)
    [inspection] = _inspections(site)
    link = _link(site, code)
    with site.database.transaction(site.tenant().id) as session:
        ids = dict(session.execute(select(Case.code, Case.id)
                                   .where(Case.code.in_([code, inspection]))).all())
        source, case = (session.scalar(select(Case).where(Case.code == c))
                        for c in (code, inspection))
        from_source, from_inspection = linkage.link_of(session, source), \
            linkage.link_of(session, case)
    assert (link.case_id, link.inspection_case_id) == (ids[code], ids[inspection])
    assert (from_source.code, from_source.inspection_code) == (code, inspection)
    assert (from_inspection.code, from_inspection.inspection_code) == (code, inspection)

    client = site.app.test_client()
    site.sign_in(client)
    page = _page(client, code)
    assert 'id="panel-labor-inspection"' in page and "Labor inspection" in page
    assert f'href="/on/workbench/cases/{inspection}"' in page and "(registered)" in page
    assert "asked for at intake" in page
    other = _page(client, inspection)
    assert "Handed over from a labor dispute" in other
    assert f'href="/on/workbench/cases/{code}"' in other
    chinese = _page(client, inspection, "zh_Hans")
    assert "劳动争议移送" in chinese and "已登记" in chinese
    listing = client.get(f"/on/plugins/{NAME}/inspections?lang=en").get_data(as_text=True)
    assert f'href="/on/workbench/cases/{inspection}"' in listing
    # A case without a link has no panel.
    plain = site.register(intake("labor_dispute", details(workers=1, representatives=[])), NOW)
    assert 'id="panel-labor-inspection"' not in _page(client, plain)


def test_the_other_case_is_linked_only_for_a_viewer_who_may_open_it(site):
    code = _referred(site)
    [inspection] = _inspections(site)
    with site.database.transaction(site.tenant().id) as session:
        user = accounts.create_user(session, "on-inspector", PASSWORD)
        accounts.add_membership(session, user, "department_liaison",
                                department_code="labor_arbitration_inspection")
    for name in ("accept", "assign"):
        site.move(inspection, name, NOW)
    inspector = site.app.test_client()
    login = inspector.get("/on/login").get_data(as_text=True)
    assert inspector.post("/on/login", data={"username": "on-inspector", "password": PASSWORD,
                                             "csrf_token": csrf_of(login)}).status_code == 302
    # The dispute is not yet with the inspection brigade: its code, no link, no status.
    page = _page(inspector, inspection)
    assert code in page and f'href="/on/workbench/cases/{code}"' not in page
    # Assigned, with labor inspection assisting (the case is linked): now it opens.
    for name in ("accept", "assign"):
        site.move(code, name, NOW)
    assert f'href="/on/workbench/cases/{code}"' in _page(inspector, inspection)
    assert f'href="/on/workbench/cases/{inspection}"' in _page(inspector, code)


# --- the link follows the inspection case ----------------------------------------------------


def test_the_link_closes_with_the_inspection_case_and_opens_again_with_it(site):
    code = _referred(site)
    [inspection] = _inspections(site)
    for name in ("accept", "assign", "start_mediation"):
        site.move(inspection, name, NOW)
    assert _link(site, code).status == "open"
    site.move(inspection, "resolve", NOW, outcome="已责令限期支付拖欠工资")
    link = _link(site, code)
    assert (link.status, link.note) == ("closed", "已责令限期支付拖欠工资")
    site.move(inspection, "close", NOW)
    closed = _events(site, "labor_arbitration.inspection_closed")
    assert closed == [(code, {"note": "已责令限期支付拖欠工资", "inspection_case": inspection})]
    site.move(inspection, "reopen", NOW, reason="用人单位未按期支付")
    assert _link(site, code).status == "open"
    assert _events(site, "labor_arbitration.inspection_reopened") == [
        (code, {"inspection_case": inspection})]
    # The source case's own transitions leave the link alone.
    site.move(code, "accept", NOW)
    assert _link(site, code).status == "open"


def test_a_withdrawn_inspection_case_closes_its_link_with_the_reason(site):
    code = _referred(site)
    [inspection] = _inspections(site)
    site.move(inspection, "withdraw", NOW, reason="劳动者撤回投诉")
    assert (_link(site, code).status, _link(site, code).note) == ("closed", "劳动者撤回投诉")


def test_closing_by_hand_still_works_and_the_case_then_leaves_the_note(site):
    code = _referred(site)
    [inspection] = _inspections(site)
    with site.database.transaction(site.tenant().id) as session:
        link = session.scalar(select(InspectionLink))
        linkage.close_inspection(session, link, "已移送公安机关", "监察员")
    site.move(inspection, "withdraw", NOW, reason="另案处理")
    assert _link(site, code).note == "已移送公安机关"
    assert len(_events(site, "labor_arbitration.inspection_closed")) == 1


# --- one transaction -------------------------------------------------------------------------


def _refuse_the_inspection_intake(monkeypatch):
    real = linkage.inspection_intake

    def broken(*args, **kwargs):
        data = real(*args, **kwargs)
        del data["details"]["employer"]  # the inspection case's schema refuses it
        return data

    monkeypatch.setattr(linkage, "inspection_intake", broken)


def test_a_refused_inspection_case_rolls_the_registration_back(site, monkeypatch):
    _refuse_the_inspection_intake(monkeypatch)
    before = _count(site, AuditEvent)
    with pytest.raises(CaseInvalid) as refused:
        _referred(site)
    assert list(refused.value.fields) == ["details.employer"]
    assert _count(site, Case) == 0 and _count(site, InspectionLink) == 0
    assert _count(site, SimilarCase) == 0 and _count(site, AuditEvent) == before


def test_a_refused_inspection_case_rolls_the_referral_back(site, monkeypatch):
    code = site.register(intake("labor_dispute", details(workers=1, representatives=[])), NOW)
    site.move(code, "accept", NOW)
    before = _count(site, AuditEvent)
    _refuse_the_inspection_intake(monkeypatch)
    with pytest.raises(CaseInvalid):
        site.move(code, "refer", NOW, route="administrative")
    assert site.case(code).status == "accepted"
    assert _count(site, Referral) == 0 and _count(site, InspectionLink) == 0
    assert _inspections(site) == [] and _count(site, AuditEvent) == before
    monkeypatch.undo()
    assert site.move(code, "refer", NOW, route="administrative") == "referred"
    assert len(_inspections(site)) == 1


def test_the_audit_chain_holds_the_cases_and_the_link_in_order(site):
    code = _referred(site)
    [inspection] = _inspections(site)
    site.move(inspection, "withdraw", NOW, reason="劳动者撤回投诉")
    with site.database.transaction(site.tenant().id) as session:
        assert audit.verify_chain(session).ok
        events = [(e.action, e.object_id) for e in session.scalars(
            select(AuditEvent).where(AuditEvent.object_type == "case")
            .order_by(AuditEvent.seq))]
    assert events == [
        ("case.registered", code), ("case.registered", inspection),
        ("labor_arbitration.inspection_opened", code),
        ("case.withdraw", inspection), ("labor_arbitration.inspection_closed", code)]


def test_the_other_tenant_has_no_inspection_case_type(site):
    _referred(site)
    off = site.tenant("off")
    assert "labor_inspection" not in cases.case_types(off)
    assert RULE not in cases.deadline_rules(off)
    with pytest.raises(CaseInvalid) as refused:
        site.register(intake("labor_inspection", {"employer": EMPLOYER}, slug="off"), NOW,
                      slug="off")
    assert list(refused.value.fields) == ["case_type"]
    with site.database.transaction(off.id) as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0
        assert session.scalar(select(func.count()).select_from(InspectionLink)) == 0

