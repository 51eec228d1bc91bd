"""Plugins: discovered through entry points, enabled per tenant, called through cached proxies.

Installed is not enabled. A plugin found under ``onedoor.plugins`` is registered once; a tenant
that has not enabled it never sees its windows, its routes or its hooks running.
"""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from marshmallow import ValidationError

from core.app import create_app
from core.cli import build_cli
from core.cli.plugins import ALL_TENANTS, NOT_MIGRATED
from core.db import Database
from core.models import Tenant, TenantPlugin
from core.plugins import PluginError, PluginRegistry
from core.settings import load_settings
from tests.factories import make_tenant

TESTPLUG_MODULE = textwrap.dedent(
    '''
    """A plugin that exists only in this test; it imports nothing but the public surface."""

    from flask import Blueprint
    from marshmallow import RAISE, Schema, fields

    from core.toolkit import WindowType, current_tenant, hookimpl

    NAMES = {"zh_Hans": "测试插件", "zh_Hant": "測試插件", "en": "Test plugin"}
    WINDOW_CALLS = []


    class Settings(Schema):
        class Meta:
            unknown = RAISE

        greeting = fields.String(load_default="hello")


    @hookimpl
    def onedoor_window_types():
        WINDOW_CALLS.append(1)
        return [WindowType("testplug_window", {"zh_Hans": "测试窗口", "en": "Test window"})]


    @hookimpl
    def onedoor_settings_schema():
        return Settings()


    @hookimpl
    def onedoor_blueprints():
        bp = Blueprint("testplug", __name__)

        @bp.get("/")
        def index():
            tenant = current_tenant()
            return f"{tenant.plugins['testplug']['greeting']} from {tenant.slug}"

        return [bp]
    '''
)


@pytest.fixture
def testplug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, registry: PluginRegistry
) -> Iterator[Path]:
    """Install ``testplug`` 1.2.3 the way pip would: a dist-info with an entry point, on sys.path.

    The session's ``registry`` is built first, so that only this test's registry sees testplug.
    """
    site = tmp_path / "site-packages"
    dist_info = site / "testplug-1.2.3.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: testplug\nVersion: 1.2.3\n")
    (dist_info / "entry_points.txt").write_text("[onedoor.plugins]\ntestplug = testplug_module\n")
    (site / "testplug_module.py").write_text(TESTPLUG_MODULE)
    monkeypatch.syspath_prepend(str(site))
    yield site
    sys.modules.pop("testplug_module", None)


@pytest.fixture
def testplug_app(testplug: Path, database_url: str) -> Iterator[Flask]:
    """An app whose registry was discovered from entry points while testplug was installed."""
    app = create_app(load_settings(), registry=PluginRegistry(), database_url=database_url)
    app.config["TESTING"] = True
    yield app
    app.extensions["onedoor"].database.dispose()


def test_a_plugin_installed_through_its_entry_point_works_only_for_tenants_enabling_it(
    testplug_app: Flask,
) -> None:
    onedoor = testplug_app.extensions["onedoor"]
    registry = onedoor.registry
    info = registry.infos["testplug"]
    assert (info.version, info.distribution, info.essential) == ("1.2.3", "testplug", False)
    assert registry.hook_names("testplug") == [
        "onedoor_blueprints", "onedoor_settings_schema", "onedoor_window_types",
    ]

    settings = registry.load_settings("testplug", {"greeting": "你好"})
    make_tenant(onedoor.database, "a", plugins={"testplug": settings})
    make_tenant(onedoor.database, "b")
    calls = info.module.WINDOW_CALLS
    client = testplug_app.test_client()

    tenant_a = onedoor.directory.get("a")
    assert "testplug_window" in tenant_a.window_types()
    assert len(calls) == 1
    page = client.get("/a/plugins/testplug/")
    assert (page.status_code, page.get_data(as_text=True)) == (200, "你好 from a")

    calls.clear()
    tenant_b = onedoor.directory.get("b")
    assert "testplug_window" not in tenant_b.window_types()
    assert "general_intake" in tenant_b.window_types()
    assert client.get("/b/plugins/testplug/").status_code == 404
    assert client.get("/b/").status_code == 200
    assert calls == [], "testplug's hook ran for a tenant that has not enabled it"


