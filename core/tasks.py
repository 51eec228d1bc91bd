"""Background work on Celery: the periodic deadline sweep (and, later, notification delivery).

With ``broker_url = ""`` (the embedded default) :func:`make_celery` sets ``task_always_eager``:
``sweep_tenant.delay(...)`` runs in the calling thread and no worker or broker is needed. With
``broker_url = "redis://…"`` tasks go through the broker to workers, which is how a deployment
spreads the sweep over machines::

    ONEDOOR_BROKER_URL=redis://127.0.0.1:6379/0 celery -A core.tasks worker
    ONEDOOR_BROKER_URL=redis://127.0.0.1:6379/0 celery -A core.tasks beat   # one per deployment

Beat runs ``core.tasks.sweep_all`` every 5 minutes (:data:`BEAT_SCHEDULE`); it fans out one
``core.tasks.sweep_tenant`` per enabled tenant, all with the same ``now``. Each task builds its
own :class:`core.db.Database` from settings: no Flask app is involved. After the sweep, a
tenant's indicator rollup (:mod:`core.rollups`, what the dashboard reads) is refreshed when it
is older than :data:`core.rollups.REFRESH_EVERY` — incrementally, so with every sweep or so:
only the months of cases changed since the previous refresh are rebuilt. The sweep is idempotent,
so tasks are acknowledged late: a worker that dies mid-sweep has its task redelivered and the
re-run finishes the job without notifying anyone twice.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from celery import Celery
from sqlalchemy import select

from core.db import Database
from core.migrate import resolve_url
from core.models import Tenant, TenantPlugin
from core.plugins import PluginRegistry
from core.settings import Settings, load_settings
from core.sla import DeadlineRule, tenant_rules
from core.sweep import SweepResult, sweep

log = logging.getLogger(__name__)

SWEEP_EVERY_SECONDS = 300.0
SWEEP_TENANT = "core.tasks.sweep_tenant"
SWEEP_ALL = "core.tasks.sweep_all"
BEAT_SCHEDULE = {
    "onedoor-sla-sweep": {"task": SWEEP_ALL, "schedule": SWEEP_EVERY_SECONDS},
}


class OneDoorCelery(Celery):
    """A Celery app that carries the OneDoor settings its tasks build databases from."""

    onedoor_settings: Settings


def make_celery(settings: Settings | None = None) -> OneDoorCelery:
    """A Celery app for ``settings`` (default: :func:`core.settings.load_settings`).

    ``broker_url`` empty: eager, in-process execution (exceptions propagate to the caller).
    Otherwise the URL is both broker and result backend, so callers can wait for results.
    """
    settings = settings or load_settings()
    app = OneDoorCelery("onedoor", set_as_current=False)
    app.onedoor_settings = settings
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        enable_utc=True,
        timezone="UTC",
        beat_schedule=BEAT_SCHEDULE,
        # Sweeps are idempotent: redelivery after a lost worker is safe, losing one is not.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        result_expires=3600,
        broker_connection_retry_on_startup=True,
    )
    if settings.broker_url:
        app.conf.update(
            broker_url=settings.broker_url,
            result_backend=settings.broker_url,
            task_always_eager=False,
        )
    else:
        app.conf.update(
            task_always_eager=True,
            task_eager_propagates=True,
            # Never reached while eager; set so a misconfigured worker does not dial amqp.
            broker_url="memory://",
            result_backend="cache+memory://",
        )
    _register_tasks(app)
    return app


@lru_cache(maxsize=1)
def _registry() -> PluginRegistry:
    # Entry points are read once per worker process, like the web app does.
    return PluginRegistry()


def open_database(settings: Settings) -> Database:
    """The application database named by ``settings`` (instance-relative SQLite resolved)."""
    return Database(resolve_url(settings, settings.database_url))


def plugin_rules(
    database: Database, registry: PluginRegistry, tenant: Tenant
) -> list[DeadlineRule]:
    """Deadline rules from the ``onedoor_deadline_rules`` hook of the tenant's enabled plugins."""
    from core.tenancy import TenantDirectory  # noqa: PLC0415 - tenancy pulls in the catalog

    with database.transaction(tenant.id) as session:
        plugins = {p.plugin: dict(p.settings) for p in session.scalars(select(TenantPlugin))}
    context = TenantDirectory(database, registry).build(tenant, plugins)
    return [rule for batch in context.hooks.onedoor_deadline_rules(tenant=context)
            for rule in batch or []]


def sweep_one(
    database: Database,
    registry: PluginRegistry,
    tenant: Tenant,
    now: datetime,
    *,
    batch_size: int = 5000,
) -> SweepResult:
    """Sweep ``tenant`` with every rule its clocks can name (core, ladder, enabled plugins),
    then rebuild its indicator rollup if that is due (:func:`refresh_indicators`)."""
    rules = tenant_rules(tenant, plugin_rules(database, registry, tenant))
    result = sweep(database, tenant.id, now, batch_size=batch_size, rules=rules)
    refresh_indicators(database, registry, tenant, now)
    return result


