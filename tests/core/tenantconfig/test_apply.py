"""Applying a changed tenant.toml: the diff lines, the version bump, the single audit event,
the plugin hooks, and removals in the right order — on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from core import hookimpl
from core.cli.tenant import command as tenant_cli
from core.models import (
    AuditEvent,
    Center,
    Department,
    Tenant,
    TenantPlugin,
    TierLevel,
    TierNode,
)
from core.plugins import PluginRegistry
from core.tenantconfig import apply, load
from core.tenantconfig.changes import dispatch_label
from tests.core.tenantconfig.conftest import TENANTS_DIR, snapshot

EDITS = [
    ('primary_color = "#7b2d26"', 'primary_color = "#114477"'),
    # 新海社区 is removed, 海连路社区 moves to 新东街道, 幸福路街道 is renamed.
    ('[[tiers.nodes]]\ncode = "320706006202"', '[[tiers.nodes]]\ncode = "removed-marker"'),
    ('code = "320706006201"\nparent = "320706006"', 'code = "320706006201"\nparent = "320706008"'),
    ('name = "幸福路街道"', 'name = "幸福路街道办事处"'),
    ('department = "civil_affairs"\nmode = "rotating"',
     'department = "civil_affairs"\nmode = "resident"'),
    ('windows = ["general_intake", "legal_consultation"]',
     'windows = ["legal_consultation", "general_intake", "legal_aid"]'),
    ("enabled = false\n", ""),
]


def edited_haizhou(folder: Path) -> Path:
    """The haizhou demo with the :data:`EDITS`, one center and one department fewer."""
    text = (TENANTS_DIR / "haizhou" / "tenant.toml").read_text(encoding="utf-8")
    for old, new in EDITS:
        assert old in text, old
        text = text.replace(old, new, 1)
    # Drop the removed node's entry, the community station and the commercial mediation center.
    start = text.index('[[tiers.nodes]]\ncode = "removed-marker"')
    text = text[:start] + text[text.index("[[tiers.nodes]]", start + 1):]
    start = text.index('[[centers]]\ncode = "HAIZ-GL"')
    text = text[:start] + text[text.index("# Core windows only", start):]
    for block in ('[[departments]]\ncode = "commercial_mediation_org"',
                  '[[centers.stationed]]\ndepartment = "commercial_mediation_org"'):
        start = text.index(block)
        text = text[:start] + text[text.index("\n\n", start) + 2:]
    folder.mkdir(exist_ok=True)
    (folder / "logo.svg").write_bytes((TENANTS_DIR / "haizhou" / "logo.svg").read_bytes())
    (folder / "tenant.toml").write_text(text, encoding="utf-8")
    return folder


def test_changes_are_listed_versioned_and_audited_once(database, registry, tmp_path):
    created = apply(database, registry, load(TENANTS_DIR / "haizhou", registry))
    config = load(edited_haizhou(tmp_path / "haizhou"), registry)

    result = apply(database, registry, config, actor="admin")

    assert not result.created and result.config_version == 2
    assert set(result.changes) == {
        "~ branding.primary_color: #7b2d26 → #114477",
        "+ plugin labor_arbitration",
        "~ node 320706002: name 幸福路街道 → 幸福路街道办事处",
        "~ node 320706006201: parent 320706006 → 320706008",
        "- node 320706006202",
        "~ stationing HAIZ-QU civil_affairs.mode: rotating → resident",
        "- stationing HAIZ-QU commercial_mediation_org",
        "+ window HAIZ-XH legal_aid",
        "~ center HAIZ-XH.windows order: general_intake, legal_consultation → "
        "legal_consultation, general_intake",
        "- center HAIZ-GL",
        "- department commercial_mediation_org",
    }
    with database.transaction(created.tenant_id) as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
        moved = session.scalar(select(TierNode).where(TierNode.code == "320706006201"))
        centers = {c.code: c for c in session.scalars(select(Center))}
        departments = {d.code for d in session.scalars(select(Department))}
        plugins = {p.plugin: p.settings for p in session.scalars(select(TenantPlugin))}
        assert [w.window_type for w in centers["HAIZ-XH"].windows] == [
            "legal_consultation", "general_intake", "legal_aid"]
    assert [(e.actor, e.data["changes"]) for e in events[1:]] == [("admin", result.changes)]
    assert moved.path == "/320706/320706008/320706006201/"
    assert "HAIZ-GL" not in centers and "commercial_mediation_org" not in departments
    assert plugins["labor_arbitration"]["award_days"] == 45
    assert not apply(database, registry, config).changed


def test_a_dry_run_of_a_change_leaves_the_tenant_as_it_was(database, registry, tmp_path):
    apply(database, registry, load(TENANTS_DIR / "haizhou", registry))
    before = snapshot(database)

    preview = apply(database, registry, load(edited_haizhou(tmp_path / "h"), registry),
                    dry_run=True)

    assert preview.dry_run and "- center HAIZ-GL" in preview.changes
    assert preview.tenant_id is not None and preview.config_version == 2
    assert snapshot(database) == before


def test_disabling_a_plugin_removes_it_for_the_tenant(database, registry, tmp_path):
    folder = tmp_path / "haizhou"
    edited = (TENANTS_DIR / "haizhou" / "tenant.toml").read_text(encoding="utf-8")
    folder.mkdir()
    (folder / "logo.svg").write_bytes((TENANTS_DIR / "haizhou" / "logo.svg").read_bytes())
    (folder / "tenant.toml").write_text(edited.replace("enabled = false\n", ""), encoding="utf-8")
    first = apply(database, registry, load(folder, registry))

    result = apply(database, registry, load(TENANTS_DIR / "haizhou", registry))

    assert result.changes == ["- plugin labor_arbitration"]
    with database.transaction(first.tenant_id) as session:
        assert session.scalars(select(TenantPlugin)).all() == []


def test_a_level_and_its_nodes_are_removed_together(database, registry, tmp_path):
    text = (TENANTS_DIR / "zhoushan" / "tenant.toml").read_text(encoding="utf-8")
    grid = ('  { code = "grid", names = { zh_Hans = "网格", en = "Grid" } },\n]\n\n'
            '[[tiers.nodes]]\ncode = "330902102201-01"\nparent = "330902102201"\n'
            'level = "grid"\nname = "新建村第一网格"\n')
    folder = tmp_path / "zhoushan"
    folder.mkdir()
    (folder / "logo.svg").write_bytes((TENANTS_DIR / "zhoushan" / "logo.svg").read_bytes())
    (folder / "tenant.toml").write_text(text.replace("]\n\n", grid, 1), encoding="utf-8")
    first = apply(database, registry, load(folder, registry))

    result = apply(database, registry, load(TENANTS_DIR / "zhoushan", registry))

    assert result.changes == ["- level grid", "- node 330902102201-01"]
    with database.transaction(first.tenant_id) as session:
        assert [lv.code for lv in session.scalars(select(TierLevel).order_by(TierLevel.rank))] == [
            "city", "county", "town", "village"]


def test_keys_tenant_toml_does_not_own_are_kept(database, registry):
    config = load(TENANTS_DIR / "haizhou", registry)
    created = apply(database, registry, config)
    with database.transaction() as session:
        tenant = session.get(Tenant, created.tenant_id)
        tenant.config = {**tenant.config, "dashboard": {"layout": "wide"}}

    assert not apply(database, registry, config).changed
    with database.transaction() as session:
        assert session.get(Tenant, created.tenant_id).config["dashboard"] == {"layout": "wide"}


class Recorder:
    """A plugin that records ``onedoor_tenant_applied`` calls (or fails them)."""

    NAMES = {"en": "Recorder"}

    def __init__(self, fail: bool = False) -> None:
        self.calls: list[tuple] = []
        self.fail = fail

    @hookimpl
    def onedoor_tenant_applied(self, tenant, settings, session):
        self.calls.append((tenant.slug, sorted(tenant.plugins), settings, session.tenant_id,
                           tenant.id))
        if self.fail:
            raise RuntimeError("the recorder refuses")


def haizhou_with_recorder(folder: Path) -> Path:
    folder.mkdir()
    text = (TENANTS_DIR / "haizhou" / "tenant.toml").read_text(encoding="utf-8")
    (folder / "logo.svg").write_bytes((TENANTS_DIR / "haizhou" / "logo.svg").read_bytes())
    (folder / "tenant.toml").write_text(text + "\n[plugins.recorder]\n", encoding="utf-8")
    return folder


def test_each_enabled_plugin_hears_of_the_apply(database, tmp_path):
    registry = PluginRegistry()
    recorder = Recorder()
    registry.register(recorder, "recorder")

    result = apply(database, registry, load(haizhou_with_recorder(tmp_path / "h"), registry))

    assert recorder.calls == [("haizhou", ["recorder"], {}, result.tenant_id, result.tenant_id)]


def test_a_failing_hook_aborts_the_whole_apply(database, tmp_path):
    registry = PluginRegistry()
    registry.register(Recorder(fail=True), "recorder")
    config = load(haizhou_with_recorder(tmp_path / "h"), registry)

    with pytest.raises(RuntimeError, match="the recorder refuses"):
        apply(database, registry, config)

    assert snapshot(database) == {"tenants": []}


def test_apply_refuses_a_database_that_was_never_migrated(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"

    result = CliRunner().invoke(tenant_cli, ["apply", str(TENANTS_DIR / "haizhou")],
                                env={"ONEDOOR_DATABASE_URL": url})

    assert result.exit_code == 2
    assert "lacks the OneDoor tables" in result.stderr
    assert "run `onedoor db upgrade` first" in result.stderr


def test_export_of_an_unknown_tenant_fails_cleanly(run_cli):
    result = run_cli("export", "atlantis")

    assert result.exit_code == 2
    assert "no tenant 'atlantis'" in result.stderr


SECTION_EDITS = [
    ("group_threshold = 5", "group_threshold = 8"),
    ('keywords_orange = ["讨薪", "拖欠工资", "包工头跑路", "堵厂门"]',
     'keywords_orange = ["讨薪", "包工头跑路", "堵厂门", "欠薪"]'),
    ('category = "traffic"\nlead = "public_security"\n',
     'category = "traffic"\nlead = "public_security"\nassisting = ["peoples_mediation"]\n'),
    ('[[dispatch]]\ncategory = "consumer"\nlead = "market_regulation"\n\n', ""),
    ('lead = "family_mediation"\nassisting = ["womens_federation"]',
     'lead = "womens_federation"\nassisting = ["family_mediation"]'),
]
SECTION_ADDITIONS = """
[calendar]
holidays = ["2027-01-01"]

