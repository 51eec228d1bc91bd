"""Hook implementations of the financial mediation plugin (金融纠纷调解).

Banking, insurance, securities, payment and lending disputes taken in at the center and mediated
with the regulator's mediation organizations (seed 000: 银行金融窗口; seed 004: the county–town–
village financial dispute platforms). Complaints follow the banking and insurance complaint
periods (15 / 30 / 60 days); mediation runs on a small-claim fast track or the simple, ordinary
and complex tracks of 金发〔2025〕14号; cases go to the financial mediation station of their tier
node or its nearest ancestor. Rules and sources: :mod:`.rules`.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, text

from core.toolkit import (
    CaseType,
    DepartmentSpec,
    IntakeFinding,
    RiskFacts,
    RiskFinding,
    RiskRule,
    RoutingDecision,
    WindowType,
    hookimpl,
    msg,
    plugin_page,
    tenant_sql,
)

from . import indicators, rules, schemas, views

if TYPE_CHECKING:
    from flask import Blueprint
    from marshmallow import Schema

NAME = "financial_mediation"
HERE = Path(__file__).resolve().parent
NAMES = {"zh_Hans": "金融纠纷调解", "zh_Hant": "金融糾紛調解", "en": "Financial mediation"}

#: What the plugin does, shown at the top of its page.
INTRO = {
    "zh_Hans": "金融消费纠纷先行调解：银行、保险、证券、"
    "支付和借贷纠纷在中心受理，并在监管规定的期限内答复。",
    "zh_Hant": "金融消費糾紛先行調解：銀行、保險、證券、"
    "支付和借貸糾紛在中心受理，並在監管規定的期限內答覆。",
    "en": "Financial consumer disputes (banking, insurance, securities, payments and "
    "lending) are taken in at the center and answered within the regulator's time "
    "limits.",
}

WINDOW = WindowType(
    "financial_mediation",
    {"zh_Hans": "金融纠纷调解", "zh_Hant": "金融糾紛調解", "en": "Financial dispute mediation"},
)

ORGANIZATIONS = [
    DepartmentSpec(
        "financial_mediation_center",
        {"zh_Hans": "银行业保险业纠纷调解中心", "zh_Hant": "銀行業保險業糾紛調解中心",
         "en": "Banking and Insurance Dispute Mediation Center"},
        kind="specialty",
    ),
    DepartmentSpec(
        "financial_mediation_securities",
        {"zh_Hans": "证券期货纠纷调解工作站", "zh_Hant": "證券期貨糾紛調解工作站",
         "en": "Securities and Futures Dispute Mediation Station"},
        kind="specialty",
    ),
    DepartmentSpec(
        "financial_mediation_regulator",
        {"zh_Hans": "金融监管分局", "zh_Hant": "金融監管分局",
         "en": "Financial Regulatory Branch Office"},
        kind="specialty",
    ),
]


def _n(hans: str, hant: str, en: str) -> dict[str, str]:
    return {"zh_Hans": hans, "zh_Hant": hant, "en": en}


_EXAMPLE = {"institution_type": "bank", "institution": "某银行杭州分行",
            "product": "信用卡分期", "arbitration_agreement": False}
#: Beyond the details: the amount in dispute (the fast track refuses a claim without one).
_EXAMPLE_INTAKE = {"amount": "1860"}


def _type(code: str, names: dict[str, str], deadline: str, description: dict[str, str],
          example: dict[str, Any] | None = None) -> CaseType:
    return CaseType(code, names, window="financial_mediation", category="financial",
                    demand_type="complaint" if code in rules.COMPLAINT_TYPES else "dispute",
                    deadlines=(deadline,), details_schema=schemas.FinancialDisputeDetails,
                    description=description, keywords=("finance", "bank", "insurance"),
                    group="financial", example=example or _EXAMPLE,
                    example_intake=_EXAMPLE_INTAKE)


CASE_TYPES = [
    _type("financial_complaint", _n("银行保险消费投诉", "銀行保險消費投訴",
                                    "Banking or insurance complaint"),
          "financial_mediation_complaint",
          _n("银行、保险机构消费投诉，十五日内作出处理决定",
             "銀行、保險機構消費投訴，十五日內作出處理決定",
             "A consumer complaint about a bank or insurer: decided within 15 days")),
    _type("financial_complaint_complex",
          _n("银行保险消费投诉（情况复杂）", "銀行保險消費投訴（情況複雜）",
             "Banking or insurance complaint (complex)"),
          "financial_mediation_complaint_complex",
          _n("情况复杂的投诉，处理期限延长至三十日", "情況複雜的投訴，處理期限延長至三十日",
             "A complex complaint: decided within 30 days")),
    _type("financial_complaint_extended",
          _n("银行保险消费投诉（经审批延长）", "銀行保險消費投訴（經審批延長）",
             "Banking or insurance complaint (extended with approval)"),
          "financial_mediation_complaint_extended",
          _n("情况特别复杂、经高级管理人员审批再延长三十日的投诉（最长六十日）",
             "情況特別複雜、經高級管理人員審批再延長三十日的投訴（最長六十日）",
             "A particularly complex complaint extended by 30 days with senior approval "
             "(60 at most)"),
          {**_EXAMPLE, "institution_type": "insurance", "institution": "某财产保险公司",
           "product": "车险理赔"}),
    _type(rules.SMALL_CLAIM, _n("小额金融纠纷（快速通道）", "小額金融糾紛（快速通道）",
                                "Small financial claim (fast track)"),
          "financial_mediation_small_claim",
          _n("小额金融纠纷快速调解", "小額金融糾紛快速調解",
             "Fast-track mediation of small claims"),
          {**_EXAMPLE, "institution_type": "payment", "institution": "某支付公司",
           "product": "网络支付"}),
    _type("financial_mediation_simple", _n("金融纠纷（简易程序）", "金融糾紛（簡易程序）",
                                           "Financial dispute (simple track)"),
          "financial_mediation_simple",
          _n("事实清楚、争议不大的金融纠纷", "事實清楚、爭議不大的金融糾紛",
             "Clear facts, little in dispute")),
    _type("financial_mediation_ordinary", _n("金融纠纷（普通程序）", "金融糾紛（普通程序）",
                                             "Financial dispute (ordinary track)"),
          "financial_mediation_ordinary",
          _n("一般金融纠纷", "一般金融糾紛", "Ordinary financial disputes"),
          {**_EXAMPLE, "institution_type": "lending", "institution": "某消费金融公司",
           "product": "消费贷款"}),
    _type(rules.COMPLEX, _n("金融纠纷（疑难复杂）", "金融糾紛（疑難複雜）",
                            "Financial dispute (complex track)"),
          "financial_mediation_complex",
          _n("涉众、金额大或法律关系复杂的金融纠纷", "涉眾、金額大或法律關係複雜的金融糾紛",
             "Many parties, large sums or complex legal relations"),
          {**_EXAMPLE, "institution_type": "securities", "institution": "某证券公司",
           "product": "融资融券"}),
]

#: The plugin's page, built once: every app mounts this same blueprint. The stations have a page
#: of their own (``/stations``), so the settings table leaves them out.
PAGE = plugin_page(NAME, names=NAMES, intro=INTRO, windows=[WINDOW],
                   organizations=ORGANIZATIONS,
                   settings_schema=schemas.FinancialMediationSettings(exclude=("stations",)))


def settings_of(tenant: Any) -> dict[str, Any]:
    """The tenant's validated settings of this plugin (defaults filled in by the schema)."""
    return dict(tenant.plugins.get(NAME) or {})


