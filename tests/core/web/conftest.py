"""Fixtures for the web pages: an app on each backend and helpers to shape its tenants."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from core.models import Center, CenterWindow, Department, Stationing, StationingMode, Tenant
from tests.factories import make_tenant


class Site:
    """An app, its database and a test client, with helpers to add what a test needs."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.database = app.extensions["onedoor"].database
        self.client = app.test_client()

    def tenant(self, slug: str, *, config: dict[str, Any] | None = None, **kwargs: Any) -> int:
        """``make_tenant`` plus extra ``config`` keys (names, branding, motto…)."""
        tenant_id = make_tenant(self.database, slug, **kwargs)
        if config:
            self.configure(tenant_id, **config)
        return tenant_id

    def configure(self, tenant_id: int, **config: Any) -> None:
        """Merge ``config`` into the tenant's configuration and bump its version."""
        with self.database.transaction() as session:
            tenant = session.get(Tenant, tenant_id)
            tenant.config = {**tenant.config, **config}
            tenant.config_version += 1

    def station(self, tenant_id: int, center_code: str, code: str, *, names: dict[str, str],
                kind: str = "core", mode: StationingMode = StationingMode.RESIDENT,
                schedule: dict[str, Any] | None = None) -> None:
        """Station a new department ``code`` at center ``center_code``."""
        with self.database.transaction(tenant_id) as session:
            center = session.scalar(select(Center).where(Center.code == center_code))
            department = Department(code=code, names=names, kind=kind)
            session.add(department)
            session.flush()
            session.add(Stationing(center_id=center.id, department_id=department.id, mode=mode,
                                   schedule=schedule or {}))

    def open_window(self, tenant_id: int, center_code: str, window_type: str) -> None:
        """Open a window of ``window_type`` at center ``center_code``."""
        with self.database.transaction(tenant_id) as session:
            center = session.scalar(select(Center).where(Center.code == center_code))
            session.add(CenterWindow(center_id=center.id, window_type=window_type,
                                     position=len(center.windows) + 1))

    def page(self, url: str, **kwargs: Any) -> tuple[int, str]:
        """GET ``url``: the status and the body as text."""
        response = self.client.get(url, **kwargs)
        return response.status_code, response.get_data(as_text=True)


@pytest.fixture
def site(database_url: str, make_app) -> Site:
    """A fresh app with no tenant, on SQLite and on PostgreSQL in turn."""
    return Site(make_app(database_url))
