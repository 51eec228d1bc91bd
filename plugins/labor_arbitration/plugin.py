"""Hook implementations of the labor arbitration plugin (劳动人事争议仲裁).

The human resources and social security bureau's arbitration commission stationed in the center
(seed 000: 人社仲裁入驻; seed 004: 监察仲裁联动). Labor disputes are mediated first (15 days,
劳动争议调解仲裁法 Art. 14) and, failing that, go to arbitration (acceptance in 5 days, Art. 29;
award in 45 days + 15, Art. 43). The statutory logic lives in :mod:`.rules`, :mod:`.checks` and
:mod:`.risk_rules`; the plugin's records in :mod:`.linkage`; this module wires them to hooks.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, text
from sqlalchemy.orm import object_session

from core.toolkit import (
    CaseType,
    DepartmentSpec,
    RoutingDecision,
    WindowType,
    hookimpl,
    msg,
    plugin_page,
    tenant_sql,
)

from . import checks, indicators, linkage, risk_rules, rules, schemas, views

if TYPE_CHECKING:
    from flask import Blueprint
    from marshmallow import Schema

NAME = "labor_arbitration"
HERE = Path(__file__).resolve().parent
NAMES = {"zh_Hans": "劳动人事争议仲裁", "zh_Hant": "勞動人事爭議仲裁", "en": "Labor arbitration"}

#: What the plugin does, shown at the top of its page.
INTRO = {
    "zh_Hans": "劳动人事争议先行调解；调解不成的，引导当事人向劳动人事争议仲裁委员会申请仲裁。",
    "zh_Hant": "勞動人事爭議先行調解；調解不成的，引導當事人向勞動人事爭議仲裁委員會申請仲裁。",
    "en": "Labor and personnel disputes are mediated first; when mediation fails, the "
    "parties are guided to the labor dispute arbitration commission.",
}

WINDOW = WindowType(
    "labor_arbitration",
    {"zh_Hans": "劳动争议仲裁", "zh_Hant": "勞動爭議仲裁", "en": "Labor dispute arbitration"},
)

ORGANIZATIONS = [
    DepartmentSpec(
        "labor_arbitration_commission",
        {"zh_Hans": "劳动人事争议仲裁委员会", "zh_Hant": "勞動人事爭議仲裁委員會",
         "en": "Labor and Personnel Dispute Arbitration Commission"},
        kind="specialty",
    ),
    DepartmentSpec(
        "labor_arbitration_inspection",
        {"zh_Hans": "劳动保障监察大队", "zh_Hant": "勞動保障監察大隊",
         "en": "Labor Security Inspection Brigade"},
        kind="specialty",
    ),
    DepartmentSpec(
        "labor_arbitration_enterprise_mediation",
        {"zh_Hans": "企业劳动争议调解委员会", "zh_Hant": "企業勞動爭議調解委員會",
         "en": "Enterprise Labor Dispute Mediation Committee"},
        kind="specialty",
    ),
]


def _n(hans: str, hant: str, en: str) -> dict[str, str]:
    return {"zh_Hans": hans, "zh_Hant": hant, "en": en}


_EXAMPLE = {
    "employer": "杭州某某建筑劳务有限公司",
    "employer_credit_code": "",
    "workers": 12,
    "representatives": ["王建国", "李明"],
    "claim_types": ["wage_arrears"],
    "rights_infringed_on": "2026-10-15",
    "employment_ended_on": "2026-10-31",
    "inspection_referral": False,
}

CASE_TYPES = [
    CaseType(
        "labor_dispute", _n("劳动人事争议", "勞動人事爭議", "Labor dispute"),
        window="labor_arbitration", category="labor", demand_type="dispute",
        deadlines=("labor_arbitration_mediation",),
        details_schema=schemas.LaborDisputeDetails,
        description=_n("拖欠工资、劳动合同、社会保险、工伤等争议，仲裁前先行调解（十五日）",
                       "拖欠工資、勞動合同、社會保險、工傷等爭議，仲裁前先行調解（十五日）",
                       "Unpaid wages, contracts, social insurance, work injuries: mediated "
                       "before arbitration (15 days)"),
        keywords=("labor", "wages", "arbitration"), group="labor", example=_EXAMPLE,
    ),
    CaseType(
        "labor_arbitration_application",
        _n("劳动仲裁申请", "勞動仲裁申請", "Labor arbitration application"),
        window="labor_arbitration", category="labor", demand_type="dispute",
        deadlines=("labor_arbitration_acceptance", "labor_arbitration_award_period"),
        details_schema=schemas.LaborDisputeDetails,
        description=_n("向劳动人事争议仲裁委员会申请仲裁：五日内决定受理，四十五日内裁决",
                       "向勞動人事爭議仲裁委員會申請仲裁：五日內決定受理，四十五日內裁決",
                       "Application to the arbitration commission: acceptance decided within "
                       "5 days, award within 45"),
        keywords=("labor", "arbitration"), group="labor",
        example={**_EXAMPLE, "workers": 1, "representatives": [],
                 "claim_types": ["contract", "compensation"]},
    ),
    CaseType(
        "labor_gig_dispute", _n("新业态劳动纠纷", "新業態勞動糾紛", "Gig-economy labor dispute"),
        window="labor_arbitration", category="labor", demand_type="dispute",
        deadlines=("labor_arbitration_mediation",),
        details_schema=schemas.GigDisputeDetails,
        description=_n("外卖骑手、网约车司机、快递员等新就业形态劳动者与平台企业的纠纷",
                       "外賣騎手、網約車司機、快遞員等新就業形態勞動者與平台企業的糾紛",
                       "Disputes of riders, drivers and couriers with platform companies"),
        keywords=("gig", "platform", "rider"), group="labor",
        example={**_EXAMPLE, "employer": "杭州某某配送服务有限公司", "workers": 1,
                 "representatives": [], "claim_types": ["work_injury"],
                 "platform": "某外卖平台", "work_type": "delivery", "relation": "incomplete"},
    ),
    CaseType(
        checks.INSPECTION_TYPE,
        _n("劳动保障监察案件", "勞動保障監察案件", "Labor inspection case"),
        window="labor_arbitration", category="labor", demand_type="complaint",
        deadlines=("labor_arbitration_inspection_period",),
        details_schema=schemas.LaborInspectionDetails,
        description=_n("劳动保障监察大队调查用人单位违法行为：自立案之日起六十个工作日内完成，"
                       "由劳动争议移送（监察仲裁联动）或劳动者投诉举报",
                       "勞動保障監察大隊調查用人單位違法行為：自立案之日起六十個工作日內完成，"
                       "由勞動爭議移送（監察仲裁聯動）或勞動者投訴舉報",
                       "Labor inspection of an employer's violations, completed within 60 "
                       "working days: handed over from a labor dispute, or a worker's complaint"),
        keywords=("labor", "inspection", "wages"), group="labor",
        example={"employer": "杭州某某建筑劳务有限公司", "employer_credit_code": "",
                 "trigger": "complaint", "source_case": "", "workers": 12,
                 "claim_types": ["wage_arrears"]},
    ),
]

#: The plugin's page, built once: every app mounts this same blueprint.
PAGE = plugin_page(NAME, names=NAMES, intro=INTRO, windows=[WINDOW],
                   organizations=ORGANIZATIONS, settings_schema=schemas.LaborArbitrationSettings)


def settings_of(tenant: Any) -> dict[str, Any]:
    """The tenant's settings of this plugin with the defaults filled in."""
    return schemas.effective(tenant.plugins.get(NAME))