def refresh_indicators(database: Database, registry: PluginRegistry, tenant: Tenant,
                       now: datetime, *, every: timedelta | None = None) -> Any:
    """Refresh ``tenant``'s indicator rollup when it is missing or older than ``every``
    (default :data:`core.rollups.REFRESH_EVERY`); returns the refresh, or None when not due.

    Runs after the sweep, which marks cases overdue (a count the rollup keeps, found by the
    incremental refresh through ``cases.changed_at`` like any other change). A bad
    indicator setting is logged, never allowed to stop the sweep: the dashboard then computes
    live and shows the setting's error.
    """
    from core import rollups  # noqa: PLC0415 - keeps the worker's import light
    from core.indicators import IndicatorError  # noqa: PLC0415
    from core.tenancy import TenantDirectory  # noqa: PLC0415

    every = rollups.REFRESH_EVERY if every is None else every
    with database.transaction(tenant.id) as session:
        if not rollups.refresh_due(session, now, every):
            return None
    with database.transaction(tenant.id) as session:
        plugins = {p.plugin: dict(p.settings) for p in session.scalars(select(TenantPlugin))}
    context = TenantDirectory(database, registry).build(tenant, plugins)
    try:
        with database.transaction(tenant.id) as session:
            result = rollups.refresh(session, context, now=now)
    except IndicatorError as exc:
        log.warning("indicator rollup of tenant %s not refreshed: %s (%s)", tenant.slug, exc,
                    exc.field)
        return None
    log.info("indicator rollup of tenant %s (%s, %s months): %s rows of %s cases in %.1fs",
             tenant.slug, result.mode, len(result.months), result.rows, result.cases,
             result.seconds)
    return result


def enabled_tenants(database: Database) -> list[Tenant]:
    """Every enabled tenant, by id (a platform read: the tenants table is not tenant-owned)."""
    with database.transaction() as session:
        return list(session.scalars(select(Tenant).where(Tenant.enabled.is_(True))
                                    .order_by(Tenant.id)))


def parse_now(now_iso: str | None) -> datetime:
    """``now_iso`` (ISO 8601 with an offset) as an aware datetime; None means the current time."""
    if now_iso is None:
        return datetime.now(UTC)
    now = datetime.fromisoformat(now_iso)
    if now.tzinfo is None:
        raise ValueError(f"now must carry a UTC offset, got {now_iso!r}")
    return now


def run_sweep_tenant(settings: Settings, tenant_id: int, now_iso: str | None = None,
                     batch_size: int = 5000) -> dict[str, Any]:
    """Body of the ``sweep_tenant`` task: its own database, one tenant, JSON-able counts."""
    database = open_database(settings)
    try:
        with database.transaction() as session:
            tenant = session.get(Tenant, tenant_id)
        if tenant is None:
            raise LookupError(f"no tenant with id {tenant_id}")
        result = sweep_one(database, _registry(), tenant, parse_now(now_iso),
                           batch_size=batch_size)
    finally:
        database.dispose()
    log.info("sla sweep of tenant %s: %s", tenant.slug, result.counts)
    return {"tenant_id": tenant_id, "slug": tenant.slug, "counts": result.counts,
            "seconds": result.seconds}


def _register_tasks(app: OneDoorCelery) -> None:
    # shared=False: Celery would otherwise add these closures to every app created later (each
    # make_celery call), and the first app's closure would answer for all of them.
    @app.task(name=SWEEP_TENANT, bind=True, shared=False)
    def sweep_tenant(self: Any, tenant_id: int, now_iso: str | None = None) -> dict[str, Any]:
        """Sweep one tenant's deadlines (``now_iso``: ISO 8601 with offset; default now)."""
        return run_sweep_tenant(self.app.onedoor_settings, tenant_id, now_iso)

    @app.task(name=SWEEP_ALL, bind=True, shared=False)
    def sweep_all(self: Any, now_iso: str | None = None) -> dict[str, Any]:
        """Fan out one ``sweep_tenant`` per enabled tenant, all at the same ``now``.

        In-process (eager) a failing tenant is logged and the others are still swept; on a
        broker each tenant's task fails or succeeds on its own worker.
        """
        now_iso = parse_now(now_iso).isoformat()
        database = open_database(self.app.onedoor_settings)
        try:
            ids = [tenant.id for tenant in enabled_tenants(database)]
        finally:
            database.dispose()
        failed: dict[int, str] = {}
        per_tenant = self.app.tasks[SWEEP_TENANT]
        for tenant_id in ids:
            try:
                per_tenant.delay(tenant_id, now_iso)
            except Exception as exc:  # noqa: BLE001 - one tenant's bad calendar must not stop all
                log.exception("sla sweep of tenant %s failed", tenant_id)
                failed[tenant_id] = f"{type(exc).__name__}: {exc}"
        return {"now": now_iso, "tenants": ids, "failed": failed}


#: The app ``celery -A core.tasks worker`` finds; settings come from the usual layers
#: (``config/default.toml``, ``ONEDOOR_CONFIG``, ``ONEDOOR_*`` variables).
app = make_celery()
sweep_tenant = app.tasks[SWEEP_TENANT]
sweep_all = app.tasks[SWEEP_ALL]
