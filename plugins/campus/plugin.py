"""Hook implementations of the campus plugin (校园纠纷调解).

The campus version of a center (seed 004: 校园版; 舟山's campus centers): disputes between
families, schools, teachers and students screened and mediated close to the school. This module
only declares what the plugin brings; screening records, sealed counseling referrals and legal
education events arrive with issue 6.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.toolkit import DepartmentSpec, WindowType, hookimpl

from . import schemas, views

if TYPE_CHECKING:
    from flask import Blueprint
    from marshmallow import Schema

NAMES = {"zh_Hans": "校园纠纷调解", "zh_Hant": "校園糾紛調解", "en": "Campus"}

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
    return [views.make_blueprint(NAMES, WINDOW, ORGANIZATIONS)]