@hookimpl
def onedoor_window_types() -> list[WindowType]:
    """The labor dispute arbitration window."""
    return [WINDOW]


@hookimpl
def onedoor_department_catalog() -> list[DepartmentSpec]:
    """The arbitration commission, labor inspection and enterprise mediation committees."""
    return list(ORGANIZATIONS)


@hookimpl
def onedoor_settings_schema() -> Schema:
    """``[plugins.labor_arbitration]``: commission, minimum wage, routing departments."""
    return schemas.LaborArbitrationSettings()


@hookimpl
def onedoor_blueprints() -> list[Blueprint]:
    """The info page, and the similar-case and inspection pages next to it."""
    return [PAGE, views.bp]


@hookimpl
def onedoor_migration_dirs() -> list[str]:
    """The plugin's tables: linked inspections and similar-case links."""
    return [str(HERE / "migrations")]


@hookimpl
def onedoor_translation_dirs() -> list[str]:
    """The plugin's own catalogs (messages of its checks, vetoes and pages)."""
    return [str(HERE / "translations")]


@hookimpl
def onedoor_case_types() -> list[CaseType]:
    """Labor dispute (mediation first), arbitration application, gig-economy dispute, and the
    labor inspection case a dispute opens."""
    return list(CASE_TYPES)


@hookimpl
def onedoor_deadline_rules() -> list[Any]:
    """Mediation 15 days (Art. 14), acceptance 5 days (Art. 29), award 45 days (Art. 43);
    inspection 60 working days (劳动保障监察条例 Art. 17)."""
    return list(rules.DEADLINE_RULES)


@hookimpl
def onedoor_risk_rules() -> list[Any]:
    """Group labor disputes (Art. 7) and wage arrears before the Spring Festival."""
    return list(risk_rules.RULES)


