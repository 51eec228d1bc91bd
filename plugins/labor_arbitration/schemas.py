"""Schemas of the labor arbitration plugin: tenant settings and the details of its case types.

Settings (``[plugins.labor_arbitration]``): the commission's name is required; the statutory
periods of 劳动争议调解仲裁法 (mediation 15 days, Art. 14; award 45 days, Art. 43) are the
defaults of ``mediation_days`` and ``award_days``, kept for the plugin page (the clocks
themselves are the deadline rules of :mod:`plugins.labor_arbitration.rules`, which a tenant
adjusts with ``[deadlines.<rule>]``). The other keys have no ``load_default`` on purpose: what a
tenant does not write stays out of its stored settings, and :func:`effective` fills in
:data:`DEFAULTS`.

Details: who employs the workers, how many they are, what they claim and since when.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from core.toolkit import msg


def _names(zh_hans: str, zh_hant: str, en: str) -> dict[str, str]:
    return {"zh_Hans": zh_hans, "zh_Hant": zh_hant, "en": en}


def _credit_code() -> fields.String:
    """The employer's unified social credit code (统一社会信用代码, 18 characters), optional."""
    return fields.String(load_default="", validate=validate.Length(max=18),
                         metadata={"names": _names("统一社会信用代码", "統一社會信用代碼",
                                                   "Unified social credit code")})


#: What the optional settings are when a tenant does not write them.
DEFAULTS: dict[str, Any] = {
    "minimum_wage": None,
    "limitation_warning_days": 30,
    "commission_department": "labor_arbitration_commission",
    "inspection_department": "labor_arbitration_inspection",
    "gig_department": "",
    "inspection_workers": 10,
}


def effective(settings: dict[str, Any] | None) -> dict[str, Any]:
    """A tenant's stored settings with :data:`DEFAULTS` for the keys it did not write."""
    return {**DEFAULTS, **{k: v for k, v in (settings or {}).items() if v is not None}}


def _days(low: int, high: int) -> validate.Range:
    return validate.Range(min=low, max=high, error="Give a number of days from {min} to {max}.")


def _department(names: dict[str, str]) -> fields.String:
    return fields.String(
        validate=validate.Length(max=64, error="Give a department code of at most 64 "
                                               "characters."),
        metadata={"names": names})


class LaborArbitrationSettings(Schema):
    """Settings a tenant gives for the labor arbitration plugin; unknown keys are refused."""

    class Meta:
        """Refuse keys the schema does not declare."""

        unknown = RAISE

    error_messages = {
        "unknown": "Unknown setting; labor_arbitration takes arbitration_commission, "
        "mediation_days, award_days, minimum_wage, limitation_warning_days, "
        "commission_department, inspection_department, gig_department "
        "and inspection_workers."
    }

    arbitration_commission = fields.String(
        required=True,
        validate=validate.Length(min=1, max=100, error="Give a name of 1 to 100 characters."),
        error_messages={
            "required": "Give the name of the local labor dispute arbitration commission "
            "(劳动人事争议仲裁委员会).",
            "invalid": "Give the commission's name as text.",
        },
        metadata={"names": _names("劳动人事争议仲裁委员会", "勞動人事爭議仲裁委員會",
                                  "Arbitration commission")},
    )
    mediation_days = fields.Integer(
        strict=True,
        load_default=15,
        validate=_days(1, 60),
        error_messages={"invalid": "Give a whole number of days."},
        metadata={"names": _names("调解期限（日）", "調解期限（日）", "Mediation period (days)")},
    )
    award_days = fields.Integer(
        strict=True,
        load_default=45,
        validate=_days(1, 90),
        error_messages={"invalid": "Give a whole number of days."},
        metadata={"names": _names("仲裁裁决期限（日）", "仲裁裁決期限（日）",
                                  "Award period (days)")},
    )
    minimum_wage = fields.Integer(
        strict=True,
        validate=validate.Range(min=500, max=10000,
                                error="Give the monthly minimum wage in yuan, {min} to {max}."),
        error_messages={"invalid": "Give the monthly minimum wage as a whole number of yuan."},
        metadata={"names": _names("当地月最低工资标准（元）", "當地月最低工資標準（元）",
                                  "Local monthly minimum wage (yuan)")},
    )
    limitation_warning_days = fields.Integer(
        strict=True,
        validate=_days(0, 180),
        error_messages={"invalid": "Give a whole number of days."},
        metadata={"names": _names("仲裁时效临近提醒（日）", "仲裁時效臨近提醒（日）",
                                  "Warn this many days before the limitation ends")},
    )
    commission_department = _department(
        _names("仲裁机构部门代码", "仲裁機構部門代碼", "Department code of the commission"))
    inspection_department = _department(
        _names("劳动保障监察部门代码", "勞動保障監察部門代碼",
               "Department code of labor inspection"))
    gig_department = _department(
        _names("新业态纠纷调解部门代码", "新業態糾紛調解部門代碼",
               "Department code for gig-economy disputes"))
    inspection_workers = fields.Integer(
        strict=True,
        validate=validate.Range(min=0, max=1000, error="Give a number from {min} to {max}."),
        error_messages={"invalid": "Give a whole number of workers."},
        metadata={"names": _names("欠薪自动监察联动人数", "欠薪自動監察聯動人數",
                                  "Workers from which wage arrears go to inspection")},
    )


