"""The sections a case is routed and timed by: ``[calendar]``, ``[risk]``, ``[[categories]]``,
``[[dispatch]]`` and the rule names of ``[deadlines]`` — what a valid table loads as, and each
mistake with its field path."""

from __future__ import annotations

import pytest

from core import hookimpl
from core.casetypes import CaseType
from core.categories import CATEGORIES, tenant_categories
from core.plugins import PluginRegistry
from core.sla import DeadlineRule
from core.tenantconfig import load
from core.tenantconfig.enablement import _case_types
from core.tenantconfig.schema import RISK_DEFAULTS
from tests.core.tenantconfig.test_loader import MINIMAL, errors_of, write

DEPARTMENTS = "".join(
    f'\n[[departments]]\ncode = "{code}"\n'
    for code in ("justice", "peoples_mediation", "human_resources", "trade_union", "court"))


class LaborTypes:
    """A plugin declaring the case type ``wage_arrears``."""

    @hookimpl
    def onedoor_case_types(self):
        return [CaseType("wage_arrears", {"zh_Hans": "欠薪"}, category="labor")]


@pytest.fixture(scope="module")
def registry() -> PluginRegistry:
    """The installed plugins plus an essential one declaring ``wage_arrears``: the catalogs
    below name that case type, valid whatever case types the installed plugins declare."""
    registry = PluginRegistry()
    registry.register(LaborTypes(), "labor_types_everywhere", essential=True)
    return registry


def one_error(tmp_path, text, registry, field):
    """The message reported for ``field`` (and check nothing else was reported)."""
    errors = errors_of(tmp_path, text, registry)
    assert list(errors) == [field], errors
    return errors[field]


# --- [indicators] -------------------------------------------------------------------------

def test_without_indicators_nothing_is_stored_and_core_defaults_apply(tmp_path, registry):
    config = load(write(tmp_path, MINIMAL), registry)
    assert config.stored_config()["indicators"] == {}


def test_indicator_settings_are_stored_as_written(tmp_path, registry):
    text = MINIMAL + '\n[indicators]\nsatisfaction_counts = "satisfied"\nfrontline_level = "town"\n'
    config = load(write(tmp_path, text), registry)
    assert config.stored_config()["indicators"] == {"satisfaction_counts": "satisfied",
                                                    "frontline_level": "town"}


@pytest.mark.parametrize(("table", "field", "message"), [
    ('satisfaction_counts = "all"', "indicators.satisfaction_counts", "satisfied_and_basic"),
    ('frontline_level = "province"', "indicators.frontline_level", "unknown tier level"),
    ('colour = "red"', "indicators.colour", "unknown key"),
])
def test_indicator_mistakes(table, field, message, tmp_path, registry):
    text = MINIMAL + f"\n[indicators]\n{table}\n"
    assert message in one_error(tmp_path, text, registry, field)


# --- [calendar] ---------------------------------------------------------------------------

def test_without_a_calendar_the_statutory_one_and_core_hours_apply(tmp_path, registry):
    config = load(write(tmp_path, MINIMAL), registry)

    assert config.calendar == {"holidays": [], "workdays": [],
                               "working_hours": ["08:30-12:00", "13:30-17:30"]}
    assert config.stored_config()["calendar"] == config.calendar


def test_calendar_dates_are_stored_sorted_as_iso_strings(tmp_path, registry):
    text = MINIMAL + """
[calendar]
holidays = ["2027-01-01", 2026-10-09]   # a string or a TOML date
workdays = ["2027-02-20"]
working_hours = ["09:00-12:00", "12:00-13:00", "14:00-18:00"]
"""
    assert load(write(tmp_path, text), registry).calendar == {
        "holidays": ["2026-10-09", "2027-01-01"],
        "workdays": ["2027-02-20"],
        "working_hours": ["09:00-12:00", "12:00-13:00", "14:00-18:00"],
    }


