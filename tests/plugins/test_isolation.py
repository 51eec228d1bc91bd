"""Every installed plugin exists only for the tenants that enable it — checked for each one.

Generic over ``PluginRegistry().optional`` (the built-in plugins, the example third-party one
when installed, and whatever plugin is installed next): for tenant ``off``, which does not
enable plugin P, P's case types are not offered (intake, the workbench form, Open311 services,
the OpenAPI document), its routes answer 404, its indicators and case-page panels are absent,
its templates live in its own namespace behind those routes, and its tables' rows of tenant
``on`` are invisible (ORM criteria on SQLite, row-level security on PostgreSQL) — while tenant
``on`` sees them all.
Each plugin also imports nothing from core but ``core.toolkit`` and ``core.hookspecs``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Table, func, select, text
from werkzeug.routing import IntegerConverter

from core import indicators
from core.cases import CaseInvalid
from core.db import Base, TenantScoped
from core.plugins import PluginRegistry
from core.testing.imports import private_core_imports
from core.testing.rows import insert_row, mapped_model
from core.testing.tenants import PASSWORD, make_staff, make_tenant
from core.testing.web import csrf_of, sign_in
from tests.factories import add_case_rows

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = PluginRegistry()
OPTIONAL = REGISTRY.optional


def tenant_settings(name: str) -> dict[str, Any]:
    """The plugin's settings from the first demo tenant that configures it, else none."""
    for path in sorted((ROOT / "tenants").glob("*/tenant.toml")):
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("plugins", {}).get(name)
        if table is not None:
            return {k: v for k, v in table.items() if k != "enabled"}
    return {}


def own(hook: str, name: str) -> list[Any]:
    """What plugin ``name`` alone returns from ``hook``, flattened."""
    return [item for batch in getattr(REGISTRY.hooks_of(name), hook)() for item in batch or []]


def package_of(name: str) -> str:
    """The import package of plugin ``name`` (``plugins.maritime``)."""
    module = REGISTRY.infos[name].module
    return module.__package__ or module.__name__.rpartition(".")[0]


@pytest.fixture(params=OPTIONAL)
def onedoor_plugin(request: pytest.FixtureRequest) -> str:
    """Each optional plugin in turn, as the plugin of the shipped ``plugin_tenant`` fixture."""
    return request.param


@pytest.fixture
def onedoor_plugin_settings(onedoor_plugin: str) -> dict[str, Any]:
    """Settings a demo tenant gives the plugin (validated by ``plugin_tenant``)."""
    return tenant_settings(onedoor_plugin)


def test_every_plugin_is_covered() -> None:
    assert {"labor_arbitration", "financial_mediation", "scenic_area", "campus",
            "maritime"} <= set(OPTIONAL)


# --- case types ---------------------------------------------------------------------------------


def test_its_case_types_are_offered_only_where_it_is_enabled(plugin_tenant, client, make_case):
    codes = sorted(t.code for t in own("onedoor_case_types", plugin_tenant.plugin))
    if not codes:
        pytest.skip(f"{plugin_tenant.plugin} declares no case type")
    assert set(codes) <= set(plugin_tenant.case_types("on"))
    assert not set(codes) & set(plugin_tenant.case_types("off"))
    for code in codes:
        with pytest.raises(CaseInvalid) as refused:
            make_case(case_type=code, tenant="off")
        assert "case_type" in refused.value.fields
        assert plugin_tenant.read_case(make_case(case_type=code))["case_type"] == code
    for slug, offered in (("on", True), ("off", False)):
        services = {s["service_code"] for s in
                    client.get(f"/{slug}/open311/v2/services.json").get_json()}
        assert (set(codes) <= services) is offered and bool(set(codes) & services) is offered
        status = client.get(f"/{slug}/open311/v2/services/{codes[0]}.json").status_code
        assert (status == 200) is offered, (slug, status)
        document = client.get(f"/{slug}/api/v1/openapi.json").get_json()
        schemas = document["components"]["schemas"]
        for code in codes:
            assert (code in document["x-case-types"]) is offered
            assert (code in schemas["CaseIn"]["properties"]["case_type"]["enum"]) is offered
            if not offered:
                assert f"Details_{code}" not in schemas


