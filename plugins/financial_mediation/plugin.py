"""Hook implementations of the financial mediation plugin (金融纠纷调解).

Banking, insurance, securities, payment and lending disputes taken in at the center and mediated
with the regulator's mediation organizations (seed 000: 银行金融窗口; the county–town–village
financial dispute platforms). This module only declares what the plugin brings; institution
types, complaint tracks and their statutory limits arrive with issue 6.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.toolkit import DepartmentSpec, WindowType, hookimpl, plugin_page

from . import schemas

if TYPE_CHECKING:
    from flask import Blueprint
    from marshmallow import Schema

NAMES = {"zh_Hans": "金融纠纷调解", "zh_Hant": "金融糾紛調解", "en": "Financial mediation"}

#: What the plugin does, shown at the top of its page.
INTRO = {
    "zh_Hans": "金融消费纠纷先行调解：银行、保险、证券、"
    "支付和借贷纠纷在中心受理，并在监管规定的期限内答复。",
    "zh_Hant": "金融消費糾紛先行調解：銀行、保險、證券、"
    "支付和借貸糾紛在中心受理，並在監管規定的期限內答覆。",
    "en": "Financial consumer disputes (banking, insurance, securities, payments and "
    "lending) are taken in at the center and answered within the regulator's time "
    "limits.",
}

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

#: The plugin's page, built once: every app mounts this same blueprint.
PAGE = plugin_page("financial_mediation", names=NAMES, intro=INTRO, windows=[WINDOW],
                   organizations=ORGANIZATIONS, settings_schema=schemas.FinancialMediationSettings)


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
    return [PAGE]
