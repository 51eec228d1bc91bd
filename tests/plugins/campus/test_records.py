"""Campus cases and records through the app, on SQLite and PostgreSQL: minors' names masked,
sealed referrals only for counselors (audited), screening and education forms, routing, the
bullying close check, indicators, and nothing of it for another tenant."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from stdnum.cn import ric

from core import accounts, cases, indicators
from core.models import AuditEvent, Case, Department, Party
from core.pii import Vault
from core.workflow import ALL_STAFF, Actor
from plugins.campus.models import (
    CaseFollowUp,
    CounselingReferral,
    LegalEducationEvent,
    ScreeningRecord,
)

SETTINGS = {"schools": ["舟山中学", "定海一中"], "notify_education_bureau": True}
PASSWORD = "correct horse battery"
STAFF = Actor("staff", ALL_STAFF)
NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


@pytest.fixture
def site(plugin_site):
    app = plugin_site("campus", SETTINGS)
    onedoor = app.extensions["onedoor"]
    on, off = onedoor.directory.get("on"), onedoor.directory.get("off")
    for tenant in (on, off):
        with onedoor.database.transaction(tenant.id) as session:
            for role in ("clerk", "counselor", "auditor"):
                user = accounts.create_user(session, f"{tenant.slug}-{role}", PASSWORD)
                accounts.add_membership(session, user, role)
    with onedoor.database.transaction(on.id) as session:
        session.add_all([Department(code="campus_police_post", names={"zh_Hans": "校园警务室"}),
                         Department(code="campus_education_bureau",
                                    names={"zh_Hans": "教育局"})])
    return app, onedoor, on, off


def vault(onedoor):
    return Vault(onedoor.settings.pii_secret)


def csrf_of(html):
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(client, slug, username):
    page = client.get(f"/{slug}/login").get_data(as_text=True)
    response = client.post(f"/{slug}/login", data={
        "username": username, "password": PASSWORD, "csrf_token": csrf_of(page)})
    assert response.status_code == 302


def bullying_intake(**details):
    data = {
        "case_type": "campus_bullying", "channel": "walk_in", "title": "学生在班级群被孤立",
        "description": "同学在班级群中起绰号", "location_node": "on-t1",
        "details": {"school": "舟山中学", "grade": "初二", "minor": True,
                    "date_of_birth": "2012-09-01", "incident_date": "2026-11-20",
                    "means": "online", "guardians_notified": False, **details},
        "parties": [{"role": "applicant", "name": "王小明", "minor": True},
                    {"role": "respondent", "name": "李老师"}],
    }
    return data


def register(onedoor, tenant, data):
    with onedoor.database.transaction(tenant.id) as session:
        return cases.register(session, tenant, data, STAFF, vault=vault(onedoor), now=NOW).case.code


def test_a_minors_name_is_stored_encrypted_shown_masked_and_revealed_with_an_audit_event(site):
    app, onedoor, on, _off = site
    code = register(onedoor, on, bullying_intake())
    with onedoor.database.transaction(on.id) as session:
        minor, adult = session.scalars(select(Party).order_by(Party.id)).all()
        assert (minor.name, adult.name) == ("王**", "李老师")
        assert minor.name_encrypted and "王小明" not in minor.name_encrypted
        assert adult.name_encrypted is None
        case = cases.get_case(session, code)
        assert {w["rule"] for w in case.warnings} == {"未成年人保护法 第三十九条第二款"}
    client = app.test_client()
    sign_in(client, "on", "on-clerk")
    page = client.get(f"/on/workbench/cases/{code}?lang=en").get_data(as_text=True)
    assert "王小明" not in page and "王**" in page and "Minor: name protected" in page
    response = client.post(f"/on/workbench/cases/{code}/parties/{minor.id}/name/reveal",
                           data={"csrf_token": csrf_of(page),
                                 f"p{minor.id}-name-reason": "通知监护人"})
    assert "王小明" in response.get_data(as_text=True)
    with onedoor.database.transaction(on.id) as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "party.revealed"))
        assert event.data == {"party": minor.id, "field": "name", "reason": "通知监护人"}


def test_an_id_number_under_18_protects_the_name_even_unmarked(site):
    _app, onedoor, on, _off = site
    data = bullying_intake()
    number = "33090220120901002"
    data["parties"][0] = {"role": "applicant", "name": "赵小红",
                          "id_number": number + ric.calc_check_digit(number + "0")}
    with onedoor.database.transaction(on.id) as session:
        cases.register(session, on, data, STAFF, vault=vault(onedoor), now=NOW)
        party = session.scalar(select(Party).order_by(Party.id))
        assert party.name == "赵**"


def test_an_unprotected_minor_is_refused_naming_the_parties_and_nothing_is_written(site):
    _app, onedoor, on, _off = site
    data = bullying_intake()
    data["parties"][0]["minor"] = False
    with pytest.raises(cases.CaseInvalid) as refused:
        register(onedoor, on, data)
    assert "parties" in refused.value.fields
    with onedoor.database.transaction(on.id) as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0


def test_bullying_is_routed_to_the_police_post_and_ends_only_after_guardians_are_notified(site):
    app, onedoor, on, _off = site
    code = register(onedoor, on, bullying_intake())
    with onedoor.database.transaction(on.id) as session:
        case = cases.get_case(session, code)
        decision = cases.suggest_route(session, on, case)
        assert (decision.lead, decision.assisting) == ("campus_police_post",
                                                       ("campus_education_bureau",))
    for name, payload in (("accept", {}), ("assign", {}), ("start_mediation", {})):
        with onedoor.database.transaction(on.id) as session:
            cases.transition(session, on, code, name, STAFF, payload, now=NOW)
    with onedoor.database.transaction(on.id) as session, pytest.raises(
            cases.TransitionRefused) as refused:
        cases.transition(session, on, code, "resolve", STAFF, {"outcome": "调解成功"}, now=NOW)
    assert "guardians" in " ".join(str(r) for r in refused.value.reasons)
    client = app.test_client()
    sign_in(client, "on", "on-clerk")
    page = client.get(f"/on/plugins/campus/cases/{code}/follow-ups?lang=en")
    assert page.status_code == 200
    response = client.post(f"/on/plugins/campus/cases/{code}/follow-ups?lang=en", data={
        "csrf_token": csrf_of(page.get_data(as_text=True)), "kind": "guardians_notified",
        "done_on": "2026-11-21", "note": "电话通知双方家长"})
    assert response.status_code == 200
    with onedoor.database.transaction(on.id) as session:
        cases.transition(session, on, code, "resolve", STAFF, {"outcome": "调解成功"}, now=NOW)
        assert session.scalar(select(AuditEvent.action).where(
            AuditEvent.action == "campus.follow_up.recorded"))
        figure = indicators.compute(session, on)["campus_guardian_notification"]
        assert (figure.numerator, figure.denominator) == (1, 1)


def referral_form(client, **fields):
    page = client.get("/on/plugins/campus/referrals?lang=en").get_data(as_text=True)
    data = {"csrf_token": csrf_of(page), "referred_on": "2026-11-25", "school": "舟山中学",
            "details": "学生情绪低落，失眠两周，建议心理辅导。"}
    data.update(fields)
    return client.post("/on/plugins/campus/referrals?lang=en", data=data)


def test_a_sealed_referral_opens_for_counselors_only_and_each_opening_is_audited(site):
    app, onedoor, on, _off = site
    clerk = app.test_client()
    sign_in(clerk, "on", "on-clerk")
    assert referral_form(clerk).status_code == 200
    with onedoor.database.transaction(on.id) as session:
        referral = session.scalar(select(CounselingReferral))
        assert "失眠" not in referral.details_encrypted
    listing = clerk.get("/on/plugins/campus/referrals?lang=en").get_data(as_text=True)
    assert "舟山中学" in listing and "Sealed" in listing and "失眠" not in listing
    token = csrf_of(listing)
    url = f"/on/plugins/campus/referrals/{referral.id}/reveal"
    assert clerk.post(url, data={"csrf_token": token}).status_code == 403
    counselor = app.test_client()
    sign_in(counselor, "on", "on-counselor")
    page = counselor.get("/on/plugins/campus/referrals?lang=en").get_data(as_text=True)
    opened = counselor.post(url, data={"csrf_token": csrf_of(page)})
    assert "失眠两周" in opened.get_data(as_text=True)
    with onedoor.database.transaction(on.id) as session:
        events = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "campus.counseling.revealed")).all()
        assert [(e.actor, e.object_id) for e in events] == [("on-counselor", str(referral.id))]


def test_forms_refuse_bad_input_under_each_field_in_the_readers_language(site):
    app, onedoor, on, _off = site
    client = app.test_client()
    sign_in(client, "on", "on-clerk")
    page = client.get("/on/plugins/campus/screenings").get_data(as_text=True)
    response = client.post("/on/plugins/campus/screenings", data={
        "csrf_token": csrf_of(page), "screened_on": "2099-01-01", "school": "别的学校",
        "screener": "", "risk_level": "orange", "findings": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "该日期晚于今天。" in html and "请选择本中心服务的学校。" in html
    assert "请说明排查发现的问题。" in html
    assert referral_form(client, case_code="ZZ-404").status_code == 422
    no_csrf = client.post("/on/plugins/campus/education", data={"title": "x"})
    assert no_csrf.status_code in (400, 403)
    with onedoor.database.transaction(on.id) as session:
        for model in (ScreeningRecord, LegalEducationEvent, CounselingReferral):
            assert session.scalar(select(func.count()).select_from(model)) == 0


def test_screening_and_education_records_count_in_the_indicators(site):
    app, onedoor, on, _off = site
    client = app.test_client()
    sign_in(client, "on", "on-clerk")
    for found, resolved in (("orange", "true"), ("yellow", "false"), ("none", "false")):
        page = client.get("/on/plugins/campus/screenings").get_data(as_text=True)
        assert client.post("/on/plugins/campus/screenings", data={
            "csrf_token": csrf_of(page), "screened_on": "2026-11-30", "school": "定海一中",
            "screener": "班主任", "risk_level": found, "findings": "口角" if found != "none"
            else "", "resolved": resolved}).status_code == 200
    page = client.get("/on/plugins/campus/education").get_data(as_text=True)
    assert client.post("/on/plugins/campus/education", data={
        "csrf_token": csrf_of(page), "title": "未成年人保护法进校园", "held_on": "2026-11-28",
        "school": "舟山中学", "audience": "students", "attendance": "420"}).status_code == 200
    listing = client.get("/on/plugins/campus/education?lang=en").get_data(as_text=True)
    assert "未成年人保护法进校园" in listing and "420" in listing
    with onedoor.database.transaction(on.id) as session:
        figures = indicators.compute(session, on)
        screening = figures["campus_screening_resolution"]
        assert (screening.numerator, screening.denominator) == (1, 2)
        assert figures["campus_legal_education_attendance"].value == 420
        assert session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action.like("campus.%.recorded"))) == 4


def test_another_tenant_sees_no_page_no_case_type_no_row(site):
    app, onedoor, on, off = site
    register(onedoor, on, bullying_intake())
    clerk = app.test_client()
    sign_in(clerk, "on", "on-clerk")
    page = clerk.get("/on/plugins/campus/education").get_data(as_text=True)
    clerk.post("/on/plugins/campus/education", data={
        "csrf_token": csrf_of(page), "title": "法治讲座", "held_on": "2026-11-28",
        "school": "舟山中学", "audience": "mixed", "attendance": "30"})
    referral_form(clerk)
    other = app.test_client()
    sign_in(other, "off", "off-counselor")
    for path in ("screenings", "education", "referrals", "referrals/1/reveal"):
        assert other.get(f"/off/plugins/campus/{path}").status_code in (404, 405)
        assert other.get(f"/off/plugins/campus/{path}").status_code != 200
    assert "campus_bullying" not in cases.case_types(off)
    with onedoor.database.transaction(off.id) as session:
        for model in (ScreeningRecord, LegalEducationEvent, CounselingReferral, CaseFollowUp):
            assert session.scalar(select(func.count()).select_from(model)) == 0
        assert "campus_screening_resolution" not in indicators.compute(session, off).figures
    with onedoor.database.transaction(on.id) as session:
        assert session.scalar(select(func.count()).select_from(LegalEducationEvent)) == 1


def test_a_counselor_reads_only_referrals_in_their_subtree_and_auditors_write_nothing(site):
    app, onedoor, on, _off = site
    with onedoor.database.transaction(on.id) as session:
        user = accounts.create_user(session, "on-town-counselor", PASSWORD)
        accounts.add_membership(session, user, "counselor", "on-t1")
    clerk = app.test_client()
    sign_in(clerk, "on", "on-clerk")
    referral_form(clerk)  # no case: it belongs to the root of the tree
    with onedoor.database.transaction(on.id) as session:
        referral_id = session.scalar(select(CounselingReferral.id))
    town = app.test_client()
    sign_in(town, "on", "on-town-counselor")
    page = town.get("/on/plugins/campus/referrals?lang=en").get_data(as_text=True)
    assert "Sealed" in page
    assert town.post(f"/on/plugins/campus/referrals/{referral_id}/reveal",
                     data={"csrf_token": csrf_of(page)}).status_code == 403
    auditor = app.test_client()
    sign_in(auditor, "on", "on-auditor")
    page = auditor.get("/on/plugins/campus/screenings").get_data(as_text=True)
    assert auditor.post("/on/plugins/campus/screenings", data={
        "csrf_token": csrf_of(page), "screened_on": "2026-11-30", "school": "舟山中学",
        "screener": "x", "risk_level": "none"}).status_code == 403
    with onedoor.database.transaction(on.id) as session:
        assert session.scalar(select(func.count()).select_from(ScreeningRecord)) == 0
        assert not session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "campus.counseling.revealed"))


def test_demo_records_are_written_once(site):
    from plugins.campus import demo

    _app, onedoor, on, _off = site
    with onedoor.database.transaction(on.id) as session:
        assert demo.seed(session, SETTINGS["schools"], "on") == 8
    with onedoor.database.transaction(on.id) as session:
        assert demo.seed(session, SETTINGS["schools"], "on") == 0
        assert {r.school for r in session.scalars(select(ScreeningRecord))} <= set(
            SETTINGS["schools"])
