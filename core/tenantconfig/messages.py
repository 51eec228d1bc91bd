"""The tenant configuration's messages in the reader's language, for the administration pages.

The loader (:mod:`core.tenantconfig`) reports problems as plain English strings, which the CLI
(``onedoor tenant validate``) prints as they are. The admin pages show the same problems in the
reader's language: :data:`TEMPLATES` lists every message the loader writes, as message ids with
``%(name)s`` for the variable parts (a code, a list of codes), and :func:`translate_config`
matches a message against them, translates the template and fills the values back in — the
same pattern :func:`core.messages.translate` uses for marshmallow's own messages. A message
that matches no template is left in English. When a loader message is added or reworded, add
its template here and to the three catalogs (tests/core/tenantconfig/test_messages.py loads
broken configurations and checks that every problem reads in Chinese).
"""

from __future__ import annotations

import re
from functools import cache

from core.messages import Message, _, translate

#: Every message of the tenant loader, the tier checks and the logo checks, as templates.
TEMPLATES = (
    _("required key is missing"),
    _("unknown key"),
    _("must be a string"),
    _("must be an integer"),
    _("must be true or false"),
    _("must be an array"),
    _("must be a table"),
    _("may not be empty"),
    _("must be at most %(length)s characters"),
    _("must be letters, digits, '_', '.' or '-'"),
    _("must be 1 to %(length)s characters"),
    _("unknown time zone %(value)s (use an IANA name such as Asia/Shanghai)"),
    _("not a locale (use zh_Hans, zh_Hant or en)"),
    _("must be a table of names per locale"),
    _("not a locale for node names (use zh_Hant or en; the node's `name` is its zh_Hans name)"),
    _("must be a color #RRGGBB"),
    _("must be 3 to 20 characters"),
    _("must be digits, optionally separated by '-'"),
    _("must be lowercase pinyin: a letter, then letters, digits, '_' or '-' (2 to 40 characters)"),
    _("must be 2 to 6 capital letters or digits"),
    _("must be one of zh_Hans, zh_Hant, en"),
    _("a tenant has %(min)s to %(max)s tier levels"),
    _("must be core or specialty"),
    _("must be resident, rotating or on_call"),
    _("must be one of mon, tue, wed, thu, fri, sat, sun"),
    _("a rotating department needs the days it is present"),
    _("an on-call department needs a contact"),
    _("a day is listed twice"),
    _("%(period)s ends before it starts"),
    _("must be at most 300 characters"),
    _("must be at least 1"),
    _("needs at least one step"),
    _('must be a date "YYYY-MM-DD"'),
    _('must be a period "HH:MM-HH:MM"'),
    _("%(value)s is not a day of the calendar"),
    _("%(period)s overlaps %(previous)s or comes before it: list the periods in order of the day"),
    _("%(value)s is listed twice"),
    _("needs at least one period"),
    _("%(day)s is also listed under holidays: a day is a holiday or a working day, not both"),
    _("must not begin or end with a space"),
    _('must be "satisfied" or "satisfied_and_basic"'),
    _("must be at least 2"),
    _("must be at least 0"),
    _("must be 1 to 3650 days"),
    _("must be 1 to 50 characters"),
    _("must be greater than %(low)s (%(value)s)"),
    _("must be less than %(high)s (%(value)s, the default)"),
    _("%(word)s is also a red keyword"),
    _("file not found"),
    _("is a folder without tenant.toml"),
    _("not UTF-8 text (%(reason)s)"),
    _("malformed TOML: %(reason)s"),
    _("must be a table: [tiers]"),
    _("level %(code)s is declared twice"),
    _("must be an array of tables: write [[%(field)s]] entries"),
    _("department %(code)s is declared twice"),
    _("%(code)s is not in the department catalog of this tenant's plugins: give its names "
      "(names.zh_Hans at least)"),
    _("center %(code)s is declared twice"),
    _("unknown tier node %(code)s"),
    _("window %(code)s is listed twice"),
    _("window type %(code)s belongs to plugin %(plugin)s, which this tenant does not enable "
      "(add [plugins.%(plugin2)s])"),
    _("unknown window type %(code)s; this tenant has: %(codes)s"),
    _("unknown department %(code)s: declare it under [[departments]] first"),
    _("%(code)s is stationed here twice"),
    _("unknown tier level %(code)s (declared: %(codes)s)"),
    _("the ladder climbs the tiers: %(code)s cannot follow %(previous)s"),
    _("must be a table of [deadlines.<rule>] tables"),
    _("rule names are lowercase letters, digits and '_'"),
    _("deadline rule %(name)s belongs to plugin %(plugin)s, which this tenant does not "
      "enable (add [plugins.%(plugin2)s])"),
    _("unknown deadline rule %(name)s; did you mean %(close)s?"),
    _("unknown deadline rule %(name)s; this tenant has: %(names)s"),
    _("give the logo file relative to tenant.toml, inside its folder"),
    _("the logo must be an .svg file"),
    _("file not found: %(path)s"),
    _("the logo is not UTF-8 text"),
    _("%(code)s is a standard category (%(name)s): use it as it is, or choose another code"),
    _("category %(code)s is declared twice (first at categories[%(index)s])"),
    _("a category cannot be its own parent"),
    _("category %(code)s is declared below: declare a parent before its children"),
    _("unknown category %(code)s: use a standard category or one declared above"),
    _("unknown category %(code)s: use a standard category or declare it under [[categories]]"),
    _("a second default entry (naming no case_type, category or level); the tenant's "
      "default is dispatch[%(index)s]"),
    _("another entry for %(named)s: dispatch[%(index)s] already has it"),
    _("case type %(code)s belongs to plugin %(plugin)s, which this tenant does not enable "
      "(add [plugins.%(plugin2)s])"),
    _("unknown case type %(code)s; this tenant has: %(codes)s"),
    _("%(code)s leads this entry: it cannot also assist"),
    _("must be a table of [plugins.<name>] tables"),
    _("the enabled plugins clash: %(detail)s"),
    _("the enabled plugins clash on case types: %(detail)s"),
    _("must be a table: write [plugins.%(name)s] with its settings"),
    _("unknown plugin %(name)s; installed plugins: %(names)s"),
    _("%(name)s is an essential plugin: it runs for every tenant and cannot be disabled"),
    _("not a valid CSV file: %(detail)s"),
    _("unknown column (expected %(columns)s)"),
    _("unknown tier level %(code)s; one of %(codes)s"),
    _("the slug of a tenant cannot be changed here"),
    _("center %(code)s is still used by other records; keep it in [[centers]]"),
    _("department %(code)s is still stationed or used by other records; keep it in "
      "[[departments]]"),
    _("invalid level code %(code)s"),
    _("invalid node code %(code)s (letters, digits, _ . - only)"),
    _("duplicate node code %(code)s"),
    _("node %(code)s has unknown level %(level)s"),
    _("node %(code)s has no name"),
    _("node %(code)s has unknown parent %(parent)s"),
    _("unknown level %(code)s (declared: %(codes)s)"),
    _("unknown parent %(code)s"),
    _("the tree has a cycle: %(cycle)s"),
    _("CSV lacks column(s) %(columns)s"),
    _("the logo is larger than %(size)s kB"),
    _("DOCTYPE and ENTITY declarations are not allowed in the logo"),
    _("the logo is not well-formed XML: %(detail)s"),
    _("the logo's root element is <%(tag)s>, not <svg>"),
    _("<%(tag)s> is not allowed in the logo"),
    _("style sheets may not load outside resources"),
    _("a tenant has %(min)s to %(max)s tier levels, got %(count)s"),
    _("node %(code)s (%(level)s) must be at a level below its parent %(parent)s "
      "(%(parent_level)s)"),
)
_PLACEHOLDER = re.compile(r"%\\\(([a-z_0-9]+)\\\)s")


@cache
def _patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    """The templates as anchored patterns, the most specific (longest fixed text) first."""
    ordered = sorted(TEMPLATES, key=lambda m: len(re.sub(r"%\([a-z_0-9]+\)s", "", m)),
                     reverse=True)
    return tuple((re.compile("^" + _PLACEHOLDER.sub(r"(?P<\1>.+?)", re.escape(m)) + "$",
                             re.DOTALL), m) for m in ordered)


def config_template_of(text: str) -> tuple[str, dict[str, str]] | None:
    """The template a loader message was written from, and its values; None if none."""
    for pattern, msgid in _patterns():
        match = pattern.match(text)
        if match:
            return msgid, match.groupdict()
    return None


def translate_config(text: str) -> str:
    """A loader message in the current request's language (see the module docstring)."""
    translated = translate(text)
    if translated != text or isinstance(text, Message) or not text:
        return translated
    found = config_template_of(text)
    if found is None:
        return text
    msgid, params = found
    return translate(Message(msgid, params))