@hookimpl
def onedoor_window_types() -> list[WindowType]:
    """The financial dispute mediation window."""
    return [WINDOW]


@hookimpl
def onedoor_department_catalog() -> list[DepartmentSpec]:
    """The banking-and-insurance and securities mediation bodies and the regulator's office."""
    return list(ORGANIZATIONS)


@hookimpl
def onedoor_settings_schema() -> Schema:
    """``[plugins.financial_mediation]``: regulator, complaint period, fast track, stations."""
    return schemas.FinancialMediationSettings()


@hookimpl
def onedoor_blueprints() -> list[Blueprint]:
    """The info page and the stations network page."""
    return [PAGE, views.bp]


@hookimpl
def onedoor_translation_dirs() -> list[str]:
    """The plugin's own catalogs (messages of its checks, vetoes and pages)."""
    return [str(HERE / "translations")]


@hookimpl
def onedoor_case_types() -> list[CaseType]:
    """Complaints (15 / 30 / 60 days), the small-claim fast track and three mediation tracks."""
    return list(CASE_TYPES)


@hookimpl
def onedoor_deadline_rules() -> list[Any]:
    """The complaint periods and the track periods, each with its source."""
    return list(rules.DEADLINE_RULES)


@hookimpl
def onedoor_check_intake(tenant: Any, case_type: CaseType, data: dict[str, Any],
                         now: datetime) -> list[IntakeFinding]:
    """Complaint rules apply to banks and insurers only; the fast track to small claims only."""
    if case_type.code not in rules.FINANCIAL_TYPES:
        return []
    details = data.get("details") or {}
    findings = []
    if case_type.code in rules.COMPLAINT_TYPES and \
            details.get("institution_type") not in schemas.BANKING_AND_INSURANCE:
        findings.append(IntakeFinding(
            "details.institution_type",
            msg("The banking and insurance complaint rules (%(rule)s) cover banks and insurers "
                "only; register this dispute on a mediation track.", rule=rules.COMPLAINT_RULES),
            blocking=True, rule=rules.COMPLAINT_RULES))
    if case_type.code == rules.SMALL_CLAIM:
        limit = int(settings_of(tenant).get("small_claim_limit") or schemas.SMALL_CLAIM_LIMIT)
        amount = data.get("amount")
        if amount is None:
            findings.append(IntakeFinding(
                "amount", msg("Give the amount in dispute: the fast track is for claims up to "
                              "%(limit)s yuan.", limit=format(limit, ",")),
                blocking=True, rule=rules.TRACKS))
        elif Decimal(amount) > limit:
            findings.append(IntakeFinding(
                "amount", msg("The fast track is for claims up to %(limit)s yuan (%(rule)s, "
                              "limit set by this center); register it on the simple or ordinary "
                              "track.", limit=format(limit, ","), rule=rules.TRACKS),
                blocking=True, rule=rules.TRACKS))
    return findings


