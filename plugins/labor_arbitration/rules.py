"""The statutory rules of labor disputes, as pure functions (no Flask, no database).

Sources: 劳动争议调解仲裁法 (2007-12-29, in force 2008-05-01), text in
``reference/law_labor_dispute_mediation_arbitration.md``:

- Art. 7: ten or more workers with a common claim may elect representatives (group case).
- Art. 14 para. 3: no mediation agreement within 15 days of the mediation body receiving the
  application → a party may apply for arbitration.
- Art. 27: one-year limitation from the day the party knew or should have known of the
  infringement; interrupted (para. 2) or suspended (para. 3) — so intake can only warn; unpaid
  wages during the employment are not limited, after its end the year runs from the end
  (para. 4).
- Art. 28: the application names the employer (用人单位的名称、住所和法定代表人).
- Art. 29: the commission decides acceptance within 5 days of receipt.
- Art. 43: award within 45 days of acceptance, extendable by at most 15 days with the
  commission chair's (主任) approval.
- Art. 47: final awards (终局裁决): (1) claims for remuneration, work-injury medical costs,
  severance or damages up to 12 months of the local monthly minimum wage; (2) disputes over
  national labor standards (working hours, rest and leave, social insurance).
- Art. 5 and Art. 50: labor disputes go to arbitration before the courts (仲裁前置).

And 劳动保障监察条例 (国务院令第423号, 2004), for the labor inspection case a dispute opens
(监察仲裁联动):

- Art. 17: the investigation is completed within 60 working days of the case being opened
  (立案); a complex one may be extended by 30 working days with the approval of the head of the
  labor administration.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from core.toolkit import DeadlineRule

LAW = "劳动争议调解仲裁法"
ART_5 = f"{LAW} 第五条"
ART_7 = f"{LAW} 第七条"
ART_14 = f"{LAW} 第十四条"
ART_27 = f"{LAW} 第二十七条"
ART_28 = f"{LAW} 第二十八条"
ART_29 = f"{LAW} 第二十九条"
ART_43 = f"{LAW} 第四十三条"
ART_47 = f"{LAW} 第四十七条"
INSPECTION_LAW = "劳动保障监察条例（国务院令第423号）"
INSPECTION_ART_17 = f"{INSPECTION_LAW}第十七条"

#: Workers from which a dispute is a group case with representatives (Art. 7).
GROUP_WORKERS = 10
#: Months of the local minimum wage up to which a money claim gets a final award (Art. 47).
FINAL_AWARD_MONTHS = 12
#: Claims that Art. 47 (1) makes final up to the amount limit.
MONEY_CLAIMS = frozenset({"wage_arrears", "work_injury", "compensation"})
#: Claims that Art. 47 (2) makes final whatever the amount (national labor standards).
STANDARD_CLAIMS = frozenset({"working_hours", "social_insurance"})

_HANDLE_STOPS = frozenset({"resolved", "referred", "closed", "withdrawn", "merged"})
_ACCEPT_STOPS = frozenset({"accepted", "not_accepted", "withdrawn", "merged"})


def _names(zh_hans: str, zh_hant: str, en: str) -> dict[str, str]:
    return {"zh_Hans": zh_hans, "zh_Hant": zh_hant, "en": en}


#: The plugin's clocks. Calendar days (日), moved to the next working day when the last day is
#: a holiday, as the civil procedure's rule for periods does (the tenant calendar decides);
#: the inspection period counts working days, as its regulation says.
DEADLINE_RULES = (
    DeadlineRule(
        "labor_arbitration_mediation", 15, "days", "registered", _HANDLE_STOPS,
        source=f"{ART_14}第三款：自劳动争议调解组织收到调解申请之日起十五日内未达成调解协议的，"
        "当事人可以依法申请仲裁",
        names=_names("劳动争议调解期限", "勞動爭議調解期限", "Labor dispute mediation period")),
    DeadlineRule(
        "labor_arbitration_acceptance", 5, "days", "registered", _ACCEPT_STOPS,
        source=f"{ART_29}：仲裁委员会收到仲裁申请之日起五日内决定是否受理",
        names=_names("仲裁受理审查期限", "仲裁受理審查期限", "Arbitration acceptance decision")),
    DeadlineRule(
        "labor_arbitration_award_period", 45, "days", "accepted", _HANDLE_STOPS,
        source=f"{ART_43}：自受理仲裁申请之日起四十五日内结束；案情复杂需要延期的，"
        "经仲裁委员会主任批准可以延期，延长期限不得超过十五日",
        names=_names("仲裁裁决期限", "仲裁裁決期限", "Arbitration award period"),
        max_extension=15),
    # Working days (工作日) by the tenant calendar: 调休 Saturdays count, holidays do not.
    DeadlineRule(
        "labor_arbitration_inspection_period", 60, "working_days", "registered",
        _HANDLE_STOPS | {"not_accepted"},
        source=f"{INSPECTION_ART_17}：劳动保障行政部门对违反劳动保障法律、法规或者规章的行为的调查，"
        "应当自立案之日起60个工作日内完成；对情况复杂的，经劳动保障行政部门负责人批准，"
        "可以延长30个工作日",
        names=_names("劳动保障监察调查期限", "勞動保障監察調查期限",
                     "Labor inspection investigation period"),
        max_extension=30),
)


def limitation_ends(rights_infringed_on: date, claim_types: Iterable[str],
                    employment_ended_on: date | None) -> date | None:
    """The last day of the one-year limitation (Art. 27), or None when it does not run.

    A claim of unpaid wages alone while the employment lasts is not limited (para. 4); after the
    employment ended, its year runs from the end. Other claims run from ``rights_infringed_on``.
    A year later is the same calendar day (29 February → 28 February).
    """
    claims = set(claim_types)
    if claims == {"wage_arrears"}:
        if employment_ended_on is None:
            return None
        start = employment_ended_on
    else:
        start = rights_infringed_on
    try:
        return start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        return start.replace(year=start.year + 1, day=28)


def local_date(moment: datetime, timezone: str) -> date:
    """The calendar day of ``moment`` where the tenant is."""
    return moment.astimezone(ZoneInfo(timezone or "Asia/Shanghai")).date()


@dataclass(frozen=True)
class FinalAward:
    """Whether an award on these claims would be final (Art. 47), and which item applies."""

    eligible: bool
    item: str = ""  # "1" (money up to the limit) or "2" (labor standards)
    limit: Decimal | None = None


def final_award(claim_types: Iterable[str], amount: Decimal | None,
                minimum_wage: int | None) -> FinalAward:
    """Art. 47: item 2 for labor-standard claims only; item 1 for money claims up to 12 months
    of the local minimum wage (unknown without the tenant's ``minimum_wage`` or an amount)."""
    claims = set(claim_types)
    if claims and claims <= STANDARD_CLAIMS:
        return FinalAward(True, "2")
    if not claims or not claims <= MONEY_CLAIMS | STANDARD_CLAIMS or minimum_wage is None:
        return FinalAward(False)
    limit = Decimal(minimum_wage) * FINAL_AWARD_MONTHS
    if amount is None or Decimal(amount) > limit:
        return FinalAward(False, limit=limit)
    return FinalAward(True, "1", limit)


#: 农历正月初一 (Lunar New Year's Day), from the published Chinese calendar.
SPRING_FESTIVAL = {
    2024: date(2024, 2, 10), 2025: date(2025, 1, 29), 2026: date(2026, 2, 17),
    2027: date(2027, 2, 6), 2028: date(2028, 1, 26), 2029: date(2029, 2, 13),
    2030: date(2030, 2, 3), 2031: date(2031, 1, 23), 2032: date(2032, 2, 11),
    2033: date(2033, 1, 31), 2034: date(2034, 2, 19), 2035: date(2035, 2, 8),
}


def days_before_spring_festival(day: date) -> int | None:
    """Days from ``day`` to the next Spring Festival (0 on the day), None outside the table."""
    for year in (day.year, day.year + 1):
        festival = SPRING_FESTIVAL.get(year)
        if festival is not None and festival >= day:
            return (festival - day).days
    return None


def normalized_employer(name: str) -> str:
    """The employer's name as similar cases are grouped by: no spaces or brackets' variants."""
    table = str.maketrans({"（": "(", "）": ")", " ": None, "\u3000": None})
    return name.translate(table).strip().lower()
