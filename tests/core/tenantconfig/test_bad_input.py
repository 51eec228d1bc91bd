"""Bad input: every mistake in a tenant.toml (or its CSV or logo) makes ``onedoor tenant apply``
exit with status 2, name the file, the line and the field, and apply nothing.

Each case starts from a copy of the haizhou demo tenant, already applied, and changes one thing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.cli.tenant import command as tenant_cli
from core.tenantconfig import ConfigErrors, apply, load
from tests.core.tenantconfig.conftest import TENANTS_DIR, line_of, snapshot

NODES_CSV = """code,parent,level,name,name_zh_Hant,name_en
320706003201,320706003,community,朐阳社区,朐陽社區,Quyang Community
320706003202,320706999,community,无父社区,,
"""

SCRIPTED_LOGO = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">
  <script>alert(1)</script>
  <rect width="10" height="10"/>
</svg>
"""


@dataclass(frozen=True)
class Case:
    """One mistake: how to make it, where it must be reported, and what the message says."""

    edit: Callable[[str, Path], str]
    needle: str           # text on the reported line (after the edit)
    field: str
    message: str
    file: str = "tenant.toml"
    occurrence: int = 1


def replace(old: str, new: str, count: int = 1) -> Callable[[str, Path], str]:
    """An edit replacing ``old`` (which must be present) by ``new``."""

    def edit(text: str, _folder: Path) -> str:
        assert old in text, old
        return text.replace(old, new, count)

    return edit


def append(extra: str) -> Callable[[str, Path], str]:
    """An edit adding tables at the end of the file."""
    return lambda text, _folder: text + extra


def with_csv(text: str, folder: Path) -> str:
    (folder / "nodes.csv").write_text(NODES_CSV, encoding="utf-8")
    return text.replace('\n]\n', '\n]\ncsv = "nodes.csv"\n', 1)


def with_scripted_logo(text: str, folder: Path) -> str:
    (folder / "logo.svg").write_text(SCRIPTED_LOGO, encoding="utf-8")
    return text


