"""Hook implementations of the labor arbitration plugin (劳动人事争议仲裁).

The human resources and social security bureau's arbitration commission stationed in the center
(seed 000: 人社仲裁入驻; seed 004: 监察仲裁联动). This module only declares what the plugin brings;
claim types, statutory deadlines and the limitation warning arrive with issue 6.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.toolkit import DepartmentSpec, WindowType, hookimpl, plugin_page

from . import schemas

if TYPE_CHECKING:
    from flask import Blueprint
    from marshmallow import Schema

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

#: The plugin's page, built once: every app mounts this same blueprint.
PAGE = plugin_page("labor_arbitration", names=NAMES, intro=INTRO, windows=[WINDOW],
                   organizations=ORGANIZATIONS, settings_schema=schemas.LaborArbitrationSettings)


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
    """``[plugins.labor_arbitration]``: commission name, mediation and award periods."""
    return schemas.LaborArbitrationSettings()


@hookimpl
def onedoor_blueprints() -> list[Blueprint]:
    """The plugin's page at ``/<tenant>/plugins/labor_arbitration/``."""
    return [PAGE]
