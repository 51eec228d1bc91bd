"""Loading a tenant.toml: defaults, the catalog, plugin settings, and the checks that need more
than one section. (The demo tenants and the CLI have their own tests.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from core.tenantconfig import ConfigErrors, load
from core.tenantconfig.model import LevelSpec
from core.tenantconfig.sections import default_ladder
from core.tenantconfig.svg import check_svg

MINIMAL = """\
slug = "demo"
case_code_prefix = "DM"

[names]
zh_Hans = "示例市"

[tiers]
levels = [{ code = "city" }, { code = "town" }, { code = "village" }]

[[tiers.nodes]]
code = "root"
level = "city"
name = "示例市"

[[tiers.nodes]]
code = "t1"
parent = "root"
level = "town"
name = "示例镇"

[[tiers.nodes]]
code = "v1"
parent = "t1"
level = "village"
name = "示例村"
"""

CENTER = """
[[centers]]
code = "C1"
node = "t1"
names = { zh_Hans = "示例镇综治中心" }
windows = ["general_intake"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "tenant.toml"
    path.write_text(text, encoding="utf-8")
    return path


def errors_of(tmp_path: Path, text: str, registry) -> dict[str, str]:
    """``{field: message}`` of the problems ``text`` has."""
    with pytest.raises(ConfigErrors) as raised:
        load(write(tmp_path, text), registry)
    return {error.field: error.message for error in raised.value.errors}


def test_a_minimal_file_gets_the_defaults(tmp_path, registry):
    config = load(write(tmp_path, MINIMAL), registry)

    assert (config.enabled, config.timezone, config.default_locale) == (
        True, "Asia/Shanghai", "zh_Hans")
    assert config.branding == {"primary_color": "#1f4e79", "accent_color": "#c0392b"}
    assert config.plugins == {} and config.deadlines == {} and config.motto == {}
    assert [n.path for n in config.nodes] == ["/root/", "/root/t1/", "/root/t1/v1/"]
    assert config.escalation == [
        {"level": "village", "min_attempts": 1, "leader_required": False, "deadline_days": 5},
        {"level": "village", "min_attempts": 2, "leader_required": True, "deadline_days": 10},
        {"level": "town", "min_attempts": 3, "leader_required": True, "deadline_days": 15},
    ]


def test_the_default_ladder_starts_above_the_grids():
    ladder = default_ladder([LevelSpec(c, {}) for c in
                             ("city", "county", "town", "village", "grid", "micro_grid")])
    assert [(s["level"], s["min_attempts"]) for s in ladder] == [
        ("village", 1), ("village", 2), ("town", 3)]


def test_catalog_departments_take_their_names_from_the_catalog(tmp_path, registry):
    text = MINIMAL + """
[[departments]]
code = "court"

[[departments]]
code = "public_security"
names = { zh_Hans = "公安分局" }

[[departments]]
code = "tea_mediation"
names = { zh_Hans = "茶叶纠纷调解室" }
"""
    departments = {d.code: d for d in load(write(tmp_path, text), registry).departments}

    assert departments["court"].names == {"zh_Hans": "人民法院", "zh_Hant": "人民法院",
                                          "en": "People's Court"}
    assert departments["court"].kind == "core"
    assert departments["public_security"].names["zh_Hans"] == "公安分局"
    assert departments["public_security"].names["en"] == "Public Security Bureau"
    assert departments["tea_mediation"].kind == "specialty"


def test_a_plugin_department_exists_only_when_the_plugin_is_enabled(tmp_path, registry):
    text = MINIMAL + '\n[[departments]]\ncode = "maritime_safety_administration"\n'

    assert "is not in the department catalog" in errors_of(tmp_path, text, registry)[
        "departments[0].names"]
    enabled = load(write(tmp_path, text + "\n[plugins.maritime]\n"), registry)
    assert enabled.departments[0].names["zh_Hans"] == "海事局"


def test_plugin_settings_are_completed_by_the_plugin_schema(tmp_path, registry):
    text = MINIMAL + '\n[plugins.maritime]\n\n[plugins.campus]\nenabled = false\nanything = 1\n'
    config = load(write(tmp_path, text), registry)

    assert config.plugins == {"maritime": registry.load_settings("maritime", {})}
    assert config.plugins["maritime"]["fishery_mediation"] is True  # a default filled in
    assert config.disabled_plugins == ["campus"]


def test_a_plugin_window_needs_the_plugin(tmp_path, registry):
    text = MINIMAL + CENTER.replace('["general_intake"]', '["general_intake", "campus"]')

    assert "add [plugins.campus]" in errors_of(tmp_path, text, registry)["centers[0].windows[1]"]
    assert load(write(tmp_path, text + "\n[plugins.campus]\n"), registry).centers[0].windows == (
        "general_intake", "campus")


@pytest.mark.parametrize(("edit", "field", "message"), [
    (('slug = "demo"', 'slug = "Demo City"'), "slug", "lowercase pinyin"),
    (('case_code_prefix = "DM"', 'case_code_prefix = "dm1234567"'), "case_code_prefix",
     "capital letters or digits"),
    (('case_code_prefix = "DM"', 'case_code_prefix = "DM"\ntimezone = "Asia/Beijing"'),
     "timezone", "unknown time zone 'Asia/Beijing'"),
    (('case_code_prefix = "DM"', 'case_code_prefix = "DM"\nenabled = "yes"'), "enabled",
     "must be true or false"),
    (('levels = [{ code = "city" }, { code = "town" }, { code = "village" }]',
      'levels = [{ code = "city" }, { code = "town" }]'), "tiers.levels", "3 to 6 tier levels"),
    (('{ code = "village" }]', '{ code = "town" }]'), "tiers.levels[2].code",
     "declared twice"),
    (('zh_Hans = "示例市"', 'zh_Hant = "示例市"'), "names.zh_Hans", "required key is missing"),
])
def test_top_level_and_tier_mistakes(edit, field, message, tmp_path, registry):
    old, new = edit
    assert message in errors_of(tmp_path, MINIMAL.replace(old, new), registry)[field]


@pytest.mark.parametrize(("stationed", "field", "message"), [
    ('department = "court"\nmode = "resident"\nhours = "17:00-09:00"', "hours",
     "ends before it starts"),
    ('department = "court"\nmode = "rotating"\ndays = ["mon", "mon"]', "days", "listed twice"),
    ('department = "court"\nmode = "rotating"\ndays = ["monday"]', "days[0]",
     "must be one of mon"),
    ('department = "court"\nmode = "sometimes"', "mode", "resident, rotating or on_call"),
    ('department = "court"\nmode = "resident"\nhours = "9-5"', "hours", "HH:MM-HH:MM"),
])
def test_stationing_schedules(stationed, field, message, tmp_path, registry):
    text = (MINIMAL + '\n[[departments]]\ncode = "court"\n' + CENTER
            + "\n[[centers.stationed]]\n" + stationed + "\n")
    assert message in errors_of(tmp_path, text, registry)[f"centers[0].stationed[0].{field}"]


def test_centers_windows_and_stationings_are_not_repeated(tmp_path, registry):
    text = (MINIMAL + '\n[[departments]]\ncode = "court"\n'
            + CENTER.replace('["general_intake"]', '["general_intake", "general_intake"]')
            + '\n[[centers.stationed]]\ndepartment = "court"\nmode = "on_call"\ncontact = "8001"\n'
            + '\n[[centers.stationed]]\ndepartment = "court"\nmode = "on_call"\ncontact = "8002"\n'
            + CENTER.replace('node = "t1"', 'node = "t9"'))
    errors = errors_of(tmp_path, text, registry)

    assert "listed twice" in errors["centers[0].windows[1]"]
    assert "stationed here twice" in errors["centers[0].stationed[1].department"]
    assert "declared twice" in errors["centers[1].code"]
    assert "unknown tier node 't9'" in errors["centers[1].node"]


def test_escalation_and_deadlines(tmp_path, registry):
    text = MINIMAL + """
[escalation]
ladder = [
  { level = "town", min_attempts = 1, deadline_days = 5 },
  { level = "village", min_attempts = 0, deadline_days = 5 },
]

[deadlines.Petition]
days = 15

[deadlines.labor_mediation]
days = 1.5
"""
    errors = errors_of(tmp_path, text, registry)

    assert errors["escalation.ladder[1].min_attempts"] == "must be at least 1"
    assert "lowercase" in errors["deadlines.Petition"]
    assert errors["deadlines.labor_mediation.days"] == "must be an integer"
    ordered = text.replace("min_attempts = 0", "min_attempts = 2")
    assert "'village' cannot follow 'town'" in errors_of(tmp_path, ordered, registry)[
        "escalation.ladder[1].level"]


def test_csv_columns_are_checked(tmp_path, registry):
    (tmp_path / "nodes.csv").write_text("code,parent,level,name,name_fr\n", encoding="utf-8")
    text = MINIMAL.replace('{ code = "village" }]', '{ code = "village" }]\ncsv = "nodes.csv"')

    with pytest.raises(ConfigErrors) as raised:
        load(write(tmp_path, text), registry)

    assert str(raised.value).startswith(f"{tmp_path / 'nodes.csv'}:1: name_fr: unknown column")


def test_csv_duplicates_of_inline_nodes_name_both_places(tmp_path, registry):
    (tmp_path / "nodes.csv").write_text(
        "code,parent,level,name\nv2,t1,village,二村\nt1,root,town,重复镇\n", encoding="utf-8")
    text = MINIMAL.replace('{ code = "village" }]', '{ code = "village" }]\ncsv = "nodes.csv"')

    with pytest.raises(ConfigErrors) as raised:
        load(write(tmp_path, text), registry)

    assert str(raised.value) == (
        f"{tmp_path / 'nodes.csv'}:3: code: duplicate node code 't1' "
        f"(first declared at {tmp_path / 'tenant.toml'}:16)")


@pytest.mark.parametrize(("svg", "message"), [
    ('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "event attribute onload"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><text>x</text></a>'
     "</svg>", "script URL"),
    ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
     '<image xlink:href="https://tracker.example/p.png"/></svg>', "points outside the logo"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><foreignObject/></svg>', "<foreignObject>"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(x.css);</style></svg>',
     "outside resources"),
    ('<!DOCTYPE svg [<!ENTITY a "b">]><svg xmlns="http://www.w3.org/2000/svg"/>', "DOCTYPE"),
    ("<html><body/></html>", "not <svg>"),
    ("<svg", "not well-formed"),
])
def test_unsafe_logos_are_refused(svg, message):
    problems = check_svg(svg)

    assert problems and message in problems[0][1]


def test_a_plain_logo_with_internal_references_is_accepted():
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
           '<defs><linearGradient id="g"/></defs><rect fill="url(#g)" style="fill: url(#g)"/>'
           '<use xlink:href="#g"/><text>海州</text></svg>')

    assert check_svg(svg) == []
