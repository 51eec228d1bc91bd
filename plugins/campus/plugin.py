"""Hook implementations of the campus plugin (校园纠纷调解).

The campus version of a center (seed 004: 校园版; 舟山's "矛盾排查+心理疏导+法治宣传" campus
mechanism): disputes between families, schools, teachers and students screened and mediated
close to the school. The rules live in :mod:`.rules`, the records in :mod:`.models`, the pages
in :mod:`.views`, the indicators in :mod:`.indicators`; this module only wires them to hooks.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import object_session

from core.toolkit import (
    CaseType,
    DeadlineRule,
    DepartmentSpec,
    IntakeFinding,
    PluginIndicator,
    RiskRule,
    RoutingDecision,
    WindowType,
    hookimpl,
    plugin_page,
    tenant_sql,
)

from . import demo, indicators, rules, schemas, views
from .models import CaseFollowUp

if TYPE_CHECKING:
    from flask import Blueprint
    from marshmallow import Schema

NAMES = {"zh_Hans": "校园纠纷调解", "zh_Hant": "校園糾紛調解", "en": "Campus"}

#: What the plugin does, shown at the top of its page.
INTRO = {
    "zh_Hans": "家校、师生和学生之间的矛盾纠纷在校园就近排查、"
    "调解，必要时联动教育、公安和心理辅导力量。",
    "zh_Hant": "家校、師生和學生之間的矛盾糾紛在校園就近排查、"
    "調解，必要時聯動教育、公安和心理輔導力量。",
    "en": "Disputes between families, schools, teachers and students are screened and "
    "mediated close to the campus, with the education bureau, the campus police post "
    "and counselors when needed.",
}

WINDOW = WindowType(
    "campus", {"zh_Hans": "校园纠纷调解", "zh_Hant": "校園糾紛調解", "en": "Campus disputes"}
)

ORGANIZATIONS = [
    DepartmentSpec(
        "campus_education_bureau",
        {"zh_Hans": "教育局", "zh_Hant": "教育局", "en": "Education Bureau"},
        kind="specialty",
    ),
    DepartmentSpec(
        "campus_police_post",
        {"zh_Hans": "校园警务室", "zh_Hant": "校園警務室", "en": "Campus Police Post"},
        kind="specialty",
    ),
    DepartmentSpec(
        "campus_counseling_center",
        {"zh_Hans": "心理健康辅导中心", "zh_Hant": "心理健康輔導中心",
         "en": "Mental Health Counseling Center"},
        kind="specialty",
    ),
]

#: The plugin's page, built once: every app mounts this same blueprint.
PAGE = plugin_page("campus", names=NAMES, intro=INTRO, windows=[WINDOW],
                   organizations=ORGANIZATIONS, settings_schema=schemas.CampusSettings)


@hookimpl
def onedoor_window_types() -> list[WindowType]:
    """The campus disputes window."""
    return [WINDOW]


@hookimpl
def onedoor_department_catalog() -> list[DepartmentSpec]:
    """The education bureau, the campus police post and the counseling center."""
    return list(ORGANIZATIONS)


@hookimpl
def onedoor_settings_schema() -> Schema:
    """``[plugins.campus]``: the schools served and whether the education bureau is told."""
    return schemas.CampusSettings()


@hookimpl
def onedoor_blueprints() -> list[Blueprint]:
    """The info page, and the records pages (screenings, education, referrals, follow-ups)."""
    return [PAGE, views.bp]


@hookimpl
def onedoor_migration_dirs() -> list[str]:
    """The campus tables' Alembic branch (``campus``)."""
    return [str(Path(__file__).parent / "migrations")]


@hookimpl
def onedoor_translation_dirs() -> list[str]:
    """The plugin's own catalogs (zh_Hans, zh_Hant, en)."""
    return [str(Path(__file__).parent / "translations")]


@hookimpl
def onedoor_tenant_applied(tenant, settings, session) -> None:
    """With ``demo_records = true``, give a tenant without records the demo's records."""
    if settings.get("demo_records"):
        demo.seed(session, settings.get("schools") or [], tenant.slug)


def _names(zh_hans: str, zh_hant: str, en: str) -> dict[str, str]:
    return {"zh_Hans": zh_hans, "zh_Hant": zh_hant, "en": en}


