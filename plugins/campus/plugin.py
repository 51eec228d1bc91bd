"""Hook implementations of the campus plugin (校园纠纷调解).

The campus version of a center (seed 004: 校园版; 舟山's campus centers): disputes between
families, schools, teachers and students screened and mediated close to the school. This module
only declares what the plugin brings; screening records, sealed counseling referrals and legal
education events arrive with issue 6.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.toolkit import DepartmentSpec, WindowType, hookimpl, plugin_page

from . import schemas

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
    """The plugin's page at ``/<tenant>/plugins/campus/``."""
    return [PAGE]
