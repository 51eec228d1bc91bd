"""The application factory: ``create_app()`` wires settings, database, plugins and tenancy."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask, g, request
from flask_babel import Babel
from werkzeug.routing import IntegerConverter

from core import i18n
from core.db import Database
from core.errors import register_error_handlers
from core.migrate import resolve_url
from core.open311 import register_open311
from core.plugins import PluginRegistry
from core.settings import Settings, load_settings
from core.tenancy import TenantDirectory, reset_current, set_current

log = logging.getLogger(__name__)


def create_app(
    settings: Settings | None = None,
    *,
    registry: PluginRegistry | None = None,
    **overrides: Any,
) -> Flask:
    """Build a OneDoor WSGI application.

    :param settings: complete settings; by default :func:`core.settings.load_settings` reads
        ``config/`` and the environment.
    :param registry: an already-discovered plugin registry (tests, benchmarks); by default
        plugins are discovered from the ``onedoor.plugins`` entry points.
    :param overrides: individual settings to replace, e.g. ``database_url="sqlite://"``.
    """
    settings = (settings or load_settings()).with_overrides(**overrides)
    instance = Path(settings.instance_path).resolve()
    registry = registry or PluginRegistry()
    app = Flask("core", instance_path=str(instance), instance_relative_config=True)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_SECURE=settings.session_cookie_secure,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        BABEL_DEFAULT_LOCALE=settings.default_locale,
        BABEL_DEFAULT_TIMEZONE=settings.default_timezone,
        BABEL_TRANSLATION_DIRECTORIES=i18n.translation_directories(instance, [
            folder for batch in registry.collect("onedoor_translation_dirs")
            for folder in batch or []]),
        JSON_AS_ASCII=False,
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    logging.getLogger("core").setLevel(settings.log_level)

    database = Database(resolve_url(settings, settings.database_url))
    directory = TenantDirectory(database, registry)
    app.extensions["onedoor"] = OneDoor(settings, database, registry, directory)

    # Row ids in URLs (<id:party_id>): a number no column can hold is a 404, not a database
    # error (PostgreSQL's integer is 32-bit; SQLite's is 64-bit).
    app.url_map.converters["id"] = RowIdConverter
    Babel(app, locale_selector=_select_locale)
    _install_tenancy(app, directory)
    register_error_handlers(app)

    from core.web import register_web  # noqa: PLC0415 - web imports app helpers

    register_web(app, registry)

    from core.api import register_api  # noqa: PLC0415 - the API imports app helpers
    from core.web import auth  # noqa: PLC0415

    auth.install(app)
    register_api(app, registry)
    register_open311(app)

    @app.teardown_appcontext
    def _close_session(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()

    return app


class RowIdConverter(IntegerConverter):
    """``<id:name>``: a positive row id that fits the database's integer columns."""

    MAX = 2**31 - 1

    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(url_map, min=1, max=self.MAX)


class OneDoor:
    """Everything the app holds besides Flask's own state: ``app.extensions["onedoor"]``."""

    def __init__(
        self,
        settings: Settings,
        database: Database,
        registry: PluginRegistry,
        directory: TenantDirectory,
    ) -> None:
        self.settings = settings
        self.database = database
        self.registry = registry
        self.directory = directory


def onedoor(app: Flask | None = None) -> OneDoor:
    """The :class:`OneDoor` state of ``app`` (default: the current app)."""
    from flask import current_app  # noqa: PLC0415

    return (app or current_app).extensions["onedoor"]


def db_session():
    """The request's database session, bound to the request's tenant (created on first use)."""
    session = g.get("db_session")
    if session is None:
        tenant = g.get("tenant")
        session = g.db_session = onedoor().database.session(tenant.id if tenant else None)
    return session


def _select_locale() -> str:
    tenant = g.get("tenant")
    return i18n.select_locale(
        request.args,
        request.cookies,
        tenant.default_locale if tenant else None,
        onedoor().settings.default_locale,
    )


def _install_tenancy(app: Flask, directory: TenantDirectory) -> None:
    """Resolve ``<tenant>`` in every URL before any view runs, and fill it in for url_for."""

    @app.url_value_preprocessor
    def _pull_tenant(_endpoint: str | None, values: dict[str, Any] | None) -> None:
        if not values or "tenant" not in values:
            return
        tenant = directory.get(values.pop("tenant"))
        g.tenant = tenant
        g.tenant_token = set_current(tenant)

    @app.url_defaults
    def _push_tenant(endpoint: str, values: dict[str, Any]) -> None:
        tenant = g.get("tenant")
        if tenant is not None and "tenant" not in values and app.url_map.is_endpoint_expecting(
            endpoint, "tenant"
        ):
            values["tenant"] = tenant.slug

    @app.teardown_request
    def _reset_tenant(_exc: BaseException | None) -> None:
        token = g.pop("tenant_token", None)
        if token is not None:
            reset_current(token)
