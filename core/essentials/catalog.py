"""The core catalog: standard windows and the "12" departments every tenant can pick from.

Sources: seed 000 (综合受理、行业受理、特色办理; 劳资纠纷、银行金融、征地拆迁、知识产权、商事调解、
公证仲裁 windows; court, procuratorate, public security, justice, HR & social security, petition
bureau stationed) and DESIGN.md's list of about twelve core departments.
"""

from __future__ import annotations

from core.catalog import DepartmentSpec, WindowType
from core.toolkit import hookimpl

ESSENTIAL = True
NAMES = {"zh_Hans": "核心目录", "zh_Hant": "核心目錄", "en": "Core catalog"}


def _names(zh_hans: str, zh_hant: str, en: str) -> dict[str, str]:
    return {"zh_Hans": zh_hans, "zh_Hant": zh_hant, "en": en}


CORE_WINDOWS = [
    WindowType("general_intake", _names("综合受理", "綜合受理", "General intake")),
    WindowType("legal_aid", _names("法律援助", "法律援助", "Legal aid")),
    WindowType("legal_consultation", _names("法律咨询", "法律諮詢", "Legal consultation")),
    WindowType(
        "litigation_petition", _names("涉诉信访", "涉訴信訪", "Litigation-related petitions")
    ),
    WindowType("labor", _names("劳资纠纷", "勞資糾紛", "Labor disputes")),
    WindowType("finance", _names("银行金融", "銀行金融", "Banking and finance")),
    WindowType(
        "land_requisition", _names("征地拆迁", "徵地拆遷", "Land requisition and demolition")
    ),
    WindowType("intellectual_property", _names("知识产权", "知識產權", "Intellectual property")),
    WindowType("commercial_mediation", _names("商事调解", "商事調解", "Commercial mediation")),
    WindowType("notary_arbitration", _names("公证仲裁", "公證仲裁", "Notary and arbitration")),
    WindowType("petition_reception", _names("来信来访", "來信來訪", "Letters and visits")),
    WindowType(
        "psychological_counseling", _names("心理咨询", "心理諮詢", "Psychological counseling")
    ),
]

CORE_DEPARTMENTS = [
    DepartmentSpec("court", _names("人民法院", "人民法院", "People's Court")),
    DepartmentSpec("procuratorate", _names("人民检察院", "人民檢察院", "People's Procuratorate")),
    DepartmentSpec("public_security", _names("公安局", "公安局", "Public Security Bureau")),
    DepartmentSpec("justice", _names("司法局", "司法局", "Justice Bureau")),
    DepartmentSpec(
        "human_resources",
        _names(
            "人力资源和社会保障局", "人力資源和社會保障局", "Human Resources and Social Security"
        ),
    ),
    DepartmentSpec("petition_bureau", _names("信访局", "信訪局", "Petition Bureau")),
    DepartmentSpec("civil_affairs", _names("民政局", "民政局", "Civil Affairs Bureau")),
    DepartmentSpec(
        "housing",
        _names("住房和城乡建设局", "住房和城鄉建設局", "Housing and Urban-Rural Development"),
    ),
    DepartmentSpec(
        "market_regulation", _names("市场监督管理局", "市場監督管理局", "Market Regulation")
    ),
    DepartmentSpec(
        "natural_resources", _names("自然资源和规划局", "自然資源和規劃局", "Natural Resources")
    ),
    DepartmentSpec("health", _names("卫生健康局", "衛生健康局", "Health Commission")),
    DepartmentSpec("womens_federation", _names("妇女联合会", "婦女聯合會", "Women's Federation")),
    DepartmentSpec(
        "peoples_mediation",
        _names("人民调解委员会", "人民調解委員會", "People's Mediation Committee"),
        kind="specialty",
    ),
    DepartmentSpec(
        "lawyers_mediation",
        _names("律师调解工作室", "律師調解工作室", "Lawyers' mediation studio"),
        kind="specialty",
    ),
    DepartmentSpec(
        "family_mediation",
        _names("婚姻家庭调解室", "婚姻家庭調解室", "Marriage and family mediation"),
        kind="specialty",
    ),
    DepartmentSpec(
        "medical_mediation",
        _names("医患纠纷调解委员会", "醫患糾紛調解委員會", "Medical dispute mediation"),
        kind="specialty",
    ),
    DepartmentSpec(
        "trade_union", _names("总工会", "總工會", "Federation of Trade Unions"), kind="specialty"
    ),
]


@hookimpl
def onedoor_window_types() -> list[WindowType]:
    """Core window types, available to every tenant."""
    return CORE_WINDOWS


@hookimpl
def onedoor_department_catalog() -> list[DepartmentSpec]:
    """The standard twelve departments and common specialty mediation organizations."""
    return CORE_DEPARTMENTS
