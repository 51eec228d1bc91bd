"""Risk rules of labor disputes (风险研判), pure functions of :class:`core.toolkit.RiskFacts`.

- ``labor_group_workers``: ten or more workers with a common claim (Art. 7) — orange; from the
  tenant's red group threshold (``[risk] group_red_threshold``, 50 by default) — red.
- ``labor_spring_festival_arrears``: unpaid wages registered in the weeks before the Spring
  Festival, when migrant workers must be paid to go home (年关讨薪; the national 根治欠薪冬季
  专项行动 runs from mid-November to the festival): orange, yellow for a single worker, within
  :data:`SPRING_FESTIVAL_WINDOW_DAYS` of the festival — local practice, no statute.
"""

from __future__ import annotations

from core.toolkit import RiskFacts, RiskFinding, RiskRule

from . import rules
from .checks import LABOR_TYPES


def _reason(hans: str, hant: str, en: str) -> dict[str, str]:
    return {"zh_Hans": hans, "zh_Hant": hant, "en": en}


def _group_workers(facts: RiskFacts) -> RiskFinding | None:
    """Ten or more workers: a group labor dispute."""
    if facts.case_type not in LABOR_TYPES:
        return None
    workers = int(facts.details.get("workers") or 1)
    red = int(facts.config.get("group_red_threshold") or 50)
    if workers >= red:
        return RiskFinding("red", "labor_group_workers", _reason(
            f"群体性劳动争议：{workers}名劳动者（达到{red}人）",
            f"群體性勞動爭議：{workers}名勞動者（達到{red}人）",
            f"group labor dispute: {workers} workers (threshold {red})"))
    if workers >= rules.GROUP_WORKERS:
        return RiskFinding("orange", "labor_group_workers", _reason(
            f"群体性劳动争议：{workers}名劳动者（十人以上，劳动争议调解仲裁法第七条）",
            f"群體性勞動爭議：{workers}名勞動者（十人以上，勞動爭議調解仲裁法第七條）",
            f"group labor dispute: {workers} workers (ten or more, Art. 7)"))
    return None


#: How long before the Spring Festival unpaid wages weigh more (about mid-November on).
SPRING_FESTIVAL_WINDOW_DAYS = 90


def _spring_festival_arrears(facts: RiskFacts) -> RiskFinding | None:
    """Unpaid wages registered in the weeks before the Spring Festival."""
    if facts.case_type not in LABOR_TYPES or facts.registered_at is None:
        return None
    if "wage_arrears" not in (facts.details.get("claim_types") or []):
        return None
    days = rules.days_before_spring_festival(rules.local_date(facts.registered_at,
                                                              "Asia/Shanghai"))
    if days is None or days > SPRING_FESTIVAL_WINDOW_DAYS:
        return None
    workers = int(facts.details.get("workers") or 1)
    level = "orange" if workers > 1 else "yellow"
    return RiskFinding(level, "labor_spring_festival_arrears", _reason(
        f"春节前{days}天的欠薪纠纷（{workers}名劳动者）",
        f"春節前{days}天的欠薪糾紛（{workers}名勞動者）",
        f"unpaid wages {days} days before the Spring Festival ({workers} workers)"))


RULES = (RiskRule("labor_group_workers", _group_workers),
         RiskRule("labor_spring_festival_arrears", _spring_festival_arrears))