@pytest.mark.parametrize(("table", "field", "message"), [
    ('holidays = ["2027-02-30"]', "holidays[0]", "2027-02-30 is not a day of the calendar"),
    ('holidays = ["1 Jan 2027"]', "holidays[0]", 'must be a date "YYYY-MM-DD"'),
    ('holidays = ["20270101"]', "holidays[0]", 'must be a date "YYYY-MM-DD"'),
    ("holidays = [20270101]", "holidays[0]", 'must be a date "YYYY-MM-DD"'),
    ("holidays = [2027-01-01T08:00:00]", "holidays[0]", 'must be a date "YYYY-MM-DD"'),
    ('holidays = "2027-01-01"', "holidays", "must be an array"),
    ('holidays = ["2027-01-01", "2027-01-01"]', "holidays[1]", "2027-01-01 is listed twice"),
    ('holidays = ["2027-01-01"]\nworkdays = ["2027-01-02", "2027-01-01"]', "workdays[1]",
     "2027-01-01 is also listed under holidays"),
    ('working_hours = ["8:30-12:00"]', "working_hours[0]", 'must be a period "HH:MM-HH:MM"'),
    ('working_hours = ["08:30-12:00,13:30-17:30"]', "working_hours[0]", "HH:MM-HH:MM"),
    ('working_hours = ["12:00-08:30"]', "working_hours[0]", "12:00-08:30 ends before it starts"),
    ('working_hours = ["13:30-17:30", "08:30-12:00"]', "working_hours[1]",
     "08:30-12:00 overlaps 13:30-17:30 or comes before it"),
    ('working_hours = ["08:30-12:00", "11:30-17:30"]', "working_hours[1]", "overlaps"),
    ("working_hours = []", "working_hours", "needs at least one period"),
    ('weekend = ["sat", "sun"]', "weekend", "unknown key"),
])
def test_calendar_mistakes(table, field, message, tmp_path, registry):
    text = MINIMAL + "\n[calendar]\n" + table + "\n"

    assert message in one_error(tmp_path, text, registry, f"calendar.{field}")


def test_a_calendar_must_be_a_table(tmp_path, registry):
    text = MINIMAL.replace('case_code_prefix = "DM"', 'case_code_prefix = "DM"\ncalendar = 2027')

    assert one_error(tmp_path, text, registry, "calendar") == "must be a table"


# --- [risk] -------------------------------------------------------------------------------

def test_risk_is_stored_complete(tmp_path, registry):
    assert load(write(tmp_path, MINIMAL), registry).risk == RISK_DEFAULTS
    text = MINIMAL + """
[risk]
group_threshold = 5
keywords_red = ["跳楼", "自焚"]
"""
    risk = load(write(tmp_path, text), registry).risk

    assert risk == {**RISK_DEFAULTS, "group_threshold": 5, "keywords_red": ["跳楼", "自焚"]}
    assert list(risk) == list(RISK_DEFAULTS)


@pytest.mark.parametrize(("table", "field", "message"), [
    ("group_threshold = 1", "group_threshold", "must be at least 2"),
    ("group_threshold = true", "group_threshold", "must be an integer"),
    ('group_threshold = "10"', "group_threshold", "must be an integer"),
    ("group_threshold = 60", "group_threshold",
     "must be less than group_red_threshold (50, the default)"),
    ("group_threshold = 20\ngroup_red_threshold = 20", "group_red_threshold",
     "must be greater than group_threshold (20)"),
    ("group_red_threshold = 5", "group_red_threshold", "must be greater than group_threshold (10)"),
    ("amount_orange = -1", "amount_orange", "must be at least 0"),
    ("amount_orange = 1.5", "amount_orange", "must be an integer"),
    ("amount_red = 100", "amount_red", "must be greater than amount_orange (500000)"),
    ("amount_orange = 9000000", "amount_orange", "must be less than amount_red (5000000"),
    ("repeat_cases = 1", "repeat_cases", "must be at least 2"),
    ("repeat_window_days = 0", "repeat_window_days", "must be 1 to 3650 days"),
    ("repeat_window_days = 3651", "repeat_window_days", "must be 1 to 3650 days"),
    ('keywords_red = ""', "keywords_red", "must be an array"),
    ('keywords_red = [""]', "keywords_red[0]", "must be 1 to 50 characters"),
    ('keywords_red = [" 跳楼"]', "keywords_red[0]", "must not begin or end with a space"),
    ("keywords_red = [1]", "keywords_red[0]", "must be a string"),
    ('keywords_red = ["跳楼", "跳楼"]', "keywords_red[1]", "跳楼 is listed twice"),
    ('keywords_red = ["跳楼"]\nkeywords_orange = ["讨薪", "跳楼"]', "keywords_orange[1]",
     "'跳楼' is also a red keyword"),
    ("threshold = 5", "threshold", "unknown key"),
])
def test_risk_mistakes(table, field, message, tmp_path, registry):
    text = MINIMAL + "\n[risk]\n" + table + "\n"

    assert message in one_error(tmp_path, text, registry, f"risk.{field}")


