"""The scenic area's domain rules: deadlines, the 90-day rule, risk and routing (no Flask).

Sources. 旅游投诉处理办法 (国家旅游局令第32号, effective 2010-07-01; the body is now 文化和旅游部)
as restated by official guides (reference/domain_rules.md §1.7 — the regulation's own text was
not read, so no article numbers are cited): complaints more than 90 days after the tour
contract ended are not accepted; acceptance is decided within 5 working days; mediation reaches
an agreement within 60 days of acceptance. 旅游法 (2013) Art. 91 obliges governments to run a
tourism complaint office but sets no time limits. The on-site response in minutes is local
practice (seed 004's 景区版 "应急一键响应"), a tenant setting, not law.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.toolkit import (
    DeadlineRule,
    Department,
    IntakeFinding,
    RiskFinding,
    RiskRule,
    RoutingDecision,
    msg,
)

from . import schemas

PLUGIN = "scenic_area"
COMPLAINT = "tourism_complaint"
EMERGENCY = "scenic_emergency"
CASE_TYPES = frozenset({COMPLAINT, EMERGENCY})

#: 旅游投诉处理办法: not accepted when filed more than 90 days after the tour contract ended.
COMPLAINT_PERIOD_DAYS = 90
RULE_90_DAYS = "旅游投诉处理办法（国家旅游局令第32号）：超过旅游合同结束之日90天的不予受理"
SOURCE_GUIDES = "as restated by official guides (reference/domain_rules.md §1.7); article " \
    "numbers not verified"

_ACCEPT_STOPS = frozenset({"accepted", "not_accepted", "withdrawn", "merged"})
_HANDLE_STOPS = frozenset({"resolved", "referred", "closed", "withdrawn", "merged"})
#: The on-site response is met when someone takes the case: accepts, refuses or dispatches it.
_RESPONSE_STOPS = _ACCEPT_STOPS | {"assigned", "resolved", "closed"}


def _names(zh_hans: str, zh_hant: str, en: str) -> dict[str, str]:
    return {"zh_Hans": zh_hans, "zh_Hant": zh_hant, "en": en}


def settings_of(tenant: Any) -> dict[str, Any]:
    """The tenant's validated ``[plugins.scenic_area]`` settings, defaults filled in."""
    derived = getattr(tenant, "derived", None)  # a TenantContext: validated once per snapshot
    if derived is None:
        return _load_settings(tenant)
    return dict(derived(f"{PLUGIN}.settings", lambda: _load_settings(tenant)))


def _load_settings(tenant: Any) -> dict[str, Any]:
    stored = dict((getattr(tenant, "plugins", None) or {}).get(PLUGIN) or {})
    return schemas.ScenicAreaSettings().load(stored)


def deadline_rules(tenant: Any | None) -> list[DeadlineRule]:
    """The response (minutes, a tenant setting), acceptance and mediation rules.

    ``tourism_accept`` and ``tourism_mediation`` replace core's rules of the same names with
    the tenant's ``acceptance_working_days`` and names for the pages; a ``[deadlines]`` override
    still wins over both.
    """
    settings = settings_of(tenant) if tenant is not None else settings_of(None)
    return [
        DeadlineRule(
            "scenic_response", settings["response_minutes"], "minutes", "registered",
            _RESPONSE_STOPS, extend_past_holiday=False,
            source="local practice, no statute: the scenic area's on-site response "
            "(应急一键响应, seed 004), [plugins.scenic_area] response_minutes; runs through "
            "nights and holidays",
            names=_names("景区现场响应时限", "景區現場響應時限", "Scenic area on-site response")),
        DeadlineRule(
            "tourism_accept", settings["acceptance_working_days"], "working_days",
            "registered", _ACCEPT_STOPS,
            source="旅游投诉处理办法 (国家旅游局令第32号): decide acceptance within 5 working "
            f"days of receipt ({SOURCE_GUIDES})",
            names=_names("旅游投诉受理期限", "旅遊投訴受理期限", "Tourism complaint acceptance")),
        DeadlineRule(
            "tourism_mediation", 60, "days", "accepted", _HANDLE_STOPS,
            source="旅游投诉处理办法 (国家旅游局令第32号): mediation agreement within 60 days "
            f"of acceptance, else a termination document ({SOURCE_GUIDES})",
            names=_names("旅游投诉调解期限", "旅遊投訴調解期限", "Tourism complaint mediation")),
    ]


def local_date(moment: datetime, tenant: Any) -> date:
    """The calendar date of ``moment`` where the tenant is (the 90 days are calendar days)."""
    try:
        zone = ZoneInfo(getattr(tenant, "timezone", None) or "Asia/Shanghai")
    except (KeyError, ValueError):
        zone = ZoneInfo("Asia/Shanghai")
    return moment.astimezone(zone).date()


