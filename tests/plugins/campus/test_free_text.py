"""A minor's name in the case's free text: a warning (kept on the case and in its audit
event) telling the clerk to remove it, naming the party by number, never by name."""

from __future__ import annotations

from sqlalchemy import select

from core.models import AuditEvent, Case
from plugins.campus import rules
from tests.plugins.campus.test_records import bullying_intake, register, sign_in, site

__all__ = ["site"]

RULE = "未成年人保护法 第一百零三条"


def _named(data):
    return [(f.field, f.blocking, f.rule, f.message.params)
            for f in rules.minors_named_in_free_text(data)]


def test_a_minors_name_in_the_title_or_description_is_a_warning_per_field():
    data = {"title": "王小明在班级群被孤立", "description": "王小明和张小红多次被起绰号",
            "parties": [{"role": "applicant", "name": "王小明", "minor": True},
                        {"role": "applicant", "name": "张小红", "minor": True},
                        {"role": "respondent", "name": "李老师"}]}
    assert _named(data) == [("title", False, RULE, {"parties": "1"}),
                            ("description", False, RULE, {"parties": "1, 2"})]


def test_adults_organizations_and_one_character_names_are_not_looked_for():
    data = {"title": "李老师与舟山中学", "description": "王某",
            "parties": [{"role": "respondent", "name": "李老师"},
                        {"role": "respondent", "name": "舟山中学", "kind": "organization",
                         "minor": True},
                        {"role": "applicant", "name": "王", "minor": True}]}
    assert _named(data) == []


def test_the_warning_is_recorded_on_the_case_without_the_name(site):
    app, onedoor, on, _off = site
    code = register(onedoor, on, bullying_intake() | {
        "title": "王小明在班级群被孤立", "description": "同学在班级群中起绰号"})
    with onedoor.database.transaction(on.id) as session:
        case = session.scalar(select(Case).where(Case.code == code))
        [warning] = [w for w in case.warnings if w["rule"] == RULE]
        assert warning["field"] == "title" and "王小明" not in str(warning)
        event = session.scalar(select(AuditEvent).where(
            AuditEvent.action == "case.registered", AuditEvent.object_id == code))
        assert RULE in str(event.data) and "王小明" not in str(event.data.get("warnings"))
    clerk = app.test_client()
    sign_in(clerk, "on", "on-clerk")
    html = clerk.get(f"/on/workbench/cases/{code}?lang=zh_Hans").get_data(as_text=True)
    assert "此处文字写出了未成年当事人（第 1 位当事人）的姓名" in html


def test_a_case_without_the_name_in_its_text_has_no_such_warning(site):
    _app, onedoor, on, _off = site
    code = register(onedoor, on, bullying_intake())
    with onedoor.database.transaction(on.id) as session:
        case = session.scalar(select(Case).where(Case.code == code))
        assert not [w for w in case.warnings or [] if w["rule"] == RULE]
