"""Catalogs: complete in every language, in step with the code, compiled on start, rendered."""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask_babel import format_date, format_decimal, format_number, gettext

from core import hookimpl as i18n_hookimpl
from core import i18n
from tests.factories import make_tenant

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "msg": None, "ngettext": (1, 2), "lazy_gettext": None,
            "lazy_ngettext": (1, 2), "pgettext": ((1, "c"), 2), "npgettext": ((1, "c"), 2, 3)}
METHODS = [("core/**.py", "python"), ("core/templates/**.html", "jinja2")]
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]")


def _catalog(locale: str):
    path = i18n.CATALOG_DIR / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def _marked() -> dict[str, str]:
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        ROOT, METHODS, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        found.setdefault(msgid, f"{filename}:{lineno}")
    return found


@pytest.mark.parametrize("locale", i18n.SUPPORTED_LOCALES)
def test_every_message_is_translated_and_none_is_fuzzy(locale):
    catalog = _catalog(locale)
    assert not catalog.fuzzy, f"{locale}: the catalog header is fuzzy"
    problems = []
    for message in catalog:
        if not message.id:
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id  # plural forms
        if not all(s and s.strip() for s in strings):
            problems.append(f"untranslated: {message.id!r}")
        elif sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(strings[0])):
            problems.append(f"placeholders differ: {message.id!r}")
    assert not problems, f"{locale}: " + "; ".join(problems)


@pytest.mark.parametrize("locale", i18n.SUPPORTED_LOCALES)
def test_every_marked_string_in_core_is_in_the_catalog(locale):
    catalog = _catalog(locale)
    marked = _marked()
    assert len(marked) > 20  # the extraction itself works
    missing = [f"{msgid!r} ({where})" for msgid, where in marked.items() if msgid not in catalog]
    assert not missing, f"{locale} lacks: " + "; ".join(missing)


def test_catalogs_hold_the_same_messages():
    ids = [{m.id for m in _catalog(loc) if m.id} for loc in i18n.SUPPORTED_LOCALES]
    assert ids[0] == ids[1] == ids[2]


def test_catalogs_compile_only_when_missing_or_stale(tmp_path):
    source = tmp_path / "po"
    target = tmp_path / "mo"
    for locale in i18n.SUPPORTED_LOCALES:
        po = i18n.CATALOG_DIR / locale / "LC_MESSAGES" / "messages.po"
        (source / locale / "LC_MESSAGES").mkdir(parents=True)
        (source / locale / "LC_MESSAGES" / "messages.po").write_bytes(po.read_bytes())
    i18n.compile_catalogs(source, target)
    mo = target / "zh_Hant" / "LC_MESSAGES" / "messages.mo"
    assert mo.is_file()
    os.utime(mo, (1_000_000_000, 1_000_000_000))  # older than its .po: rebuilt
    os.utime(source / "en" / "LC_MESSAGES" / "messages.po", (900_000_000, 900_000_000))
    en_mo = target / "en" / "LC_MESSAGES" / "messages.mo"
    en_mtime = en_mo.stat().st_mtime
    i18n.compile_catalogs(source, target)
    assert mo.stat().st_mtime > 1_000_000_000
    assert en_mo.stat().st_mtime == en_mtime  # up to date: left alone


def test_the_app_compiles_into_its_instance_folder(make_app, sqlite_url, tmp_path):
    app = make_app(sqlite_url, instance_path=str(tmp_path / "instance"))
    directory = Path(app.config["BABEL_TRANSLATION_DIRECTORIES"].split(";")[-1])
    assert directory == tmp_path / "instance" / "translations"
    assert sorted(p.parent.parent.name for p in directory.glob("*/LC_MESSAGES/messages.mo")) == \
        sorted(i18n.SUPPORTED_LOCALES)


@pytest.mark.parametrize(("locale", "date_text", "number_text", "not_found"), [
    ("zh_Hans", "2025年3月1日", "1,234,567.5", "未找到"),
    ("zh_Hant", "2025年3月1日", "1,234,567.5", "未找到"),
    ("en", "Mar 1, 2025", "1,234,567.5", "Not found"),
])
def test_locale_codes_resolve_and_format(app, locale, date_text, number_text, not_found):
    parsed = Locale.parse(locale)
    assert str(parsed) == locale
    assert parsed.script == {"zh_Hans": "Hans", "zh_Hant": "Hant", "en": None}[locale]
    with app.test_request_context(f"/?lang={locale}"):
        assert format_date(datetime.date(2025, 3, 1)) == date_text
        assert format_decimal(1234567.5) == number_text
        assert format_number(1234567) == "1,234,567"
        assert gettext("Not found") == not_found