def test_hook_proxies_are_shared_by_equal_plugin_sets_and_follow_configuration_changes(
    database_url: str, make_app,
) -> None:
    app = make_app(database_url)
    onedoor = app.extensions["onedoor"]
    make_tenant(onedoor.database, "a", plugins={"maritime": {}})
    make_tenant(onedoor.database, "b", plugins={"maritime": {}})
    c = make_tenant(onedoor.database, "c", plugins={"campus": {}})
    directory = onedoor.directory

    tenant_a, tenant_b, tenant_c = (directory.get(slug) for slug in "abc")
    assert tenant_a.hooks is tenant_b.hooks
    assert tenant_a.hooks.onedoor_window_types is tenant_b.hooks.onedoor_window_types
    assert tenant_a.hooks is not tenant_c.hooks
    assert directory.get("a") is tenant_a, "an unchanged tenant is served from the cache"

    client = app.test_client()
    assert client.get("/c/plugins/maritime/").status_code == 404

    # Enabling a plugin is a data change plus a new config_version (what `tenant apply` does).
    with onedoor.database.transaction(c) as session:
        session.add(TenantPlugin(plugin="maritime", settings={}))
    with onedoor.database.transaction() as session:
        session.get(Tenant, c).config_version += 1

    assert client.get("/c/plugins/maritime/").status_code == 200
    changed = directory.get("c")
    assert changed.hooks is not tenant_c.hooks
    assert {"campus", "maritime"} <= changed.window_types().keys()
    assert directory.get("a").hooks is tenant_a.hooks, "other tenants keep their proxy"


def test_two_apps_in_one_process_both_serve_and_guard_a_plugins_page(
    database_url: str, make_app, registry: PluginRegistry,
) -> None:
    # The built-in plugins return one module-level blueprint to every app: core must guard it per
    # app without changing it (Flask refuses to change a blueprint another app registered).
    first, second = make_app(database_url), make_app(database_url)
    make_tenant(first.extensions["onedoor"].database, "on", plugins={"maritime": {}})
    make_tenant(first.extensions["onedoor"].database, "off")

    for app in (first, second):
        client = app.test_client()
        page = client.get("/on/plugins/maritime/?lang=en")
        assert page.status_code == 200
        assert "Maritime and fishery disputes" in page.get_data(as_text=True)
        assert client.get("/off/plugins/maritime/").status_code == 404
        assert len(app.before_request_funcs["plugin_maritime"]) == 1
    blueprints = registry.infos["maritime"].module.onedoor_blueprints()
    assert blueprints[0] is registry.infos["maritime"].module.PAGE
    for blueprint in blueprints:
        assert not blueprint.before_request_funcs, "core changed the plugin's blueprint"


def test_essential_plugins_run_for_every_tenant_and_cannot_be_left_out(
    database_url: str, make_app, registry: PluginRegistry,
) -> None:
    assert registry.essential == {"core_catalog", "core_lifecycle"}
    assert not registry.essential & set(registry.optional)
    app = make_app(database_url)
    onedoor = app.extensions["onedoor"]
    make_tenant(onedoor.database, "bare")
    make_tenant(onedoor.database, "full", plugins={name: {} for name in registry.optional})

    for slug in ("bare", "full"):
        tenant = onedoor.directory.get(slug)
        assert {"general_intake", "legal_aid"} <= tenant.window_types().keys()
        assert {"court", "justice", "peoples_mediation"} <= tenant.department_catalog().keys()
    assert "general_intake" in {w.code for ws in registry.hooks_for([]).onedoor_window_types()
                                for w in ws}


