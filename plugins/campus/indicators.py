"""Indicators the campus plugin adds to the dashboard (考核指标).

* ``campus_guardian_notification`` — 欺凌事件监护人通知率: bullying cases in the dashboard's
  population whose guardians were notified (at intake or by a recorded follow-up) ÷ bullying
  cases in it.
* ``campus_screening_resolution`` — 排查发现问题化解率: screening records that found a problem
  and are marked resolved ÷ screening records that found a problem. Screening records are not
  cases, so this one counts all of the tenant's records, whatever the dashboard's scope.
* ``campus_legal_education_attendance`` — 法治宣传参加人次: the attendance of all the tenant's
  legal education events (a count, likewise tenant-wide).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, func, or_, select

from core.toolkit import Case, IndicatorDefinition, PluginIndicator

from .models import CaseFollowUp, LegalEducationEvent, ScreeningRecord
from .rules import BULLYING

GUARDIANS = IndicatorDefinition(
    "campus_guardian_notification", "ratio",
    {"zh_Hans": "欺凌事件监护人通知率", "zh_Hant": "欺凌事件監護人通知率",
     "en": "Bullying cases with guardians notified"},
    {"zh_Hans": "已通知双方监护人的学生欺凌事件 ÷ 学生欺凌事件（未成年人保护法第三十九条）",
     "zh_Hant": "已通知雙方監護人的學生欺凌事件 ÷ 學生欺凌事件（未成年人保護法第三十九條）",
     "en": "bullying cases whose guardians were notified ÷ bullying cases "
           "(Minors Protection Law Art. 39)"})
SCREENING = IndicatorDefinition(
    "campus_screening_resolution", "ratio",
    {"zh_Hans": "排查发现问题化解率", "zh_Hant": "排查發現問題化解率",
     "en": "Screening findings resolved"},
    {"zh_Hans": "已化解的发现问题排查记录 ÷ 发现问题的排查记录（全部排查记录，不限统计期和层级）",
     "zh_Hant": "已化解的發現問題排查記錄 ÷ 發現問題的排查記錄（全部排查記錄，不限統計期和層級）",
     "en": "screening records with a finding marked resolved ÷ screening records with a "
           "finding (all records of the tenant, whatever the period or tier)"})
ATTENDANCE = IndicatorDefinition(
    "campus_legal_education_attendance", "count",
    {"zh_Hans": "法治宣传参加人次", "zh_Hant": "法治宣傳參加人次",
     "en": "Legal education attendance"},
    {"zh_Hans": "法治宣传活动参加人数之和（全部活动，不限统计期和层级）",
     "zh_Hant": "法治宣傳活動參加人數之和（全部活動，不限統計期和層級）",
     "en": "sum of the attendance of legal education events (all events of the tenant)"})


def _guardians(session: Any, cases: Any) -> tuple[int, int]:
    # ``cases`` is core's tenant-bound SELECT of the population's ids.
    notified = exists().where(CaseFollowUp.case_code == Case.code,
                              CaseFollowUp.kind == "guardians_notified")
    row = session.execute(
        select(func.count().filter(or_(
            Case.details["guardians_notified"].as_boolean().is_(True), notified)),
            func.count())
        .select_from(Case).where(Case.id.in_(cases), Case.case_type == BULLYING)).one()
    return row[0], row[1]


def _screening(session: Any, _cases: Any) -> tuple[int, int]:
    found = ScreeningRecord.risk_level != "none"
    row = session.execute(select(
        func.count().filter(found, ScreeningRecord.resolved.is_(True)),
        func.count().filter(found)).select_from(ScreeningRecord)).one()
    return row[0], row[1]


def _attendance(session: Any, _cases: Any) -> tuple[int, None]:
    total = session.scalar(select(func.coalesce(func.sum(LegalEducationEvent.attendance), 0))
                           .select_from(LegalEducationEvent))
    return int(total or 0), None


INDICATORS = (PluginIndicator(GUARDIANS, _guardians), PluginIndicator(SCREENING, _screening),
              PluginIndicator(ATTENDANCE, _attendance))
