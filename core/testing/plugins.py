"""Pytest fixtures for plugin authors: a tenant with only your plugin, a client, case factories.

Load them from the top-level ``conftest.py`` of your plugin's distribution and name your plugin
(the entry-point name) by overriding ``onedoor_plugin``::

    pytest_plugins = ["core.testing.plugins"]

    @pytest.fixture
    def onedoor_plugin():
        return "notary"

Then a test asks for what it needs:

- ``plugin_tenant``: an app on a fresh, migrated SQLite database with tenant ``on``, which
  enables only your plugin (with ``onedoor_plugin_settings``, validated by its schema), and
  tenant ``off``, which enables nothing — so every test can show both sides;
- ``client``: a Flask test client of that app; ``staff_client``: one signed in to ``on`` as
  ``staff`` with every staff role;
- ``make_case``: registers a case of one of your plugin's case types through the intake
  service, with the type's ``example`` details and ``example_intake`` fields (parties,
  amount…) unless told otherwise;
- ``plugin_case_types``: the case types your plugin declares, by code.

Everything is built from the installed entry points, exactly as a production start-up would:
a plugin that works here needs nothing private of OneDoor. Imports of ``core`` happen inside
the fixtures, so loading this module changes nothing before a test asks for a fixture.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

#: The testing environment the fixtures' settings come from (never the developer's own).
TESTING_ENVIRON = {"ONEDOOR_ENV": "testing"}
STAFF_USERNAME = "staff"


@dataclass
class PluginTenants:
    """The app of ``plugin_tenant`` and its two tenants, ``on`` (enables the plugin) and ``off``."""

    app: Any = field(repr=False)
    plugin: str
    on: Any = field(repr=False)
    off: Any = field(repr=False)

    @property
    def onedoor(self) -> Any:
        """The app's OneDoor state: settings, database, registry, tenant directory."""
        return self.app.extensions["onedoor"]

    @property
    def database(self) -> Any:
        """The app's :class:`core.db.Database`."""
        return self.onedoor.database

    def tenant(self, which: str | Any) -> Any:
        """``"on"``, ``"off"`` or a tenant context, as a fresh tenant context."""
        slug = which if isinstance(which, str) else which.slug
        return self.onedoor.directory.get(slug)

    def vault(self) -> Any:
        """The PII vault of the app's settings."""
        from core.pii import Vault  # noqa: PLC0415

        return Vault(self.onedoor.settings.pii_secret)

    def case_types(self, which: str | Any) -> list[str]:
        """Codes of the case types tenant ``which`` can register (core's and its plugins')."""
        from core.cases import case_types  # noqa: PLC0415

        return sorted(case_types(self.tenant(which)))

    def read_case(self, code: str, which: str | Any = "on") -> dict[str, Any]:
        """What a test of a plugin checks about a case: its type, status, details, warnings
        and the names of its deadline rules (a plain dict, read in the tenant's session)."""
        from sqlalchemy import select  # noqa: PLC0415

        from core.models import Case, Deadline  # noqa: PLC0415

        tenant = self.tenant(which)
        with self.database.transaction(tenant.id) as session:
            case = session.scalar(select(Case).where(Case.code == code))
            if case is None:
                raise LookupError(f"tenant {tenant.slug} has no case {code}")
            rules = session.scalars(select(Deadline.rule).where(Deadline.case_id == case.id))
            return {"code": case.code, "case_type": case.case_type, "status": str(case.status),
                    "category": case.category,
                    # keys starting with "_" are core's own bookkeeping, not the type's fields
                    "details": {k: v for k, v in (case.details or {}).items()
                                if not k.startswith("_")},
                    "warnings": list(case.warnings or []), "deadlines": sorted(rules)}

    def transition(self, code: str, name: str, which: str | Any = "on", **payload: Any) -> None:
        """Move case ``code`` through lifecycle transition ``name`` (``accept``, ``assign`` with
        ``department="court"``, ``start_mediation``, ``resolve`` with ``outcome=…``, …) as staff
        with every role, in one transaction: core's guards and every plugin hook run."""
        from core import cases  # noqa: PLC0415
        from core.workflow import ALL_STAFF, Actor  # noqa: PLC0415

        tenant = self.tenant(which)
        with self.database.transaction(tenant.id) as session:
            cases.transition(session, tenant, code, name, Actor("test-staff", ALL_STAFF),
                             payload)

    def translate(self, warning: dict[str, Any]) -> str:
        """A stored intake warning (``read_case(...)["warnings"][i]``) in the current request's
        language: use inside ``app.test_request_context("/?lang=zh_Hans")``."""
        from core.messages import Message, translate  # noqa: PLC0415

        return translate(Message(warning["msgid"], warning.get("params")))


@pytest.fixture
def onedoor_plugin() -> str:
    """The name of the plugin under test (its entry-point name): override it in conftest.py."""
    pytest.fail("override the `onedoor_plugin` fixture in your conftest.py to return your "
                "plugin's entry-point name", pytrace=False)


@pytest.fixture
def onedoor_plugin_settings() -> dict[str, Any]:
    """The settings tenant ``on`` gives the plugin (``[plugins.<name>]``); override if needed."""
    return {}


