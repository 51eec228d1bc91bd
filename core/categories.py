"""Standard vocabularies of a case: dispute categories, intake channels, demand types, risk.

Level-1 dispute categories are the Ministry of Justice people's-mediation reporting set (15
items, ``reference/domain_rules.md`` §2.1); the other categories that reports use are level 2
under 其他 "other" unless a tenant promotes them. Tenants add categories in ``[[categories]]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Term:
    """A code with its names in the three locales, and an optional parent code."""

    code: str
    names: dict[str, str] = field(hash=False)
    parent: str = ""

    def name(self, locale: str) -> str:
        """Name in ``locale``, falling back to zh_Hans, then the code."""
        return self.names.get(locale) or self.names.get("zh_Hans") or self.code


def _terms(rows: list[tuple[str, str, str, str]], parent: str = "") -> dict[str, Term]:
    return {
        code: Term(code, {"zh_Hans": hans, "zh_Hant": hant, "en": en}, parent)
        for code, hans, hant, en in rows
    }


CATEGORIES: dict[str, Term] = _terms([
    ("marriage_family", "婚姻家庭", "婚姻家庭", "Marriage and family"),
    ("neighbor", "邻里", "鄰里", "Neighbors"),
    ("housing_homestead", "房屋宅基地", "房屋宅基地", "Housing and homestead"),
    ("contract", "合同", "合同", "Contract"),
    ("business", "生产经营", "生產經營", "Business operation"),
    ("damages", "损害赔偿", "損害賠償", "Damages"),
    ("forest_land", "山林土地", "山林土地", "Forest and land"),
    ("land_requisition", "征地拆迁", "徵地拆遷", "Land requisition and demolition"),
    ("pollution", "环境污染", "環境污染", "Environmental pollution"),
    ("labor", "劳动争议", "勞動爭議", "Labor"),
    ("consumer", "消费", "消費", "Consumer"),
    ("medical", "医疗", "醫療", "Medical"),
    ("traffic", "道路交通事故", "道路交通事故", "Road traffic accident"),
    ("property_management", "物业", "物業", "Property management"),
    ("other", "其他", "其他", "Other"),
])
CATEGORIES.update(_terms([
    ("land_contract", "土地承包经营", "土地承包經營", "Land contract"),
    ("village_affairs", "村务管理", "村務管理", "Village affairs"),
    ("inheritance", "继承", "繼承", "Inheritance"),
    ("tourism", "旅游", "旅遊", "Tourism"),
    ("intellectual_property", "知识产权", "知識產權", "Intellectual property"),
    ("financial", "金融", "金融", "Financial"),
], parent="other"))

CHANNELS: dict[str, Term] = _terms([
    ("walk_in", "窗口来访", "窗口來訪", "Walk-in at a window"),
    ("hotline_12345", "12345热线", "12345熱線", "12345 hotline"),
    ("police_110", "110警情移交", "110警情移交", "110 police referral"),
    ("online", "网上申请", "網上申請", "Online portal"),
    ("grid_report", "网格上报", "網格上報", "Grid report"),
    ("court_referral", "法院委派", "法院委派", "Court referral"),
    ("petition", "信访", "信訪", "Petition"),
    ("mayor_mailbox", "市长信箱", "市長信箱", "Mayor's mailbox"),
    ("app", "移动应用", "移動應用", "Mobile app"),
])

DEMAND_TYPES: dict[str, Term] = _terms([
    ("dispute", "矛盾纠纷", "矛盾糾紛", "Dispute"),
    ("complaint", "投诉", "投訴", "Complaint"),
    ("request", "求助", "求助", "Request for help"),
    ("consultation", "咨询", "諮詢", "Consultation"),
    ("suggestion", "建议意见", "建議意見", "Suggestion"),
    ("accusation", "检举控告", "檢舉控告", "Accusation"),
    ("appeal", "申诉求决", "申訴求決", "Appeal or demand for a decision"),
])

RISK_LEVELS: dict[str, Term] = _terms([
    ("red", "红色（重大）", "紅色（重大）", "Red (major)"),
    ("orange", "橙色（较大）", "橙色（較大）", "Orange (serious)"),
    ("yellow", "黄色（一般）", "黃色（一般）", "Yellow (ordinary)"),
    ("blue", "蓝色（隐患）", "藍色（隱患）", "Blue (latent)"),
])
#: Higher index, higher risk.
RISK_ORDER = ("blue", "yellow", "orange", "red")


def tenant_categories(config: dict | None) -> dict[str, Term]:
    """The standard categories plus the tenant's own ``[[categories]]`` entries."""
    merged = dict(CATEGORIES)
    for entry in (config or {}).get("categories", []):
        merged[entry["code"]] = Term(entry["code"], dict(entry.get("names", {})),
                                     entry.get("parent", ""))
    return merged