# --- case details -----------------------------------------------------------------------------

#: What workers claim (仲裁请求), with labels for forms.
CLAIM_TYPES: dict[str, dict[str, str]] = {
    "wage_arrears": _names("拖欠劳动报酬", "拖欠勞動報酬", "Unpaid wages"),
    "contract": _names("劳动合同（订立、解除、终止）", "勞動合同（訂立、解除、終止）",
                       "Employment contract (conclusion, termination)"),
    "labor_relation": _names("确认劳动关系", "確認勞動關係",
                             "Whether an employment relation exists"),
    "social_insurance": _names("社会保险", "社會保險", "Social insurance"),
    "work_injury": _names("工伤医疗费、工伤待遇", "工傷醫療費、工傷待遇",
                          "Work injury medical costs and benefits"),
    "compensation": _names("经济补偿、赔偿金", "經濟補償、賠償金",
                           "Severance pay or damages"),
    "working_hours": _names("工作时间、休息休假", "工作時間、休息休假",
                            "Working hours, rest and leave"),
    "other": _names("其他", "其他", "Other"),
}

#: Kinds of gig work (新就业形态), with labels for forms.
GIG_WORK = {
    "delivery": _names("外卖配送", "外賣配送", "Food delivery"),
    "ride_hailing": _names("网约车", "網約車", "Ride hailing"),
    "freight": _names("网络货运", "網絡貨運", "Online freight"),
    "courier": _names("快递", "快遞", "Parcel courier"),
    "home_service": _names("家政服务", "家政服務", "Home services"),
    "live_streaming": _names("网络主播", "網絡主播", "Live streaming"),
    "other": _names("其他", "其他", "Other"),
}

#: How the gig worker stands to the platform (人社部发〔2021〕56号's three situations).
GIG_RELATIONS = {
    "employment": _names("符合确立劳动关系情形", "符合確立勞動關係情形",
                         "An employment relation"),
    "incomplete": _names("不完全符合确立劳动关系情形", "不完全符合確立勞動關係情形",
                         "Not fully an employment relation"),
    "civil": _names("个人依托平台自主开展经营活动", "個人依託平台自主開展經營活動",
                    "Self-employed on the platform"),
    "unclear": _names("尚不明确", "尚不明確", "Not yet clear"),
}


class IsoDate(fields.Date):
    """A date checked like ``fields.Date`` but kept as its ISO text (``2026-03-01``).

    Case details are stored as JSON, which has no date type: the text is what is stored, and
    what every reader (checks, risk rules, pages) parses back with :func:`as_date`.
    """

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return super()._deserialize(value, attr, data, **kwargs).isoformat()


class TextList(fields.List):
    """A list that also takes one line of text, split at commas, 、 and spaces.

    Forms send ``wage_arrears, contract`` or ``王建国、李明`` from a text input; the API sends a
    JSON list. Both load to the same list.
    """

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            value = [part for part in re.split(r"[,，、;；\s]+", value) if part]
        return super()._deserialize(value, attr, data, **kwargs)


def as_date(value: Any) -> date | None:
    """A details date (ISO text, or a date) as a :class:`datetime.date`; None when absent."""
    if value in (None, ""):
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _choice(choices: dict[str, dict[str, str]], names: dict[str, str], **kwargs: Any):
    return fields.String(
        validate=validate.OneOf(list(choices), error=msg("Choose one of the listed values.")),
        metadata={"names": names, "choices": choices}, **kwargs)


