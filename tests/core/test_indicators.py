"""Indicators from cases built through the real case service, with exact expected figures.

The world: tenant haizhou with city C / county D1 / towns T1, T2 / village V1 (under T1), and
ten cases of known fate, A to J, all registered on NOW (see :func:`story`); tenant "other"
has its own resolved cases that must never count. Two cases a year earlier give year on year.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core import cases, indicators
from core.db import Database
from core.models import Tenant
from core.pii import Vault
from core.plugins import PluginRegistry
from core.tenancy import TenantDirectory
from core.tiers import NodeRow
from core.workflow import ALL_STAFF, Actor
from tests.factories import make_tenant

NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # a Monday, 10:00 in Shanghai
H = timedelta(hours=1)
VAULT = Vault("test-secret-for-pii-0123456789")
STAFF = Actor("staff", ALL_STAFF)
LEVELS = ("city", "county", "town", "village")
NODES = [
    NodeRow("C", "city", "连云港市"),
    NodeRow("D1", "county", "海州区", parent="C"),
    NodeRow("T1", "town", "新南街道", parent="D1"),
    NodeRow("V1", "village", "东风社区", parent="T1"),
    NodeRow("T2", "town", "朐阳街道", parent="D1"),
]
PERIOD = {"start": NOW - timedelta(days=1), "end": NOW + timedelta(days=1)}


class Story:
    """Drives cases through the service, one transaction per step, at chosen moments."""

    def __init__(self, database: Database, tenant) -> None:
        self.database, self.tenant = database, tenant

    def register(self, at: datetime = NOW, node: str = "V1", **overrides) -> str:
        data = {
            "case_type": "general_dispute", "category": "neighbor", "channel": "walk_in",
            "title": "楼上漏水引发邻里纠纷", "location_node": node,
            "parties": [{"role": "applicant", "name": "张三"}],
        }
        data.update(overrides)
        with self.database.transaction(self.tenant.id) as session:
            return cases.register(session, self.tenant, data, STAFF, vault=VAULT,
                                  now=at).case.code

    def move(self, code: str, name: str, at: datetime, **payload) -> None:
        with self.database.transaction(self.tenant.id) as session:
            cases.transition(session, self.tenant, code, name, STAFF, payload, now=at)

    def attempt(self, code: str, result: str, at: datetime, mediator: str = "王调解",
                leader: bool = False) -> None:
        with self.database.transaction(self.tenant.id) as session:
            cases.record_attempt(session, self.tenant, code, STAFF, {
                "mediator": mediator, "result": result, "leader_involved": leader,
                "leader_name": "刘书记" if leader else ""}, now=at)

    def evaluate(self, code: str, rating: str, at: datetime) -> None:
        with self.database.transaction(self.tenant.id) as session:
            cases.evaluate(session, self.tenant, code, STAFF,
                           {"rating": rating, "channel": "callback"}, now=at)

    def to_mediation(self, code: str, at: datetime, accept: bool = True) -> None:
        if accept:
            self.move(code, "accept", at)
        self.move(code, "assign", at + H / 4, department="court")
        self.move(code, "start_mediation", at + H / 2)


def story(database: Database, tenant) -> dict[str, str]:
    """The ten cases of haizhou; returns their codes by letter."""
    s = Story(database, tenant)
    codes = {}
    # A: mediated once at the village, resolved after 10 h, closed, satisfied.
    codes["A"] = a = s.register()
    s.to_mediation(a, NOW + H)
    s.attempt(a, "succeeded", NOW + 9 * H)
    s.move(a, "resolve", NOW + 10 * H, outcome="和解")
    s.move(a, "close", NOW + 11 * H)
    s.evaluate(a, "satisfied", NOW + 12 * H)
    # B: up the ladder to the town T1, resolved there after 30 h; basically satisfied.
    codes["B"] = b = s.register()
    s.to_mediation(b, NOW + H)
    s.attempt(b, "failed", NOW + 2 * H)
    s.move(b, "escalate", NOW + 3 * H, reason="调解员未能化解")
    s.move(b, "assign", NOW + 4 * H, department="court")
    s.move(b, "start_mediation", NOW + 5 * H)
    s.attempt(b, "failed", NOW + 6 * H)
    s.attempt(b, "failed", NOW + 7 * H, leader=True)
    s.move(b, "escalate", NOW + 8 * H, reason="调委会未能化解")
    s.move(b, "assign", NOW + 9 * H, department="court")
    s.move(b, "start_mediation", NOW + 10 * H)
    s.attempt(b, "succeeded", NOW + 29 * H)
    s.move(b, "resolve", NOW + 30 * H, outcome="调解协议")
    s.move(b, "close", NOW + 31 * H)
    s.evaluate(b, "basically_satisfied", NOW + 32 * H)
    # C: mediation failed, went to court, closed, unsatisfied, reopened: back in mediation.
    codes["C"] = c = s.register()
    s.to_mediation(c, NOW + H)
    s.attempt(c, "failed", NOW + 2 * H)
    s.move(c, "fail_mediation", NOW + 3 * H, reason="双方分歧大")
    s.move(c, "refer", NOW + 4 * H, route="litigation", institution="海州区人民法院")
    s.move(c, "close", NOW + 5 * H)
    s.evaluate(c, "unsatisfied", NOW + 6 * H)
    s.move(c, "reopen", NOW + 7 * H, reason="判决后仍有争议")
    s.to_mediation(c, NOW + 8 * H, accept=False)
    # D: referred to litigation straight from mediation, still with the court.
    codes["D"] = d = s.register()
    s.to_mediation(d, NOW + H)
    s.move(d, "refer", NOW + 2 * H, route="litigation")
    # E: not accepted (statutory route told), closed, satisfied with the explanation.
    codes["E"] = e = s.register()
    s.move(e, "reject", NOW + H, reason="属于劳动争议", statutory_route="劳动仲裁")
    s.move(e, "close", NOW + 2 * H)
    s.evaluate(e, "satisfied", NOW + 3 * H)
    # F: withdrawn before acceptance.
    codes["F"] = f = s.register()
    s.move(f, "withdraw", NOW + H, reason="当事人撤回")
    # G: at town T2; the department returned it (退单), dispatched again, resolved after 50 h.
    codes["G"] = g = s.register(node="T2", channel="online")
    s.move(g, "accept", NOW + H)
    s.move(g, "assign", NOW + 2 * H, department="court")
    s.move(g, "return", NOW + 3 * H, reason="不属本单位职责")
    s.move(g, "assign", NOW + 4 * H, department="court")
    s.move(g, "start_mediation", NOW + 5 * H)
    s.move(g, "resolve", NOW + 50 * H, outcome="和解")
    # H: a contract dispute at the county, accepted days late, resolved there after 124 h.
    codes["H"] = h = s.register(node="D1", category="contract")
    s.to_mediation(h, NOW + 120 * H)
    s.attempt(h, "succeeded", NOW + 123 * H, mediator="李调解")
    s.move(h, "resolve", NOW + 124 * H, outcome="和解")
    s.move(h, "close", NOW + 125 * H)
    # I: a duplicate of A, merged; J: registered, not yet decided.
    codes["I"] = i = s.register()
    s.move(i, "merge", NOW + H, into=a)
    codes["J"] = s.register()
    # A year earlier: two cases (one of them merged away) for year on year.
    earlier = NOW - timedelta(days=365)
    s.register(at=earlier)
    dup = s.register(at=earlier)
    s.move(dup, "merge", earlier + H, into=codes["J"])
    return codes


@pytest.fixture
def world(database: Database, registry: PluginRegistry):
    tenant_id = make_tenant(database, "haizhou", levels=LEVELS, nodes=NODES)
    other_id = make_tenant(database, "other", levels=LEVELS, nodes=NODES)
    directory = TenantDirectory(database, registry)
    tenant, other = directory.get("haizhou"), directory.get("other")
    codes = story(database, tenant)
    # The other tenant resolves three cases quickly at the village: they must never count.
    s = Story(database, other)
    for _ in range(3):
        code = s.register()
        s.to_mediation(code, NOW + H)
        s.attempt(code, "succeeded", NOW + 2 * H)
        s.move(code, "resolve", NOW + 3 * H, outcome="和解")
        s.move(code, "close", NOW + 4 * H)
        s.evaluate(code, "unsatisfied", NOW + 5 * H)
    return database, directory, tenant, other, codes, (tenant_id, other_id)


def compute(database, tenant, **kwargs):
    with database.transaction(tenant.id) as session:
        return indicators.compute(session, tenant, **kwargs)


def figures(report) -> dict[str, tuple]:
    """(numerator, denominator) of every figure; hours rounded to the microsecond."""
    def exact(x):
        return round(x, 6) if isinstance(x, float) else x
    return {code: (exact(f.numerator), exact(f.denominator))
            for code, f in report.figures.items()}


EXPECTED = {
    "intake": (9, None),  # A–H and J; I is a merged duplicate
    "accepted": (6, None),  # A B C D G H; E not accepted, F withdrawn, J undecided
    "resolution_rate": (4, 6),  # A B G H
    "mediation_success": (3, 4),  # mediated: A B C H; succeeded: A B H
    "completion_rate": (3, 6),  # A B H (C was reopened, D is with the court)
    "on_time_rate": (2, 3),  # H was accepted days after its 1-working-day clock
    "satisfaction_rate": (3, 4),  # A satisfied, B basically, C unsatisfied, E satisfied
    "first_time_resolution": (2, 4),  # A H; B escalated, G returned and dispatched again
    "frontline_share": (3, 4),  # A (V1), B (T1), G (T2) at town level or below; H at D1
    "funnel_resolved": (4, 6),
    "funnel_unresolved": (2, 6),  # C D
    "funnel_litigated": (2, 2),  # C D went to court
    "funnel_unresolved_after_litigation": (1, 2),  # C came back (reopened)
    "avg_hours_to_resolve": (10 + 30 + 50 + 124, 4),
    "median_hours_to_resolve": (None, 4),
    "intake_yoy": (9 - 1, 1),  # a year earlier: one case (its duplicate merged)
}


def test_every_indicator_has_exact_figures(world) -> None:
    database, _, tenant, *_ = world
    report = compute(database, tenant, **PERIOD)
    assert figures(report) == EXPECTED
    assert report["resolution_rate"].value == pytest.approx(4 / 6)
    assert report["avg_hours_to_resolve"].value == pytest.approx(214 / 4)
    assert report["median_hours_to_resolve"].value == pytest.approx((30 + 50) / 2)
    assert report["intake_yoy"].value == pytest.approx(8.0)
    assert report.satisfaction_counts == "satisfied_and_basic"
    assert report.frontline_level == "town"  # the third of city / county / town / village
    assert set(report.figures) == set(indicators.DEFINITIONS)


def test_without_a_period_every_case_counts_and_year_on_year_is_undefined(world) -> None:
    database, _, tenant, *_ = world
    report = compute(database, tenant)
    assert report["intake"].value == 9 + 1
    assert report["intake_yoy"] == indicators.Figure("intake_yoy", None, None, None)


def test_another_tenants_cases_never_count(world) -> None:
    database, _, _, other, *_ = world
    report = compute(database, other, **PERIOD)
    assert report["intake"].value == 3
    assert report["resolution_rate"].value == 1.0
    assert report["satisfaction_rate"].value == 0.0  # haizhou's satisfied ones stay there
    assert report["intake_yoy"].denominator == 0 and report["intake_yoy"].value is None


def test_a_session_of_another_tenant_is_refused(world) -> None:
    database, _, tenant, other, *_ = world
    with database.transaction(other.id) as session:
        with pytest.raises(indicators.TenantIsolationError):
            indicators.compute(session, tenant)


def test_subtree_keeps_cases_handled_or_located_inside(world) -> None:
    database, _, tenant, *_ = world
    town2 = compute(database, tenant, node_path="/C/D1/T2/", **PERIOD)
    assert town2["intake"].value == 1 and town2["resolution_rate"].value == 1.0
    assert town2["first_time_resolution"].value == 0.0  # G was returned once
    town1 = compute(database, tenant, node_path="/C/D1/T1/", **PERIOD)
    # Everything located at V1: A B C D E F J (H is at the county, G in T2).
    assert town1["intake"].value == 7
    assert (town1["resolution_rate"].numerator, town1["resolution_rate"].denominator) == (2, 4)
    county = compute(database, tenant, node_path="/C/D1/", **PERIOD)
    assert figures(county) == EXPECTED
    with pytest.raises(indicators.IndicatorError) as error:
        compute(database, tenant, node_path="C/D1")
    assert error.value.field == "node_path"


def test_an_empty_tenant_gives_none_not_division_errors(database: Database,
                                                        registry: PluginRegistry) -> None:
    make_tenant(database, "empty", levels=LEVELS, nodes=NODES)
    tenant = TenantDirectory(database, registry).get("empty")
    report = compute(database, tenant, **PERIOD)
    for code, figure in report.figures.items():
        if indicators.DEFINITIONS[code].unit == "count":
            assert figure.value == 0, code
        else:
            assert figure.value is None, code
    with database.transaction(tenant.id) as session:
        assert indicators.breakdown(session, tenant, "category").groups == []


def _with_settings(database: Database, registry: PluginRegistry, tenant, **settings):
    with database.transaction() as session:
        row = session.get(Tenant, tenant.id)
        row.config = {**row.config, "indicators": settings}
        row.config_version += 1
    return TenantDirectory(database, registry).get(tenant.slug)


def test_tenant_settings_change_satisfaction_and_frontline(world, registry) -> None:
    database, _, tenant, *_ = world
    strict = _with_settings(database, registry, tenant, satisfaction_counts="satisfied",
                            frontline_level="village")
    report = compute(database, strict, **PERIOD)
    assert (report["satisfaction_rate"].numerator, report["satisfaction_rate"].denominator) \
        == (2, 4)
    assert (report["frontline_share"].numerator, report["frontline_share"].denominator) \
        == (1, 4)  # only A was resolved at a village
    assert report.frontline_level == "village"
    bad = _with_settings(database, registry, tenant, satisfaction_counts="most")
    with pytest.raises(indicators.IndicatorError) as error:
        compute(database, bad)
    assert error.value.field == "indicators.satisfaction_counts"
    bad = _with_settings(database, registry, tenant, frontline_level="province")
    with pytest.raises(indicators.IndicatorError) as error:
        compute(database, bad)
    assert error.value.field == "indicators.frontline_level"


def breakdown(database, tenant, by, **kwargs):
    with database.transaction(tenant.id) as session:
        return indicators.breakdown(session, tenant, by, **kwargs)


def pair(group, code):
    return group[code].numerator, group[code].denominator


def test_breakdown_by_category_and_channel(world) -> None:
    database, _, tenant, *_ = world
    result = breakdown(database, tenant, "category", **PERIOD)
    assert [g.key for g in result.groups] == ["contract", "neighbor"]
    contract, neighbor = result.groups
    assert contract["intake"].value == 1 and pair(contract, "resolution_rate") == (1, 1)
    assert pair(contract, "frontline_share") == (0, 1)
    assert contract["median_hours_to_resolve"].value == pytest.approx(124)
    assert neighbor["intake"].value == 8 and pair(neighbor, "resolution_rate") == (3, 5)
    assert neighbor["median_hours_to_resolve"].value == pytest.approx(30)
    assert pair(neighbor, "intake_yoy") == (8 - 1, 1)
    assert pair(contract, "intake_yoy") == (1, 0) and contract["intake_yoy"].value is None
    channels = breakdown(database, tenant, "channel", **PERIOD)
    assert {g.key: g["intake"].value for g in channels.groups} == {"online": 1, "walk_in": 8}


def test_breakdown_by_tier_children_and_level(world) -> None:
    database, _, tenant, *_ = world
    result = breakdown(database, tenant, "tier", node_path="/C/D1/", **PERIOD)
    by_key = {g.key: g for g in result.groups}
    assert set(by_key) == {"", "T1", "T2"}  # "": located at D1 itself (H)
    assert by_key["T1"].names["zh_Hans"] == "新南街道"
    assert by_key["T1"]["intake"].value == 7 and by_key["T2"]["intake"].value == 1
    assert pair(by_key[""], "resolution_rate") == (1, 1)
    roots = breakdown(database, tenant, "tier", **PERIOD)
    assert [g.key for g in roots.groups] == ["C"]
    levels = breakdown(database, tenant, "level", **PERIOD)
    resolved = {g.names["code"]: g["resolution_rate"].numerator for g in levels.groups}
    # Where the case is handled now: A at V1, B went up to T1, G at T2, H at D1.
    assert resolved == {"village": 1, "town": 2, "county": 1}


def test_breakdown_by_department_window_and_month(world) -> None:
    database, _, tenant, *_ = world
    departments = {g.key: g for g in breakdown(database, tenant, "department", **PERIOD).groups}
    court = next(k for k in departments if k is not None)
    assert departments[court].names["code"] == "court"
    assert departments[court]["accepted"].value == 6
    assert departments[None]["intake"].value == 3  # E F J were never dispatched
    windows = breakdown(database, tenant, "window", **PERIOD)
    assert [g.key for g in windows.groups] == ["general_intake"]
    months = breakdown(database, tenant, "month", start=NOW - timedelta(days=400),
                       end=PERIOD["end"])
    assert {g.key: g["intake"].value for g in months.groups} == {"2025-11": 1, "2026-11": 9}
    assert months.groups[0]["intake_yoy"].value is None


def test_breakdown_by_mediator(world) -> None:
    database, _, tenant, *_ = world
    result = {g.key: g for g in breakdown(database, tenant, "mediator", **PERIOD).groups}
    wang, li = result["王调解"], result["李调解"]
    assert wang["attempts"].value == 6 and pair(wang, "mediation_success") == (2, 3)
    assert pair(wang, "resolution_rate") == (2, 3)
    assert li["attempts"].value == 1 and pair(li, "mediation_success") == (1, 1)


def test_unknown_breakdown_names_the_field(world) -> None:
    database, _, tenant, *_ = world
    with pytest.raises(indicators.IndicatorError) as error:
        breakdown(database, tenant, "colour")
    assert error.value.field == "by"


def test_every_definition_is_stated_in_three_locales_and_documented() -> None:
    from pathlib import Path  # noqa: PLC0415

    doc = (Path(__file__).resolve().parents[2] / "docs" / "indicators.md").read_text("utf-8")
    for definition in indicators.DEFINITIONS.values():
        assert set(definition.names) == set(definition.definitions) == {"zh_Hans", "zh_Hant",
                                                                        "en"}
        assert f"`{definition.code}`" in doc
        assert definition.definition("zh_Hans") in doc
        assert definition.definition("en") in doc
