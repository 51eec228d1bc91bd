"""The maritime plugin's domain rules: deadlines, positions at sea, risk and routing (no Flask).

Sources. There is no statute fixing a time limit for fishery dispute mediation: 人民调解法 sets
none, and the 30 days used here are the common local practice (cf. 特邀调解规定 法释〔2016〕14号
Art. 27, 30 days for delegated mediation), which a tenant overrides with
``[deadlines.fishery_dispute_mediation]``. Crew wage and contract claims are labour disputes:
mediation ends after 15 days of the application (劳动争议调解仲裁法 Art. 14), after which the
crew member may go to arbitration. Maritime commercial mediation has no statutory limit either
(30 days, local practice).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

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

PLUGIN = "maritime"
FISHERY = "fishery_dispute"
CREW = "crew_rights"
COMMERCIAL = "maritime_commercial"
CASE_TYPES = frozenset({FISHERY, CREW, COMMERCIAL})

_HANDLE_STOPS = frozenset({"resolved", "referred", "closed", "withdrawn", "merged"})


def _names(zh_hans: str, zh_hant: str, en: str) -> dict[str, str]:
    return {"zh_Hans": zh_hans, "zh_Hant": zh_hant, "en": en}


def settings_of(tenant: Any) -> dict[str, Any]:
    """The tenant's validated ``[plugins.maritime]`` settings, defaults filled in."""
    derived = getattr(tenant, "derived", None)  # a TenantContext: validated once per snapshot
    if derived is None:
        return _load_settings(tenant)
    return dict(derived(f"{PLUGIN}.settings", lambda: _load_settings(tenant)))


def _load_settings(tenant: Any) -> dict[str, Any]:
    stored = dict((getattr(tenant, "plugins", None) or {}).get(PLUGIN) or {})
    return schemas.MaritimeSettings().load(stored)


DEADLINE_RULES = [
    DeadlineRule(
        "fishery_dispute_mediation", 30, "days", "accepted", _HANDLE_STOPS,
        source="no statute (人民调解法 sets no limit): common local practice of 30 days, cf. "
        "特邀调解规定 (法释〔2016〕14号) Art. 27; tenants override it in [deadlines]",
        names=_names("渔事纠纷调解期限", "漁事糾紛調解期限", "Fishery dispute mediation")),
    DeadlineRule(
        "crew_rights_mediation", 15, "days", "accepted", _HANDLE_STOPS,
        source="劳动争议调解仲裁法 Art. 14: no agreement within 15 days of the mediation "
        "application → the crew member may apply for arbitration",
        names=_names("船员权益调解期限", "船員權益調解期限", "Crew rights mediation")),
    DeadlineRule(
        "maritime_commercial_mediation", 30, "days", "accepted", _HANDLE_STOPS,
        source="no statute: local practice of 30 days for commercial mediation, cf. "
        "特邀调解规定 (法释〔2016〕14号) Art. 27",
        names=_names("海事商事调解期限", "海事商事調解期限", "Maritime commercial mediation")),
]


def inside(settings: dict[str, Any], latitude: float, longitude: float) -> bool:
    """True when the position lies in the tenant's sea area box (edges included)."""
    return (settings["sea_south"] <= latitude <= settings["sea_north"]
            and settings["sea_west"] <= longitude <= settings["sea_east"])


def check_intake(tenant: Any, case_type: Any, data: dict[str, Any], now: datetime
                 ) -> list[IntakeFinding]:
    """Positions of the plugin's cases: both coordinates or none (refused); a dispute at sea
    without one, or one outside the tenant's sea area, is registered with a warning."""
    if case_type.code not in CASE_TYPES:
        return []
    latitude, longitude = data.get("latitude"), data.get("longitude")
    if (latitude is None) != (longitude is None):
        missing = "longitude" if longitude is None else "latitude"
        return [IntakeFinding(missing, msg("give both latitude and longitude of the position"),
                              blocking=True)]
    details = data.get("details") or {}
    if latitude is None:
        if case_type.code == FISHERY and details.get("at_sea", True):
            # A warning, not a refusal: the dispute is real even when the fisher cannot say
            # where exactly.
            return [IntakeFinding("latitude", msg(
                "a fishery dispute at sea should give the position (latitude and longitude) "
                "where it happened; none was given"))]
        return []
    settings = settings_of(tenant)
    if not inside(settings, float(latitude), float(longitude)):
        return [IntakeFinding("latitude", msg(
            "the position %(lat)s, %(lon)s lies outside this center's sea area (latitude "
            "%(south)s to %(north)s, longitude %(west)s to %(east)s)",
            lat=str(latitude), lon=str(longitude), south=settings["sea_south"],
            north=settings["sea_north"], west=settings["sea_west"], east=settings["sea_east"]),
            rule="[plugins.maritime] sea_south, sea_north, sea_west, sea_east")]
    return []


# --- risk -------------------------------------------------------------------------------------


def _collision(facts: Any) -> RiskFinding | None:
    if facts.case_type != FISHERY or (facts.details or {}).get("kind") != "collision":
        return None
    return RiskFinding("orange", "fishery_collision", _names(
        "渔船碰撞：可能涉及人身伤亡和海上安全，需海事、海警联动",
        "漁船碰撞：可能涉及人身傷亡和海上安全，需海事、海警聯動",
        "Vessel collision: injuries and safety at sea may be at stake; maritime safety and "
        "the coast guard should join"))


def _crew_group(facts: Any) -> RiskFinding | None:
    if facts.case_type != CREW:
        return None
    crew = int((facts.details or {}).get("crew") or 1)
    if crew < 10:
        return None
    return RiskFinding("orange", "crew_group_claim", _names(
        f"群体性船员权益诉求：{crew}名船员", f"群體性船員權益訴求：{crew}名船員",
        f"Group claim of {crew} crew members"))


RISK_RULES = [RiskRule("fishery_collision", _collision),
              RiskRule("crew_group_claim", _crew_group)]


# --- routing ----------------------------------------------------------------------------------


def _existing(session: Any, codes: list[str]) -> list[str]:
    found = set(session.scalars(select(Department.code).where(Department.code.in_(codes))))
    return [code for code in codes if code in found]


def route(tenant: Any, case: Any, session: Any) -> RoutingDecision | None:
    """Fishery disputes to the fishery dispute mediation committee when the tenant uses it.

    A collision also asks the maritime safety administration and the coast guard. Crew and
    commercial cases, and fishery disputes of a tenant with ``fishery_mediation = false``,
    are left to the dispatch catalog. Only the tenant's own departments are named.
    """
    if case.case_type != FISHERY or not settings_of(tenant)["fishery_mediation"]:
        return None
    if not _existing(session, ["maritime_fishery_mediation"]):
        return None
    assisting = []
    if (case.details or {}).get("kind") == "collision":
        assisting = _existing(session, ["maritime_safety_administration",
                                        "maritime_coast_guard"])
    return RoutingDecision("maritime_fishery_mediation", tuple(assisting),
                           "maritime: fishery_mediation = true")
