"""Fixtures for the built-in plugins: a tenant that enables the plugin and one that does not."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from core.models import Tenant
from tests.factories import make_tenant
from tests.plugins import BRANDING, TENANT_NAMES


@pytest.fixture
def plugin_site(database_url: str, make_app):
    """Factory: ``plugin_site(name, settings)`` builds an app with two tenants.

    Tenant "on" is branded and enables plugin ``name`` with ``settings`` (validated by the
    plugin's schema, as ``tenant apply`` stores them); tenant "off" enables nothing.
    """

    def build(name: str, settings: dict[str, Any]) -> Flask:
        app = make_app(database_url)
        onedoor = app.extensions["onedoor"]
        validated = onedoor.registry.load_settings(name, settings)
        tenant_id = make_tenant(onedoor.database, "on", plugins={name: validated})
        make_tenant(onedoor.database, "off")
        with onedoor.database.transaction() as session:
            tenant = session.get(Tenant, tenant_id)
            tenant.config = {"names": TENANT_NAMES, "branding": BRANDING}
            tenant.config_version += 1
        return app

    return build
