"""Hook implementations of the maritime plugin (海事渔业纠纷调解).

舟山's maritime centers: fishery disputes with the vessels' numbers and the position at sea,
crew rights (wages, contracts, injury, repatriation), maritime commercial mediation, and
cold-chain logistics supervision items; fishery disputes go to the fishery dispute mediation
committee when the tenant uses it; positions are plotted on the tenant's sea area. Rules live
in :mod:`.rules`, the cold-chain items in :mod:`.coldchain` and :mod:`.models`, the pages in
:mod:`.views`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.toolkit import CaseType, DepartmentSpec, WindowType, hookimpl, plugin_page

from . import indicators, models, rules, schemas, views

if TYPE_CHECKING:
    from datetime import datetime

    from flask import Blueprint
    from marshmallow import Schema

    from core.toolkit import (
        DeadlineRule,
        IntakeFinding,
        PluginIndicator,
        RiskRule,
        RoutingDecision,
        TenantContext,
    )

assert models.ColdChainItem.__tablename__  # the model is part of the schema once imported

NAMES = {"zh_Hans": "海事渔业纠纷调解", "zh_Hant": "海事漁業糾紛調解", "en": "Maritime"}

#: What the plugin does, shown at the top of its page.
INTRO = {
    "zh_Hans": "渔事纠纷、船员权益和海上商事纠纷在中心受理，联动海事、海警和渔业调解组织化解；"
               "冷链物流监管对象登记和检查。",
    "zh_Hant": "漁事糾紛、船員權益和海上商事糾紛在中心受理，聯動海事、海警和漁業調解組織化解；"
               "冷鏈物流監管對象登記和檢查。",
    "en": "Fishery disputes, crew rights and maritime commercial disputes are taken in at "
    "the center and resolved together with maritime safety, the coast guard and "
    "fishery mediators; cold-chain logistics items are registered and inspected.",
}

WINDOW = WindowType(
    "maritime",
    {"zh_Hans": "海事渔业纠纷", "zh_Hant": "海事漁業糾紛", "en": "Maritime and fishery disputes"},
)

ORGANIZATIONS = [
    DepartmentSpec(
        "maritime_fishery_mediation",
        {"zh_Hans": "渔事纠纷调解委员会", "zh_Hant": "漁事糾紛調解委員會",
         "en": "Fishery Dispute Mediation Committee"},
        kind="specialty",
    ),
    DepartmentSpec(
        "maritime_safety_administration",
        {"zh_Hans": "海事局", "zh_Hant": "海事局", "en": "Maritime Safety Administration"},
        kind="specialty",
    ),
    DepartmentSpec(
        "maritime_coast_guard",
        {"zh_Hans": "海警工作站", "zh_Hant": "海警工作站", "en": "Coast Guard Station"},
        kind="specialty",
    ),
]

CASE_TYPES = [
    CaseType(
        rules.FISHERY,
        {"zh_Hans": "渔事纠纷", "zh_Hant": "漁事糾紛", "en": "Fishery dispute"},
        # 生产经营 in the Ministry of Justice's list; a tenant's own "fishery" category can be
        # given at intake instead.
        window="maritime", category="business", demand_type="dispute",
        deadlines=("fishery_dispute_mediation",),
        details_schema=schemas.FisheryDisputeDetails,
        description={"zh_Hans": "渔船之间、渔民之间的纠纷：网具损坏、碰撞、渔场、养殖海域、"
                                "渔获交易。",
                     "zh_Hant": "漁船之間、漁民之間的糾紛：網具損壞、碰撞、漁場、養殖海域、"
                                "漁獲交易。",
                     "en": "Disputes between fishing vessels or fishers: damaged nets, "
                           "collisions, fishing grounds, aquaculture areas, catch sales."},
        keywords=("渔船", "渔网", "渔事", "碰撞", "渔场"),
        group="maritime",
        # Brought in at the port, so that the example registers without a position; a dispute
        # at sea (at_sea, the default) also needs the case's latitude and longitude.
        example={"kind": "catch_sale", "vessels": ["浙岱渔03187", "浙普渔68001"],
                 "at_sea": False, "port": "岱山高亭港"},
    ),
    CaseType(
        rules.CREW,
        {"zh_Hans": "船员权益", "zh_Hant": "船員權益", "en": "Crew rights"},
        window="maritime", category="labor", demand_type="dispute",
        deadlines=("crew_rights_mediation",),
        details_schema=schemas.CrewRightsDetails,
        description={"zh_Hans": "船员工资、劳动合同、工伤、遣返和社会保险诉求。",
                     "zh_Hant": "船員工資、勞動合同、工傷、遣返和社會保險訴求。",
                     "en": "Crew members' wages, contracts, injuries, repatriation and "
                           "social insurance."},
        keywords=("船员", "欠薪", "工资", "合同"),
        group="maritime",
        example={"claim": "unpaid_wages", "vessel": "浙嵊渔冷80123", "crew": 6,
                 "months_unpaid": 3},
    ),
    CaseType(
        rules.COMMERCIAL,
        {"zh_Hans": "海事商事纠纷", "zh_Hant": "海事商事糾紛", "en": "Maritime commercial dispute"},
        window="maritime", category="contract", demand_type="dispute",
        deadlines=("maritime_commercial_mediation",),
        details_schema=schemas.MaritimeCommercialDetails,
        description={"zh_Hans": "船舶租用、运费、货损、修造、买卖、海上保险和物料供应纠纷的调解。",
                     "zh_Hant": "船舶租用、運費、貨損、修造、買賣、海上保險和物料供應糾紛的調解。",
                     "en": "Mediation of charter, freight, cargo, repair, sale, marine "
                           "insurance and supply disputes."},
        keywords=("船舶", "运费", "货损", "修船", "海上保险"),
        group="maritime",
        example={"kind": "ship_repair", "vessel_name": "舟港拖6号", "claim_amount": "186000.00"},
    ),
]

#: The plugin's page, built once: every app mounts this same blueprint.
PAGE = plugin_page("maritime", names=NAMES, intro=INTRO, windows=[WINDOW],
                   organizations=ORGANIZATIONS, settings_schema=schemas.MaritimeSettings)


@hookimpl
def onedoor_window_types() -> list[WindowType]:
    """The maritime and fishery disputes window."""
    return [WINDOW]


@hookimpl
def onedoor_department_catalog() -> list[DepartmentSpec]:
    """The fishery mediation committee, the maritime safety administration and the coast guard."""
    return list(ORGANIZATIONS)


@hookimpl
def onedoor_settings_schema() -> Schema:
    """``[plugins.maritime]``: ports, fishery mediation and the sea area's box."""
    return schemas.MaritimeSettings()


