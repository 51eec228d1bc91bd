"""Hook implementations of the maritime plugin (海事渔业纠纷调解).

舟山's maritime centers: fishery disputes, crew rights and maritime commercial disputes, mediated
with the fishery mediation committee, the maritime safety administration and the coast guard.
This module only declares what the plugin brings; vessel and sea-area details, cold-chain items
and at-sea locations arrive with issue 6.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.toolkit import DepartmentSpec, WindowType, hookimpl, plugin_page

from . import schemas

if TYPE_CHECKING:
    from flask import Blueprint
    from marshmallow import Schema

NAMES = {"zh_Hans": "海事渔业纠纷调解", "zh_Hant": "海事漁業糾紛調解", "en": "Maritime"}

#: What the plugin does, shown at the top of its page.
INTRO = {
    "zh_Hans": "渔事纠纷、船员权益和海上商事纠纷在中心受理，联动海事、海警和渔业调解组织化解。",
    "zh_Hant": "漁事糾紛、船員權益和海上商事糾紛在中心受理，聯動海事、海警和漁業調解組織化解。",
    "en": "Fishery disputes, crew rights and maritime commercial disputes are taken in at "
    "the center and resolved together with maritime safety, the coast guard and "
    "fishery mediators.",
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
    """``[plugins.maritime]``: the ports served and whether fishery mediation is used."""
    return schemas.MaritimeSettings()


@hookimpl
def onedoor_blueprints() -> list[Blueprint]:
    """The plugin's page at ``/<tenant>/plugins/maritime/``."""
    return [PAGE]
