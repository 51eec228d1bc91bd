"""Hook implementations of the scenic area plugin (景区纠纷调解).

The scenic-area version of a center (seed 004: 景区版; 舟山's scenic-area centers): "投诉一码受理、
纠纷一站化解、应急一键响应" — a complaint QR code per scenic spot, tourism complaints under
旅游投诉处理办法 (90-day cut-off, 5 working days to accept, 60 days to mediate, joint complaints
with 1–3 representatives), an on-site response in minutes, the one-click emergency raising a
red-risk case to the police, culture-and-tourism and enforcement liaisons, and the tourist
satisfaction indicator. Rules live in :mod:`.rules`, the emergency in :mod:`.emergency`, the
pages in :mod:`.views`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.toolkit import CaseType, DepartmentSpec, WindowType, hookimpl, plugin_page

from . import indicators, rules, schemas, views

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

NAMES = {"zh_Hans": "景区纠纷调解", "zh_Hant": "景區糾紛調解", "en": "Scenic area"}

#: What the plugin does, shown at the top of its page.
INTRO = {
    "zh_Hans": "游客投诉和旅游纠纷在景区就近受理、就地调解：投诉一码受理、纠纷一站化解、"
               "应急一键响应。",
    "zh_Hant": "遊客投訴和旅遊糾紛在景區就近受理、就地調解：投訴一碼受理、糾紛一站化解、"
               "應急一鍵響應。",
    "en": "Visitor complaints and tourism disputes are taken in and mediated on the spot, "
    "close to the scenic area: one code to complain, one stop to settle, one click in an "
    "emergency.",
}

WINDOW = WindowType(
    "scenic_area",
    {"zh_Hans": "景区旅游投诉", "zh_Hant": "景區旅遊投訴",
     "en": "Scenic area and tourism complaints"},
)

ORGANIZATIONS = [
    DepartmentSpec(
        "scenic_area_tourism_bureau",
        {"zh_Hans": "文化和旅游局", "zh_Hant": "文化和旅遊局", "en": "Culture and Tourism Bureau"},
        kind="specialty",
    ),
    DepartmentSpec(
        "scenic_area_tourism_police",
        {"zh_Hans": "旅游警察大队", "zh_Hant": "旅遊警察大隊", "en": "Tourism Police Brigade"},
        kind="specialty",
    ),
    DepartmentSpec(
        "scenic_area_management_committee",
        {"zh_Hans": "景区管理委员会", "zh_Hant": "景區管理委員會",
         "en": "Scenic Area Management Committee"},
        kind="specialty",
    ),
    DepartmentSpec(
        "scenic_area_enforcement",
        {"zh_Hans": "综合行政执法队", "zh_Hant": "綜合行政執法隊",
         "en": "Comprehensive Administrative Enforcement Team"},
        kind="specialty",
    ),
]

CASE_TYPES = [
    CaseType(
        rules.COMPLAINT,
        {"zh_Hans": "旅游投诉", "zh_Hant": "旅遊投訴", "en": "Tourism complaint"},
        window="scenic_area", category="tourism", demand_type="complaint",
        deadlines=("scenic_response", "tourism_accept", "tourism_mediation"),
        details_schema=schemas.TourismComplaintDetails,
        description={"zh_Hans": "游客对旅行社、景区、住宿、餐饮购物、交通或导游的投诉。",
                     "zh_Hant": "遊客對旅行社、景區、住宿、餐飲購物、交通或導遊的投訴。",
                     "en": "A visitor's complaint about a travel agency, a scenic area, "
                           "accommodation, a restaurant or shop, transport or a guide."},
        keywords=("旅游", "景区", "游客", "导游", "旅行社"),
        group="scenic_area",
        # No tour end date: the example stays registrable whatever today is (it is then kept
        # with the warning that the 90-day rule could not be checked).
        example={"scenic_spot": "普陀山", "respondent_kind": "travel_agency",
                 "complainants": 5, "representatives": ["王海", "李静"]},
    ),
    CaseType(
        rules.EMERGENCY,
        {"zh_Hans": "景区应急事件", "zh_Hant": "景區應急事件", "en": "Scenic area emergency"},
        window="scenic_area", category="tourism", demand_type="request",
        deadlines=("scenic_response",),
        details_schema=schemas.ScenicEmergencyDetails,
        description={"zh_Hans": "景区现场的紧急情况（应急一键响应）。",
                     "zh_Hant": "景區現場的緊急情況（應急一鍵響應）。",
                     "en": "An emergency at a scenic spot (one-click emergency response)."},
        keywords=("应急", "踩踏", "走失", "受伤"),
        group="scenic_area",
        example={"scenic_spot": "普陀山", "emergency_kind": "crowding", "people_affected": 40},
    ),
]

#: The plugin's page, built once: every app mounts this same blueprint.
PAGE = plugin_page("scenic_area", names=NAMES, intro=INTRO, windows=[WINDOW],
                   organizations=ORGANIZATIONS, settings_schema=schemas.ScenicAreaSettings)


@hookimpl
def onedoor_window_types() -> list[WindowType]:
    """The scenic area and tourism complaints window."""
    return [WINDOW]


@hookimpl
def onedoor_department_catalog() -> list[DepartmentSpec]:
    """The tourism bureau, the tourism police, the management committee and enforcement."""
    return list(ORGANIZATIONS)


@hookimpl
def onedoor_settings_schema() -> Schema:
    """``[plugins.scenic_area]``: spots, acceptance days, response minutes, liaisons."""
    return schemas.ScenicAreaSettings()


@hookimpl
def onedoor_blueprints() -> list[Blueprint]:
    """The info page at ``/``, the spots' QR codes at ``/qr``, the emergency at ``/emergency``."""
    return [PAGE, views.bp]


@hookimpl
def onedoor_translation_dirs() -> list[str]:
    """The plugin's own catalogs (its pages and messages)."""
    return [str(Path(__file__).parent / "translations")]


@hookimpl
def onedoor_case_types() -> list[CaseType]:
    """旅游投诉 (tourism complaint) and 景区应急事件 (scenic area emergency)."""
    return list(CASE_TYPES)


@hookimpl
def onedoor_check_intake(tenant: TenantContext, case_type: CaseType, data: dict[str, Any],
                         now: datetime) -> list[IntakeFinding]:
    """The 90-day rule (blocking), the missing tour end (warning), the tenant's spots."""
    return rules.check_intake(tenant, case_type, data, now)


@hookimpl
def onedoor_deadline_rules(tenant: TenantContext | None) -> list[DeadlineRule]:
    """On-site response (minutes, a setting), acceptance (5 working days), mediation (60)."""
    return rules.deadline_rules(tenant)


@hookimpl
def onedoor_risk_rules() -> list[RiskRule]:
    """An emergency is red; a joint tourism complaint yellow at least."""
    return list(rules.RISK_RULES)


@hookimpl
def onedoor_route_case(tenant: TenantContext, case: Any, session: Any
                       ) -> RoutingDecision | None:
    """Emergencies to the liaisons, complaints to the tourism bureau (if the tenant has them)."""
    return rules.route(tenant, case, session)


@hookimpl
def onedoor_indicators() -> list[PluginIndicator]:
    """游客满意率 (tourist satisfaction)."""
    return [indicators.INDICATOR]