def test_its_case_types_are_on_the_intake_form_only_where_it_is_enabled(plugin_tenant,
                                                                        staff_client):
    types = own("onedoor_case_types", plugin_tenant.plugin)
    if not types:
        pytest.skip(f"{plugin_tenant.plugin} declares no case type")
    make_staff(plugin_tenant.database, plugin_tenant.off.id, "staff")
    elsewhere = plugin_tenant.app.test_client()
    sign_in(elsewhere, "off", "staff", PASSWORD)
    for client, slug, offered in ((staff_client, "on", True), (elsewhere, "off", False)):
        page = client.get(f"/{slug}/workbench/intake?lang=en").get_data(as_text=True)
        for case_type in types:
            assert (f'value="{case_type.code}"' in page) is offered, (slug, case_type.code)


# --- routes and templates -----------------------------------------------------------------------


def _plugin_rules(app, name: str) -> list[Any]:
    return [r for r in app.url_map.iter_rules()
            if r.endpoint.split(".")[0] in {f"plugin_{name}"}
            or r.endpoint.startswith(f"plugin_{name}_")]


def _path(app, rule, slug: str) -> str:
    values = {arg: 1 if isinstance(rule._converters.get(arg), IntegerConverter) else "x"
              for arg in rule.arguments if arg != "tenant"}
    if "filename" in rule.arguments:
        values["filename"] = "x.css"
    with app.test_request_context():
        return app.url_map.bind("localhost").build(rule.endpoint, {"tenant": slug, **values})


def test_its_routes_answer_404_where_it_is_not_enabled(plugin_tenant, client):
    app = plugin_tenant.app
    rules = _plugin_rules(app, plugin_tenant.plugin)
    if not rules:
        pytest.skip(f"{plugin_tenant.plugin} has no routes")
    token = csrf_of(client.get("/off/login").get_data(as_text=True))
    for rule in rules:
        path = _path(app, rule, "off")
        for method in sorted(rule.methods - {"OPTIONS", "HEAD"}):
            data = {"csrf_token": token} if method != "GET" else None
            response = client.open(path, method=method, data=data)
            assert response.status_code == 404, (method, path, response.status_code)
    index = [r for r in rules if r.rule == f"/<tenant>/plugins/{plugin_tenant.plugin}/"]
    if index:
        assert client.get(_path(app, index[0], "on")).status_code == 200


def test_its_templates_live_in_its_own_namespace_behind_its_routes(plugin_tenant):
    name = plugin_tenant.plugin
    folders = [Path(b.root_path) / b.template_folder
               for b in own("onedoor_blueprints", name) if b.template_folder]
    templates = [p for folder in folders if folder.is_dir() for p in folder.rglob("*")
                 if p.is_file()]
    if not templates:
        pytest.skip(f"{name} ships no templates of its own")
    for folder in folders:
        strays = [p for p in templates if p.is_relative_to(folder)
                  and p.relative_to(folder).parts[0] != name]
        # All blueprints share one template search path: outside templates/<plugin>/ a
        # template could shadow core's (or another plugin's) for every tenant.
        assert not strays, f"{name}: templates outside templates/{name}/: {strays}"


# --- indicators ---------------------------------------------------------------------------------


def test_its_indicators_exist_only_where_it_is_enabled(plugin_tenant):
    codes = {i.definition.code for i in own("onedoor_indicators", plugin_tenant.plugin)}
    if not codes:
        pytest.skip(f"{plugin_tenant.plugin} declares no indicator")
    assert codes <= set(indicators.definitions(plugin_tenant.on))
    assert not codes & set(indicators.definitions(plugin_tenant.off))
    for tenant, shown in ((plugin_tenant.on, True), (plugin_tenant.off, False)):
        with plugin_tenant.database.transaction(tenant.id) as session:
            figures = indicators.compute(session, tenant).figures
        assert (codes <= set(figures)) is shown and bool(codes & set(figures)) is shown


