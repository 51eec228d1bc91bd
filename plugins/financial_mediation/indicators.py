"""Indicators of financial disputes (``onedoor_indicators``), from aggregate SQL over the cases
in the dashboard's scope.

- 金融纠纷调解成功率 (financial mediation success): accepted financial cases settled by
  mediation (they have a resolution time) ÷ accepted financial cases whose mediation has ended:
  settled, failed (调解不成) or sent on to arbitration, litigation or another route.
- 小额快速通道件数 (small claims on the fast track): cases in scope of the fast-track type.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, func, or_, select

from core.toolkit import Case, IndicatorDefinition, PluginIndicator, Referral

from . import rules


def _names(zh_hans: str, zh_hant: str, en: str) -> dict[str, str]:
    return {"zh_Hans": zh_hans, "zh_Hant": zh_hant, "en": en}


SUCCESS = IndicatorDefinition(
    "financial_mediation_success", "ratio",
    _names("金融纠纷调解成功率", "金融糾紛調解成功率", "Financial mediation success"),
    _names("金融纠纷调解成功率 = 经调解化解（有化解时间）的已受理金融纠纷 ÷ 调解已结束的已受理"
           "金融纠纷（已化解、调解不成、导入仲裁诉讼等途径的）。",
           "金融糾紛調解成功率 = 經調解化解（有化解時間）的已受理金融糾紛 ÷ 調解已結束的已受理"
           "金融糾紛（已化解、調解不成、導入仲裁訴訟等途徑的）。",
           "Financial mediation success = accepted financial cases settled by mediation (with "
           "a resolution time) ÷ accepted financial cases whose mediation has ended (settled, "
           "failed, or referred to arbitration, litigation or another route)."))
FAST_TRACK = IndicatorDefinition(
    "financial_small_claims", "count",
    _names("小额快速通道件数", "小額快速通道件數", "Small claims on the fast track"),
    _names("小额快速通道件数 = 范围内按小额金融纠纷快速通道登记的事件数。",
           "小額快速通道件數 = 範圍內按小額金融糾紛快速通道登記的事件數。",
           "Small claims on the fast track = cases in scope registered as small financial "
           "claims on the fast track."))


def success(session: Any, ids: Any) -> tuple[int, int]:
    """(settled by mediation, mediation ended) over the accepted financial cases in ``ids``."""
    referred = exists().where(Referral.case_id == Case.id)
    ended = or_(Case.resolved_at.is_not(None), Case.status == "mediation_failed", referred)
    row = session.execute(
        select(func.count().filter(Case.resolved_at.is_not(None)), func.count())
        .where(Case.id.in_(ids), Case.case_type.in_(sorted(rules.FINANCIAL_TYPES)),
               Case.accepted_at.is_not(None), ended)).one()
    return int(row[0]), int(row[1])


def small_claims(session: Any, ids: Any) -> tuple[int, None]:
    """Cases in ``ids`` registered on the small-claim fast track."""
    count = session.scalar(select(func.count()).where(Case.id.in_(ids),
                                                      Case.case_type == rules.SMALL_CLAIM))
    return int(count or 0), None


INDICATORS = (PluginIndicator(SUCCESS, success), PluginIndicator(FAST_TRACK, small_claims))