CASES = {
    "malformed TOML": Case(
        replace('primary_color = "#7b2d26"', 'primary_color = "#7b2d26'),
        'primary_color = "#7b2d26', "branding.primary_color", "malformed TOML"),
    "unknown plugin": Case(
        append('\n[plugins.tea_disputes]\ngrade = "longjing"\n'),
        "[plugins.tea_disputes]", "plugins.tea_disputes",
        "unknown plugin 'tea_disputes'; installed plugins: campus, "),  # then the others
    "tier cycle": Case(
        replace('code = "320706001"\nparent = "320706"',
                'code = "320706001"\nparent = "320706001201"'),
        'parent = "320706001201"', "tiers.nodes[1].parent",
        "the tree has a cycle: 320706001 → 320706001201 → 320706001"),
    "duplicate node code": Case(
        replace('code = "320706002"', 'code = "320706001"'),
        'code = "320706001"', "tiers.nodes[2].code", "duplicate node code '320706001'",
        occurrence=2),
    "invalid color": Case(
        replace('accent_color = "#d4a017"', 'accent_color = "gold"'),
        'accent_color = "gold"', "branding.accent_color", "must be a color #RRGGBB"),
    "invalid default locale": Case(
        replace('default_locale = "zh_Hans"', 'default_locale = "fr"'),
        'default_locale = "fr"', "default_locale", "must be one of zh_Hans, zh_Hant, en"),
    "names in an unknown locale": Case(
        replace('en = "Haizhou District, Lianyungang"', 'fr = "District de Haizhou"'),
        'fr = "District de Haizhou"', "names.fr", "not a locale"),
    "unknown parent": Case(
        replace('parent = "320706004"', 'parent = "320706404"'),
        'parent = "320706404"', "tiers.nodes[21].parent", "unknown parent '320706404'"),
    "unknown level": Case(
        replace('parent = "320706100"\nlevel = "community"',
                'parent = "320706100"\nlevel = "hamlet"'),
        'level = "hamlet"', "tiers.nodes[24].level", "unknown level 'hamlet'"),
    "child above its parent": Case(
        replace('parent = "320706006"\nlevel = "community"',
                'parent = "320706006"\nlevel = "district"'),
        'level = "district"', "tiers.nodes[22].level", "must be at a level below its parent",
        occurrence=2),
    "unknown window type": Case(
        replace('windows = ["general_intake"]', 'windows = ["general_intake", "teahouse"]'),
        '"teahouse"', "centers[3].windows[1]", "unknown window type 'teahouse'"),
    "window of a plugin not enabled": Case(
        replace('windows = ["general_intake"]', 'windows = ["general_intake", "maritime"]'),
        '"maritime"', "centers[3].windows[1]",
        "belongs to plugin maritime, which this tenant does not enable"),
    "essential plugin disabled": Case(
        append("\n[plugins.core_catalog]\nenabled = false\n"),
        "enabled = false\n", "plugins.core_catalog.enabled", "essential plugin", occurrence=2),
    "invalid plugin settings": Case(
        replace("enabled = false\n", 'mediation_days = "fifteen"\n'),
        'mediation_days = "fifteen"', "plugins.labor_arbitration.mediation_days",
        "Give a whole number of days"),
    "rotating without days": Case(
        replace('mode = "rotating"\ndays = ["mon"]\n', 'mode = "rotating"\n'),
        '[[centers.stationed]]\ndepartment = "civil_affairs"', "centers[0].stationed[11].days",
        "a rotating department needs the days"),
    "on call without contact": Case(
        replace('contact = "区中心接待台转 5011"\n', ""),
        '[[centers.stationed]]\ndepartment = "womens_federation"',
        "centers[0].stationed[15].contact", "an on-call department needs a contact"),
    "unknown department stationed": Case(
        replace('department = "trade_union"\nmode', 'department = "chamber_of_commerce"\nmode'),
        'department = "chamber_of_commerce"', "centers[0].stationed[18].department",
        "unknown department 'chamber_of_commerce'"),
    "department without names outside the catalog": Case(
        replace('code = "labor_joint_mediation"\nnames = { zh_Hans = "劳动争议联合调处中心", '
                'zh_Hant = "勞動爭議聯合調處中心", en = "Joint labor dispute mediation center" }',
                'code = "labor_joint_mediation"'),
        '[[departments]]\ncode = "labor_joint_mediation"', "departments[17].names",
        "is not in the department catalog"),
    "misspelt key": Case(
        replace('hotline = "0518-12345"', 'hotlne = "0518-12345"'),
        'hotlne = "0518-12345"', "branding.hotlne", "unknown key"),
    "escalation on an unknown level": Case(
        replace('{ level = "street", min_attempts = 3', '{ level = "town", min_attempts = 3'),
        '{ level = "town", min_attempts = 3', "escalation.ladder[2].level",
        "unknown tier level 'town'"),
    "dispatch to an undeclared department": Case(
        replace('category = "traffic"\nlead = "public_security"',
                'category = "traffic"\nlead = "traffic_police"'),
        'lead = "traffic_police"', "dispatch[2].lead", "unknown department 'traffic_police'"),
    "dispatch to an unknown category": Case(
        replace('category = "medical"', 'category = "fishery"'),
        'category = "fishery"', "dispatch[4].category", "unknown category 'fishery'"),
    "dispatch on an unknown level": Case(
        replace('level = "community"\nlead', 'level = "village"\nlead'),
        'level = "village"', "dispatch[6].level", "unknown tier level 'village'"),
    "assisting department that leads": Case(
        replace('assisting = ["human_resources", "trade_union"]',
                'assisting = ["human_resources", "labor_joint_mediation"]'),
        '"labor_joint_mediation"]', "dispatch[0].assisting[1]", "cannot also assist"),
    "second default dispatch entry": Case(
        append('\n[[dispatch]]\nlead = "court"\n'),
        '[[dispatch]]\nlead = "court"', "dispatch[9]", "a second default entry"),
    "duplicate dispatch entry": Case(
        replace('category = "consumer"', 'category = "traffic"'),
        '[[dispatch]]\ncategory = "traffic"', "dispatch[3]",
        "another entry for category = 'traffic': dispatch[2] already has it", occurrence=2),
    "category clashing with a standard one": Case(
        append('\n[[categories]]\ncode = "labor"\nnames = { zh_Hans = "劳动" }\n'),
        'code = "labor"', "categories[0].code", "is a standard category"),
    "category under an unknown parent": Case(
        append('\n[[categories]]\ncode = "salt_field"\nnames = { zh_Hans = "盐田纠纷" }\n'
               'parent = "salt"\n'),
        'parent = "salt"', "categories[0].parent", "unknown category 'salt'"),
    "risk red threshold not above the group threshold": Case(
        replace("group_red_threshold = 30", "group_red_threshold = 5"),
        "group_red_threshold = 5", "risk.group_red_threshold",
        "must be greater than group_threshold (5)"),
    "risk window too long": Case(
        replace("repeat_window_days = 180", "repeat_window_days = 5000"),
        "repeat_window_days = 5000", "risk.repeat_window_days", "must be 1 to 3650 days"),
    "calendar day both holiday and workday": Case(
        append('\n[calendar]\nholidays = ["2027-01-01"]\nworkdays = [\n  "2027-01-02",\n'
               '  "2027-01-01",\n]\n'),
        '  "2027-01-01",', "calendar.workdays[1]", "also listed under holidays"),
    "calendar date that does not exist": Case(
        append('\n[calendar]\nholidays = ["2027-02-29"]\n'),
        '"2027-02-29"', "calendar.holidays[0]", "is not a day of the calendar"),
    "overlapping working hours": Case(
        append('\n[calendar]\nworking_hours = ["08:30-12:00", "11:00-17:30"]\n'),
        "working_hours =", "calendar.working_hours[1]", "overlaps 08:30-12:00"),
    "misspelt deadline rule": Case(
        replace("[deadlines.petition_handle]", "[deadlines.petition_handel]"),
        "[deadlines.petition_handel]", "deadlines.petition_handel",
        "unknown deadline rule 'petition_handel'; did you mean 'petition_handle'?"),
    # haizhou's three steps, then the district: rung_0 to rung_3.
    "deadline of a rung the ladder does not have": Case(
        append("\n[deadlines.rung_4]\ndays = 20\n"),
        "[deadlines.rung_4]", "deadlines.rung_4", "unknown deadline rule 'rung_4'"),
    "CSV row with an unknown parent": Case(
        with_csv, "320706003202", "parent", "unknown parent '320706999'", file="nodes.csv"),
    "logo with a script": Case(
        with_scripted_logo, "<script>", "branding.logo", "<script> is not allowed",
        file="logo.svg"),
}


