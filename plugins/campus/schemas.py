"""Per-tenant settings of the campus plugin (``[plugins.campus]``).

``schools`` lists the schools whose disputes come through the campus window;
``notify_education_bureau`` says whether the education bureau assists on bullying and violence
cases (the routing of :mod:`plugins.campus.rules`). Below the settings: the details schemas of
the plugin's case types and the forms of its own records.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from marshmallow import (
    EXCLUDE,
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from core.toolkit import msg


def _names(zh_hans: str, zh_hant: str, en: str) -> dict[str, str]:
    return {"zh_Hans": zh_hans, "zh_Hant": zh_hant, "en": en}


def _no_duplicates(values: Sequence[str]) -> None:
    repeated = sorted({v for v in values if values.count(v) > 1})
    if repeated:
        raise ValidationError(f"Each school may be listed once; repeated: {', '.join(repeated)}.")


class CampusSettings(Schema):
    """Settings a tenant gives for the campus plugin; unknown keys are refused."""

    class Meta:
        """Refuse keys the schema does not declare."""

        unknown = RAISE

    error_messages = {
        "unknown": "Unknown setting; campus takes schools, notify_education_bureau and "
        "demo_records."
    }

    schools = fields.List(
        fields.String(
            validate=validate.Length(min=1, max=100, error="Give a name of 1 to 100 characters."),
            error_messages={"invalid": "Give each school's name as text."},
        ),
        load_default=list,
        validate=_no_duplicates,
        error_messages={"invalid": 'Give a list of names, e.g. ["舟山中学"].'},
        metadata={"names": _names("学校", "學校", "Schools")},
    )
    notify_education_bureau = fields.Boolean(
        load_default=True,
        # Strings such as "no" or "off" are refused: in a configuration file they are more
        # likely a slip than a choice, so only TOML's true and false are taken.
        truthy={True},
        falsy={False},
        error_messages={"invalid": "Give true or false."},
        metadata={"names": _names("通报教育局", "通報教育局", "Notify the education bureau")},
    )
    demo_records = fields.Boolean(
        load_default=False, truthy={True}, falsy={False},
        error_messages={"invalid": "Give true or false."},
        metadata={"names": _names("演示记录", "演示記錄", "Demo records")},
    )


# --- case details -------------------------------------------------------------------------------

def _choices(**codes: tuple[str, str, str]) -> dict[str, dict[str, str]]:
    return {code: _names(*labels) for code, labels in codes.items()}


PERSON_KINDS = _choices(student=("学生", "學生", "Student"),
                        staff=("教职工", "教職工", "Staff member"))
DISPUTE_KINDS = _choices(
    student_student=("学生之间", "學生之間", "Between students"),
    student_school=("学生（家长）与学校", "學生（家長）與學校", "Student (family) and school"),
    staff=("教职工纠纷", "教職工糾紛", "Staff dispute"),
)
BULLYING_MEANS = _choices(
    physical=("肢体", "肢體", "Physical"),
    verbal=("语言", "語言", "Verbal"),
    online=("网络", "網絡", "Online"),
    property=("财物", "財物", "Property"),
)


def _not_future(value: date) -> None:
    if value > date.today():
        raise ValidationError(msg("This date is in the future."))


def _school_field() -> fields.String:
    return fields.String(
        required=True, validate=validate.Length(min=1, max=100),
        metadata={"names": _names("学校", "學校", "School")})


class _CampusDetails(Schema):
    """What every campus case says about the school and the person concerned."""

    class Meta:
        """Refuse keys the schema does not declare."""

        unknown = RAISE

    school = _school_field()
    grade = fields.String(load_default="", validate=validate.Length(max=20),
                          metadata={"names": _names("年级", "年級", "Grade")})
    minor = fields.Boolean(
        load_default=False,
        metadata={"names": _names("未成年学生", "未成年學生", "The student is a minor")})
    date_of_birth = fields.Date(
        load_default=None, allow_none=True, validate=_not_future,
        metadata={"names": _names("出生日期", "出生日期", "Date of birth")})

    @post_load
    def _dates_as_text(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        # Details are stored as JSON: dates are kept as ISO text (2026-11-20).
        return {k: v.isoformat() if isinstance(v, date) else v for k, v in data.items()}


class CampusDisputeDetails(_CampusDetails):
    """A campus dispute (校园纠纷): between students, with the school, or among staff."""

    dispute_kind = fields.String(
        required=True, validate=validate.OneOf(list(DISPUTE_KINDS)),
        metadata={"names": _names("纠纷类别", "糾紛類別", "Kind of dispute"),
                  "choices": DISPUTE_KINDS})
    person_kind = fields.String(
        required=True, validate=validate.OneOf(list(PERSON_KINDS)),
        metadata={"names": _names("当事人身份", "當事人身份", "The person concerned is"),
                  "choices": PERSON_KINDS})
    violence = fields.Boolean(
        load_default=False,
        metadata={"names": _names("涉及肢体冲突", "涉及肢體衝突", "Physical violence")})


class BullyingDetails(_CampusDetails):
    """Student bullying (学生欺凌, 未成年人保护法 第一百三十条（三）): between students."""

    incident_date = fields.Date(
        required=True, validate=_not_future,
        metadata={"names": _names("发生日期", "發生日期", "Date of the incident")})
    means = fields.String(
        required=True, validate=validate.OneOf(list(BULLYING_MEANS)),
        metadata={"names": _names("欺凌方式", "欺凌方式", "Means"), "choices": BULLYING_MEANS})
    person_kind = fields.String(
        load_default="student", validate=validate.OneOf(list(PERSON_KINDS)),
        metadata={"names": _names("被欺凌者身份", "被欺凌者身份", "The person bullied is"),
                  "choices": PERSON_KINDS})
    serious = fields.Boolean(
        load_default=False,
        metadata={"names": _names("严重欺凌", "嚴重欺凌", "Serious bullying")})
    guardians_notified = fields.Boolean(
        load_default=False,
        metadata={"names": _names("已通知双方监护人", "已通知雙方監護人",
                                  "Both sides' guardians notified")})


# --- the plugin's own records (staff forms) -----------------------------------------------------

RISK_FOUND = _choices(
    none=("未发现问题", "未發現問題", "Nothing found"),
    blue=("蓝色（隐患）", "藍色（隱患）", "Blue (latent)"),
    yellow=("黄色（一般）", "黃色（一般）", "Yellow (ordinary)"),
    orange=("橙色（较大）", "橙色（較大）", "Orange (serious)"),
    red=("红色（重大）", "紅色（重大）", "Red (major)"),
)
AUDIENCES = _choices(students=("学生", "學生", "Students"), staff=("教职工", "教職工", "Staff"),
                     parents=("家长", "家長", "Parents"), mixed=("师生家长", "師生家長", "Mixed"))
FOLLOW_UP_KINDS = _choices(
    guardians_notified=("通知双方监护人", "通知雙方監護人", "Guardians of both sides notified"),
    police_reported=("报告公安机关", "報告公安機關", "Reported to the police"),
    bureau_reported=("报告教育行政部门", "報告教育行政部門", "Reported to the education bureau"),
    counseling_arranged=("安排心理辅导", "安排心理輔導", "Counseling arranged"),
)


class _Form(Schema):
    class Meta:
        unknown = EXCLUDE  # the CSRF token and the submit button come with the form


class ScreeningForm(_Form):
    """A conflict screening record (矛盾排查)."""

    screened_on = fields.Date(required=True, validate=_not_future,
                              metadata={"names": _names("排查日期", "排查日期", "Date")})
    school = _school_field()
    screener = fields.String(required=True, validate=validate.Length(min=1, max=120),
                             metadata={"names": _names("排查人", "排查人", "Screener")})
    findings = fields.String(load_default="", validate=validate.Length(max=5000),
                             metadata={"names": _names("发现问题", "發現問題", "Findings")})
    risk_level = fields.String(
        required=True, validate=validate.OneOf(list(RISK_FOUND)),
        metadata={"names": _names("风险等级", "風險等級", "Risk level"), "choices": RISK_FOUND})
    case_code = fields.String(load_default="", validate=validate.Length(max=40),
                              metadata={"names": _names("跟进事件编号", "跟進事件編號",
                                                        "Follow-up case code")})
    resolved = fields.Boolean(load_default=False,
                              metadata={"names": _names("已化解", "已化解", "Resolved")})

    @validates_schema(skip_on_field_errors=False)
    def _findings_when_found(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data.get("risk_level", "none") != "none" and not data.get("findings", "").strip():
            raise ValidationError(msg("Say what the screening found."), "findings")


class EducationForm(_Form):
    """A legal education event (法治宣传)."""

    title = fields.String(required=True, validate=validate.Length(min=1, max=200),
                          metadata={"names": _names("主题", "主題", "Title")})
    held_on = fields.Date(required=True, validate=_not_future,
                          metadata={"names": _names("日期", "日期", "Date")})
    school = _school_field()
    audience = fields.String(
        required=True, validate=validate.OneOf(list(AUDIENCES)),
        metadata={"names": _names("对象", "對象", "Audience"), "choices": AUDIENCES})
    attendance = fields.Integer(
        required=True, validate=validate.Range(min=1, max=100000),
        metadata={"names": _names("参加人数", "參加人數", "Attendance")})


class ReferralForm(_Form):
    """A counseling referral (心理辅导转介); ``details`` are sealed once saved."""

    referred_on = fields.Date(required=True, validate=_not_future,
                              metadata={"names": _names("转介日期", "轉介日期", "Date")})
    school = _school_field()
    case_code = fields.String(load_default="", validate=validate.Length(max=40),
                              metadata={"names": _names("相关事件编号", "相關事件編號",
                                                        "Related case code")})
    details = fields.String(required=True, validate=validate.Length(min=1, max=5000),
                            metadata={"names": _names("转介情况（密封）", "轉介情況（密封）",
                                                      "Referral details (sealed)")})


class FollowUpForm(_Form):
    """A follow-up on a campus case (e.g. guardians notified, 第三十九条第二款)."""

    kind = fields.String(
        required=True, validate=validate.OneOf(list(FOLLOW_UP_KINDS)),
        metadata={"names": _names("事项", "事項", "What was done"), "choices": FOLLOW_UP_KINDS})
    done_on = fields.Date(required=True, validate=_not_future,
                          metadata={"names": _names("日期", "日期", "Date")})
    note = fields.String(load_default="", validate=validate.Length(max=500),
                         metadata={"names": _names("说明", "說明", "Note")})
