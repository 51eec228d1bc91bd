"""The demo tenants under tenants/ validate, apply on SQLite and PostgreSQL (as the application
role under row-level security), and are idempotent: applying a file twice, or applying a
tenant's own export, changes nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from core.calendar import WorkCalendar
from core.categories import tenant_categories
from core.cli import build_cli
from core.cli.tenant import command as tenant_cli
from core.models import AuditEvent, Center, Stationing, Tenant, TenantPlugin, TierNode
from core.routing import match_dispatch
from core.tenantconfig import apply, export, load
from core.tenantconfig.schema import DISPATCH_CRITERIA, RISK_DEFAULTS
from tests.core.tenantconfig.conftest import DEMO_TENANTS, TENANTS_DIR, snapshot


@pytest.mark.parametrize("slug", DEMO_TENANTS)
def test_each_demo_tenant_validates(slug, registry):
    result = CliRunner().invoke(tenant_cli, ["validate", str(TENANTS_DIR / slug)])

    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{TENANTS_DIR / slug / 'tenant.toml'}: ok (")
    assert load(TENANTS_DIR / slug, registry).slug == slug


def test_demo_tenants_differ_in_depth_plugins_and_branding(registry):
    configs = {slug: load(TENANTS_DIR / slug, registry) for slug in DEMO_TENANTS}

    assert {slug: len(c.levels) for slug, c in configs.items()} == {
        "zhoushan": 4, "hangzhou": 5, "haizhou": 3}
    assert sorted(configs["zhoushan"].plugins) == ["campus", "maritime", "scenic_area"]
    assert sorted(configs["hangzhou"].plugins) == ["financial_mediation", "labor_arbitration"]
    assert configs["haizhou"].plugins == {}
    assert configs["haizhou"].disabled_plugins == ["labor_arbitration"]
    assert len({c.branding["primary_color"] for c in configs.values()}) == 3
    assert all(c.branding["logo_svg"].startswith("<svg") for c in configs.values())


def test_zhoushan_county_center_has_the_12_plus_x_stationing(registry):
    config = load(TENANTS_DIR / "zhoushan", registry)
    county = next(c for c in config.centers if c.code == "ZS-DH")
    stationed = {s.department: s for s in county.stationed}
    twelve = {"court", "procuratorate", "public_security", "justice", "human_resources",
              "petition_bureau", "civil_affairs", "housing", "market_regulation",
              "natural_resources", "health", "womens_federation"}
    kinds = {d.code: d.kind for d in config.departments}

    assert twelve <= set(stationed)
    assert any(kinds[code] == "specialty" for code in stationed)
    assert {s.mode for s in county.stationed} == {"resident", "rotating", "on_call"}
    assert {"maritime", "scenic_area", "campus"} <= set(county.windows)
    assert {"ZS-CITY", "ZS-DH", "ZS-JT"} <= {c.code for c in config.centers}


def test_haizhou_follows_seed_000(registry):
    config = load(TENANTS_DIR / "haizhou", registry)
    district = next(c for c in config.centers if c.node == "320706")

    assert len(district.stationed) == 19
    assert [(s["level"], s["min_attempts"], s["leader_required"]) for s in config.escalation] == [
        ("community", 1, False), ("community", 2, True), ("street", 3, True)]
    # After the street's three attempts the district takes over, with a rung_3 deadline.
    assert config.stored_config()["escalation"]["above"] == "district"


def test_hangzhou_loads_its_grids_from_csv(registry):
    config = load(TENANTS_DIR / "hangzhou", registry)

    grids = [n for n in config.nodes if n.row.level == "grid"]
    assert config.nodes_csv == TENANTS_DIR / "hangzhou" / "nodes.csv"
    assert len(grids) >= 200
    assert all(n.depth == 4 for n in grids)


def test_demo_tenants_route_grade_and_time_cases(registry):
    configs = {slug: load(TENANTS_DIR / slug, registry) for slug in DEMO_TENANTS}
    zhoushan, hangzhou, haizhou = (configs[slug] for slug in DEMO_TENANTS)

    for config in configs.values():
        defaults = [e for e in config.dispatch if not any(e.get(k) for k in DISPATCH_CRITERIA)]
        assert [(e["lead"], e["assisting"]) for e in defaults] == [
            ("justice", ["peoples_mediation"])]
    labor = match_dispatch(hangzhou.dispatch, case_type="", category="labor", level="county")
    assert (labor.lead, labor.assisting) == (
        "human_resources", ("trade_union", "labor_arbitration_commission"))
    family = match_dispatch(haizhou.dispatch, case_type="", category="marriage_family",
                            level="street")
    assert (family.lead, family.assisting) == ("family_mediation", ("womens_federation",))
    assert zhoushan.categories == [{"code": "fishery", "parent": "other", "names": {
        "zh_Hans": "渔事纠纷", "zh_Hant": "漁事糾紛", "en": "Fishery dispute"}}]
    fishery = match_dispatch(zhoushan.dispatch, case_type="", category="fishery", level="town")
    assert fishery.lead == "maritime_fishery_mediation"
    assert tenant_categories(zhoushan.stored_config())["fishery"].parent == "other"

    assert haizhou.risk["group_threshold"] == 5 and "卧轨" in haizhou.risk["keywords_red"]
    assert zhoushan.risk == hangzhou.risk == RISK_DEFAULTS

    assert hangzhou.calendar["holidays"] == ["2027-01-01"]
    calendar = WorkCalendar.from_config(hangzhou.calendar)
    assert not calendar.is_workday(date(2027, 1, 1))  # beyond the statutory package's years
    assert calendar.is_workday(date(2027, 1, 4))
    assert zhoushan.calendar["holidays"] == []


def test_the_tenant_group_is_part_of_onedoor():
    assert build_cli().commands["tenant"] is tenant_cli


@pytest.mark.parametrize("slug", DEMO_TENANTS)
def test_apply_creates_the_tenant_then_is_idempotent(slug, database, registry):
    config = load(TENANTS_DIR / slug, registry)

    first = apply(database, registry, config)
    before = snapshot(database)
    second = apply(database, registry, config)

    assert first.created and first.changed and first.config_version == 1
    assert first.changes[0].startswith(f"+ tenant {slug} ")
    assert not second.created and not second.changed and second.changes == []
    assert second.config_version == 1
    assert snapshot(database) == before
    with database.transaction(first.tenant_id) as session:
        events = session.scalars(select(AuditEvent)).all()
        nodes = session.scalars(select(TierNode)).all()
        centers = session.scalars(select(Center)).all()
        plugins = {p.plugin for p in session.scalars(select(TenantPlugin))}
        stationings = session.scalars(select(Stationing)).all()
    assert [(e.action, e.actor, e.data["changes"]) for e in events] == [
        ("tenant.applied", "cli", first.changes)]
    assert len(nodes) == len(config.nodes)
    assert {c.code for c in centers} == {c.code for c in config.centers}
    assert plugins == set(config.plugins)
    assert len(stationings) == sum(len(c.stationed) for c in config.centers)


def test_dry_run_shows_the_changes_and_writes_nothing(database, registry):
    config = load(TENANTS_DIR / "zhoushan", registry)
    empty = snapshot(database)

    preview = apply(database, registry, config, dry_run=True)

    assert preview.dry_run and preview.created and preview.tenant_id is None
    assert "+ center ZS-DH 定海区社会矛盾纠纷调处化解中心" in preview.changes
    assert snapshot(database) == empty
    assert apply(database, registry, config).changes == preview.changes


@pytest.mark.parametrize("slug", DEMO_TENANTS)
def test_export_then_apply_changes_nothing(slug, database, registry, tmp_path: Path):
    apply(database, registry, load(TENANTS_DIR / slug, registry))
    before = snapshot(database)

    path = export(database, registry, slug, tmp_path / "export")
    again = apply(database, registry, load(path, registry))

    assert again.changes == []
    assert snapshot(database) == before
    assert (tmp_path / "export" / "logo.svg").read_text(encoding="utf-8") == (
        TENANTS_DIR / slug / "logo.svg").read_text(encoding="utf-8")
    # Big trees go to a CSV, small ones stay inline.
    assert (tmp_path / "export" / "nodes.csv").exists() == (slug == "hangzhou")
    # Sections come back when the tenant wrote them (calendar and risk: when not the defaults).
    text = path.read_text(encoding="utf-8")
    assert "\n[[dispatch]]\n" in text
    assert ("\n[[categories]]\n" in text) == (slug == "zhoushan")
    assert ("\n[calendar]\n" in text) == (slug == "hangzhou")
    assert ("\n[risk]\n" in text) == (slug == "haizhou")


def test_cli_apply_export_round_trip(run_cli, database, tmp_path: Path):
    created = run_cli("apply", TENANTS_DIR / "haizhou")
    exported = run_cli("export", "haizhou", "--output", tmp_path / "out")
    reapplied = run_cli("apply", tmp_path / "out")
    printed = run_cli("export", "haizhou")

    assert created.exit_code == 0, created.output
    assert "haizhou: created" in created.output
    assert "+ center HAIZ-QU 海州区综治中心" in created.output
    assert exported.exit_code == 0, exported.output
    assert reapplied.exit_code == 0, reapplied.output
    assert "haizhou: already up to date (config version 1)" in reapplied.output
    assert printed.exit_code == 0
    assert printed.stdout == (tmp_path / "out" / "tenant.toml").read_text(encoding="utf-8")
    assert "logo.svg not written" in printed.stderr
    with database.transaction() as session:
        assert session.scalar(select(Tenant.config_version).where(Tenant.slug == "haizhou")) == 1


def test_cli_dry_run_prints_the_diff(run_cli, database):
    result = run_cli("apply", "--dry-run", TENANTS_DIR / "zhoushan")

    assert result.exit_code == 0, result.output
    assert "+ plugin maritime" in result.output
    assert "dry run" in result.output and "nothing written" in result.output
    assert snapshot(database)["tenants"] == []
