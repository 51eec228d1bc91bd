"""Hook implementations of the scenic area plugin (景区纠纷调解).

The scenic-area version of a center (seed 004: 景区版; 舟山's scenic-area centers): visitor
complaints and tourism disputes taken in and mediated where they happen. This module only
declares what the plugin brings; QR-code intake, fast deadlines and the one-click emergency
response arrive with issue 6.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.toolkit import DepartmentSpec, WindowType, hookimpl, plugin_page

from . import schemas

if TYPE_CHECKING:
    from flask import Blueprint
    from marshmallow import Schema

NAMES = {"zh_Hans": "景区纠纷调解", "zh_Hant": "景區糾紛調解", "en": "Scenic area"}

#: What the plugin does, shown at the top of its page.
INTRO = {
    "zh_Hans": "游客投诉和旅游纠纷在景区就近受理、就地调解。",
    "zh_Hant": "遊客投訴和旅遊糾紛在景區就近受理、就地調解。",
    "en": "Visitor complaints and tourism disputes are taken in and mediated on the spot, "
    "close to the scenic area.",
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
    """The tourism bureau, the tourism police and the scenic area's management committee."""
    return list(ORGANIZATIONS)


@hookimpl
def onedoor_settings_schema() -> Schema:
    """``[plugins.scenic_area]``: the scenic spots and the acceptance period."""
    return schemas.ScenicAreaSettings()


@hookimpl
def onedoor_blueprints() -> list[Blueprint]:
    """The plugin's page at ``/<tenant>/plugins/scenic_area/``."""
    return [PAGE]
