"""Hook implementations of the financial mediation plugin (金融纠纷调解).

Banking, insurance, securities, payment and lending disputes taken in at the center and mediated
with the regulator's mediation organizations (seed 000: 银行金融窗口; the county–town–village
financial dispute platforms). This module only declares what the plugin brings; institution
types, complaint tracks and their statutory limits arrive with issue 6.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.toolkit import DepartmentSpec, WindowType, hookimpl

from . import schemas, views

if TYPE_CHECKING:
    from flask import Blueprint
    from marshmallow import Schema

NAMES = {"zh_Hans": "金融纠纷调解", "zh_Hant": "金融糾紛調解", "en": "Financial mediation"}

WINDOW = WindowType(
    "financial_mediation",
    {"zh_Hans": "金融纠纷调解", "zh_Hant": "金融糾紛調解", "en": "Financial dispute mediation"},
)

ORGANIZATIONS = [
    DepartmentSpec(
        "financial_mediation_center",
        {"zh_Hans": "银行业保险业纠纷调解中心", "zh_Hant": "銀行業保險業糾紛調解中心",
         "en": "Banking and Insurance Dispute Mediation Center"},
        kind="specialty",
    ),
    DepartmentSpec(
        "financial_mediation_securities",
        {"zh_Hans": "证券期货纠纷调解工作站", "zh_Hant": "證券期貨糾紛調解工作站",
         "en": "Securities and Futures Dispute Mediation Station"},
        kind="specialty",
    ),
    DepartmentSpec(
        "financial_mediation_regulator",
        {"zh_Hans": "金融监管分局", "zh_Hant": "金融監管分局",
         "en": "Financial Regulatory Branch Office"},
        kind="specialty",
    ),
]


@hookimpl
def onedoor_window_types() -> list[WindowType]:
    """The financial dispute mediation window."""
    return [WINDOW]


@hookimpl
def onedoor_department_catalog() -> list[DepartmentSpec]:
    """The banking-and-insurance and securities mediation bodies and the regulator's office."""
    return list(ORGANIZATIONS)


@hookimpl
def onedoor_settings_schema() -> Schema:
    """``[plugins.financial_mediation]``: the regulator and the complaint period."""
    return schemas.FinancialMediationSettings()


@hookimpl
def onedoor_blueprints() -> list[Blueprint]:
    """The plugin's page at ``/<tenant>/plugins/financial_mediation/``."""
    return [views.make_blueprint(NAMES, WINDOW, ORGANIZATIONS)]
