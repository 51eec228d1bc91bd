"""游客满意率 (tourist satisfaction): satisfied evaluations of the scenic area's cases."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from core.toolkit import Case, Evaluation, IndicatorDefinition, PluginIndicator

from . import rules

#: Ratings counted as satisfied: 满意 and 基本满意, as core's default satisfaction rate does.
SATISFIED = ("satisfied", "basically_satisfied")

DEFINITION = IndicatorDefinition(
    "tourist_satisfaction", "ratio",
    {"zh_Hans": "游客满意率", "zh_Hant": "遊客滿意率", "en": "Tourist satisfaction"},
    {"zh_Hans": "游客满意率 = 旅游投诉和景区应急件的评价中“满意”和“基本满意”的条数 ÷ 这些件的"
                "有效评价条数（统计范围内登记的件）。",
     "zh_Hant": "遊客滿意率 = 旅遊投訴和景區應急件的評價中「滿意」和「基本滿意」的條數 ÷ 這些件的"
                "有效評價條數（統計範圍內登記的件）。",
     "en": "Tourist satisfaction = evaluations rated satisfied or basically satisfied of the "
           "tourism complaints and scenic area emergencies ÷ all their evaluations (cases "
           "registered in the period and area)."},
)


def count(session: Any, cases: Any) -> tuple[int, int]:
    """(satisfied, all) evaluations of the plugin's cases among ``cases``, in one query."""
    row = session.execute(
        select(func.count().filter(Evaluation.rating.in_(SATISFIED)), func.count())
        .select_from(Evaluation).join(Case, Case.id == Evaluation.case_id)
        .where(Evaluation.case_id.in_(cases), Case.case_type.in_(sorted(rules.CASE_TYPES)))
    ).one()
    return int(row[0]), int(row[1])


INDICATOR = PluginIndicator(DEFINITION, count)
