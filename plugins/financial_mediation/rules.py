"""The rules of financial disputes, as pure data and functions (no Flask, no database).

Sources (``reference/domain_rules.md`` §1.8):

- 银行业保险业消费投诉处理管理办法 (中国银保监会, in force 2020-03-01): a banking or insurance
  institution decides on a consumer complaint within 15 days of receiving it; complex cases may
  take up to 30 days; particularly complex ones, with the approval of a senior manager of the
  institution's head office, 30 more (60 at most). The reference gives the limits, not the
  article number, so none is cited.
- 金发〔2025〕14号 (NFRA, PBOC, CSRC): financial mediation runs on simple, ordinary and complex
  tracks (简易/普通/疑难复杂), each mediation organization sets explicit time limits, and small
  claims get a fast track. The document fixes no numbers: the track periods below are local
  defaults a tenant changes with ``[deadlines.<rule>]``.
- 仲裁法 第四条: arbitration needs the parties' arbitration agreement; without one the
  arbitration commission does not accept the case.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from core.toolkit import DeadlineRule

COMPLAINT_RULES = "银行业保险业消费投诉处理管理办法（2020年3月1日施行）"
TRACKS = "金发〔2025〕14号"
ARBITRATION_LAW_4 = "仲裁法 第四条"

_HANDLE_STOPS = frozenset({"resolved", "referred", "closed", "withdrawn", "merged"})
_DECISION_STOPS = _HANDLE_STOPS | {"not_accepted"}


def _names(zh_hans: str, zh_hant: str, en: str) -> dict[str, str]:
    return {"zh_Hans": zh_hans, "zh_Hant": zh_hant, "en": en}


DEADLINE_RULES = (
    DeadlineRule(
        "financial_mediation_complaint", 15, "days", "registered", _DECISION_STOPS,
        source=f"{COMPLAINT_RULES}：自收到投诉之日起15日内作出处理决定并告知投诉人",
        names=_names("银行保险投诉处理期限", "銀行保險投訴處理期限",
                     "Banking and insurance complaint decision"),
        # Found complex while handling: extended to 30 days, then to 60 at most, with the
        # approvals the rules name (recorded with each extension).
        max_extension=45),
    DeadlineRule(
        "financial_mediation_complaint_complex", 30, "days", "registered", _DECISION_STOPS,
        source=f"{COMPLAINT_RULES}：情况复杂的，处理期限可以延长至30日",
        names=_names("复杂投诉处理期限", "複雜投訴處理期限", "Complex complaint decision"),
        max_extension=30),
    DeadlineRule(
        "financial_mediation_complaint_extended", 60, "days", "registered", _DECISION_STOPS,
        source=f"{COMPLAINT_RULES}：情况特别复杂的，经上级机构或总行、总公司高级管理人员审批，"
        "可以再延长30日（最长60日）",
        names=_names("特别复杂投诉处理期限", "特別複雜投訴處理期限",
                     "Particularly complex complaint decision")),
    DeadlineRule(
        "financial_mediation_small_claim", 7, "working_days", "accepted", _HANDLE_STOPS,
        source=f"{TRACKS}：小额纠纷快速解纷；期限为本地默认（文件未规定具体天数）",
        names=_names("小额纠纷快速调解期限", "小額糾紛快速調解期限",
                     "Small-claim fast-track mediation")),
    DeadlineRule(
        "financial_mediation_simple", 15, "days", "accepted", _HANDLE_STOPS,
        source=f"{TRACKS}：简易程序，调解组织自定明确时限；本地默认",
        names=_names("金融纠纷简易调解期限", "金融糾紛簡易調解期限",
                     "Financial mediation, simple track")),
    DeadlineRule(
        "financial_mediation_ordinary", 30, "days", "accepted", _HANDLE_STOPS,
        source=f"{TRACKS}：普通程序，调解组织自定明确时限；本地默认",
        names=_names("金融纠纷普通调解期限", "金融糾紛普通調解期限",
                     "Financial mediation, ordinary track")),
    DeadlineRule(
        "financial_mediation_complex", 60, "days", "accepted", _HANDLE_STOPS,
        source=f"{TRACKS}：疑难复杂程序，调解组织自定明确时限；本地默认",
        names=_names("金融纠纷疑难复杂调解期限", "金融糾紛疑難複雜調解期限",
                     "Financial mediation, complex track")),
)

#: Case types of complaints (the 银行业保险业 rules) and of mediation tracks.
COMPLAINT_TYPES = frozenset({"financial_complaint", "financial_complaint_complex",
                             "financial_complaint_extended"})
SMALL_CLAIM = "financial_small_claim"
COMPLEX = "financial_mediation_complex"
MEDIATION_TYPES = frozenset({SMALL_CLAIM, "financial_mediation_simple",
                             "financial_mediation_ordinary", COMPLEX})
FINANCIAL_TYPES = COMPLAINT_TYPES | MEDIATION_TYPES


def node_codes(path: str) -> list[str]:
    """The codes of a tier path, root first (``/330100/330106/`` → two codes)."""
    return [code for code in path.strip("/").split("/") if code]


def station_for(stations: Sequence[dict[str, Any]], path_codes: Iterable[str],
                case_type: str) -> dict[str, Any] | None:
    """The station that takes a case at the node of ``path_codes`` (root first).

    The nearest station at or above the node; a complex case goes to the station nearest the
    root instead (the county platform has the experts); none when no station is on the path.
    """
    by_node: dict[str, dict[str, Any]] = {}
    for station in stations:
        by_node.setdefault(station["node"], station)
    on_path = [by_node[code] for code in path_codes if code in by_node]
    if not on_path:
        return None
    return on_path[0] if case_type == COMPLEX else on_path[-1]


#: Words signalling illegal fundraising or a collapsing lender (涉众型金融风险): red.
FUNDRAISING_SIGNALS = ("非法集资", "非法集資", "暴雷", "爆雷", "跑路", "无法兑付", "無法兌付",
                       "不能兑付", "不能兌付", "庞氏", "龐氏", "高息揽储", "高息攬儲",
                       "资金盘", "資金盤")