[[categories]]
code = "salt_field"
names = { zh_Hans = "盐田纠纷", en = "Salt field dispute" }
parent = "other"

[[dispatch]]
category = "salt_field"
lead = "natural_resources"
"""


def haizhou_with(folder: Path, edits: list[tuple[str, str]], extra: str = "") -> Path:
    """A copy of the haizhou demo with ``edits`` made and ``extra`` appended."""
    text = (TENANTS_DIR / "haizhou" / "tenant.toml").read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    folder.mkdir(exist_ok=True)
    (folder / "logo.svg").write_bytes((TENANTS_DIR / "haizhou" / "logo.svg").read_bytes())
    (folder / "tenant.toml").write_text(text + extra, encoding="utf-8")
    return folder


def test_calendar_risk_categories_and_dispatch_changes_are_listed(database, registry, tmp_path):
    created = apply(database, registry, load(TENANTS_DIR / "haizhou", registry))
    config = load(haizhou_with(tmp_path / "h", SECTION_EDITS, SECTION_ADDITIONS), registry)

    result = apply(database, registry, config)

    assert result.changes == [
        "+ calendar.holidays 2027-01-01",
        "~ risk.group_threshold: 5 → 8",
        "- risk.keywords_orange 拖欠工资",
        "+ risk.keywords_orange 欠薪",
        "+ category salt_field 盐田纠纷 (under other)",
        "~ dispatch category=marriage_family.lead: family_mediation → womens_federation",
        '~ dispatch category=marriage_family.assisting: ["womens_federation"] → '
        '["family_mediation"]',
        '~ dispatch category=traffic.assisting: [] → ["peoples_mediation"]',
        "+ dispatch category=salt_field → natural_resources",
        "- dispatch category=consumer",
    ]
    assert result.config_version == 2
    with database.transaction() as session:
        stored = session.get(Tenant, created.tenant_id).config
    assert stored["calendar"]["holidays"] == ["2027-01-01"]
    assert stored["risk"]["group_threshold"] == 8
    assert stored["categories"] == [{"code": "salt_field", "parent": "other", "names": {
        "zh_Hans": "盐田纠纷", "en": "Salt field dispute"}}]
    assert [dispatch_label(entry) for entry in stored["dispatch"]] == [
        "category=labor", "category=marriage_family", "category=traffic", "category=medical",
        "category=land_requisition", "category=neighbor,level=community", "case_type=petition",
        "default", "category=salt_field"]
    again = apply(database, registry, config)
    assert not again.changed and again.config_version == 2


def test_reordering_the_dispatch_catalog_is_a_change(database, registry, tmp_path):
    # Ties between equally specific entries go to the one written first: order matters.
    apply(database, registry, load(TENANTS_DIR / "haizhou", registry))
    traffic = '[[dispatch]]\ncategory = "traffic"\nlead = "public_security"\n\n'
    consumer = '[[dispatch]]\ncategory = "consumer"\nlead = "market_regulation"\n\n'
    folder = haizhou_with(tmp_path / "h", [(traffic + consumer, consumer + traffic)])

    result = apply(database, registry, load(folder, registry))

    assert result.changes == ["~ dispatch order: category=traffic, category=consumer → "
                              "category=consumer, category=traffic"]
    assert result.config_version == 2


def test_a_tenant_applied_before_the_new_sections_gets_them(database, registry):
    config = load(TENANTS_DIR / "haizhou", registry)
    created = apply(database, registry, config)
    with database.transaction() as session:
        tenant = session.get(Tenant, created.tenant_id)
        tenant.config = {key: value for key, value in tenant.config.items()
                         if key not in ("calendar", "risk", "categories", "dispatch")}

    result = apply(database, registry, config)

    assert result.config_version == 2
    assert "+ calendar.working_hours: [\"08:30-12:00\", \"13:30-17:30\"]" in result.changes
    assert "+ risk.group_threshold: 5" in result.changes
    assert "+ dispatch default → justice (assisting peoples_mediation)" in result.changes
    assert not any(line.startswith("+ category") for line in result.changes)
    assert not apply(database, registry, config).changed


def test_intake_after_an_apply_finds_a_moved_node_in_its_new_place(database, registry,
                                                                  tmp_path):
    # Intake remembers tier nodes per tenant snapshot; the apply that moves one gives the
    # tenant a new snapshot, so the clerk of the community's new town can register at once.
    from core import cases  # noqa: PLC0415
    from core.cases import CaseInvalid  # noqa: PLC0415
    from core.pii import Vault  # noqa: PLC0415
    from core.tenancy import TenantDirectory  # noqa: PLC0415
    from core.workflow import INTAKE, Actor  # noqa: PLC0415

    apply(database, registry, load(TENANTS_DIR / "haizhou", registry))
    directory = TenantDirectory(database, registry)
    clerk = Actor("xindong-clerk", INTAKE, scope_path="/320706/320706008/")
    data = {"case_type": "general_dispute", "category": "neighbor", "channel": "walk_in",
            "title": "楼上漏水", "location_node": "320706006201",
            "parties": [{"role": "applicant", "name": "张三", "phone": "13812345678"}]}

    def register(tenant):
        with database.transaction(tenant.id) as session:
            return cases.register(session, tenant, data, clerk,
                                  vault=Vault("test-secret-for-pii-0123456789")).case

    before = directory.get("haizhou")
    with pytest.raises(CaseInvalid) as refused:
        register(before)
    assert set(refused.value.fields) == {"location_node"}

    apply(database, registry, load(edited_haizhou(tmp_path / "haizhou"), registry))
    after = directory.get("haizhou")

    case = register(after)
    with database.transaction(after.id) as session:
        moved = session.scalar(select(TierNode).where(TierNode.code == "320706006201"))
    assert case.location_node_id == moved.id
    assert moved.path.startswith(clerk.scope_path)