# --- [[categories]] -----------------------------------------------------------------------

CATEGORIES_TOML = """
[[categories]]
code = "tea_garden"
names = { zh_Hans = "茶园纠纷", zh_Hant = "茶園糾紛", en = "Tea garden dispute" }
parent = "forest_land"

[[categories]]
code = "tea_garden.picking"
names = { zh_Hans = "采茶用工纠纷" }
parent = "tea_garden"

[[categories]]
code = "fishery"
names = { zh_Hans = "渔事纠纷" }
"""


def test_tenant_categories_join_the_standard_ones(tmp_path, registry):
    config = load(write(tmp_path, MINIMAL + CATEGORIES_TOML), registry)

    assert config.categories == [
        {"code": "tea_garden", "parent": "forest_land",
         "names": {"zh_Hans": "茶园纠纷", "zh_Hant": "茶園糾紛", "en": "Tea garden dispute"}},
        {"code": "tea_garden.picking", "names": {"zh_Hans": "采茶用工纠纷"},
         "parent": "tea_garden"},
        {"code": "fishery", "names": {"zh_Hans": "渔事纠纷"}},
    ]
    merged = tenant_categories(config.stored_config())
    assert merged["tea_garden.picking"].parent == "tea_garden"
    assert merged["fishery"].name("en") == "渔事纠纷"
    assert set(CATEGORIES) < set(merged)


@pytest.mark.parametrize(("edit", "field", "message"), [
    (('code = "fishery"', 'code = "labor"'), "categories[2].code",
     "'labor' is a standard category (劳动争议)"),
    (('code = "fishery"', 'code = "tea_garden"'), "categories[2].code",
     "category 'tea_garden' is declared twice (first at categories[0])"),
    (('code = "fishery"', 'code = "渔事"'), "categories[2].code",
     "must be letters, digits, '_', '.' or '-'"),
    (('names = { zh_Hans = "渔事纠纷" }', 'names = { en = "Fishery" }'),
     "categories[2].names.zh_Hans", "required key is missing"),
    (('names = { zh_Hans = "渔事纠纷" }\n', ""), "categories[2].names", "required key is missing"),
    (('parent = "forest_land"', 'parent = "woods"'), "categories[0].parent",
     "unknown category 'woods'"),
    (('parent = "forest_land"', 'parent = "fishery"'), "categories[0].parent",
     "category 'fishery' is declared below"),
    (('parent = "forest_land"', 'parent = "tea_garden"'), "categories[0].parent",
     "a category cannot be its own parent"),
    (('names = { zh_Hans = "渔事纠纷" }', 'names = { zh_Hans = "渔事纠纷" }\ncolor = "blue"'),
     "categories[2].color", "unknown key"),
])
def test_category_mistakes(edit, field, message, tmp_path, registry):
    old, new = edit
    text = MINIMAL + CATEGORIES_TOML.replace(old, new, 1)

    assert message in one_error(tmp_path, text, registry, field)


def test_categories_must_be_an_array_of_tables(tmp_path, registry):
    text = MINIMAL + '\n[categories]\ncode = "fishery"\n'

    assert "write [[categories]] entries" in one_error(tmp_path, text, registry, "categories")


# --- [[dispatch]] -------------------------------------------------------------------------

DISPATCH_TOML = """
[[categories]]
code = "tea_garden"
names = { zh_Hans = "茶园纠纷" }
parent = "forest_land"

[[dispatch]]
category = "labor"
lead = "human_resources"
assisting = ["trade_union"]

[[dispatch]]
category = "labor"
level = "village"
lead = "peoples_mediation"
assisting = ["human_resources"]

[[dispatch]]
category = "tea_garden"
lead = "peoples_mediation"

[[dispatch]]
case_type = "wage_arrears"
lead = "human_resources"

[[dispatch]]
lead = "justice"
assisting = ["peoples_mediation", "court"]
"""


