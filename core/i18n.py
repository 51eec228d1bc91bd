"""Languages: zh_Hans (default), zh_Hant and en, through Flask-Babel.

The locale of a request is, in order: ``?lang=``, the ``lang`` cookie, the tenant's default
locale, the site default. Locale codes are the tenant.toml ones (``zh_Hans``); Babel parses them
as they are (``Locale('zh', script='Hans')``) and gettext finds ``translations/zh_Hans/``.

Message catalogs are kept as ``.po`` files under ``core/translations/<locale>/LC_MESSAGES/``, and
each plugin keeps its own under the folders its ``onedoor_translation_dirs`` hook names; the
compiled ``.mo`` files are not committed. :func:`compile_catalogs` writes them under the
instance folder at start-up, only when one is missing or older than its ``.po``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import lazy_gettext

SUPPORTED_LOCALES = ("zh_Hans", "zh_Hant", "en")
#: The ``lang`` attribute of ``<html>`` for each locale (BCP 47).
HTML_LANG = {"zh_Hans": "zh-Hans", "zh_Hant": "zh-Hant", "en": "en"}
#: Where core's ``.po`` catalogs live.
CATALOG_DIR = Path(__file__).resolve().parent / "translations"
LANG_COOKIE = "lang"

log = logging.getLogger(__name__)


def localized_names(names: dict[str, str] | None, locale: str, fallback: str = "") -> str:
    """Pick ``names[locale]``, else the zh_Hans name, else ``fallback``."""
    names = names or {}
    return names.get(locale) or names.get("zh_Hans") or fallback


def select_locale(args: Any, cookies: Any, tenant_default: str | None, site_default: str) -> str:
    """The request's locale (pure function so that it can be tested without a request)."""
    for candidate in (args.get("lang"), cookies.get(LANG_COOKIE), tenant_default):
        if candidate in SUPPORTED_LOCALES:
            return candidate
    return site_default


def compile_catalogs(source: Path, target: Path) -> Path:
    """Compile every ``<locale>/LC_MESSAGES/<domain>.po`` under ``source`` into ``target``.

    A ``.mo`` is rewritten only when it is missing or older than its ``.po``; each is written to a
    temporary file and renamed, so that several workers starting at once never read half a file.
    Fuzzy entries are left out, as gettext would. Returns ``target``.
    """
    for po_path in sorted(source.glob("*/LC_MESSAGES/*.po")):
        mo_path = target / po_path.relative_to(source).with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=po_path.parts[-3], abort_invalid=True)
        fd, tmp = tempfile.mkstemp(dir=mo_path.parent, suffix=".mo.tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                write_mo(out, catalog)
            os.replace(tmp, mo_path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        log.debug("compiled %s", mo_path)
    return target


def translation_directories(instance_path: str | Path, plugin_dirs: Iterable[str] = ()) -> str:
    """Compile core's and the plugins' catalogs under ``<instance_path>/translations``.

    Returns the value of ``BABEL_TRANSLATION_DIRECTORIES``: the compiled folders joined by
    ``;``, the plugins' first and core's last. Flask-Babel merges them in that order, later
    ones winning, so a plugin translates its own messages but never rewords core's. An instance
    folder that cannot be written (a read-only deployment) falls back to a folder in the
    system's temporary directory.
    """
    target = Path(instance_path) / "translations"
    try:
        return _compile_all(target, plugin_dirs)
    except OSError as exc:
        uid = getattr(os, "getuid", lambda: 0)()
        fallback = Path(tempfile.gettempdir()) / f"onedoor-translations-{uid}"
        log.warning("cannot write %s (%s); compiling catalogs into %s", target, exc, fallback)
        return _compile_all(fallback, plugin_dirs)


def _compile_all(target: Path, plugin_dirs: Iterable[str]) -> str:
    folders = []
    for source in dict.fromkeys(str(Path(d).resolve()) for d in plugin_dirs):
        # One compiled folder per source folder, named after its path: stable across restarts.
        digest = hashlib.sha1(source.encode(), usedforsecurity=False).hexdigest()[:12]
        folders.append(str(compile_catalogs(Path(source), target / "plugins" / digest)))
    folders.append(str(compile_catalogs(CATALOG_DIR, target)))
    return ";".join(folders)


__all__ = [
    "HTML_LANG",
    "LANG_COOKIE",
    "SUPPORTED_LOCALES",
    "compile_catalogs",
    "lazy_gettext",
    "localized_names",
    "select_locale",
    "translation_directories",
]