def test_settings_are_validated_by_the_plugins_schema_and_errors_name_the_key(
    registry: PluginRegistry,
) -> None:
    given = {"arbitration_commission": "杭州市仲裁委"}
    assert registry.load_settings("labor_arbitration", given) == {
        "arbitration_commission": "杭州市仲裁委", "mediation_days": 15, "award_days": 45,
    }
    with pytest.raises(ValidationError) as error:
        registry.load_settings("labor_arbitration", {"mediation_days": 0, "colour": "red"})
    messages = error.value.messages
    assert set(messages) == {"arbitration_commission", "mediation_days", "colour"}
    assert messages["mediation_days"] == ["Give a number of days from 1 to 60."]
    assert "arbitration_commission" in messages["colour"][0], "the message lists the known keys"

    with pytest.raises(PluginError, match="core_catalog.*takes no settings"):
        registry.load_settings("core_catalog", {"anything": 1})
    with pytest.raises(PluginError, match="unknown plugin.*nosuch.*installed: "):
        registry.check_enablement(["maritime", "nosuch"])


def _run_list(database_url: str, *args: str):
    result = CliRunner().invoke(
        build_cli(), ["plugins", "list", *args], env={"ONEDOOR_DATABASE_URL": database_url}
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_plugins_list_shows_versions_hooks_and_the_tenants_enabling_each_plugin(
    database_url: str, registry: PluginRegistry,
) -> None:
    database = Database(database_url)
    make_tenant(database, "hangzhou", plugins={"labor_arbitration": {}, "financial_mediation": {}})
    make_tenant(database, "zhoushan", plugins={"maritime": {}, "campus": {}, "retired": {}})
    make_tenant(database, "haizhou", plugins={"campus": {}}, enabled=False)
    database.dispose()

    listing = json.loads(_run_list(database_url, "--format", "json"))
    plugins = {p["name"]: p for p in listing["plugins"]}
    assert set(plugins) == set(registry.infos)
    assert plugins["labor_arbitration"]["version"] == version("onedoor")
    assert plugins["labor_arbitration"]["hooks"] == registry.hook_names("labor_arbitration")
    assert "onedoor_window_types" in plugins["maritime"]["hooks"]
    assert plugins["labor_arbitration"]["tenants"] == ["hangzhou"]
    assert plugins["campus"]["tenants"] == ["haizhou", "zhoushan"]
    assert plugins["scenic_area"]["tenants"] == []
    assert plugins["core_catalog"]["essential"] and plugins["core_catalog"]["all_tenants"]
    assert listing["disabled_tenants"] == ["haizhou"]
    assert listing["not_installed"] == {"retired": ["zhoushan"]}

    table = _run_list(database_url).splitlines()
    assert table[0].split() == ["PLUGIN", "VERSION", "ESSENTIAL", "HOOKS", "TENANTS"]
    rows = {line.split()[0]: line for line in table[1:] if line and not line.startswith(" ")}
    assert rows["core_catalog"].split()[1:3] == [registry.infos["core_catalog"].version, "yes"]
    assert rows["core_catalog"].endswith(ALL_TENANTS)
    assert rows["labor_arbitration"].split()[1:] == [
        version("onedoor"), "no", registry.hook_names("labor_arbitration")[0], "hangzhou",
    ]
    assert any(line.strip() == "onedoor_window_types" for line in table)
    assert any("haizhou (tenant disabled)" in line for line in table)
    assert table[-1] == "warning: plugin retired is enabled by zhoushan but not installed"


@pytest.mark.parametrize("existing", [False, True], ids=["no file", "empty file"])
def test_plugins_list_works_before_the_database_is_migrated(tmp_path: Path, existing: bool) -> None:
    path = tmp_path / "fresh.sqlite3"
    if existing:
        path.touch()
    table = _run_list(f"sqlite:///{path}")
    assert "labor_arbitration" in table
    assert NOT_MIGRATED in table
    assert path.exists() == existing, "listing must not create a database"