def test_its_case_panels_are_asked_for_only_where_it_is_enabled(plugin_tenant):
    module = REGISTRY.infos[plugin_tenant.plugin].module
    if not hasattr(module, "onedoor_case_panels"):
        pytest.skip(f"{plugin_tenant.plugin} adds no case-page panel")

    def implementers(tenant) -> set[Any]:
        return {impl.plugin for impl in tenant.hooks.onedoor_case_panels.get_hookimpls()}

    assert module in implementers(plugin_tenant.on)
    assert module not in implementers(plugin_tenant.off)


# --- tables -------------------------------------------------------------------------------------


def plugin_tables() -> list[tuple[str, Table]]:
    """(plugin, table) for every table a plugin's models map or whose name it prefixes."""
    found: dict[str, tuple[str, Table]] = {}
    for name in OPTIONAL:
        package = package_of(name)
        for mapper in Base.registry.mappers:
            module = mapper.class_.__module__
            if module == package or module.startswith(package + "."):
                found[mapper.local_table.name] = (name, mapper.local_table)
        for table_name, table in Base.metadata.tables.items():
            if table_name.startswith(f"{name}_"):
                found.setdefault(table_name, (name, table))
    return sorted(found.values(), key=lambda pair: pair[1].name)


TABLES = plugin_tables()


@pytest.mark.parametrize(("plugin", "table"), TABLES,
                         ids=[f"{p}:{t.name}" for p, t in TABLES])
def test_its_rows_of_one_tenant_are_invisible_to_another(plugin: str, table: Table,
                                                         database) -> None:
    model = mapped_model(table)
    assert "tenant_id" in table.c, f"{table.name} is tenant data: it needs tenant_id"
    assert model is not None and issubclass(model, TenantScoped), (
        f"{table.name}: map it with a toolkit.TenantScoped model, so the session filters it")
    on = make_tenant(database, "on", plugins={plugin: REGISTRY.load_settings(
        plugin, tenant_settings(plugin))})
    off = make_tenant(database, "off")
    add_case_rows(database, on)
    add_case_rows(database, off)
    with database.transaction(on) as session:
        insert_row(session, model)
    for tenant, expected in ((on, 1), (off, 0)):
        with database.transaction(tenant) as session:
            # The ORM's tenant criteria: the only guard on SQLite, the first on PostgreSQL.
            assert session.scalar(select(func.count()).select_from(model)) == expected
            if database.is_postgresql:  # row-level security: even raw SQL sees nothing
                raw = session.execute(text(f"SELECT count(*) FROM {table.name}")).scalar()
                assert raw == expected, (table.name, tenant, raw)


# --- imports ------------------------------------------------------------------------------------


def _packages() -> list[Path]:
    folders = {p.parent for p in (ROOT / "plugins").glob("*/plugin.py")}
    folders.add(ROOT / "tests" / "example_plugin" / "onedoor_example_notary")
    for name in OPTIONAL:
        folders.add(Path(REGISTRY.infos[name].module.__file__).parent)
    return sorted(folders)


@pytest.mark.parametrize("package", _packages(), ids=lambda p: p.name)
def test_it_imports_nothing_from_core_but_the_toolkit_and_the_hookspecs(package: Path) -> None:
    assert private_core_imports(package) == []


def test_the_import_check_catches_a_private_import(tmp_path: Path) -> None:
    (tmp_path / "plugin.py").write_text("from core.toolkit import hookimpl\n"
                                        "from core.models import Case\nimport core.db\n"
                                        "from core import cases\n")
    assert private_core_imports(tmp_path) == ["plugin.py: core.models", "plugin.py: core.db",
                                              "plugin.py: core.cases"]