def test_the_dispatch_catalog_is_stored_in_file_order(tmp_path, registry):
    config = load(write(tmp_path, MINIMAL + DEPARTMENTS + DISPATCH_TOML), registry)

    assert config.dispatch == [
        {"category": "labor", "lead": "human_resources", "assisting": ["trade_union"]},
        {"category": "labor", "level": "village", "lead": "peoples_mediation",
         "assisting": ["human_resources"]},
        {"category": "tea_garden", "lead": "peoples_mediation", "assisting": []},
        {"case_type": "wage_arrears", "lead": "human_resources", "assisting": []},
        {"lead": "justice", "assisting": ["peoples_mediation", "court"]},
    ]
    assert config.stored_config()["dispatch"] == config.dispatch
    assert "5 dispatch entries" in config.summary()


def test_the_stored_catalog_is_what_routing_reads(tmp_path, registry):
    from core.routing import match_dispatch  # noqa: PLC0415 - the consumer of the catalog

    catalog = load(write(tmp_path, MINIMAL + DEPARTMENTS + DISPATCH_TOML), registry).dispatch

    village = match_dispatch(catalog, case_type="", category="labor", level="village")
    town = match_dispatch(catalog, case_type="", category="labor", level="town")
    other = match_dispatch(catalog, case_type="", category="neighbor", level="town")
    assert (village.lead, village.assisting) == ("peoples_mediation", ("human_resources",))
    assert (town.lead, town.assisting) == ("human_resources", ("trade_union",))
    assert (other.lead, other.assisting) == ("justice", ("peoples_mediation", "court"))


@pytest.mark.parametrize(("edit", "field", "message"), [
    (('lead = "human_resources"\nassisting = ["trade_union"]\n', 'assisting = ["trade_union"]\n'),
     "dispatch[0].lead", "required key is missing"),
    (('lead = "human_resources"\nassisting = ["trade_union"]',
      'lead = "labor_bureau"\nassisting = ["trade_union"]'),
     "dispatch[0].lead", "unknown department 'labor_bureau': declare it under [[departments]]"),
    (('assisting = ["trade_union"]', 'assisting = ["chamber_of_commerce"]'),
     "dispatch[0].assisting[0]", "unknown department 'chamber_of_commerce'"),
    (('assisting = ["trade_union"]', 'assisting = ["trade_union", "human_resources"]'),
     "dispatch[0].assisting[1]", "'human_resources' leads this entry: it cannot also assist"),
    (('assisting = ["trade_union"]', 'assisting = ["trade_union", "trade_union"]'),
     "dispatch[0].assisting[1]", "'trade_union' is listed twice"),
    (('assisting = ["trade_union"]', 'assisting = "trade_union"'),
     "dispatch[0].assisting", "must be an array"),
    (('category = "tea_garden"', 'category = "tea"'), "dispatch[2].category",
     "unknown category 'tea': use a standard category or declare it under [[categories]]"),
    (('level = "village"', 'level = "grid"'), "dispatch[1].level",
     "unknown tier level 'grid' (declared: city, town, village)"),
    (('case_type = "wage_arrears"', 'case_type = "wage arrears"'), "dispatch[3].case_type",
     "must be letters, digits"),
    (('case_type = "wage_arrears"', 'case_type = ""'), "dispatch[3].case_type",
     "must be letters, digits"),
    (('case_type = "wage_arrears"', 'category = "labor"'), "dispatch[3]",
     "another entry for category = 'labor': dispatch[0] already has it"),
    (('case_type = "wage_arrears"\n', ""), "dispatch[4]",
     "a second default entry (naming no case_type, category or level); the tenant's default "
     "is dispatch[3]"),
    (('case_type = "wage_arrears"', 'case_type = "wage_arrears"\ndepartment = "court"'),
     "dispatch[3].department", "unknown key"),
])
def test_dispatch_mistakes(edit, field, message, tmp_path, registry):
    old, new = edit
    assert old in DISPATCH_TOML
    text = MINIMAL + DEPARTMENTS + DISPATCH_TOML.replace(old, new, 1)

    assert message in one_error(tmp_path, text, registry, field)


def test_a_broken_department_or_category_is_reported_once(tmp_path, registry):
    text = (MINIMAL + DEPARTMENTS + '\n[[departments]]\ncode = "tea_office"\n'
            + DISPATCH_TOML.replace('names = { zh_Hans = "茶园纠纷" }', 'names = {}')
            .replace('lead = "justice"', 'lead = "tea_office"'))

    assert set(errors_of(tmp_path, text, registry)) == {"departments[5].names",
                                                        "categories[0].names.zh_Hans"}