def test_traditional_and_simplified_differ(app):
    with app.test_request_context("/?lang=zh_Hant"):
        assert gettext("Tiers") == "層級"
        assert format_date(datetime.date(2025, 3, 1), "EEEE") == "星期六"
    with app.test_request_context("/?lang=zh_Hans"):
        assert gettext("Tiers") == "层级"


@pytest.mark.parametrize(("locale", "html_lang", "chrome"), [
    ("zh_Hans", "zh-Hans",
     ["首页", "层级", "综治中心", "跳到主要内容", "热线", "一扇门 —— 只进一扇门，能解所有纷"]),
    ("zh_Hant", "zh-Hant",
     ["首頁", "層級", "綜治中心", "跳到主要內容", "熱線", "一扇門 —— 只進一扇門，能解所有紛"]),
    ("en", "en", ["Home", "Tiers", "Centers", "Skip to main content", "Hotline",
                  "OneDoor — enter one door, settle every dispute"]),
])
def test_each_locale_renders_the_tenant_home_with_translated_chrome(app, locale, html_lang, chrome):
    tenant_id = make_tenant(app.extensions["onedoor"].database, "alpha")
    from core.models import Tenant

    with app.extensions["onedoor"].database.transaction() as session:
        tenant = session.get(Tenant, tenant_id)
        tenant.config = {**tenant.config, "branding": {"hotline": "12345"}}
        tenant.config_version += 1
    html = app.test_client().get(f"/alpha/?lang={locale}").get_data(as_text=True)
    assert f'<html lang="{html_lang}">' in html
    for text in chrome:
        assert text in html, (locale, text)
    others = {"zh_Hans": "Skip to main content", "zh_Hant": "跳到主要内容", "en": "首页"}
    assert others[locale] not in html


# --- plugins' own catalogs -------------------------------------------------------------------

PLUGIN_METHODS = [("**.py", "python"), ("templates/**.html", "jinja2")]


def _plugin_catalogs(registry) -> list[tuple[str, Path]]:
    """(plugin name, catalog folder) for every installed plugin that ships catalogs."""
    found = []
    for name in sorted(registry.infos):
        for batch in registry.hooks_of(name).onedoor_translation_dirs():
            found.extend((name, Path(folder)) for folder in batch or [])
    return found


def test_every_plugin_catalog_is_complete_in_every_language(registry):
    problems = []
    for name, folder in _plugin_catalogs(registry):
        catalogs = {}
        for locale in i18n.SUPPORTED_LOCALES:
            path = folder / locale / "LC_MESSAGES" / "messages.po"
            if not path.is_file():
                problems.append(f"{name}: no {locale} catalog at {path}")
                continue
            with path.open("rb") as fh:
                catalogs[locale] = read_po(fh, locale=locale)
        for locale, catalog in catalogs.items():
            for message in catalog:
                if message.id and (message.fuzzy or not message.string):
                    problems.append(f"{name} {locale}: untranslated {message.id!r}")
        # Everything the plugin marks, in its Python and templates, is in each catalog.
        package = folder.parent
        for filename, lineno, message, _c, _x in extract_from_dir(
                package, PLUGIN_METHODS, keywords=KEYWORDS):
            msgid = message[0] if isinstance(message, tuple) else message
            for locale, catalog in catalogs.items():
                if msgid not in catalog:
                    problems.append(f"{name} {locale} lacks {msgid!r} ({filename}:{lineno})")
    assert not problems, "; ".join(problems)


class _CatalogPlugin:
    """A plugin shipping one catalog, translating its own message and (trying to) core's."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @i18n_hookimpl
    def onedoor_translation_dirs(self):
        return [str(self.folder)]


def _write_catalog(folder: Path, entries: dict[str, str], locale: str) -> None:
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    catalog = Catalog(locale=locale)
    for msgid, text in entries.items():
        catalog.add(msgid, text)
    path = folder / locale / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True)
    with path.open("wb") as fh:
        write_po(fh, catalog)


def test_a_plugin_translates_its_own_messages_but_never_rewords_cores(tmp_path, sqlite_url):
    from core.app import create_app
    from core.plugins import PluginRegistry
    from core.settings import load_settings

    folder = tmp_path / "plugin" / "translations"
    _write_catalog(folder, {"Fishing vessel": "渔船", "Not found": "找不着"}, "zh_Hans")
    registry = PluginRegistry()
    registry.register(_CatalogPlugin(folder), "catalog_plugin")
    app = create_app(load_settings(), registry=registry, database_url=sqlite_url,
                     instance_path=str(tmp_path / "instance"))
    try:
        with app.test_request_context("/?lang=zh_Hans"):
            assert gettext("Fishing vessel") == "渔船"
            assert gettext("Not found") == "未找到"  # core's wording stands
        with app.test_request_context("/?lang=en"):
            assert gettext("Fishing vessel") == "Fishing vessel"
    finally:
        app.extensions["onedoor"].database.dispose()