@hookimpl
def onedoor_blueprints() -> list[Blueprint]:
    """The info page, the sea map, a case's position and the cold-chain items."""
    return [PAGE, views.bp]


@hookimpl
def onedoor_migration_dirs() -> list[str]:
    """The plugin's Alembic branch ``maritime`` (the cold-chain items table)."""
    return [str(Path(__file__).parent / "migrations")]


@hookimpl
def onedoor_translation_dirs() -> list[str]:
    """The plugin's own catalogs (its pages and messages)."""
    return [str(Path(__file__).parent / "translations")]


@hookimpl
def onedoor_case_types() -> list[CaseType]:
    """渔事纠纷, 船员权益 and 海事商事纠纷."""
    return list(CASE_TYPES)


@hookimpl
def onedoor_indicators() -> list[PluginIndicator]:
    """海事渔事矛盾化解率 (maritime and fishery resolution rate)."""
    return [indicators.INDICATOR]


@hookimpl
def onedoor_check_intake(tenant: TenantContext, case_type: CaseType, data: dict[str, Any],
                         now: datetime) -> list[IntakeFinding]:
    """Positions: both coordinates, one for a dispute at sea, inside the sea area (warning)."""
    return rules.check_intake(tenant, case_type, data, now)


@hookimpl
def onedoor_deadline_rules() -> list[DeadlineRule]:
    """Fishery dispute mediation (30 days, local practice), crew rights (15), commercial (30)."""
    return list(rules.DEADLINE_RULES)


@hookimpl
def onedoor_risk_rules() -> list[RiskRule]:
    """A vessel collision and a group claim of ten or more crew members are orange."""
    return list(rules.RISK_RULES)


@hookimpl
def onedoor_route_case(tenant: TenantContext, case: Any, session: Any
                       ) -> RoutingDecision | None:
    """Fishery disputes to the fishery dispute mediation committee (fishery_mediation)."""
    return rules.route(tenant, case, session)


@hookimpl
def onedoor_case_panels(tenant: TenantContext, case: Any) -> list[Any]:
    """A maritime case's vessels and position at sea on the case page."""
    panel = views.case_panel(tenant, case)
    return [panel] if panel else []