class LaborDisputeDetails(Schema):
    """劳动人事争议: the employer, the workers, their claims and when their rights were hurt.

    ``rights_infringed_on`` starts the one-year limitation of Art. 27; for unpaid wages while
    the employment lasts the limitation does not run, and after it ended it runs from
    ``employment_ended_on`` (Art. 27 para. 4). Ten or more workers with a common claim may
    elect representatives (Art. 7): such a case is a group case.
    """

    employer = fields.String(
        required=True, validate=validate.Length(min=1, max=120),
        error_messages={"required": msg("Name the employer (用人单位).")},
        metadata={"names": _names("用人单位", "用人單位", "Employer")})
    employer_credit_code = _credit_code()
    workers = fields.Integer(
        load_default=1, strict=True,
        validate=validate.Range(min=1, max=100000, error=msg("Give at least one worker.")),
        metadata={"names": _names("劳动者人数", "勞動者人數", "Number of workers")})
    representatives = TextList(
        fields.String(validate=validate.Length(min=1, max=60)), load_default=list,
        validate=validate.Length(max=20),
        metadata={"names": _names("推举的代表", "推舉的代表", "Elected representatives")})
    claim_types = TextList(
        _choice(CLAIM_TYPES, _names("请求类型", "請求類型", "Claim")),
        required=True, validate=validate.Length(min=1, error=msg("Choose at least one claim.")),
        metadata={"names": _names("仲裁请求类型", "仲裁請求類型", "Claims"),
                  "choices": CLAIM_TYPES})
    rights_infringed_on = IsoDate(
        required=True,
        error_messages={"required": msg("Give the day the worker knew their rights were hurt.")},
        metadata={"names": _names("知道或应当知道权利被侵害之日", "知道或應當知道權利被侵害之日",
                                  "Day the worker knew of the infringement")})
    employment_ended_on = IsoDate(
        load_default=None, allow_none=True,
        metadata={"names": _names("劳动关系终止之日", "勞動關係終止之日",
                                  "Day the employment ended")})
    inspection_referral = fields.Boolean(
        load_default=False,
        metadata={"names": _names("移送劳动保障监察", "移送勞動保障監察",
                                  "Refer the employer to labor inspection")})

    @validates_schema
    def _consistent(self, data: dict[str, Any], **_kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}
        if len(data.get("representatives") or []) > data.get("workers", 1):
            errors["representatives"] = [msg("More representatives than workers.")]
        if errors:
            raise ValidationError(errors)


class GigDisputeDetails(LaborDisputeDetails):
    """新就业形态劳动纠纷: a dispute of a rider, driver or courier with a platform.

    ``employer`` is the platform operator or the partner company that engaged the worker.
    """

    platform = fields.String(
        required=True, validate=validate.Length(min=1, max=120),
        error_messages={"required": msg("Name the platform.")},
        metadata={"names": _names("平台", "平台", "Platform")})
    work_type = _choice(GIG_WORK, _names("从业类型", "從業類型", "Kind of work"),
                        load_default="delivery")
    relation = _choice(GIG_RELATIONS, _names("用工关系", "用工關係", "Relation to the platform"),
                       load_default="unclear")


#: Why a labor inspection case was opened: the three triggers of 监察仲裁联动 (a labor dispute
#: handed over, :func:`plugins.labor_arbitration.linkage.inspection_trigger`) and a worker's own
#: complaint to labor inspection (劳动保障监察条例 第九条).
INSPECTION_TRIGGERS: dict[str, dict[str, str]] = {
    "requested": _names("劳动争议登记时申请移送", "勞動爭議登記時申請移送",
                        "Asked for when the labor dispute was registered"),
    "group_wage_arrears": _names("多名劳动者被拖欠工资", "多名勞動者被拖欠工資",
                                 "Unpaid wages of many workers"),
    "administrative_referral": _names("劳动争议导入行政途径", "勞動爭議導入行政途徑",
                                      "Labor dispute referred to the administrative route"),
    "complaint": _names("劳动者投诉举报", "勞動者投訴舉報", "A worker's complaint or report"),
}
#: The triggers of a case handed over from a labor dispute (they need its code).
LINKED_TRIGGERS = frozenset(INSPECTION_TRIGGERS) - {"complaint"}


class LaborInspectionDetails(Schema):
    """劳动保障监察案件: labor inspection of an employer, opened from a labor dispute (监察仲裁联动)
    or on a worker's complaint.

    ``source_case`` is the code of the labor dispute that opened it; the link itself (which
    dispute, which inspection case) is the plugin's ``labor_arbitration_inspections`` row, so
    the code here is what the inspection case's own record says, for readers of its details.
    """

    employer = fields.String(
        required=True, validate=validate.Length(min=1, max=120),
        error_messages={"required": msg("Name the employer (用人单位).")},
        metadata={"names": _names("被检查用人单位", "被檢查用人單位", "Employer inspected")})
    employer_credit_code = _credit_code()
    trigger = _choice(INSPECTION_TRIGGERS, _names("立案来源", "立案來源", "Why it was opened"),
                      load_default="complaint")
    source_case = fields.String(
        load_default="", validate=validate.Length(max=40),
        metadata={"names": _names("移送的劳动争议编号", "移送的勞動爭議編號",
                                  "Code of the labor dispute handed over")})
    workers = fields.Integer(
        load_default=1, strict=True,
        validate=validate.Range(min=1, max=100000, error=msg("Give at least one worker.")),
        metadata={"names": _names("涉及劳动者人数", "涉及勞動者人數", "Workers concerned")})
    claim_types = TextList(
        _choice(CLAIM_TYPES, _names("违法情形", "違法情形", "Violation")), load_default=list,
        metadata={"names": _names("涉嫌违法情形", "涉嫌違法情形", "Suspected violations"),
                  "choices": CLAIM_TYPES})

    @validates_schema
    def _source(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data.get("trigger") in LINKED_TRIGGERS and not data.get("source_case"):
            raise ValidationError({"source_case": [
                msg("Give the code of the labor dispute handed over to inspection.")]})
