"""Every hook a OneDoor plugin can implement.

A plugin is a module (or object) registered under the entry-point group ``onedoor.plugins``; it
implements any of these hooks with ``@hookimpl`` from :mod:`core.toolkit`. Hooks are called
through the calling tenant's hook proxy, so a plugin that a tenant has not enabled never runs for
that tenant. Every hook here is documented in ``docs/plugins.md``; a test keeps the two in step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core import hookspec

if TYPE_CHECKING:
    from datetime import datetime

    import click
    from flask import Blueprint
    from marshmallow import Schema

    from core.casetypes import CaseType, IntakeFinding
    from core.catalog import DepartmentSpec, WindowType
    from core.indicators import PluginIndicator
    from core.panels import CasePanel
    from core.risk import RiskRule
    from core.routing import RoutingDecision
    from core.sla import DeadlineRule
    from core.tenancy import TenantContext
    from core.workflow import Actor, Transition


@hookspec
def onedoor_window_types() -> list[WindowType]:
    """Declare the window types (窗口) this plugin brings to a center.

    Called through the tenant's hook proxy when the tenant's centers are configured or shown, so a
    window type exists only for tenants that enable the plugin.

    :return: a list of :class:`core.toolkit.WindowType`; codes must be unique across plugins.
    """


@hookspec
def onedoor_department_catalog() -> list[DepartmentSpec]:
    """Add departments or mediation organizations to the catalog a tenant picks its "12+X" from.

    :return: a list of :class:`core.toolkit.DepartmentSpec`; codes must be unique across plugins.
    """


@hookspec(firstresult=True)
def onedoor_settings_schema() -> Schema | None:
    """Return the marshmallow schema of this plugin's per-tenant settings.

    Called for one plugin at a time (never through the merged proxy): the settings a tenant gives
    under ``[plugins.<name>]`` in ``tenant.toml`` are loaded through it, so unknown keys and bad
    values are refused with the field named, and defaults are filled in.

    :return: a :class:`marshmallow.Schema` instance, or None when the plugin has no settings.
    """


@hookspec
def onedoor_blueprints() -> list[Blueprint]:
    """Return Flask blueprints with this plugin's pages and endpoints.

    Each blueprint is mounted at ``/<tenant>/plugins/<plugin name>/``; requests for a tenant that
    has not enabled the plugin get 404, as if the routes did not exist. Views find the tenant in
    ``toolkit.current_tenant()``.

    :return: a list of :class:`flask.Blueprint`.
    """


@hookspec
def onedoor_migration_dirs() -> list[str]:
    """Return folders of Alembic revision files for this plugin's own tables.

    Collected from every installed plugin (the schema is shared by all tenants) and added to
    Alembic's ``version_locations`` by ``onedoor db upgrade``. Each plugin's revisions form their
    own branch (``branch_labels = ("<plugin name>",)``) that ``depends_on`` a core revision.
    Tenant-owned tables must call ``toolkit.enable_rls(op, table)``.

    :return: a list of absolute folder paths.
    """


@hookspec
def onedoor_translation_dirs() -> list[str]:
    """Return folders holding this plugin's own message catalogs.

    Each folder has ``<locale>/LC_MESSAGES/messages.po`` for zh_Hans, zh_Hant and en; they are
    compiled at start-up beside core's, and the strings the plugin marks with
    ``toolkit.lazy_gettext`` or ``toolkit.msg`` are looked up in them. Collected from every
    installed plugin (translations are not tenant data); where a plugin and core translate the
    same message id, core's translation is used, so a plugin cannot change core's wording.

    :return: a list of absolute folder paths (usually ``[str(Path(__file__).parent /
        "translations")]``).
    """


@hookspec
def onedoor_cli_commands() -> list[click.Command]:
    """Return click commands to add to the ``onedoor`` command line.

    Collected from every installed plugin at start-up; a command that works on one tenant should
    take ``--tenant SLUG`` and refuse tenants that have not enabled the plugin.

    :return: a list of :class:`click.Command` (or groups).
    """


@hookspec
def onedoor_tenant_applied(tenant: Any, settings: dict[str, Any], session: Any) -> None:
    """React after ``tenant.toml`` was applied for a tenant that enables this plugin.

    Runs inside the same transaction as the apply, once per enabled plugin (and essential
    plugin), each called alone with its own settings; raising aborts the whole apply. Use it to
    create plugin-owned reference rows.

    :param tenant: the :class:`core.toolkit.TenantContext` just applied.
    :param settings: this plugin's validated settings for the tenant.
    :param session: the tenant-bound database session of the apply.
    """


@hookspec
def onedoor_case_types() -> list[CaseType]:
    """Declare the case types this plugin lets a tenant register.

    Called through the tenant's proxy at intake, in the case type list of forms and the API, and
    for Open311 ``services``: a type exists only for tenants that enable its plugin, and intake of
    a type the tenant cannot see is refused naming the ``case_type`` field.

    :return: a list of :class:`core.toolkit.CaseType`; codes must be unique across plugins.
    """


@hookspec
def onedoor_check_intake(
    tenant: TenantContext, case_type: CaseType, data: dict[str, Any], now: datetime,
) -> list[IntakeFinding] | None:
    """Check a case about to be registered against a statutory rule of this plugin's domain.

    Called through the tenant's proxy at intake, after the fields and the type's details schema
    have been validated and before anything is written. A blocking finding refuses the intake
    with its message under its field (a tourism complaint 90 days after the tour); any other is
    a warning (a labor claim near or past its one-year limitation): the case is registered and
    the warning is kept on it (``Case.warnings``) and in its ``case.registered`` audit event.

    :param tenant: the tenant registering the case.
    :param case_type: the :class:`core.toolkit.CaseType` of the case (the plugin checks its own).
    :param data: the validated intake fields, ``details`` already loaded by the type's schema.
    :param now: the moment of intake (timezone-aware UTC).
    :return: a list of :class:`core.toolkit.IntakeFinding`, or None / [] when all is well.
    """


@hookspec
def onedoor_indicators() -> list[PluginIndicator]:
    """Add indicators (考核指标) to the dashboard and ``/api/v1/indicators`` of tenants that
    enable this plugin.

    Each :class:`core.toolkit.PluginIndicator` carries its definition (names, numerator and
    denominator in the three languages, shown beside the figure) and a function computing its
    numerator and denominator over the cases in the dashboard's scope with aggregate SQL.

    :return: a list of :class:`core.toolkit.PluginIndicator`; codes must be unique.
    """


@hookspec
def onedoor_deadline_rules(tenant: TenantContext | None) -> list[DeadlineRule]:
    """Declare deadline rules (期限) that case types can name in their ``deadlines``.

    Called through the tenant's proxy when clocks start. A tenant's ``[deadlines]`` table
    overrides a rule's amount and unit by name.

    :param tenant: the tenant whose clocks the rules serve, so that an amount may come from the
        plugin's settings (a scenic area's response in minutes); None while ``tenant validate``
        only checks which rule names exist. Implementations may leave the argument out.

    :return: a list of :class:`core.toolkit.DeadlineRule`; names must be unique across plugins.
    """


@hookspec
def onedoor_risk_rules() -> list[RiskRule]:
    """Add risk rules (风险研判) evaluated at intake and whenever a case changes.

    Called through the tenant's proxy. Each rule looks at a case and the tenant's history and
    may raise the case's level (red / orange / yellow / blue) with a reason; the highest level
    any rule gives wins.

    :return: a list of :class:`core.toolkit.RiskRule`.
    """


@hookspec(firstresult=True)
def onedoor_route_case(tenant: TenantContext, case: Any, session: Any) -> RoutingDecision | None:
    """Choose the lead and assisting departments of a case before the dispatch catalog does.

    Called through the tenant's proxy when a case is dispatched; the first plugin returning a
    decision wins, and None lets the tenant's dispatch catalog (派单目录) decide.

    :param tenant: the tenant the case belongs to.
    :param case: the :class:`core.models.Case` being dispatched (read-only by convention).
    :param session: the tenant-bound database session of the dispatch transaction.
    :return: a :class:`core.toolkit.RoutingDecision`, or None to leave routing to core.
    """


@hookspec
def onedoor_validate_transition(
    tenant: TenantContext, case: Any, transition: Transition, actor: Actor,
    payload: dict[str, Any],
) -> list[str] | None:
    """Veto a lifecycle transition, with reasons a person can read.

    Called through the tenant's proxy after core's own guards (state, role, tier scope, ladder)
    pass and before anything is written. Any reason from any plugin refuses the transition;
    nothing is written and the reasons are shown to the user.

    :param tenant: the tenant the case belongs to.
    :param case: the :class:`core.models.Case`, as it is before the transition.
    :param transition: the :class:`core.toolkit.Transition` asked for.
    :param actor: who asks (:class:`core.toolkit.Actor`).
    :param payload: the transition's input (reason, route, department, …).
    :return: a list of reasons (already localized), or None / [] to allow it.
    """


@hookspec
def onedoor_after_transition(
    tenant: TenantContext, case: Any, transition: Transition, actor: Actor,
    payload: dict[str, Any], session: Any,
) -> None:
    """React to a transition inside its transaction (e.g. create plugin records).

    Called through the tenant's proxy after core's effects and audit event, before commit;
    raising aborts the whole transition.

    :param tenant: the tenant the case belongs to.
    :param case: the :class:`core.models.Case`, already in its new state.
    :param transition: the :class:`core.toolkit.Transition` taken.
    :param actor: who took it.
    :param payload: the transition's input.
    :param session: the tenant-bound session of the transaction.
    """


@hookspec
def onedoor_case_panels(tenant: TenantContext, case: Any, viewer: Any,
                        session: Any) -> list[CasePanel] | None:
    """Add sections (panels) to the workbench case page of a case.

    Called through the tenant's proxy each time the case page is rendered, after core has
    checked that ``viewer`` may read the case; a plugin the tenant has not enabled is never
    asked. The plugin decides what the viewer may see: a panel showing restricted records
    checks the viewer's permission (``authorize(viewer, ...)``) and returns nothing otherwise.
    Panels are read-only views: write nothing here.

    :param tenant: the tenant the case belongs to.
    :param case: the :class:`core.models.Case` shown.
    :param viewer: the signed-in :class:`core.toolkit.Principal`.
    :param session: the tenant-bound session of the request (read-only by convention).
    :return: a list of :class:`core.toolkit.CasePanel`, or None / [] for no panel.
    """
