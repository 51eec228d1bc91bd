"""Hook implementations of the labor arbitration plugin (劳动人事争议仲裁).

The human resources and social security bureau's arbitration commission stationed in the center
(seed 000: 人社仲裁入驻; seed 004: 监察仲裁联动). This module only declares what the plugin brings;
claim types, statutory deadlines and the limitation warning arrive with issue 6.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.toolkit import DepartmentSpec, WindowType, hookimpl

from . import schemas, views

if TYPE_CHECKING:
    from flask import Blueprint
    from marshmallow import Schema

NAMES = {"zh_Hans": "劳动人事争议仲裁", "zh_Hant": "勞動人事爭議仲裁", "en": "Labor arbitration"}

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
    return [views.make_blueprint(NAMES, WINDOW, ORGANIZATIONS)]