def last_day_to_complain(tour_end: date) -> date:
    """The last day a complaint about a tour that ended on ``tour_end`` is accepted."""
    return tour_end + timedelta(days=COMPLAINT_PERIOD_DAYS)


def check_intake(tenant: Any, case_type: Any, data: dict[str, Any], now: datetime
                 ) -> list[IntakeFinding]:
    """The statutory and configuration checks of the plugin's case types at intake.

    - a tourism complaint more than 90 days after the tour contract ended: refused (blocking);
    - a tourism complaint without the end of the tour: registered with a warning that the
      90-day rule could not be checked (a visitor scanning a spot's QR code is still there);
    - a scenic spot the tenant does not list (when it lists any): refused naming the spot.
    """
    if case_type.code not in CASE_TYPES:
        return []
    details = data.get("details") or {}
    findings: list[IntakeFinding] = []
    spots = settings_of(tenant)["scenic_spots"]
    if spots and details.get("scenic_spot") not in spots:
        findings.append(IntakeFinding(
            "details.scenic_spot",
            msg("%(spot)s is not one of this center's scenic spots (%(spots)s)",
                spot=details.get("scenic_spot", ""), spots="、".join(spots)),
            blocking=True, rule="[plugins.scenic_area] scenic_spots"))
    if case_type.code != COMPLAINT:
        return findings
    tour_end = details.get("tour_end_date")
    if isinstance(tour_end, str):
        tour_end = date.fromisoformat(tour_end)
    if tour_end is None:
        findings.append(IntakeFinding(
            "details.tour_end_date",
            msg("no end date of the tour was given, so the 90-day limit for tourism "
                "complaints could not be checked"),
            rule=RULE_90_DAYS))
    elif local_date(now, tenant) > last_day_to_complain(tour_end):
        findings.append(IntakeFinding(
            "details.tour_end_date",
            msg("a tourism complaint is not accepted more than 90 days after the tour "
                "contract ended (the tour ended on %(ended)s, the last day was %(last)s)",
                ended=tour_end.isoformat(), last=last_day_to_complain(tour_end).isoformat()),
            blocking=True, rule=RULE_90_DAYS))
    return findings


# --- risk -------------------------------------------------------------------------------------


def _emergency(facts: Any) -> RiskFinding | None:
    if facts.case_type != EMERGENCY:
        return None
    return RiskFinding("red", "scenic_emergency", _names(
        "景区应急一键响应：立即通报公安、文旅和执法联络人",
        "景區應急一鍵響應：立即通報公安、文旅和執法聯絡人",
        "Scenic area emergency: police, culture-and-tourism and enforcement liaisons are "
        "alerted at once"))


def _joint_complaint(facts: Any) -> RiskFinding | None:
    if facts.case_type != COMPLAINT:
        return None
    complainants = int((facts.details or {}).get("complainants") or 1)
    if complainants < schemas.JOINT_COMPLAINANTS:
        return None
    return RiskFinding("yellow", "tourism_joint_complaint", _names(
        f"旅游共同投诉：{complainants}名投诉人", f"旅遊共同投訴：{complainants}名投訴人",
        f"Joint tourism complaint of {complainants} complainants"))


RISK_RULES = [RiskRule("scenic_emergency", _emergency),
              RiskRule("tourism_joint_complaint", _joint_complaint)]


# --- routing ----------------------------------------------------------------------------------


def existing_departments(session: Any, codes: list[str]) -> list[str]:
    """Those of ``codes`` that are departments of the session's tenant, in order."""
    found = set(session.scalars(select(Department.code).where(Department.code.in_(codes))))
    return [code for code in codes if code in found]


def route(tenant: Any, case: Any, session: Any) -> RoutingDecision | None:
    """Emergencies go to the liaisons (the first leads); complaints to the tourism bureau.

    Only departments the tenant has are named; without them the dispatch catalog decides.
    """
    if case.case_type == EMERGENCY:
        liaisons = existing_departments(session, settings_of(tenant)["emergency_liaisons"])
        if liaisons:
            return RoutingDecision(liaisons[0], tuple(liaisons[1:]),
                                   "scenic_area: emergency liaisons")
    if case.case_type == COMPLAINT:
        bureau = existing_departments(session, ["scenic_area_tourism_bureau"])
        if bureau:
            return RoutingDecision(bureau[0], (), "scenic_area: tourism complaint office "
                                   "(旅游法 Art. 91)")
    return None
