"""Server-rendered pages: the platform index, each tenant's branded pages, plugin mounts.

Every template extends ``base.html``, which takes two variables, ``tenant`` (a
:class:`core.tenancy.TenantContext` or None) and ``locale`` (``zh_Hans``, ``zh_Hant`` or ``en``),
and offers the blocks ``title``, ``masthead``, ``content`` and ``footer``. Both variables default
to the request's tenant and locale, so a page that forgets them still renders branded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Flask, g, request
from flask_babel import get_locale, lazy_gettext

from core import i18n
from core.plugins import PluginRegistry
from core.tenancy import TenantNotFound, current_tenant

bp = Blueprint("web", __name__)

#: The language switch: locale code, its own name (shown in its own script).
LANGUAGE_NAMES = (("zh_Hans", "简体"), ("zh_Hant", "繁體"), ("en", "English"))


def current_locale() -> str:
    """The request's locale code as the catalogs spell it (``zh_Hans``, ``zh_Hant``, ``en``)."""
    locale = get_locale()
    if locale is None:
        return "zh_Hans"
    code = str(locale)
    return code if code in i18n.SUPPORTED_LOCALES else "zh_Hans"


def localized(names: dict[str, str] | None, fallback: str = "", locale: str | None = None) -> str:
    """``names`` in the request's locale (then zh_Hans, then ``fallback``)."""
    return i18n.localized_names(names, locale or current_locale(), fallback)


def lang_url(code: str) -> str:
    """The current page in locale ``code``: its query with ``lang`` replaced.

    Only the query is written (a reference relative to the current page), never the path: a
    request path such as ``//elsewhere.example/`` must not become a link to another site.
    """
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return "?" + urlencode([*args, ("lang", code)])


@dataclass(frozen=True)
class NavEntry:
    """A section of a tenant's navigation: shown when its endpoint exists (and, for staff
    sections, when someone is signed in); ``also`` lists endpoints that mark it current."""

    endpoint: str
    label: Any  # a lazy string: translated when the page renders
    staff: bool = False
    also: tuple[str, ...] = ()
    action: str = ""  # shown only to people holding a role that may take it (core.authz)


#: The sections of a tenant's pages, in order. A section whose endpoint is not registered
#: (a part of the UI not installed) is simply not shown.
NAVIGATION: list[NavEntry] = [
    NavEntry("web.tenant_home", lazy_gettext("Home")),
    NavEntry("workbench.queue", lazy_gettext("My queue"), staff=True, also=("workbench.case",)),
    NavEntry("workbench.intake", lazy_gettext("Register a case"), staff=True,
             action="case.create"),
    NavEntry("workbench.board", lazy_gettext("Supervision"), staff=True,
             action="case.supervise"),
    NavEntry("dashboard.index", lazy_gettext("Dashboard"), staff=True, action="indicator.read"),
    NavEntry("web.tiers", lazy_gettext("Tiers")),
    NavEntry("web.centers", lazy_gettext("Centers"), also=("web.center",)),
    NavEntry("portal.submit", lazy_gettext("Report a dispute")),
    NavEntry("portal.track", lazy_gettext("Track a case")),
    NavEntry("admin.index", lazy_gettext("Administration"), staff=True, action="tenant.manage"),
]


def nav_items(tenant: Any) -> list[dict[str, Any]]:
    """The navigation of ``tenant``'s pages: label, URL and whether it is the current page."""
    from flask import current_app, url_for  # noqa: PLC0415
    from flask_login import current_user  # noqa: PLC0415

    from core.authz import PERMISSIONS  # noqa: PLC0415

    here = request.endpoint or ""
    signed_in = bool(getattr(current_user, "is_authenticated", False))
    roles = current_user.principal.roles if signed_in else frozenset()

    def shown(entry: NavEntry) -> bool:
        if entry.endpoint not in current_app.view_functions:
            return False
        if entry.staff and not signed_in:
            return False
        return not entry.action or bool(roles & PERMISSIONS.get(entry.action, frozenset()))

    return [
        {"label": str(entry.label), "url": url_for(entry.endpoint, tenant=tenant.slug),
         "current": here == entry.endpoint or here in entry.also}
        for entry in NAVIGATION if shown(entry)
    ]


def _template_defaults() -> dict[str, Any]:
    return {
        "tenant": g.get("tenant"),
        "locale": current_locale(),
        "html_lang": lambda loc: i18n.HTML_LANG.get(loc or "", "zh-Hans"),
        "lang_url": lang_url,
        "localized": localized,
        "language_names": LANGUAGE_NAMES,
        "nav_items": nav_items,
    }


def register_web(app: Flask, registry: PluginRegistry) -> None:
    """Register core pages, then mount every installed plugin's blueprints under its tenant."""
    from core.web import (  # noqa: F401,PLC0415
        branding,
        centers,
        home,
        notices,
        security,
        tiers,
        workbench,  # noqa: PLC0415
    )

    app.context_processor(_template_defaults)
    app.jinja_env.globals["has_logo"] = branding.has_logo
    security.install(app)
    app.register_blueprint(bp)
    app.register_blueprint(workbench.bp)
    from core.portal import bp as portal  # noqa: PLC0415 - the citizen portal
    app.register_blueprint(portal)
    from core.web.dashboard import bp as dashboard_bp  # noqa: PLC0415

    app.register_blueprint(dashboard_bp)
    from core.admin import register_admin  # noqa: PLC0415 - the admin pages import core.web

    register_admin(app)
    for name in sorted(registry.infos):
        blueprints = [b for result in registry.hooks_of(name).onedoor_blueprints()
                      for b in result or []]
        for index, blueprint in enumerate(blueprints):
            # The first blueprint is "plugin_<name>" (url_for("plugin_<name>.index")).
            registered_name = f"plugin_{name}" if index == 0 else f"plugin_{name}_{blueprint.name}"
            app.register_blueprint(
                blueprint, url_prefix=f"/<tenant>/plugins/{name}", name=registered_name
            )
            # The guard goes on this app, under the registered name, ahead of the plugin's own
            # before_request functions: the plugin's blueprint is left untouched, so one
            # blueprint object may serve any number of apps.
            app.before_request_funcs.setdefault(registered_name, []).insert(
                0, _plugin_guard(name)
            )


def _plugin_guard(name: str):
    def guard() -> None:
        # A plugin the tenant has not enabled does not exist for it: 404, not 403.
        if not current_tenant().plugin_enabled(name):
            raise TenantNotFound(f"plugin {name} is not enabled")

    return guard
