"""Essential plugin: core's case types, deadline rules and risk rules.

Registered through the ``onedoor.plugins`` entry points like any plugin and enabled for every
tenant. Domain plugins add their own types and rules next to these.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.toolkit import CaseType, DeadlineRule, RiskRule, hookimpl

ESSENTIAL = True
NAMES = {"zh_Hans": "案件生命周期", "zh_Hant": "案件生命週期", "en": "Case lifecycle"}


class PetitionDetails(Schema):
    """信访事项: the content class decides the route (信访工作条例 Arts. 29–31)."""

    content_class = fields.String(
        load_default="appeal",
        validate=validate.OneOf(["suggestion", "accusation", "appeal"]),
        metadata={"names": {"zh_Hans": "信访内容类别", "zh_Hant": "信訪內容類別",
                            "en": "Content class"},
                  "choices": {
                      "suggestion": {"zh_Hans": "建议意见类", "zh_Hant": "建議意見類",
                                     "en": "Suggestion"},
                      "accusation": {"zh_Hans": "检举控告类", "zh_Hant": "檢舉控告類",
                                     "en": "Accusation"},
                      "appeal": {"zh_Hans": "申诉求决类", "zh_Hant": "申訴求決類",
                                 "en": "Appeal or request"},
                  }},
    )
    visitors = fields.Integer(load_default=1, validate=validate.Range(min=1), metadata={
        "names": {"zh_Hans": "来访人数", "zh_Hant": "來訪人數", "en": "Visitors"}})


class HotlineDetails(Schema):
    """12345 dispatched order: the hotline's own order number and its urgency."""

    order_number = fields.String(required=True, validate=validate.Length(min=1, max=40),
                                 metadata={"names": {"zh_Hans": "工单编号", "zh_Hant": "工單編號",
                                                     "en": "Order number"}})
    urgency = fields.String(
        load_default="ordinary", validate=validate.OneOf(["ordinary", "utilities", "danger"]),
        metadata={"names": {"zh_Hans": "紧急程度", "zh_Hant": "緊急程度", "en": "Urgency"},
                  "choices": {
                      "ordinary": {"zh_Hans": "一般", "zh_Hant": "一般", "en": "Ordinary"},
                      "utilities": {"zh_Hans": "停水停电停气停暖", "zh_Hant": "停水停電停氣停暖",
                                    "en": "Water, power, gas or heating outage"},
                      "danger": {"zh_Hans": "危及生命财产安全", "zh_Hant": "危及生命財產安全",
                                 "en": "Danger to life or property"},
                  }},
    )


class CourtDelegatedDetails(Schema):
    """诉前委派调解: the court's case number (e.g. (2026)浙0902民诉前调123号)."""

    court_case_number = fields.String(
        required=True, validate=validate.Length(min=1, max=80),
        metadata={"names": {"zh_Hans": "法院案号", "zh_Hant": "法院案號",
                            "en": "Court case number"}})
    court = fields.String(load_default="", validate=validate.Length(max=120), metadata={
        "names": {"zh_Hans": "委派法院", "zh_Hant": "委派法院", "en": "Delegating court"}})


def _n(hans: str, hant: str, en: str) -> dict[str, str]:
    return {"zh_Hans": hans, "zh_Hant": hant, "en": en}


CORE_CASE_TYPES = [
    CaseType(
        "general_dispute", _n("矛盾纠纷", "矛盾糾紛", "Dispute"),
        window="general_intake", category="other", demand_type="dispute",
        deadlines=("general_accept", "general_mediation"),
        description=_n("邻里、婚姻家庭、合同等各类矛盾纠纷的调解申请",
                       "鄰里、婚姻家庭、合同等各類矛盾糾紛的調解申請",
                       "Mediation of neighbor, family, contract and other disputes"),
        keywords=("mediation", "dispute"), group="disputes",
    ),
    CaseType(
        "petition", _n("信访事项", "信訪事項", "Petition"),
        window="petition_reception", category="other", demand_type="appeal",
        deadlines=("petition_register", "petition_handle"), details_schema=PetitionDetails,
        description=_n("来信来访反映的诉求", "來信來訪反映的訴求",
                       "Requests raised by letters and visits"),
        keywords=("petition",), group="petitions",
    ),
    CaseType(
        "legal_consultation", _n("法律咨询", "法律諮詢", "Legal consultation"),
        window="legal_consultation", category="other", demand_type="consultation",
        deadlines=("general_accept",),
        description=_n("法律问题咨询与法律援助申请", "法律問題諮詢與法律援助申請",
                       "Legal questions and legal aid applications"),
        keywords=("legal", "advice"), group="services",
    ),
    CaseType(
        "hotline_order", _n("12345工单", "12345工單", "12345 hotline order"),
        window="general_intake", category="other", demand_type="request",
        deadlines=("hotline_accept", "general_mediation"), details_schema=HotlineDetails,
        description=_n("12345热线派发的工单", "12345熱線派發的工單",
                       "Orders dispatched by the 12345 hotline"),
        keywords=("hotline", "12345"), group="services",
    ),
    CaseType(
        "court_delegated", _n("诉前委派调解", "訴前委派調解", "Court-delegated mediation"),
        window="litigation_petition", category="contract", demand_type="dispute",
        deadlines=("court_delegated_mediation",), details_schema=CourtDelegatedDetails,
        description=_n("人民法院立案前委派的调解", "人民法院立案前委派的調解",
                       "Mediation delegated by a court before filing"),
        keywords=("court", "mediation"), group="disputes",
    ),
]


@hookimpl
def onedoor_case_types() -> list[CaseType]:
    """The case types every tenant has."""
    return CORE_CASE_TYPES


@hookimpl
def onedoor_deadline_rules() -> list[DeadlineRule]:
    """The statutory and customary deadlines of DESIGN.md's table."""
    from core.sla import DEFAULT_RULES  # noqa: PLC0415 - keep discovery light

    return list(DEFAULT_RULES.values())


@hookimpl
def onedoor_risk_rules() -> list[RiskRule]:
    """Group size, repeat parties, amount, keywords, overdue red cases."""
    from core.risk import CORE_RULES  # noqa: PLC0415

    return list(CORE_RULES)
