"""Plugins: the installed list, enabling with settings from the plugin's schema, disabling."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from core import hookimpl
from core.casetypes import CaseType
from core.plugins import PluginRegistry
from core.settings import load_settings
from tests.core.admin.conftest import Admin, build


class TeaSettings(Schema):
    """A test plugin's settings: a required name, a bounded number, a list."""

    class Meta:
        """Unknown keys are refused, as the built-in plugins' schemas do."""

        unknown = RAISE

    association = fields.String(required=True, validate=validate.Length(min=1, max=50),
                                metadata={"names": {"zh_Hans": "茶叶协会", "en": "Association"}})
    days = fields.Integer(strict=True, load_default=10,
                          validate=validate.Range(min=1, max=30, error="from {min} to {max}"),
                          metadata={"names": {"zh_Hans": "期限", "en": "Days"}})
    gardens = fields.List(fields.String(), load_default=list,
                          metadata={"names": {"zh_Hans": "茶园", "en": "Tea gardens"}})


class TeaPlugin:
    """A plugin bringing one case type, installed for the test only."""

    NAMES = {"zh_Hans": "茶叶纠纷", "en": "Tea disputes"}
    INTRO = {"zh_Hans": "茶叶买卖纠纷调解。", "en": "Mediation of tea trade disputes."}

    @hookimpl
    def onedoor_settings_schema(self):
        return TeaSettings()

    @hookimpl
    def onedoor_case_types(self):
        return [CaseType("tea_dispute", {"zh_Hans": "茶叶纠纷", "en": "Tea dispute"})]


def _tea_site(make_app, sqlite_url, tmp_path) -> Admin:
    registry = PluginRegistry()
    registry.register(TeaPlugin(), "tea", version="1.2")
    from core.app import create_app  # noqa: PLC0415

    app = create_app(load_settings(), registry=registry, database_url=sqlite_url)
    app.config["TESTING"] = True
    return build(app, tmp_path)


def test_the_list_shows_every_installed_plugin_with_its_version_and_state(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    status, html = site.get("/alpha/admin/plugins?lang=en")
    assert status == 200
    for name in ("maritime", "labor_arbitration", "campus", "core_catalog"):
        assert f"<code>{name}</code>" in html
    assert "essential" in html and "not enabled" in html
    assert "Fishery disputes, crew rights" in html  # the plugin's own description


def test_enabling_a_plugin_makes_its_case_type_appear_in_the_api(make_app, sqlite_url, tmp_path):
    site = _tea_site(make_app, sqlite_url, tmp_path)
    site.sign_in("alpha", "alpha-admin")
    spec = site.client.get("/alpha/api/v1/openapi.json").get_json()
    assert "tea_dispute" not in spec["x-case-types"]
    status, form = site.get("/alpha/admin/plugins/tea?lang=en")
    assert status == 200 and 'name="plugins.tea.association"' in form
    assert 'name="plugins.tea.gardens"' in form and 'value="10"' in form
    response = site.post_form("/alpha/admin/plugins/tea", {
        "plugins.tea.association": "安溪茶叶协会", "plugins.tea.days": "12",
        "plugins.tea.gardens": "铁观音茶园\n大红袍茶园", "step": "apply"}, follow=True)
    assert "+ plugin tea" in response.get_data(as_text=True)
    spec = site.client.get("/alpha/api/v1/openapi.json").get_json()
    assert "tea_dispute" in spec["x-case-types"]
    toml = site.client.get("/alpha/admin/tenant.toml").get_data(as_text=True)
    assert "[plugins.tea]" in toml and 'association = "安溪茶叶协会"' in toml
    assert "大红袍茶园" in toml


def test_bad_plugin_settings_show_the_schemas_messages_and_apply_nothing(
        make_app, sqlite_url, tmp_path):
    site = _tea_site(make_app, sqlite_url, tmp_path)
    site.sign_in("alpha", "alpha-admin")
    before = site.version()
    response = site.post_form("/alpha/admin/plugins/tea?lang=en", {
        "plugins.tea.association": "", "plugins.tea.days": "99", "step": "apply"})
    html = response.get_data(as_text=True)
    assert 'id="e-plugins-tea-days">from 1 to 30' in html
    assert 'id="e-plugins-tea-association"' in html
    assert 'value="99"' in html
    assert site.version() == before
    assert "tea_dispute" not in site.client.get("/alpha/api/v1/openapi.json"
                                                ).get_json()["x-case-types"]


def test_a_built_in_plugin_enabled_and_disabled_again(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    assert site.client.get("/alpha/plugins/maritime/").status_code == 404
    site.post_form("/alpha/admin/plugins/maritime", {
        "plugins.maritime.ports": "沈家门渔港", "plugins.maritime.fishery_mediation": "true",
        "step": "apply"})
    assert site.client.get("/alpha/plugins/maritime/").status_code == 200
    response = site.post_form("/alpha/admin/plugins/maritime/disable", {"step": "apply"},
                              page_url="/alpha/admin/plugins/maritime", follow=True)
    assert "- plugin maritime" in response.get_data(as_text=True)
    assert site.client.get("/alpha/plugins/maritime/").status_code == 404


def test_a_plugin_whose_window_is_open_cannot_be_disabled(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    site.post_form("/alpha/admin/plugins/maritime", {"step": "apply"})
    site.post_form("/alpha/admin/centers/AL-C/windows", {"window": "maritime", "step": "apply"},
                   page_url="/alpha/admin/centers/AL-C")
    before = site.version()
    response = site.post_form("/alpha/admin/plugins/maritime/disable?lang=en",
                              {"step": "apply"}, page_url="/alpha/admin/plugins/maritime")
    html = response.get_data(as_text=True)
    assert "window type &#39;maritime&#39; belongs to plugin maritime" in html
    assert site.version() == before


def test_essential_plugins_offer_no_switch_and_refuse_one(site: Admin):
    site.sign_in("alpha", "alpha-admin")
    status, html = site.get("/alpha/admin/plugins/core_catalog?lang=en")
    assert status == 200 and "cannot be disabled" in html and "/disable" not in html
    page = site.get("/alpha/admin/plugins/maritime")[1]
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    response = site.client.post("/alpha/admin/plugins/core_catalog/disable",
                                data={"csrf_token": token, "step": "apply"})
    assert response.status_code == 400
    assert site.client.get("/alpha/admin/plugins/nonesuch").status_code == 404