@hookimpl
def onedoor_check_intake(tenant: Any, case_type: CaseType, data: dict[str, Any],
                         now: datetime) -> list[Any]:
    """The limitation (Art. 27, a warning), group representatives (Art. 7), final awards
    (Art. 47) and impossible dates (refused)."""
    return checks.check(settings_of(tenant), tenant.timezone, case_type.code, data, now)


_DEPARTMENTS = text(
    "SELECT code FROM departments WHERE tenant_id = :tenant_id AND code IN :codes"
).bindparams(bindparam("codes", expanding=True))


def _existing(session: Any, codes: list[str]) -> set[str]:
    codes = [c for c in codes if c]
    if not codes:
        return set()
    return set(tenant_sql(session, _DEPARTMENTS, {"codes": codes}).scalars())


@hookimpl
def onedoor_route_case(tenant: Any, case: Any, session: Any) -> RoutingDecision | None:
    """Labor cases go to the arbitration commission (gig disputes to the tenant's gig-economy
    mediation department when it names one), with labor inspection assisting when the case is
    linked to it; labor inspection cases go to the inspection department. A tenant's dispatch
    catalog entry naming the case type explicitly wins."""
    if case.case_type not in checks.LABOR_TYPES and case.case_type != checks.INSPECTION_TYPE:
        return None
    if any(entry.get("case_type") == case.case_type
           for entry in tenant.config.get("dispatch") or []):
        return None
    settings = settings_of(tenant)
    if case.case_type == checks.INSPECTION_TYPE:
        inspection = settings["inspection_department"]
        if inspection not in _existing(session, [inspection]):
            return None
        return RoutingDecision(inspection, (), f"labor_arbitration: {case.case_type} → "
                                               f"{inspection}")
    lead_code = settings["commission_department"]
    if case.case_type == "labor_gig_dispute" and settings["gig_department"]:
        lead_code = settings["gig_department"]
    inspection = settings["inspection_department"]
    existing = _existing(session, [lead_code, settings["commission_department"], inspection])
    if lead_code not in existing:
        lead_code = settings["commission_department"]
        if lead_code not in existing:
            return None
    linked = linkage.has_inspection(session, case)
    assisting = (inspection,) if linked and inspection in existing else ()
    return RoutingDecision(lead_code, assisting,
                           f"labor_arbitration: {case.case_type} → {lead_code}"
                           + (" (inspection linked)" if assisting else ""))


@hookimpl
def onedoor_validate_transition(tenant: Any, case: Any, transition: Any, actor: Any,
                                payload: dict[str, Any]) -> list[Any]:
    """Arbitration needs the employer named as a respondent (Art. 28); a labor dispute goes to
    arbitration before court (Art. 5) unless it has already been referred to arbitration."""
    if case is None or case.case_type not in checks.LABOR_TYPES or transition.name != "refer":
        return []
    route = payload.get("route")
    if route == "arbitration":
        if not any(p.role == "respondent" and p.kind == "organization" for p in case.parties):
            return [msg("Name the employer as a respondent organization before referring to "
                        "arbitration (%(rule)s).", rule=rules.ART_28)]
    if route == "litigation":
        session = object_session(case)
        if session is None or not linkage.was_referred(session, case, "arbitration"):
            return [msg("A labor dispute goes to arbitration before the courts (%(rule)s); "
                        "refer it to arbitration first.", rule=rules.ART_5)]
    return []


@hookimpl
def onedoor_after_transition(tenant: Any, case: Any, transition: Any, actor: Any,
                             payload: dict[str, Any], session: Any) -> None:
    """Link the case to similar ones at registration; open the linked inspection — a labor
    inspection case and its link — when the case asks for it, is unpaid wages of many workers,
    or is referred to the administrative route. A labor inspection case's own transitions only
    move its link (closed when it ends): registering one (here, from the labor case's
    transition) never links similar cases or opens another inspection."""
    if case.case_type == checks.INSPECTION_TYPE:
        linkage.follow_inspection(session, case, transition.name, payload, actor.name)
        return
    if case.case_type not in checks.LABOR_TYPES:
        return
    now = linkage.transition_time(session, case, transition.name)
    new = transition.name == "register"  # registered in this transaction: nothing linked yet
    if new:
        linkage.link_similar(session, case, now, new=True)
    settings = settings_of(tenant)
    trigger = linkage.inspection_trigger(settings, case, transition.name, payload)
    if trigger is not None:
        linkage.open_inspection(session, tenant, settings, case, trigger, actor, now, new=new)


@hookimpl
def onedoor_case_panels(case: Any, viewer: Any, session: Any) -> list[Any]:
    """A labor case's linked inspection case, and an inspection case's labor dispute."""
    return views.case_panels(case, viewer, session)


@hookimpl
def onedoor_indicators() -> list[Any]:
    """仲裁前调解成功率, 监察仲裁联动件数 and 群体性劳动争议件数."""
    return list(indicators.INDICATORS)
