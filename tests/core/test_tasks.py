"""Celery tasks: in-process (eager) without a broker, and on real workers through Redis.

The Redis tests use the server on 127.0.0.1:6379, database 15 (flushed before and after), and a
queue of their own. Without Redis they skip saying so; under ``CI=true`` they fail instead, like
the PostgreSQL tests (tests/conftest.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.db import Database
from core.models import Case, Deadline, SupervisionNotice, Tenant
from core.settings import PROJECT_ROOT, SettingsError, load_settings
from core.tasks import BEAT_SCHEDULE, SWEEP_ALL, SWEEP_TENANT, make_celery
from tests.conftest import redis_database
from tests.core.test_sweep import NOW, sweep_world
from tests.factories import make_tenant

REDIS_URL = "redis://127.0.0.1:6379/15"


def swept_state(url: str, tenant_id: int) -> tuple[set[str], int, int]:
    """(clock states, overdue cases, notices) of a tenant, read through a fresh connection."""
    database = Database(url)
    try:
        with database.transaction(tenant_id) as session:
            states = set(session.scalars(select(Deadline.state)))
            overdue = session.scalar(select(func.count()).select_from(Case)
                                     .where(Case.overdue.is_(True)))
            notices = session.scalar(select(func.count()).select_from(SupervisionNotice))
        return states, overdue, notices
    finally:
        database.dispose()


def world(url: str, *slugs: str) -> dict[str, int]:
    database = Database(url)
    try:
        return {slug: sweep_world(database, slug)[0] for slug in slugs}
    finally:
        database.dispose()


# --- settings and the in-process default ---------------------------------------------------------


def test_broker_url_is_a_validated_setting():
    assert load_settings({}).broker_url == ""
    assert load_settings({"ONEDOOR_BROKER_URL": REDIS_URL}).broker_url == REDIS_URL
    with pytest.raises(SettingsError, match="ONEDOOR_BROKER_URL: setting 'broker_url'") as caught:
        load_settings({"ONEDOOR_BROKER_URL": "http://user:hunter2@queue"})
    assert "hunter2" not in str(caught.value)


def test_no_broker_means_eager_in_process_execution():
    app = make_celery(load_settings({}))
    assert app.conf.task_always_eager and app.conf.task_eager_propagates
    broker = make_celery(load_settings({"ONEDOOR_BROKER_URL": REDIS_URL}))
    assert not broker.conf.task_always_eager
    assert broker.conf.broker_url == REDIS_URL == broker.conf.result_backend
    assert {SWEEP_TENANT, SWEEP_ALL} <= set(app.tasks)


def test_beat_sweeps_every_five_minutes():
    assert BEAT_SCHEDULE["onedoor-sla-sweep"] == {"task": SWEEP_ALL, "schedule": 300.0}
    app = make_celery(load_settings({}))
    assert app.conf.beat_schedule == BEAT_SCHEDULE


def test_eager_sweep_tenant_runs_in_process(sqlite_url: str):
    tenants = world(sqlite_url, "alpha")
    app = make_celery(load_settings(database_url=sqlite_url))
    result = app.tasks[SWEEP_TENANT].delay(tenants["alpha"], NOW.isoformat()).get()
    assert result["slug"] == "alpha"
    assert result["counts"] == {"recomputed": 0, "breached": 2, "overdue_cases": 2,
                                "reminders": 1, "urges": 2, "batches": 1}
    assert swept_state(sqlite_url, tenants["alpha"]) == ({"running", "breached"}, 2, 3)


def test_eager_sweep_all_fans_out_over_enabled_tenants(sqlite_url: str):
    tenants = world(sqlite_url, "alpha", "beta", "broken")
    database = Database(sqlite_url)
    try:
        dormant = make_tenant(database, "dormant", enabled=False)
        with database.transaction() as session:
            broken = session.get(Tenant, tenants["broken"])
            broken.config = {**broken.config, "calendar": {"working_hours": ["late"]}}
    finally:
        database.dispose()
    app = make_celery(load_settings(database_url=sqlite_url))
    result = app.tasks[SWEEP_ALL].delay(NOW.isoformat()).get()
    assert result["now"] == NOW.isoformat()
    assert result["tenants"] == sorted(tenants.values())  # not the disabled one
    assert dormant not in result["tenants"]
    assert list(result["failed"]) == [tenants["broken"]]
    assert "calendar.working_hours[0]" in result["failed"][tenants["broken"]]
    for slug in ("alpha", "beta"):
        assert swept_state(sqlite_url, tenants[slug])[1:] == (2, 3)
    assert swept_state(sqlite_url, tenants["broken"])[1:] == (0, 0)


# --- a real worker through Redis -----------------------------------------------------------------


@pytest.fixture
def redis_broker() -> Iterator[str]:
    """Redis database 15, flushed before and after; skip (fail under CI) without a server."""
    with redis_database(15, "tests with a real Celery worker"):
        yield REDIS_URL


def test_a_real_worker_runs_sweep_tenant(database_url: str, redis_broker: str):
    """start_worker: a Celery worker consuming from Redis, on each backend."""
    from celery.contrib.testing.worker import start_worker  # noqa: PLC0415

    tenants = world(database_url, "alpha", "beta")
    app = make_celery(load_settings(database_url=database_url, broker_url=redis_broker))
    app.conf.task_default_queue = f"onedoor-test-{uuid.uuid4().hex[:8]}"
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        async_result = app.tasks[SWEEP_TENANT].delay(tenants["alpha"], NOW.isoformat())
        result = async_result.get(timeout=60)
    assert result["counts"]["breached"] == 2 and result["counts"]["urges"] == 2
    assert swept_state(database_url, tenants["alpha"]) == ({"running", "breached"}, 2, 3)
    assert swept_state(database_url, tenants["beta"]) == ({"running"}, 0, 0)


def test_celery_worker_command_runs_sweep_all(tmp_path: Path, sqlite_url: str,
                                              redis_broker: str):
    """``celery -A core.tasks worker`` in its own process, configured by ONEDOOR_* variables."""
    celery_bin = shutil.which("celery") or str(Path(sys.executable).with_name("celery"))
    tenants = world(sqlite_url, "alpha", "beta")
    # The default queue: sweep_all, running in the worker, enqueues the per-tenant tasks with
    # the worker's own configuration. Database 15 was flushed, so the queue holds only ours.
    queue = "celery"
    env = {**os.environ, "ONEDOOR_ENV": "testing", "ONEDOOR_DATABASE_URL": sqlite_url,
           "ONEDOOR_BROKER_URL": redis_broker, "PYTHONPATH": str(PROJECT_ROOT)}
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [celery_bin, "-A", "core.tasks", "worker", "--pool=solo", "-Q", queue,
         "-n", f"onedoor-test-{uuid.uuid4().hex[:8]}@%h", "--without-gossip",
         "--without-mingle", "--loglevel=INFO"],
        cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        app = make_celery(load_settings(database_url=sqlite_url, broker_url=redis_broker))
        fanned = app.tasks[SWEEP_ALL].delay(NOW.isoformat()).get(timeout=90)
        assert fanned["tenants"] == sorted(tenants.values()) and fanned["failed"] == {}
        # sweep_all only enqueued the per-tenant tasks; the solo worker runs the queue in
        # order, so this probe comes back after them.
        probe = app.tasks[SWEEP_TENANT].delay(tenants["beta"], NOW.isoformat()).get(timeout=90)
        assert probe["counts"]["batches"] == 0  # beta was swept by the fan-out already
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        log.close()
    output = (tmp_path / "worker.log").read_text()
    assert f"{SWEEP_TENANT}" in output, output[-2000:]
    for slug in ("alpha", "beta"):
        assert swept_state(sqlite_url, tenants[slug]) == ({"running", "breached"}, 2, 3)
