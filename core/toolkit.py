"""The one import surface promised to plugins.

Plugins import from here and from :mod:`core.hookspecs` only; everything else in ``core`` may
change between releases without notice. Names are re-exported, not redefined, so a plugin and
core always speak of the same objects.
"""

from core import __version__, hookimpl
from core.app import db_session
from core.audit import record as audit_record
from core.authz import TENANT, Principal, Resource, authorize
from core.cases import CaseInvalid, get_case
from core.cases import register as register_case
from core.casetypes import CaseType, IntakeFinding
from core.catalog import DepartmentSpec, WindowType
from core.codes import qr_svg
from core.db import Base, JSONType, TenantScoped, insert_now, tenant_sql
from core.i18n import lazy_gettext, localized_names
from core.indicators import (
    IndicatorDefinition,
    PluginIndicator,
    accepted_condition,
    resolved_condition,
)
from core.messages import msg, translate
from core.models import Case, Department, Evaluation, Referral, TierNode
from core.panels import CasePanel
from core.pii import mask_name
from core.risk import RiskFacts, RiskFinding, RiskRule
from core.rls import enable_for_table as enable_rls
from core.routing import RoutingDecision
from core.sla import DeadlineRule, calendar_for
from core.supervision import issue_notice
from core.tenancy import TenantContext, current_tenant, require_plugin
from core.web.auth import current_principal
from core.web.plugin_pages import plugin_page
from core.web.workbench import database
from core.web.workbench import principal as signed_in
from core.web.workbench import vault as pii_vault
from core.workflow import Actor, Transition

__all__ = [
    "TENANT",
    "Actor",
    "Base",
    "Case",
    "CasePanel",
    "CaseInvalid",
    "CaseType",
    "DeadlineRule",
    "Department",
    "DepartmentSpec",
    "Evaluation",
    "IndicatorDefinition",
    "IntakeFinding",
    "JSONType",
    "PluginIndicator",
    "Referral",
    "Principal",
    "Resource",
    "RiskFacts",
    "RiskFinding",
    "RiskRule",
    "RoutingDecision",
    "TenantContext",
    "TenantScoped",
    "TierNode",
    "Transition",
    "WindowType",
    "__version__",
    "accepted_condition",
    "audit_record",
    "authorize",
    "current_principal",
    "calendar_for",
    "current_tenant",
    "db_session",
    "database",
    "enable_rls",
    "get_case",
    "hookimpl",
    "insert_now",
    "issue_notice",
    "lazy_gettext",
    "localized_names",
    "mask_name",
    "msg",
    "pii_vault",
    "plugin_page",
    "qr_svg",
    "register_case",
    "require_plugin",
    "resolved_condition",
    "signed_in",
    "tenant_sql",
    "translate",
]
