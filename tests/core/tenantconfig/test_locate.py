"""The locator maps a field path of a TOML document to the line where it is written, falling
back to the nearest enclosing table when the field itself is absent."""

from core.tenantconfig.locate import TomlLocator

DOCUMENT = '''# comment
slug = "demo"   # trailing comment
"quoted" = 'x'
text = """
several
lines
"""

[names]
zh_Hans = "示例"

[tiers]
levels = [
  { code = "city", names = { en = "City" } },
  # a comment between elements
  { code = "county" },
]

[[tiers.nodes]]
code = "a"

[[tiers.nodes]]
code = "b"
parent = "a"

[[centers]]
code = "C1"
windows = ["general_intake", "legal_aid"]

[[centers.stationed]]
department = "court"

[[centers]]
code = "C2"
windows = [
  "general_intake",
  "maritime",
]

[[centers.stationed]]
department = "justice"

[[centers.stationed]]
department = "health"

[plugins.maritime]
ports = ["定海港"]
'''


def line(path: str) -> int:
    return TomlLocator(DOCUMENT).line_of(path)


def test_keys_and_tables():
    assert line("slug") == 2
    assert line("quoted") == 3
    assert line("names") == 9
    assert line("names.zh_Hans") == 10
    assert line("plugins.maritime.ports") == 47


def test_multiline_strings_do_not_shift_lines():
    assert line("text") == 4
    assert line("names.zh_Hans") == 10


def test_arrays_of_tables_are_counted_per_parent():
    assert line("tiers.nodes[1].parent") == 24
    assert line("centers[1].code") == 34
    assert line("centers[1].stationed[0].department") == 41
    assert line("centers[1].stationed[1].department") == 44
    assert line("centers[0].stationed[0].department") == 31


def test_array_elements_and_inline_tables():
    assert line("tiers.levels[0].names.en") == 14
    assert line("tiers.levels[1].code") == 16
    assert line("centers[1].windows[1]") == 37
    assert line("centers[0].windows[1]") == 28


def test_absent_fields_fall_back_to_the_nearest_table():
    assert line("tiers.nodes[0].level") == 19
    assert line("centers[1].stationed[1].mode") == 43
    assert line("plugins.maritime.fishery_mediation") == 46
    assert line("branding.primary_color") == 1