@pytest.fixture
def applied_haizhou(database, registry):
    """The haizhou demo tenant, applied; returns the database snapshot taken afterwards."""
    apply(database, registry, load(TENANTS_DIR / "haizhou", registry))
    return snapshot(database)


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_bad_input_exits_2_names_file_line_field_and_applies_nothing(
        case: Case, tenant_copy, run_cli, database, applied_haizhou):
    folder = tenant_copy("haizhou")
    toml = folder / "tenant.toml"
    toml.write_text(case.edit(toml.read_text(encoding="utf-8"), folder), encoding="utf-8")
    reported = folder / case.file
    line = line_of(reported.read_text(encoding="utf-8"), case.needle, case.occurrence)

    result = run_cli("apply", folder)

    assert result.exit_code == 2, result.output
    assert f"{reported}:{line}: {case.field}: " in result.stderr, result.stderr
    assert case.message in result.stderr
    assert "nothing applied" in result.stderr
    assert snapshot(database) == applied_haizhou


@pytest.mark.parametrize("name", ["malformed TOML", "tier cycle", "window of a plugin not enabled",
                                  "misspelt deadline rule"])
def test_validate_reports_the_same_errors(name, tenant_copy):
    case = CASES[name]
    folder = tenant_copy("haizhou")
    toml = folder / "tenant.toml"
    toml.write_text(case.edit(toml.read_text(encoding="utf-8"), folder), encoding="utf-8")

    result = CliRunner().invoke(tenant_cli, ["validate", str(toml)])

    assert result.exit_code == 2
    assert f"{toml}:" in result.stderr and case.field in result.stderr


def test_all_problems_are_reported_at_once(tenant_copy, registry):
    folder = tenant_copy("haizhou")
    toml = folder / "tenant.toml"
    text = toml.read_text(encoding="utf-8")
    for name in ("invalid color", "unknown plugin", "tier cycle", "unknown window type",
                 "rotating without days"):
        text = CASES[name].edit(text, folder)
    toml.write_text(text, encoding="utf-8")

    with pytest.raises(ConfigErrors) as raised:
        load(folder, registry)

    fields = [error.field for error in raised.value.errors]
    assert set(fields) == {"branding.accent_color", "plugins.tea_disputes",
                           "tiers.nodes[1].parent", "centers[3].windows[1]",
                           "centers[0].stationed[11].days"}
    lines = [error.line for error in raised.value.errors]
    assert lines == sorted(lines)
    assert str(raised.value).count("\n") == 4


def test_missing_file_is_reported(tmp_path: Path):
    result = CliRunner().invoke(tenant_cli, ["validate", str(tmp_path / "nowhere")])

    assert result.exit_code == 2
    assert f"{tmp_path / 'nowhere'}:1: file not found" in result.stderr
