"""The loader's messages read in the administrator's language on the admin pages.

The CLI prints them in English (test_bad_input); the admin pages pass each through
:func:`core.tenantconfig.messages.translate_config`. Every mistake of test_bad_input is made
again here and each problem it reports must come out in Chinese, with its codes kept.
"""

from __future__ import annotations

import re

import pytest

from core.tenantconfig import ConfigErrors, load
from core.tenantconfig.messages import TEMPLATES, config_template_of, translate_config
from tests.core.tenantconfig.test_bad_input import CASES

_HAN = re.compile(r"[\u4e00-\u9fff]")
#: Messages a plugin's settings schema writes: translated by the plugin's catalog, not here.
_PLUGIN_OWN = {"invalid plugin settings"}


@pytest.fixture
def app(make_app, sqlite_url):
    return make_app(sqlite_url)


def _problems(case, tenant_copy, registry) -> list[str]:
    folder = tenant_copy("haizhou")
    toml = folder / "tenant.toml"
    toml.write_text(case.edit(toml.read_text(encoding="utf-8"), folder), encoding="utf-8")
    with pytest.raises(ConfigErrors) as raised:
        load(folder, registry)
    return [error.message for error in raised.value.errors]


@pytest.mark.parametrize("name", [n for n in CASES if n not in _PLUGIN_OWN])
def test_every_loader_problem_reads_in_chinese(name, app, tenant_copy, registry):
    problems = _problems(CASES[name], tenant_copy, registry)

    for locale in ("zh_Hans", "zh_Hant"):
        with app.test_request_context(f"/?lang={locale}"):
            translated = [translate_config(problem) for problem in problems]
        for english, words in zip(problems, translated, strict=True):
            assert _HAN.search(words), f"{locale}: {english!r} stays {words!r}"


def test_the_codes_in_a_message_are_kept_and_english_readers_get_the_loaders_words(app):
    english = "unknown window type 'teahouse'; this tenant has: general_intake, labor"

    with app.test_request_context("/?lang=zh_Hans"):
        chinese = translate_config(english)
    with app.test_request_context("/?lang=en"):
        same = translate_config(english)

    assert chinese == "未知的窗口类型 'teahouse'；本租户可用：general_intake, labor"
    assert same == english


def test_a_message_no_template_knows_is_left_as_it_is(app):
    with app.test_request_context("/?lang=zh_Hans"):
        assert translate_config("the moon is made of cheese") == "the moon is made of cheese"


def test_each_template_is_matched_as_itself():
    for template in TEMPLATES:
        filled = re.sub(r"%\([a-z_0-9]+\)s", "X", template)
        assert config_template_of(filled)[0] == template or "%(" not in template