def test_dispatch_must_be_an_array_of_tables(tmp_path, registry):
    text = MINIMAL + DEPARTMENTS + '\n[dispatch]\nlead = "justice"\n'

    assert "write [[dispatch]] entries" in one_error(tmp_path, text, registry, "dispatch")


# --- case types from plugins ----------------------------------------------------------------

class CampusTypes:
    """A plugin declaring the case type ``campus_bullying``."""

    @hookimpl
    def onedoor_case_types(self):
        return [CaseType("campus_bullying", {"zh_Hans": "校园欺凌"})]


NAMED_DEPARTMENTS = "".join(
    f'\n[[departments]]\ncode = "{code}"\nnames = {{ zh_Hans = "{code}" }}\n'
    for code in ("justice", "human_resources"))


@pytest.fixture
def typed_registry() -> PluginRegistry:
    """No installed plugins but two declaring case types."""
    registry = PluginRegistry(eps=[])
    registry.register(LaborTypes(), "labor_types")
    registry.register(CampusTypes(), "campus_types")
    return registry


def dispatch_on(case_type: str) -> str:
    return (MINIMAL + NAMED_DEPARTMENTS + "\n[plugins.labor_types]\n"
            + f'\n[[dispatch]]\ncase_type = "{case_type}"\nlead = "human_resources"\n')


def test_case_types_are_checked_once_plugins_declare_them(tmp_path, typed_registry):
    config = load(write(tmp_path, dispatch_on("wage_arrears")), typed_registry)

    assert config.dispatch[0]["case_type"] == "wage_arrears"
    assert one_error(tmp_path, dispatch_on("wage"), typed_registry, "dispatch[0].case_type") == (
        "unknown case type 'wage'; this tenant has: wage_arrears")
    assert one_error(tmp_path, dispatch_on("campus_bullying"), typed_registry,
                     "dispatch[0].case_type") == (
        "case type 'campus_bullying' belongs to plugin campus_types, which this tenant does not "
        "enable (add [plugins.campus_types])")


def test_without_declared_case_types_any_code_is_accepted(tmp_path):
    text = dispatch_on("anything").replace("\n[plugins.labor_types]\n", "")

    config = load(write(tmp_path, text), PluginRegistry(eps=[]))

    assert config.dispatch[0]["case_type"] == "anything"


def test_a_missing_case_type_hook_means_no_check():
    class NoHooks:
        def __getattr__(self, name):
            raise AttributeError(name)

    assert _case_types(NoHooks()) == []


# --- [deadlines] rule names ----------------------------------------------------------------


class FerryRules:
    """A plugin declaring the deadline rule ``ferry_claim``."""

    @hookimpl
    def onedoor_deadline_rules(self):
        return [DeadlineRule("ferry_claim", 20, "working_days", starts_on="registered",
                             stops_on=frozenset({"accepted"}), source="test")]


@pytest.fixture
def ferry_registry() -> PluginRegistry:
    """No installed plugins but one declaring a deadline rule."""
    registry = PluginRegistry(eps=[])
    registry.register(FerryRules(), "ferry")
    return registry


FERRY_OVERRIDE = "\n[deadlines.ferry_claim]\ndays = 10\n"


def test_overrides_of_core_rules_rungs_and_enabled_plugins_load(tmp_path, ferry_registry):
    text = (MINIMAL + "\n[plugins.ferry]\n" + FERRY_OVERRIDE
            + "\n[deadlines.petition_register]\ndays = 10\n\n[deadlines.rung_2]\ndays = 9\n")

    config = load(write(tmp_path, text), ferry_registry)

    assert set(config.deadlines) == {"ferry_claim", "petition_register", "rung_2"}


def test_an_override_of_a_plugin_not_enabled_names_the_plugin(tmp_path, ferry_registry):
    message = one_error(tmp_path, MINIMAL + FERRY_OVERRIDE, ferry_registry,
                        "deadlines.ferry_claim")

    assert message == ("deadline rule 'ferry_claim' belongs to plugin ferry, which this tenant "
                       "does not enable (add [plugins.ferry])")


def test_an_override_of_no_rule_at_all_lists_the_tenants_rules(tmp_path, ferry_registry):
    message = one_error(tmp_path, MINIMAL + "\n[deadlines.xyzzy]\ndays = 3\n",
                        ferry_registry, "deadlines.xyzzy")

    assert message.startswith("unknown deadline rule 'xyzzy'; this tenant has: ")
    assert "petition_register" in message and "rung_0" in message
    assert "ferry_claim" not in message