def _fundraising(facts: RiskFacts) -> RiskFinding | None:
    """Signals of illegal fundraising or a collapsing lender (涉众型金融风险): red."""
    if facts.case_type not in rules.FINANCIAL_TYPES:
        return None
    found = [word for word in rules.FUNDRAISING_SIGNALS if word in facts.text]
    if not found:
        return None
    words = "、".join(found)
    return RiskFinding("red", "financial_fundraising_signals", {
        "zh_Hans": f"涉嫌非法集资或机构兑付风险：{words}",
        "zh_Hant": f"涉嫌非法集資或機構兌付風險：{words}",
        "en": f"signs of illegal fundraising or a lender failing to pay: {words}"})


def _many_investors(facts: RiskFacts) -> RiskFinding | None:
    """Securities or lending disputes of ten or more people (涉众): at least orange."""
    if facts.case_type not in rules.FINANCIAL_TYPES or facts.people_involved < 10:
        return None
    if facts.details.get("institution_type") not in {"securities", "lending"}:
        return None
    return RiskFinding("orange", "financial_many_investors", {
        "zh_Hans": f"涉众金融纠纷：{facts.people_involved}名投资者或借款人",
        "zh_Hant": f"涉眾金融糾紛：{facts.people_involved}名投資者或借款人",
        "en": f"financial dispute of {facts.people_involved} investors or borrowers"})


RISK_RULES = (RiskRule("financial_fundraising_signals", _fundraising),
              RiskRule("financial_many_investors", _many_investors))


@hookimpl
def onedoor_risk_rules() -> list[RiskRule]:
    """Illegal fundraising signals (red) and disputes of many investors (orange)."""
    return list(RISK_RULES)


_NODE_PATH = "SELECT path FROM tier_nodes WHERE tenant_id = :tenant_id AND id = :id"
_DEPARTMENTS = text(
    "SELECT code FROM departments WHERE tenant_id = :tenant_id AND code IN :codes"
).bindparams(bindparam("codes", expanding=True))


@hookimpl
def onedoor_route_case(tenant: Any, case: Any, session: Any) -> RoutingDecision | None:
    """The station of the case's location node or its nearest ancestor (a complex case: the
    station nearest the root); the regulator's office assists on complaints. None without a
    station on the path, so the dispatch catalog decides."""
    if case.case_type not in rules.FINANCIAL_TYPES:
        return None
    settings = settings_of(tenant)
    path = tenant_sql(session, _NODE_PATH, {"id": case.location_node_id}).scalar()
    if not path:
        return None
    codes = sorted({s["department"] for s in settings.get("stations") or []}
                   | {"financial_mediation_regulator"})
    existing = set(tenant_sql(session, _DEPARTMENTS, {"codes": codes}).scalars())
    stations = [s for s in settings.get("stations") or [] if s["department"] in existing]
    station = rules.station_for(stations, rules.node_codes(path), case.case_type)
    if station is None:
        return None
    assisting = ("financial_mediation_regulator",) if (
        case.case_type in rules.COMPLAINT_TYPES
        and "financial_mediation_regulator" in existing) else ()
    name = schemas.station_names(station).get("zh_Hans") or station["node"]
    track = " fast track" if case.case_type == rules.SMALL_CLAIM else ""
    return RoutingDecision(station["department"], assisting,
                           f"financial_mediation: station {name} ({station['node']}){track}")


@hookimpl
def onedoor_validate_transition(tenant: Any, case: Any, transition: Any, actor: Any,
                                payload: dict[str, Any]) -> list[Any]:
    """Arbitration needs the parties' arbitration agreement (仲裁法 第四条)."""
    if case is None or case.case_type not in rules.FINANCIAL_TYPES:
        return []
    if transition.name == "refer" and payload.get("route") == "arbitration" and \
            not (case.details or {}).get("arbitration_agreement"):
        return [msg("Arbitration needs the parties' arbitration agreement (%(rule)s); record "
                    "it in the details or choose another route.", rule=rules.ARBITRATION_LAW_4)]
    return []


@hookimpl
def onedoor_indicators() -> list[Any]:
    """金融纠纷调解成功率 and 小额快速通道件数."""
    return list(indicators.INDICATORS)