CASE_TYPES = [
    CaseType(
        rules.DISPUTE, _names("校园纠纷", "校園糾紛", "Campus dispute"), window="campus",
        category="other", deadlines=("general_accept", "campus_dispute_mediation"),
        details_schema=schemas.CampusDisputeDetails,
        description=_names("学生之间、学生（家长）与学校、教职工之间的矛盾纠纷",
                           "學生之間、學生（家長）與學校、教職工之間的矛盾糾紛",
                           "Disputes between students, students (families) and the school, "
                           "or among staff"),
        keywords=("校园", "学校", "学生", "家长", "老师"), group="campus",
        example_intake={"parties": [{"role": "applicant", "name": "王建国", "phone": "13812345678"},
                                    {"role": "third_party", "name": "王小明", "minor": True}]},
        example={"school": "舟山中学", "dispute_kind": "student_school",
                 "person_kind": "student", "grade": "高一", "minor": True,
                 "date_of_birth": "2010-03-15", "violence": False}),
    CaseType(
        rules.BULLYING, _names("学生欺凌", "學生欺凌", "Student bullying"), window="campus",
        category="damages", deadlines=("general_accept", "campus_bullying_investigation"),
        details_schema=schemas.BullyingDetails,
        description=_names("学生之间蓄意或者恶意通过肢体、语言及网络等手段实施欺压、侮辱"
                           "（未成年人保护法第一百三十条）",
                           "學生之間蓄意或者惡意通過肢體、語言及網絡等手段實施欺壓、侮辱"
                           "（未成年人保護法第一百三十條）",
                           "Bullying between students by physical, verbal or online means "
                           "(Minors Protection Law Art. 130)"),
        keywords=("欺凌", "霸凌", "校园暴力"), group="campus",
        example_intake={"parties": [{"role": "applicant", "name": "王建国", "phone": "13812345678"},
                                    {"role": "third_party", "name": "王小明", "minor": True}]},
        example={"school": "舟山中学", "grade": "初二", "minor": True,
                 "date_of_birth": "2012-09-01", "incident_date": "2026-11-20",
                 "means": "verbal", "person_kind": "student", "serious": False,
                 "guardians_notified": True}),
]


@hookimpl
def onedoor_case_types() -> list[CaseType]:
    """校园纠纷 and 学生欺凌, at the campus window."""
    return list(CASE_TYPES)


@hookimpl
def onedoor_deadline_rules() -> list[DeadlineRule]:
    """The bullying investigation (10 days) and campus mediation (30 days) clocks."""
    return list(rules.DEADLINE_RULES)


@hookimpl
def onedoor_risk_rules() -> list[RiskRule]:
    """Bullying of a minor (orange, serious: red) and campus keywords."""
    return list(rules.RISK_RULES)


@hookimpl
def onedoor_check_intake(tenant, case_type, data, now) -> list[IntakeFinding]:
    """Schools served, minors' names protected, and 第三十九条's duties on bullying."""
    return rules.check_intake(tenant.plugins.get("campus", {}), case_type.code, data, now)


@hookimpl
def onedoor_route_case(tenant, case, session) -> RoutingDecision | None:
    """Bullying and violence to the campus police post, the education bureau assisting."""
    if case.case_type not in rules.CASE_TYPES:
        return None
    codes = frozenset(tenant_sql(session, "SELECT code FROM departments WHERE tenant_id = "
                                 ":tenant_id AND code IN (:police, :bureau)",
                                 {"police": rules.POLICE_POST,
                                  "bureau": rules.EDUCATION_BUREAU}).scalars())
    return rules.route(tenant.plugins.get("campus", {}), case, codes)


@hookimpl
def onedoor_validate_transition(case, transition) -> list[Any]:
    """A bullying case ends only after the guardians' notification is recorded (第三十九条)."""
    if case is None or case.case_type != rules.BULLYING or transition.name not in rules.ENDING:
        return []  # registration has no case yet
    session = object_session(case)
    kinds = set(session.scalars(select(CaseFollowUp.kind).where(
        CaseFollowUp.case_code == case.code))) if session is not None else set()
    return rules.transition_reasons(case, transition.name, kinds)


@hookimpl
def onedoor_indicators() -> list[PluginIndicator]:
    """Guardians notified in bullying cases, screening findings resolved, education attendance."""
    return list(indicators.INDICATORS)


@hookimpl
def onedoor_case_panels(case, viewer, session) -> list[Any]:
    """For counselors: how many sealed referrals the case has, with a link to them."""
    panel = views.case_panel(case, viewer, session)
    return [panel] if panel else []