@pytest.fixture(scope="session")
def onedoor_registry() -> Any:
    """Every plugin installed through the ``onedoor.plugins`` entry points."""
    from core.plugins import PluginRegistry  # noqa: PLC0415

    return PluginRegistry()


@pytest.fixture(scope="session")
def onedoor_sqlite_template(tmp_path_factory: pytest.TempPathFactory, onedoor_registry: Any
                            ) -> Path:
    """A SQLite file migrated to every head (core's and each plugin's), copied per test."""
    from core.migrate import upgrade  # noqa: PLC0415

    path = tmp_path_factory.mktemp("onedoor") / "template.sqlite3"
    upgrade(f"sqlite:///{path}", onedoor_registry)
    return path


@pytest.fixture
def onedoor_database_url(tmp_path: Path, onedoor_sqlite_template: Path) -> str:
    """A fresh, migrated SQLite database for one test."""
    path = tmp_path / "onedoor.sqlite3"
    shutil.copy(onedoor_sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def onedoor_app(onedoor_registry: Any, onedoor_database_url: str) -> Iterator[Any]:
    """An app on ``onedoor_database_url`` with the testing settings and no tenants yet."""
    from core.app import create_app  # noqa: PLC0415
    from core.settings import load_settings  # noqa: PLC0415

    app = create_app(load_settings(TESTING_ENVIRON), registry=onedoor_registry,
                     database_url=onedoor_database_url)
    app.config["TESTING"] = True
    yield app
    app.extensions["onedoor"].database.dispose()


@pytest.fixture
def plugin_tenant(onedoor_app: Any, onedoor_plugin: str,
                  onedoor_plugin_settings: dict[str, Any]) -> PluginTenants:
    """Tenant ``on`` enabling only the plugin under test, tenant ``off`` enabling nothing."""
    from core.testing.tenants import make_tenant  # noqa: PLC0415

    onedoor = onedoor_app.extensions["onedoor"]
    registry = onedoor.registry
    if onedoor_plugin not in registry.infos:
        pytest.fail(f"plugin {onedoor_plugin!r} is not installed (installed: "
                    f"{', '.join(sorted(registry.infos))}); install its distribution, e.g. "
                    "`pip install -e .`, so that its entry point is found", pytrace=False)
    settings = registry.load_settings(onedoor_plugin, onedoor_plugin_settings)
    make_tenant(onedoor.database, "on", plugins={onedoor_plugin: settings})
    make_tenant(onedoor.database, "off")
    return PluginTenants(onedoor_app, onedoor_plugin, onedoor.directory.get("on"),
                         onedoor.directory.get("off"))


@pytest.fixture
def client(onedoor_app: Any) -> Any:
    """A Flask test client of the app (signed in as nobody)."""
    return onedoor_app.test_client()


@pytest.fixture
def staff_client(plugin_tenant: PluginTenants) -> Any:
    """A test client signed in to tenant ``on`` as ``staff``, who has every staff role."""
    from core.testing.tenants import PASSWORD, make_staff  # noqa: PLC0415
    from core.testing.web import sign_in  # noqa: PLC0415

    make_staff(plugin_tenant.database, plugin_tenant.on.id, STAFF_USERNAME)
    staff = plugin_tenant.app.test_client()
    sign_in(staff, "on", STAFF_USERNAME, PASSWORD)
    return staff


@pytest.fixture
def plugin_case_types(plugin_tenant: PluginTenants) -> dict[str, Any]:
    """The case types the plugin under test declares, by code (its own, not core's)."""
    hooks = plugin_tenant.onedoor.registry.hooks_of(plugin_tenant.plugin)
    return {t.code: t for batch in hooks.onedoor_case_types() for t in batch or []}


@pytest.fixture
def make_case(plugin_tenant: PluginTenants, plugin_case_types: dict[str, Any]
              ) -> Callable[..., str]:
    """Factory: ``make_case(case_type=None, tenant="on", details=None, now=None, **fields)``.

    Registers a case through the intake service (validation, plugin checks, deadlines, audit)
    and returns its code. ``case_type`` defaults to the plugin's first type (by code);
    ``details`` to that type's ``example``; the type's ``example_intake`` (parties, amount…)
    is merged over the generic intake; ``fields`` replace intake fields (``title=…``).
    """
    from core.testing.tenants import intake_data, register_case  # noqa: PLC0415

    def factory(case_type: str | None = None, tenant: str | Any = "on",
                details: dict[str, Any] | None = None, now: datetime | None = None,
                **fields: Any) -> str:
        if case_type is None:
            if not plugin_case_types:
                pytest.fail(f"plugin {plugin_tenant.plugin!r} declares no case type; "
                            "pass make_case(case_type=...)", pytrace=False)
            case_type = sorted(plugin_case_types)[0]
        context = plugin_tenant.tenant(tenant)
        declared = plugin_case_types.get(case_type)
        fields.setdefault("category", declared.category if declared is not None else "other")
        # a declared type brings its example: details and the intake fields beyond them
        data = intake_data(declared if declared is not None else case_type,
                           f"{context.slug}-t1", details=details, **fields)
        return register_case(plugin_tenant.database, context, data,
                             vault=plugin_tenant.vault(), now=now)

    return factory
