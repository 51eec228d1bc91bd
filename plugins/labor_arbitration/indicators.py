"""Indicators of labor disputes (``onedoor_indicators``), from aggregate SQL over the cases in
the dashboard's scope.

- 仲裁前调解成功率 (pre-arbitration mediation success): accepted labor cases settled by
  mediation (they have a resolution time) ÷ accepted labor cases whose mediation has ended:
  settled, failed (调解不成) or sent on to arbitration, litigation or another route.
- 监察仲裁联动件数 (cases linked to labor inspection): labor cases in scope with a linked
  inspection record.
- 群体性劳动争议件数 (group labor disputes): labor cases in scope with ten or more workers
  (劳动争议调解仲裁法 第七条).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, exists, func, or_, select, type_coerce

from core.toolkit import Case, IndicatorDefinition, PluginIndicator, Referral

from .checks import LABOR_TYPES
from .models import InspectionLink


def _names(zh_hans: str, zh_hant: str, en: str) -> dict[str, str]:
    return {"zh_Hans": zh_hans, "zh_Hant": zh_hant, "en": en}


PRE_ARBITRATION = IndicatorDefinition(
    "labor_pre_arbitration_mediation_success", "ratio",
    _names("仲裁前调解成功率", "仲裁前調解成功率", "Pre-arbitration mediation success"),
    _names("仲裁前调解成功率 = 经调解化解（有化解时间）的已受理劳动争议 ÷ 调解已结束的已受理"
           "劳动争议（已化解、调解不成、导入仲裁诉讼等途径的）。",
           "仲裁前調解成功率 = 經調解化解（有化解時間）的已受理勞動爭議 ÷ 調解已結束的已受理"
           "勞動爭議（已化解、調解不成、導入仲裁訴訟等途徑的）。",
           "Pre-arbitration mediation success = accepted labor cases settled by mediation "
           "(with a resolution time) ÷ accepted labor cases whose mediation has ended (settled, "
           "failed, or referred to arbitration, litigation or another route)."))
INSPECTION_LINKED = IndicatorDefinition(
    "labor_inspection_linked", "count",
    _names("监察仲裁联动件数", "監察仲裁聯動件數", "Cases linked to labor inspection"),
    _names("监察仲裁联动件数 = 范围内有劳动保障监察联动记录的劳动争议事件数。",
           "監察仲裁聯動件數 = 範圍內有勞動保障監察聯動記錄的勞動爭議事件數。",
           "Cases linked to labor inspection = labor cases in scope with a linked inspection "
           "record."))
GROUP_CASES = IndicatorDefinition(
    "labor_group_cases", "count",
    _names("群体性劳动争议件数", "群體性勞動爭議件數", "Group labor disputes"),
    _names("群体性劳动争议件数 = 范围内劳动者十人以上的劳动争议事件数"
           "（劳动争议调解仲裁法第七条）。",
           "群體性勞動爭議件數 = 範圍內勞動者十人以上的勞動爭議事件數"
           "（勞動爭議調解仲裁法第七條）。",
           "Group labor disputes = labor cases in scope with ten or more workers (Art. 7 of the "
           "Labor Dispute Mediation and Arbitration Law)."))


def _labor(ids: Any) -> Any:
    return (Case.id.in_(ids), Case.case_type.in_(sorted(LABOR_TYPES)))


def pre_arbitration(session: Any, ids: Any) -> tuple[int, int]:
    """(settled by mediation, mediation ended) over the accepted labor cases in ``ids``."""
    referred = exists().where(Referral.case_id == Case.id)
    ended = or_(Case.resolved_at.is_not(None), Case.status == "mediation_failed", referred)
    row = session.execute(
        select(func.count().filter(Case.resolved_at.is_not(None)), func.count())
        .where(*_labor(ids), Case.accepted_at.is_not(None), ended)).one()
    return int(row[0]), int(row[1])


def inspection_linked(session: Any, ids: Any) -> tuple[int, None]:
    """Labor cases in ``ids`` with a linked inspection."""
    count = session.scalar(select(func.count()).select_from(InspectionLink).join(
        Case, Case.id == InspectionLink.case_id).where(*_labor(ids)))
    return int(count or 0), None


def group_cases(session: Any, ids: Any) -> tuple[int, None]:
    """Labor cases in ``ids`` with ten or more workers (``details.workers``)."""
    workers = type_coerce(Case.details["workers"].as_integer(), Integer)
    count = session.scalar(select(func.count()).where(*_labor(ids), workers >= 10))
    return int(count or 0), None


INDICATORS = (PluginIndicator(PRE_ARBITRATION, pre_arbitration),
              PluginIndicator(INSPECTION_LINKED, inspection_linked),
              PluginIndicator(GROUP_CASES, group_cases))
