"""Server-rendered pages: the platform index, each tenant's branded home, plugin mounts."""

from __future__ import annotations

from flask import Blueprint, Flask

from core.plugins import PluginRegistry
from core.tenancy import TenantNotFound, current_tenant

bp = Blueprint("web", __name__)


def register_web(app: Flask, registry: PluginRegistry) -> None:
    """Register core pages, then mount every installed plugin's blueprints under its tenant."""
    from core.web import home  # noqa: F401,PLC0415 - registers the views on ``bp``

    app.register_blueprint(bp)
    for name in sorted(registry.infos):
        for blueprint in registry.hooks_of(name).onedoor_blueprints():
            blueprint.before_request(_plugin_guard(name))
            app.register_blueprint(
                blueprint, url_prefix=f"/<tenant>/plugins/{name}", name=f"plugin_{name}"
            )


def _plugin_guard(name: str):
    def guard() -> None:
        # A plugin the tenant has not enabled does not exist for it: 404, not 403.
        if not current_tenant().plugin_enabled(name):
            raise TenantNotFound(f"plugin {name} is not enabled")

    return guard

