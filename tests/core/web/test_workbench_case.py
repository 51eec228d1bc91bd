"""The case page: what it shows, masking and reveal, each action's success and refusal."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.models import AuditEvent, Case
from tests.core.web.workbench_support import (
    act,
    add_staff,
    build_world,
    move,
    sign_in,
    token,
    version_of,
)


@pytest.fixture
def world(make_app, sqlite_url):
    world = build_world(make_app(sqlite_url))
    add_staff(world)
    return world


def _page(world, code, slug="alpha"):
    response = world.client.get(f"/{slug}/workbench/cases/{code}?lang=en")
    return response.status_code, response.get_data(as_text=True)


def _status(world, code):
    with world.database.transaction(world.alpha.id) as session:
        return session.scalar(select(Case.status).where(Case.code == code))


def _events(world, action):
    with world.database.transaction(world.alpha.id) as session:
        return session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def _in_mediation(world) -> str:
    code = world.create_case(world.alpha)["code"]
    move(world, code, "accept")
    move(world, code, "assign", department="court")
    move(world, code, "start_mediation")
    return code


def test_the_page_shows_the_code_qr_fields_timeline_and_masked_parties(world):
    code = world.create_case(world.alpha)["code"]
    sign_in(world, "alpha", "alpha-clerk")

    status, html = _page(world, code)

    assert status == 200
    assert code in html and 'src="data:image/svg+xml;base64,' in html
    assert "楼上漏水引发邻里纠纷" in html and "Neighbors" in html and "Walk-in at a window" in html
    assert "138****5678" in html and "13812345678" not in html
    assert "11010519491231002X" not in html
    assert "Registered (risk:" in html  # the timeline in words
    assert "<th scope=\"row\">Acceptance<br>" in html  # the clock, by its name
    assert 'value="accept"' in html  # a clerk may accept


def test_the_clocks_are_named_in_the_readers_language_with_their_source_for_english(world):
    code = world.create_case(world.alpha)["code"]
    move(world, code, "accept")
    move(world, code, "assign", department="court")
    sign_in(world, "alpha", "alpha-clerk")

    english = _page(world, code)[1]
    chinese = world.client.get(f"/alpha/workbench/cases/{code}?lang=zh_Hans").get_data(
        as_text=True)
    traditional = world.client.get(f"/alpha/workbench/cases/{code}?lang=zh_Hant").get_data(
        as_text=True)

    assert "Mediation and handling" in english and "tenant practice, no statute" in english
    assert "受理期限" in chinese and "调解办理期限" in chinese and "調解辦理期限" in traditional
    assert ">general_mediation<" not in chinese and ">general_accept<" not in chinese
    # The running clock's time left: about 30 days, more when the 30th day is a holiday or
    # weekend and the period moves to the next working day (so the figure depends on today).
    left_en = re.search(r"due in (\d+) days", english)
    left_zh = re.search(r"(\d+)天(\d+小时)?后到期", chinese)
    assert left_en and 29 <= int(left_en[1]) <= 38
    assert left_zh and left_zh[1] == left_en[1]
    # The English source note is a tooltip on Chinese pages, not text in the table.
    assert 'title="common local practice' in chinese
    assert '<span class="muted">common local practice' not in chinese


def test_revealing_a_phone_needs_a_reason_shows_it_once_and_is_audited(world):
    code = world.create_case(world.alpha)["code"]
    sign_in(world, "alpha", "alpha-clerk")
    html = _page(world, code)[1]
    party_id = int(html.split("/parties/")[1].split("/")[0])
    url = f"/alpha/workbench/cases/{code}/parties/{party_id}/phone/reveal?lang=en"

    refused = world.client.post(url, data={"csrf_token": token(world),
                                           f"p{party_id}-phone-reason": " "})
    assert refused.status_code == 422
    assert "13812345678" not in refused.get_data(as_text=True)
    assert _events(world, "party.revealed") == []

    shown = world.client.post(url, data={"csrf_token": token(world),
                                         f"p{party_id}-phone-reason": "回访核实"})
    assert shown.status_code == 200
    assert "13812345678" in shown.get_data(as_text=True)
    assert shown.headers["Cache-Control"] == "private, no-store"
    [event] = _events(world, "party.revealed")
    assert event.actor == "alpha-clerk" and event.data["reason"] == "回访核实"
    # Once: the next view is masked again.
    assert "13812345678" not in _page(world, code)[1]


def _with_email(world) -> str:
    parties = [{"role": "applicant", "name": "张三", "phone": "13812345678",
                "email": "zhangsan@example.cn"},
               {"role": "respondent", "name": "李四"}]
    return world.create_case(world.alpha, parties=parties)["code"]


def test_the_email_is_masked_and_revealed_once_with_an_audit_event(world):
    code = _with_email(world)
    sign_in(world, "alpha", "alpha-clerk")
    html = _page(world, code)[1]

    assert "<th scope=\"col\">E-mail</th>" in html
    assert "zhangsan@example.cn" not in html and "z***@example.cn" in html
    party_id = int(html.split("/parties/")[1].split("/")[0])
    url = f"/alpha/workbench/cases/{code}/parties/{party_id}/email/reveal?lang=en"
    assert f'action="{url.split("?")[0]}"' in html

    refused = world.client.post(url, data={"csrf_token": token(world),
                                           f"p{party_id}-email-reason": ""})
    assert refused.status_code == 422 and "zhangsan@example.cn" not in refused.get_data(
        as_text=True)
    assert _events(world, "party.revealed") == []

    shown = world.client.post(url, data={"csrf_token": token(world),
                                         f"p{party_id}-email-reason": "书面通知送达"})
    assert shown.status_code == 200 and "zhangsan@example.cn" in shown.get_data(as_text=True)
    [event] = _events(world, "party.revealed")
    assert event.actor == "alpha-clerk" and event.data == {
        "party": party_id, "field": "email", "reason": "书面通知送达"}
    assert "zhangsan@example.cn" not in _page(world, code)[1]


def test_a_viewer_without_the_reveal_permission_sees_the_mask_and_cannot_reveal(world):
    code = _with_email(world)
    sign_in(world, "alpha", "alpha-clerk")
    party_id = int(_page(world, code)[1].split("/parties/")[1].split("/")[0])
    world.client.post("/alpha/logout", data={"csrf_token": token(world)})
    sign_in(world, "alpha", "alpha-auditor")  # reads every case, may reveal nothing

    status, html = _page(world, code)
    assert status == 200 and "z***@example.cn" in html
    assert "/email/reveal" not in html and "/phone/reveal" not in html

    refused = world.client.post(
        f"/alpha/workbench/cases/{code}/parties/{party_id}/email/reveal?lang=en",
        data={"csrf_token": token(world), f"p{party_id}-email-reason": "想看"})
    assert refused.status_code in (403, 404)
    assert "zhangsan@example.cn" not in refused.get_data(as_text=True)
    assert _events(world, "party.revealed") == []


def test_accept_succeeds_with_a_redirect_and_is_refused_when_no_longer_possible(world):
    code = world.create_case(world.alpha)["code"]
    sign_in(world, "alpha", "alpha-clerk")

    done = act(world, code, "accept")
    assert done.status_code == 303 and done.headers["Location"].endswith(code)
    assert _status(world, code) == "accepted"
    assert "Done: Accept." in world.client.get(done.headers["Location"] + "?lang=en") \
        .get_data(as_text=True)

    again = act(world, code, "accept")
    assert again.status_code == 422
    assert "This action is not possible while the case is accepted." in \
        again.get_data(as_text=True)


def test_a_stale_form_is_told_the_case_changed_and_writes_nothing(world):
    code = world.create_case(world.alpha)["code"]
    sign_in(world, "alpha", "alpha-clerk")
    old = version_of(world, code)
    move(world, code, "accept")

    response = act(world, code, "withdraw", version=old, reason="当事人撤回")

    assert response.status_code == 409
    assert "changed meanwhile" in response.get_data(as_text=True)
    assert _status(world, code) == "accepted"


def test_assign_takes_the_chosen_department_and_without_one_says_what_is_missing(world):
    code = world.create_case(world.alpha)["code"]
    move(world, code, "accept")
    sign_in(world, "alpha", "alpha-dispatcher")
    html = _page(world, code)[1]
    assert "No dispatch catalog entry matches this case" in html
    assert '<option value="court"' in html

    missing = act(world, code, "assign")
    assert missing.status_code == 422
    assert 'id="e-assign-department"' in missing.get_data(as_text=True)
    assert _status(world, code) == "accepted"

    assert act(world, code, "assign", department="court").status_code == 303
    assert _status(world, code) == "assigned"
    assert "人民法院" in _page(world, code)[1]


def test_start_mediation_by_a_mediator_and_refused_for_a_clerk(world):
    code = world.create_case(world.alpha)["code"]
    move(world, code, "accept")
    move(world, code, "assign", department="court")
    sign_in(world, "alpha", "alpha-clerk")
    assert 'value="start_mediation"' not in _page(world, code)[1]
    refused = act(world, code, "start_mediation")
    assert refused.status_code == 422
    assert "Your role may not take this action." in refused.get_data(as_text=True)

    sign_in(world, "alpha", "alpha-mediator")
    assert act(world, code, "start_mediation").status_code == 303
    assert _status(world, code) == "in_mediation"


def test_recording_an_attempt_and_its_field_errors(world):
    code = _in_mediation(world)
    sign_in(world, "alpha", "alpha-mediator")

    bad = act(world, code, "attempt", mediator="王调解", result="failed", leader_involved="1")
    assert bad.status_code == 422
    assert 'id="e-attempt-leader_name"' in bad.get_data(as_text=True)
    assert 'value="王调解"' in bad.get_data(as_text=True)  # what was typed is kept

    done = act(world, code, "attempt", mediator="王调解", result="failed",
               held_at="2026-03-02T09:30", notes="双方分歧较大")
    assert done.status_code == 303
    html = _page(world, code)[1]
    assert "王调解" in html and "双方分歧较大" in html
    assert "Mediation attempt recorded: failed." in html


def test_escalation_before_the_ladder_allows_it_is_refused_with_what_it_needs(world):
    code = _in_mediation(world)
    sign_in(world, "alpha", "alpha-mediator")
    assert "mediation attempts before the case goes up" in _page(world, code)[1]

    refused = act(world, code, "escalate", reason="调解不成")

    assert refused.status_code == 422
    assert "The escalation ladder needs" in refused.get_data(as_text=True)
    assert _status(world, code) == "in_mediation"


def test_a_clerk_sees_no_escalate_form_and_cannot_post_one(world):
    code = _in_mediation(world)
    sign_in(world, "alpha", "alpha-clerk")
    assert 'value="escalate"' not in _page(world, code)[1]

    refused = act(world, code, "escalate", reason="调解不成")

    assert refused.status_code == 422
    assert "Your role may not take this action." in refused.get_data(as_text=True)
    assert _status(world, code) == "in_mediation"


def test_resolve_close_and_evaluate_then_a_second_evaluation_is_refused(world):
    code = _in_mediation(world)
    sign_in(world, "alpha", "alpha-mediator")
    assert act(world, code, "close").status_code == 422  # not resolved yet
    assert act(world, code, "resolve", outcome="达成协议").status_code == 303
    assert act(world, code, "close").status_code == 303
    assert _status(world, code) == "closed"

    sign_in(world, "alpha", "alpha-clerk")
    done = act(world, code, "evaluate", rating="satisfied", channel="callback", comment="很好")
    assert done.status_code == 303
    assert "Evaluation recorded: Satisfied." in _page(world, code)[1]
    again = act(world, code, "evaluate", rating="satisfied", channel="callback")
    assert again.status_code == 422
    assert 'id="e-evaluate-channel"' in again.get_data(as_text=True)


def test_a_leader_issues_a_work_reminder_letter_and_a_clerk_may_not(world):
    code = world.create_case(world.alpha)["code"]
    sign_in(world, "alpha", "alpha-leader")
    empty = world.client.post(f"/alpha/workbench/cases/{code}/notices?lang=en", data={
        "csrf_token": token(world), "notice.kind": "work_reminder_letter", "notice.body": ""})
    assert empty.status_code == 422 and 'id="e-notice-body"' in empty.get_data(as_text=True)

    done = world.client.post(f"/alpha/workbench/cases/{code}/notices", data={
        "csrf_token": token(world), "notice.kind": "work_reminder_letter",
        "notice.body": "请于三日内反馈", "notice.to_department": "court"})
    assert done.status_code == 303
    html = _page(world, code)[1]
    assert "Work reminder letter" in html and "/alpha/cases/" + code + "/notices/" in html

    sign_in(world, "alpha", "alpha-clerk")
    assert "Issue a notice" not in _page(world, code)[1]
    refused = world.client.post(f"/alpha/workbench/cases/{code}/notices", data={
        "csrf_token": token(world), "notice.kind": "urge", "notice.body": "催办"})
    assert refused.status_code == 404


def test_the_printable_summary_masks_parties(world):
    code = world.create_case(world.alpha)["code"]
    sign_in(world, "alpha", "alpha-clerk")
    response = world.client.get(f"/alpha/workbench/cases/{code}/summary?lang=en")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Case summary" in html and code in html and "138****5678" in html
    assert "13812345678" not in html and "workbench.css" in html


def test_an_unknown_or_mistyped_code_is_404(world):
    sign_in(world, "alpha", "alpha-clerk")
    assert _page(world, "AL-2026-999999-0")[0] == 404
    assert _page(world, "nonsense")[0] == 404


@pytest.fixture
def both(make_app, database_url):
    world = build_world(make_app(database_url))
    add_staff(world)
    return world


def test_another_tenants_staff_get_404_for_the_case_and_its_actions(both):
    code = both.create_case(both.alpha)["code"]
    sign_in(both, "beta", "beta-leader")
    assert both.client.get(f"/beta/workbench/cases/{code}").status_code == 404
    assert both.client.get(f"/beta/workbench/cases/{code}/summary").status_code == 404
    posted = both.client.post(f"/beta/workbench/cases/{code}/act", data={
        "csrf_token": token(both, "beta"), "transition": "accept", "version": "1"})
    assert posted.status_code == 404
    assert code not in both.client.get("/beta/workbench/").get_data(as_text=True)
    with both.database.transaction(both.alpha.id) as session:
        assert session.scalar(select(Case.status).where(Case.code == code)) == "registered"


def _accepted_petition(world) -> str:
    """A petition accepted today: its 60-day handling clock may be extended by 30 days."""
    code = world.create_case(world.alpha, case_type="petition", channel="petition")["code"]
    move(world, code, "accept")
    return code


def test_a_leader_extends_a_deadline_within_the_statute_and_the_page_says_so(world):
    code = _accepted_petition(world)
    sign_in(world, "alpha", "alpha-leader")
    html = _page(world, code)[1]
    assert 'value="extend_clock"' in html
    assert re.search(r'<option value="petition_handle"\s*>[^<]*up to 30 days more', html)

    too_much = act(world, code, "extend_clock", rule="petition_handle", days="40",
                   reason="需多部门会商")
    assert too_much.status_code == 422
    page = too_much.get_data(as_text=True)
    assert 'id="e-extend_clock-days"' in page and "at most 30 more days" in page
    assert "需多部门会商" in page  # what was typed is kept
    not_a_number = act(world, code, "extend_clock", rule="petition_handle", days="ten",
                       reason="x")
    assert "Give a whole number" in not_a_number.get_data(as_text=True)
    assert _events(world, "deadline.extended") == []

    done = act(world, code, "extend_clock", rule="petition_handle", days="10",
               reason="需多部门会商")
    assert done.status_code == 303
    html = _page(world, code)[1]
    assert "extended by 10 days with approval" in html
    assert "extended by 10 days with approval. Reason: 需多部门会商" in html  # the timeline
    assert "up to 20 days more" in html
    [event] = _events(world, "deadline.extended")
    assert event.actor == "alpha-leader" and event.data["by"] == 10


def test_a_clerk_may_not_extend_and_a_mediator_pauses_and_resumes(world):
    code = _accepted_petition(world)
    sign_in(world, "alpha", "alpha-clerk")
    assert 'value="extend_clock"' not in _page(world, code)[1]
    refused = act(world, code, "extend_clock", rule="petition_handle", days="5", reason="x")
    assert refused.status_code == 422 and _events(world, "deadline.extended") == []

    sign_in(world, "alpha", "alpha-mediator")
    assert 'value="resume_clock"' not in _page(world, code)[1]
    assert act(world, code, "pause_clock", rule="petition_handle",
               reason="司法鉴定中").status_code == 303
    html = _page(world, code)[1]
    assert "paused since" in html and 'value="resume_clock"' in html
    assert "Deadline Petition handling paused. Reason: 司法鉴定中" in html
    assert act(world, code, "resume_clock", rule="petition_handle",
               reason="鉴定意见已出").status_code == 303
    assert [e.data["rule"] for e in _events(world, "deadline.resumed")] == ["petition_handle"]
