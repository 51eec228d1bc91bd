"""Statutory checks of a labor case at intake (``onedoor_check_intake``).

Nothing here refuses a case for its limitation: the year of Art. 27 can be interrupted and
suspended, which only the arbitrators can weigh, so a claim past it (or close to it) is
registered with the warning recorded. A day of infringement after the intake itself is
impossible and refused.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from core.toolkit import IntakeFinding, msg

from . import rules
from .schemas import as_date

#: The plugin's case types that carry labor details.
LABOR_TYPES = frozenset({"labor_dispute", "labor_arbitration_application", "labor_gig_dispute"})
#: The labor inspection case a labor dispute opens (监察仲裁联动); no labor-dispute checks apply.
INSPECTION_TYPE = "labor_inspection"


def check(settings: dict[str, Any], timezone: str, case_type: str, data: dict[str, Any],
          now: datetime) -> list[IntakeFinding]:
    """Findings for a case of ``case_type`` with validated intake ``data`` at ``now``."""
    if case_type not in LABOR_TYPES:
        return []
    details = data.get("details") or {}
    today = rules.local_date(now, timezone)
    findings: list[IntakeFinding] = []
    infringed = as_date(details.get("rights_infringed_on"))
    ended = as_date(details.get("employment_ended_on"))
    if infringed is not None and infringed > today:
        findings.append(IntakeFinding(
            "details.rights_infringed_on",
            msg("The day of the infringement cannot be after today (%(today)s).",
                today=today.isoformat()), blocking=True, rule=rules.ART_27))
    if ended is not None and ended > today:
        findings.append(IntakeFinding(
            "details.employment_ended_on",
            msg("The day the employment ended cannot be after today (%(today)s)."
                , today=today.isoformat()), blocking=True, rule=rules.ART_27))
    if any(f.blocking for f in findings):
        return findings
    findings.extend(_limitation(settings, details, infringed, ended, today))
    workers = int(details.get("workers") or 1)
    if workers >= rules.GROUP_WORKERS and not details.get("representatives"):
        findings.append(IntakeFinding(
            "details.representatives",
            msg("%(workers)s workers with a common claim may elect representatives; none are "
                "named (group case, %(rule)s).", workers=workers, rule=rules.ART_7),
            rule=rules.ART_7))
    award = rules.final_award(details.get("claim_types") or [], data.get("amount"),
                              settings.get("minimum_wage"))
    if award.eligible:
        findings.append(IntakeFinding(
            "details.claim_types", _final_award_message(award), rule=rules.ART_47))
    return findings


def _limitation(settings: dict[str, Any], details: dict[str, Any], infringed: date | None,
                ended: date | None, today: date) -> list[IntakeFinding]:
    ends = rules.limitation_ends(infringed, details.get("claim_types") or [], ended) \
        if infringed is not None else None
    if ends is None:
        return []
    field = ("details.employment_ended_on" if set(details.get("claim_types") or [])
             == {"wage_arrears"} else "details.rights_infringed_on")
    if today > ends:
        return [IntakeFinding(field, msg(
            "The one-year limitation for arbitration ended on %(date)s (%(rule)s); the case is "
            "registered because the limitation may have been interrupted or suspended — record "
            "why.", date=ends.isoformat(), rule=rules.ART_27), rule=rules.ART_27)]
    left = (ends - today).days
    if left <= int(settings.get("limitation_warning_days") or 0):
        return [IntakeFinding(field, msg(
            "The one-year limitation for arbitration ends on %(date)s, in %(days)s days "
            "(%(rule)s).", date=ends.isoformat(), days=left, rule=rules.ART_27),
            rule=rules.ART_27)]
    return []


def _final_award_message(award: rules.FinalAward) -> str:
    if award.item == "2":
        return msg("An award on these claims is final (终局裁决) as a labor-standard dispute "
                   "(%(rule)s item 2).", rule=rules.ART_47)
    limit = f"{Decimal(award.limit or 0):,.0f}"
    return msg("An award on these claims is final (终局裁决): the amount is within 12 months of "
               "the local minimum wage, %(limit)s yuan (%(rule)s item 1).", limit=limit,
               rule=rules.ART_47)
